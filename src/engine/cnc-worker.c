/* cnc-worker.c
 * The worker thread: runs queued jobs one at a time on its own workspace connection, commits each job's
 * results in one transaction, and reports to the main loop through one coalesced idle callback.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-engine"

#include "cnc-worker.h"
#include "cnc-worker-private.h"
#include "cnc-job-private.h"

/* What the thread and the idle callbacks share; outlives the CncWorker object while either
 * still needs it. */
typedef struct {
  gatomicrefcount  ref;
  char            *path;
  GMainContext    *context;
  GAsyncQueue     *queue;          /* CncJob* (a reference each), or STOP */
  GAsyncQueue     *records;        /* CncJob* to record as queued, then to queue; or STOP */
  CncJobStepHook   step_hook;      /* set before the first job is submitted */
  gpointer         step_hook_data;

  GMutex           lock;           /* guards what follows, up to the main-loop-only fields */
  gboolean         idle_pending;
  GQueue           events;         /* Event*: state changes, in order */
  CncJob          *progress_job;   /* the latest progress report, coalesced */
  double           fraction, rate, eta;
  char            *message;

  /* main loop only */
  GPtrArray       *active;         /* CncJob*: submitted, not finished */
} Shared;

typedef struct {
  CncJob      *job;
  CncJobState  state;
  char        *summary;
  GError      *error;
} Event;

struct _CncWorker
{
  GObject       parent_instance;

  CncWorkspace *workspace;         /* the caller's connection */
  Shared       *shared;
  GThread      *thread;
  GThread      *recorder;
};

G_DEFINE_FINAL_TYPE (CncWorker, cnc_worker, G_TYPE_OBJECT)

static char stop_marker;
#define STOP ((gpointer) &stop_marker)

static Shared *
shared_ref (Shared *s)
{
  g_atomic_ref_count_inc (&s->ref);
  return s;
}

static void
event_free (Event *e)
{
  g_clear_object (&e->job);
  g_free (e->summary);
  g_clear_error (&e->error);
  g_free (e);
}

static void
shared_unref (Shared *s)
{
  if (!g_atomic_ref_count_dec (&s->ref))
    return;
  g_free (s->path);
  g_main_context_unref (s->context);
  g_async_queue_unref (s->queue);
  g_async_queue_unref (s->records);
  g_mutex_clear (&s->lock);
  g_queue_clear_full (&s->events, (GDestroyNotify) event_free);
  g_clear_object (&s->progress_job);
  g_free (s->message);
  g_ptr_array_unref (s->active);
  g_free (s);
}

/* ---- on the main loop ------------------------------------------------------------------------ */

static gboolean
dispatch_reports (gpointer data)
{
  Shared *s = data;
  g_autoptr(CncJob) progress_job = NULL;
  g_autofree char *message = NULL;
  double fraction, rate, eta;
  GQueue events = G_QUEUE_INIT;
  Event *e;

  g_mutex_lock (&s->lock);
  s->idle_pending = FALSE;
  progress_job = g_steal_pointer (&s->progress_job);
  message = g_steal_pointer (&s->message);
  fraction = s->fraction;
  rate = s->rate;
  eta = s->eta;
  events = s->events;
  g_queue_init (&s->events);
  g_mutex_unlock (&s->lock);

  if (progress_job)
    _cnc_job_apply_progress (progress_job, fraction, rate, eta, message);
  while ((e = g_queue_pop_head (&events)))
    {
      g_autoptr(CncJob) job = g_object_ref (e->job);

      _cnc_job_apply_state (job, e->state, e->summary, e->error);
      if (cnc_job_state_is_final (e->state))
        g_ptr_array_remove (s->active, job);
      event_free (e);
    }
  return G_SOURCE_REMOVE;
}

