/* test-layers.c
 * Tests of reading weights and of layer changes between models, against NumPy on the same files.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-layers"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cnc-test-util.h"
#include "cnc-torch-weights.h"
#include "core/analysis/cnc-layer-compare.h"
#include "core/formats/cnc-weights.h"
#include "core/registry/cnc-workspace.h"

/* Made once: fixtures by make-layer-fixtures.py, and a workspace holding them. NULL without torch. */
static char *fixtures_dir;
static char *workspace_dir;
static JsonParser *expected_parser;
static JsonObject *expected;

static const struct {
  const char *name;
  const char *file;
} models[] = {
  { "base", "base.pt" },
  { "pruned", "pruned.pt" },
  { "finetuned", "finetuned.pt" },
  { "quant", "quant.pt" },
  { "state", "state.pt" },
  { "half", "half.safetensors" },
  { "zero", "zero.pt" },
  { "other", "other.pt" },
  { "frozen", "frozen.pt" },
};

#define SKIP_WITHOUT_FIXTURES() \
  G_STMT_START { \
    if (fixtures_dir == NULL) \
      { \
        g_test_skip ("python3-torch is not installed: no fixtures"); \
        return; \
      } \
  } G_STMT_END

static char *
fixture (const char *name)
{
  return g_build_filename (fixtures_dir, name, NULL);
}

/* Runs the CLI on the test workspace; returns the exit status. */
static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) "--workspace");
  g_ptr_array_add (argv, workspace_dir);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return cnc_test_run_cli ((const char * const *) argv->pdata, out, err);
}

