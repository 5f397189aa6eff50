/* cnc-dataset-split.c
 * An opened dataset split: its images, labels and classes, and batches preprocessed as torchvision does.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-private.h"

#include <math.h>
#include <string.h>

/* RGB → luminance: ITU-R 601-2, the weights of PIL's convert ("L") (torchvision's Grayscale on images). */
static const float luma[3] = { 0.299f, 0.587f, 0.114f };

typedef struct {
  guint   in, out;
  gint32 *i0, *i1;
  float  *l0, *l1;
} Axis;

struct _CncDataset
{
  char            *name;
  char            *split;
  gint64           id;
  GStrv            classes;
  guint            n_classes;
  CncImages        images;
  CncLabels        labels;
  CncPreprocessing pre;
  guint            out_c, out_h, out_w;

  /* Prepared arithmetic, in float32 as torchvision does it. */
  gboolean         divide;          /* scale is 1/divisor: x / divisor (ToTensor's x / 255) */
  float            divisor, scale;
  gboolean         normalize;
  float            mean[3], std[3];
  float            lut_scale[256];  /* uint8 → scaled */
  float            lut[3][256];     /* uint8 → scaled and normalized, per output channel */

  /* Resizing: the axes of the last source size, scratch planes. */
  Axis             ax_y, ax_x;
  float           *scaled;          /* source channels × height × width */
  float           *resized;         /* source channels × out_h × out_w */
  float           *rows;            /* source height × out_w: rows resized along the width */

  /* Display of float32 pixels: (v - display_lo) × display_k, found on first use under the once-flag. */
  gsize            display_range_ready;
  double           display_lo, display_k;
};

static void
axis_clear (Axis *a)
{
  g_clear_pointer (&a->i0, g_free);
  g_clear_pointer (&a->i1, g_free);
  g_clear_pointer (&a->l0, g_free);
  g_clear_pointer (&a->l1, g_free);
  a->in = a->out = 0;
}

/* Source indices and weights of bilinear resizing, computed as PyTorch's upsample_bilinear2d
 * (align_corners = False, no scale factor given) does in float32. */
static void
axis_prepare (Axis  *a,
              guint  in,
              guint  out)
{
  float ratio = (float) in / (float) out;

  if (a->in == in && a->out == out)
    return;
  axis_clear (a);
  a->in = in;
  a->out = out;
  a->i0 = g_new (gint32, out);
  a->i1 = g_new (gint32, out);
  a->l0 = g_new (float, out);
  a->l1 = g_new (float, out);
  for (guint i = 0; i < out; i++)
    {
      if (in == out)
        {
          a->i0[i] = a->i1[i] = (gint32) i;
          a->l0[i] = 1.0f;
          a->l1[i] = 0.0f;
        }
      else
        {
          /* The ratio in float, the source coordinate in double (measured closest to PyTorch's). */
          double src = (double) ratio * (i + 0.5) - 0.5;
          gint32 i0;
          double l1;

          if (src < 0.0)
            src = 0.0;
          i0 = (gint32) src;
          l1 = src - i0;
          a->i0[i] = i0;
          a->i1[i] = i0 + (i0 < (gint32) in - 1 ? 1 : 0);
          a->l1[i] = (float) (l1 < 0.0 ? 0.0 : (l1 > 1.0 ? 1.0 : l1));
          a->l0[i] = 1.0f - a->l1[i];
        }
    }
}

void
cnc_dataset_free (CncDataset *dataset)
{
  if (dataset == NULL)
    return;
  g_free (dataset->name);
  g_free (dataset->split);
  g_strfreev (dataset->classes);
  _cnc_images_clear (&dataset->images);
  _cnc_labels_clear (&dataset->labels);
  axis_clear (&dataset->ax_y);
  axis_clear (&dataset->ax_x);
  g_free (dataset->scaled);
  g_free (dataset->resized);
  g_free (dataset->rows);
  g_free (dataset);
}

static inline float
apply_scale (const CncDataset *ds,
             float             v)
{
  return ds->divide ? v / ds->divisor : v * ds->scale;
}

static inline float
apply_normalize (const CncDataset *ds,
                 guint             c,
                 float             v)
{
  return ds->normalize ? (v - ds->mean[c]) / ds->std[c] : v;
}