/* Called with s->lock held. */
static void
schedule_dispatch_locked (Shared *s)
{
  GSource *source;

  if (s->idle_pending)
    return;
  s->idle_pending = TRUE;
  source = g_idle_source_new ();
  /* Above redrawing: a window that animates (or draws slowly, in software) must not starve the
   * reports, else progress and results would wait for the animation to stop. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_reports, shared_ref (s), (GDestroyNotify) shared_unref);
  g_source_set_static_name (source, "[cnc-worker] reports");
  g_source_attach (source, s->context);
  g_source_unref (source);
}

/* ---- on the worker thread --------------------------------------------------------------------- */

static void
post_progress (gpointer    reporter,
               CncJob     *job,
               double      fraction,
               double      rate,
               double      eta,
               const char *message)
{
  Shared *s = reporter;

  g_mutex_lock (&s->lock);
  g_set_object (&s->progress_job, job);
  s->fraction = fraction;
  s->rate = rate;
  s->eta = eta;
  g_free (s->message);
  s->message = g_strdup (message);
  schedule_dispatch_locked (s);
  g_mutex_unlock (&s->lock);
}

static void
post_state (Shared       *s,
            CncJob       *job,
            CncJobState   state,
            const char   *summary,
            const GError *error)
{
  Event *e = g_new0 (Event, 1);

  e->job = g_object_ref (job);
  e->state = state;
  e->summary = g_strdup (summary);
  e->error = error ? g_error_copy (error) : NULL;
  g_mutex_lock (&s->lock);
  g_queue_push_tail (&s->events, e);
  schedule_dispatch_locked (s);
  g_mutex_unlock (&s->lock);
}

static void
run_job (Shared       *s,
         CncWorkspace *workspace,
         const GError *open_error,
         CncJob       *job)
{
  const CncJobKind *kind = _cnc_job_get_job_kind (job);
  gpointer data = _cnc_job_get_data (job);
  gint64 id = cnc_job_get_id (job);
  CncJobContext ctx = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) record_error = NULL;
  CncJobState final = CNC_JOB_FAILED;

  ctx.workspace = workspace;
  ctx.job = job;
  ctx.cancellable = cnc_job_get_cancellable (job);
  ctx.id = id;
  ctx.report = post_progress;
  ctx.reporter = s;
  ctx.step_hook = s->step_hook;
  ctx.step_hook_data = s->step_hook_data;

  if (workspace == NULL)
    error = g_error_copy (open_error);
  else if (g_cancellable_set_error_if_cancelled (ctx.cancellable, &error))
    ;   /* cancelled while queued */
  else if (cnc_job_record_set_state (workspace, id, CNC_JOB_RUNNING, NULL, NULL, &error))
    {
      gboolean ok;

      post_state (s, job, CNC_JOB_RUNNING, NULL, NULL);
      ok = kind->run (&ctx, data, &error);
      /* Cancelled after the work but before its results are written: nothing is written. */
      if (ok && g_cancellable_set_error_if_cancelled (ctx.cancellable, &error))
        ok = FALSE;
      if (ok && cnc_workspace_begin (workspace, &error))
        {
          ok = (kind->commit == NULL || kind->commit (&ctx, data, &error))
               && cnc_job_record_set_state (workspace, id, CNC_JOB_DONE, ctx.summary, NULL, &error)
               && cnc_workspace_commit (workspace, &error);
          cnc_workspace_rollback (workspace);   /* no-op after a commit */
        }
      else
        ok = FALSE;
      if (ok)
        final = CNC_JOB_DONE;
    }

  if (final != CNC_JOB_DONE)
    {
      g_assert (error != NULL);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          final = CNC_JOB_CANCELLED;
          g_clear_error (&error);
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled; nothing was changed");
        }
      if (workspace != NULL
          && !cnc_job_record_set_state (workspace, id, final, NULL, error->message, &record_error))
        g_warning ("Could not record job %" G_GINT64_FORMAT " as %s: %s",
                   id, cnc_job_state_name (final), record_error->message);
    }

  /* The kind's data (models, buffers) is freed where it was used. */
  _cnc_job_clear_data (job);
  post_state (s, job, final, ctx.summary, error);
  g_free (ctx.summary);
}

static gpointer
worker_thread (gpointer data)
{
  Shared *s = data;
  g_autoptr(CncWorkspace) workspace = NULL;
  g_autoptr(GError) open_error = NULL;
  gpointer item;

  /* SQLite connections are per thread: this one is the worker's own. */
  workspace = cnc_workspace_open (s->path, CNC_WORKSPACE_OPEN_DEFAULT, &open_error);
  while ((item = g_async_queue_pop (s->queue)) != STOP)
    {
      CncJob *job = item;

      run_job (s, workspace, open_error, job);
      g_object_unref (job);
    }
  g_clear_object (&workspace);
  shared_unref (s);
  return NULL;
}

/* Records each submitted job in the jobs table, on a connection of its own, then hands it to the
 * worker: the caller's thread (the GUI's main loop) never waits for the registry's write lock,
 * which the worker may hold while it writes a job's results. In submission order. */
static gpointer
recorder_thread (gpointer data)
{
  Shared *s = data;
  g_autoptr(CncWorkspace) workspace = NULL;
  g_autoptr(GError) open_error = NULL;
  gpointer item;

  workspace = cnc_workspace_open (s->path, CNC_WORKSPACE_OPEN_DEFAULT, &open_error);
  while ((item = g_async_queue_pop (s->records)) != STOP)
    {
      CncJob *job = item;
      g_autoptr(GError) error = NULL;
      gint64 id = 0;

      if (workspace == NULL)
        error = g_error_copy (open_error);
      else
        id = cnc_job_record_insert (workspace, _cnc_job_get_job_kind (job)->name, cnc_job_get_model (job),
                                    cnc_job_get_parameters (job), &error);
      if (id > 0)
        {
          _cnc_job_set_id (job, id);
          g_async_queue_push (s->queue, job);   /* the reference goes with it */
          continue;
        }
      g_prefix_error (&error, "the job could not be recorded: ");
      _cnc_job_clear_data (job);
      post_state (s, job, CNC_JOB_FAILED, NULL, error);
      g_object_unref (job);
    }
  g_async_queue_push (s->queue, STOP);
  g_clear_object (&workspace);
  shared_unref (s);
  return NULL;
}

