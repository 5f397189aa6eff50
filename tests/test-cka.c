/* test-cka.c
 * Tests of activation capture (against PyTorch forward hooks) and of linear CKA (against NumPy).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cka"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cnc-test-util.h"
#include "cnc-torch-activations.h"
#include "core/analysis/cnc-cka.h"
#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-workspace.h"

/* The sample the CLI comparisons use (make-cka-fixtures.py --dataset-sample). */
#define N_SAMPLES 96

/* Made once by make-cka-fixtures.py; NULL when python3-torch is missing. */
static char *fixtures_dir;
static char *workspace_dir;
static JsonParser *expected_parser;
static JsonObject *expected;

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

static float *
read_f32 (const char *name,
          gsize      *n)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len % 4, ==, 0);
  *n = len / 4;
  return (float *) contents;
}

/* Every submodule the hooks saw: same order, same shapes, same values to 1e-5. */
static void
check_capture (gconstpointer data)
{
  const char *model = data;
  g_autofree char *file = NULL;
  g_autofree float *input = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *record, *modules;
  JsonArray *order, *input_shape;
  CncCapture *capture;
  gint64 shape[3];
  gsize n_input;
  guint checked = 0;

  SKIP_WITHOUT_FIXTURES ();
  record = json_object_get_object_member (json_object_get_object_member (expected, "models"), model);
  modules = json_object_get_object_member (record, "modules");
  order = json_object_get_array_member (record, "order");
  input_shape = json_object_get_array_member (expected, "input_shape");
  for (guint k = 0; k < 3; k++)
    shape[k] = json_array_get_int_element (input_shape, k + 1);
  input = read_f32 ("input.f32", &n_input);

  file = g_strdup_printf ("%s.pt", model);
  {
    g_autofree char *path = fixture (file);
    capture = cnc_torch_capture_open (path, model, 2, &error);
  }
  g_assert_no_error (error);
  g_assert_nonnull (capture);

  /* The modules, in PyTorch's order. */
  g_assert_cmpuint (cnc_torch_capture_get_n_modules (capture), ==, json_array_get_length (order));
  for (guint i = 0; i < json_array_get_length (order); i++)
    g_assert_cmpstr (cnc_torch_capture_get_module (capture, i), ==, json_array_get_string_element (order, i));

  g_assert_true (cnc_torch_capture_run (capture, input, json_array_get_int_element (input_shape, 0),
                                        shape, 3, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < cnc_torch_capture_get_n_modules (capture); i++)
    {
      const char *name = cnc_torch_capture_get_module (capture, i);
      JsonNode *want_shape = json_object_get_member (modules, name);
      g_autofree char *values_file = g_strdup_printf ("%s.%s.f32", model, name);
      g_autofree float *want = NULL;
      const char *why = NULL;
      gint64 features = 0;
      const float *got = cnc_torch_capture_get_output (capture, i, &features, &why);
      const gint64 *got_shape;
      guint n_dims = 0;
      gsize n_want = 0;
      double worst = 0;

      if (g_str_equal (name, "skip"))
        {
          /* nn.Identity runs no code: the capture says so instead of guessing. */
          g_assert_null (got);
          g_assert_nonnull (strstr (why, "returns its input unchanged"));
          continue;
        }
      if (want_shape == NULL)
        {
          /* Never called in PyTorch (a packed-params holder): nothing to capture either. */
          g_assert_null (got);
          g_assert_nonnull (why);
          continue;
        }
      if (got == NULL)
        g_error ("%s: no output for %s: %s", model, name, why);
      want = read_f32 (values_file, &n_want);
      g_assert_cmpuint (n_want, ==, features * json_array_get_int_element (input_shape, 0));
      got_shape = cnc_torch_capture_get_output_shape (capture, i, &n_dims);
      g_assert_cmpuint (n_dims, ==, json_array_get_length (json_node_get_array (want_shape)));
      for (guint d = 0; d < n_dims; d++)
        g_assert_cmpint (got_shape[d], ==, json_array_get_int_element (json_node_get_array (want_shape), d));
      for (gsize k = 0; k < n_want; k++)
        {
          double diff = fabs ((double) got[k] - want[k]);
          worst = MAX (worst, diff / (1e-5 + 1e-5 * fabs (want[k])));
        }
      if (worst > 1)
        g_error ("%s: output of %s differs from the forward hook's (%.3g × tolerance)", model, name, worst);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 5);
  cnc_torch_capture_free (capture);
}

static void
test_frozen (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  CncCapture *capture;

  SKIP_WITHOUT_FIXTURES ();
  path = fixture ("frozen.pt");
  capture = cnc_torch_capture_open (path, "frozen-model", 1, &error);
  g_assert_null (capture);
  g_assert_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "frozen-model: the model has no submodules"));
  g_assert_nonnull (strstr (error->message, "torch.jit.freeze"));
}

