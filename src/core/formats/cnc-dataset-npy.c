/* cnc-dataset-npy.c
 * NumPy .npy arrays (format versions 1, 2 and 3, optionally gzip-compressed): images and labels.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-private.h"

#include <string.h>

#define NPY_MAX_DIMS 32
#define NPY_MAX_HEADER (1u << 20)

typedef struct {
  char     byte_order;    /* '<', '>', '|' or '=' */
  char     kind;          /* 'u', 'i', 'f', 'c', 'b', ... */
  guint    item_size;
  char    *descr;
  gboolean fortran_order;
  guint    ndim;
  guint64  shape[NPY_MAX_DIMS];
} NpyHeader;

static void
npy_header_clear (NpyHeader *h)
{
  g_clear_pointer (&h->descr, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NpyHeader, npy_header_clear)

/* A human name for a dtype: "float64", "complex128", ... */
static char *
dtype_name (const NpyHeader *h)
{
  switch (h->kind)
    {
    case 'u': return g_strdup_printf ("uint%u", h->item_size * 8);
    case 'i': return g_strdup_printf ("int%u", h->item_size * 8);
    case 'f': return g_strdup_printf ("float%u", h->item_size * 8);
    case 'c': return g_strdup_printf ("complex%u", h->item_size * 8);
    case 'b': return g_strdup ("bool");
    default: return g_strdup_printf ("“%s”", h->descr);
    }
}

/* ---- the header: a Python dict literal ----------------------------------------------------- */

typedef struct {
  const char *p, *end;
} Cursor;

static void
skip_space (Cursor *c)
{
  while (c->p < c->end && g_ascii_isspace (*c->p))
    c->p++;
}

static gboolean
accept (Cursor *c, char ch)
{
  skip_space (c);
  if (c->p < c->end && *c->p == ch)
    {
      c->p++;
      return TRUE;
    }
  return FALSE;
}

static char *
parse_string (Cursor *c)
{
  char quote;
  const char *start;

  skip_space (c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
    return NULL;
  quote = *c->p++;
  start = c->p;
  while (c->p < c->end && *c->p != quote)
    c->p++;
  if (c->p >= c->end)
    return NULL;
  return g_strndup (start, c->p++ - start);
}

static gboolean
parse_word (Cursor *c, const char *word)
{
  gsize len = strlen (word);

  skip_space (c);
  if ((gsize) (c->end - c->p) >= len && strncmp (c->p, word, len) == 0)
    {
      c->p += len;
      return TRUE;
    }
  return FALSE;
}

static gboolean
parse_shape (Cursor *c, NpyHeader *h)
{
  if (!accept (c, '('))
    return FALSE;
  h->ndim = 0;
  while (!accept (c, ')'))
    {
      guint64 v = 0;
      gboolean digits = FALSE;

      skip_space (c);
      while (c->p < c->end && g_ascii_isdigit (*c->p))
        {
          if (v > G_MAXUINT64 / 10 - 10)
            return FALSE;
          v = v * 10 + (guint64) (*c->p++ - '0');
          digits = TRUE;
        }
      if (c->p < c->end && *c->p == 'L')   /* Python 2 longs */
        c->p++;
      if (!digits || h->ndim == NPY_MAX_DIMS)
        return FALSE;
      h->shape[h->ndim++] = v;
      if (!accept (c, ',') && (skip_space (c), c->p >= c->end || *c->p != ')'))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_header_text (const char *text,
                   gsize       len,
                   NpyHeader  *h,
                   const char *path,
                   GError    **error)
{
  Cursor c = { text, text + len };
  gboolean have_descr = FALSE, have_order = FALSE, have_shape = FALSE;
  const char *problem = NULL;

  if (!accept (&c, '{'))
    problem = "it is not a dictionary";
  while (problem == NULL && !accept (&c, '}'))
    {
      g_autofree char *key = parse_string (&c);

      if (key == NULL || !accept (&c, ':'))
        {
          problem = "a key is not a quoted string followed by “:”";
          break;
        }
      if (g_str_equal (key, "descr"))
        {
          skip_space (&c);
          if (c.p < c.end && *c.p == '[')
            {
              g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                           "%s: arrays of a structured dtype (records) are not supported (uint8 or float32 "
                           "images, integer labels)", path);
              return FALSE;
            }
          if (!(h->descr = parse_string (&c)))
            problem = "“descr” is not a string";
          have_descr = TRUE;
        }
      else if (g_str_equal (key, "fortran_order"))
        {
          if (parse_word (&c, "True"))
            h->fortran_order = TRUE;
          else if (parse_word (&c, "False"))
            h->fortran_order = FALSE;
          else
            problem = "“fortran_order” is not True or False";
          have_order = TRUE;
        }
      else if (g_str_equal (key, "shape"))
        {
          if (!parse_shape (&c, h))
            problem = "“shape” is not a tuple of sizes";
          have_shape = TRUE;
        }
      else
        problem = "it has an unknown key";
      if (problem == NULL && !accept (&c, ',') && (skip_space (&c), c.p >= c.end || *c.p != '}'))
        problem = "the dictionary is not well formed";
    }
  if (problem == NULL && !(have_descr && have_order && have_shape))
    problem = "“descr”, “fortran_order” or “shape” is missing";
  if (problem == NULL)
    {
      const char *d = h->descr;
      char *end = NULL;
      guint64 size;

      if (strchr ("<>|=", d[0]) == NULL || d[1] == '\0' || !g_ascii_isdigit (d[2]))
        problem = "“descr” is not a dtype like '<f4'";
      else
        {
          size = g_ascii_strtoull (d + 2, &end, 10);
          if (*end != '\0' || size == 0 || size > 64)
            problem = "“descr” is not a dtype like '<f4'";
          h->byte_order = d[0];
          h->kind = d[1];
          h->item_size = (guint) size;
        }
    }
  if (problem)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: bad .npy header: %s", path, problem);
      return FALSE;
    }
  return TRUE;
}

/* Reads the magic, version and header; the stream is left at the start of the data. */
static GInputStream *
read_header (const char *path,
             NpyHeader  *h,
             GError    **error)
{
  g_autoptr(GInputStream) stream = NULL;
  guint8 head[8];
  guint8 len_bytes[4];
  g_autofree char *text = NULL;
  guint32 header_len;

  memset (h, 0, sizeof *h);
  if (!(stream = _cnc_dataset_open_stream (path, error))
      || !_cnc_dataset_read_exact (stream, head, 8, path, "the .npy magic string", error))
    return NULL;
  if (memcmp (head, "\x93NUMPY", 6) != 0)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: not a .npy file (no \\x93NUMPY magic string)", path);
      return NULL;
    }
  if (head[6] < 1 || head[6] > 3)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: .npy format version %u.%u is not supported (1.0, 2.0, 3.0)", path, head[6], head[7]);
      return NULL;
    }
  if (head[6] == 1)
    {
      if (!_cnc_dataset_read_exact (stream, len_bytes, 2, path, "the .npy header length", error))
        return NULL;
      header_len = len_bytes[0] | (guint32) len_bytes[1] << 8;
    }
  else
    {
      if (!_cnc_dataset_read_exact (stream, len_bytes, 4, path, "the .npy header length", error))
        return NULL;
      header_len = len_bytes[0] | (guint32) len_bytes[1] << 8 | (guint32) len_bytes[2] << 16
                   | (guint32) len_bytes[3] << 24;
    }
  if (header_len > NPY_MAX_HEADER)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: bad .npy header: %u bytes long", path, header_len);
      return NULL;
    }
  text = g_malloc (header_len + 1);
  if (!_cnc_dataset_read_exact (stream, text, header_len, path, "the .npy header", error))
    return NULL;
  text[header_len] = '\0';
  if (head[6] == 3 && !g_utf8_validate (text, header_len, NULL))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: bad .npy header: not UTF-8", path);
      return NULL;
    }
  if (!parse_header_text (text, header_len, h, path, error))
    return NULL;
  if (h->fortran_order && h->ndim > 1)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: the array is stored in Fortran order; save it in C order "
                   "(numpy.save (file, numpy.ascontiguousarray (a)))", path);
      return NULL;
    }
  return g_steal_pointer (&stream);
}