/* @got matches every member @want has (NumPy's numbers to 1e-9 relative, counts exactly). */
static void
assert_json_close (JsonNode   *want,
                   JsonNode   *got,
                   const char *where)
{
  if (got == NULL)
    g_error ("%s: missing (NumPy has it)", where);

  if (JSON_NODE_HOLDS_NULL (want))
    {
      if (!JSON_NODE_HOLDS_NULL (got))
        g_error ("%s: %s, NumPy says null", where, json_to_string (got, FALSE));
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (want))
    {
      JsonObject *w = json_node_get_object (want);
      g_autoptr(GList) members = json_object_get_members (w);

      g_assert_true (JSON_NODE_HOLDS_OBJECT (got));
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *sub = g_strdup_printf ("%s.%s", where, (const char *) l->data);
          assert_json_close (json_object_get_member (w, l->data),
                             json_object_get_member (json_node_get_object (got), l->data), sub);
        }
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (want))
    {
      JsonArray *w = json_node_get_array (want);
      JsonArray *g;

      if (!JSON_NODE_HOLDS_ARRAY (got))
        g_error ("%s: not a list", where);
      g = json_node_get_array (got);
      if (json_array_get_length (w) != json_array_get_length (g))
        g_error ("%s: %u entries, NumPy has %u", where, json_array_get_length (g), json_array_get_length (w));
      for (guint i = 0; i < json_array_get_length (w); i++)
        {
          g_autofree char *sub = g_strdup_printf ("%s[%u]", where, i);
          assert_json_close (json_array_get_element (w, i), json_array_get_element (g, i), sub);
        }
      return;
    }

  switch (json_node_get_value_type (want))
    {
    case G_TYPE_STRING:
      if (!JSON_NODE_HOLDS_VALUE (got) || g_strcmp0 (json_node_get_string (got), json_node_get_string (want)) != 0)
        g_error ("%s: “%s”, NumPy says “%s”", where, json_to_string (got, FALSE), json_node_get_string (want));
      break;
    case G_TYPE_BOOLEAN:
      if (!JSON_NODE_HOLDS_VALUE (got) || json_node_get_boolean (got) != json_node_get_boolean (want))
        g_error ("%s: %s, NumPy says %s", where, json_to_string (got, FALSE), json_to_string (want, FALSE));
      break;
    case G_TYPE_INT64:
      if (!JSON_NODE_HOLDS_VALUE (got) || json_node_get_value_type (got) != G_TYPE_INT64
          || json_node_get_int (got) != json_node_get_int (want))
        {
          /* A float NumPy happened to print as a whole number (a limit of 1.0, ...). */
          if (JSON_NODE_HOLDS_VALUE (got) && json_node_get_value_type (got) == G_TYPE_DOUBLE
              && json_node_get_double (got) == (double) json_node_get_int (want))
            break;
          g_error ("%s: %s, NumPy says %s", where, json_to_string (got, FALSE), json_to_string (want, FALSE));
        }
      break;
    case G_TYPE_DOUBLE:
      {
        double w = json_node_get_double (want), g;

        if (!JSON_NODE_HOLDS_VALUE (got) || json_node_get_value_type (got) == G_TYPE_STRING)
          g_error ("%s: %s, NumPy says %.17g", where, json_to_string (got, FALSE), w);
        g = json_node_get_double (got);
        if (!(fabs (g - w) <= 1e-9 * fabs (w) + 1e-12))
          g_error ("%s: %.17g, NumPy says %.17g", where, g, w);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static JsonNode *
layers_json (const char * const *models_args)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  int status;

  g_ptr_array_add (args, (char *) "layers");
  for (guint i = 0; models_args[i] != NULL; i++)
    g_ptr_array_add (args, (char *) models_args[i]);
  g_ptr_array_add (args, (char *) "--json");
  g_ptr_array_add (args, NULL);
  status = run_cli ((const char * const *) args->pdata, &out, &err);
  if (status != 0)
    g_error ("layers failed (%d): %s", status, err);
  return cnc_test_parse_json (out);
}

/* One `layers BASE MODEL… --json`: every number as NumPy computes it, on the group's value scale. */
static void
check_group (gconstpointer data)
{
  guint index = GPOINTER_TO_UINT (data);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *group;
  JsonArray *names, *got, *want;

  SKIP_WITHOUT_FIXTURES ();
  group = json_array_get_object_element (json_object_get_array_member (expected, "groups"), index);
  names = json_object_get_array_member (group, "models");
  g_ptr_array_add (args, (char *) json_object_get_string_member (group, "base"));
  for (guint i = 0; i < json_array_get_length (names); i++)
    g_ptr_array_add (args, (char *) json_array_get_string_element (names, i));
  g_ptr_array_add (args, NULL);

  root = layers_json ((const char * const *) args->pdata);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "base"), ==,
                   json_object_get_string_member (group, "base"));
  got = json_object_get_array_member (json_node_get_object (root), "comparisons");
  want = json_object_get_array_member (group, "comparisons");
  g_assert_cmpuint (json_array_get_length (got), ==, json_array_get_length (want));
  for (guint i = 0; i < json_array_get_length (want); i++)
    {
      JsonObject *comparison = json_array_get_object_element (got, i);
      g_autofree char *where = g_strdup_printf ("%s:%s", json_object_get_string_member (group, "base"),
                                                json_array_get_string_element (names, i));

      g_assert_cmpstr (json_object_get_string_member (comparison, "model"), ==,
                       json_array_get_string_element (names, i));
      assert_json_close (json_array_get_element (want, i), json_array_get_element (got, i), where);
    }
}

static const char *
has_nan (const char *text)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);

  return strstr (lower, "nan") ? text : NULL;
}

