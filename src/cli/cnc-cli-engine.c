/* cnc-cli-engine.c
 * Engine commands: evaluate (with a progress bar, Ctrl+C cancels), jobs, devices; a model's evaluations for show.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/analysis/cnc-accuracy.h"
#include "core/formats/cnc-dataset.h"
#include "core/registry/cnc-predictions.h"
#include "engine/cnc-evaluate.h"
#include "engine/cnc-worker.h"
#include "torch/cnc-torch.h"
#include "torch/cnc-torch-eval.h"

#define CLI_PARSE(cmd, args, summary, entries)                                  \
  if (!cnc_cli_parse (cmd, args, summary, entries, &argc, &argv))               \
    return CNC_EXIT_USAGE

/* ---- evaluate ------------------------------------------------------------------------------- */

/* cpu, cuda or cuda:N (whether the machine has it is the job's to find out). */
static gboolean
device_syntax_ok (const char *device)
{
  if (g_str_equal (device, "cpu") || g_str_equal (device, "cuda"))
    return TRUE;
  if (!g_str_has_prefix (device, "cuda:") || device[5] == '\0')
    return FALSE;
  for (const char *p = device + 5; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

int
cnc_cli_evaluate (int    argc,
                  char **argv)
{
  gboolean all = FALSE;
  g_autofree char *dataset = NULL, *split = NULL, *device = NULL;
  int threads = 0, batch = 0;
  GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Every TorchScript model in the workspace", NULL },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, "The dataset (default: " CNC_DATASET_BUILTIN ")", "NAME" },
    { "split", 's', 0, G_OPTION_ARG_STRING, &split, "Its split (default: test)", "SPLIT" },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, "cpu (default) or cuda:N (see `compress-compare devices`)", "DEVICE" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, "CPU threads (default: one per core)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Instances per batch (default: 256)", "N" },
    { NULL }
  };
  g_autoptr(CncWorker) worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) every = NULL;                  /* CncModel*, owned */
  g_autoptr(GPtrArray) models = g_ptr_array_new ();   /* those to evaluate */
  g_autoptr(GPtrArray) skipped = g_ptr_array_new ();
  g_autoptr(CncCliWatch) watch = NULL;
  CncEvaluateOptions options = { 0 };
  CncWorkspace *ws;
  int status = CNC_EXIT_OK;

  CLI_PARSE ("evaluate", "MODEL…|--all",
             "Run TorchScript models over a dataset split; store every prediction and the measured metrics "
             "(top-1, top-5, latency, throughput, sizes). Re-evaluating replaces the previous result.", entries);
  if (all && argc > 1)
    return cnc_cli_usage ("evaluate", "give model names or --all, not both");
  if (!all && argc < 2)
    return cnc_cli_usage ("evaluate", "give the models to evaluate, or --all");
  if (device && !device_syntax_ok (device))
    return cnc_cli_usage ("evaluate", "--device takes cpu or cuda:N, not “%s”", device);
  if (threads < 0 || threads > 1024)
    return cnc_cli_usage ("evaluate", "--threads takes 1 to 1024");
  if (batch < 0 || batch > 65536)
    return cnc_cli_usage ("evaluate", "--batch takes 1 to 65536");

  if (!(worker = cnc_worker_new (cnc_cli_workspace_dir (), NULL, &error)))
    return cnc_cli_fail (error);
  ws = cnc_worker_get_workspace (worker);

  /* Every name must be known before anything is queued. */
  if (all)
    {
      if (!(every = cnc_workspace_list_models (ws, &error)))
        return cnc_cli_fail (error);
      for (guint i = 0; i < every->len; i++)
        {
          CncModel *m = every->pdata[i];
          g_ptr_array_add (g_str_equal (m->format, "torchscript") ? models : skipped, m);
        }
      if (skipped->len > 0)
        {
          g_autoptr(GString) list = g_string_new (NULL);
          for (guint i = 0; i < skipped->len; i++)
            g_string_append_printf (list, "%s%s", i ? ", " : "", ((CncModel *) skipped->pdata[i])->name);
          fprintf (stderr, "compress-compare: skipping %u model%s without runnable code (weights only or "
                   "records): %s\n", skipped->len, skipped->len == 1 ? "" : "s", list->str);
        }
      if (models->len == 0)
        {
          printf ("No TorchScript models to evaluate in %s.\n", cnc_workspace_get_path (ws));
          return CNC_EXIT_OK;
        }
    }
  else
    {
      every = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_model_free);
      for (int i = 1; i < argc; i++)
        {
          CncModel *m = cnc_workspace_find_model (ws, argv[i], &error);
          if (m == NULL)
            return cnc_cli_fail (error);
          g_ptr_array_add (every, m);
          g_ptr_array_add (models, m);
        }
    }

  options.dataset = dataset;
  options.split = split;
  options.device = device;
  options.threads = (guint) threads;
  options.batch = (guint) batch;

  watch = cnc_cli_watch_new (worker);
  for (guint i = 0; i < models->len; i++)
    {
      CncModel *m = models->pdata[i];
      CncJob *job = cnc_evaluate_submit (worker, m->id, &options, &error);

      if (job == NULL)
        {
          status = cnc_cli_fail (error);
          cnc_worker_cancel_all (worker);
          break;
        }
      cnc_cli_watch_add (watch, job, m->name);
      g_object_unref (job);
    }
  if (!cnc_cli_watch_wait (watch))
    status = CNC_EXIT_ERROR;
  return status;
}