static void
test_not_a_model (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_FIXTURES ();
  path = fixture ("input.f32");
  g_assert_null (cnc_torch_capture_open (path, "input.f32", 1, &error));
  g_assert_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "input.f32: "));
  g_assert_null (strchr (error->message, '\n'));
}

/* ---- linear CKA through the CLI, against NumPy on the same sample ---- */

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

static JsonObject *
cka_json (const char *base,
          const char *model,
          const char *samples,
          const char *extra,
          JsonNode  **root_out)
{
  const char *args[] = { "cka", base, model, "--samples", samples, "--json", extra, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = run_cli (args, &out, &err);

  if (status != 0)
    g_error ("cka %s %s failed (%d): %s", base, model, status, err);
  *root_out = cnc_test_parse_json (out);
  return json_node_get_object (*root_out);
}

static JsonObject *
find_layer (JsonObject *result,
            const char *name)
{
  JsonArray *layers = json_object_get_array_member (result, "layers");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      if (g_str_equal (json_object_get_string_member (l, "name"), name))
        return l;
    }
  return NULL;
}

static gboolean
listed (JsonObject *result,
        const char *member,
        const char *prefix)
{
  JsonArray *a = json_object_get_array_member (result, member);

  for (guint i = 0; i < json_array_get_length (a); i++)
    if (g_str_has_prefix (json_array_get_string_element (a, i), prefix))
      return TRUE;
  return FALSE;
}

static void
assert_number (JsonObject *o,
               const char *member,
               JsonNode   *want,
               double      tolerance,
               const char *where)
{
  JsonNode *got = json_object_get_member (o, member);

  g_assert_nonnull (got);
  if (JSON_NODE_HOLDS_NULL (want))
    {
      if (!JSON_NODE_HOLDS_NULL (got))
        g_error ("%s: %s is %s, NumPy says undefined", where, member, json_to_string (got, FALSE));
      return;
    }
  if (JSON_NODE_HOLDS_NULL (got))
    g_error ("%s: %s is null, NumPy says %.17g", where, member, json_node_get_double (want));
  if (!(fabs (json_node_get_double (got) - json_node_get_double (want)) <= tolerance))
    g_error ("%s: %s is %.17g, NumPy says %.17g", where, member, json_node_get_double (got),
             json_node_get_double (want));
}