/* The text a person reads: ∞ shown as such, never a NaN. */
static void
test_text (void)
{
  const char *identical[] = { "layers", "base", "base", "state", "frozen", NULL };
  const char *zero[] = { "layers", "zero", "base", "zero", NULL };
  g_autofree char *out = NULL;

  SKIP_WITHOUT_FIXTURES ();
  g_assert_cmpint (run_cli (identical, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "∞ (identical)"));
  g_assert_null (strstr (out, "dB"));      /* every row of both is identical */
  g_assert_null (has_nan (out));
  /* A state dict holds buffers too; its int64 counter is not compared, and says so. */
  g_assert_nonnull (strstr (out, "Only in “state” (2): features.1.running_mean, features.1.running_var"));
  g_assert_nonnull (strstr (out, "features.1.num_batches_tracked (int64)"));
  /* A frozen model keeps its weights as constants: every parameter is listed, with why. */
  g_assert_nonnull (strstr (out, "keeps no named weights"));
  g_assert_nonnull (strstr (out, "Only in “base” (9)"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (zero, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "−∞"));   /* the base layer is all zero, the model's is not */
  g_assert_nonnull (strstr (out, "100.0%"));
  g_assert_null (has_nan (out));
  g_assert_null (strstr (out, "inf"));
}

static void
test_other_architecture (void)
{
  const char *args[] = { "layers", "base", "other", NULL };
  g_autofree char *out = NULL;

  SKIP_WITHOUT_FIXTURES ();
  g_assert_cmpint (run_cli (args, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Shapes differ (3): classifier.1.weight [32, 256] → [48, 256], "
                                 "classifier.1.bias [32] → [48], classifier.3.weight [10, 32] → [10, 48]"));
  g_assert_nonnull (strstr (out, "Only in “base” (3): features.1.weight, features.1.bias, features.4.weight"));
  g_assert_nonnull (strstr (out, "Only in “other” (3): features.3.weight, classifier.5.weight, classifier.5.bias"));
}

/* Reading weights directly: dtypes, quantized flags, skipped tensors. */
static void
test_read_weights (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWeights) quant = NULL;
  g_autoptr(CncWeights) state = NULL;
  g_autoptr(CncWeights) half = NULL;
  g_autofree char *quant_path = NULL, *state_path = NULL, *half_path = NULL;
  const CncWeight *w;

  SKIP_WITHOUT_FIXTURES ();
  quant_path = fixture ("quant.pt");
  quant = cnc_weights_read_file (quant_path, "torchscript", cnc_torch_read_weights, &error);
  g_assert_no_error (error);
  w = cnc_weights_lookup (quant, "classifier.1.weight");
  g_assert_nonnull (w);
  g_assert_cmpstr (w->dtype, ==, "qint8");
  g_assert_true (w->quantized);
  g_assert_cmpuint (w->n_dims, ==, 2);
  g_assert_cmpint (w->shape[0], ==, 32);
  g_assert_cmpint (w->shape[1], ==, 256);
  w = cnc_weights_lookup (quant, "features.0.weight");
  g_assert_cmpstr (w->dtype, ==, "float32");
  g_assert_false (w->quantized);
  g_assert_cmpint (cnc_weights_numel (quant), ==, 80 + 16 + 1152 + 32 * 256 + 32 + 320 + 10);

  state_path = fixture ("state.pt");
  state = cnc_weights_read_file (state_path, "state-dict", cnc_torch_read_weights, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (state->skipped->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (state->skipped, 0), ==, "features.1.num_batches_tracked (int64)");

  half_path = fixture ("half.safetensors");
  half = cnc_weights_read_file (half_path, "safetensors", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cnc_weights_lookup (half, "features.4.weight")->dtype, ==, "float16");

  /* Without libtorch, PyTorch files are refused in words. */
  g_assert_null (cnc_weights_read_file (state_path, "state-dict", NULL, &error));
  g_assert_error (error, CNC_WEIGHTS_ERROR, CNC_WEIGHTS_ERROR_NO_READER);
  g_clear_error (&error);

  /* The format recorded must be the file's. */
  g_assert_null (cnc_weights_read_file (state_path, "torchscript", cnc_torch_read_weights, &error));
  g_assert_error (error, CNC_WEIGHTS_ERROR, CNC_WEIGHTS_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "recorded as torchscript but the file is state-dict"));
}

