/* cnc-dataset-rows.c
 * Datasets in the registry: rows (classes, preprocessing, splits, their files); listing, adding, opening a split.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-rows.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "core/formats/cnc-dataset-private.h"
#include "cnc-workspace-private.h"

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
  g_auto(CncSplitData) data = { 0 };
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
  if (source->pre && !_cnc_preprocessing_check (source->pre, error))
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
  kind = folder ? "folder" : _cnc_file_format_kind (format);
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

  if (!_cnc_split_data_load (images_path, labels_path, folder ? classes : NULL, pre.height > 0, &data, error))
    return FALSE;
  if (data.images.n == 0)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "%s: holds no images", source->images);
      return FALSE;
    }
  if (isnan (pre.scale))   /* as ToTensor: uint8 pixels are divided by 255, floats kept */
    pre.scale = data.images.type == CNC_PIXELS_U8 ? 1.0 / 255.0 : 1.0;
  if (existing.id >= 0 && !_cnc_preprocessing_equal (&pre, &existing.pre))
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
  if (!_cnc_labels_check (&data.labels, n_classes, where, error))
    return FALSE;

  _cnc_dataset_output_shape (&data.images, &pre, &c, &h, &w);
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

/* ---- opening a split ----------------------------------------------------------------------- */

static CncDataset *
open_builtin (CncWorkspace *ws,
              const char   *split,
              GError      **error)
{
  const char *dir = g_getenv ("CNC_FASHION_MNIST_DIR");   /* tests: another copy of the package's files */
  g_autofree char *images = NULL, *labels = NULL, *pre_json = NULL;
  g_auto(CncSplitData) data = { 0 };
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
  if (!_cnc_split_data_load (images, labels, NULL, FALSE, &data, error)
      || !_cnc_labels_check (&data.labels, G_N_ELEMENTS (builtin_classes) - 1, labels, error))
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
  return _cnc_dataset_new (CNC_DATASET_BUILTIN, split, row.id, builtin_classes, &pre, &data);
}

CncDataset *
cnc_dataset_open (CncWorkspace *workspace,
                  const char   *name,
                  const char   *split,
                  GError      **error)
{
  g_auto(DatasetRow) row = { 0 };
  g_auto(CncSplitData) data = { 0 };
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

  if (!_cnc_split_data_load (images, labels,
                             g_str_equal (row.kind, "folder") ? (const char * const *) row.classes : NULL,
                             row.pre.height > 0, &data, error)
      || !_cnc_labels_check (&data.labels, g_strv_length (row.classes), labels ? labels : images, error))
    return NULL;
  _cnc_dataset_output_shape (&data.images, &row.pre, &oc, &oh, &ow);
  if (data.images.n != n || oc != c || oh != h || ow != w)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "%s: changed since it was added to dataset “%s” (%" G_GINT64_FORMAT " instances of %u×%u×%u "
                   "then, %" G_GINT64_FORMAT " of %u×%u×%u now)", images, name, n, c, h, w,
                   data.images.n, oc, oh, ow);
      return NULL;
    }
  return _cnc_dataset_new (name, split, row.id, (const char * const *) row.classes, &row.pre, &data);
}

gboolean
cnc_dataset_lookup (CncWorkspace *workspace,
                    const char   *name,
                    gint64       *id,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);
  g_return_val_if_fail (name != NULL && id != NULL, FALSE);

  *id = -1;
  if (!(stmt = _cnc_workspace_prepare (workspace, "SELECT id FROM datasets WHERE name = ?", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return _cnc_workspace_fail (workspace, rc, "read the datasets", error);
  return TRUE;
}