/* Every layer NumPy compares: CKA to 1e-5, the relative change to 1e-5 relative, the widths. */
static void
check_numpy_pair (gconstpointer data)
{
  const char *pair = data;
  g_auto(GStrv) names = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *samples = g_strdup_printf ("%d", N_SAMPLES);
  JsonObject *want, *result;
  g_autoptr(GList) modules = NULL;
  guint compared = 0;

  SKIP_WITHOUT_FIXTURES ();
  names = g_strsplit (pair, ":", 2);
  want = json_object_get_object_member (
      json_object_get_object_member (json_object_get_object_member (expected, "cka"), "pairs"), pair);
  result = cka_json (names[0], names[1], samples, NULL, &root);
  g_assert_cmpint (json_object_get_int_member (result, "samples"), ==, N_SAMPLES);
  g_assert_cmpstr (json_object_get_string_member (result, "dataset"), ==, "fashion-mnist");
  g_assert_cmpstr (json_object_get_string_member (result, "split"), ==, "test");

  modules = json_object_get_members (want);
  for (GList *l = modules; l != NULL; l = l->next)
    {
      JsonObject *w = json_object_get_object_member (want, l->data);
      JsonObject *got = find_layer (result, l->data);
      g_autofree char *where = g_strdup_printf ("%s %s", pair, (const char *) l->data);
      JsonNode *rel;

      if (got == NULL)
        {
          /* Only nn.Identity (skip) runs no code: listed with why, never dropped. */
          g_autofree char *prefix = g_strdup_printf ("%s: ", (const char *) l->data);
          g_assert_cmpstr (l->data, ==, "skip");
          g_assert_true (listed (result, "not_captured", prefix));
          continue;
        }
      g_assert_cmpint (json_object_get_int_member (got, "features_base"), ==,
                       json_object_get_int_member (w, "features_base"));
      g_assert_cmpint (json_object_get_int_member (got, "features_model"), ==,
                       json_object_get_int_member (w, "features_model"));
      assert_number (got, "cka", json_object_get_member (w, "cka"), 1e-5, where);
      rel = json_object_get_member (w, "relative_change");
      assert_number (got, "relative_change", rel,
                     JSON_NODE_HOLDS_NULL (rel) ? 0 : 1e-5 * fabs (json_node_get_double (rel)) + 1e-7, where);
      compared++;
    }
  g_assert_cmpuint (compared, ==, json_array_get_length (json_object_get_array_member (result, "layers")));
  g_assert_cmpuint (compared, >=, 10);

  if (g_str_equal (pair, "cnn:cnn"))
    {
      /* Identical models: CKA exactly 1, no change. */
      JsonArray *layers = json_object_get_array_member (result, "layers");
      for (guint i = 0; i < json_array_get_length (layers); i++)
        {
          JsonObject *l = json_array_get_object_element (layers, i);
          g_assert_cmpfloat (json_object_get_double_member (l, "cka"), ==, 1.0);
          g_assert_cmpfloat (json_object_get_double_member (l, "relative_change"), ==, 0.0);
        }
    }
  if (g_str_equal (pair, "cnn:cnn-zero"))
    {
      /* An all-zero first layer: its output is constant, CKA undefined (null), never NaN. */
      g_assert_true (json_object_get_null_member (find_layer (result, "features.0"), "cka"));
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (find_layer (result, "features.0"),
                                                                     "relative_change"), 1.0, 1e-12);
    }
  if (g_str_equal (pair, "cnn:quant"))
    {
      g_assert_true (listed (result, "model_only", "classifier.1._packed_params"));
      g_assert_true (listed (result, "model_only", "classifier.4._packed_params"));
    }
  if (g_str_equal (pair, "cnn:cnn-wide"))
    g_assert_true (json_object_get_null_member (find_layer (result, "features.0"), "relative_change"));
}

/* The cache: the same comparison again runs nothing; another one against the same base reuses its
 * Gram matrices; the numbers do not change. */
