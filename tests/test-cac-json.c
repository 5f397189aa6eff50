/* test-cac-json.c
 * Tests of the models.json importer and exporter: the reference tool's real files, a generated
 * file it never saw, the round trip, and every kind of bad file (which must change nothing).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cac-json"

#include <math.h>
#include <string.h>

#include "cnc-test-util.h"
#include "core/registry/cnc-cac-json.h"
#include "core/formats/cnc-json-depth.h"

typedef struct {
  char         *dir;
  CncWorkspace *ws;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ws_dir = NULL;

  f->dir = cnc_test_tmpdir ("cac");
  ws_dir = g_build_filename (f->dir, "ws", NULL);
  f->ws = cnc_workspace_open (ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->ws);
  cnc_test_rmtree (f->dir);
  g_free (f->dir);
}

static CncWorkspace *
new_workspace (Fixture *f, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (f->dir, name, NULL);
  CncWorkspace *ws = cnc_workspace_open (dir, CNC_WORKSPACE_OPEN_CREATE, &error);

  g_assert_no_error (error);
  return ws;
}

/* What the format leaves optional, made explicit so that equal meaning compares equal. */
static void
normalize (JsonNode *doc)
{
  JsonObject *root = json_node_get_object (doc);
  JsonArray *metrics = json_object_get_array_member (root, "metrics");
  JsonArray *models = json_object_get_array_member (root, "models");

  for (guint i = 0; metrics && i < json_array_get_length (metrics); i++)
    {
      JsonObject *m = json_array_get_object_element (metrics, i);
      if (!json_object_has_member (m, "min"))
        json_object_set_null_member (m, "min");
      if (!json_object_has_member (m, "max"))
        json_object_set_null_member (m, "max");
      if (!json_object_has_member (m, "primary"))
        json_object_set_boolean_member (m, "primary", FALSE);
    }
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonObject *m = json_array_get_object_element (models, i);
      if (!json_object_has_member (m, "base"))
        json_object_set_null_member (m, "base");
      if (!json_object_has_member (m, "metrics"))
        json_object_set_object_member (m, "metrics", json_object_new ());
    }
}

static JsonObject *
models_by_id (JsonNode *doc)
{
  JsonArray *models = json_object_get_array_member (json_node_get_object (doc), "models");
  JsonObject *by_id = json_object_new ();

  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonNode *m = json_array_get_element (models, i);
      JsonNode *id = json_object_get_member (json_node_get_object (m), "id");
      g_autofree char *key = json_node_get_value_type (id) == G_TYPE_STRING
                             ? g_strdup (json_node_get_string (id))
                             : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
      json_object_set_member (by_id, key, json_node_copy (m));
    }
  return by_id;
}

/* Same metrics, operations (in order) and models (whatever their order), same meaning. */
static void
assert_same_document (const char *original_text,
                      const char *exported_text)
{
  g_autoptr(JsonNode) a = cnc_test_parse_json (original_text);
  g_autoptr(JsonNode) b = cnc_test_parse_json (exported_text);
  g_autoptr(GString) where = g_string_new ("");
  g_autoptr(JsonNode) ma = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) mb = json_node_new (JSON_NODE_OBJECT);
  JsonObject *ra, *rb;

  normalize (a);
  normalize (b);
  ra = json_node_get_object (a);
  rb = json_node_get_object (b);
  g_string_assign (where, "metrics");
  if (!cnc_test_json_equivalent (json_object_get_member (ra, "metrics"), json_object_get_member (rb, "metrics"), where))
    g_error ("export differs at %s", where->str);
  g_string_assign (where, "operations");
  if (!cnc_test_json_equivalent (json_object_get_member (ra, "operations"), json_object_get_member (rb, "operations"), where))
    g_error ("export differs at %s", where->str);
  json_node_take_object (ma, models_by_id (a));
  json_node_take_object (mb, models_by_id (b));
  g_string_assign (where, "models");
  if (!cnc_test_json_equivalent (ma, mb, where))
    g_error ("export differs at %s", where->str);
}

