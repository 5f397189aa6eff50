/* bench-evaluate.c
 * Evaluation speed against python3-torch (bench_evaluate.py), same TorchScript file, data, threads and batch size:
 * end to end, forward throughput, batch-1 latency, peak RSS.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-evaluate"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "bench-util.h"
#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-import.h"
#include "core/registry/cnc-predictions.h"
#include "engine/cnc-evaluate.h"
#include "torch/cnc-torch-eval.h"

/* Goals (issue 3). */
#define END_TO_END_GOAL 1.5
#define FORWARD_GOAL 1.0
#define LATENCY_GOAL 1.3

#define DATA_DIR "/usr/share/datasets/fashion-mnist"

/* The inspection helper that import needs: $CNC_INSPECT_HELPER, else the one built next to us. */
static void
find_inspect_helper (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bench_dir = NULL, *build_dir = NULL, *helper = NULL;

  if (g_getenv ("CNC_INSPECT_HELPER") || exe == NULL)
    return;
  bench_dir = g_path_get_dirname (exe);
  build_dir = g_path_get_dirname (bench_dir);
  helper = g_build_filename (build_dir, "src", "cli", "cnc-inspect", NULL);
  if (g_file_test (helper, G_FILE_TEST_IS_EXECUTABLE))
    g_setenv ("CNC_INSPECT_HELPER", helper, TRUE);
}

