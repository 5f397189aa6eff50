/* test-engine.c
 * Tests of the inference engine against what python3-torch computes: the shim, half floats, stored predictions,
 * the worker (progress, failure, cancel), interrupted jobs, evaluation (same top-1, logits, top-5, p_true),
 * refusals that change nothing but the job's record, and Ctrl+C in the command line.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-engine"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cnc-test-util.h"
#include "core/analysis/cnc-accuracy.h"
#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-import.h"
#include "core/registry/cnc-predictions.h"
#include "core/registry/cnc-workspace-private.h"
#include "engine/cnc-evaluate.h"
#include "engine/cnc-job.h"
#include "engine/cnc-worker.h"
#include "engine/cnc-worker-private.h"
#include "torch/cnc-torch-eval.h"

/* Made once by make-engine-fixtures.py; NULL when python3-torch or Fashion-MNIST is missing. */
static char *fixtures;
static JsonNode *expected;

typedef struct {
  char         *dir;
  char         *ws_path;
  CncWorkspace *ws;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = cnc_test_tmpdir ("engine");
  f->ws_path = g_build_filename (f->dir, "ws", NULL);
  f->ws = cnc_workspace_open (f->ws_path, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->ws);
  cnc_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->ws_path);
}

static char *
fixture_file (const char *name)
{
  return g_build_filename (fixtures, name, NULL);
}

/* A fixture file's bytes; @n_items gets its length in @item-byte items. */
static gpointer
read_fixture (const char *name,
              gsize       item,
              gsize      *n_items)
{
  g_autofree char *path = fixture_file (name);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len % item, ==, 0);
  if (n_items)
    *n_items = len / item;
  return data;
}

static JsonObject *
expected_for (const char *model)
{
  return json_object_get_object_member (json_node_get_object (expected), model);
}

static char *
fingerprint (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *fp = cnc_workspace_fingerprint (f->ws, &error);

  g_assert_no_error (error);
  return fp;
}

static gint64
import (Fixture    *f,
        const char *file,
        const char *name,
        gboolean    link)
{
  g_autofree char *path = g_str_has_prefix (file, "/") ? g_strdup (file) : fixture_file (file);
  const char *paths[] = { path, NULL };
  CncImportOptions options = { .name = name, .link = link };
  g_autoptr(GError) error = NULL;
  g_autoptr(CncModel) m = NULL;

  cnc_import_files (f->ws, paths, &options, NULL, NULL, &error);
  g_assert_no_error (error);
  m = cnc_workspace_find_model (f->ws, name, &error);
  g_assert_no_error (error);
  return m->id;
}

static guint
count_rows (Fixture *f, const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (f->ws, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return (guint) sqlite3_column_int64 (stmt, 0);
}

/* ---- half floats --------------------------------------------------------------------------- */

static void
test_half (void)
{
  gsize n = 0, n16 = 0;
  g_autofree float *values = read_fixture ("halves.f32", 4, &n);
  g_autofree guint16 *torch_halves = read_fixture ("halves.f16", 2, &n16);
  g_autofree guint16 *ours = g_new (guint16, n);

  g_assert_cmpuint (n, ==, n16);
  g_assert_cmpuint (n, >, 25000);
  cnc_floats_to_halves (values, ours, n);
  for (gsize i = 0; i < n; i++)
    {
      float back;

      if (ours[i] != torch_halves[i])
        g_error ("%.9g: half 0x%04x, torch's .half() gives 0x%04x", values[i], ours[i], torch_halves[i]);
      /* And back: every half is exactly a float. */
      back = cnc_half_to_float (ours[i]);
      if (isnan (values[i]))
        g_assert_true (isnan (back));
      else
        g_assert_cmpuint (cnc_float_to_half (back), ==, ours[i]);
    }
  g_assert_cmpfloat (cnc_half_to_float (0x3c00), ==, 1.0f);
  g_assert_cmpfloat (cnc_half_to_float (0x0001), ==, 5.9604644775390625e-8f);
  g_assert_cmpfloat (cnc_half_to_float (0x7bff), ==, 65504.0f);
  g_assert_true (isinf (cnc_half_to_float (0xfc00)) && cnc_half_to_float (0xfc00) < 0);
}

/* ---- the shim -------------------------------------------------------------------------------- */

static void
test_devices (void)
{
  g_autoptr(GPtrArray) devices = cnc_torch_list_devices ();
  g_autoptr(GError) error = NULL;
  CncTorchDevice *cpu, *last;

  g_assert_cmpuint (devices->len, >=, 2);
  cpu = devices->pdata[0];
  g_assert_cmpstr (cpu->name, ==, "cpu");
  g_assert_true (cpu->available);
  g_assert_cmpuint (cpu->cores, ==, g_get_num_processors ());
  g_assert_true (cnc_torch_check_device ("cpu", NULL));

  last = devices->pdata[devices->len - 1];
  if (!last->available)
    {
      /* Debian's libtorch has no CUDA: shown, never faked. */
      g_assert_cmpstr (last->name, ==, "cuda");
      g_assert_false (cnc_torch_check_device ("cuda:0", &error));
      g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE);
      g_assert_nonnull (strstr (error->message, "cuda:0 is not available"));
      g_clear_error (&error);
    }
  g_assert_false (cnc_torch_check_device ("tpu", &error));
  g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE);
  g_clear_error (&error);
  g_assert_false (cnc_torch_check_device ("cuda:x", &error));
  g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE);

  /* The thread count is the calling thread's. */
  cnc_torch_set_threads (1);
  g_assert_cmpuint (cnc_torch_get_threads (), ==, 1);
  cnc_torch_set_threads (2);
  g_assert_cmpuint (cnc_torch_get_threads (), ==, 2);
}

