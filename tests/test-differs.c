/* test-differs.c
 * Tests of "what differs" on a hand-written experiment (prune 30/50/70 × fine-tuned or not, quantized, reordered, two roots), expectations derived by hand.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-differs"

#include <string.h>

#include "cnc-test-util.h"
#include "core/registry/cnc-cac-json.h"
#include "core/registry/cnc-workspace-differs.h"

/* cnc ─ train (epochs 10)
 *  ├─ p30 prune 0.3 ─ p30-ft fine-tune 3
 *  ├─ p50 prune 0.5 ─ p50-ft fine-tune 3 ─┬─ p50-ft-q8 quantize 8
 *  │                 │                     └─ p50-ft-q4 quantize 4
 *  │                 └─ p50-ft5 fine-tune 5
 *  ├─ p70 prune 0.7 ─ p70-ft fine-tune 3 ─ p70-ft-q8 quantize 8
 *  ├─ ft-first fine-tune 3 ─ ft-first-p50 prune 0.5
 *  ├─ cnn-t2 train (epochs 5)
 *  └─ p50-again prune 0.5 (a repeat run of p50)
 * cnn-b ─ train (epochs 10) ─ cnn-b-p50 prune 0.5 */
static const char experiment[] =
  "{\"metrics\": [{\"name\": \"Top-1 Accuracy\", \"format\": \".2%\"}],"
  " \"operations\": [{\"name\": \"train\", \"parameters\": [\"epochs\"]}, {\"name\": \"prune\", \"parameters\": [\"amount\"]},"
  "  {\"name\": \"fine-tune\", \"parameters\": [\"epochs\"]}, {\"name\": \"quantize\", \"parameters\": [\"bits\"]}],"
  " \"models\": ["
  "  {\"id\": \"cnn\", \"base\": null, \"operation\": {\"name\": \"train\", \"parameters\": {\"epochs\": 10}}},"
  "  {\"id\": \"p30\", \"base\": \"cnn\", \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.3}}},"
  "  {\"id\": \"p50\", \"base\": \"cnn\", \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.5}}},"
  "  {\"id\": \"p70\", \"base\": \"cnn\", \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.7}}},"
  "  {\"id\": \"p30-ft\", \"base\": \"p30\", \"operation\": {\"name\": \"fine-tune\", \"parameters\": {\"epochs\": 3}}},"
  "  {\"id\": \"p50-ft\", \"base\": \"p50\", \"operation\": {\"name\": \"fine-tune\", \"parameters\": {\"epochs\": 3}}},"
  "  {\"id\": \"p70-ft\", \"base\": \"p70\", \"operation\": {\"name\": \"fine-tune\", \"parameters\": {\"epochs\": 3}}},"
  "  {\"id\": \"p50-ft-q8\", \"base\": \"p50-ft\", \"operation\": {\"name\": \"quantize\", \"parameters\": {\"bits\": 8}}},"
  "  {\"id\": \"p50-ft-q4\", \"base\": \"p50-ft\", \"operation\": {\"name\": \"quantize\", \"parameters\": {\"bits\": 4}}},"
  "  {\"id\": \"p70-ft-q8\", \"base\": \"p70-ft\", \"operation\": {\"name\": \"quantize\", \"parameters\": {\"bits\": 8}}},"
  "  {\"id\": \"ft-first\", \"base\": \"cnn\", \"operation\": {\"name\": \"fine-tune\", \"parameters\": {\"epochs\": 3}}},"
  "  {\"id\": \"ft-first-p50\", \"base\": \"ft-first\", \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.5}}},"
  "  {\"id\": \"cnn-b\", \"base\": null, \"operation\": {\"name\": \"train\", \"parameters\": {\"epochs\": 10}}},"
  "  {\"id\": \"cnn-b-p50\", \"base\": \"cnn-b\", \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.5}}},"
  "  {\"id\": \"cnn-t2\", \"base\": \"cnn\", \"operation\": {\"name\": \"train\", \"parameters\": {\"epochs\": 5}}},"
  "  {\"id\": \"p50-again\", \"base\": \"cnn\", \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.5}}},"
  "  {\"id\": \"p50-ft5\", \"base\": \"p50\", \"operation\": {\"name\": \"fine-tune\", \"parameters\": {\"epochs\": 5}}}"
  " ]}";

