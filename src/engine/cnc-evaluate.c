/* cnc-evaluate.c
 * The evaluation job: checks the model and the dataset, runs every batch, keeps every prediction, measures
 * latency, throughput and sizes, and writes it all in the worker's transaction.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-engine"

#include "cnc-evaluate-private.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "core/analysis/cnc-accuracy.h"
#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-import.h"
#include "core/registry/cnc-predictions.h"
#include "core/registry/cnc-store.h"
#include "torch/cnc-torch-eval.h"

G_DEFINE_QUARK (cnc-evaluate-error-quark, cnc_evaluate_error)

#define LATENCY_WARMUP_RUNS 10

typedef CncEvaluation Evaluation;

void
_cnc_evaluation_free (Evaluation *ev)
{
  g_free (ev->dataset);
  g_free (ev->split);
  g_free (ev->device);
  g_free (ev->model_name);
  g_clear_pointer (&ev->predictions, cnc_predictions_free);
  g_free (ev);
}

static gint64
monotonic_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "<path>: message" from the shim, as "model “name”: message". */
static void
name_the_model (GError     *error,
                const char *path,
                const char *name)
{
  const char *rest = error->message;
  char *message;

  if (g_str_has_prefix (rest, path) && g_str_has_prefix (rest + strlen (path), ": "))
    rest += strlen (path) + 2;
  message = g_strdup_printf ("model “%s”: %s", name, rest);
  g_free (error->message);
  error->message = message;
}

static gboolean
check_runnable (const CncModel *model,
                GError        **error)
{
  if (g_strcmp0 (model->format, "torchscript") == 0)
    return TRUE;
  if (g_strcmp0 (model->format, "record") == 0)
    g_set_error (error, CNC_EVALUATE_ERROR, CNC_EVALUATE_ERROR_NOT_RUNNABLE,
                 "model “%s”: a record without a model file (from a models.json): there is nothing to run",
                 model->name);
  else
    g_set_error (error, CNC_EVALUATE_ERROR, CNC_EVALUATE_ERROR_NOT_RUNNABLE,
                 "model “%s”: a %s file holds weights only, no code: it cannot be run. Import it as "
                 "TorchScript (torch.jit.save of torch.jit.script or torch.jit.trace) to evaluate it",
                 model->name, model->format);
  return FALSE;
}