/* The shim on the first 600 test images (read through the dataset API) against PyTorch's logits. */
static void
check_forward (Fixture *f, const char *name, CncTorchLoadFlags flags)
{
  g_autofree char *file = g_strdup_printf ("%s.pt", name);
  g_autofree char *path = fixture_file (file);
  g_autofree char *logits_file = g_strdup_printf ("%s.logits-f32", name);
  g_autofree float *want = read_fixture (logits_file, 4, NULL);
  g_autoptr(CncTorchModel) model = NULL;
  g_autoptr(CncDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *input = g_new (float, 600 * 784);
  double worst = 0;

  dataset = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  g_assert_true (cnc_dataset_read_batch (dataset, 0, 600, input, &error));
  model = cnc_torch_model_load (path, "cpu", flags, &error);
  g_assert_no_error (error);
  if (flags & CNC_TORCH_LOAD_OPTIMIZE)
    g_assert_true (cnc_torch_model_is_optimized (model));

  /* Two batch sizes through the same model: 600 in one, then 1 at a time for a few. */
  {
    gint64 shape[4] = { 600, 1, 28, 28 }, rows = 0, cols = 0;
    const float *out = cnc_torch_model_run (model, input, shape, 4, &rows, &cols, &error);

    g_assert_no_error (error);
    g_assert_cmpint (rows, ==, 600);
    g_assert_cmpint (cols, ==, 10);
    for (gsize i = 0; i < 600 * 10; i++)
      worst = MAX (worst, fabs (out[i] - want[i]));
  }
  for (gint64 i = 0; i < 5; i++)
    {
      gint64 shape[4] = { 1, 1, 28, 28 }, rows = 0, cols = 0;
      const float *out = cnc_torch_model_run (model, input + i * 784, shape, 4, &rows, &cols, &error);

      g_assert_no_error (error);
      g_assert_cmpint (rows, ==, 1);
      for (gsize j = 0; j < 10; j++)
        worst = MAX (worst, fabs (out[j] - want[i * 10 + j]));
    }
  g_test_message ("%s: batch 600 ran %s, batch 1 %s; largest difference from PyTorch %.3g", name,
                  cnc_torch_model_get_variant (model, 600), cnc_torch_model_get_variant (model, 1), worst);
  if (worst > 1e-4)
    g_error ("%s: logits differ from PyTorch's by up to %g", name, worst);
}

static void
test_shim_forward (Fixture *f, gconstpointer data)
{
  check_forward (f, "cnn-scripted", CNC_TORCH_LOAD_DEFAULT);
  check_forward (f, "cnn-scripted", CNC_TORCH_LOAD_OPTIMIZE);
  check_forward (f, "mlp-traced", CNC_TORCH_LOAD_DEFAULT);
  check_forward (f, "mlp-traced", CNC_TORCH_LOAD_OPTIMIZE);
}

static void
test_shim_errors (void)
{
  g_autofree char *wrong = fixture_file ("wrong-shape.pt");
  g_autofree char *weights = fixture_file ("state-dict.pt");
  g_autofree char *missing = fixture_file ("no-such-model.pt");
  g_autofree float *input = g_new0 (float, 2 * 784);
  g_autoptr(CncTorchModel) model = NULL;
  g_autoptr(GError) error = NULL;
  gint64 shape[4] = { 2, 1, 28, 28 }, rows, cols, channels = 0;

  model = cnc_torch_model_load (wrong, "cpu", CNC_TORCH_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  cnc_torch_model_get_expected_input (model, &channels, NULL);
  g_assert_cmpint (channels, ==, 3);
  g_assert_null (cnc_torch_model_run (model, input, shape, 4, &rows, &cols, &error));
  g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_INPUT_SHAPE);
  /* Both shapes: ours, and what the model expected (its own words too). */
  g_assert_nonnull (strstr (error->message, "2×1×28×28"));
  g_assert_nonnull (strstr (error->message, "expects 3 channels"));
  g_assert_nonnull (strstr (error->message, "to have 3 channels, but got 1"));
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);

  /* With its optimized variants, the error is still the module's own. */
  g_clear_pointer (&model, cnc_torch_model_free);
  model = cnc_torch_model_load (wrong, "cpu", CNC_TORCH_LOAD_OPTIMIZE, &error);
  g_assert_no_error (error);
  g_assert_null (cnc_torch_model_run (model, input, shape, 4, &rows, &cols, &error));
  g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_INPUT_SHAPE);
  g_assert_nonnull (strstr (error->message, "to have 3 channels, but got 1"));
  g_assert_null (cnc_torch_model_get_variant (model, 2));
  g_clear_error (&error);

  g_assert_null (cnc_torch_model_load (weights, "cpu", CNC_TORCH_LOAD_OPTIMIZE, &error));
  g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_NOT_RUNNABLE);
  g_assert_nonnull (strstr (error->message, "weights only"));
  g_clear_error (&error);

  g_assert_null (cnc_torch_model_load (missing, "cpu", CNC_TORCH_LOAD_DEFAULT, &error));
  g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_null (cnc_torch_model_load (wrong, "cuda:7", CNC_TORCH_LOAD_DEFAULT, &error));
  g_assert_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE);
}

/* ---- stored predictions ----------------------------------------------------------------------- */

static CncPredictions *
made_up_predictions (gint64 model, gint64 dataset, gint64 n, guint k, gint16 shift)
{
  CncPredictions *p = g_new0 (CncPredictions, 1);

  p->model = model;
  p->dataset = dataset;
  p->split = g_strdup ("test");
  p->n = n;
  p->k = k;
  p->device = g_strdup ("cpu");
  p->threads = 2;
  p->batch = 64;
  p->nonfinite = 1;
  p->labels = g_new (gint16, n);
  p->predicted = g_new (gint16, n);
  p->top5 = g_new (gint16, n * 5);
  p->p_true = g_new (float, n);
  p->p_max = g_new (float, n);
  p->logits = g_new (guint16, n * k);
  for (gint64 i = 0; i < n; i++)
    {
      p->labels[i] = i % k;
      p->predicted[i] = (i + shift) % k;
      for (guint j = 0; j < 5; j++)
        p->top5[i * 5 + j] = j < k ? (gint16) ((i + j) % k) : -1;
      p->p_true[i] = (float) i / n;
      p->p_max[i] = 1.0f - (float) i / n;
      for (guint j = 0; j < k; j++)
        p->logits[i * k + j] = cnc_float_to_half ((float) (i - j) / 8);
    }
  return p;
}