/* Takes ownership of @data; prepares the arithmetic and scratch space. */
CncDataset *
_cnc_dataset_new (const char             *name,
                  const char             *split,
                  gint64                  id,
                  const char * const     *classes,
                  const CncPreprocessing *pre,
                  CncSplitData           *data)
{
  CncDataset *ds = g_new0 (CncDataset, 1);
  double k = 1.0 / pre->scale;
  gsize max_plane = 0;
  guint max_h = 0;

  ds->name = g_strdup (name);
  ds->split = g_strdup (split);
  ds->id = id;
  ds->classes = g_strdupv ((GStrv) classes);
  ds->n_classes = g_strv_length (ds->classes);
  ds->images = data->images;
  ds->labels = data->labels;
  memset (&data->images, 0, sizeof data->images);
  memset (&data->labels, 0, sizeof data->labels);
  ds->pre = *pre;
  _cnc_dataset_output_shape (&ds->images, pre, &ds->out_c, &ds->out_h, &ds->out_w);

  /* A scale of 1/k with a whole k is applied as a division (ToTensor divides by 255). */
  ds->divide = k == floor (k) && k >= 1 && k < 1e9 && 1.0 / k == pre->scale && k != 1;
  ds->divisor = (float) k;
  ds->scale = (float) pre->scale;
  ds->normalize = pre->n_mean > 0;
  for (guint c = 0; c < 3; c++)
    {
      guint i = pre->n_mean == 3 ? c : 0;
      ds->mean[c] = (float) pre->mean[i];
      ds->std[c] = (float) pre->std[i];
    }
  for (guint v = 0; v < 256; v++)
    {
      ds->lut_scale[v] = apply_scale (ds, (float) v);
      for (guint c = 0; c < 3; c++)
        ds->lut[c][v] = apply_normalize (ds, c, ds->lut_scale[v]);
    }

  if (ds->images.offsets)
    for (gint64 i = 0; i < ds->images.n; i++)
      {
        max_plane = MAX (max_plane, (gsize) ds->images.sizes[2 * i] * ds->images.sizes[2 * i + 1]);
        max_h = MAX (max_h, ds->images.sizes[2 * i]);
      }
  else
    {
      max_plane = (gsize) ds->images.height * ds->images.width;
      max_h = ds->images.height;
    }
  ds->scaled = g_new (float, MAX ((gsize) ds->images.channels * max_plane, 1));
  ds->resized = g_new (float, MAX ((gsize) ds->images.channels * ds->out_h * ds->out_w, 1));
  ds->rows = g_new (float, MAX ((gsize) max_h * ds->out_w, 1));
  return ds;
}

const char *
cnc_dataset_get_name (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  return dataset->name;
}

const char *
cnc_dataset_get_split (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  return dataset->split;
}

gint64
cnc_dataset_get_id (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, -1);
  return dataset->id;
}

gint64
cnc_dataset_get_size (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, 0);
  return dataset->images.n;
}

guint
cnc_dataset_get_n_classes (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, 0);
  return dataset->n_classes;
}

const char * const *
cnc_dataset_get_classes (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  return (const char * const *) dataset->classes;
}

void
cnc_dataset_get_shape (CncDataset *dataset,
                       guint      *channels,
                       guint      *height,
                       guint      *width)
{
  g_return_if_fail (dataset != NULL);
  if (channels)
    *channels = dataset->out_c;
  if (height)
    *height = dataset->out_h;
  if (width)
    *width = dataset->out_w;
}

const gint32 *
cnc_dataset_get_labels (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  return dataset->labels.values;
}

/* ---- preprocessing a batch ------------------------------------------------------------------ */

/* Bilinear resize of one plane, as PyTorch: interpolate along the width in the source rows, then
 * along the height between the two rows of each output row (@rows: src_h × out_w scratch). */
static void
resize_plane (const float *src,
              guint        src_h,
              guint        src_w,
              const Axis  *ay,
              const Axis  *ax,
              float       *rows,
              float       *dst)
{
  for (guint y = 0; y < src_h; y++)
    {
      const float *r = src + (gsize) y * src_w;
      float *d = rows + (gsize) y * ax->out;

      for (guint ox = 0; ox < ax->out; ox++)
        d[ox] = r[ax->i0[ox]] * ax->l0[ox] + r[ax->i1[ox]] * ax->l1[ox];
    }
  for (guint oy = 0; oy < ay->out; oy++)
    {
      const float *t0 = rows + (gsize) ay->i0[oy] * ax->out, *t1 = rows + (gsize) ay->i1[oy] * ax->out;
      float h0 = ay->l0[oy], h1 = ay->l1[oy];
      float *d = dst + (gsize) oy * ax->out;

      for (guint ox = 0; ox < ax->out; ox++)
        d[ox] = t0[ox] * h0 + t1[ox] * h1;
    }
}

