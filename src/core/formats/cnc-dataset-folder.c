/* cnc-dataset-folder.c
 * Image folders: one sub-folder per class holding PNG / JPEG files, read with GdkPixbuf.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-private.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static gboolean
is_image_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return name[0] != '.'
         && (g_str_has_suffix (lower, ".png") || g_str_has_suffix (lower, ".jpg")
             || g_str_has_suffix (lower, ".jpeg"));
}

/* The entries of @dir that are folders (@folders) or image files, sorted by name (bytes, as
 * Python's sorted()). Hidden entries are skipped. */
static GPtrArray *
list_entries (const char *dir,
              gboolean    folders,
              GError    **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = NULL;
  g_autoptr(GError) local = NULL;
  const char *name;

  if (!(d = g_dir_open (dir, 0, &local)))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_IO, "%s: cannot read the folder: %s",
                   dir, local->message);
      return NULL;
    }
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (name[0] == '.')
        continue;
      if (folders ? g_file_test (path, G_FILE_TEST_IS_DIR)
                  : (is_image_name (name) && !g_file_test (path, G_FILE_TEST_IS_DIR)))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

typedef struct {
  GByteArray *pixels;       /* planar RGB (3 channels) per image, one after the other */
  GArray     *sizes;        /* guint: height, width per image */
  GArray     *labels;       /* gint32 */
  gboolean    grey;         /* every pixel so far has R = G = B */
  char       *first_file;   /* for the message about mixed sizes */
} Loaded;

static gboolean
load_image (Loaded     *loaded,
            const char *file,
            gint32      label,
            gboolean    mixed_sizes,
            GError    **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (file, &local);
  guint width, height, stride, nc;
  const guint8 *src;
  guint8 *dst;
  gsize plane, start;

  if (pixbuf == NULL)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: cannot read the image: %s (an image folder is refused when any of its "
                   "PNG/JPEG files cannot be read; remove or fix the file)", file, local->message);
      return FALSE;
    }
  if (gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB
      || gdk_pixbuf_get_bits_per_sample (pixbuf) != 8
      || gdk_pixbuf_get_n_channels (pixbuf) < 3)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: unsupported pixel format (8-bit RGB or RGBA expected)", file);
      return FALSE;
    }
  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  nc = gdk_pixbuf_get_n_channels (pixbuf);
  src = gdk_pixbuf_read_pixels (pixbuf);

  if (loaded->sizes->len > 0 && !mixed_sizes)
    {
      guint h0 = g_array_index (loaded->sizes, guint, 0), w0 = g_array_index (loaded->sizes, guint, 1);
      if (h0 != height || w0 != width)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: the image is %u×%u (height × width) but %s is %u×%u; images of different "
                       "sizes need a resize (--resize HxW)", file, height, width, loaded->first_file, h0, w0);
          return FALSE;
        }
    }
  if (loaded->first_file == NULL)
    loaded->first_file = g_strdup (file);
  g_array_append_val (loaded->sizes, height);
  g_array_append_val (loaded->sizes, width);
  g_array_append_val (loaded->labels, label);

  /* Interleaved RGB(A) rows → three planes; alpha is dropped (as PIL's convert ("RGB")). */
  plane = (gsize) width * height;
  start = loaded->pixels->len;
  g_byte_array_set_size (loaded->pixels, start + 3 * plane);
  dst = loaded->pixels->data + start;
  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = src + (gsize) y * stride;
      guint8 *r = dst + (gsize) y * width, *g = r + plane, *b = g + plane;
      for (guint x = 0; x < width; x++)
        {
          r[x] = row[x * nc];
          g[x] = row[x * nc + 1];
          b[x] = row[x * nc + 2];
          if (loaded->grey && (r[x] != g[x] || r[x] != b[x]))
            loaded->grey = FALSE;
        }
    }
  return TRUE;
}