static void
test_predictions_store (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncPredictions) first = NULL, second = NULL, back = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(CncDataset) dataset = NULL;
  gint64 model = import (f, "cnn-scripted.pt", "cnn", FALSE);
  gint64 ds;
  double accuracy[7];
  gint64 support[7];

  dataset = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  ds = cnc_dataset_get_id (dataset);

  g_assert_null (cnc_predictions_load (f->ws, model, ds, "test", CNC_PREDICTIONS_ALL, &error));
  g_assert_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  first = made_up_predictions (model, ds, 1001, 7, 0);
  second = made_up_predictions (model, ds, 500, 7, 3);
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_predictions_store (f->ws, first, 0, &error));
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  g_assert_cmpint (first->evaluation, >, 0);

  back = cnc_predictions_load (f->ws, model, ds, "test", CNC_PREDICTIONS_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n, ==, 1001);
  g_assert_cmpuint (back->k, ==, 7);
  g_assert_cmpint (back->nonfinite, ==, 1);
  g_assert_cmpstr (back->device, ==, "cpu");
  g_assert_cmpuint (back->threads, ==, 2);
  g_assert_cmpuint (back->batch, ==, 64);
  g_assert_cmpmem (back->labels, 1001 * 2, first->labels, 1001 * 2);
  g_assert_cmpmem (back->predicted, 1001 * 2, first->predicted, 1001 * 2);
  g_assert_cmpmem (back->top5, 1001 * 10, first->top5, 1001 * 10);
  g_assert_cmpmem (back->p_true, 1001 * 4, first->p_true, 1001 * 4);
  g_assert_cmpmem (back->p_max, 1001 * 4, first->p_max, 1001 * 4);
  g_assert_cmpmem (back->logits, 1001 * 7 * 2, first->logits, 1001 * 7 * 2);
  g_assert_cmpfloat (cnc_predictions_accuracy (back), ==, 1.0);
  cnc_predictions_class_accuracy (back, accuracy, support);
  g_assert_cmpint (support[0], ==, 143);   /* 0, 7, …, 1001 - 1: ceil (1001 / 7) */
  g_assert_cmpfloat (accuracy[6], ==, 1.0);
  g_clear_pointer (&back, cnc_predictions_free);

  /* Packed little-endian, one blob per array: check one by hand. */
  {
    g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (f->ws,
      "SELECT dtype, shape, data FROM prediction_arrays WHERE name = 'p_true'", &error);
    const guint8 *b;
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "f4");
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "[1001]");
    b = sqlite3_column_blob (stmt, 2);
    /* p_true[1] = 1/1001 = 0x3a82f2f7 as float32 */
    {
      float v = 1.0f / 1001;
      guint32 bits;
      memcpy (&bits, &v, 4);
      g_assert_cmpuint (b[4] | b[5] << 8 | b[6] << 16 | (guint32) b[7] << 24, ==, bits);
    }
  }

  /* A second evaluation of the same split replaces the first whole. */
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_predictions_store (f->ws, second, 0, &error));
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM evaluations"), ==, 1);
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM prediction_arrays"), ==, 6);
  back = cnc_predictions_load (f->ws, model, -1, NULL, CNC_PREDICTIONS_LABELS | CNC_PREDICTIONS_PREDICTED, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n, ==, 500);
  g_assert_null (back->logits);
  g_assert_cmpfloat (cnc_predictions_accuracy (back), ==, 0.0);
  list = cnc_predictions_list (f->ws, model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  {
    g_autofree char *name = NULL;
    g_auto(GStrv) classes = NULL;
    g_assert_true (cnc_predictions_get_dataset (f->ws, ds, &name, &classes, &error));
    g_assert_cmpstr (name, ==, CNC_DATASET_BUILTIN);
    g_assert_cmpstr (classes[9], ==, "Ankle boot");
  }
}

/* ---- the worker ----------------------------------------------------------------------------------- */

typedef struct {
  guint     steps;
  gboolean  fail_in_commit;
  gboolean  until_cancelled;
  gint64    model;
  GThread **ran_on;          /* where run ran */
  gint     *freed;
} Work;

static void
work_free (Work *w)
{
  g_atomic_int_inc (w->freed);
  g_free (w);
}

static gboolean
work_run (CncJobContext *context, gpointer data, GError **error)
{
  Work *w = data;
  GCancellable *c = cnc_job_context_get_cancellable (context);

  if (w->ran_on)
    *w->ran_on = g_thread_self ();
  for (guint i = 0; i < w->steps || w->until_cancelled; i++)
    {
      if (g_cancellable_set_error_if_cancelled (c, error))
        return FALSE;
      cnc_job_context_progress (context, MIN (i + 1, w->steps), w->steps, "Stepping");
      g_usleep (1000);
    }
  cnc_job_context_set_summary (context, "all steps taken");
  return TRUE;
}

static gboolean
work_commit (CncJobContext *context, gpointer data, GError **error)
{
  Work *w = data;
  CncWorkspace *ws = cnc_job_context_get_workspace (context);
  CncMetric m = { .name = (char *) "Steps", .min = NAN, .max = NAN, .higher_is_better = TRUE };

  g_assert_true (_cnc_workspace_in_transaction (ws));
  if (!cnc_workspace_define_metric (ws, &m, error)
      || !cnc_workspace_set_metric_value (ws, w->model, "Steps", w->steps, error))
    return FALSE;
  if (w->fail_in_commit)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the test's commit fails on purpose");
      return FALSE;
    }
  return TRUE;
}

static const CncJobKind work_kind = { "test-steps", work_run, work_commit };

typedef struct {
  guint    fraction_notes;
  double   last_fraction;
  gboolean saw_running;
  gboolean cancel_at_half;
  GThread *notified_on;
} Watch;

static void
on_fraction (CncJob *job, GParamSpec *pspec, Watch *watch)
{
  watch->fraction_notes++;
  watch->notified_on = g_thread_self ();
  g_assert_cmpfloat (cnc_job_get_fraction (job), >=, watch->last_fraction);
  watch->last_fraction = cnc_job_get_fraction (job);
  if (watch->cancel_at_half && watch->last_fraction >= 0.02)
    cnc_job_cancel (job);
}

static void
on_state (CncJob *job, GParamSpec *pspec, Watch *watch)
{
  if (cnc_job_get_state (job) == CNC_JOB_RUNNING)
    watch->saw_running = TRUE;
}

static CncJobRecord *
job_record (Fixture *f, CncJob *job)
{
  g_autoptr(GError) error = NULL;
  CncJobRecord *r = cnc_job_record_get (f->ws, cnc_job_get_id (job), &error);

  g_assert_no_error (error);
  return r;
}

typedef struct {
  GMutex   lock;
  GCond    cond;
  gboolean reported;
} AllSteps;

/* On the worker thread: tells the test when the last step has been reported. */
static void
on_step (CncJob *job, gint64 done, gint64 total, const char *message, gpointer data)
{
  AllSteps *all = data;

  if (total > 0 && done == total)
    {
      g_mutex_lock (&all->lock);
      all->reported = TRUE;
      g_cond_signal (&all->cond);
      g_mutex_unlock (&all->lock);
    }
}

