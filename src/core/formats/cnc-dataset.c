/* cnc-dataset.c
 * Evaluation datasets: the registry (list, add, open), built-in Fashion-MNIST, preprocessing, batches.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-private.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "core/registry/cnc-workspace-private.h"

G_DEFINE_QUARK (cnc-dataset-error-quark, cnc_dataset_error)

#define DEFAULT_SPLIT "test"
#define BUILTIN_DIR "/usr/share/datasets/fashion-mnist"
#define BUILTIN_PACKAGE "dataset-fashion-mnist"

static const char * const builtin_classes[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL
};

/* Splits of the built-in dataset, in listing order (by name, as every dataset's). */
static const struct {
  const char *split;
  const char *prefix;
  gint64      size;
} builtin_splits[] = {
  { "test", "t10k", 10000 },
  { "train", "train", 60000 },
};

/* RGB → luminance: ITU-R 601-2, the weights of PIL's convert ("L") (torchvision's Grayscale on images). */
static const float luma[3] = { 0.299f, 0.587f, 0.114f };

/* ---- preprocessing -------------------------------------------------------------------------- */

void
cnc_preprocessing_init_default (CncPreprocessing *pre)
{
  g_return_if_fail (pre != NULL);

  memset (pre, 0, sizeof *pre);
  pre->scale = 1.0 / 255.0;
  for (guint i = 0; i < 3; i++)
    pre->std[i] = 1.0;
}

char *
cnc_preprocessing_to_json (const CncPreprocessing *pre)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (pre != NULL, NULL);

  json_builder_begin_object (b);
  if (pre->height > 0 || pre->width > 0)
    {
      json_builder_set_member_name (b, "resize");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, pre->height);
      json_builder_add_int_value (b, pre->width);
      json_builder_end_array (b);
    }
  if (pre->channels > 0)
    {
      json_builder_set_member_name (b, "channels");
      json_builder_add_int_value (b, pre->channels);
    }
  if (!isnan (pre->scale))
    {
      json_builder_set_member_name (b, "scale");
      json_builder_add_double_value (b, pre->scale);
    }
  if (pre->n_mean > 0)
    {
      json_builder_set_member_name (b, "mean");
      json_builder_begin_array (b);
      for (guint i = 0; i < pre->n_mean && i < 3; i++)
        json_builder_add_double_value (b, pre->mean[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "std");
      json_builder_begin_array (b);
      for (guint i = 0; i < pre->n_mean && i < 3; i++)
        json_builder_add_double_value (b, pre->std[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
node_is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node)
         && (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

/* Reads a JSON list of 1 to @max numbers into @values. */
static gboolean
read_numbers (JsonObject *o,
              const char *member,
              guint       max,
              double     *values,
              guint      *n)
{
  JsonNode *node = json_object_get_member (o, member);
  JsonArray *a;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  a = json_node_get_array (node);
  *n = json_array_get_length (a);
  if (*n == 0 || *n > max)
    return FALSE;
  for (guint i = 0; i < *n; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!node_is_number (e))
        return FALSE;
      values[i] = json_node_get_double (e);
    }
  return TRUE;
}

/* The checks every preprocessing passes (the channel count of mean/std is checked against the data). */
static gboolean
check_preprocessing (const CncPreprocessing *pre,
                     GError                **error)
{
  const char *problem = NULL;

  if ((pre->height == 0) != (pre->width == 0) || pre->height > 65536 || pre->width > 65536)
    problem = "a resize needs a height and a width, each 1 to 65536";
  else if (pre->channels != 0 && pre->channels != 1 && pre->channels != 3)
    problem = "channels must be 1 or 3";
  else if (!isnan (pre->scale) && (!isfinite (pre->scale) || pre->scale == 0))
    problem = "the scale must be a finite number other than 0";
  else if (pre->n_mean != 0 && pre->n_mean != 1 && pre->n_mean != 3)
    problem = "mean and std need 1 or 3 values (one per channel)";
  for (guint i = 0; problem == NULL && i < pre->n_mean; i++)
    if (!isfinite (pre->mean[i]) || !isfinite (pre->std[i]) || pre->std[i] == 0)
      problem = "mean and std must be finite numbers and std other than 0";
  if (problem)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "preprocessing: %s", problem);
      return FALSE;
    }
  return TRUE;
}

gboolean
cnc_preprocessing_from_json (const char       *json,
                             CncPreprocessing *pre,
                             GError          **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  CncPreprocessing p;
  JsonObject *o;
  JsonNode *node;
  const char *problem = NULL;

  g_return_val_if_fail (json != NULL && pre != NULL, FALSE);

  cnc_preprocessing_init_default (&p);
  root = json_from_string (json, &local);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "preprocessing: not a JSON object%s%s", local ? ": " : "", local ? local->message : "");
      return FALSE;
    }
  o = json_node_get_object (root);
  if ((node = json_object_get_member (o, "resize")))
    {
      double hw[2];
      guint n = 0;
      if (!read_numbers (o, "resize", 2, hw, &n) || n != 2 || hw[0] < 1 || hw[1] < 1
          || hw[0] > 65536 || hw[1] > 65536 || hw[0] != floor (hw[0]) || hw[1] != floor (hw[1]))
        problem = "“resize” must be [height, width]";
      else
        {
          p.height = (guint) hw[0];
          p.width = (guint) hw[1];
        }
    }
  if (problem == NULL && (node = json_object_get_member (o, "channels")))
    {
      if (!node_is_number (node) || (json_node_get_double (node) != 1 && json_node_get_double (node) != 3))
        problem = "“channels” must be 1 or 3";
      else
        p.channels = (guint) json_node_get_double (node);
    }
  if (problem == NULL && (node = json_object_get_member (o, "scale")))
    {
      if (JSON_NODE_HOLDS_NULL (node))
        p.scale = NAN;
      else if (!node_is_number (node))
        problem = "“scale” must be a number";
      else
        p.scale = json_node_get_double (node);
    }
  if (problem == NULL && (json_object_has_member (o, "mean") || json_object_has_member (o, "std")))
    {
      guint n_mean = 0, n_std = 0;
      if (!read_numbers (o, "mean", 3, p.mean, &n_mean) || !read_numbers (o, "std", 3, p.std, &n_std)
          || n_mean != n_std)
        problem = "“mean” and “std” must be lists of as many numbers (1 or 3)";
      p.n_mean = n_mean;
    }
  if (problem)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "preprocessing: %s", problem);
      return FALSE;
    }
  if (!check_preprocessing (&p, error))
    return FALSE;
  *pre = p;
  return TRUE;
}