gboolean
_cnc_folder_read (const char          *dir,
                  const char * const  *classes,
                  gboolean             mixed_sizes,
                  CncImages           *images,
                  CncLabels           *labels,
                  GStrv               *class_names,
                  GError             **error)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GByteArray) pixels = g_byte_array_new ();
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) label_values = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autofree char *first_file = NULL;
  Loaded loaded = { pixels, sizes, label_values, TRUE, NULL };
  guint n_classes;
  gboolean uniform = TRUE, ok = TRUE;
  gsize n, total;

  if (!(folders = list_entries (dir, TRUE, error)))
    return FALSE;
  if (folders->len == 0)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: no class folders: an image folder holds one sub-folder of PNG/JPEG images per class",
                   dir);
      return FALSE;
    }

  /* The class order: the given list (which must name the sub-folders exactly), else sorted names. */
  if (classes)
    {
      n_classes = g_strv_length ((GStrv) classes);
      if (n_classes != folders->len)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: the class list has %u names but the folder has %u class folders",
                       dir, n_classes, folders->len);
          return FALSE;
        }
      for (guint i = 0; i < n_classes; i++)
        {
          g_autofree char *sub = g_build_filename (dir, classes[i], NULL);
          if (strchr (classes[i], G_DIR_SEPARATOR) || !g_file_test (sub, G_FILE_TEST_IS_DIR))
            {
              g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                           "%s: the class list names “%s” but there is no such class folder", dir, classes[i]);
              return FALSE;
            }
          g_strv_builder_add (names, classes[i]);
        }
    }
  else
    {
      n_classes = folders->len;
      for (guint i = 0; i < n_classes; i++)
        g_strv_builder_add (names, folders->pdata[i]);
    }
  *class_names = g_strv_builder_end (names);

  for (guint c = 0; c < n_classes && ok; c++)
    {
      g_autofree char *sub = g_build_filename (dir, (*class_names)[c], NULL);
      g_autoptr(GPtrArray) files = list_entries (sub, FALSE, error);

      if (files == NULL)
        ok = FALSE;
      else if (files->len == 0)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: the class folder holds no PNG/JPEG images (.png, .jpg, .jpeg)", sub);
          ok = FALSE;
        }
      for (guint i = 0; ok && i < files->len; i++)
        {
          g_autofree char *file = g_build_filename (sub, files->pdata[i], NULL);
          ok = load_image (&loaded, file, (gint32) c, mixed_sizes, error);
        }
    }
  first_file = loaded.first_file;
  if (!ok)
    {
      g_clear_pointer (class_names, g_strfreev);
      return FALSE;
    }

  n = label_values->len;
  for (gsize i = 1; i < n && uniform; i++)
    uniform = g_array_index (sizes, guint, 2 * i) == g_array_index (sizes, guint, 0)
              && g_array_index (sizes, guint, 2 * i + 1) == g_array_index (sizes, guint, 1);

  memset (images, 0, sizeof *images);
  images->type = CNC_PIXELS_U8;
  images->n = n;
  images->channels = loaded.grey ? 1 : 3;
  total = pixels->len / (loaded.grey ? 3 : 1);
  if (loaded.grey)
    {
      /* Every image is grey: keep one plane of each. */
      gsize src = 0, dst = 0;
      for (gsize i = 0; i < n; i++)
        {
          gsize plane = (gsize) g_array_index (sizes, guint, 2 * i) * g_array_index (sizes, guint, 2 * i + 1);
          memmove (pixels->data + dst, pixels->data + src, plane);
          dst += plane;
          src += 3 * plane;
        }
    }
  g_byte_array_set_size (pixels, MAX (total, 1));
  images->data = g_byte_array_steal (pixels, NULL);
  if (uniform)
    {
      images->height = g_array_index (sizes, guint, 0);
      images->width = g_array_index (sizes, guint, 1);
    }
  else
    {
      gsize offset = 0;
      images->offsets = g_new (gsize, n + 1);
      for (gsize i = 0; i < n; i++)
        {
          images->offsets[i] = offset;
          offset += (gsize) images->channels * g_array_index (sizes, guint, 2 * i)
                    * g_array_index (sizes, guint, 2 * i + 1);
        }
      images->offsets[n] = offset;
      images->sizes = (guint *) g_array_free (g_steal_pointer (&sizes), FALSE);
    }
  labels->n = n;
  labels->values = (gint32 *) g_array_free (g_steal_pointer (&label_values), FALSE);
  return TRUE;
}