static void
test_worker_progress (Fixture *f, gconstpointer data)
{
  AllSteps all_steps = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorker) worker = cnc_worker_new (f->ws_path, NULL, &error);
  g_autoptr(CncJob) job = NULL;
  g_autoptr(CncJobRecord) record = NULL;
  g_autoptr(GPtrArray) values = NULL;
  gint freed = 0;
  GThread *ran_on = NULL;
  Work *w = g_new0 (Work, 1);
  Watch watch = { 0 };
  gint64 model;

  g_assert_no_error (error);
  g_mutex_init (&all_steps.lock);
  g_cond_init (&all_steps.cond);
  _cnc_worker_set_step_hook (worker, on_step, &all_steps);
  w->steps = 300;
  w->model = model = import (f, "mlp-traced.pt", "mlp", FALSE);
  w->freed = &freed;
  w->ran_on = &ran_on;
  job = cnc_worker_submit (worker, &work_kind, model, "{\"steps\": 300}", w, (GDestroyNotify) work_free, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnc_job_get_state (job), ==, CNC_JOB_QUEUED);
  g_assert_cmpuint (cnc_worker_get_n_pending (worker), ==, 1);
  g_signal_connect (job, "notify::fraction", G_CALLBACK (on_fraction), &watch);
  g_signal_connect (job, "notify::state", G_CALLBACK (on_state), &watch);

  /* The main loop does not run until the job has reported its last step: its 300 reports reach
   * the main loop coalesced into a few notes, on any machine. */
  g_mutex_lock (&all_steps.lock);
  while (!all_steps.reported)
    g_cond_wait (&all_steps.cond, &all_steps.lock);
  g_mutex_unlock (&all_steps.lock);
  cnc_worker_wait (worker);
  g_assert_cmpint (cnc_job_get_state (job), ==, CNC_JOB_DONE);
  g_assert_cmpuint (cnc_worker_get_n_pending (worker), ==, 0);
  g_assert_true (watch.saw_running);
  /* Progress reached the main loop (this thread), coalesced: fewer notes than reports. */
  g_assert_true (watch.notified_on == g_thread_self ());
  g_assert_cmpuint (watch.fraction_notes, >=, 1);
  g_assert_cmpuint (watch.fraction_notes, <=, 3);
  g_assert_cmpfloat (cnc_job_get_fraction (job), ==, 1.0);
  g_assert_cmpfloat (cnc_job_get_rate (job), >, 0);
  g_assert_cmpstr (cnc_job_get_summary (job), ==, "all steps taken");
  g_assert_null (cnc_job_get_error (job));
  /* Ran on the worker thread; its data freed once. */
  g_assert_nonnull (ran_on);
  g_assert_true (ran_on != g_thread_self ());
  g_assert_cmpint (g_atomic_int_get (&freed), ==, 1);

  record = job_record (f, job);
  g_assert_cmpint (record->state, ==, CNC_JOB_DONE);
  g_assert_cmpstr (record->kind, ==, "test-steps");
  g_assert_cmpstr (record->model_name, ==, "mlp");
  g_assert_cmpstr (record->message, ==, "all steps taken");
  g_assert_cmpint (record->pid, ==, getpid ());
  g_assert_cmpint (record->started, >, 0);
  g_assert_cmpint (record->finished, >=, record->started);
  values = cnc_workspace_list_metric_values (f->ws, model, &error);
  g_assert_no_error (error);
  g_assert_true (values->len > 0);
  g_mutex_clear (&all_steps.lock);
  g_cond_clear (&all_steps.cond);
}

static void
test_worker_fail_and_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorker) worker = cnc_worker_new (f->ws_path, NULL, &error);
  g_autoptr(CncJob) failing = NULL, cancelled = NULL, queued = NULL;
  g_autoptr(CncJobRecord) r1 = NULL, r2 = NULL, r3 = NULL;
  g_autofree char *before = NULL, *after = NULL;
  gint freed = 0;
  Work *w1 = g_new0 (Work, 1), *w2 = g_new0 (Work, 1), *w3 = g_new0 (Work, 1);
  Watch watch = { .cancel_at_half = TRUE };
  gint64 model = import (f, "mlp-traced.pt", "mlp", FALSE);

  g_assert_no_error (error);
  before = fingerprint (f);
  w1->steps = 5;
  w1->fail_in_commit = TRUE;
  w2->steps = 1000;
  w2->until_cancelled = TRUE;
  w3->steps = 5;
  w1->model = w2->model = w3->model = model;
  w1->freed = w2->freed = w3->freed = &freed;
  failing = cnc_worker_submit (worker, &work_kind, model, NULL, w1, (GDestroyNotify) work_free, &error);
  cancelled = cnc_worker_submit (worker, &work_kind, model, NULL, w2, (GDestroyNotify) work_free, &error);
  queued = cnc_worker_submit (worker, &work_kind, model, NULL, w3, (GDestroyNotify) work_free, &error);
  g_assert_no_error (error);
  g_signal_connect (cancelled, "notify::fraction", G_CALLBACK (on_fraction), &watch);
  /* The third is cancelled before it starts. */
  cnc_job_cancel (queued);
  cnc_worker_wait (worker);

  g_assert_cmpint (cnc_job_get_state (failing), ==, CNC_JOB_FAILED);
  g_assert_cmpstr (cnc_job_get_error (failing)->message, ==, "the test's commit fails on purpose");
  g_assert_cmpint (cnc_job_get_state (cancelled), ==, CNC_JOB_CANCELLED);
  g_assert_error (cnc_job_get_error (cancelled), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cnc_job_get_state (queued), ==, CNC_JOB_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&freed), ==, 3);

  /* Nothing written but the jobs' records (the failed commit's metric rolled back). */
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
  r1 = job_record (f, failing);
  r2 = job_record (f, cancelled);
  r3 = job_record (f, queued);
  g_assert_cmpint (r1->state, ==, CNC_JOB_FAILED);
  g_assert_cmpstr (r1->error, ==, "the test's commit fails on purpose");
  g_assert_cmpint (r2->state, ==, CNC_JOB_CANCELLED);
  g_assert_nonnull (r2->error);
  g_assert_cmpint (r3->state, ==, CNC_JOB_CANCELLED);
  g_assert_cmpint (r3->started, ==, 0);
}

/* ---- interrupted jobs -------------------------------------------------------------------------- */