static gboolean
preprocessing_equal (const CncPreprocessing *a,
                     const CncPreprocessing *b)
{
  if (a->height != b->height || a->width != b->width || a->channels != b->channels
      || a->scale != b->scale || a->n_mean != b->n_mean)
    return FALSE;
  for (guint i = 0; i < a->n_mean; i++)
    if (a->mean[i] != b->mean[i] || a->std[i] != b->std[i])
      return FALSE;
  return TRUE;
}

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

typedef struct {
  CncImages images;
  CncLabels labels;
  GStrv     folder_classes;
} SplitData;

static void
split_data_clear (SplitData *data)
{
  _cnc_images_clear (&data->images);
  _cnc_labels_clear (&data->labels);
  g_clear_pointer (&data->folder_classes, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SplitData, split_data_clear)

static const char *
format_kind (CncFileFormat format)
{
  return format == CNC_FILE_NPY ? "npy" : "idx";
}

/* Reads images and labels; for folders, @classes gives the class order (NULL: sorted names). */
static gboolean
load_split (const char         *images_path,
            const char         *labels_path,
            const char * const *classes,
            gboolean            mixed_sizes,
            SplitData          *data,
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
      split_data_clear (data);
      return FALSE;
    }
  if (data->labels.n != data->images.n)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s holds %" G_GINT64_FORMAT " labels but %s holds %" G_GINT64_FORMAT " images: "
                   "they must be as many", labels_path, data->labels.n, images_path, data->images.n);
      split_data_clear (data);
      return FALSE;
    }
  return TRUE;
}

