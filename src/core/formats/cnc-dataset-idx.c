/* cnc-dataset-idx.c
 * IDX files (the MNIST family), raw or gzip-compressed: images N × rows × columns, labels N.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-private.h"

#include <string.h>

/* IDX data types (third byte of the magic number). */
enum {
  IDX_U8  = 0x08,
  IDX_I8  = 0x09,
  IDX_I16 = 0x0B,
  IDX_I32 = 0x0C,
  IDX_F32 = 0x0D,
  IDX_F64 = 0x0E,
};

typedef struct {
  guint  type;
  guint  ndim;
  guint32 dims[255];
} IdxHeader;

static const char *
idx_type_name (guint type)
{
  switch (type)
    {
    case IDX_U8: return "uint8";
    case IDX_I8: return "int8";
    case IDX_I16: return "int16";
    case IDX_I32: return "int32";
    case IDX_F32: return "float32";
    case IDX_F64: return "float64";
    default: return NULL;
    }
}

static guint
idx_type_size (guint type)
{
  switch (type)
    {
    case IDX_U8: case IDX_I8: return 1;
    case IDX_I16: return 2;
    case IDX_I32: case IDX_F32: return 4;
    case IDX_F64: return 8;
    default: return 0;
    }
}

static gboolean
read_header (GInputStream *stream,
             const char   *path,
             IdxHeader    *header,
             GError      **error)
{
  guint8 magic[4];
  guint8 dims[4 * 255];

  if (!_cnc_dataset_read_exact (stream, magic, 4, path, "the IDX magic number", error))
    return FALSE;
  if (magic[0] != 0 || magic[1] != 0 || idx_type_name (magic[2]) == NULL || magic[3] == 0)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: bad IDX magic number %02x %02x %02x %02x (expected 00 00, a data type 08–0e, "
                   "a dimension count)", path, magic[0], magic[1], magic[2], magic[3]);
      return FALSE;
    }
  header->type = magic[2];
  header->ndim = magic[3];
  if (!_cnc_dataset_read_exact (stream, dims, 4 * header->ndim, path, "the IDX dimensions", error))
    return FALSE;
  for (guint i = 0; i < header->ndim; i++)
    header->dims[i] = (guint32) dims[4 * i] << 24 | (guint32) dims[4 * i + 1] << 16
                      | (guint32) dims[4 * i + 2] << 8 | dims[4 * i + 3];
  return TRUE;
}

static char *
describe_dims (const IdxHeader *header)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < header->ndim; i++)
    g_string_append_printf (s, "%s%u", i ? " × " : "", header->dims[i]);
  return g_string_free (s, FALSE);
}

gboolean
_cnc_idx_read_images (const char *path,
                      CncImages  *images,
                      GError    **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *shape = NULL;
  IdxHeader header;
  gsize count, bytes;

  if (!(stream = _cnc_dataset_open_stream (path, error)) || !read_header (stream, path, &header, error))
    return FALSE;
  shape = describe_dims (&header);
  if (header.ndim != 3)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: IDX images need 3 dimensions (N × rows × columns); this file has %u (%s)",
                   path, header.ndim, shape);
      return FALSE;
    }
  if (header.type != IDX_U8 && header.type != IDX_F32)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: IDX images of type %s are not supported (uint8 or float32)",
                   path, idx_type_name (header.type));
      return FALSE;
    }
  if (header.dims[1] == 0 || header.dims[2] == 0
      || !g_size_checked_mul (&count, header.dims[0], header.dims[1])
      || !g_size_checked_mul (&count, count, header.dims[2])
      || !g_size_checked_mul (&bytes, count, idx_type_size (header.type))
      || bytes > G_MAXSSIZE)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: IDX images of impossible size %s", path, shape);
      return FALSE;
    }

  memset (images, 0, sizeof *images);
  images->type = header.type == IDX_U8 ? CNC_PIXELS_U8 : CNC_PIXELS_F32;
  images->n = header.dims[0];
  images->channels = 1;
  images->height = header.dims[1];
  images->width = header.dims[2];
  if (!(images->data = _cnc_dataset_read_claimed (stream, bytes, path, "image data", error))
      || !_cnc_dataset_expect_end (stream, path, error))
    {
      _cnc_images_clear (images);
      return FALSE;
    }
  if (header.type == IDX_F32)
    {
      guint32 *v = images->data;
      for (gsize i = 0; i < count; i++)
        v[i] = GUINT32_FROM_BE (v[i]);
    }
  return TRUE;
}

gboolean
_cnc_idx_read_labels (const char *path,
                      CncLabels  *labels,
                      GError    **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autofree guint8 *raw = NULL;
  g_autofree char *shape = NULL;
  IdxHeader header;
  guint size;
  gsize n;

  if (!(stream = _cnc_dataset_open_stream (path, error)) || !read_header (stream, path, &header, error))
    return FALSE;
  shape = describe_dims (&header);
  if (header.ndim != 1)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: IDX labels need 1 dimension (N); this file has %u (%s)", path, header.ndim, shape);
      return FALSE;
    }
  if (header.type == IDX_F32 || header.type == IDX_F64)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_UNSUPPORTED,
                   "%s: IDX labels of type %s are not supported (integers: uint8, int8, int16, int32)",
                   path, idx_type_name (header.type));
      return FALSE;
    }
  n = header.dims[0];
  size = idx_type_size (header.type);
  if (!(raw = _cnc_dataset_read_claimed (stream, n * size, path, "label data", error))
      || !_cnc_dataset_expect_end (stream, path, error))
    return FALSE;

  labels->n = n;
  labels->values = g_new (gint32, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      const guint8 *p = raw + i * size;
      switch (header.type)
        {
        case IDX_U8: labels->values[i] = p[0]; break;
        case IDX_I8: labels->values[i] = (gint8) p[0]; break;
        case IDX_I16: labels->values[i] = (gint16) (p[0] << 8 | p[1]); break;
        default:
          labels->values[i] = (gint32) ((guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]);
          break;
        }
    }
  return TRUE;
}