static void
test_jobs_interrupted (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorker) worker = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autofree char *sql = NULL, *out = NULL;
  const char *argv[] = { "/bin/true", NULL };
  GPid dead = 0;
  int status;
  gint64 running_dead, queued_dead, reused, ours;

  /* A pid that has ended: a child that exited and was reaped. */
  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &dead, &error);
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (dead, &status, 0), ==, dead);

  running_dead = cnc_job_record_insert (f->ws, "evaluate", 0, NULL, &error);
  queued_dead = cnc_job_record_insert (f->ws, "evaluate", 0, NULL, &error);
  reused = cnc_job_record_insert (f->ws, "evaluate", 0, NULL, &error);
  ours = cnc_job_record_insert (f->ws, "evaluate", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cnc_job_record_set_state (f->ws, ours, CNC_JOB_RUNNING, NULL, NULL, &error));
  /* Running in a process that is gone; queued by it; and pid 1, which started long after
   * this job was created (at the epoch): the pid belongs to another process now. */
  sql = g_strdup_printf ("UPDATE jobs SET state = 'running', pid = %d WHERE id = %" G_GINT64_FORMAT ";"
                         "UPDATE jobs SET pid = %d WHERE id = %" G_GINT64_FORMAT ";"
                         "UPDATE jobs SET state = 'running', pid = 1, created = 0 WHERE id = %" G_GINT64_FORMAT ";",
                         dead, running_dead, dead, queued_dead, reused);
  g_assert_true (_cnc_workspace_exec (f->ws, sql, &error));

  /* Opening a worker on the workspace marks them. */
  worker = cnc_worker_new (f->ws_path, NULL, &error);
  g_assert_no_error (error);
  jobs = cnc_job_record_list (f->ws, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 4);
  for (guint i = 0; i < jobs->len; i++)
    {
      CncJobRecord *r = jobs->pdata[i];
      if (r->id == ours)
        g_assert_cmpint (r->state, ==, CNC_JOB_RUNNING);
      else
        {
          g_assert_cmpint (r->state, ==, CNC_JOB_INTERRUPTED);
          g_assert_nonnull (strstr (r->error, "ended before it finished"));
          g_assert_cmpint (r->finished, >, 0);
        }
    }
  g_assert_cmpint (cnc_job_record_mark_interrupted (f->ws, &error), ==, 0);

  /* The command line lists them. */
  {
    const char *args[] = { "--workspace", f->ws_path, "jobs", "--json", NULL };
    g_autoptr(JsonNode) root = NULL;
    JsonArray *list;

    g_assert_cmpint (cnc_test_run_cli (args, &out, NULL), ==, 0);
    root = cnc_test_parse_json (out);
    list = json_object_get_array_member (json_node_get_object (root), "jobs");
    g_assert_cmpuint (json_array_get_length (list), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 3), "state"), ==,
                     "interrupted");
  }
}

/* ---- evaluation ----------------------------------------------------------------------------------- */

/* Half floats that agree to float16 precision: within one unit in the last place of the larger,
 * plus @slack for the float32 differences of the two computations (libtorch's optimized variants
 * against PyTorch's plain run, at most 1e-5 of the row's scale; they matter only near zero, where
 * float16's units are smaller). NaN and infinities must agree. */
static gboolean
halves_close (guint16 a, guint16 b, double slack)
{
  float x = cnc_half_to_float (a), y = cnc_half_to_float (b);
  double larger, ulp;

  if (isnan (x) || isnan (y))
    return isnan (x) && isnan (y);
  if (isinf (x) || isinf (y))
    return x == y;
  larger = MAX (fabs (x), fabs (y));
  ulp = larger < 6.103515625e-05 ? ldexp (1, -24) : ldexp (1, (int) floor (log2 (larger)) - 10);
  return fabs ((double) x - y) <= ulp + slack;
}

/* The stored evaluation of @name against PyTorch's. */
static void
check_against_pytorch (Fixture *f, const char *name)
{
  JsonObject *want = expected_for (name);
  g_autofree char *f_predicted = g_strdup_printf ("%s.predicted", name);
  g_autofree char *f_top5 = g_strdup_printf ("%s.top5", name);
  g_autofree char *f_logits = g_strdup_printf ("%s.logits-f16", name);
  g_autofree char *f_p_true = g_strdup_printf ("%s.p-true", name);
  g_autofree char *f_p_max = g_strdup_printf ("%s.p-max", name);
  g_autofree char *f_gap = g_strdup_printf ("%s.gap", name);
  g_autofree gint16 *predicted = read_fixture (f_predicted, 2, NULL);
  g_autofree gint16 *top5 = read_fixture (f_top5, 2, NULL);
  g_autofree guint16 *logits = read_fixture (f_logits, 2, NULL);
  g_autofree double *p_true = read_fixture (f_p_true, 8, NULL);
  g_autofree double *p_max = read_fixture (f_p_max, 8, NULL);
  g_autofree double *gap = read_fixture (f_gap, 8, NULL);
  g_autofree char *f_logits32 = g_strdup_printf ("%s.logits-f32", name);
  g_autofree float *logits32 = read_fixture (f_logits32, 4, NULL);
  double worst = 0;
  g_autofree gint16 *labels = read_fixture ("labels.i16", 2, NULL);
  g_autoptr(CncModel) model = NULL;
  g_autoptr(CncPredictions) p = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n = json_object_get_int_member (want, "n"), correct = 0, close_calls = 0, exact_logits = 0;
  guint k = (guint) json_object_get_int_member (want, "k");
  double top1 = NAN, top5_metric = NAN;

  model = cnc_workspace_find_model (f->ws, name, &error);
  g_assert_no_error (error);
  p = cnc_predictions_load (f->ws, model->id, -1, NULL, CNC_PREDICTIONS_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->n, ==, n);
  g_assert_cmpuint (p->k, ==, k);
  g_assert_cmpint (p->nonfinite, ==, json_object_get_int_member (want, "nonfinite"));
  g_assert_cmpstr (p->device, ==, "cpu");
  g_assert_cmpuint (p->threads, ==, 2);
  g_assert_cmpuint (p->batch, ==, 256);
  g_assert_cmpmem (p->labels, n * 2, labels, n * 2);

  for (gint64 i = 0; i < n; i++)
    {
      correct += p->predicted[i] == p->labels[i];
      /* Order among values closer than float32 noise is not defined; everything else must agree. */
      if (gap[i] < 1e-4)
        {
          close_calls++;
          continue;
        }
      if (p->predicted[i] != predicted[i])
        g_error ("%s: instance %" G_GINT64_FORMAT ": predicted %d, PyTorch %d", name, i, p->predicted[i], predicted[i]);
      for (guint j = 0; j < 5; j++)
        if (p->top5[i * 5 + j] != top5[i * 5 + j])
          g_error ("%s: instance %" G_GINT64_FORMAT ": top-5 differs at rank %u", name, i, j);
    }
  for (gint64 i = 0; i < n * k; i++)
    {
      double row_scale = 1;

      for (guint j = 0; j < k; j++)
        if (isfinite (logits32[i / k * k + j]))
          row_scale = MAX (row_scale, fabs (logits32[i / k * k + j]));
      exact_logits += p->logits[i] == logits[i];
      if (isfinite (logits32[i]))
        worst = MAX (worst, fabs (cnc_half_to_float (p->logits[i]) - logits32[i]) / MAX (1.0, fabs (logits32[i])));
      if (!halves_close (p->logits[i], logits[i], 1e-5 * row_scale))
        g_error ("%s: logit %" G_GINT64_FORMAT ": %g, PyTorch %g", name, i,
                 cnc_half_to_float (p->logits[i]), cnc_half_to_float (logits[i]));
    }
  for (gint64 i = 0; i < n; i++)
    {
      if (isnan (p_true[i]))
        {
          g_assert_true (isnan (p->p_true[i]) && isnan (p->p_max[i]));
          continue;
        }
      if (fabs (p->p_true[i] - p_true[i]) > 1e-5 || fabs (p->p_max[i] - p_max[i]) > 1e-5)
        g_error ("%s: instance %" G_GINT64_FORMAT ": p_true %g p_max %g, PyTorch %g %g", name, i,
                 p->p_true[i], p->p_max[i], p_true[i], p_max[i]);
    }
  g_test_message ("%s: %" G_GINT64_FORMAT " close calls, %.4f%% of logits identical as float16, "
                  "largest difference from PyTorch's float32 logits %.3g (relative above 1)", name,
                  close_calls, 100.0 * exact_logits / (n * k), worst);
  /* float16 rounding is at most 2^-11 relative: anything more is a real difference. */
  g_assert_cmpfloat (worst, <=, ldexp (1, -11) + 1e-5);
  g_assert_cmpint (close_calls, <, 10);
  /* The same instances counted: exactly PyTorch's top-1. */
  g_assert_cmpint (correct, ==, json_object_get_int_member (want, "correct"));

  values = cnc_workspace_list_metric_values (f->ws, model->id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < values->len; i++)
    {
      CncMetricValue *v = values->pdata[i];
      if (g_str_equal (v->metric, "Top-1 Accuracy"))
        top1 = v->value;
      else if (g_str_equal (v->metric, "Top-5 Accuracy"))
        top5_metric = v->value;
      else if (g_str_equal (v->metric, "Latency") || g_str_equal (v->metric, "Throughput")
               || g_str_equal (v->metric, "Gzip size") || g_str_equal (v->metric, "Latency p95"))
        g_assert_cmpfloat (v->value, >, 0);
    }
  g_assert_cmpfloat (top1, ==, (double) json_object_get_int_member (want, "correct") / n);
  g_assert_cmpfloat (fabs (top5_metric - json_object_get_double_member (want, "top5")), <, 1.5 / n);
}