static char *
python (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) "/usr/bin/python3");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    g_error ("python3: %s", error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("bench_evaluate.py failed:\n%s", err);
  return out;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static const char *
verdict (gboolean ok)
{
  return ok ? "meets the goal" : "BELOW THE GOAL";
}

int
main (int    argc,
      char **argv)
{
  int threads = 0, batch = 256, runs = 200, rounds = 3;
  g_autofree char *model_arg = NULL;
  GOptionEntry entries[] = {
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, "Threads for both sides (default: one per core)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Batch size for both sides (default 256)", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Batch-1 runs timed for the latency (default 200)", "N" },
    { "rounds", 'n', 0, G_OPTION_ARG_INT, &rounds, "Rounds of both sides; each figure is the best (default 3)", "N" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_arg, "A TorchScript model for 1×28×28 input (default: a small CNN)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— evaluation speed against python3-torch");
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL, *dir = NULL, *model = NULL, *ws_dir = NULL, *threads_s = NULL;
  g_autofree char *batch_s = NULL, *runs_s = NULL;
  g_autoptr(JsonNode) py = NULL;
  JsonObject *pyo = NULL;
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(CncWorker) worker = NULL;
  g_autoptr(CncModel) record = NULL;
  g_autoptr(CncPredictions) p = NULL;
  g_autoptr(CncDataset) dataset = NULL;
  g_autofree char *variant_batch = NULL, *variant_one = NULL;
  g_autofree float *images = NULL;
  g_autofree double *times = NULL;
  CncEvaluateOptions options = { 0 };
  struct rusage usage;
  double t0, ours_e2e, ours_forward, ours_p50, ours_p95, py_e2e, py_forward, py_p50, py_p95, py_rss = 0;
  double e2e_ratio, forward_ratio, latency_ratio;
  gint64 n, correct = 0;
  gboolean all_ok;

  /* As main.c: keep libtorch's per-batch buffers (HACKING.md: 0.54-0.81x of Python's speed without). */
  mallopt (M_MMAP_THRESHOLD, 256 << 20);
  mallopt (M_TRIM_THRESHOLD, 512 << 20);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  if (batch <= 0 || runs < 50 || rounds < 1)
    {
      fprintf (stderr, "--batch and --rounds must be positive and --runs at least 50\n");
      return 2;
    }
  if (!g_file_test (DATA_DIR "/t10k-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "Fashion-MNIST is not installed (the Debian package dataset-fashion-mnist)\n");
      return 77;
    }
  find_inspect_helper ();
  script = bench_find_script ("bench_evaluate.py");
  dir = g_dir_make_tmp ("bench-evaluate-XXXXXX", &error);
  g_assert_no_error (error);
  threads_s = g_strdup_printf ("%d", threads);
  batch_s = g_strdup_printf ("%d", batch);
  runs_s = g_strdup_printf ("%d", runs);

  if (model_arg)
    model = g_canonicalize_filename (model_arg, NULL);
  else
    {
      const char *args[] = { script, "make-model", NULL, NULL };
      model = g_build_filename (dir, "small-cnn.pt", NULL);
      args[2] = model;
      g_free (python (args));
    }

  /* Ours: the workspace, the model imported, the built-in dataset's registry rows made (on its
   * first use: not part of the timing), all its images read for the forward-only runs. */
  ws_dir = g_build_filename (dir, "ws", NULL);
  if (!(ws = cnc_workspace_open (ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error)))
    g_error ("%s", error->message);
  {
    const char *paths[] = { model, NULL };
    CncImportOptions import = { .name = "model" };
    if (!cnc_import_files (ws, paths, &import, NULL, NULL, &error))
      g_error ("%s", error->message);
  }
  record = cnc_workspace_find_model (ws, "model", &error);
  g_assert_no_error (error);
  dataset = cnc_dataset_open (ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  n = cnc_dataset_get_size (dataset);
  images = g_new (float, n * 784);
  if (!cnc_dataset_read_batch (dataset, 0, n, images, &error))
    g_error ("%s", error->message);
  worker = cnc_worker_new (ws_dir, NULL, &error);
  g_assert_no_error (error);
  options.threads = (guint) threads;
  options.batch = (guint) batch;
  options.latency_runs = CNC_EVALUATE_MIN_LATENCY_RUNS;
  times = g_new (double, runs);

  /* Rounds, alternating the two sides; each figure is the best of its rounds (this machine may
   * be busy with other work: the best is the least disturbed). */
  py_e2e = py_p50 = py_p95 = ours_e2e = ours_p50 = ours_p95 = G_MAXDOUBLE;
  py_forward = ours_forward = 0;
  for (int round = 0; round < rounds; round++)
    {
      g_autoptr(CncJob) job = NULL;
      g_autoptr(CncTorchModel) run_net = NULL;

      /* python3-torch: a user's evaluation script, in its own process. */
      {
        const char *args[] = { script, "run", model, DATA_DIR, threads_s, batch_s, runs_s, NULL };
        g_autofree char *text = python (args);

        g_clear_pointer (&py, json_node_unref);
        py = json_from_string (text, &error);
        g_assert_no_error (error);
        pyo = json_node_get_object (py);
        py_e2e = MIN (py_e2e, json_object_get_double_member (pyo, "end_to_end"));
        py_forward = MAX (py_forward, json_object_get_double_member (pyo, "forward"));
        py_p50 = MIN (py_p50, json_object_get_double_member (pyo, "latency_p50"));
        py_p95 = MIN (py_p95, json_object_get_double_member (pyo, "latency_p95"));
        py_rss = MAX (py_rss, json_object_get_double_member (pyo, "peak_rss"));
      }

      /* Ours, end to end: the evaluation job (model check, dataset, batches, softmax, top-5,
       * float16 logits, latency runs, sizes, one transaction) from submit to done. */
      t0 = bench_now ();
      job = cnc_evaluate_submit (worker, record->id, &options, &error);
      g_assert_no_error (error);
      cnc_worker_wait (worker);
      ours_e2e = MIN (ours_e2e, bench_now () - t0);
      if (cnc_job_get_state (job) != CNC_JOB_DONE)
        g_error ("our evaluation did not finish: %s",
                 cnc_job_get_error (job) ? cnc_job_get_error (job)->message : "?");

      /* Ours, forward only: the same batches through the shim, in this thread (after one pass
       * of warm-up), then batch-1 latency on the first instance after 20 warm-up runs. */
      cnc_torch_set_threads ((guint) threads);
      if (!(run_net = cnc_torch_model_load (model, "cpu", CNC_TORCH_LOAD_OPTIMIZE, &error)))
        g_error ("%s", error->message);
      for (int pass = 0; pass < 4; pass++)
        {
          double start = bench_now (), took;

          for (gint64 s = 0; s < n; s += batch)
            {
              gint64 shape[4] = { MIN (batch, n - s), 1, 28, 28 }, rows, cols;
              if (!cnc_torch_model_run (run_net, images + s * 784, shape, 4, &rows, &cols, &error))
                g_error ("%s", error->message);
            }
          took = bench_now () - start;
          if (pass > 0)
            ours_forward = MAX (ours_forward, n / took);
        }
      for (int r = 0; r < 20 + runs; r++)
        {
          gint64 shape[4] = { 1, 1, 28, 28 }, rows, cols;
          double start = bench_now ();
          if (!cnc_torch_model_run (run_net, images, shape, 4, &rows, &cols, &error))
            g_error ("%s", error->message);
          if (r >= 20)
            times[r - 20] = (bench_now () - start) * 1e3;
        }
      qsort (times, runs, sizeof (double), compare_doubles);
      ours_p50 = MIN (ours_p50, times[runs / 2]);
      ours_p95 = MIN (ours_p95, times[(int) (0.95 * (runs - 1))]);
      g_free (variant_batch);
      g_free (variant_one);
      variant_batch = g_strdup (cnc_torch_model_get_variant (run_net, batch));
      variant_one = g_strdup (cnc_torch_model_get_variant (run_net, 1));
    }
  getrusage (RUSAGE_SELF, &usage);

  p = cnc_predictions_load (ws, record->id, -1, NULL, CNC_PREDICTIONS_LABELS | CNC_PREDICTIONS_PREDICTED, &error);
  g_assert_no_error (error);
  for (gint64 i = 0; i < p->n; i++)
    correct += p->predicted[i] == p->labels[i];

  e2e_ratio = py_e2e / ours_e2e;
  forward_ratio = ours_forward / py_forward;
  latency_ratio = py_p50 / ours_p50;
  all_ok = e2e_ratio >= END_TO_END_GOAL && forward_ratio >= FORWARD_GOAL && latency_ratio >= LATENCY_GOAL;

  printf ("Evaluation: %s on Fashion-MNIST test (%" G_GINT64_FORMAT " images), %d thread%s, batch %d\n",
          model_arg ? model_arg : "a small CNN (bench_evaluate.py make-model)", n, threads, threads == 1 ? "" : "s",
          batch);
  printf ("  same answers: top-1 %" G_GINT64_FORMAT " correct here, %" G_GINT64_FORMAT " in python3-torch%s\n",
          correct, json_object_get_int_member (pyo, "correct"),
          correct == json_object_get_int_member (pyo, "correct") ? "" : "  (DIFFERENT)");
  printf ("%-26s %14s %14s %9s  %s\n", "", "ours", "python3-torch", "ratio", "goal");
  printf ("%-26s %12.3f s %12.3f s %8.2f×  ≥ %.1f× %s\n", "end to end", ours_e2e, py_e2e, e2e_ratio,
          END_TO_END_GOAL, verdict (e2e_ratio >= END_TO_END_GOAL));
  printf ("%-26s %10.0f /s %10.0f /s %8.2f×  ≥ %.1f× %s\n", "forward throughput", ours_forward, py_forward,
          forward_ratio, FORWARD_GOAL, verdict (forward_ratio >= FORWARD_GOAL));
  printf ("%-26s %11.3f ms %11.3f ms %8.2f×  ≥ %.1f× %s\n", "batch-1 latency p50", ours_p50, py_p50,
          latency_ratio, LATENCY_GOAL, verdict (latency_ratio >= LATENCY_GOAL));
  printf ("%-26s %11.3f ms %11.3f ms\n", "batch-1 latency p95", ours_p95, py_p95);
  printf ("%-26s %11.0f MB %11.0f MB\n", "peak RSS", usage.ru_maxrss / 1024.0, py_rss / (1024.0 * 1024.0));
  printf ("(ours: the evaluation job also measures latency and sizes and writes every prediction to SQLite;\n"
          " forward and latency go through the shim as evaluations do: batch %d ran %s, batch 1 %s;\n"
          " each figure is the best of %d rounds)\n", batch, variant_batch, variant_one, rounds);

  g_clear_object (&worker);
  g_clear_object (&ws);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  return all_ok ? 0 : 1;
}