/* One instance: scale, resize, convert channels, normalize (the general path). */
static void
preprocess_general (CncDataset *ds,
                    const void *src,
                    guint       src_h,
                    guint       src_w,
                    float      *out)
{
  guint c0 = ds->images.channels;
  gsize in_plane = (gsize) src_h * src_w, out_plane = (gsize) ds->out_h * ds->out_w;
  const float *planes;

  if (ds->images.type == CNC_PIXELS_U8)
    {
      const guint8 *s = src;
      for (gsize i = 0; i < c0 * in_plane; i++)
        ds->scaled[i] = ds->lut_scale[s[i]];
    }
  else
    {
      const float *s = src;
      for (gsize i = 0; i < c0 * in_plane; i++)
        ds->scaled[i] = apply_scale (ds, s[i]);
    }
  planes = ds->scaled;
  if (src_h != ds->out_h || src_w != ds->out_w)
    {
      axis_prepare (&ds->ax_y, src_h, ds->out_h);
      axis_prepare (&ds->ax_x, src_w, ds->out_w);
      for (guint c = 0; c < c0; c++)
        resize_plane (ds->scaled + c * in_plane, src_h, src_w, &ds->ax_y, &ds->ax_x, ds->rows,
                      ds->resized + c * out_plane);
      planes = ds->resized;
    }

  if (c0 == 3 && ds->out_c == 1)
    {
      const float *r = planes, *g = planes + out_plane, *b = planes + 2 * out_plane;
      for (gsize i = 0; i < out_plane; i++)
        out[i] = apply_normalize (ds, 0, luma[0] * r[i] + luma[1] * g[i] + luma[2] * b[i]);
    }
  else
    for (guint c = 0; c < ds->out_c; c++)
      {
        const float *p = planes + (c0 == 1 ? 0 : c) * out_plane;
        float *o = out + c * out_plane;
        for (gsize i = 0; i < out_plane; i++)
          o[i] = apply_normalize (ds, c, p[i]);
      }
}

gboolean
cnc_dataset_read_batch (CncDataset *dataset,
                        gint64      start,
                        gint64      count,
                        float      *out,
                        GError    **error)
{
  CncDataset *ds = dataset;
  gsize esize, out_plane, out_size;
  gboolean direct;

  g_return_val_if_fail (dataset != NULL, FALSE);
  g_return_val_if_fail (out != NULL || count == 0, FALSE);

  if (start < 0 || count < 0 || start > ds->images.n || count > ds->images.n - start)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "dataset “%s” split “%s”: instances %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                   " are outside its %" G_GINT64_FORMAT " instances", ds->name, ds->split, start,
                   start + count - 1, ds->images.n);
      return FALSE;
    }

  esize = _cnc_images_element_size (&ds->images);
  out_plane = (gsize) ds->out_h * ds->out_w;
  out_size = ds->out_c * out_plane;
  /* Same size and no luminance to compute: element-wise, through a table for uint8 pixels. */
  direct = ds->images.offsets == NULL && ds->images.height == ds->out_h && ds->images.width == ds->out_w
           && (ds->images.channels == ds->out_c || ds->images.channels == 1);

  for (gint64 k = 0; k < count; k++)
    {
      gint64 i = start + k;
      float *o = out + k * out_size;

      if (direct)
        {
          gsize in_size = (gsize) ds->images.channels * out_plane;
          const guint8 *base = (const guint8 *) ds->images.data + (gsize) i * in_size * esize;

          for (guint c = 0; c < ds->out_c; c++)
            {
              float *oc = o + c * out_plane;
              gsize src_c = ds->images.channels == 1 ? 0 : c;

              if (ds->images.type == CNC_PIXELS_U8)
                {
                  const guint8 *s = base + src_c * out_plane;
                  const float *lut = ds->lut[c];
                  for (gsize j = 0; j < out_plane; j++)
                    oc[j] = lut[s[j]];
                }
              else
                {
                  const float *s = (const float *) base + src_c * out_plane;
                  for (gsize j = 0; j < out_plane; j++)
                    oc[j] = apply_normalize (ds, c, apply_scale (ds, s[j]));
                }
            }
        }
      else if (ds->images.offsets)
        preprocess_general (ds, (const guint8 *) ds->images.data + ds->images.offsets[i] * esize,
                            ds->images.sizes[2 * i], ds->images.sizes[2 * i + 1], o);
      else
        preprocess_general (ds, (const guint8 *) ds->images.data
                                + (gsize) i * ds->images.channels * ds->images.height * ds->images.width * esize,
                            ds->images.height, ds->images.width, o);
    }
  return TRUE;
}