static void
test_evaluate_matches_pytorch (Fixture *f, gconstpointer data)
{
  const char *args[] = { "--workspace", f->ws_path, "evaluate", "--all", "--threads", "2", NULL };
  g_autofree char *out = NULL, *err = NULL, *show = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen_gzip = FALSE;

  import (f, "cnn-scripted.pt", "cnn-scripted", FALSE);
  import (f, "mlp-traced.pt", "mlp-traced", FALSE);
  import (f, "nan-model.pt", "nan-model", FALSE);
  import (f, "state-dict.pt", "weights", FALSE);

  g_assert_cmpint (cnc_test_run_cli (args, &out, &err), ==, 0);
  g_test_message ("%s%s", out, err);
  /* The weights-only model is skipped and named; NaN outputs are counted and said. */
  g_assert_nonnull (strstr (err, "skipping 1 model"));
  g_assert_nonnull (strstr (err, "weights"));
  {
    g_autofree char *line = g_strdup_printf ("cnn-scripted: top-1 %.2f%%", 100 * json_object_get_double_member (
                                               expected_for ("cnn-scripted"), "top1"));
    g_assert_nonnull (strstr (out, line));
  }
  g_assert_nonnull (strstr (out, "2115 instances gave NaN or Inf outputs"));

  check_against_pytorch (f, "cnn-scripted");
  check_against_pytorch (f, "mlp-traced");
  check_against_pytorch (f, "nan-model");

  /* The metrics are defined once, with units and directions. */
  metrics = cnc_workspace_list_metrics (f->ws, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < metrics->len; i++)
    {
      CncMetric *m = metrics->pdata[i];
      if (g_str_equal (m->name, "Gzip size"))
        {
          seen_gzip = TRUE;
          g_assert_cmpstr (m->unit, ==, "B");
          g_assert_false (m->higher_is_better);
        }
      if (g_str_equal (m->name, "Top-1 Accuracy"))
        g_assert_true (m->primary && m->higher_is_better);
    }
  g_assert_true (seen_gzip);

  /* show lists the evaluation with its per-class accuracy. */
  {
    const char *show_args[] = { "--workspace", f->ws_path, "show", "cnn-scripted", NULL };
    g_assert_cmpint (cnc_test_run_cli (show_args, &show, NULL), ==, 0);
    g_assert_nonnull (strstr (show, "fashion-mnist/test"));
    g_autofree char *top1 = g_strdup_printf ("%.2f%%", 100 * json_object_get_double_member (
                                               expected_for ("cnn-scripted"), "top1"));
    g_assert_nonnull (strstr (show, top1));
    g_assert_nonnull (strstr (show, "Ankle boot"));
  }
}

