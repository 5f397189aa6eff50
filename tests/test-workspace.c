/* test-workspace.c
 * Tests of the workspace registry: schema and migrations, models, lineage, tags, notes, renames,
 * removals, transactions, a busy workspace and a read-only one.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-workspace"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "cnc-test-util.h"
#include "core/registry/cnc-workspace.h"

typedef struct {
  char         *dir;
  char         *ws_dir;
  CncWorkspace *ws;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = cnc_test_tmpdir ("ws");
  f->ws_dir = g_build_filename (f->dir, "workspace", NULL);
  f->ws = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->ws);
  cnc_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->ws_dir);
}

static char *
query_text (const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

static gint64
add_model (CncWorkspace *ws, const char *name, gint64 parent, CncEdgeRole role)
{
  g_autoptr(CncModel) m = cnc_model_new ();
  g_autoptr(GError) error = NULL;

  m->name = g_strdup (name);
  g_assert_true (cnc_workspace_begin (ws, &error));
  g_assert_true (cnc_workspace_insert_model (ws, m, &error));
  if (parent >= 0)
    g_assert_true (cnc_workspace_add_edge (ws, m->id, parent, role, &error));
  g_assert_true (cnc_workspace_commit (ws, &error));
  g_assert_no_error (error);
  return m->id;
}

static void
test_schema (Fixture *f, gconstpointer data)
{
  g_autofree char *db = g_build_filename (f->ws_dir, "registry.sqlite", NULL);
  g_autofree char *version = query_text (db, "PRAGMA user_version");
  g_autofree char *mode = query_text (db, "PRAGMA journal_mode");
  g_autofree char *store = g_build_filename (f->ws_dir, "store", NULL);
  g_autofree char *tables = query_text (db, "SELECT group_concat (name, ' ') FROM"
                                            " (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)");

  g_assert_cmpstr (version, ==, G_STRINGIFY (CNC_WORKSPACE_SCHEMA_VERSION));
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_true (g_file_test (store, G_FILE_TEST_IS_DIR));
  g_assert_cmpstr (tables, ==, "dataset_splits datasets evaluations jobs layers lineage loss_curves metric_values metrics model_tags models operations prediction_arrays");
}

static void
test_open_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  g_autofree char *file = cnc_test_write_file (f->dir, "plain-file", "hello");
  g_autofree char *newer = g_build_filename (f->dir, "newer", NULL);
  g_autofree char *garbage = g_build_filename (f->dir, "garbage", NULL);
  CncWorkspace *ws;

  ws = cnc_workspace_open (missing, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_assert_null (ws);
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  ws = cnc_workspace_open (file, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_null (ws);
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID);
  g_clear_error (&error);

  /* A database from a newer version is refused, not downgraded. */
  {
    g_autofree char *db_path = g_build_filename (newer, "registry.sqlite", NULL);
    sqlite3 *db;
    g_mkdir_with_parents (newer, 0755);
    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    ws = cnc_workspace_open (newer, CNC_WORKSPACE_OPEN_DEFAULT, &error);
    g_assert_null (ws);
    g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "newer"));
    g_clear_error (&error);
  }

  /* A registry file that is not a database. */
  {
    g_autofree char *db_path = g_build_filename (garbage, "registry.sqlite", NULL);
    g_mkdir_with_parents (garbage, 0755);
    g_assert_true (g_file_set_contents (db_path, "this is not a database, not at all, no.........", -1, NULL));
    ws = cnc_workspace_open (garbage, CNC_WORKSPACE_OPEN_DEFAULT, &error);
    g_assert_null (ws);
    g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT);
    g_clear_error (&error);
  }
}

