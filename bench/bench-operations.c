/* bench-operations.c
 * The demo workspace built for real (`compress-compare demo`'s engine: every operation a job, every model
 * evaluated) and timed per job against the 5-minute goal; a training epoch against python3-torch.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-operations"

#include <json-glib/json-glib.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "bench-util.h"
#include "core/registry/cnc-workspace.h"
#include "engine/cnc-demo.h"

/* Goals (issue 4). */
#define DEMO_GOAL_SECONDS 300.0
#define BASE_ACCURACY_GOAL 0.88
#define MIN_MODELS 15

#define DATA_DIR "/usr/share/datasets/fashion-mnist"
#define THREADS 2
#define BASE_BATCH 128

typedef struct {
  GHashTable *started;   /* CncJob* → monotonic µs */
} Timing;

static void
on_state (CncJob     *job,
          GParamSpec *pspec,
          Timing     *t)
{
  if (cnc_job_get_state (job) == CNC_JOB_RUNNING)
    g_hash_table_insert (t->started, job, g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)));
}

static void
on_finished (CncJob *job,
             Timing *t)
{
  gint64 *start = g_hash_table_lookup (t->started, job);
  double seconds = start ? (g_get_monotonic_time () - *start) / 1e6 : 0;

  printf ("%7.2f s  %-16s %s\n", seconds, cnc_job_get_kind (job),
          cnc_job_get_state (job) == CNC_JOB_DONE ? cnc_job_get_summary (job) : cnc_job_get_error (job)->message);
  fflush (stdout);
}

static void
on_submitted (CncDemo *demo,
              CncJob  *job,
              Timing  *t)
{
  g_signal_connect (job, "notify::state", G_CALLBACK (on_state), t);
  g_signal_connect (job, "finished", G_CALLBACK (on_finished), t);
}

/* bench_operations.py, run for one training epoch; its JSON output. */
static char *
python_epoch (guint batch)
{
  g_autofree char *script = bench_find_script ("bench_operations.py");
  g_autofree char *out = NULL, *err = NULL, *threads = NULL, *batch_s = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  threads = g_strdup_printf ("%d", THREADS);
  batch_s = g_strdup_printf ("%u", batch);
  {
    const char *argv[] = { "/usr/bin/python3", script, "epoch", DATA_DIR, threads, batch_s, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      g_error ("bench_operations.py failed: %s\n%s", error->message, err ? err : "");
  }
  return g_steal_pointer (&out);
}

/* The training seconds per epoch kept with a model's loss curve. */
static double
epoch_seconds (CncWorkspace *ws,
               const char   *name)
{
  g_autoptr(CncModel) m = cnc_workspace_find_model (ws, name, NULL);
  g_autofree char *curve = m ? cnc_workspace_get_loss_curve (ws, m->id, NULL) : NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (curve == NULL || !json_parser_load_from_data (parser, curve, -1, NULL))
    return -1;
  o = json_node_get_object (json_parser_get_root (parser));
  return json_object_get_double_member (o, "seconds")
         / json_array_get_length (json_object_get_array_member (o, "epoch_loss"));
}

static double
metric (CncWorkspace *ws,
        const char   *name,
        const char   *metric_name)
{
  g_autoptr(CncModel) m = cnc_workspace_find_model (ws, name, NULL);
  g_autoptr(GPtrArray) values = m ? cnc_workspace_list_metric_values (ws, m->id, NULL) : NULL;

  for (guint i = 0; values && i < values->len; i++)
    if (g_str_equal (((CncMetricValue *) values->pdata[i])->metric, metric_name))
      return ((CncMetricValue *) values->pdata[i])->value;
  return -1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *ws_dir = NULL, *python = NULL;
  g_autoptr(CncWorker) worker = NULL;
  g_autoptr(CncDemo) demo = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  Timing t = { g_hash_table_new_full (NULL, NULL, NULL, g_free) };
  CncWorkspace *ws;
  double seconds, base_accuracy, ours_epoch, py_seconds, py_accuracy;
  guint n;

  /* As the command line runs (see main.c). */
  mallopt (M_MMAP_THRESHOLD, 256 << 20);
  mallopt (M_TRIM_THRESHOLD, 512 << 20);
  if (!g_file_test (DATA_DIR, G_FILE_TEST_IS_DIR))
    g_error ("%s is missing: install dataset-fashion-mnist", DATA_DIR);
  if (g_getenv ("CNC_INSPECT_HELPER") == NULL)
    g_setenv ("CNC_INSPECT_HELPER", BUILD_DIR "/src/cli/cnc-inspect", FALSE);

  dir = g_dir_make_tmp ("bench-operations-XXXXXX", &error);
  g_assert_no_error (error);
  ws_dir = g_build_filename (dir, "demo", NULL);
  {
    g_autoptr(CncWorkspace) created = cnc_workspace_open (ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
    g_assert_no_error (error);
  }
  worker = cnc_worker_new (ws_dir, NULL, &error);
  g_assert_no_error (error);
  ws = cnc_worker_get_workspace (worker);

  printf ("The demo workspace, built by the engine on this machine (%u cores), each job with its evaluation:\n",
          g_get_num_processors ());
  demo = cnc_demo_new (worker, FALSE);
  g_signal_connect (demo, "job-submitted", G_CALLBACK (on_submitted), &t);
  cnc_demo_start (demo);
  while (!cnc_demo_is_finished (demo))
    g_main_context_iteration (NULL, TRUE);
  cnc_worker_wait (worker);
  if (cnc_demo_get_error (demo))
    g_error ("the demo failed: %s", cnc_demo_get_error (demo)->message);
  seconds = cnc_demo_get_seconds (demo);
  n = cnc_demo_get_n_done (demo);
  base_accuracy = metric (ws, "base", "Top-1 Accuracy");
  ours_epoch = epoch_seconds (ws, "base");

  python = python_epoch (BASE_BATCH);
  json_parser_load_from_data (parser, python, -1, &error);
  g_assert_no_error (error);
  py_seconds = json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)), "seconds");
  py_accuracy = json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)), "accuracy");

  printf ("\n%u models in %.1f s: %.2f of the %.0f s goal (≥ %d models): %s\n", n, seconds,
          seconds / DEMO_GOAL_SECONDS, DEMO_GOAL_SECONDS, MIN_MODELS,
          n >= MIN_MODELS && seconds <= DEMO_GOAL_SECONDS ? "met" : "NOT met");
  printf ("base model: %.2f%% test accuracy (goal ≥ %.0f%%): %s\n", 100 * base_accuracy,
          100 * BASE_ACCURACY_GOAL, base_accuracy >= BASE_ACCURACY_GOAL ? "met" : "NOT met");
  printf ("training epoch (batch %d, %d threads): ours %.2f s, python3-torch %.2f s (%.2f%% after 1 epoch): "
          "python's time / ours = %.2fx\n", BASE_BATCH, THREADS, ours_epoch, py_seconds, 100 * py_accuracy,
          py_seconds / ours_epoch);

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", dir);
  }
  g_hash_table_unref (t.started);
  return 0;
}