/* numpy's default percentile: linear between the closest ranks. */
static double
percentile (double *sorted,
            guint   n,
            double  q)
{
  double pos = q * (n - 1);
  guint lo = (guint) floor (pos), hi = MIN (lo + 1, n - 1);

  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Per instance: arg-max, top 5, softmax (in double) of the true and the best class. */
static void
score_rows (CncPredictions *p,
            gint64          start,
            const float    *logits,
            gint64          rows)
{
  guint k = p->k;

  for (gint64 r = 0; r < rows; r++)
    {
      const float *z = logits + r * k;
      gint64 i = start + r;
      gint16 *top = p->top5 + i * 5;
      guint n_top = 0;
      gboolean finite = TRUE;

      for (guint j = 0; j < 5; j++)
        top[j] = -1;
      /* NaN never ranks; among equal values the first class ranks first, as torch.argmax. */
      for (guint j = 0; j < k; j++)
        {
          float v = z[j];
          guint at;

          if (!isfinite (v))
            finite = FALSE;
          if (isnan (v))
            continue;
          if (n_top == 5 && !(v > z[top[4]]))
            continue;
          /* Insert, shifting the smaller ones down (the fifth falls off when full). */
          at = MIN (n_top, 4);
          while (at > 0 && v > z[top[at - 1]])
            {
              top[at] = top[at - 1];
              at--;
            }
          top[at] = (gint16) j;
          if (n_top < 5)
            n_top++;
        }
      p->predicted[i] = top[0];

      if (!finite)
        {
          p->nonfinite++;
          p->p_true[i] = NAN;
          p->p_max[i] = NAN;
        }
      else
        {
          double m = z[top[0]], sum = 0;
          gint16 label = p->labels[i];

          for (guint j = 0; j < k; j++)
            sum += exp ((double) z[j] - m);
          p->p_max[i] = (float) (1.0 / sum);
          p->p_true[i] = (float) (exp ((double) z[label] - m) / sum);
        }
    }
  cnc_floats_to_halves (logits, p->logits + start * k, (gsize) rows * k);
}

gboolean
cnc_evaluate_gzip_size (const char   *path,
                        gint64       *size,
                        GCancellable *cancellable,
                        GError      **error)
{
  g_autoptr(GConverter) zlib = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1));
  g_autofree guint8 *in = g_malloc (1 << 16), *out = g_malloc (1 << 16);
  gint64 total = 0;
  zip_int64_t n;
  int zip_err = 0;
  zip_t *archive;
  gboolean ok = TRUE;

  archive = zip_open (path, ZIP_RDONLY, &zip_err);
  if (archive == NULL)
    {
      zip_error_t ze;
      zip_error_init_with_code (&ze, zip_err);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot read the archive: %s",
                   path, zip_error_strerror (&ze));
      zip_error_fini (&ze);
      return FALSE;
    }

  n = zip_get_num_entries (archive, 0);
  for (zip_int64_t e = 0; e <= n && ok; e++)
    {
      gboolean end = e == n;
      zip_file_t *member = NULL;
      zip_int64_t got = 0;

      if (!end)
        {
          const char *name = zip_get_name (archive, (zip_uint64_t) e, 0);
          const char *rest = name ? strchr (name, '/') : NULL;

          if (rest == NULL || !g_str_has_prefix (rest + 1, "data/") || strchr (rest + 6, '/') != NULL)
            continue;
          member = zip_fopen_index (archive, (zip_uint64_t) e, 0);
          if (member == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot read %s: %s",
                           path, name, zip_strerror (archive));
              ok = FALSE;
              break;
            }
        }
      /* Feed the member in chunks (or, at the end, nothing, until the stream is finished). */
      do
        {
          GConverterResult result = G_CONVERTER_CONVERTED;
          gsize offset = 0;

          if (!end)
            {
              got = zip_fread (member, in, 1 << 16);
              if (got < 0)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot read a tensor record: %s",
                               path, zip_file_strerror (member));
                  ok = FALSE;
                  break;
                }
              if (got == 0)
                break;
            }
          do
            {
              gsize read = 0, written = 0;

              result = g_converter_convert (zlib, in + offset, (gsize) got - offset, out, 1 << 16,
                                            end ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS,
                                            &read, &written, error);
              if (result == G_CONVERTER_ERROR)
                {
                  ok = FALSE;
                  break;
                }
              offset += read;
              total += written;
            }
          while (ok && (end ? result != G_CONVERTER_FINISHED : offset < (gsize) got));
          if (end)
            break;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            ok = FALSE;
        }
      while (ok);
      if (member)
        zip_fclose (member);
    }
  zip_discard (archive);
  if (ok)
    *size = total;
  return ok;
}

