/* test-operation-jobs.c
 * Tests of the operation jobs and the demo workspace, end to end through the command line: the quick demo's
 * tree, metrics and files checked by python3-torch (exact sparsity, zeros kept, ≤ 2^bits values per channel,
 * the same top-1), operations with other parameters, and refusals that change nothing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-operation-jobs"

#include <string.h>

#include "cnc-test-util.h"
#include "core/registry/cnc-workspace.h"

#define FASHION_MNIST "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

/* The quick demo, built once by the command line for every test. */
static char *tmp;
static char *ws_path;

static gboolean
have_demo (void)
{
  if (ws_path == NULL)
    {
      g_test_skip ("the Fashion-MNIST package (dataset-fashion-mnist) is not installed");
      return FALSE;
    }
  return TRUE;
}

/* Runs the command line on the demo workspace; returns its exit status. */
static int
cli (char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (char *) "-w");
  g_ptr_array_add (args, ws_path);
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return cnc_test_run_cli ((const char * const *) args->pdata, out, err);
}

static char *
fingerprint (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = cnc_workspace_open (ws_path, CNC_WORKSPACE_OPEN_READ_ONLY, &error);
  char *print;

  g_assert_no_error (error);
  print = cnc_workspace_fingerprint (ws, &error);
  g_assert_no_error (error);
  return print;
}

static void
test_demo (void)
{
  const char *args[] = { "demo", ws_path, "1", NULL };
  g_autofree char *before = NULL, *after = NULL, *err = NULL;

  if (!have_demo ())
    return;
  /* The tree, operations, evaluations and files, checked by python3-torch. */
  args[1] = ws_path;
  cnc_test_run_python ("check-operation-jobs.py", args);

  /* A second demo into the same folder is refused and changes nothing. */
  before = fingerprint ();
  g_assert_cmpint (cli (NULL, &err, "demo", ws_path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already holds 19 models"));
  after = fingerprint ();
  g_assert_cmpstr (before, ==, after);
}

static void
test_listing (void)
{
  g_autofree char *out = NULL, *err = NULL;

  if (!have_demo ())
    return;
  /* The lineage lists with its operations and both parents of the distilled student. */
  g_assert_cmpint (cli (&out, &err, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "19 models"));
  g_assert_nonnull (strstr (out, "└─ student-kd"));
  g_free (out);
  g_assert_cmpint (cli (&out, &err, "show", "student-kd", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "distill (teacher base"));
  g_assert_nonnull (strstr (out, "Teacher    base"));
  g_free (out);
  g_assert_cmpint (cli (&out, &err, "show", "prune-50-ft", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Loss"));
  g_free (out);

  /* show --json: the evaluation (its top-1 the metric's) and the loss curve of one epoch. */
  g_assert_cmpint (cli (&out, &err, "show", "prune-50-ft", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) root = cnc_test_parse_json (out);
    JsonObject *model = json_object_get_object_member (json_node_get_object (root), "model");
    JsonArray *evaluations = json_object_get_array_member (model, "evaluations");
    JsonObject *first = json_array_get_object_element (evaluations, 0);
    JsonObject *curve = json_object_get_object_member (model, "loss_curve");
    JsonObject *metrics = json_object_get_object_member (model, "metrics");

    g_assert_cmpuint (json_array_get_length (evaluations), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (first, "dataset"), ==, "fashion-mnist");
    g_assert_cmpint (json_object_get_int_member (first, "instances"), ==, 10000);
    g_assert_cmpfloat (json_object_get_double_member (first, "top1"), ==,
                       json_object_get_double_member (metrics, "Top-1 Accuracy"));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (curve, "epoch_loss")), ==, 1);
    g_assert_cmpfloat (json_object_get_double_member (curve, "seconds"), >, 0);
  }
  g_free (out);
  g_assert_cmpint (cli (&out, &err, "show", "prune-50", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) root = cnc_test_parse_json (out);
    JsonObject *model = json_object_get_object_member (json_node_get_object (root), "model");

    g_assert_true (json_object_get_null_member (model, "loss_curve"));
  }
}

static void
test_operations (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *prune[] = { "prune", NULL, "base", "p37", "0.37", "per-layer", NULL };
  const char *quant[] = { "quant", NULL, "prune-50-ft", "prune-50-ft-int3", "3", NULL };
  const char *finetune[] = { "finetune", NULL, "p37", "p37-sgd", NULL };

  if (!have_demo ())
    return;
  prune[1] = quant[1] = finetune[1] = ws_path;

  g_assert_cmpint (cli (&out, &err, "prune", "base", "--amount", "0.37", "--per-layer", "--name", "p37", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "p37: 37% of the weights pruned (per layer); top-1"));
  cnc_test_run_python ("check-operation-jobs.py", prune);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (&out, &err, "quantize", "prune-50-ft", "--bits", "3", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "prune-50-ft-int3: weights quantized to int3 per channel"));
  cnc_test_run_python ("check-operation-jobs.py", quant);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (&out, &err, "fine-tune", "p37", "--optimizer", "sgd", "--lr", "0.01", "--max-batches", "8",
                        "--name", "p37-sgd", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "p37-sgd: fine-tuned 1 epoch"));
  cnc_test_run_python ("check-operation-jobs.py", finetune);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (&out, &err, "show", "p37-sgd", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "fine-tune (dataset fashion-mnist, epochs 1, optimizer sgd"));
}