static void
test_cache (void)
{
  g_autoptr(JsonNode) first = NULL, second = NULL, wide = NULL, fresh = NULL;
  JsonObject *a, *b, *c, *d;
  JsonArray *la, *lb;
  guint n_layers;

  SKIP_WITHOUT_FIXTURES ();
  a = cka_json ("cnn", "cnn-pruned", "40", NULL, &first);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (a, "cached"), "pair"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (a, "cached"), "grams"), ==, 0);

  b = cka_json ("cnn", "cnn-pruned", "40", NULL, &second);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (b, "cached"), "pair"));
  la = json_object_get_array_member (a, "layers");
  lb = json_object_get_array_member (b, "layers");
  n_layers = json_array_get_length (la);
  g_assert_cmpuint (json_array_get_length (lb), ==, n_layers);
  for (guint i = 0; i < n_layers; i++)
    {
      g_autoptr(GString) where = g_string_new (NULL);
      g_assert_true (cnc_test_json_equivalent (json_array_get_element (la, i), json_array_get_element (lb, i), where));
    }

  /* cnn's Gram matrices on this sample are cached: only cnn-wide's are computed. */
  c = cka_json ("cnn", "cnn-wide", "40", NULL, &wide);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (c, "cached"), "pair"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (c, "cached"), "grams"), ==,
                   json_array_get_length (json_object_get_array_member (c, "layers")));

  d = cka_json ("cnn", "cnn-wide", "40", "--no-cache", &fresh);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (d, "cached"), "pair"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (d, "cached"), "grams"), ==, 0);
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (c, "layers")); i++)
    {
      g_autoptr(GString) where = g_string_new (NULL);
      g_assert_true (cnc_test_json_equivalent (json_array_get_element (json_object_get_array_member (c, "layers"), i),
                                               json_array_get_element (json_object_get_array_member (d, "layers"), i),
                                               where));
    }
}