/* ---- jobs ------------------------------------------------------------------------------------ */

static char *
format_time (gint64 when)
{
  g_autoptr(GDateTime) dt = NULL;

  if (when <= 0)
    return g_strdup ("");
  dt = g_date_time_new_from_unix_local (when);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static void
add_int_or_null (JsonBuilder *b,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (b, name);
  if (value > 0)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_string_or_null (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* The model an operation job makes ("→ prune-50"), from its parameters; "—" otherwise. */
static const char *
job_output (const CncJobRecord *r)
{
  static char buffer[256];
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *output;

  if (r->parameters == NULL || !json_parser_load_from_data (parser, r->parameters, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return "—";
  output = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                       "output", NULL);
  if (output == NULL)
    return "—";
  g_snprintf (buffer, sizeof buffer, "→ %s", output);
  return buffer;
}

int
cnc_cli_jobs (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  int limit = 50;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON document", NULL },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "The newest N jobs (default 50; 0: all)", "N" },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;

  CLI_PARSE ("jobs", "", "The workspace's jobs, newest first: queued, running, done, cancelled, failed, "
             "interrupted (a job whose process ended while it ran).", entries);
  if (argc != 1)
    return cnc_cli_usage ("jobs", "unexpected argument “%s”", argv[1]);
  if (limit < 0)
    return cnc_cli_usage ("jobs", "--limit takes 0 or more");
  if (!(ws = cnc_cli_open_workspace (FALSE, &error))
      || cnc_job_record_mark_interrupted (ws, &error) < 0
      || !(jobs = cnc_job_record_list (ws, (guint) limit, &error)))
    return cnc_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "workspace");
      json_builder_add_string_value (b, cnc_workspace_get_path (ws));
      json_builder_set_member_name (b, "jobs");
      json_builder_begin_array (b);
      for (guint i = 0; i < jobs->len; i++)
        {
          CncJobRecord *r = jobs->pdata[i];
          g_autoptr(JsonNode) params = json_from_string (r->parameters, NULL);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, r->id);
          json_builder_set_member_name (b, "kind");
          json_builder_add_string_value (b, r->kind);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, cnc_job_state_name (r->state));
          add_string_or_null (b, "model", r->model_name);
          json_builder_set_member_name (b, "parameters");
          if (params)
            json_builder_add_value (b, g_steal_pointer (&params));
          else
            json_builder_add_null_value (b);
          add_string_or_null (b, "message", r->message);
          add_string_or_null (b, "error", r->error);
          add_int_or_null (b, "created", r->created);
          add_int_or_null (b, "started", r->started);
          add_int_or_null (b, "finished", r->finished);
          add_int_or_null (b, "pid", r->pid);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  if (jobs->len == 0)
    {
      printf ("No jobs yet in %s (`compress-compare evaluate MODEL` runs one).\n", cnc_workspace_get_path (ws));
      return CNC_EXIT_OK;
    }
  printf ("%5s  %-16s  %-11s  %-24s  %-19s  %7s  %s\n", "ID", "KIND", "STATE", "MODEL", "CREATED", "TIME", "RESULT");
  for (guint i = 0; i < jobs->len; i++)
    {
      CncJobRecord *r = jobs->pdata[i];
      g_autofree char *created = format_time (r->created);
      g_autofree char *took = r->started > 0 && r->finished >= r->started
                              ? cnc_cli_format_duration ((double) (r->finished - r->started)) : g_strdup ("");
      const char *result = r->state == CNC_JOB_DONE ? r->message : r->error ? r->error : r->message;
      g_autofree char *one_line = g_strdup (result ? result : "");

      g_strdelimit (one_line, "\n", ' ');
      g_autofree char *kind = cnc_cli_pad (r->kind, 16);
      g_autofree char *model = cnc_cli_pad (r->model_name ? r->model_name : job_output (r), 24);

      printf ("%5" G_GINT64_FORMAT "  %s  %-11s  %s  %-19s  %7s  %s\n", r->id, kind,
              cnc_job_state_name (r->state), model, created, took, one_line);
    }
  return CNC_EXIT_OK;
}

/* ---- devices --------------------------------------------------------------------------------- */

int
cnc_cli_devices (int    argc,
                 char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON document", NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) devices = NULL;

  CLI_PARSE ("devices", "", "The devices this build of libtorch can evaluate on.", entries);
  if (argc != 1)
    return cnc_cli_usage ("devices", "unexpected argument “%s”", argv[1]);

  devices = cnc_torch_list_devices ();
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "libtorch");
      json_builder_add_string_value (b, cnc_torch_version ());
      json_builder_set_member_name (b, "devices");
      json_builder_begin_array (b);
      for (guint i = 0; i < devices->len; i++)
        {
          CncTorchDevice *d = devices->pdata[i];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, d->name);
          json_builder_set_member_name (b, "available");
          json_builder_add_boolean_value (b, d->available);
          json_builder_set_member_name (b, "description");
          json_builder_add_string_value (b, d->description);
          add_int_or_null (b, "cores", d->cores);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  printf ("%-8s  %-9s  %s\n", "DEVICE", "AVAILABLE", "DETAILS");
  for (guint i = 0; i < devices->len; i++)
    {
      CncTorchDevice *d = devices->pdata[i];
      printf ("%-8s  %-9s  %s\n", d->name, d->available ? "yes" : "no", d->description);
    }
  printf ("\nlibtorch %s. Evaluate with `compress-compare evaluate MODEL --device cpu --threads N`.\n",
          cnc_torch_version ());
  return CNC_EXIT_OK;
}

/* ---- a model's evaluations, for show ----------------------------------------------------------- */

void
cnc_cli_show_evaluations (CncWorkspace   *ws,
                          const CncModel *model)
{
  g_autoptr(GPtrArray) list = cnc_predictions_list (ws, model->id, NULL);

  if (list == NULL || list->len == 0)
    {
      printf ("\nNot evaluated yet (`compress-compare evaluate %s`).\n", model->name);
      return;
    }
  printf ("\n%-28s %10s %8s %8s %8s  %s\n", "EVALUATION", "INSTANCES", "TOP-1", "TOP-5", "NAN/INF", "DEVICE");
  for (guint i = 0; i < list->len; i++)
    {
      CncPredictions *head = list->pdata[i];
      g_autoptr(CncPredictions) p = NULL;
      g_autofree char *dataset = NULL, *where = NULL, *device = NULL;
      g_autofree double *accuracy = NULL;
      g_autofree gint64 *support = NULL;
      g_auto(GStrv) classes = NULL;

      p = cnc_predictions_load (ws, model->id, head->dataset, head->split,
                                CNC_PREDICTIONS_LABELS | CNC_PREDICTIONS_PREDICTED | CNC_PREDICTIONS_TOP5, NULL);
      if (p == NULL)
        continue;
      cnc_predictions_get_dataset (ws, p->dataset, &dataset, &classes, NULL);
      where = g_strdup_printf ("%s/%s", dataset ? dataset : "?", p->split);
      device = p->threads ? g_strdup_printf ("%s, %u thread%s", p->device, p->threads, p->threads == 1 ? "" : "s")
                          : g_strdup (p->device);
      /* Which computation made the predictions: an evaluation's numbers can be explained. */
      if (p->variant)
        {
          char *more = g_strdup_printf ("%s, batch %u, %s", device, p->batch, p->variant);
          g_free (device);
          device = more;
        }
      printf ("%-28s %10" G_GINT64_FORMAT " %7.2f%% %7.2f%% %8" G_GINT64_FORMAT "  %s\n",
              where, p->n, 100 * cnc_predictions_accuracy (p), 100 * cnc_predictions_top5_accuracy (p),
              p->nonfinite, device);

      /* Per-class accuracy, computed from the stored predictions. */
      accuracy = g_new (double, p->k);
      support = g_new (gint64, p->k);
      cnc_predictions_class_accuracy (p, accuracy, support);
      printf ("  per class:");
      for (guint c = 0; c < p->k && c < 20; c++)
        {
          const char *name = classes && c < g_strv_length (classes) ? classes[c] : NULL;
          if (isnan (accuracy[c]))
            printf ("%s %s —", c ? "," : "", name ? name : "?");
          else
            printf ("%s %s %.1f%%", c ? "," : "", name ? name : "?", 100 * accuracy[c]);
        }
      if (p->k > 20)
        printf (", … (%u classes)", p->k);
      printf ("\n");
    }
}