typedef struct {
  int         status;
  const char *words;
  const char *args[12];
} Refusal;

static void
test_refusals (void)
{
  static const Refusal refusals[] = {
    { 1, "no model named “nothing”", { "prune", "nothing", "--amount", "0.5", NULL } },
    { 1, "a model named “base” already exists", { "prune", "prune-30", "--amount", "0.5", "--name", "base", NULL } },
    { 2, "--amount takes a fraction in [0, 1)", { "prune", "base", "--amount", "1.5", NULL } },
    { 2, "--amount takes a fraction in [0, 1)", { "prune", "base", NULL } },
    { 2, "leave out --per-layer", { "prune", "base", "--amount", "0.5", "--channels", "--per-layer", NULL } },
    { 2, "--bits takes 2 to 8", { "quantize", "base", "--bits", "9", NULL } },
    { 2, "give the teacher with --teacher", { "distill", "student", NULL } },
    { 2, "--optimizer takes adam or sgd", { "fine-tune", "base", "--optimizer", "lion", NULL } },
    { 1, "nosuch", { "fine-tune", "base", "--dataset", "nosuch", "--name", "x", NULL } },
    { 1, "is not a valid layer pattern", { "prune", "base", "--amount", "0.5", "--pattern", "([", "--name", "y", NULL } },
    { 2, "name the new model with --name", { "train", NULL } },
  };
  g_autofree char *before = NULL;

  if (!have_demo ())
    return;
  before = fingerprint ();
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      const Refusal *r = &refusals[i];
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autofree char *err = NULL, *after = NULL;
      const char * const *lines;

      g_ptr_array_add (args, (char *) "-w");
      g_ptr_array_add (args, ws_path);
      for (lines = r->args; *lines; lines++)
        g_ptr_array_add (args, (char *) *lines);
      g_ptr_array_add (args, NULL);
      g_assert_cmpint (cnc_test_run_cli ((const char * const *) args->pdata, NULL, &err), ==, r->status);
      if (strstr (err, r->words) == NULL)
        g_error ("%s: “%s” does not say “%s”", r->args[0], err, r->words);
      /* One line, and nothing changed. */
      g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);
      after = fingerprint ();
      g_assert_cmpstr (before, ==, after);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (g_file_test (FASHION_MNIST, G_FILE_TEST_EXISTS))
    {
      const char *args[] = { "demo", "--quick", NULL, NULL };
      g_autofree char *out = NULL, *err = NULL;

      tmp = cnc_test_tmpdir ("operate");
      ws_path = g_build_filename (tmp, "demo", NULL);
      args[2] = ws_path;
      if (cnc_test_run_cli (args, &out, &err) != 0)
        g_error ("the quick demo failed:\n%s%s", out, err);
      g_test_message ("%s", out);
    }

  /* In this order: the demo is checked before the operations add to it. */
  g_test_add_func ("/operate/demo", test_demo);
  g_test_add_func ("/operate/listing", test_listing);
  g_test_add_func ("/operate/refusals", test_refusals);
  g_test_add_func ("/operate/operations", test_operations);
  status = g_test_run ();
  if (tmp)
    cnc_test_rmtree (tmp);
  return status;
}