/* Bad input: one line naming the model and the problem; the workspace unchanged. */
static void
test_bad_input (void)
{
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL;
  g_autofree char *out = NULL, *err = NULL;
  const char *unknown[] = { "layers", "base", "nosuch", NULL };
  const char *one[] = { "layers", "base", NULL };
  const char *record[] = { "layers", "base", "resnet50trained", NULL };
  const char *damaged[] = { "layers", "base", "damaged", NULL };

  SKIP_WITHOUT_FIXTURES ();
  ws = cnc_workspace_open (workspace_dir, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  before = cnc_workspace_fingerprint (ws, &error);
  g_assert_no_error (error);

  g_assert_cmpint (run_cli (unknown, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "nosuch"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (one, NULL, &err), ==, 2);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (record, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "model “resnet50trained” has no weights file"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);   /* one line */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (damaged, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "model “damaged”"));
  g_assert_nonnull (strstr (err, "CRC"));
  g_test_message ("%s", err);

  after = cnc_workspace_fingerprint (ws, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (before, ==, after);
}

/* Hand-computed cases of the core, no file involved. */
static void
test_hand_computed (void)
{
  g_autoptr(CncWeights) b = cnc_weights_new ("b");
  g_autoptr(CncWeights) m = cnc_weights_new ("m");
  g_autoptr(CncLayerComparison) c = NULL;
  const CncLayerPair *p;
  const CncModuleDelta *root;
  CncLayerMetrics metrics;
  gint64 shape[] = { 4 };
  float *bw = g_new (float, 4), *mw = g_new (float, 4);

  /* b = (0, 1, -2, 4), m = (0, 0, -1, 6): Δ = (0, -1, 1, 2). */
  bw[0] = 0; bw[1] = 1; bw[2] = -2; bw[3] = 4;
  mw[0] = 0; mw[1] = 0; mw[2] = -1; mw[3] = 6;
  cnc_weights_add (b, "layer.w", "float32", FALSE, shape, 1, bw);
  cnc_weights_add (m, "layer.w", "float32", FALSE, shape, 1, mw);
  c = cnc_layer_compare (b, m, 0, 1);

  g_assert_cmpfloat (c->value_limit, ==, 6);
  g_assert_cmpuint (c->parameters->len, ==, 1);
  p = g_ptr_array_index (c->parameters, 0);
  cnc_layer_delta_metrics (&p->delta, &metrics);
  g_assert_cmpfloat (metrics.sparsity_base, ==, 0.25);
  g_assert_cmpfloat (metrics.sparsity_model, ==, 0.5);
  g_assert_cmpint (metrics.zero_both, ==, 1);
  g_assert_cmpint (metrics.zero_only_model, ==, 1);
  g_assert_cmpint (metrics.zero_only_base, ==, 0);
  g_assert_cmpfloat_with_epsilon (metrics.relative_l2, sqrt (6.0 / 21.0), 1e-15);
  g_assert_cmpfloat_with_epsilon (metrics.cosine, 26.0 / sqrt (21.0 * 37.0), 1e-15);
  g_assert_cmpfloat_with_epsilon (metrics.sqnr_db, 10 * log10 (21.0 / 6.0), 1e-12);
  g_assert_cmpfloat (metrics.mean_abs_change, ==, 1.0);
  g_assert_false (metrics.identical);
  /* Value bins over [−6, 6], 31 wide: 0 → 15, −1 → ⌊5 · 31/12⌋ = 12, 6 → 30.
   * Change: 0/0 → 0; |−1|/1 = 1 → 5; 1/2 → 2; 2/4 → 2. */
  g_assert_cmpint (p->delta.histogram[15][0], ==, 1);
  g_assert_cmpint (p->delta.histogram[15][5], ==, 1);
  g_assert_cmpint (p->delta.histogram[12][2], ==, 1);
  g_assert_cmpint (p->delta.histogram[30][2], ==, 1);

  /* The module tree: "" then "layer", both the parameter's sums. */
  g_assert_cmpuint (c->modules->len, ==, 2);
  root = g_ptr_array_index (c->modules, 0);
  g_assert_cmpstr (root->name, ==, "");
  g_assert_cmpuint (root->depth, ==, 0);
  g_assert_cmpstr (((CncModuleDelta *) g_ptr_array_index (c->modules, 1))->name, ==, "layer");
  g_assert_cmpint (root->delta.numel, ==, 4);
  g_assert_cmpfloat (root->delta.sum_sq_diff, ==, 6);
}

static void
import_models (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = NULL;

  workspace_dir = g_build_filename (fixtures_dir, "workspace", NULL);
  ws = cnc_workspace_open (workspace_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *path = fixture (models[i].file);
      g_autofree char *err = NULL;
      const char *args[] = { "import", path, "--name", models[i].name, NULL };

      if (run_cli (args, NULL, &err) != 0)
        g_error ("importing %s: %s", models[i].file, err);
    }

  /* A model recorded without a file, and one whose stored file is damaged after import. */
  {
    g_autofree char *json = cnc_test_cac_fixture ("imagenet_tutorial_models.json");
    g_autofree char *copy = fixture ("spare.pt");
    g_autofree char *contents = NULL, *out = NULL;
    g_autoptr(JsonNode) shown = NULL;
    const char *import_json[] = { "import-json", json, NULL };
    const char *import_copy[] = { "import", copy, "--name", "damaged", NULL };
    const char *show[] = { "show", "damaged", "--json", NULL };
    const char *stored;
    gsize len;

    g_assert_cmpint (run_cli (import_json, NULL, NULL), ==, 0);
    g_assert_cmpint (run_cli (import_copy, NULL, NULL), ==, 0);
    g_assert_cmpint (run_cli (show, &out, NULL), ==, 0);
    shown = cnc_test_parse_json (out);
    stored = json_object_get_string_member (json_object_get_object_member (json_node_get_object (shown), "model"), "file");
    g_file_get_contents (stored, &contents, &len, &error);
    g_assert_no_error (error);
    /* Flip a byte of a tensor record in the middle of the archive: its CRC no longer matches. */
    contents[len / 2] ^= 0x5a;
    g_chmod (stored, 0644);
    g_file_set_contents (stored, contents, len, &error);
    g_assert_no_error (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  const char *tests_dir = g_getenv ("CNC_TESTS_DIR");
  static const char *groups[] = { "base", "zero", "pruned" };
  int status = 0, result;

  g_test_init (&argc, &argv, NULL);

  if (tests_dir != NULL
      && g_spawn_command_line_sync ("/usr/bin/python3 -c 'import torch, numpy'", NULL, NULL, &status, NULL)
      && g_spawn_check_wait_status (status, NULL))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *script = g_build_filename (tests_dir, "make-layer-fixtures.py", NULL);
      g_autofree char *expected_path = NULL;
      g_autofree char *err = NULL;

      fixtures_dir = cnc_test_tmpdir ("test-layers");
      {
        const char *argv_py[] = { "/usr/bin/python3", script, fixtures_dir, NULL };

        if (!g_spawn_sync (NULL, (char **) argv_py, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                           NULL, &err, &status, &error)
            || !g_spawn_check_wait_status (status, &error))
          g_error ("make-layer-fixtures.py failed: %s\n%s", error->message, err ? err : "");
      }
      expected_path = fixture ("expected.json");
      expected_parser = json_parser_new ();
      json_parser_load_from_file (expected_parser, expected_path, &error);
      g_assert_no_error (error);
      expected = json_node_get_object (json_parser_get_root (expected_parser));
      import_models ();
    }

  g_test_add_func ("/layers/hand-computed", test_hand_computed);
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autofree char *name = g_strdup_printf ("/layers/numpy/%s", groups[i]);
      g_test_add_data_func (name, GUINT_TO_POINTER (i), check_group);
    }
  g_test_add_func ("/layers/text", test_text);
  g_test_add_func ("/layers/other-architecture", test_other_architecture);
  g_test_add_func ("/layers/read-weights", test_read_weights);
  g_test_add_func ("/layers/bad-input", test_bad_input);

  result = g_test_run ();
  if (fixtures_dir != NULL)
    cnc_test_rmtree (fixtures_dir);
  g_clear_object (&expected_parser);
  return result;
}