gboolean
_cnc_evaluation_check_file (CncWorkspace   *ws,
                            const CncModel *model,
                            char          **path,
                            gint64         *file_size,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_autofree char *sha256 = NULL;

  if (!check_runnable (model, error))
    return FALSE;
  *path = cnc_store_model_path (ws, model);
  if (!cnc_store_hash_file (*path, &sha256, file_size, cancellable, error))
    {
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (error, "model “%s”: ", model->name);
      return FALSE;
    }
  if (g_strcmp0 (sha256, model->sha256) != 0)
    {
      g_set_error (error, CNC_EVALUATE_ERROR, CNC_EVALUATE_ERROR_CHANGED,
                   "model “%s”: its file %s changed since it was imported (its SHA-256 differs); "
                   "import it again", model->name, *path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
evaluate_run (CncJobContext *context,
              gpointer       data,
              GError       **error)
{
  Evaluation *ev = data;
  CncWorkspace *ws = cnc_job_context_get_workspace (context);
  g_autoptr(CncModel) model = NULL;
  g_autofree char *path = NULL;
  gint64 file_size = 0;

  /* The model: runnable, and its file the one that was checked at import. */
  if (!(model = cnc_workspace_get_model_by_id (ws, ev->model_id, error)))
    return FALSE;
  ev->model_name = g_strdup (model->name);
  cnc_job_context_progress (context, 0, 0, "Checking the model file");
  if (!_cnc_evaluation_check_file (ws, model, &path, &file_size, cnc_job_context_get_cancellable (context), error))
    return FALSE;
  return _cnc_evaluation_measure (ev, context, path, model->name, file_size, error);
}

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A batch-1 latency is the machine's as much as the model's: another process holding a core
 * makes libtorch's threads wait for each other (0.15 ms becomes 48 ms, bimodal). So it is
 * measured on one intra-op thread (the caller's: its CPU time is the model's work), after
 * warm-up, and a run is contended when its wall time is far above its CPU time. An attempt whose
 * median run is contended, or whose spread is wide, is made again (up to LATENCY_ATTEMPTS); the
 * last one is kept and marked noisy if it still is, so that no view presents it as an effect. */
#define LATENCY_ATTEMPTS       3
#define LATENCY_CONTENDED      1.5    /* wall / CPU of the median run */
#define LATENCY_SPREAD         4.0    /* p95 / p50 */
#define LATENCY_SLACK_MS       0.05   /* clock and call overhead, not contention */

static gboolean
measure_latency (Evaluation    *ev,
                 CncTorchModel *net,
                 const float   *input,
                 const gint64  *shape,
                 CncJobContext *context,
                 GCancellable  *cancellable,
                 GError       **error)
{
  guint runs = MAX (ev->latency_runs, CNC_EVALUATE_MIN_LATENCY_RUNS);
  g_autofree double *wall = g_new (double, runs);
  g_autofree double *cpu = g_new (double, runs);
  guint threads = cnc_torch_get_threads ();
  gboolean ok = TRUE;

  cnc_torch_set_threads (1);
  ev->latency_threads = 1;
  for (guint attempt = 1; ok && attempt <= LATENCY_ATTEMPTS; attempt++)
    {
      double cpu_p50;

      for (guint r = 0; ok && r < LATENCY_WARMUP_RUNS + runs; r++)
        {
          gint64 rows, cols, t0, c0;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            ok = FALSE;
          t0 = monotonic_ns ();
          c0 = thread_cpu_ns ();
          if (ok && !cnc_torch_model_run (net, input, shape, 4, &rows, &cols, error))
            ok = FALSE;
          if (ok && r >= LATENCY_WARMUP_RUNS)
            {
              wall[r - LATENCY_WARMUP_RUNS] = (monotonic_ns () - t0) / 1e6;
              cpu[r - LATENCY_WARMUP_RUNS] = (thread_cpu_ns () - c0) / 1e6;
              cnc_job_context_progress (context, r - LATENCY_WARMUP_RUNS + 1, runs,
                                        attempt == 1 ? "Measuring the latency"
                                                     : "Measuring the latency again (the machine was busy)");
            }
        }
      if (!ok)
        break;
      qsort (wall, runs, sizeof (double), compare_doubles);
      qsort (cpu, runs, sizeof (double), compare_doubles);
      ev->latency_p50 = percentile (wall, runs, 0.50);
      ev->latency_p95 = percentile (wall, runs, 0.95);
      cpu_p50 = percentile (cpu, runs, 0.50);
      ev->latency_cpu_p50 = cpu_p50;
      ev->latency_attempts = attempt;
      ev->latency_noisy = ev->latency_p50 > LATENCY_CONTENDED * cpu_p50 + LATENCY_SLACK_MS
                          || ev->latency_p95 > LATENCY_SPREAD * ev->latency_p50 + LATENCY_SLACK_MS;
      g_debug ("latency attempt %u: p50 %.3f ms, p95 %.3f ms, CPU p50 %.3f ms%s", attempt, ev->latency_p50,
               ev->latency_p95, cpu_p50, ev->latency_noisy ? ": noisy" : "");
      if (!ev->latency_noisy)
        break;
    }
  cnc_torch_set_threads (threads);
  return ok;
}

gboolean
_cnc_evaluation_measure (Evaluation    *ev,
                         CncJobContext *context,
                         const char    *path,
                         const char    *name,
                         gint64         file_size,
                         GError       **error)
{
  CncWorkspace *ws = cnc_job_context_get_workspace (context);
  GCancellable *cancellable = cnc_job_context_get_cancellable (context);
  g_autoptr(CncDataset) dataset = NULL;
  g_autoptr(CncTorchModel) net = NULL;
  g_autoptr(CncPredictions) p = NULL;
  g_autofree char *where = NULL, *evaluating = NULL;
  g_autofree float *input = NULL, *first = NULL;
  const gint32 *labels;
  guint c, h, w, k, batch;
  gint64 n, per, forward_ns = 0, forward_n = 0, all_ns = 0, started = monotonic_ns ();

  if (ev->model_name == NULL)
    ev->model_name = g_strdup (name);
  ev->file_size = file_size;

  /* The device and threads: libtorch's thread count is this thread's own. */
  if (!cnc_torch_check_device (ev->device, error))
    return FALSE;
  if (g_str_equal (ev->device, "cpu"))
    cnc_torch_set_threads (ev->threads);
  ev->threads = g_str_equal (ev->device, "cpu") ? cnc_torch_get_threads () : 0;

  g_debug ("evaluate: %.3f s: reading the dataset", (monotonic_ns () - started) / 1e9);
  cnc_job_context_progress (context, 0, 0, "Reading the dataset");
  if (!(dataset = cnc_dataset_open (ws, ev->dataset, ev->split, error)))
    return FALSE;
  n = cnc_dataset_get_size (dataset);
  k = cnc_dataset_get_n_classes (dataset);
  cnc_dataset_get_shape (dataset, &c, &h, &w);
  labels = cnc_dataset_get_labels (dataset);
  where = g_strdup_printf ("%s/%s", cnc_dataset_get_name (dataset), cnc_dataset_get_split (dataset));
  if (n <= 0)
    {
      g_set_error (error, CNC_EVALUATE_ERROR, CNC_EVALUATE_ERROR_INVALID,
                   "dataset %s has no instances to evaluate on", where);
      return FALSE;
    }
  if (k > G_MAXINT16)
    {
      g_set_error (error, CNC_EVALUATE_ERROR, CNC_EVALUATE_ERROR_INVALID,
                   "dataset %s has %u classes; at most %d are supported", where, k, G_MAXINT16);
      return FALSE;
    }

  g_debug ("evaluate: %.3f s: loading the model", (monotonic_ns () - started) / 1e9);
  cnc_job_context_progress (context, 0, 0, "Loading the model");
  if (!(net = cnc_torch_model_load (path, ev->device, CNC_TORCH_LOAD_OPTIMIZE, error)))
    {
      name_the_model (*error, path, name);
      return FALSE;
    }

  per = (gint64) c * h * w;
  batch = (guint) MIN ((gint64) ev->batch, n);
  input = g_new (float, (gsize) batch * per);
  first = g_new (float, per);

  p = g_new0 (CncPredictions, 1);
  p->model = ev->model_id;
  p->dataset = cnc_dataset_get_id (dataset);
  p->split = g_strdup (cnc_dataset_get_split (dataset));
  p->n = n;
  p->k = k;
  p->device = g_strdup (ev->device);
  p->threads = ev->threads;
  p->batch = batch;
  p->labels = g_new (gint16, n);
  p->predicted = g_new (gint16, n);
  p->top5 = g_new (gint16, n * 5);
  p->p_true = g_new (float, n);
  p->p_max = g_new (float, n);
  p->logits = g_new (guint16, n * k);
  for (gint64 i = 0; i < n; i++)
    p->labels[i] = (gint16) labels[i];

  evaluating = g_strdup_printf ("Evaluating %s on %s", name, where);
  g_debug ("evaluate: %.3f s: evaluating", (monotonic_ns () - started) / 1e9);
  cnc_job_context_progress (context, 0, n, evaluating);
  for (gint64 start = 0; start < n; start += batch)
    {
      gint64 count = MIN ((gint64) batch, n - start);
      gint64 shape[4] = { count, c, h, w };
      gint64 rows = 0, cols = 0, t0, took;
      const float *out;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!cnc_dataset_read_batch (dataset, start, count, input, error))
        return FALSE;
      if (start == 0)
        memcpy (first, input, per * sizeof (float));

      t0 = monotonic_ns ();
      out = cnc_torch_model_run (net, input, shape, 4, &rows, &cols, error);
      took = monotonic_ns () - t0;
      /* The first batch of a size also chooses among the model's variants: throughput counts the
       * full batches after the first (all of them when there are no others). */
      all_ns += took;
      if (start > 0 && count == batch)
        {
          forward_ns += took;
          forward_n += count;
        }
      if (out == NULL)
        {
          name_the_model (*error, path, name);
          return FALSE;
        }
      if (cols != k)
        {
          g_set_error (error, CNC_EVALUATE_ERROR, CNC_EVALUATE_ERROR_CLASSES,
                       "model “%s”: gives %" G_GINT64_FORMAT " output%s per instance, but dataset %s has %u "
                       "classes (a model made for another dataset?)",
                       name, cols, cols == 1 ? "" : "s", where, k);
          return FALSE;
        }
      score_rows (p, start, out, rows);
      /* One evaluation's predictions come from one computation: a last, shorter batch runs the
       * variant chosen on the first. */
      if (start == 0)
        {
          cnc_torch_model_pin_variant (net, count);
          p->variant = g_strdup (cnc_torch_model_get_variant (net, count));
        }
      cnc_job_context_progress (context, start + count, n, evaluating);
    }
  /* Latency is a speed: each batch size (one) chooses its fastest variant again. */
  cnc_torch_model_pin_variant (net, 0);
  if (forward_n == 0)
    {
      forward_ns = all_ns;
      forward_n = n;
    }
  ev->throughput = forward_ns > 0 ? forward_n / (forward_ns / 1e9) : NAN;

  g_debug ("evaluate: %.3f s: measuring the latency", (monotonic_ns () - started) / 1e9);
  {
    gint64 shape[4] = { 1, c, h, w };

    if (!measure_latency (ev, net, first, shape, context, cancellable, error))
      {
        if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
          name_the_model (*error, path, name);
        return FALSE;
      }
  }

  /* Size: the tensor data gzipped. */
  g_debug ("evaluate: %.3f s: measuring the compressed size", (monotonic_ns () - started) / 1e9);
  cnc_job_context_progress (context, 0, 0, "Measuring the compressed size");
  if (!cnc_evaluate_gzip_size (path, &ev->gzip_size, cancellable, error))
    return FALSE;

  {
    g_autoptr(GString) summary = g_string_new (NULL);

    g_string_printf (summary, "top-1 %.2f%%, top-5 %.2f%% on %s (%" G_GINT64_FORMAT " instances; %s",
                     100 * cnc_predictions_accuracy (p), 100 * cnc_predictions_top5_accuracy (p), where, n,
                     ev->device);
    if (ev->threads)
      g_string_append_printf (summary, ", %u thread%s", ev->threads, ev->threads == 1 ? "" : "s");
    g_string_append_printf (summary, "); latency %.3g ms%s", ev->latency_p50,
                            ev->latency_noisy ? " (noisy: the machine was busy)" : "");
    if (p->nonfinite)
      g_string_append_printf (summary, "; %" G_GINT64_FORMAT " instance%s gave NaN or Inf outputs",
                              p->nonfinite, p->nonfinite == 1 ? "" : "s");
    cnc_job_context_set_summary (context, summary->str);
  }
  g_debug ("evaluate: %.3f s: done", (monotonic_ns () - started) / 1e9);
  ev->predictions = g_steal_pointer (&p);
  return TRUE;
}

typedef struct {
  const char *name;
  const char *unit;
  const char *format;
  double      min, max;
  gboolean    higher_is_better;
  gboolean    primary;
} MetricSpec;

static const MetricSpec metric_specs[] = {
  { "Top-1 Accuracy",      NULL,          ".1%",  0, 1,   TRUE,  TRUE },
  { "Top-5 Accuracy",      NULL,          ".1%",  0, 1,   TRUE,  TRUE },
  { "Latency",             "ms",          NULL,   0, NAN, FALSE, TRUE },
  { "Latency p95",         "ms",          NULL,   0, NAN, FALSE, FALSE },
  { "Throughput",          "instances/s", NULL,   0, NAN, TRUE,  FALSE },
  { "Non-zero parameters", NULL,          ".3~s", 0, NAN, FALSE, FALSE },
  { "Size at bit width",   "B",           NULL,   0, NAN, FALSE, FALSE },
  { "Gzip size",           "B",           NULL,   0, NAN, FALSE, FALSE },
};

/* Defines the evaluation's metrics that the workspace does not know yet (a definition the user
 * made, say from a models.json, stays as it is). */
static gboolean
define_metrics (CncWorkspace *ws,
                GError      **error)
{
  g_autoptr(GPtrArray) existing = cnc_workspace_list_metrics (ws, error);

  if (existing == NULL)
    return FALSE;
  for (guint s = 0; s < G_N_ELEMENTS (metric_specs); s++)
    {
      const MetricSpec *spec = &metric_specs[s];
      CncMetric m = {
        .name = (char *) spec->name, .unit = (char *) spec->unit, .format = (char *) spec->format,
        .min = spec->min, .max = spec->max, .higher_is_better = spec->higher_is_better,
        .primary = spec->primary,
      };
      gboolean known = FALSE;

      for (guint i = 0; i < existing->len && !known; i++)
        known = g_str_equal (((CncMetric *) existing->pdata[i])->name, spec->name);
      if (!known && !cnc_workspace_define_metric (ws, &m, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
_cnc_evaluation_write (Evaluation   *ev,
                       CncWorkspace *ws,
                       gint64        model,
                       GPtrArray    *layers,
                       gint64        job,
                       GError      **error)
{
  CncPredictions *p = ev->predictions;
  gint64 numel = 0, zeros = 0;
  double bytes_at_bits = 0;

  p->model = model;
  for (guint i = 0; i < layers->len; i++)
    {
      const CncLayerStats *s = layers->pdata[i];
      numel += s->numel;
      zeros += s->zeros;
      bytes_at_bits += (double) s->numel * s->bits / 8;
    }
  return cnc_predictions_store (ws, p, job, error)
         && define_metrics (ws, error)
         && cnc_import_record_weight_metrics (ws, model, layers, ev->file_size, error)
         && cnc_workspace_set_metric_value (ws, model, "Top-1 Accuracy", cnc_predictions_accuracy (p), error)
         && cnc_workspace_set_metric_value (ws, model, "Top-5 Accuracy", cnc_predictions_top5_accuracy (p), error)
         && cnc_workspace_set_metric_value (ws, model, "Latency", ev->latency_p50, error)
         && cnc_workspace_set_metric_value (ws, model, "Latency p95", ev->latency_p95, error)
         && cnc_workspace_set_metric_value (ws, model, "Throughput", ev->throughput, error)
         && cnc_workspace_set_metric_value (ws, model, "Non-zero parameters", numel - zeros, error)
         && cnc_workspace_set_metric_value (ws, model, "Size at bit width", bytes_at_bits, error)
         && cnc_workspace_set_metric_value (ws, model, "Gzip size", ev->gzip_size, error);
}

static gboolean
evaluate_commit (CncJobContext *context,
                 gpointer       data,
                 GError       **error)
{
  Evaluation *ev = data;
  CncWorkspace *ws = cnc_job_context_get_workspace (context);
  g_autoptr(GPtrArray) layers = cnc_workspace_list_layers (ws, ev->model_id, error);

  return layers != NULL
         && _cnc_evaluation_write (ev, ws, ev->model_id, layers, cnc_job_context_get_id (context), error);
}

const CncJobKind cnc_evaluate_job_kind = {
  .name = "evaluate",
  .run = evaluate_run,
  .commit = evaluate_commit,
};

CncEvaluation *
_cnc_evaluation_new (gint64                    model,
                     const CncEvaluateOptions *options)
{
  CncEvaluateOptions defaults = { 0 };
  Evaluation *ev = g_new0 (Evaluation, 1);

  if (options == NULL)
    options = &defaults;
  ev->model_id = model;
  ev->dataset = g_strdup (options->dataset ? options->dataset : CNC_DATASET_BUILTIN);
  ev->split = g_strdup (options->split ? options->split : "test");
  ev->device = g_strdup (options->device ? options->device : "cpu");
  ev->threads = options->threads ? options->threads : g_get_num_processors ();
  ev->batch = options->batch ? options->batch : CNC_EVALUATE_DEFAULT_BATCH;
  ev->latency_runs = MAX (options->latency_runs, CNC_EVALUATE_MIN_LATENCY_RUNS);
  return ev;
}

char *
_cnc_evaluation_parameters (const Evaluation *ev)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dataset");
  json_builder_add_string_value (b, ev->dataset);
  json_builder_set_member_name (b, "split");
  json_builder_add_string_value (b, ev->split);
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, ev->device);
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, ev->threads);
  json_builder_set_member_name (b, "batch");
  json_builder_add_int_value (b, ev->batch);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

CncJob *
cnc_evaluate_submit (CncWorker                *worker,
                     gint64                    model,
                     const CncEvaluateOptions *options,
                     GError                  **error)
{
  Evaluation *ev;
  g_autofree char *parameters = NULL;

  g_return_val_if_fail (CNC_IS_WORKER (worker), NULL);
  ev = _cnc_evaluation_new (model, options);
  parameters = _cnc_evaluation_parameters (ev);
  return cnc_worker_submit (worker, &cnc_evaluate_job_kind, model, parameters, ev,
                            (GDestroyNotify) _cnc_evaluation_free, error);
}