/* Gzip size: our count against Python's gzip of the same records (zlib level 6 both). */
static void
test_gzip_size (void)
{
  g_autofree char *path = fixture_file ("cnn-scripted.pt");
  g_autofree char *code = g_strdup_printf (
    "import zipfile, zlib\n"
    "z = zipfile.ZipFile('%s')\n"
    "c = zlib.compressobj(6, zlib.DEFLATED, 31)\n"
    "n = 0\n"
    "for i in z.infolist():\n"
    "    parts = i.filename.split('/')\n"
    "    if len(parts) == 3 and parts[1] == 'data':\n"
    "        n += len(c.compress(z.read(i)))\n"
    "print(n + len(c.flush()))\n", path);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "/usr/bin/python3", "-c", code, NULL };
  gint64 size = 0;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (cnc_evaluate_gzip_size (path, &size, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (size, ==, g_ascii_strtoll (out, NULL, 10));
  g_assert_cmpint (size, >, 1000);
}

typedef struct {
  gboolean cancel;
  double   cancelled_at;
} CancelWatch;

/* On the worker thread, at the first report of the evaluation pass after its first batch: the
 * cancel lands mid-run on any machine, however fast (reports to the main loop are coalesced by
 * time, so a fast machine could finish between two of them). */
static void
cancel_midway (CncJob *job, gint64 done, gint64 total, const char *message, gpointer data)
{
  CancelWatch *w = data;

  if (w->cancel && done > 0 && done < total && g_str_has_prefix (message, "Evaluating"))
    {
      w->cancelled_at = (double) done / total;
      cnc_job_cancel (job);
      w->cancel = FALSE;
    }
}

static CncJob *
evaluate (CncWorker *worker, gint64 model, const CncEvaluateOptions *options, CancelWatch *watch)
{
  g_autoptr(GError) error = NULL;
  CncJob *job;

  _cnc_worker_set_step_hook (worker, watch ? cancel_midway : NULL, watch);
  job = cnc_evaluate_submit (worker, model, options, &error);
  g_assert_no_error (error);
  cnc_worker_wait (worker);
  return job;
}

static void
test_evaluate_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorker) worker = cnc_worker_new (f->ws_path, NULL, &error);
  g_autoptr(CncJob) first = NULL, second = NULL, third = NULL;
  g_autoptr(CncPredictions) p = NULL;
  g_autoptr(CncJobRecord) record = NULL;
  g_autofree char *before = NULL, *after = NULL;
  CncEvaluateOptions options = { .threads = 2, .batch = 100 };
  CancelWatch watch = { .cancel = TRUE };
  gint64 model = import (f, "cnn-scripted.pt", "cnn", FALSE);

  g_assert_no_error (error);
  first = evaluate (worker, model, &options, NULL);
  g_assert_cmpint (cnc_job_get_state (first), ==, CNC_JOB_DONE);
  before = fingerprint (f);

  /* Cancelled mid-run: the first evaluation stays, whole. */
  second = evaluate (worker, model, &options, &watch);
  g_assert_cmpint (cnc_job_get_state (second), ==, CNC_JOB_CANCELLED);
  g_assert_cmpfloat (watch.cancelled_at, >, 0);
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
  record = job_record (f, second);
  g_assert_cmpint (record->state, ==, CNC_JOB_CANCELLED);
  p = cnc_predictions_load (f->ws, model, -1, NULL, CNC_PREDICTIONS_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (p->batch, ==, 100);
  g_assert_cmpint (p->n, ==, 10000);

  /* Re-evaluating replaces it whole: one evaluation, its six arrays, the new batch size. */
  options.batch = 512;
  third = evaluate (worker, model, &options, NULL);
  g_assert_cmpint (cnc_job_get_state (third), ==, CNC_JOB_DONE);
  g_clear_pointer (&p, cnc_predictions_free);
  p = cnc_predictions_load (f->ws, model, -1, NULL, CNC_PREDICTIONS_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (p->batch, ==, 512);
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM evaluations"), ==, 1);
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM prediction_arrays"), ==, 6);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM jobs WHERE state = 'done'"), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM evaluations e JOIN jobs j ON j.id = e.job"
                                  " WHERE j.id = (SELECT max (id) FROM jobs)"), ==, 1);
}

/* Each bad input: refused with a message that says why; only the failed job's record added. */
static void
refuse (Fixture *f, CncWorker *worker, gint64 model, const CncEvaluateOptions *options, const char *words,
        const char *more_words)
{
  g_autofree char *before = fingerprint (f), *after = NULL;
  guint jobs_before = count_rows (f, "SELECT count(*) FROM jobs");
  g_autoptr(CncJob) job = evaluate (worker, model, options, NULL);
  g_autoptr(CncJobRecord) record = NULL;
  const GError *error = cnc_job_get_error (job);

  g_assert_cmpint (cnc_job_get_state (job), ==, CNC_JOB_FAILED);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  if (strstr (error->message, words) == NULL || (more_words && strstr (error->message, more_words) == NULL))
    g_error ("“%s” should say “%s” and “%s”", error->message, words, more_words ? more_words : "");
  g_assert_null (strchr (error->message, '\n'));
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM jobs"), ==, jobs_before + 1);
  record = job_record (f, job);
  g_assert_cmpint (record->state, ==, CNC_JOB_FAILED);
  g_assert_cmpstr (record->error, ==, error->message);
}

static void
test_evaluate_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorker) worker = cnc_worker_new (f->ws_path, NULL, &error);
  g_autoptr(CncDataset) builtin = NULL;
  g_autofree char *linked = g_build_filename (f->dir, "linked.pt", NULL);
  g_autofree char *source = fixture_file ("mlp-traced.pt");
  g_autofree char *bytes = NULL;
  gsize len = 0;
  CncEvaluateOptions options = { .threads = 1 };
  CncEvaluateOptions cuda = { .device = "cuda:0" };
  CncEvaluateOptions no_dataset = { .dataset = "imagenet" };
  CncEvaluateOptions no_split = { .split = "validation" };
  gint64 wrong, seven, weights, mlp, changed;

  g_assert_no_error (error);
  wrong = import (f, "wrong-shape.pt", "wrong-shape", FALSE);
  seven = import (f, "seven-outputs.pt", "seven", FALSE);
  weights = import (f, "state-dict.pt", "weights", FALSE);
  mlp = import (f, "mlp-traced.pt", "mlp", FALSE);
  g_assert_true (g_file_get_contents (source, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (linked, bytes, len, NULL));
  changed = import (f, linked, "linked", TRUE);
  /* The built-in dataset's rows are made on first use: not part of any refusal. */
  builtin = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);

  refuse (f, worker, wrong, &options, "1×28×28", "expects 3 channels");
  refuse (f, worker, seven, &options, "gives 7 outputs", "has 10 classes");
  refuse (f, worker, weights, &options, "weights only", "“weights”");
  refuse (f, worker, mlp, &cuda, "cuda:0 is not available", NULL);
  refuse (f, worker, mlp, &no_dataset, "imagenet", NULL);
  refuse (f, worker, mlp, &no_split, "validation", NULL);
  bytes[len / 2] ^= 0x55;
  g_assert_true (g_file_set_contents (linked, bytes, len, NULL));
  refuse (f, worker, changed, &options, "changed since it was imported", NULL);
}