/* Every label in [0, n_classes). */
static gboolean
check_labels (const CncLabels *labels,
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
static void
output_shape (const CncImages        *images,
              const CncPreprocessing *pre,
              guint                  *c,
              guint                  *h,
              guint                  *w)
{
  *c = pre->channels ? pre->channels : images->channels;
  *h = pre->height ? pre->height : images->height;
  *w = pre->width ? pre->width : images->width;
}

/* ---- registry rows -------------------------------------------------------------------------- */

typedef struct {
  gint64           id;
  char            *kind;
  GStrv            classes;
  CncPreprocessing pre;
} DatasetRow;

static void
dataset_row_clear (DatasetRow *row)
{
  g_clear_pointer (&row->kind, g_free);
  g_clear_pointer (&row->classes, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DatasetRow, dataset_row_clear)

static char *
classes_to_json (const char * const *classes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; classes[i]; i++)
    json_builder_add_string_value (b, classes[i]);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static GStrv
classes_from_json (const char *json)
{
  g_autoptr(JsonNode) root = json_from_string (json, NULL);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  JsonArray *a;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return NULL;
  a = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *s = json_array_get_string_element (a, i);
      if (s == NULL)
        return NULL;
      g_strv_builder_add (b, s);
    }
  return g_strv_builder_end (b);
}

/* Finds the dataset row named @name: TRUE with @row->id = -1 when there is none. */
static gboolean
find_dataset (CncWorkspace *ws,
              const char   *name,
              DatasetRow   *row,
              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  memset (row, 0, sizeof *row);
  row->id = -1;
  if (!(stmt = _cnc_workspace_prepare (ws, "SELECT id, kind, classes, preprocessing FROM datasets WHERE name = ?",
                                       error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return _cnc_workspace_fail (ws, rc, "read the datasets", error);
  row->id = sqlite3_column_int64 (stmt, 0);
  row->kind = _cnc_column_dup (stmt, 1);
  row->classes = classes_from_json ((const char *) sqlite3_column_text (stmt, 2));
  if (row->classes == NULL
      || !cnc_preprocessing_from_json ((const char *) sqlite3_column_text (stmt, 3), &row->pre, NULL))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT,
                   "%s: the registry row of dataset “%s” is damaged", cnc_workspace_get_path (ws), name);
      dataset_row_clear (row);
      return FALSE;
    }
  return TRUE;
}

/* The splits of dataset @id, by name (@sizes optional). */
static GStrv
list_splits (CncWorkspace *ws,
             gint64        id,
             GArray       *sizes,
             GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (!(stmt = _cnc_workspace_prepare (ws, "SELECT split, n FROM dataset_splits WHERE dataset = ? ORDER BY split",
                                       error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 n = sqlite3_column_int64 (stmt, 1);
      g_strv_builder_add (b, (const char *) sqlite3_column_text (stmt, 0));
      if (sizes)
        g_array_append_val (sizes, n);
    }
  return g_strv_builder_end (b);
}

static gboolean
insert_dataset (CncWorkspace           *ws,
                const char             *name,
                const char             *kind,
                const char * const     *classes,
                const CncPreprocessing *pre,
                gint64                 *id,
                GError                **error)
{
  g_autofree char *classes_json = classes_to_json (classes);
  g_autofree char *pre_json = cnc_preprocessing_to_json (pre);
  sqlite3_stmt *stmt;

  if (!(stmt = _cnc_workspace_prepare (ws, "INSERT INTO datasets (name, kind, classes, preprocessing, created)"
                                           " VALUES (?, ?, ?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, classes_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, pre_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  if (!_cnc_workspace_step_done (ws, stmt, "add the dataset", error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (_cnc_workspace_get_db (ws));
  return TRUE;
}

static gboolean
insert_split (CncWorkspace *ws,
              gint64        id,
              const char   *split,
              const char   *images,
              const char   *labels,
              gint64        n,
              guint         c,
              guint         h,
              guint         w,
              GError      **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _cnc_workspace_prepare (ws, "INSERT INTO dataset_splits (dataset, split, images, labels, n,"
                                           " channels, height, width) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, split, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, images, -1, SQLITE_TRANSIENT);
  _cnc_bind_text_or_null (stmt, 4, labels);
  sqlite3_bind_int64 (stmt, 5, n);
  sqlite3_bind_int (stmt, 6, c);
  sqlite3_bind_int (stmt, 7, h);
  sqlite3_bind_int (stmt, 8, w);
  return _cnc_workspace_step_done (ws, stmt, "add the dataset split", error);
}

/* ---- listing -------------------------------------------------------------------------------- */

void
cnc_dataset_info_free (CncDatasetInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->kind);
  g_strfreev (info->classes);
  g_strfreev (info->splits);
  g_free (info->split_sizes);
  g_free (info);
}

static CncDatasetInfo *
builtin_info (void)
{
  CncDatasetInfo *info = g_new0 (CncDatasetInfo, 1);

  info->name = g_strdup (CNC_DATASET_BUILTIN);
  info->kind = g_strdup ("builtin");
  info->classes = g_strdupv ((GStrv) builtin_classes);
  info->splits = g_new0 (char *, G_N_ELEMENTS (builtin_splits) + 1);
  info->split_sizes = g_new0 (gint64, G_N_ELEMENTS (builtin_splits));
  for (guint i = 0; i < G_N_ELEMENTS (builtin_splits); i++)
    {
      info->splits[i] = g_strdup (builtin_splits[i].split);
      info->split_sizes[i] = builtin_splits[i].size;
    }
  cnc_preprocessing_init_default (&info->pre);
  return info;
}

GPtrArray *
cnc_dataset_list (CncWorkspace *workspace,
                  GError      **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_dataset_info_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);

  g_ptr_array_add (list, builtin_info ());
  if (!(stmt = _cnc_workspace_prepare (workspace, "SELECT id, name, kind, classes, preprocessing FROM datasets"
                                                  " WHERE kind != 'builtin' ORDER BY name", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CncDatasetInfo *info = g_new0 (CncDatasetInfo, 1);
      g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gint64));

      g_ptr_array_add (list, info);
      info->name = _cnc_column_dup (stmt, 1);
      info->kind = _cnc_column_dup (stmt, 2);
      info->classes = classes_from_json ((const char *) sqlite3_column_text (stmt, 3));
      if (info->classes == NULL
          || !cnc_preprocessing_from_json ((const char *) sqlite3_column_text (stmt, 4), &info->pre, NULL))
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT,
                       "%s: the registry row of dataset “%s” is damaged",
                       cnc_workspace_get_path (workspace), info->name);
          return NULL;
        }
      if (!(info->splits = list_splits (workspace, sqlite3_column_int64 (stmt, 0), sizes, error)))
        return NULL;
      info->split_sizes = (gint64 *) g_array_free (g_steal_pointer (&sizes), FALSE);
    }
  if (rc != SQLITE_DONE)
    {
      _cnc_workspace_fail (workspace, rc, "read the datasets", error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

gboolean
cnc_dataset_get_input_shape (CncWorkspace *workspace,
                             const char   *name,
                             guint        *channels,
                             guint        *height,
                             guint        *width,
                             GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint c = 1, h = 28, w = 28;   /* the built-in dataset */
  int rc;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_str_equal (name, CNC_DATASET_BUILTIN))
    {
      if (!(stmt = _cnc_workspace_prepare (workspace, "SELECT s.channels, s.height, s.width FROM datasets d"
                                                      " JOIN dataset_splits s ON s.dataset = d.id"
                                                      " WHERE d.name = ? LIMIT 1", error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND,
                       "no dataset named “%s” in this workspace (see `compress-compare datasets`)", name);
          return FALSE;
        }
      if (rc != SQLITE_ROW)
        return _cnc_workspace_fail (workspace, rc, "read the datasets", error);
      c = sqlite3_column_int (stmt, 0);
      h = sqlite3_column_int (stmt, 1);
      w = sqlite3_column_int (stmt, 2);
    }
  if (channels)
    *channels = c;
  if (height)
    *height = h;
  if (width)
    *width = w;
  return TRUE;
}

/* ---- adding --------------------------------------------------------------------------------- */

static gboolean
check_class_names (const char * const *classes,
                   const char         *where,
                   GError            **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (classes[0] == NULL)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "%s: the class list is empty", where);
      return FALSE;
    }
  for (guint i = 0; classes[i]; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (classes[i]));

      if (stripped[0] == '\0' || !g_utf8_validate (classes[i], -1, NULL))
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: class %u of the class list has no name", where, i);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer) classes[i]))
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: the class list names “%s” twice", where, classes[i]);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
cnc_dataset_add (CncWorkspace           *workspace,
                 const char             *name,
                 const CncDatasetSource *source,
                 GError                **error)
{
  g_auto(DatasetRow) existing = { 0 };
  g_auto(SplitData) data = { 0 };
  g_autofree char *images_path = NULL, *labels_path = NULL;
  g_auto(GStrv) default_classes = NULL;
  g_auto(GStrv) existing_splits = NULL;
  const char * const *classes;
  const char *split, *kind, *where;
  CncPreprocessing pre;
  CncFileFormat format = CNC_FILE_IDX;
  gboolean folder;
  guint n_classes, c, h, w;
  gint64 id;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);
  g_return_val_if_fail (name != NULL && source != NULL && source->images != NULL, FALSE);

  split = source->split ? source->split : DEFAULT_SPLIT;
  if (*name == '\0' || *split == '\0')
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: a dataset needs a name and a split name", source->images);
      return FALSE;
    }
  if (g_str_equal (name, CNC_DATASET_BUILTIN))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_EXISTS,
                   "“%s” is the built-in dataset; give %s another name", name, source->images);
      return FALSE;
    }
  if (cnc_workspace_is_read_only (workspace))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY,
                   "%s: the workspace is read-only (no write permission); nothing was changed",
                   cnc_workspace_get_path (workspace));
      return FALSE;
    }
  if (source->pre && !check_preprocessing (source->pre, error))
    return FALSE;
  if (!find_dataset (workspace, name, &existing, error))
    return FALSE;
  if (existing.id >= 0)
    {
      if (!(existing_splits = list_splits (workspace, existing.id, NULL, error)))
        return FALSE;
      if (g_strv_contains ((const char * const *) existing_splits, split))
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_EXISTS,
                       "dataset “%s” already has a split “%s”; %s was not added (choose another --split)",
                       name, split, source->images);
          return FALSE;
        }
    }

  images_path = g_canonicalize_filename (source->images, NULL);
  if (!g_file_test (images_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND, "%s: no such file or folder",
                   source->images);
      return FALSE;
    }
  folder = g_file_test (images_path, G_FILE_TEST_IS_DIR);
  if (folder && source->labels)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: an image folder takes its labels from its class folders; no labels file is needed (%s)",
                   source->images, source->labels);
      return FALSE;
    }
  if (!folder)
    {
      if (source->labels == NULL)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: images in a file need a labels file (IDX or .npy)", source->images);
          return FALSE;
        }
      labels_path = g_canonicalize_filename (source->labels, NULL);
      if (!g_file_test (labels_path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND, "%s: no such file", source->labels);
          return FALSE;
        }
      if (!_cnc_dataset_sniff (images_path, &format, error))
        return FALSE;
    }
  kind = folder ? "folder" : format_kind (format);
  if (existing.id >= 0 && !g_str_equal (existing.kind, kind))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: dataset “%s” holds %s data; this split is %s data (add it as another dataset)",
                   source->images, name, existing.kind, kind);
      return FALSE;
    }
  where = folder ? source->images : source->labels;

  classes = source->classes;
  if (classes && !check_class_names (classes, where, error))
    return FALSE;
  if (classes && existing.id >= 0)
    {
      guint n_given = g_strv_length ((GStrv) classes), n_existing = g_strv_length (existing.classes);
      if (n_given != n_existing)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: the class list has %u names but dataset “%s” has %u classes",
                       where, n_given, name, n_existing);
          return FALSE;
        }
      for (guint i = 0; i < n_given; i++)
        if (!g_str_equal (classes[i], existing.classes[i]))
          {
            g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                         "%s: class %u is “%s” in the class list but “%s” in dataset “%s”",
                         where, i, classes[i], existing.classes[i], name);
            return FALSE;
          }
    }
  if (classes == NULL && existing.id >= 0)
    classes = (const char * const *) existing.classes;

  if (source->pre)
    pre = *source->pre;
  else if (existing.id >= 0)
    pre = existing.pre;
  else
    {
      cnc_preprocessing_init_default (&pre);
      pre.scale = NAN;
    }

  if (!load_split (images_path, labels_path, folder ? classes : NULL, pre.height > 0, &data, error))
    return FALSE;
  if (data.images.n == 0)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "%s: holds no images", source->images);
      return FALSE;
    }
  if (isnan (pre.scale))   /* as ToTensor: uint8 pixels are divided by 255, floats kept */
    pre.scale = data.images.type == CNC_PIXELS_U8 ? 1.0 / 255.0 : 1.0;
  if (existing.id >= 0 && !preprocessing_equal (&pre, &existing.pre))
    {
      g_autofree char *a = cnc_preprocessing_to_json (&existing.pre), *b = cnc_preprocessing_to_json (&pre);
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: dataset “%s” preprocesses its splits with %s; this split asks for %s "
                   "(every split of a dataset shares one preprocessing)", source->images, name, a, b);
      return FALSE;
    }

  if (folder)
    classes = (const char * const *) data.folder_classes;
  else if (classes == NULL)
    {
      gint32 max = 0;
      for (gint64 i = 0; i < data.labels.n; i++)
        max = MAX (max, data.labels.values[i]);
      if (max >= 100000)
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: label %d is too large for a class index (give the class list)", where, max);
          return FALSE;
        }
      default_classes = g_new0 (char *, max + 2);
      for (gint32 i = 0; i <= max; i++)
        default_classes[i] = g_strdup_printf ("%d", i);
      classes = (const char * const *) default_classes;
    }
  n_classes = g_strv_length ((GStrv) classes);
  if (!check_labels (&data.labels, n_classes, where, error))
    return FALSE;

  output_shape (&data.images, &pre, &c, &h, &w);
  if (pre.n_mean > 0 && pre.n_mean != c)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: the images have %u channel%s after preprocessing but mean and std give %u values",
                   source->images, c, c == 1 ? "" : "s", pre.n_mean);
      return FALSE;
    }
  if (existing.id >= 0)
    {
      g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (workspace, "SELECT split, channels, height, width"
                                                             " FROM dataset_splits WHERE dataset = ? LIMIT 1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, existing.id);
      if (sqlite3_step (stmt) == SQLITE_ROW
          && ((guint) sqlite3_column_int (stmt, 1) != c || (guint) sqlite3_column_int (stmt, 2) != h
              || (guint) sqlite3_column_int (stmt, 3) != w))
        {
          g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                       "%s: the images are %u×%u×%u (channels × height × width) after preprocessing but split "
                       "“%s” of dataset “%s” is %d×%d×%d", source->images, c, h, w,
                       sqlite3_column_text (stmt, 0), name, sqlite3_column_int (stmt, 1),
                       sqlite3_column_int (stmt, 2), sqlite3_column_int (stmt, 3));
          return FALSE;
        }
    }

  if (!cnc_workspace_begin (workspace, error))
    return FALSE;
  id = existing.id;
  if ((id < 0 && !insert_dataset (workspace, name, kind, classes, &pre, &id, error))
      || !insert_split (workspace, id, split, images_path, labels_path, data.images.n, c, h, w, error)
      || !cnc_workspace_commit (workspace, error))
    {
      cnc_workspace_rollback (workspace);
      return FALSE;
    }
  return TRUE;
}

