/* cnc-dataset-files.c
 * A dataset split's files: (gzip) streams, format sniffing, images and labels loaded whole and checked.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-private.h"

#include <string.h>

/* ---- streams -------------------------------------------------------------------------------- */

void
_cnc_images_clear (CncImages *images)
{
  g_clear_pointer (&images->data, g_free);
  g_clear_pointer (&images->offsets, g_free);
  g_clear_pointer (&images->sizes, g_free);
}

gsize
_cnc_images_element_size (const CncImages *images)
{
  return images->type == CNC_PIXELS_U8 ? 1 : 4;
}

void
_cnc_labels_clear (CncLabels *labels)
{
  g_clear_pointer (&labels->values, g_free);
}

static gboolean
set_file_error (const char   *path,
                const GError *local,
                GError      **error)
{
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND, "%s: no such file", path);
  else
    g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_IO, "%s: cannot read the file: %s",
                 path, local->message);
  return FALSE;
}

GInputStream *
_cnc_dataset_open_stream (const char *path,
                          GError    **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autoptr(GError) local = NULL;
  const guint8 *head;
  gsize len = 0;

  if (!(in = g_file_read (file, NULL, &local)))
    {
      set_file_error (path, local, error);
      return NULL;
    }
  /* Large reads bypass the buffer; it only serves to peek at the gzip magic. */
  buffered = g_buffered_input_stream_new_sized (G_INPUT_STREAM (in), 64 * 1024);
  if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (buffered), 2, NULL, &local) < 0)
    {
      set_file_error (path, local, error);
      return NULL;
    }
  head = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &len);
  if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
    {
      g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      return g_converter_input_stream_new (buffered, G_CONVERTER (gunzip));
    }
  return g_steal_pointer (&buffered);
}

gboolean
_cnc_dataset_read_exact (GInputStream *stream,
                         void         *buffer,
                         gsize         size,
                         const char   *path,
                         const char   *what,
                         GError      **error)
{
  g_autoptr(GError) local = NULL;
  gsize got = 0;

  if (!g_input_stream_read_all (stream, buffer, size, &got, NULL, &local))
    {
      if (G_IS_CONVERTER_INPUT_STREAM (stream))
        g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                     "%s: the gzip data is damaged or truncated (%s)", path, local->message);
      else
        set_file_error (path, local, error);
      return FALSE;
    }
  if (got < size)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: truncated: the file ends %" G_GSIZE_FORMAT " bytes into %s (%" G_GSIZE_FORMAT " bytes expected)",
                   path, got, what, size);
      return FALSE;
    }
  return TRUE;
}

void *
_cnc_dataset_read_claimed (GInputStream *stream,
                           gsize         size,
                           const char   *path,
                           const char   *what,
                           GError      **error)
{
  const gsize step = 16 << 20;
  g_autofree guint8 *buffer = NULL;
  gsize have = 0, capacity = 0;

  while (have < size)
    {
      g_autoptr(GError) local = NULL;
      gsize want = MIN (size - have, step), got = 0;

      if (have + want > capacity)
        {
          /* double what was really read, never past the claim */
          capacity = MIN (size, MAX (capacity * 2, have + want));
          buffer = g_try_realloc (buffer, capacity);
          if (buffer == NULL)
            {
              g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_IO,
                           "%s: not enough memory for %s (%" G_GSIZE_FORMAT " bytes)", path, what, size);
              return NULL;
            }
        }
      if (!g_input_stream_read_all (stream, buffer + have, want, &got, NULL, &local))
        {
          if (G_IS_CONVERTER_INPUT_STREAM (stream))
            g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                         "%s: the gzip data is damaged or truncated (%s)", path, local->message);
          else
            set_file_error (path, local, error);
          return NULL;
        }
      have += got;
      if (got < want)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: truncated: the header claims %" G_GSIZE_FORMAT " bytes of %s, the file holds only %"
                       G_GSIZE_FORMAT, path, size, what, have);
          return NULL;
        }
    }
  return buffer ? g_steal_pointer (&buffer) : g_malloc (1);
}