/* Ctrl+C in `evaluate`: the job is recorded as cancelled and nothing else changes. */
static void
test_cli_interrupt (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL, *err = NULL, *contents = NULL, *line = NULL;
  g_autofree char *dir = cnc_test_tmpdir ("interrupt");
  g_autofree char *original = fixture_file ("cnn-scripted.pt");
  g_autofree char *linked = g_build_filename (dir, "cnn.pt", NULL);
  const char *argv[] = { g_getenv ("CNC_CLI"), "--workspace", f->ws_path, "evaluate", "cnn", "--threads", "1", NULL };
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autoptr(CncDataset) test_split = NULL;
  gsize length = 0;
  GPid pid;
  int err_fd, status = 0, fifo;
  gint64 deadline;
  gboolean running = FALSE;

  /* The model is linked, not stored, so its file can be swapped for a FIFO: the job then blocks
   * reading it (checking its SHA-256) until the test writes it, and the interrupt lands while the
   * job runs on any machine, however fast. */
  g_assert_true (g_file_get_contents (original, &contents, &length, &error));
  g_assert_true (g_file_set_contents (linked, contents, length, &error));
  import (f, linked, "cnn", TRUE);
  /* The built-in dataset's rows are made on first use: before the fingerprint. */
  test_split = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  before = fingerprint (f);
  g_assert_cmpint (g_unlink (linked), ==, 0);
  g_assert_cmpint (mkfifo (linked, 0600), ==, 0);

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                            NULL, NULL, &pid, NULL, NULL, &err_fd, &error);
  g_assert_no_error (error);
  channel = g_io_channel_unix_new (err_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  /* Wait until its job runs (the registry says so): it is then blocked on the FIFO. */
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (!running && g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&jobs, g_ptr_array_unref);
      jobs = cnc_job_record_list (f->ws, 1, &error);
      g_assert_no_error (error);
      running = jobs->len == 1 && ((CncJobRecord *) jobs->pdata[0])->state == CNC_JOB_RUNNING;
      g_usleep (20000);
    }
  g_assert_true (running);
  kill (pid, SIGINT);
  /* The command says it is cancelling once it has cancelled its job; only then is the FIFO fed. */
  while (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL
         && strstr (line, "cancelling") == NULL)
    g_clear_pointer (&line, g_free);
  g_assert_nonnull (line);
  /* The cancelled job may stop reading (and close the FIFO) before all is written: a short write or
   * EPIPE is expected then, not a failure. */
  signal (SIGPIPE, SIG_IGN);
  fifo = open (linked, O_WRONLY);
  g_assert_cmpint (fifo, >=, 0);
  if (write (fifo, contents, length) < 0)
    g_assert_cmpint (errno, ==, EPIPE);
  close (fifo);
  signal (SIGPIPE, SIG_DFL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_io_channel_read_to_end (channel, &err, NULL, NULL);
  g_test_message ("stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "evaluation of cnn cancelled; its previous results are kept"));

  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = cnc_job_record_list (f->ws, 1, &error);
  g_assert_cmpint (((CncJobRecord *) jobs->pdata[0])->state, ==, CNC_JOB_CANCELLED);
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
  g_unlink (linked);
  cnc_test_rmtree (dir);
}

/* Usage errors and unknown models: nothing queued, nothing recorded. */
static void
test_cli_usage (Fixture *f, gconstpointer data)
{
  const char *bad_device[] = { "--workspace", f->ws_path, "evaluate", "cnn", "--device", "tpu", NULL };
  const char *both[] = { "--workspace", f->ws_path, "evaluate", "cnn", "--all", NULL };
  const char *none[] = { "--workspace", f->ws_path, "evaluate", NULL };
  const char *unknown[] = { "--workspace", f->ws_path, "evaluate", "cnn", "nosuch", NULL };
  const char *devices[] = { "devices", "--json", NULL };
  g_autofree char *err = NULL, *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *cpu;

  import (f, "cnn-scripted.pt", "cnn", FALSE);
  g_assert_cmpint (cnc_test_run_cli (bad_device, NULL, NULL), ==, 2);
  g_assert_cmpint (cnc_test_run_cli (both, NULL, NULL), ==, 2);
  g_assert_cmpint (cnc_test_run_cli (none, NULL, NULL), ==, 2);
  g_assert_cmpint (cnc_test_run_cli (unknown, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "nosuch"));
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM jobs"), ==, 0);

  g_assert_cmpint (cnc_test_run_cli (devices, &out, NULL), ==, 0);
  root = cnc_test_parse_json (out);
  cpu = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "devices"), 0);
  g_assert_cmpstr (json_object_get_string_member (cpu, "name"), ==, "cpu");
  g_assert_true (json_object_get_boolean_member (cpu, "available"));
  g_assert_cmpint (json_object_get_int_member (cpu, "cores"), ==, g_get_num_processors ());
}

static void
test_skipped (void)
{
  g_test_skip ("python3-torch or the Fashion-MNIST package (dataset-fashion-mnist) is missing");
}

static gboolean
make_fixtures (void)
{
  const char *args[2] = { NULL, NULL };
  g_autofree char *text = NULL, *path = NULL;
  int status = 0;

  if (!g_file_test ("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", G_FILE_TEST_IS_REGULAR))
    return FALSE;
  if (!g_spawn_command_line_sync ("/usr/bin/python3 -c 'import torch, numpy'", NULL, NULL, &status, NULL)
      || status != 0)
    return FALSE;
  fixtures = cnc_test_tmpdir ("engine-fixtures");
  args[0] = fixtures;
  cnc_test_run_python ("make-engine-fixtures.py", args);
  path = fixture_file ("expected.json");
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  expected = cnc_test_parse_json (text);
  return TRUE;
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (make_fixtures ())
    {
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
      g_test_add_func ("/engine/half", test_half);
      g_test_add_func ("/engine/shim/devices", test_devices);
      ADD ("/engine/shim/forward", test_shim_forward);
      g_test_add_func ("/engine/shim/errors", test_shim_errors);
      ADD ("/engine/predictions/store", test_predictions_store);
      ADD ("/engine/worker/progress", test_worker_progress);
      ADD ("/engine/worker/fail-and-cancel", test_worker_fail_and_cancel);
      ADD ("/engine/jobs/interrupted", test_jobs_interrupted);
      g_test_add_func ("/engine/evaluate/gzip-size", test_gzip_size);
      ADD ("/engine/evaluate/matches-pytorch", test_evaluate_matches_pytorch);
      ADD ("/engine/evaluate/cancel", test_evaluate_cancel);
      ADD ("/engine/evaluate/refused", test_evaluate_refused);
      ADD ("/engine/cli/interrupt", test_cli_interrupt);
      ADD ("/engine/cli/usage", test_cli_usage);
#undef ADD
    }
  else
    g_test_add_func ("/engine/skipped", test_skipped);

  status = g_test_run ();
  if (fixtures)
    cnc_test_rmtree (fixtures);
  return status;
}
