/* bench-ops.c
 * The demo's compression operations timed on this machine, every model's test accuracy, and a training epoch against python3-torch.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-ops"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "core/cnc-dataset.h"
#include "torch/cnc-torch-eval.h"
#include "torch/cnc-torch-ops.h"

/* Goals (issue 4). */
#define DEMO_GOAL_SECONDS 300.0
#define BASE_ACCURACY_GOAL 0.88
#define MIN_MODELS 15

#define DATA_DIR "/usr/share/datasets/fashion-mnist"
#define THREADS 2
#define BASE_EPOCHS 2
#define BASE_BATCH 128
#define BASE_LEARNING_RATE 2e-3
#define BASE_LR_DECAY 0.25

typedef struct {
  CncDataset   *dataset;
  const gint32 *labels;
} Data;

static gboolean
read_data (gpointer  user_data,
           gint64    start,
           gint64    count,
           float    *images,
           gint32   *labels,
           GError  **error)
{
  Data *d = user_data;

  if (!cnc_dataset_read_batch (d->dataset, start, count, images, error))
    return FALSE;
  memcpy (labels, d->labels + start, (gsize) count * sizeof (gint32));
  return TRUE;
}

static CncBatchSource
source_of (Data *d)
{
  return (CncBatchSource) {
    .func = read_data, .user_data = d, .n = cnc_dataset_get_size (d->dataset),
    .channels = 1, .height = 28, .width = 28, .n_classes = cnc_dataset_get_n_classes (d->dataset),
  };
}

static double
now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

/* The whole test split through the model (cnc-torch-eval, batch 256): top-1 accuracy. */
static double
accuracy_of (const char *path,
             Data       *test)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncTorchModel) model = cnc_torch_model_load (path, "cpu", CNC_TORCH_LOAD_DEFAULT, &error);
  gint64 n = cnc_dataset_get_size (test->dataset), correct = 0;
  g_autofree float *images = g_new (float, 256 * 784);

  if (model == NULL)
    g_error ("%s", error->message);
  for (gint64 start = 0; start < n; start += 256)
    {
      gint64 shape[4] = { MIN (256, n - start), 1, 28, 28 };
      gint64 rows = 0, cols = 0;
      const float *out;

      if (!cnc_dataset_read_batch (test->dataset, start, shape[0], images, &error)
          || !(out = cnc_torch_model_run (model, images, shape, 4, &rows, &cols, &error)))
        g_error ("%s", error->message);
      for (gint64 i = 0; i < rows; i++)
        {
          gint64 best = 0;
          for (gint64 c = 1; c < cols; c++)
            if (out[i * cols + c] > out[i * cols + best])
              best = c;
          correct += best == test->labels[start + i];
        }
    }
  return (double) correct / n;
}

typedef struct {
  char   *dir;
  Data   *test;
  guint   models;
  double  op_seconds, eval_seconds;
} Demo;

/* Prints one model's line: the operation's time, then its evaluation. */
static double
report (Demo       *demo,
        const char *name,
        double      op_seconds)
{
  g_autofree char *path = g_build_filename (demo->dir, name, NULL);
  double t0 = now (), accuracy = accuracy_of (path, demo->test), eval = now () - t0;

  demo->models++;
  demo->op_seconds += op_seconds;
  demo->eval_seconds += eval;
  printf ("%-28s %8.2f s %8.2f s %9.2f%%\n", name, op_seconds, eval, 100 * accuracy);
  fflush (stdout);
  return accuracy;
}

static char *
at (Demo       *demo,
    const char *name)
{
  return g_build_filename (demo->dir, name, NULL);
}

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    g_error ("%s", error ? error->message : "failed");
}

/* bench_ops.py: $CNC_BENCH_DIR, else the bench folder of the source tree this program was built in
 * (build folders sit in the source tree: BUILD/bench/bench-ops → bench/bench_ops.py). */