static char *
describe_shape (const NpyHeader *h)
{
  GString *s = g_string_new ("(");

  for (guint i = 0; i < h->ndim; i++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, i ? ", " : "", h->shape[i]);
  g_string_append (s, h->ndim == 1 ? ",)" : ")");
  return g_string_free (s, FALSE);
}

/* Whether the array's bytes must be swapped to be read on this machine. */
static gboolean
needs_swap (const NpyHeader *h)
{
  if (h->item_size == 1 || h->byte_order == '|' || h->byte_order == '=')
    return FALSE;
  return (h->byte_order == '>') != (G_BYTE_ORDER == G_BIG_ENDIAN);
}

gboolean
_cnc_npy_read_images (const char *path,
                      CncImages  *images,
                      GError    **error)
{
  g_auto(NpyHeader) h = { 0 };
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *shape = NULL, *dtype = NULL;
  guint64 n, c, height, width;
  gsize count, bytes;

  if (!(stream = read_header (path, &h, error)))
    return FALSE;
  shape = describe_shape (&h);
  dtype = dtype_name (&h);
  if (!((h.kind == 'u' && h.item_size == 1) || (h.kind == 'f' && h.item_size == 4)))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: images of dtype %s ('%s') are not supported: use uint8 or float32 "
                   "(numpy: a.astype (numpy.float32))", path, dtype, h.descr);
      return FALSE;
    }
  if (h.ndim == 3)
    {
      n = h.shape[0];
      c = 1;
      height = h.shape[1];
      width = h.shape[2];
    }
  else if (h.ndim == 4 && (h.shape[1] == 1 || h.shape[1] == 3))
    {
      n = h.shape[0];
      c = h.shape[1];
      height = h.shape[2];
      width = h.shape[3];
    }
  else if (h.ndim == 4 && (h.shape[3] == 1 || h.shape[3] == 3))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: images of shape %s look channels-last (N × H × W × C); store them as N × C × H × W "
                   "(numpy.transpose (a, (0, 3, 1, 2)))", path, shape);
      return FALSE;
    }
  else
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: images need shape N × H × W or N × C × H × W with C 1 or 3; this array is %s",
                   path, shape);
      return FALSE;
    }
  if (height == 0 || width == 0 || n > G_MAXUINT32 || height > G_MAXUINT32 || width > G_MAXUINT32
      || !g_size_checked_mul (&count, n, c)
      || !g_size_checked_mul (&count, count, height)
      || !g_size_checked_mul (&count, count, width)
      || !g_size_checked_mul (&bytes, count, h.item_size)
      || bytes > G_MAXSSIZE)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: images of impossible shape %s", path, shape);
      return FALSE;
    }

  memset (images, 0, sizeof *images);
  images->type = h.kind == 'u' ? CNC_PIXELS_U8 : CNC_PIXELS_F32;
  images->n = (gint64) n;
  images->channels = (guint) c;
  images->height = (guint) height;
  images->width = (guint) width;
  if (!(images->data = _cnc_dataset_read_claimed (stream, bytes, path, "image data", error))
      || !_cnc_dataset_expect_end (stream, path, error))
    {
      _cnc_images_clear (images);
      return FALSE;
    }
  if (needs_swap (&h))
    {
      guint32 *v = images->data;
      for (gsize i = 0; i < count; i++)
        v[i] = GUINT32_SWAP_LE_BE (v[i]);
    }
  return TRUE;
}