/* ---- an opened split ------------------------------------------------------------------------ */

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
static CncDataset *
dataset_new (const char             *name,
             const char             *split,
             gint64                  id,
             const char * const     *classes,
             const CncPreprocessing *pre,
             SplitData              *data)
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
  output_shape (&ds->images, pre, &ds->out_c, &ds->out_h, &ds->out_w);

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

static CncDataset *
open_builtin (CncWorkspace *ws,
              const char   *split,
              GError      **error)
{
  const char *dir = g_getenv ("CNC_FASHION_MNIST_DIR");   /* tests: another copy of the package's files */
  g_autofree char *images = NULL, *labels = NULL, *pre_json = NULL;
  g_auto(SplitData) data = { 0 };
  g_auto(DatasetRow) row = { 0 };
  CncPreprocessing pre;
  const char *prefix = NULL;
  g_autoptr(GError) local = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (builtin_splits); i++)
    if (g_str_equal (split, builtin_splits[i].split))
      prefix = builtin_splits[i].prefix;
  if (prefix == NULL)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND,
                   "dataset “%s” has no split “%s” (its splits: test, train)", CNC_DATASET_BUILTIN, split);
      return NULL;
    }
  if (dir == NULL || *dir == '\0')
    dir = BUILTIN_DIR;
  images = g_strdup_printf ("%s/%s-images-idx3-ubyte.gz", dir, prefix);
  labels = g_strdup_printf ("%s/%s-labels-idx1-ubyte.gz", dir, prefix);
  if (!g_file_test (images, G_FILE_TEST_IS_REGULAR) || !g_file_test (labels, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND,
                   "the built-in dataset Fashion-MNIST is not installed: %s is missing "
                   "(install the Debian package %s)",
                   g_file_test (images, G_FILE_TEST_IS_REGULAR) ? labels : images, BUILTIN_PACKAGE);
      return NULL;
    }
  if (!load_split (images, labels, NULL, FALSE, &data, error)
      || !check_labels (&data.labels, G_N_ELEMENTS (builtin_classes) - 1, labels, error))
    return NULL;
  cnc_preprocessing_init_default (&pre);

  /* Its registry rows come on first use (not in a read-only workspace: then id -1). */
  if (!find_dataset (ws, CNC_DATASET_BUILTIN, &row, error))
    return NULL;
  if (!cnc_workspace_is_read_only (ws))
    {
      gboolean own = !_cnc_workspace_in_transaction (ws);
      g_auto(GStrv) splits = NULL;
      gint64 id = row.id;

      if (id >= 0 && !(splits = list_splits (ws, id, NULL, error)))
        return NULL;
      if (id < 0 || !g_strv_contains ((const char * const *) splits, split))
        {
          if (own && !cnc_workspace_begin (ws, &local))
            {
              if (!g_error_matches (local, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY))
                {
                  g_propagate_error (error, g_steal_pointer (&local));
                  return NULL;
                }
            }
          else if ((id < 0 && !insert_dataset (ws, CNC_DATASET_BUILTIN, "builtin", builtin_classes, &pre, &id, error))
                   || !insert_split (ws, id, split, images, labels, data.images.n, 1,
                                     data.images.height, data.images.width, error)
                   || (own && !cnc_workspace_commit (ws, error)))
            {
              if (own)
                cnc_workspace_rollback (ws);
              return NULL;
            }
          else
            row.id = id;
        }
    }
  return dataset_new (CNC_DATASET_BUILTIN, split, row.id, builtin_classes, &pre, &data);
}