/* ---- images for display --------------------------------------------------------------------- */

gboolean
cnc_dataset_has_images (CncDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, FALSE);
  return dataset->images.channels == 1 || dataset->images.channels == 3;
}

/* The split's float32 range for display (see cnc_dataset_read_display_image in the header). */
static void
display_range_find (CncDataset *ds)
{
  const float *v = ds->images.data;
  gsize count = ds->images.offsets ? ds->images.offsets[ds->images.n]
                                   : (gsize) ds->images.n * ds->images.channels * ds->images.height
                                     * ds->images.width;
  float lo = INFINITY, hi = -INFINITY;

  for (gsize i = 0; i < count; i++)
    if (isfinite (v[i]))
      {
        lo = MIN (lo, v[i]);
        hi = MAX (hi, v[i]);
      }
  if (!(lo <= hi) || (lo >= 0.0f && hi <= 1.0f))
    {
      ds->display_lo = 0.0;
      ds->display_k = 255.0;
    }
  else
    {
      ds->display_lo = lo;
      ds->display_k = hi > lo ? 255.0 / ((double) hi - (double) lo) : 0.0;
    }
}

static inline guint8
display_value (double v,
               double lo,
               double k)
{
  double x = (v - lo) * k + 0.5;

  /* NaN fails both comparisons: 0. */
  if (x >= 255.0)
    return 255;
  return x > 0.0 ? (guint8) x : 0;
}

GBytes *
cnc_dataset_read_display_image (CncDataset *dataset,
                                gint64      index,
                                guint      *width,
                                guint      *height,
                                guint      *channels,
                                GError    **error)
{
  CncDataset *ds = dataset;
  const CncImages *im;
  guint h, w, c;
  gsize plane, start;
  guint8 *out;

  g_return_val_if_fail (dataset != NULL, NULL);

  im = &ds->images;
  if (width)
    *width = 0;
  if (height)
    *height = 0;
  if (channels)
    *channels = 0;
  if (!cnc_dataset_has_images (ds))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "dataset “%s” split “%s”: its instances are not images (1 or 3 channels), so there "
                   "is no picture to show", ds->name, ds->split);
      return NULL;
    }
  if (index < 0 || index >= im->n)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "dataset “%s” split “%s”: instance %" G_GINT64_FORMAT " is outside its %"
                   G_GINT64_FORMAT " instances", ds->name, ds->split, index, im->n);
      return NULL;
    }

  c = im->channels;
  if (im->offsets)
    {
      h = im->sizes[2 * index];
      w = im->sizes[2 * index + 1];
      start = im->offsets[index];
    }
  else
    {
      h = im->height;
      w = im->width;
      start = (gsize) index * c * h * w;
    }
  plane = (gsize) h * w;
  out = g_malloc (MAX (c * plane, 1));

  /* Planes (channels × height × width) → interleaved (height × width × channels). */
  if (im->type == CNC_PIXELS_U8)
    {
      const guint8 *src = (const guint8 *) im->data + start;

      if (c == 1)
        memcpy (out, src, plane);
      else
        for (guint ch = 0; ch < c; ch++)
          for (gsize i = 0; i < plane; i++)
            out[i * c + ch] = src[ch * plane + i];
    }
  else
    {
      const float *src = (const float *) im->data + start;
      double lo, k;

      if (g_once_init_enter (&ds->display_range_ready))
        {
          display_range_find (ds);
          g_once_init_leave (&ds->display_range_ready, 1);
        }
      lo = ds->display_lo;
      k = ds->display_k;
      for (guint ch = 0; ch < c; ch++)
        for (gsize i = 0; i < plane; i++)
          out[i * c + ch] = display_value (src[ch * plane + i], lo, k);
    }

  if (width)
    *width = w;
  if (height)
    *height = h;
  if (channels)
    *channels = c;
  return g_bytes_new_take (out, c * plane);
}