gboolean
_cnc_dataset_expect_end (GInputStream *stream,
                         const char   *path,
                         GError      **error)
{
  guint8 extra[4096];
  g_autoptr(GError) local = NULL;
  gssize got;
  gsize total = 0;

  while ((got = g_input_stream_read (stream, extra, sizeof extra, NULL, &local)) > 0)
    total += got;
  if (got < 0)
    {
      if (G_IS_CONVERTER_INPUT_STREAM (stream))
        g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                     "%s: the gzip data is damaged or truncated (%s)", path, local->message);
      else
        set_file_error (path, local, error);
      return FALSE;
    }
  if (total > 0)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: %" G_GSIZE_FORMAT " unexpected bytes after the data (the header's shape does not "
                   "match the file)", path, total);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cnc_dataset_sniff (const char    *path,
                    CncFileFormat *format,
                    GError       **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local = NULL;
  guint8 head[6] = { 0 };
  gsize got = 0;

  if (!(stream = _cnc_dataset_open_stream (path, error)))
    return FALSE;
  if (!g_input_stream_read_all (stream, head, sizeof head, &got, NULL, &local))
    {
      if (G_IS_CONVERTER_INPUT_STREAM (stream))
        g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                     "%s: the gzip data is damaged or truncated (%s)", path, local->message);
      else
        set_file_error (path, local, error);
      return FALSE;
    }
  if (got == 6 && memcmp (head, "\x93NUMPY", 6) == 0)
    *format = CNC_FILE_NPY;
  else if (got >= 4 && head[0] == 0 && head[1] == 0)
    *format = CNC_FILE_IDX;   /* the IDX reader checks the rest of the magic number */
  else
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: neither an IDX file nor a NumPy .npy file (bad magic number %02x %02x %02x %02x)",
                   path, head[0], head[1], head[2], head[3]);
      return FALSE;
    }
  return TRUE;
}

/* ---- loading a split ------------------------------------------------------------------------ */

void
_cnc_split_data_clear (CncSplitData *data)
{
  _cnc_images_clear (&data->images);
  _cnc_labels_clear (&data->labels);
  g_clear_pointer (&data->folder_classes, g_strfreev);
}

const char *
_cnc_file_format_kind (CncFileFormat format)
{
  return format == CNC_FILE_NPY ? "npy" : "idx";
}

/* Reads images and labels; for folders, @classes gives the class order (NULL: sorted names). */
gboolean
_cnc_split_data_load (const char         *images_path,
                      const char         *labels_path,
                      const char * const *classes,
                      gboolean            mixed_sizes,
                      CncSplitData       *data,
                      GError            **error)
{
  CncFileFormat format;

  memset (data, 0, sizeof *data);
  if (!g_file_test (images_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND, "%s: no such file or folder",
                   images_path);
      return FALSE;
    }
  if (g_file_test (images_path, G_FILE_TEST_IS_DIR))
    return _cnc_folder_read (images_path, classes, mixed_sizes, &data->images, &data->labels,
                             &data->folder_classes, error);

  if (!_cnc_dataset_sniff (images_path, &format, error))
    return FALSE;
  if (!(format == CNC_FILE_NPY ? _cnc_npy_read_images : _cnc_idx_read_images) (images_path, &data->images, error))
    return FALSE;
  if (!_cnc_dataset_sniff (labels_path, &format, error)
      || !(format == CNC_FILE_NPY ? _cnc_npy_read_labels : _cnc_idx_read_labels) (labels_path, &data->labels, error))
    {
      _cnc_split_data_clear (data);
      return FALSE;
    }
  if (data->labels.n != data->images.n)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s holds %" G_GINT64_FORMAT " labels but %s holds %" G_GINT64_FORMAT " images: "
                   "they must be as many", labels_path, data->labels.n, images_path, data->images.n);
      _cnc_split_data_clear (data);
      return FALSE;
    }
  return TRUE;
}

/* Every label in [0, n_classes). */
gboolean
_cnc_labels_check (const CncLabels *labels,
                   guint            n_classes,
                   const char      *where,
                   GError         **error)
{
  for (gint64 i = 0; i < labels->n; i++)
    if (labels->values[i] < 0 || (guint) labels->values[i] >= n_classes)
      {
        g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                     "%s: label %d of instance %" G_GINT64_FORMAT " is outside the %u classes (0 to %u)",
                     where, labels->values[i], i, n_classes, n_classes - 1);
        return FALSE;
      }
  return TRUE;
}

/* The model input shape after preprocessing. */
void
_cnc_dataset_output_shape (const CncImages        *images,
                           const CncPreprocessing *pre,
                           guint                  *c,
                           guint                  *h,
                           guint                  *w)
{
  *c = pre->channels ? pre->channels : images->channels;
  *h = pre->height ? pre->height : images->height;
  *w = pre->width ? pre->width : images->width;
}