/* An empty database at version 0 (as an older build would leave) is brought forward. */
static void
test_migration_from_zero (Fixture *f, gconstpointer data)
{
  g_autofree char *old = g_build_filename (f->dir, "old", NULL);
  g_autofree char *db_path = g_build_filename (old, "registry.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = NULL;
  g_autofree char *version = NULL;
  sqlite3 *db;

  g_mkdir_with_parents (old, 0755);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE scratch (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  ws = cnc_workspace_open (old, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_object (&ws);
  version = query_text (db_path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (CNC_WORKSPACE_SCHEMA_VERSION));
}

static void
test_models_and_lineage (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 root = add_model (f->ws, "root", -1, CNC_EDGE_BASE);
  gint64 teacher = add_model (f->ws, "teacher", -1, CNC_EDGE_BASE);
  gint64 pruned = add_model (f->ws, "pruned 50%", root, CNC_EDGE_BASE);
  gint64 student = add_model (f->ws, "student", pruned, CNC_EDGE_BASE);
  g_autoptr(GArray) edges = NULL;
  g_autoptr(CncModel) m = NULL;
  g_autofree char *before = NULL, *after = NULL;
  static const char * const tags[] = { "keep", "  paper  ", NULL };
  static const char * const untag[] = { "keep", NULL };

  /* Two parents: base and teacher. */
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_workspace_add_edge (f->ws, student, teacher, CNC_EDGE_TEACHER, &error));
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  edges = cnc_workspace_list_edges (f->ws, &error);
  g_assert_cmpuint (edges->len, ==, 3);

  before = cnc_workspace_fingerprint (f->ws, &error);

  /* A cycle, a second base, a duplicate name: refused, nothing changes. */
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_false (cnc_workspace_add_edge (f->ws, root, student, CNC_EDGE_BASE, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "cycle"));
  g_clear_error (&error);
  g_assert_false (cnc_workspace_add_edge (f->ws, student, root, CNC_EDGE_BASE, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(CncModel) dup = cnc_model_new ();
    dup->name = g_strdup ("root");
    g_assert_false (cnc_workspace_insert_model (f->ws, dup, &error));
    g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_EXISTS);
    g_clear_error (&error);
  }
  cnc_workspace_rollback (f->ws);
  after = cnc_workspace_fingerprint (f->ws, &error);
  g_assert_cmpstr (before, ==, after);

  /* Tags (trimmed, sorted, no duplicates), notes, rename. */
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_workspace_add_tags (f->ws, "pruned 50%", tags, &error));
  g_assert_true (cnc_workspace_add_tags (f->ws, "pruned 50%", tags, &error));
  g_assert_true (cnc_workspace_set_notes (f->ws, "pruned 50%", "lost 2 pp on Shirt", &error));
  g_assert_true (cnc_workspace_rename_model (f->ws, "pruned 50%", "pruned-50", &error));
  g_assert_false (cnc_workspace_rename_model (f->ws, "pruned-50", "root", &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  m = cnc_workspace_find_model (f->ws, "pruned-50", &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->id, ==, pruned);
  g_assert_cmpuint (g_strv_length (m->tags), ==, 2);
  g_assert_cmpstr (m->tags[0], ==, "keep");
  g_assert_cmpstr (m->tags[1], ==, "paper");
  g_assert_cmpstr (m->notes, ==, "lost 2 pp on Shirt");
  g_clear_pointer (&m, cnc_model_free);

  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_workspace_remove_tags (f->ws, "pruned-50", untag, &error));
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  m = cnc_workspace_find_model (f->ws, "pruned-50", &error);
  g_assert_cmpuint (g_strv_length (m->tags), ==, 1);

  g_assert_null (cnc_workspace_find_model (f->ws, "ghost", &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND);
}

static void
test_remove (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 root = add_model (f->ws, "root", -1, CNC_EDGE_BASE);
  gint64 a = add_model (f->ws, "a", root, CNC_EDGE_BASE);
  gint64 b = add_model (f->ws, "b", a, CNC_EDGE_BASE);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *before = cnc_workspace_fingerprint (f->ws, &error);
  g_autofree char *after = NULL;

  (void) b;
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_false (cnc_workspace_remove_model (f->ws, "root", FALSE, NULL, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_HAS_CHILDREN);
  g_assert_nonnull (strstr (error->message, "--recursive"));
  g_clear_error (&error);
  cnc_workspace_rollback (f->ws);
  after = cnc_workspace_fingerprint (f->ws, &error);
  g_assert_cmpstr (before, ==, after);

  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_workspace_remove_model (f->ws, "a", TRUE, removed, &error));
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  g_assert_cmpuint (removed->len, ==, 2);
  g_assert_cmpstr (removed->pdata[0], ==, "b");
  g_assert_cmpstr (removed->pdata[1], ==, "a");
  models = cnc_workspace_list_models (f->ws, &error);
  g_assert_cmpuint (models->len, ==, 1);
  g_assert_cmpint (((CncModel *) models->pdata[0])->id, ==, root);
  (void) a;
}

static void
test_metrics_and_layers (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 id = add_model (f->ws, "m", -1, CNC_EDGE_BASE);
  CncMetric acc = { .name = "accuracy", .format = ".1%", .min = 0, .max = 1, .higher_is_better = TRUE, .primary = TRUE };
  CncMetric lat = { .name = "latency", .unit = "ms", .min = 0, .max = NAN };
  g_autoptr(GPtrArray) layers = cnc_layer_stats_array_new ();
  g_autoptr(GPtrArray) back = NULL, values = NULL, metrics = NULL;
  const gint64 shape[] = { 4, 3 };
  const float w[12] = { 0, 1, -2, 0, 3, 0, 0, 0, 0.5f, 0, 0, 4 };
  CncLayerStats *s = cnc_layer_stats_new ("features.0.weight", "float32", 32, shape, 2);

  cnc_layer_stats_compute (s, w, CNC_DTYPE_F32, 12);
  g_ptr_array_add (layers, s);
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_workspace_define_metric (f->ws, &acc, &error));
  g_assert_true (cnc_workspace_define_metric (f->ws, &lat, &error));
  g_assert_true (cnc_workspace_set_metric_value (f->ws, id, "accuracy", 0.875, &error));
  g_assert_true (cnc_workspace_set_metric_value (f->ws, id, "latency", NAN, &error));
  g_assert_false (cnc_workspace_set_metric_value (f->ws, id, "undefined metric", 1, &error));
  g_clear_error (&error);
  g_assert_true (cnc_workspace_set_layers (f->ws, id, layers, &error));
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  g_assert_no_error (error);

  metrics = cnc_workspace_list_metrics (f->ws, &error);
  g_assert_cmpuint (metrics->len, ==, 2);
  g_assert_true (isnan (((CncMetric *) metrics->pdata[1])->max));
  values = cnc_workspace_list_metric_values (f->ws, id, &error);
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_cmpfloat (((CncMetricValue *) values->pdata[0])->value, ==, 0.875);
  g_assert_true (isnan (((CncMetricValue *) values->pdata[1])->value));

  /* Hand-computed: 7 zeros of 12; sum 6.5; sum of squares 30.25; |w| sum 10.5. */
  back = cnc_workspace_list_layers (f->ws, id, &error);
  g_assert_cmpuint (back->len, ==, 1);
  s = back->pdata[0];
  g_assert_cmpstr (s->module, ==, "features.0");
  g_assert_cmpuint (s->n_dims, ==, 2);
  g_assert_cmpint (s->shape[0], ==, 4);
  g_assert_cmpint (s->shape[1], ==, 3);
  g_assert_cmpint (s->numel, ==, 12);
  g_assert_cmpint (s->zeros, ==, 7);
  g_assert_cmpfloat (s->min, ==, -2);
  g_assert_cmpfloat (s->max, ==, 4);
  g_assert_cmpfloat_with_epsilon (s->mean, 6.5 / 12, 1e-12);
  g_assert_cmpfloat_with_epsilon (s->std, sqrt (30.25 / 12 - (6.5 / 12) * (6.5 / 12)), 1e-12);
  g_assert_cmpfloat (s->l1, ==, 10.5);
  g_assert_cmpfloat_with_epsilon (s->l2, sqrt (30.25), 1e-12);
}

/* Another process holds the write lock: we wait briefly, then say so; nothing changes. */
static void
test_busy (Fixture *f, gconstpointer data)
{
  g_autofree char *db = g_build_filename (f->ws_dir, "registry.sqlite", NULL);
  g_autofree char *script = g_strdup_printf (
    "import sqlite3, sys, time\n"
    "c = sqlite3.connect(%s, isolation_level=None)\n"
    "c.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "sys.stdin.read()\n", "sys.argv[1]");
  const char *argv[] = { "/usr/bin/python3", "-c", script, db, NULL };
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(CncWorkspace) ws = NULL;
  gint64 start;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("needs /usr/bin/python3");
      return;
    }
  holder = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_cmpstr (line, ==, "locked");

  g_setenv ("CNC_BUSY_TIMEOUT_MS", "300", TRUE);
  ws = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_unsetenv ("CNC_BUSY_TIMEOUT_MS");
  g_assert_no_error (error);   /* reading is fine while another writes (WAL) */
  start = g_get_monotonic_time ();
  g_assert_false (cnc_workspace_begin (ws, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "another process"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250000);
  g_clear_error (&error);

  g_output_stream_close (g_subprocess_get_stdin_pipe (holder), NULL, NULL);
  g_subprocess_wait (holder, NULL, NULL);

  /* Once the other writer is gone, writing works. */
  add_model (ws, "after", -1, CNC_EDGE_BASE);
}

static void
test_read_only_flag (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ro = NULL;
  g_autofree char *before = NULL, *after = NULL;

  add_model (f->ws, "m", -1, CNC_EDGE_BASE);
  before = cnc_workspace_fingerprint (f->ws, &error);
  ro = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (cnc_workspace_is_read_only (ro));
  g_assert_false (cnc_workspace_begin (ro, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "read-only"));
  after = cnc_workspace_fingerprint (ro, &error);
  g_assert_cmpstr (before, ==, after);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/workspace/schema", test_schema);
  ADD ("/workspace/open-errors", test_open_errors);
  ADD ("/workspace/migration-from-zero", test_migration_from_zero);
  ADD ("/workspace/models-and-lineage", test_models_and_lineage);
  ADD ("/workspace/remove", test_remove);
  ADD ("/workspace/metrics-and-layers", test_metrics_and_layers);
  ADD ("/workspace/busy", test_busy);
  ADD ("/workspace/read-only-flag", test_read_only_flag);
#undef ADD

  return g_test_run ();
}