/* Bad input: one line naming the model and the problem; the registry unchanged. */
static void
test_cka_errors (void)
{
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL;
  const struct {
    const char *args[8];
    int         status;
    const char *contains;
  } cases[] = {
    { { "cka", "cnn", "frozen", NULL }, 1, "model “frozen”: the model has no submodules" },
    { { "cka", "cnn", "cnn-state", NULL }, 1, "model “cnn-state” is a state dict of weights: it has no code to run" },
    { { "cka", "cnn", "resnet", "--samples", "8", NULL }, 1, "have no layer in common" },
    { { "cka", "cnn", "nosuch", NULL }, 1, "nosuch" },
    { { "cka", "cnn", "cnn", "--dataset", "nosuch", NULL }, 1, "nosuch" },
    { { "cka", "cnn", "cnn", "--samples", "1", NULL }, 2, "--samples" },
    { { "cka", "cnn", NULL }, 2, "one model" },
  };

  SKIP_WITHOUT_FIXTURES ();
  ws = cnc_workspace_open (workspace_dir, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  /* The built-in dataset is registered on its first opening: not a change made by a failure. */
  {
    g_autoptr(CncDataset) dataset = cnc_dataset_open (ws, CNC_DATASET_BUILTIN, "test", &error);
    g_assert_no_error (error);
  }
  before = cnc_workspace_fingerprint (ws, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = run_cli (cases[i].args, &out, &err);

      g_test_message ("%s", err);
      g_assert_cmpint (status, ==, cases[i].status);
      g_assert_cmpstr (out, ==, "");
      if (strstr (err, cases[i].contains) == NULL)
        g_error ("“%s” lacks “%s”", err, cases[i].contains);
      if (status == 1)
        g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
    }

  after = cnc_workspace_fingerprint (ws, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (before, ==, after);
}

/* ---- the core, on hand-computed cases ---- */

static gboolean
plain_product (const float *x,
               gint64       n,
               gint64       d,
               float       *out,
               guint        n_threads,
               GError     **error)
{
  for (gint64 i = 0; i < n; i++)
    for (gint64 j = 0; j < n; j++)
      {
        double s = 0;
        for (gint64 k = 0; k < d; k++)
          s += (double) x[i * d + k] * x[j * d + k];
        out[i * n + j] = (float) s;
      }
  return TRUE;
}

static CncGram *
gram_of (const float *values,
         gint64       n,
         gint64       d,
         gboolean     torch)
{
  g_autofree float *copy = g_memdup2 (values, n * d * sizeof (float));
  g_autoptr(GError) error = NULL;
  CncGram *gram = cnc_gram_new_centering (copy, n, d, torch ? cnc_torch_gram : plain_product, &error);

  g_assert_no_error (error);
  return gram;
}

static void
test_cka_hand_computed (void)
{
  /* x = (1, 2, 3), y = (1, 3, 2): centered (−1, 0, 1) and (−1, 1, 0); ⟨K, L⟩ = (xᵀy)² = 1,
   * ‖K‖ = ‖x‖² = 2, ‖L‖ = 2: CKA = 1/4. */
  static const float x[] = { 1, 2, 3 }, y[] = { 1, 3, 2 };
  /* Linear CKA is invariant to scaling and to orthogonal maps of the features, not to others. */
  static const float a[] = { 1, 0, 0, 1, 1, 1, 0, 0, 2, -1 };                  /* 5 × 2 */
  static const float a_scaled[] = { 3, 0, 0, 3, 3, 3, 0, 0, 6, -3 };
  static const float a_rotated[] = { 0, -1, 1, 0, 1, -1, 0, 0, -1, -2 };       /* 90° */
  static const float a_sheared[] = { 1, 0, 1, 1, 2, 1, 0, 0, 1, -1 };
  static const float constant[] = { 7, 7, 7, 7, 7 };
  g_autoptr(CncGram) gx = gram_of (x, 3, 1, FALSE);
  g_autoptr(CncGram) gy = gram_of (y, 3, 1, FALSE);
  g_autoptr(CncGram) ga = gram_of (a, 5, 2, TRUE);
  g_autoptr(CncGram) gs = gram_of (a_scaled, 5, 2, TRUE);
  g_autoptr(CncGram) gr = gram_of (a_rotated, 5, 2, TRUE);
  g_autoptr(CncGram) gh = gram_of (a_sheared, 5, 2, TRUE);
  g_autoptr(CncGram) gc = gram_of (constant, 5, 1, TRUE);
  g_autoptr(CncGram) ga_plain = gram_of (a, 5, 2, FALSE);

  g_assert_cmpfloat (gx->k[0], ==, 1);   /* (−1)·(−1) */
  g_assert_cmpfloat (gx->k[1], ==, 0);
  g_assert_cmpfloat (gx->k[2], ==, -1);
  g_assert_cmpfloat (gx->sq_norm, ==, 4);
  g_assert_cmpfloat (cnc_cka_linear (gx, gy), ==, 0.25);
  g_assert_cmpfloat (cnc_cka_linear (gx, gx), ==, 1.0);

  /* libtorch's BLAS gives the plain product (SYRK fills one triangle, mirrored). */
  for (guint i = 0; i < 25; i++)
    g_assert_cmpfloat_with_epsilon (ga->k[i], ga_plain->k[i], 1e-6);
  g_assert_cmpfloat_with_epsilon (cnc_cka_linear (ga, gs), 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cnc_cka_linear (ga, gr), 1.0, 1e-6);
  g_assert_cmpfloat (cnc_cka_linear (ga, gh), <, 0.99);
  g_assert_true (isnan (cnc_cka_linear (ga, gc)));   /* constant output: undefined */
}

static void
test_sample_and_cache_files (void)
{
  g_autofree char *dir = cnc_test_tmpdir ("test-cka-gram");
  g_autofree char *path = g_build_filename (dir, "sub", "g.gram", NULL);
  static const float x[] = { 1, 2, 3, 5 };
  g_autoptr(CncGram) g = gram_of (x, 4, 1, FALSE);
  g_autoptr(CncGram) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gint64 idx[4];
  gsize len;

  cnc_cka_sample_indices (10000, 4, idx);
  g_assert_cmpint (idx[0], ==, 0);
  g_assert_cmpint (idx[1], ==, 2500);
  g_assert_cmpint (idx[3], ==, 7500);
  cnc_cka_sample_indices (3, 3, idx);
  g_assert_cmpint (idx[2], ==, 2);

  g_assert_true (cnc_gram_save (g, path, "key-1", &error));
  g_assert_no_error (error);
  back = cnc_gram_load (path, "key-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpint (back->n, ==, 4);
  g_assert_cmpfloat (back->sq_norm, ==, g->sq_norm);
  g_assert_cmpmem (back->k, 16 * sizeof (float), g->k, 16 * sizeof (float));
  g_clear_pointer (&back, cnc_gram_free);

  /* Another key, or a damaged matrix, is not a cache hit. */
  g_assert_null (cnc_gram_load (path, "key-2", &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  contents[len - 3] ^= 0x40;
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  g_assert_null (cnc_gram_load (path, "key-1", &error));
  g_assert_no_error (error);
  cnc_test_rmtree (dir);
}

static void
import_models (void)
{
  static const struct { const char *file, *name; } imports[] = {
    { "cnn-scripted.pt", "cnn" }, { "cnn-pruned-scripted.pt", "cnn-pruned" },
    { "cnn-wide-scripted.pt", "cnn-wide" }, { "cnn-zero-scripted.pt", "cnn-zero" },
    { "quant-traced.pt", "quant" }, { "resnet-scripted.pt", "resnet" }, { "frozen.pt", "frozen" },
    { "cnn-state.pt", "cnn-state" },
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;

  workspace_dir = g_build_filename (fixtures_dir, "workspace", NULL);
  ws = cnc_workspace_open (workspace_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (imports); i++)
    {
      g_autofree char *path = fixture (imports[i].file);
      g_autofree char *err = NULL;
      const char *args[] = { "import", path, "--name", imports[i].name, NULL };

      if (run_cli (args, NULL, &err) != 0)
        g_error ("importing %s: %s", imports[i].file, err);
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *tests_dir = g_getenv ("CNC_TESTS_DIR");
  static const char *models[] = {
    "resnet-scripted", "resnet-traced", "cnn-scripted", "cnn-traced", "cnn-pruned-scripted",
    "cnn-wide-scripted", "cnn-zero-scripted", "quant-traced",
  };
  static const char *pairs[] = { "cnn:cnn-pruned", "cnn:cnn", "cnn:cnn-wide", "cnn:cnn-zero", "cnn:quant" };
  int status = 0, result;

  g_test_init (&argc, &argv, NULL);

  if (tests_dir != NULL
      && g_spawn_command_line_sync ("/usr/bin/python3 -c 'import torch, numpy'", NULL, NULL, &status, NULL)
      && g_spawn_check_wait_status (status, NULL))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected_path = NULL;
      g_autofree char *samples = g_strdup_printf ("%d", N_SAMPLES);

      fixtures_dir = cnc_test_tmpdir ("test-cka");
      {
        g_autofree char *script = g_build_filename (tests_dir, "make-cka-fixtures.py", NULL);
        g_autofree char *err = NULL;
        const char *argv_py[] = { "/usr/bin/python3", script, fixtures_dir, "--dataset-sample", samples, NULL };

        if (!g_spawn_sync (NULL, (char **) argv_py, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                           NULL, &err, &status, &error)
            || !g_spawn_check_wait_status (status, &error))
          g_error ("make-cka-fixtures.py failed: %s\n%s", error->message, err ? err : "");
      }
      expected_path = fixture ("expected.json");
      expected_parser = json_parser_new ();
      json_parser_load_from_file (expected_parser, expected_path, &error);
      g_assert_no_error (error);
      expected = json_node_get_object (json_parser_get_root (expected_parser));
      import_models ();
    }

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *name = g_strdup_printf ("/cka/capture/%s", models[i]);
      g_test_add_data_func (name, models[i], check_capture);
    }
  g_test_add_func ("/cka/capture/frozen", test_frozen);
  g_test_add_func ("/cka/capture/not-a-model", test_not_a_model);
  g_test_add_func ("/cka/core/hand-computed", test_cka_hand_computed);
  g_test_add_func ("/cka/core/sample-and-cache-files", test_sample_and_cache_files);
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *name = g_strdup_printf ("/cka/numpy/%s", pairs[i]);
      g_test_add_data_func (name, pairs[i], check_numpy_pair);
    }
  g_test_add_func ("/cka/cli/cache", test_cache);
  g_test_add_func ("/cka/cli/errors", test_cka_errors);

  result = g_test_run ();
  if (fixtures_dir != NULL)
    cnc_test_rmtree (fixtures_dir);
  g_clear_object (&expected_parser);
  return result;
}
