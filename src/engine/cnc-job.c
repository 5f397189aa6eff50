/* cnc-job.c
 * Jobs: the running context and its progress arithmetic, the live CncJob object.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-engine"

#include "cnc-job-private.h"

/* Reports reach the main loop at most this often (the last one of a phase always does). */
#define REPORT_INTERVAL_US (G_USEC_PER_SEC / 4)   /* a redraw each: cheap for a person to watch, cheap to draw */

/* ---- the running context --------------------------------------------------------------------- */

CncWorkspace *
cnc_job_context_get_workspace (CncJobContext *context)
{
  return context->workspace;
}

GCancellable *
cnc_job_context_get_cancellable (CncJobContext *context)
{
  return context->cancellable;
}

gint64
cnc_job_context_get_id (CncJobContext *context)
{
  return context->id;
}

void
cnc_job_context_set_summary (CncJobContext *context,
                             const char    *summary)
{
  g_free (context->summary);
  context->summary = g_strdup (summary);
}

void
cnc_job_context_progress (CncJobContext *context,
                          gint64         done,
                          gint64         total,
                          const char    *message)
{
  gint64 now = g_get_monotonic_time ();
  double fraction = -1, rate = 0, eta = -1;

  if (context->step_hook)
    context->step_hook (context->job, done, total, message, context->step_hook_data);
  if (total != context->phase_total || done < context->phase_done)
    {
      context->phase_total = total;
      context->phase_done = done;
      context->phase_time = now;
    }
  /* Coalesce: at most REPORT_INTERVAL apart, but the start and the end of a phase always. */
  if (now - context->last_report < REPORT_INTERVAL_US && done != total && done != context->phase_done)
    return;
  context->last_report = now;

  if (total > 0)
    fraction = CLAMP ((double) done / total, 0.0, 1.0);
  if (now > context->phase_time && done > context->phase_done)
    {
      rate = (done - context->phase_done) / ((now - context->phase_time) / (double) G_USEC_PER_SEC);
      if (total > 0 && rate > 0)
        eta = (total - done) / rate;
    }
  if (context->report)
    context->report (context->reporter, context->job, fraction, rate, eta, message);
}

/* ---- the live job ----------------------------------------------------------------------------- */

struct _CncJob
{
  GObject           parent_instance;

  gint64            id;
  const CncJobKind *kind;
  gint64            model;
  gpointer          data;
  GDestroyNotify    data_free;
  GCancellable     *cancellable;
  char             *parameters;

  CncJobState       state;
  double            fraction, rate, eta;
  char             *message;
  char             *summary;
  GError           *error;
};

G_DEFINE_FINAL_TYPE (CncJob, cnc_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_KIND,
  PROP_MODEL,
  PROP_STATE,
  PROP_FRACTION,
  PROP_RATE,
  PROP_ETA,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
cnc_job_finalize (GObject *object)
{
  CncJob *self = CNC_JOB (object);

  _cnc_job_clear_data (self);
  g_clear_object (&self->cancellable);
  g_free (self->parameters);
  g_free (self->message);
  g_free (self->summary);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (cnc_job_parent_class)->finalize (object);
}

static void
cnc_job_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CncJob *self = CNC_JOB (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_KIND: g_value_set_string (value, self->kind->name); break;
    case PROP_MODEL: g_value_set_int64 (value, self->model); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_FRACTION: g_value_set_double (value, self->fraction); break;
    case PROP_RATE: g_value_set_double (value, self->rate); break;
    case PROP_ETA: g_value_set_double (value, self->eta); break;
    case PROP_MESSAGE: g_value_set_string (value, self->message); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_job_class_init (CncJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = cnc_job_finalize;
  object_class->get_property = cnc_job_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, ro);
  properties[PROP_MODEL] = g_param_spec_int64 ("model", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, CNC_TYPE_JOB_STATE, CNC_JOB_QUEUED, ro);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, -1, 1, -1, ro);
  properties[PROP_RATE] = g_param_spec_double ("rate", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_ETA] = g_param_spec_double ("eta", NULL, NULL, -1, G_MAXDOUBLE, -1, ro);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cnc_job_init (CncJob *self)
{
  self->fraction = -1;
  self->eta = -1;
  self->cancellable = g_cancellable_new ();
}

CncJob *
_cnc_job_new (gint64            id,
              const CncJobKind *kind,
              gint64            model,
              gpointer          data,
              GDestroyNotify    data_free)
{
  CncJob *self = g_object_new (CNC_TYPE_JOB, NULL);

  self->id = id;
  self->kind = kind;
  self->model = model;
  self->data = data;
  self->data_free = data_free;
  return self;
}

void
_cnc_job_set_id (CncJob *self,
                 gint64  id)
{
  __atomic_store_n (&self->id, id, __ATOMIC_RELEASE);
}

void
_cnc_job_set_parameters (CncJob     *self,
                         const char *parameters)
{
  g_free (self->parameters);
  self->parameters = g_strdup (parameters);
}

const char *
cnc_job_get_parameters (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), NULL);
  return self->parameters;
}

const CncJobKind *
_cnc_job_get_job_kind (CncJob *self)
{
  return self->kind;
}

gpointer
_cnc_job_get_data (CncJob *self)
{
  return self->data;
}

void
_cnc_job_clear_data (CncJob *self)
{
  gpointer data = g_steal_pointer (&self->data);

  if (data && self->data_free)
    self->data_free (data);
}

void
_cnc_job_apply_progress (CncJob     *self,
                         double      fraction,
                         double      rate,
                         double      eta,
                         const char *message)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (self->rate != rate)
    {
      self->rate = rate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
    }
  if (self->eta != eta)
    {
      self->eta = eta;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
    }
  if (message && g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_cnc_job_apply_state (CncJob       *self,
                      CncJobState   state,
                      const char   *summary,
                      const GError *error)
{
  if (self->state == state)
    return;
  if (cnc_job_state_is_final (self->state))
    return;   /* a final state is final */

  self->state = state;
  if (summary)
    {
      g_free (self->summary);
      self->summary = g_strdup (summary);
    }
  if (error)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (cnc_job_state_is_final (state))
    {
      if (state == CNC_JOB_DONE)
        _cnc_job_apply_progress (self, 1.0, self->rate, 0, summary);
      g_signal_emit (self, signals[FINISHED], 0);
    }
}

gint64
cnc_job_get_id (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), 0);
  return __atomic_load_n (&self->id, __ATOMIC_ACQUIRE);
}

const char *
cnc_job_get_kind (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), NULL);
  return self->kind->name;
}

gint64
cnc_job_get_model (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), 0);
  return self->model;
}

CncJobState
cnc_job_get_state (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), CNC_JOB_FAILED);
  return self->state;
}

double
cnc_job_get_fraction (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), -1);
  return self->fraction;
}

double
cnc_job_get_rate (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), 0);
  return self->rate;
}

double
cnc_job_get_eta (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), -1);
  return self->eta;
}

const char *
cnc_job_get_message (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), NULL);
  return self->message;
}

const char *
cnc_job_get_summary (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), NULL);
  return self->summary;
}

const GError *
cnc_job_get_error (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), NULL);
  return self->error;
}

void
cnc_job_cancel (CncJob *self)
{
  g_return_if_fail (CNC_IS_JOB (self));
  g_cancellable_cancel (self->cancellable);
}

GCancellable *
cnc_job_get_cancellable (CncJob *self)
{
  g_return_val_if_fail (CNC_IS_JOB (self), NULL);
  return self->cancellable;
}