gboolean
_cnc_npy_read_labels (const char *path,
                      CncLabels  *labels,
                      GError    **error)
{
  g_auto(NpyHeader) h = { 0 };
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *shape = NULL, *dtype = NULL;
  g_autofree guint8 *raw = NULL;
  gboolean swap;
  gsize n, bytes;

  if (!(stream = read_header (path, &h, error)))
    return FALSE;
  shape = describe_shape (&h);
  dtype = dtype_name (&h);
  if (!((h.kind == 'u' && (h.item_size == 1 || h.item_size == 2 || h.item_size == 4 || h.item_size == 8))
        || (h.kind == 'i' && (h.item_size == 1 || h.item_size == 2 || h.item_size == 4 || h.item_size == 8))))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: labels of dtype %s ('%s') are not supported: use an integer dtype "
                   "(numpy: a.astype (numpy.int64))", path, dtype, h.descr);
      return FALSE;
    }
  if (h.ndim != 1)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: labels need shape (N,); this array is %s", path, shape);
      return FALSE;
    }
  if (h.shape[0] > G_MAXINT32 || !g_size_checked_mul (&bytes, h.shape[0], h.item_size))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: labels of impossible shape %s", path, shape);
      return FALSE;
    }
  n = h.shape[0];
  if (!(raw = _cnc_dataset_read_claimed (stream, bytes, path, "label data", error))
      || !_cnc_dataset_expect_end (stream, path, error))
    return FALSE;

  swap = needs_swap (&h);
  labels->n = n;
  labels->values = g_new (gint32, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      guint8 b[8];
      gint64 v;

      memcpy (b, raw + i * h.item_size, h.item_size);
      if (swap)
        for (guint j = 0; j < h.item_size / 2; j++)
          {
            guint8 t = b[j];
            b[j] = b[h.item_size - 1 - j];
            b[h.item_size - 1 - j] = t;
          }
      switch (h.item_size)
        {
        case 1: { guint8 x = b[0]; v = h.kind == 'i' ? (gint8) x : x; break; }
        case 2: { guint16 x; memcpy (&x, b, 2); v = h.kind == 'i' ? (gint16) x : x; break; }
        case 4: { guint32 x; memcpy (&x, b, 4); v = h.kind == 'i' ? (gint32) x : (gint64) x; break; }
        default: { guint64 x; memcpy (&x, b, 8); v = h.kind == 'i' ? (gint64) x : (x > G_MAXINT64 ? -1 : (gint64) x); break; }
        }
      /* Out-of-range values become -1 or G_MAXINT32: the range check reports them. */
      labels->values[i] = v < 0 ? (v < G_MININT32 ? -1 : (gint32) v) : (gint32) MIN (v, G_MAXINT32);
    }
  return TRUE;
}