static char *
python_epoch (guint batch)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bench_dir = g_strdup (g_getenv ("CNC_BENCH_DIR"));
  g_autofree char *script = NULL, *out = NULL, *err = NULL, *threads = NULL, *batch_s = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (bench_dir == NULL && exe != NULL)
    {
      g_autofree char *build_bench = g_path_get_dirname (exe);
      g_autofree char *build = g_path_get_dirname (build_bench);
      g_autofree char *source = g_path_get_dirname (build);
      bench_dir = g_build_filename (source, "bench", NULL);
    }
  script = g_build_filename (bench_dir ? bench_dir : ".", "bench_ops.py", NULL);
  if (!g_file_test (script, G_FILE_TEST_EXISTS))
    g_error ("%s not found: set CNC_BENCH_DIR to the source tree's bench folder", script);
  threads = g_strdup_printf ("%d", THREADS);
  batch_s = g_strdup_printf ("%u", batch);
  {
    const char *argv[] = { "/usr/bin/python3", script, "epoch", DATA_DIR, threads, batch_s, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      g_error ("bench_ops.py failed: %s\n%s", error->message, err ? err : "");
  }
  return g_steal_pointer (&out);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL, *ws_dir = NULL, *py = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(CncDataset) train_ds = NULL, test_ds = NULL;
  g_autoptr(JsonNode) py_node = NULL;
  Data train, test;
  CncBatchSource train_source;
  CncTrainOptions base_options, tune;
  Demo demo = { 0 };
  double t0, base_accuracy, best = -1, py_seconds, py_accuracy, base_epoch;
  g_autofree char *best_name = NULL;
  const double amounts[] = { 0.3, 0.5, 0.7, 0.9 };

  /* As the app does at start (FACTS: glibc otherwise returns libtorch's buffers after each batch). */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  cnc_torch_set_threads (THREADS);

  dir = g_dir_make_tmp ("cnc-bench-ops-XXXXXX", &error);
  check (dir != NULL, error);
  demo.dir = dir;
  ws_dir = g_build_filename (dir, "ws", NULL);
  ws = cnc_workspace_open (ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  check (ws != NULL, error);
  train_ds = cnc_dataset_open (ws, CNC_DATASET_BUILTIN, "train", &error);
  check (train_ds != NULL, error);
  test_ds = cnc_dataset_open (ws, CNC_DATASET_BUILTIN, "test", &error);
  check (test_ds != NULL, error);
  train = (Data) { train_ds, cnc_dataset_get_labels (train_ds) };
  test = (Data) { test_ds, cnc_dataset_get_labels (test_ds) };
  demo.test = &test;
  train_source = source_of (&train);

  printf ("The demo's operations, %d threads (Fashion-MNIST: %" G_GINT64_FORMAT " train, %" G_GINT64_FORMAT
          " test images)\n", THREADS, train_source.n, cnc_dataset_get_size (test_ds));
  printf ("%-28s %10s %10s %10s\n", "model", "operation", "accuracy", "top-1");

  /* The base model: built and trained by the app. */
  {
    g_autofree char *built = at (&demo, "built.pt"), *base = at (&demo, "base.pt");
    g_autoptr(CncLossCurve) curve = NULL;

    cnc_train_options_init (&base_options);
    base_options.epochs = BASE_EPOCHS;
    base_options.batch_size = BASE_BATCH;
    base_options.learning_rate = BASE_LEARNING_RATE;
    base_options.lr_decay = BASE_LR_DECAY;
    base_options.keep_zeros = FALSE;
    base_options.threads = THREADS;
    t0 = now ();
    check (cnc_torch_build_cnn (built, CNC_CNN_BASE, 1, 28, 28, 10, 0, &error), error);
    curve = cnc_torch_train (built, base, &train_source, &base_options, NULL, NULL, NULL, &error);
    check (curve != NULL, error);
    base_epoch = curve->seconds / BASE_EPOCHS;
    base_accuracy = report (&demo, "base.pt", now () - t0);
    for (guint e = 0; e < curve->epoch_loss->len; e++)
      printf ("  epoch %u: mean loss %.4f\n", e + 1, g_array_index (curve->epoch_loss, double, e));
    printf ("  %.2f s per epoch (%u batches of %u)\n", base_epoch, curve->batches / BASE_EPOCHS, BASE_BATCH);
  }

  cnc_train_options_init (&tune);
  tune.epochs = 1;
  tune.batch_size = 128;
  tune.threads = THREADS;
  tune.seed = 1;

  /* Magnitude pruning, with and without fine-tuning. */
  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *base = at (&demo, "base.pt");
      g_autofree char *pruned_name = g_strdup_printf ("prune-%02.0f.pt", 100 * amounts[i]);
      g_autofree char *tuned_name = g_strdup_printf ("prune-%02.0f-tuned.pt", 100 * amounts[i]);
      g_autofree char *pruned = at (&demo, pruned_name), *tuned = at (&demo, tuned_name);
      CncPruneOptions prune = { .amount = amounts[i], .scope = CNC_PRUNE_GLOBAL };
      g_autoptr(CncLossCurve) curve = NULL;
      double accuracy;

      t0 = now ();
      check (cnc_torch_prune_magnitude (base, pruned, &prune, NULL, &error), error);
      report (&demo, pruned_name, now () - t0);
      t0 = now ();
      curve = cnc_torch_train (pruned, tuned, &train_source, &tune, NULL, NULL, NULL, &error);
      check (curve != NULL, error);
      accuracy = report (&demo, tuned_name, now () - t0);
      if (amounts[i] >= 0.5 && accuracy > best)
        {
          best = accuracy;
          g_free (best_name);
          best_name = g_strdup (tuned_name);
        }
    }

  /* Channel pruning, then fine-tuning. */
  {
    g_autofree char *base = at (&demo, "base.pt");
    g_autofree char *pruned = at (&demo, "channels-50.pt"), *tuned = at (&demo, "channels-50-tuned.pt");
    CncPruneOptions prune = { .amount = 0.5 };
    g_autoptr(CncLossCurve) curve = NULL;

    t0 = now ();
    check (cnc_torch_prune_channels (base, pruned, &prune, NULL, &error), error);
    report (&demo, "channels-50.pt", now () - t0);
    t0 = now ();
    curve = cnc_torch_train (pruned, tuned, &train_source, &tune, NULL, NULL, NULL, &error);
    check (curve != NULL, error);
    report (&demo, "channels-50-tuned.pt", now () - t0);
  }

  /* Quantization of the base and of the best pruned model. */
  for (guint m = 0; m < 2; m++)
    for (guint bits = 8; bits >= 4; bits -= 4)
      {
        const char *from = m == 0 ? "base.pt" : best_name;
        g_autofree char *stem = g_strndup (from, strlen (from) - 3);
        g_autofree char *name = g_strdup_printf ("%s-int%u.pt", stem, bits);
        g_autofree char *in = at (&demo, from), *out = at (&demo, name);
        CncQuantizeOptions quant = { .bits = bits };

        t0 = now ();
        check (cnc_torch_quantize_weights (in, out, &quant, NULL, NULL, &error), error);
        report (&demo, name, now () - t0);
      }
  {
    g_autofree char *base = at (&demo, "base.pt"), *out = at (&demo, "base-dynamic-int8.pt");
    t0 = now ();
    check (cnc_torch_quantize_dynamic (base, out, NULL, &error), error);
    report (&demo, "base-dynamic-int8.pt", now () - t0);
  }

  /* BatchNorm recalibration of the 50 % pruned model (not fine-tuned). */
  {
    g_autofree char *in = at (&demo, "prune-50.pt"), *out = at (&demo, "prune-50-recalibrated.pt");
    CncRecalibrateOptions recal;

    cnc_recalibrate_options_init (&recal);
    recal.threads = THREADS;
    t0 = now ();
    check (cnc_torch_recalibrate_bn (in, out, &train_source, &recal, NULL, NULL, NULL, &error), error);
    report (&demo, "prune-50-recalibrated.pt", now () - t0);
  }

  /* A smaller student distilled from the base. */
  {
    g_autofree char *base = at (&demo, "base.pt"), *student = at (&demo, "student-init.pt");
    g_autofree char *out = at (&demo, "student-distilled.pt");
    CncDistillOptions distill = { .alpha = 0.7, .temperature = 4.0 };
    CncTrainOptions options = tune;
    g_autoptr(CncLossCurve) curve = NULL;

    options.epochs = 2;
    options.keep_zeros = FALSE;
    t0 = now ();
    check (cnc_torch_build_cnn (student, CNC_CNN_STUDENT, 1, 28, 28, 10, 0, &error), error);
    curve = cnc_torch_distill (base, student, out, &train_source, &options, &distill, NULL, NULL, NULL, &error);
    check (curve != NULL, error);
    report (&demo, "student-distilled.pt", now () - t0);
  }

  /* python3-torch: one epoch of the same network, same batch size and threads. */
  py = python_epoch (BASE_BATCH);
  py_node = json_from_string (py, &error);
  check (py_node != NULL, error);
  py_seconds = json_object_get_double_member (json_node_get_object (py_node), "seconds");
  py_accuracy = json_object_get_double_member (json_node_get_object (py_node), "accuracy");

  printf ("\n%u models: operations %.1f s + evaluations %.1f s = %.1f s (goal: ≥ %d models in ≤ %.0f s): %s\n",
          demo.models, demo.op_seconds, demo.eval_seconds, demo.op_seconds + demo.eval_seconds, MIN_MODELS,
          DEMO_GOAL_SECONDS,
          demo.models >= MIN_MODELS && demo.op_seconds + demo.eval_seconds <= DEMO_GOAL_SECONDS ? "met" : "MISSED");
  printf ("base model: %.2f%% after %d epochs (goal ≥ %.0f%%): %s\n", 100 * base_accuracy, BASE_EPOCHS,
          100 * BASE_ACCURACY_GOAL, base_accuracy >= BASE_ACCURACY_GOAL ? "met" : "MISSED");
  printf ("training epoch (batch %d, %d threads): ours %.2f s, python3-torch %.2f s (%.2f%% after 1 epoch): "
          "%.2f× python's speed\n", BASE_BATCH, THREADS, base_epoch, py_seconds, 100 * py_accuracy,
          py_seconds / base_epoch);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)))
      if (g_str_has_suffix (name, ".pt"))
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_unlink (path);
        }
  }
  g_clear_pointer (&train_ds, cnc_dataset_free);
  g_clear_pointer (&test_ds, cnc_dataset_free);
  g_clear_object (&ws);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", dir);
  }
  return 0;
}