typedef struct {
  char         *dir;
  char         *ws_dir;
  CncWorkspace *ws;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n = 0;

  f->dir = cnc_test_tmpdir ("differs");
  f->ws_dir = g_build_filename (f->dir, "ws", NULL);
  f->ws = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  path = cnc_test_write_file (f->dir, "models.json", experiment);
  g_assert_true (cnc_cac_json_import (f->ws, path, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 17);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_clear_object (&f->ws);
  cnc_test_rmtree (f->dir);
  g_free (f->ws_dir);
  g_free (f->dir);
}

/* The selection by name (NULL-terminated). */
static CncDiffers *
differs (Fixture            *f,
         const char * const *names,
         GError            **error)
{
  gint64 ids[32];
  guint n = 0;

  for (; names[n]; n++)
    {
      g_autoptr(CncModel) m = cnc_workspace_find_model (f->ws, names[n], NULL);
      g_assert_nonnull (m);
      ids[n] = m->id;
    }
  return cnc_differs_compute (f->ws, ids, n, error);
}

/* Variable @i is of @kind and @name with exactly @values (NULL-terminated), and model j has value
 * index @model_values[j]. */
static void
check_variable (CncDiffersVariable *v,
                CncVariableKind     kind,
                const char         *name,
                const char * const *values,
                const guint        *model_values,
                guint               n)
{
  g_assert_cmpint (v->kind, ==, kind);
  g_assert_cmpstr (v->name, ==, name);
  g_assert_cmpuint (g_strv_length (v->values), ==, g_strv_length ((char **) values));
  for (guint i = 0; values[i]; i++)
    g_assert_cmpstr (v->values[i], ==, values[i]);
  for (guint j = 0; j < n; j++)
    g_assert_cmpuint (v->model_values[j], ==, model_values[j]);
}

static CncDiffers *
ok (Fixture            *f,
    const char * const *names)
{
  g_autoptr(GError) error = NULL;
  CncDiffers *d = differs (f, names, &error);

  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

/* Prune 30/50/70 × fine-tuned or not: the parameter on one axis, the presence on the other. */
static void
test_grid (Fixture      *f,
           gconstpointer data)
{
  const char *names[] = { "p30", "p50", "p70", "p30-ft", "p50-ft", "p70-ft", NULL };
  const char *amounts[] = { "0.3", "0.5", "0.7", NULL };
  const char *yes_no[] = { "no", "yes", NULL };
  const guint amount_of[] = { 0, 1, 2, 0, 1, 2 }, ft_of[] = { 0, 0, 0, 1, 1, 1 };
  const char *sequences[] = { "prune (amount 0.3)", "prune (amount 0.5)", "prune (amount 0.7)",
                              "prune (amount 0.3) → fine-tune", "prune (amount 0.5) → fine-tune",
                              "prune (amount 0.7) → fine-tune", NULL };
  const guint seq_of[] = { 0, 1, 2, 3, 4, 5 };
  g_autoptr(CncDiffers) d = ok (f, names);
  CncDiffersVariable *amount, *ft;

  g_assert_cmpuint (d->n_models, ==, 6);
  g_assert_cmpstr (d->names[3], ==, "p30-ft");
  g_assert_cmpuint (d->variables->len, ==, 2);
  g_assert_false (d->refine);
  amount = d->variables->pdata[0];
  ft = d->variables->pdata[1];
  check_variable (amount, CNC_VARIABLE_PARAMETER, "prune amount", amounts, amount_of, 6);
  g_assert_cmpstr (amount->operation, ==, "prune");
  g_assert_cmpstr (amount->parameter, ==, "amount");
  g_assert_cmpuint (g_strv_length (amount->merged), ==, 0);
  check_variable (ft, CNC_VARIABLE_PRESENCE, "fine-tune", yes_no, ft_of, 6);
  g_assert_cmpstr (ft->operation, ==, "fine-tune");
  g_assert_null (ft->parameter);
  check_variable (d->sequence, CNC_VARIABLE_SEQUENCE, "operations", sequences, seq_of, 6);
  g_assert_cmpuint (d->same->len, ==, 0);
}

/* With the unpruned model: "none" joins the parameter, which is preferred to prune's presence. */
static void
test_grid_with_base (Fixture      *f,
                     gconstpointer data)
{
  const char *names[] = { "cnn", "p30", "p50", "p70", "p30-ft", "p50-ft", "p70-ft", NULL };
  const char *amounts[] = { "none", "0.3", "0.5", "0.7", NULL };
  const char *yes_no[] = { "no", "yes", NULL };
  const guint amount_of[] = { 0, 1, 2, 3, 1, 2, 3 }, ft_of[] = { 0, 0, 0, 0, 1, 1, 1 };
  g_autoptr(CncDiffers) d = ok (f, names);

  g_assert_cmpuint (d->variables->len, ==, 2);
  check_variable (d->variables->pdata[0], CNC_VARIABLE_PARAMETER, "prune amount", amounts, amount_of, 7);
  check_variable (d->variables->pdata[1], CNC_VARIABLE_PRESENCE, "fine-tune", yes_no, ft_of, 7);
  g_assert_cmpstr (d->sequence->values[0], ==, "none");
}

/* Nested presences become one sequence: none / prune / prune → fine-tune. */
static void
test_sequence (Fixture      *f,
               gconstpointer data)
{
  const char *names[] = { "p50-ft", "cnn", "p50", NULL };
  const char *values[] = { "none", "prune", "prune → fine-tune", NULL };
  const guint of[] = { 2, 0, 1 };
  g_autoptr(CncDiffers) d = ok (f, names);

  g_assert_cmpuint (d->variables->len, ==, 1);
  check_variable (d->variables->pdata[0], CNC_VARIABLE_SEQUENCE, "prune → fine-tune", values, of, 3);
}

/* Two variables that split the models the same way are one, with both in its values. */
static void
test_merged (Fixture      *f,
             gconstpointer data)
{
  const char *names[] = { "p70", "p30-ft", NULL };
  const char *values[] = { "amount 0.3 & fine-tune", "amount 0.7", NULL };
  const guint of[] = { 1, 0 };
  g_autoptr(CncDiffers) d = ok (f, names);
  CncDiffersVariable *v;

  g_assert_cmpuint (d->variables->len, ==, 1);
  v = d->variables->pdata[0];
  check_variable (v, CNC_VARIABLE_PARAMETER, "prune amount", values, of, 2);
  g_assert_cmpuint (g_strv_length (v->merged), ==, 1);
  g_assert_cmpstr (v->merged[0], ==, "fine-tune");
}

/* Different roots: the base model is the variable. */
static void
test_roots (Fixture      *f,
            gconstpointer data)
{
  const char *names[] = { "cnn-b-p50", "p50", NULL };
  const char *values[] = { "cnn", "cnn-b", NULL };
  const guint of[] = { 1, 0 };
  g_autoptr(CncDiffers) d = ok (f, names);

  g_assert_cmpuint (d->variables->len, ==, 1);
  check_variable (d->variables->pdata[0], CNC_VARIABLE_BASE, "base model", values, of, 2);
}

/* The same operations in another order: only whole sequences tell them apart. */
static void
test_order (Fixture      *f,
            gconstpointer data)
{
  const char *names[] = { "p50-ft", "ft-first-p50", NULL };
  const char *values[] = { "fine-tune → prune", "prune → fine-tune", NULL };
  const guint of[] = { 1, 0 };
  g_autoptr(CncDiffers) d = ok (f, names);

  g_assert_cmpuint (d->variables->len, ==, 1);
  check_variable (d->variables->pdata[0], CNC_VARIABLE_SEQUENCE, "operations", values, of, 2);
}

/* Three variables left: the caller is told to let the user refine. */
static void
test_refine (Fixture      *f,
             gconstpointer data)
{
  const char *names[] = { "p50", "p50-ft", "p50-ft-q8", "p50-ft-q4", "p70-ft-q8", "p70", NULL };
  const char *amounts[] = { "0.5", "0.7", NULL };
  const char *yes_no[] = { "no", "yes", NULL };
  const char *bits[] = { "none", "4", "8", NULL };
  const guint amount_of[] = { 0, 0, 0, 0, 1, 1 }, ft_of[] = { 0, 1, 1, 1, 1, 0 }, bits_of[] = { 0, 0, 2, 1, 2, 0 };
  g_autoptr(CncDiffers) d = ok (f, names);

  g_assert_cmpuint (d->variables->len, ==, 3);
  g_assert_true (d->refine);
  check_variable (d->variables->pdata[0], CNC_VARIABLE_PARAMETER, "prune amount", amounts, amount_of, 6);
  check_variable (d->variables->pdata[1], CNC_VARIABLE_PRESENCE, "fine-tune", yes_no, ft_of, 6);
  check_variable (d->variables->pdata[2], CNC_VARIABLE_PARAMETER, "quantize bits", bits, bits_of, 6);
}

/* A second train on the path is "train (2nd)"; parameters of a later operation; repeat runs. */
static void
test_numbered_and_same (Fixture      *f,
                        gconstpointer data)
{
  const char *t2[] = { "cnn", "cnn-t2", NULL };
  const char *yes_no[] = { "no", "yes", NULL };
  const guint t2_of[] = { 0, 1 };
  const char *ft[] = { "p50-ft5", "p50-ft", NULL };
  const char *epochs[] = { "3", "5", NULL };
  const guint ft_of[] = { 1, 0 };
  const char *again[] = { "p50", "p50-again", "p70", NULL };
  const char *amounts[] = { "0.5", "0.7", NULL };
  const guint again_of[] = { 0, 0, 1 };
  g_autoptr(CncDiffers) a = ok (f, t2);
  g_autoptr(CncDiffers) b = ok (f, ft);
  g_autoptr(CncDiffers) c = ok (f, again);
  char **group;

  g_assert_cmpuint (a->variables->len, ==, 1);
  check_variable (a->variables->pdata[0], CNC_VARIABLE_PRESENCE, "train (2nd)", yes_no, t2_of, 2);
  g_assert_cmpstr (((CncDiffersVariable *) a->variables->pdata[0])->operation, ==, "train (2nd)");
  g_assert_cmpuint (b->variables->len, ==, 1);
  check_variable (b->variables->pdata[0], CNC_VARIABLE_PARAMETER, "fine-tune epochs", epochs, ft_of, 2);
  g_assert_cmpuint (c->variables->len, ==, 1);
  check_variable (c->variables->pdata[0], CNC_VARIABLE_PARAMETER, "prune amount", amounts, again_of, 3);
  g_assert_cmpuint (c->same->len, ==, 1);
  group = c->same->pdata[0];
  g_assert_cmpuint (g_strv_length (group), ==, 2);
  g_assert_cmpstr (group[0], ==, "p50");
  g_assert_cmpstr (group[1], ==, "p50-again");
}

static void
test_errors (Fixture      *f,
             gconstpointer data)
{
  const char *one[] = { "p50", NULL };
  const char *twice[] = { "p50", "p30", "p50", NULL };
  g_autoptr(GPtrArray) models = cnc_workspace_list_models (f->ws, NULL);
  gint64 ids[17], missing[] = { 1, 99999 };
  g_autoptr(GError) error = NULL;

  g_assert_null (differs (f, one, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "2 to 16 models"));
  g_clear_error (&error);
  for (guint i = 0; i < 17; i++)
    ids[i] = ((CncModel *) models->pdata[i])->id;
  g_assert_null (cnc_differs_compute (f->ws, ids, 17, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (differs (f, twice, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“p50” is selected twice"));
  g_clear_error (&error);
  g_assert_null (cnc_differs_compute (f->ws, missing, 2, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND);
}

static void
test_cli (Fixture      *f,
          gconstpointer data)
{
  const char *args[] = { "-w", f->ws_dir, "differs", "p30", "p50", "p70", "p30-ft", "p50-ft", "p70-ft", "--json", NULL };
  const char *text_args[] = { "-w", f->ws_dir, "differs", "p50-ft", "cnn", "p50", NULL };
  const char *bad[] = { "-w", f->ws_dir, "differs", "p50", NULL };
  const char *unknown[] = { "-w", f->ws_dir, "differs", "p50", "nosuch", NULL };
  const char *expected =
    "{\"models\": ["
    "  {\"name\": \"p30\", \"values\": {\"prune amount\": \"0.3\", \"fine-tune\": \"no\"}},"
    "  {\"name\": \"p50\", \"values\": {\"prune amount\": \"0.5\", \"fine-tune\": \"no\"}},"
    "  {\"name\": \"p70\", \"values\": {\"prune amount\": \"0.7\", \"fine-tune\": \"no\"}},"
    "  {\"name\": \"p30-ft\", \"values\": {\"prune amount\": \"0.3\", \"fine-tune\": \"yes\"}},"
    "  {\"name\": \"p50-ft\", \"values\": {\"prune amount\": \"0.5\", \"fine-tune\": \"yes\"}},"
    "  {\"name\": \"p70-ft\", \"values\": {\"prune amount\": \"0.7\", \"fine-tune\": \"yes\"}}],"
    " \"variables\": ["
    "  {\"kind\": \"parameter\", \"name\": \"prune amount\", \"operation\": \"prune\", \"parameter\": \"amount\","
    "   \"merged\": [], \"values\": [\"0.3\", \"0.5\", \"0.7\"], \"model_values\": [0, 1, 2, 0, 1, 2]},"
    "  {\"kind\": \"presence\", \"name\": \"fine-tune\", \"operation\": \"fine-tune\", \"parameter\": null,"
    "   \"merged\": [], \"values\": [\"no\", \"yes\"], \"model_values\": [0, 0, 0, 1, 1, 1]}],"
    " \"refine\": false,"
    " \"sequence\": {\"kind\": \"sequence\", \"name\": \"operations\", \"operation\": null, \"parameter\": null,"
    "   \"merged\": [], \"values\": [\"prune (amount 0.3)\", \"prune (amount 0.5)\", \"prune (amount 0.7)\","
    "   \"prune (amount 0.3) → fine-tune\", \"prune (amount 0.5) → fine-tune\", \"prune (amount 0.7) → fine-tune\"],"
    "   \"model_values\": [0, 1, 2, 3, 4, 5]},"
    " \"same\": []}";
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autoptr(JsonNode) got = NULL, want = NULL;
  g_autoptr(GString) where = g_string_new ("differs --json");

  g_assert_cmpint (cnc_test_run_cli (args, &out, &err), ==, 0);
  got = cnc_test_parse_json (out);
  want = cnc_test_parse_json (expected);
  if (!cnc_test_json_equivalent (got, want, where))
    g_error ("%s\n%s", where->str, out);

  g_assert_cmpint (cnc_test_run_cli (text_args, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "1 variable tells these 3 models apart"));
  g_assert_nonnull (strstr (text, "prune → fine-tune (sequence): none / prune / prune → fine-tune"));
  g_assert_nonnull (strstr (text, "p50-ft    prune → fine-tune: prune → fine-tune"));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cnc_test_run_cli (bad, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "give 2 to 16 models"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cnc_test_run_cli (unknown, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "nosuch"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/differs/grid", test_grid);
  ADD ("/differs/grid-with-base", test_grid_with_base);
  ADD ("/differs/sequence", test_sequence);
  ADD ("/differs/merged", test_merged);
  ADD ("/differs/roots", test_roots);
  ADD ("/differs/order", test_order);
  ADD ("/differs/refine", test_refine);
  ADD ("/differs/numbered-and-same", test_numbered_and_same);
  ADD ("/differs/errors", test_errors);
  ADD ("/differs/cli", test_cli);
#undef ADD
  return g_test_run ();
}