CncDataset *
cnc_dataset_open (CncWorkspace *workspace,
                  const char   *name,
                  const char   *split,
                  GError      **error)
{
  g_auto(DatasetRow) row = { 0 };
  g_auto(SplitData) data = { 0 };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *images = NULL, *labels = NULL;
  gint64 n;
  guint c, h, w, oc, oh, ow;
  int rc;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (split == NULL)
    split = DEFAULT_SPLIT;
  if (g_str_equal (name, CNC_DATASET_BUILTIN))
    return open_builtin (workspace, split, error);

  if (!find_dataset (workspace, name, &row, error))
    return NULL;
  if (row.id < 0)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND,
                   "no dataset named “%s” in this workspace (see `compress-compare datasets`)", name);
      return NULL;
    }
  if (!(stmt = _cnc_workspace_prepare (workspace, "SELECT images, labels, n, channels, height, width"
                                                  " FROM dataset_splits WHERE dataset = ? AND split = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, row.id);
  sqlite3_bind_text (stmt, 2, split, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_auto(GStrv) splits = list_splits (workspace, row.id, NULL, NULL);
      g_autofree char *joined = splits ? g_strjoinv (", ", splits) : g_strdup ("");
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND,
                   "dataset “%s” has no split “%s” (its splits: %s)", name, split, joined);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _cnc_workspace_fail (workspace, rc, "read the dataset", error);
      return NULL;
    }
  images = _cnc_column_dup (stmt, 0);
  labels = _cnc_column_dup (stmt, 1);
  n = sqlite3_column_int64 (stmt, 2);
  c = sqlite3_column_int (stmt, 3);
  h = sqlite3_column_int (stmt, 4);
  w = sqlite3_column_int (stmt, 5);

  if (!load_split (images, labels, g_str_equal (row.kind, "folder") ? (const char * const *) row.classes : NULL,
                   row.pre.height > 0, &data, error)
      || !check_labels (&data.labels, g_strv_length (row.classes), labels ? labels : images, error))
    return NULL;
  output_shape (&data.images, &row.pre, &oc, &oh, &ow);
  if (data.images.n != n || oc != c || oh != h || ow != w)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: changed since it was added to dataset “%s” (%" G_GINT64_FORMAT " instances of %u×%u×%u "
                   "then, %" G_GINT64_FORMAT " of %u×%u×%u now)", images, name, n, c, h, w,
                   data.images.n, oc, oh, ow);
      return NULL;
    }
  return dataset_new (name, split, row.id, (const char * const *) row.classes, &row.pre, &data);
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
