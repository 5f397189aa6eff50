/* cnc-demo.c
 * The demo's recipe: which models it makes from which, with what parameters; queued in order on the worker
 * (each job finds its parent made by an earlier one), the last two once the best pruned model is known.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-engine"

#include "cnc-demo.h"

#include <math.h>

#include "cnc-operation-job.h"

/* Fine-tuned pruned models within this much top-1 accuracy of the base count as good. */
#define BEST_PRUNED_TOLERANCE 0.01

static const double prune_amounts[] = { 0.3, 0.5, 0.7, 0.9 };

struct _CncDemo
{
  GObject     parent_instance;

  CncWorker  *worker;
  gboolean    quick;
  GPtrArray  *jobs;          /* CncJob*, submitted */
  guint       n_models;
  guint       n_done;
  guint       n_pending;     /* submitted, not finished */
  gboolean    started;
  gboolean    second_wave;   /* the best pruned model's quantizations are queued */
  gboolean    finished;
  GError     *error;
  gint64      started_at, finished_at;
};

G_DEFINE_FINAL_TYPE (CncDemo, cnc_demo, G_TYPE_OBJECT)

enum {
  JOB_SUBMITTED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cnc_demo_finalize (GObject *object)
{
  CncDemo *self = CNC_DEMO (object);

  g_clear_object (&self->worker);
  g_ptr_array_unref (self->jobs);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (cnc_demo_parent_class)->finalize (object);
}

static void
cnc_demo_class_init (CncDemoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cnc_demo_finalize;

  signals[JOB_SUBMITTED] = g_signal_new ("job-submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, CNC_TYPE_JOB);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cnc_demo_init (CncDemo *self)
{
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
}

CncDemo *
cnc_demo_new (CncWorker *worker,
              gboolean   quick)
{
  CncDemo *self;

  g_return_val_if_fail (CNC_IS_WORKER (worker), NULL);
  self = g_object_new (CNC_TYPE_DEMO, NULL);
  self->worker = g_object_ref (worker);
  self->quick = quick;
  /* base; 4 pruned, 4 fine-tuned; channels and fine-tuned; BN recalibration; base int8, int4,
   * dynamic int8; student, distilled student; the best pruned model's int8 and int4. */
  self->n_models = 1 + 8 + 2 + 1 + 3 + 2 + 2;
  return self;
}

/* ---- the recipe ---- */

/* Training options: the full demo's, or a few batches when quick. */
static void
training (CncDemo           *self,
          CncOperateOptions *o,
          guint              epochs,
          double             learning_rate,
          guint              quick_batches)
{
  o->train.epochs = self->quick ? 1 : epochs;
  o->train.learning_rate = learning_rate;
  o->train.batch_size = 128;
  o->train.seed = 0;
  if (self->quick)
    o->train.max_batches = quick_batches;
}

static void
finish (CncDemo *self)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  self->finished_at = g_get_monotonic_time ();
  g_signal_emit (self, signals[FINISHED], 0);
}

static void submit_second_wave (CncDemo *self);

static void
on_job_finished (CncJob  *job,
                 CncDemo *self)
{
  g_object_ref (self);
  self->n_pending--;
  if (cnc_job_get_state (job) == CNC_JOB_DONE)
    self->n_done++;
  else if (self->error == NULL)
    {
      const GError *error = cnc_job_get_error (job);

      self->error = error ? g_error_copy (error)
                          : g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "a job of the demo did not finish");
      /* The later jobs would only fail for want of their parents. */
      for (guint i = 0; i < self->jobs->len; i++)
        cnc_job_cancel (self->jobs->pdata[i]);
    }

  if (self->n_pending == 0)
    {
      if (self->error == NULL && !self->second_wave)
        submit_second_wave (self);
      if (self->n_pending == 0)
        finish (self);
    }
  g_object_unref (self);
}

static gboolean
submit (CncDemo           *self,
        CncOperateOptions *o,
        const char        *notes)
{
  g_autoptr(GError) error = NULL;
  CncJob *job;

  if (self->error)
    return FALSE;
  o->notes = notes;
  job = cnc_operate_submit (self->worker, o, &error);
  if (job == NULL)
    {
      self->error = g_steal_pointer (&error);
      for (guint i = 0; i < self->jobs->len; i++)
        cnc_job_cancel (self->jobs->pdata[i]);
      return FALSE;
    }
  g_ptr_array_add (self->jobs, job);
  self->n_pending++;
  g_signal_connect_object (job, "finished", G_CALLBACK (on_job_finished), self, 0);
  g_signal_emit (self, signals[JOB_SUBMITTED], 0, job);
  return TRUE;
}

static void
submit_first_wave (CncDemo *self)
{
  CncOperateOptions o;
  char name[64], parent[64];

  /* The base CNN: 2 epochs of Adam, learning rate 2e-3 then 5e-4 (≥ 88% test accuracy). */
  cnc_operate_options_init (&o, CNC_OPERATION_TRAIN);
  o.name = "base";
  o.cnn = CNC_CNN_BASE;
  training (self, &o, 2, 2e-3, 60);
  o.train.lr_decay = 0.25;
  if (!submit (self, &o, "The demo's base model: a small CNN (2 convolutions with BatchNorm, 2 linear layers) "
               "trained from scratch on Fashion-MNIST by the app"))
    return;

  /* Magnitude pruning at 30, 50, 70 and 90%, each then fine-tuned for an epoch. */
  for (guint i = 0; i < G_N_ELEMENTS (prune_amounts); i++)
    {
      g_snprintf (name, sizeof name, "prune-%.0f", prune_amounts[i] * 100);
      cnc_operate_options_init (&o, CNC_OPERATION_PRUNE);
      o.name = name;
      o.parent = "base";
      o.prune.amount = prune_amounts[i];
      if (!submit (self, &o, "Global magnitude pruning of the base model, without fine-tuning"))
        return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (prune_amounts); i++)
    {
      g_snprintf (parent, sizeof parent, "prune-%.0f", prune_amounts[i] * 100);
      g_snprintf (name, sizeof name, "prune-%.0f-ft", prune_amounts[i] * 100);
      cnc_operate_options_init (&o, CNC_OPERATION_FINE_TUNE);
      o.name = name;
      o.parent = parent;
      training (self, &o, 1, 1e-3, 20);
      if (!submit (self, &o, "The pruned model fine-tuned for an epoch; its pruned weights stay zero"))
        return;
    }

  /* Structured: half the output channels of every layer but the last, then fine-tuned. */
  cnc_operate_options_init (&o, CNC_OPERATION_PRUNE_CHANNELS);
  o.name = "channels-50";
  o.parent = "base";
  o.prune.amount = 0.5;
  if (!submit (self, &o, "L1-norm channel pruning: half the output channels of each layer zeroed whole"))
    return;
  cnc_operate_options_init (&o, CNC_OPERATION_FINE_TUNE);
  o.name = "channels-50-ft";
  o.parent = "channels-50";
  training (self, &o, 1, 1e-3, 20);
  if (!submit (self, &o, "The channel-pruned model fine-tuned for an epoch"))
    return;

  /* Pruning shifts the activations: re-estimating BatchNorm statistics recovers some accuracy
   * without training. */
  cnc_operate_options_init (&o, CNC_OPERATION_RECALIBRATE);
  o.name = "prune-70-bn";
  o.parent = "prune-70";
  o.recalibrate.batches = self->quick ? 10 : 100;
  if (!submit (self, &o, "BatchNorm statistics of the 70% pruned model re-estimated on training data"))
    return;

  /* Quantization of the base model. */
  cnc_operate_options_init (&o, CNC_OPERATION_QUANTIZE);
  o.name = "base-int8";
  o.parent = "base";
  o.quantize.bits = 8;
  if (!submit (self, &o, "Per-channel symmetric int8 weights (stored dequantized)"))
    return;
  o.name = "base-int4";
  o.quantize.bits = 4;
  if (!submit (self, &o, "Per-channel symmetric int4 weights (stored dequantized)"))
    return;
  cnc_operate_options_init (&o, CNC_OPERATION_QUANTIZE_DYNAMIC);
  o.name = "base-dynamic-int8";
  o.parent = "base";
  if (!submit (self, &o, "libtorch's dynamic int8 quantization of the linear layers"))
    return;

  /* A smaller student, trained alone, then distilled from the base model. */
  cnc_operate_options_init (&o, CNC_OPERATION_TRAIN);
  o.name = "student";
  o.cnn = CNC_CNN_STUDENT;
  training (self, &o, 1, 2e-3, 30);
  if (!submit (self, &o, "A student CNN with 8× fewer parameters, trained alone for an epoch"))
    return;
  cnc_operate_options_init (&o, CNC_OPERATION_DISTILL);
  o.name = "student-kd";
  o.parent = "student";
  o.teacher = "base";
  o.train.keep_zeros = FALSE;
  training (self, &o, 1, 1e-3, 20);
  if (!submit (self, &o, "The student trained one more epoch against the base model's softened logits"))
    return;
}

/* The top-1 accuracy of model @name (NAN when it has none). */
static double
top1_of (GPtrArray  *models,
         GPtrArray  *values,
         const char *name)
{
  for (guint m = 0; m < models->len; m++)
    {
      CncModel *model = models->pdata[m];

      if (!g_str_equal (model->name, name))
        continue;
      for (guint v = 0; v < values->len; v++)
        {
          CncMetricValue *mv = values->pdata[v];
          if (mv->model == model->id && g_str_equal (mv->metric, "Top-1 Accuracy"))
            return mv->value;
        }
    }
  return NAN;
}

/* The fine-tuned pruned model with the most sparsity whose top-1 accuracy is within
 * BEST_PRUNED_TOLERANCE of the base model's (else the most accurate one). */
static char *
best_pruned (CncDemo *self,
             GError **error)
{
  CncWorkspace *ws = cnc_worker_get_workspace (self->worker);
  g_autoptr(GPtrArray) values = cnc_workspace_list_metric_values (ws, -1, error);
  g_autoptr(GPtrArray) models = values ? cnc_workspace_list_models (ws, error) : NULL;
  g_autofree char *chosen_ok = NULL, *chosen_any = NULL;
  double base_accuracy, best_any = -1;

  if (models == NULL)
    return NULL;
  base_accuracy = top1_of (models, values, "base");
  /* In increasing sparsity: the last one within the tolerance is the sparsest. */
  for (guint i = 0; i < G_N_ELEMENTS (prune_amounts); i++)
    {
      g_autofree char *name = g_strdup_printf ("prune-%.0f-ft", prune_amounts[i] * 100);
      double accuracy = top1_of (models, values, name);

      if (isnan (accuracy))
        continue;
      if (accuracy > best_any)
        {
          best_any = accuracy;
          g_free (chosen_any);
          chosen_any = g_strdup (name);
        }
      if (accuracy >= base_accuracy - BEST_PRUNED_TOLERANCE)
        {
          g_free (chosen_ok);
          chosen_ok = g_strdup (name);
        }
    }
  if (chosen_ok == NULL && chosen_any == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the demo's fine-tuned pruned models are missing");
      return NULL;
    }
  return chosen_ok ? g_steal_pointer (&chosen_ok) : g_steal_pointer (&chosen_any);
}

static void
submit_second_wave (CncDemo *self)
{
  g_autofree char *best = NULL;
  g_autofree char *name8 = NULL, *name4 = NULL, *notes = NULL;
  CncOperateOptions o;

  self->second_wave = TRUE;
  if (!(best = best_pruned (self, &self->error)))
    return;
  name8 = g_strdup_printf ("%s-int8", best);
  name4 = g_strdup_printf ("%s-int4", best);
  notes = g_strdup_printf ("%s (the sparsest fine-tuned pruned model within %.0f point of the base model's "
                           "accuracy) with per-channel symmetric weights", best, BEST_PRUNED_TOLERANCE * 100);
  cnc_operate_options_init (&o, CNC_OPERATION_QUANTIZE);
  o.parent = best;
  o.name = name8;
  o.quantize.bits = 8;
  if (!submit (self, &o, notes))
    return;
  o.name = name4;
  o.quantize.bits = 4;
  submit (self, &o, notes);
}

void
cnc_demo_start (CncDemo *self)
{
  g_return_if_fail (CNC_IS_DEMO (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  self->started_at = g_get_monotonic_time ();
  submit_first_wave (self);
  if (self->n_pending == 0)
    finish (self);
}

void
cnc_demo_cancel (CncDemo *self)
{
  g_return_if_fail (CNC_IS_DEMO (self));

  if (self->error == NULL)
    self->error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the demo was cancelled");
  for (guint i = 0; i < self->jobs->len; i++)
    cnc_job_cancel (self->jobs->pdata[i]);
}

guint
cnc_demo_get_n_models (CncDemo *self)
{
  g_return_val_if_fail (CNC_IS_DEMO (self), 0);
  return self->n_models;
}

guint
cnc_demo_get_n_done (CncDemo *self)
{
  g_return_val_if_fail (CNC_IS_DEMO (self), 0);
  return self->n_done;
}

gboolean
cnc_demo_is_finished (CncDemo *self)
{
  g_return_val_if_fail (CNC_IS_DEMO (self), FALSE);
  return self->finished;
}

const GError *
cnc_demo_get_error (CncDemo *self)
{
  g_return_val_if_fail (CNC_IS_DEMO (self), NULL);
  return self->error;
}

double
cnc_demo_get_seconds (CncDemo *self)
{
  g_return_val_if_fail (CNC_IS_DEMO (self), 0);
  if (!self->started)
    return 0;
  return ((self->finished ? self->finished_at : g_get_monotonic_time ()) - self->started_at) / 1e6;
}