/* ---- the object ------------------------------------------------------------------------------- */

static void
cnc_worker_dispose (GObject *object)
{
  CncWorker *self = CNC_WORKER (object);

  if (self->thread)
    {
      /* Whatever is still queued or running ends as cancelled, with nothing written. */
      cnc_worker_cancel_all (self);
      /* The recorder passes the stop on to the worker after the jobs before it. */
      g_async_queue_push (self->shared->records, STOP);
      g_thread_join (g_steal_pointer (&self->recorder));
      g_thread_join (g_steal_pointer (&self->thread));
    }
  g_clear_object (&self->workspace);

  G_OBJECT_CLASS (cnc_worker_parent_class)->dispose (object);
}

static void
cnc_worker_finalize (GObject *object)
{
  CncWorker *self = CNC_WORKER (object);

  g_clear_pointer (&self->shared, shared_unref);

  G_OBJECT_CLASS (cnc_worker_parent_class)->finalize (object);
}

static void
cnc_worker_class_init (CncWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cnc_worker_dispose;
  object_class->finalize = cnc_worker_finalize;
}

static void
cnc_worker_init (CncWorker *self)
{
}

CncWorker *
cnc_worker_new (const char    *workspace_path,
                GMainContext  *context,
                GError       **error)
{
  g_autoptr(CncWorker) self = NULL;
  Shared *s;

  g_return_val_if_fail (workspace_path != NULL, NULL);

  self = g_object_new (CNC_TYPE_WORKER, NULL);
  self->workspace = cnc_workspace_open (workspace_path, CNC_WORKSPACE_OPEN_DEFAULT, error);
  if (self->workspace == NULL)
    return NULL;
  if (cnc_job_record_mark_interrupted (self->workspace, error) < 0)
    return NULL;

  s = g_new0 (Shared, 1);
  g_atomic_ref_count_init (&s->ref);
  s->path = g_strdup (cnc_workspace_get_path (self->workspace));
  s->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  s->queue = g_async_queue_new ();
  s->records = g_async_queue_new ();
  g_mutex_init (&s->lock);
  g_queue_init (&s->events);
  s->active = g_ptr_array_new_with_free_func (g_object_unref);
  self->shared = s;

  self->thread = g_thread_try_new ("cnc-worker", worker_thread, shared_ref (s), error);
  if (self->thread == NULL)
    {
      shared_unref (s);
      return NULL;
    }
  self->recorder = g_thread_try_new ("cnc-recorder", recorder_thread, shared_ref (s), error);
  if (self->recorder == NULL)
    {
      shared_unref (s);
      g_async_queue_push (s->queue, STOP);
      g_thread_join (g_steal_pointer (&self->thread));
      return NULL;
    }
  return g_steal_pointer (&self);
}

CncWorkspace *
cnc_worker_get_workspace (CncWorker *self)
{
  g_return_val_if_fail (CNC_IS_WORKER (self), NULL);
  return self->workspace;
}

CncJob *
cnc_worker_submit (CncWorker        *self,
                   const CncJobKind *kind,
                   gint64            model,
                   const char       *parameters,
                   gpointer          data,
                   GDestroyNotify    data_free,
                   GError          **error)
{
  CncJob *job;

  g_return_val_if_fail (CNC_IS_WORKER (self), NULL);
  g_return_val_if_fail (kind != NULL && kind->name != NULL && kind->run != NULL, NULL);

  /* Recorded (and given its id) by the recorder thread, then queued. */
  job = _cnc_job_new (0, kind, model, data, data_free);
  _cnc_job_set_parameters (job, parameters);
  g_ptr_array_add (self->shared->active, g_object_ref (job));
  g_async_queue_push (self->shared->records, g_object_ref (job));
  return job;
}

void
_cnc_worker_set_step_hook (CncWorker      *self,
                           CncJobStepHook  hook,
                           gpointer        user_data)
{
  g_return_if_fail (CNC_IS_WORKER (self));
  g_return_if_fail (self->shared->active->len == 0);
  self->shared->step_hook = hook;
  self->shared->step_hook_data = user_data;
}

void
cnc_worker_cancel_all (CncWorker *self)
{
  g_return_if_fail (CNC_IS_WORKER (self));

  for (guint i = 0; i < self->shared->active->len; i++)
    cnc_job_cancel (self->shared->active->pdata[i]);
}

guint
cnc_worker_get_n_pending (CncWorker *self)
{
  g_return_val_if_fail (CNC_IS_WORKER (self), 0);
  return self->shared->active->len;
}

void
cnc_worker_wait (CncWorker *self)
{
  g_return_if_fail (CNC_IS_WORKER (self));

  while (self->shared->active->len > 0)
    g_main_context_iteration (self->shared->context, TRUE);
}