static void
test_reference_files_round_trip (Fixture *f, gconstpointer data)
{
  static const char * const files[] = { "celeba_models.json", "imagenet_tutorial_models.json" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = cnc_test_cac_fixture (files[i]);
      g_autofree char *original = NULL, *exported = NULL, *exported2 = NULL, *copy = NULL;
      g_autoptr(CncWorkspace) ws = new_workspace (f, files[i]);
      g_autoptr(CncWorkspace) ws2 = NULL;
      g_autofree char *ws2_name = g_strdup_printf ("%s-again", files[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) doc = NULL;
      guint n = 0;

      g_assert_true (g_file_get_contents (path, &original, NULL, &error));
      g_assert_true (cnc_cac_json_import (ws, path, &n, &error));
      g_assert_no_error (error);
      doc = cnc_test_parse_json (original);
      g_assert_cmpuint (n, ==, json_array_get_length (json_object_get_array_member (json_node_get_object (doc), "models")));

      exported = cnc_cac_json_export (ws, &error);
      g_assert_no_error (error);
      assert_same_document (original, exported);

      /* import → export → import: the second export is the first, byte for byte */
      copy = cnc_test_write_file (f->dir, "exported.json", exported);
      ws2 = new_workspace (f, ws2_name);
      g_assert_true (cnc_cac_json_import (ws2, copy, NULL, &error));
      g_assert_no_error (error);
      exported2 = cnc_cac_json_export (ws2, &error);
      g_assert_cmpstr (exported, ==, exported2);
    }
}

static void
test_reference_file_lineage (Fixture *f, gconstpointer data)
{
  g_autofree char *path = cnc_test_cac_fixture ("imagenet_tutorial_models.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL, metrics = NULL, values = NULL;
  g_autoptr(GArray) edges = NULL;
  g_autoptr(CncModel) retrained = NULL, pruned = NULL;
  gboolean found = FALSE;

  g_assert_true (cnc_cac_json_import (f->ws, path, NULL, &error));
  models = cnc_workspace_list_models (f->ws, &error);
  edges = cnc_workspace_list_edges (f->ws, &error);
  metrics = cnc_workspace_list_metrics (f->ws, &error);
  g_assert_cmpuint (models->len, ==, 5);
  g_assert_cmpuint (edges->len, ==, 4);
  g_assert_cmpuint (metrics->len, ==, 6);
  g_assert_cmpstr (((CncMetric *) metrics->pdata[2])->name, ==, "Latency");
  g_assert_cmpstr (((CncMetric *) metrics->pdata[2])->unit, ==, "ms");
  g_assert_false (((CncMetric *) metrics->pdata[2])->higher_is_better);
  g_assert_true (((CncMetric *) metrics->pdata[0])->higher_is_better);
  g_assert_true (isnan (((CncMetric *) metrics->pdata[2])->max));

  /* retrained ← magnitudepruning50_compressed ← resnet50trained, read from the file by hand */
  retrained = cnc_workspace_find_model (f->ws, "resnet50trained-magnitudepruning50_compressed-retrained", &error);
  pruned = cnc_workspace_find_model (f->ws, "resnet50trained-magnitudepruning50_compressed", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < edges->len; i++)
    {
      CncEdge *e = &g_array_index (edges, CncEdge, i);
      if (e->child == retrained->id)
        {
          g_assert_cmpint (e->parent, ==, pruned->id);
          g_assert_cmpint (e->role, ==, CNC_EDGE_BASE);
          found = TRUE;
        }
    }
  g_assert_true (found);
  g_assert_cmpstr (retrained->operation, ==, "train");
  values = cnc_workspace_list_metric_values (f->ws, retrained->id, &error);
  g_assert_cmpuint (values->len, ==, 6);
  g_assert_cmpstr (((CncMetricValue *) values->pdata[0])->metric, ==, "Top-1 Accuracy");
  g_assert_cmpfloat (((CncMetricValue *) values->pdata[0])->value, ==, 0.766283370858797);
}

/* A file this project never saw: many models, several roots, parameters as lists and as specs,
 * models before their bases, null and missing metrics, numeric ids. */
static char *
generate_unseen (guint n_models)
{
  g_autoptr(GString) s = g_string_new ("{\"metrics\": [");
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  static const char * const ops[] = { "prune", "quantize", "distill", "fine-tune ünïcode" };

  g_string_append (s, "{\"name\": \"accuracy\", \"primary\": true, \"format\": \".1%\", \"min\": 0, \"max\": 1},"
                      "{\"name\": \"latency\", \"unit\": \"ms\"},"
                      "{\"name\": \"size\", \"format\": \".2~s\", \"min\": 0, \"max\": null, \"primary\": false}],");
  g_string_append (s, "\"operations\": ["
                      "{\"name\": \"prune\", \"parameters\": [\"amount\", \"method\"]},"
                      "{\"name\": \"quantize\", \"parameters\": {\"bits\": {\"type\": \"ordinal\", \"options\": [4, 8]}}},"
                      "{\"name\": \"distill\", \"parameters\": {\"temperature\": {\"type\": \"continuous\", \"min\": 1, \"max\": 8, \"format\": \".1f\"}}},"
                      "{\"name\": \"fine-tune ünïcode\", \"parameters\": [\"epochs\"]}],"
                      "\"models\": [");
  for (guint i = 0; i < n_models; i++)
    {
      g_autoptr(GString) m = g_string_new (NULL);
      const char *op = ops[i % G_N_ELEMENTS (ops)];
      gboolean root = i < 3;

      g_string_append_printf (m, "{\"id\": \"m%u\", ", i);
      if (root)
        g_string_append (m, "\"base\": null, ");
      else
        g_string_append_printf (m, "\"base\": \"m%u\", ", g_test_rand_int_range (0, i));
      if (!root)
        {
          g_string_append_printf (m, "\"operation\": {\"name\": \"%s\", \"parameters\": ", op);
          if (g_str_equal (op, "prune"))
            g_string_append_printf (m, "{\"amount\": %g, \"method\": \"l1\"}}, ", g_test_rand_int_range (1, 99) / 100.0);
          else if (g_str_equal (op, "quantize"))
            g_string_append_printf (m, "{\"bits\": %d}}, ", g_test_rand_bit () ? 4 : 8);
          else if (g_str_equal (op, "distill"))
            g_string_append_printf (m, "{\"temperature\": %g}}, ", g_test_rand_double_range (1, 8));
          else
            g_string_append_printf (m, "{\"epochs\": %d}}, ", g_test_rand_int_range (1, 30));
        }
      if (i % 5 == 0)
        g_string_append_printf (m, "\"tag\": \"model № %u\", ", i);
      g_string_append_printf (m, "\"metrics\": {\"accuracy\": %.17g, \"latency\": %s",
                              g_test_rand_double (), i % 7 == 0 ? "null" : "12.5");
      if (i % 3 != 0)
        g_string_append_printf (m, ", \"size\": %d", g_test_rand_int_range (1000, 100000000));
      g_string_append (m, "}}");
      g_ptr_array_add (lines, g_string_free (g_steal_pointer (&m), FALSE));
    }
  /* Shuffle: children before their bases. */
  for (guint i = lines->len; i > 1; i--)
    {
      guint j = g_test_rand_int_range (0, i);
      gpointer t = lines->pdata[i - 1];
      lines->pdata[i - 1] = lines->pdata[j];
      lines->pdata[j] = t;
    }
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (s, "%s%s", i ? ",\n" : "", (char *) lines->pdata[i]);
  g_string_append (s, "]}");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_unseen_file (Fixture *f, gconstpointer data)
{
  g_autofree char *text = generate_unseen (500);
  g_autofree char *path = cnc_test_write_file (f->dir, "unseen.json", text);
  g_autofree char *exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) edges = NULL;
  g_autoptr(GPtrArray) values = NULL;
  guint n = 0, nulls = 0;

  g_assert_true (cnc_cac_json_import (f->ws, path, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 500);
  edges = cnc_workspace_list_edges (f->ws, &error);
  g_assert_cmpuint (edges->len, ==, 497);  /* three roots */
  values = cnc_workspace_list_metric_values (f->ws, -1, &error);
  for (guint i = 0; i < values->len; i++)
    nulls += isnan (((CncMetricValue *) values->pdata[i])->value);
  g_assert_cmpuint (nulls, ==, (500 + 6) / 7);  /* latency null on every 7th model */
  exported = cnc_cac_json_export (f->ws, &error);
  g_assert_no_error (error);
  assert_same_document (text, exported);
}

typedef struct {
  const char *name;
  const char *json;
  const char *message;   /* a piece of the expected error */
} BadFile;

static const BadFile bad_files[] = {
  { "cycle", "{\"metrics\": [], \"operations\": [], \"models\": [{\"id\": \"a\", \"base\": \"b\"}, {\"id\": \"b\", \"base\": \"c\"}, {\"id\": \"c\", \"base\": \"a\"}, {\"id\": \"ok\"}]}", "cycle" },
  { "self-base", "{\"models\": [{\"id\": \"a\", \"base\": \"a\"}]}", "cycle" },
  { "missing-base", "{\"models\": [{\"id\": \"a\"}, {\"id\": \"b\", \"base\": \"ghost\"}]}", "“ghost”" },
  { "duplicate-id", "{\"models\": [{\"id\": \"a\"}, {\"id\": \"a\"}]}", "twice" },
  { "non-numeric-metric", "{\"metrics\": [{\"name\": \"acc\"}], \"models\": [{\"id\": \"a\", \"metrics\": {\"acc\": \"high\"}}]}", "not a number" },
  { "boolean-metric", "{\"metrics\": [{\"name\": \"acc\"}], \"models\": [{\"id\": \"a\", \"metrics\": {\"acc\": true}}]}", "not a number" },
  { "primary-not-boolean", "{\"metrics\": [{\"name\": \"acc\", \"primary\": []}], \"models\": []}", "“primary” must be true or false" },
  { "undeclared-metric", "{\"metrics\": [], \"models\": [{\"id\": \"a\", \"metrics\": {\"acc\": 0.5}}]}", "“acc” is not declared" },
  { "not-json", "{\"models\": [", "not valid JSON" },
  { "not-an-object", "[1, 2, 3]", "top level" },
  { "no-models", "{\"metrics\": []}", "no “models”" },
  { "model-without-id", "{\"models\": [{\"base\": null}]}", "no id" },
  { "duplicate-metric", "{\"metrics\": [{\"name\": \"a\"}, {\"name\": \"a\"}], \"models\": []}", "declared twice" },
  { "bad-min", "{\"metrics\": [{\"name\": \"a\", \"min\": \"zero\"}], \"models\": []}", "“min”" },
  { "late-failure", "{\"metrics\": [{\"name\": \"acc\"}], \"operations\": [{\"name\": \"p\", \"parameters\": []}], \"models\": [{\"id\": \"r\", \"metrics\": {\"acc\": 0.9}}, {\"id\": \"c1\", \"base\": \"r\", \"operation\": {\"name\": \"p\", \"parameters\": {}}, \"metrics\": {\"acc\": 0.8}}, {\"id\": \"c2\", \"base\": \"c1\", \"metrics\": {\"acc\": [1]}}]}", "not a number" },
};

static void
test_bad_files_change_nothing (Fixture *f, gconstpointer data)
{
  g_autofree char *seed = cnc_test_cac_fixture ("celeba_models.json");
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  /* A workspace with content, so "nothing changed" means something. */
  g_assert_true (cnc_cac_json_import (f->ws, seed, NULL, &error));
  before = cnc_workspace_fingerprint (f->ws, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.json", bad_files[i].name);
      g_autofree char *path = cnc_test_write_file (f->dir, name, bad_files[i].json);
      g_autofree char *after = NULL;
      g_autoptr(GError) bad = NULL;

      g_assert_false (cnc_cac_json_import (f->ws, path, NULL, &bad));
      g_assert_nonnull (bad);
      g_test_message ("%s → %s", name, bad->message);
      if (!strstr (bad->message, name) || !strstr (bad->message, bad_files[i].message))
        g_error ("%s: the message should name the file and say “%s”: %s", name, bad_files[i].message, bad->message);
      after = cnc_workspace_fingerprint (f->ws, &error);
      g_assert_cmpstr (before, ==, after);
    }

  /* The same file twice: the model names exist already; nothing added the second time. */
  {
    g_autoptr(GError) dup = NULL;
    g_autofree char *after = NULL;
    g_assert_false (cnc_cac_json_import (f->ws, seed, NULL, &dup));
    g_assert_error (dup, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_EXISTS);
    after = cnc_workspace_fingerprint (f->ws, &error);
    g_assert_cmpstr (before, ==, after);
  }

  /* A missing file and a folder. */
  {
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    g_autofree char *missing = g_build_filename (f->dir, "nope.json", NULL);
    g_assert_false (cnc_cac_json_import (f->ws, missing, NULL, &e1));
    g_assert_nonnull (strstr (e1->message, "no such file"));
    g_assert_false (cnc_cac_json_import (f->ws, f->dir, NULL, &e2));
    g_assert_nonnull (strstr (e2->message, "folder"));
  }
}

/* A file the reference tool reads: a model's operation is used but not declared (its T5 example's
 * "Retrain"). Declared without parameter specs, with a note; the round trip keeps everything. */
static void
test_undeclared_operation (Fixture *f, gconstpointer data)
{
  const char *text = "{\"metrics\": [{\"name\": \"acc\", \"primary\": true}], \"operations\": "
                     "[{\"name\": \"prune\", \"parameters\": [\"amount\"]}], \"models\": ["
                     "{\"id\": \"base\", \"metrics\": {\"acc\": 0.9}},"
                     "{\"id\": \"p\", \"base\": \"base\", \"operation\": {\"name\": \"prune\", "
                     "\"parameters\": {\"amount\": 0.1}}, \"metrics\": {\"acc\": 0.8}},"
                     "{\"id\": \"p-retrain\", \"base\": \"p\", \"operation\": {\"name\": \"Retrain\", "
                     "\"parameters\": {\"epochs\": 3}}, \"metrics\": {\"acc\": 0.88}}]}";
  g_autofree char *path = cnc_test_write_file (f->dir, "t5-like.json", text);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *exported = NULL;
  guint n = 0;

  g_assert_true (cnc_cac_json_import_with_notes (f->ws, path, &n, notes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_nonnull (strstr (notes->pdata[0], "“Retrain”"));
  g_assert_nonnull (strstr (notes->pdata[0], "“p-retrain”"));
  exported = cnc_cac_json_export (f->ws, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) root = cnc_test_parse_json (exported);
    JsonArray *ops = json_object_get_array_member (json_node_get_object (root), "operations");
    JsonArray *models = json_object_get_array_member (json_node_get_object (root), "models");
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (ops); i++)
      found |= g_str_equal (json_object_get_string_member (json_array_get_object_element (ops, i), "name"), "Retrain");
    g_assert_true (found);
    g_assert_cmpuint (json_array_get_length (models), ==, 3);
  }
}

/* 100,000 levels of nesting (a parser recurses once per level): refused before parsing, quickly,
 * with the file named, nothing changed. */
static void
test_deep_nesting (Fixture *f, gconstpointer data)
{
  GString *text = g_string_new ("{\"metrics\": ");
  g_autofree char *path = NULL, *before = NULL, *after = NULL;
  g_autoptr(GError) error = NULL, bad = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, ']');
  g_string_append (text, ", \"models\": []}");
  path = cnc_test_write_file (f->dir, "deep.json", text->str);
  g_string_free (text, TRUE);
  before = cnc_workspace_fingerprint (f->ws, &error);
  g_assert_false (cnc_cac_json_import (f->ws, path, NULL, &bad));
  g_assert_nonnull (strstr (bad->message, "deep.json"));
  g_assert_nonnull (strstr (bad->message, "nests deeper"));
  after = cnc_workspace_fingerprint (f->ws, &error);
  g_assert_cmpstr (before, ==, after);

  /* brackets inside strings (escaped quotes included) are text, not nesting: object, list, object, list */
  {
    const char *t = "{\"a\": \"[[[[\\\"{{\", \"b\": [1, {\"c\": []}]}";
    g_assert_cmpuint (cnc_json_depth (t, strlen (t), 64), ==, 4);
    g_assert_cmpuint (cnc_json_depth (t, strlen (t), 2), ==, 3);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cac-json/reference-files-round-trip", Fixture, NULL, fixture_set_up,
              test_reference_files_round_trip, fixture_tear_down);
  g_test_add ("/cac-json/reference-file-lineage", Fixture, NULL, fixture_set_up,
              test_reference_file_lineage, fixture_tear_down);
  g_test_add ("/cac-json/unseen-file", Fixture, NULL, fixture_set_up, test_unseen_file, fixture_tear_down);
  g_test_add ("/cac-json/bad-files-change-nothing", Fixture, NULL, fixture_set_up,
              test_bad_files_change_nothing, fixture_tear_down);
  g_test_add ("/cac-json/undeclared-operation", Fixture, NULL, fixture_set_up, test_undeclared_operation,
              fixture_tear_down);
  g_test_add ("/cac-json/deep-nesting", Fixture, NULL, fixture_set_up, test_deep_nesting, fixture_tear_down);

  return g_test_run ();
}
