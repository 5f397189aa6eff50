/* cnc-job.h
 * Jobs: the registry's record of each (queued … interrupted), the live handle the main loop watches, job kinds.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

typedef enum {
  CNC_JOB_QUEUED,
  CNC_JOB_RUNNING,
  CNC_JOB_DONE,
  CNC_JOB_CANCELLED,
  CNC_JOB_FAILED,
  CNC_JOB_INTERRUPTED,   /* its process ended while it was queued or running */
} CncJobState;

GType        cnc_job_state_get_type  (void);
#define CNC_TYPE_JOB_STATE (cnc_job_state_get_type ())

const char  *cnc_job_state_name      (CncJobState state);   /* as the jobs table spells it */
gboolean     cnc_job_state_from_name (const char *name, CncJobState *state);
gboolean     cnc_job_state_is_final  (CncJobState state);

/* ---- the registry's rows ----------------------------------------------------------------- */

typedef struct {
  gint64       id;
  char        *kind;         /* "evaluate", … */
  CncJobState  state;
  gint64       model;        /* 0: none (or the model was removed) */
  char        *model_name;   /* NULL when none */
  char        *parameters;   /* JSON object text */
  char        *message;      /* the summary of a finished job, or the last progress message */
  char        *error;        /* why it failed, was cancelled or interrupted */
  gint64       created, started, finished;   /* unix seconds; 0 when not yet */
  gint64       pid;          /* the process that queued and runs it */
} CncJobRecord;

void       cnc_job_record_free        (CncJobRecord *record);

/* Each of these writes inside the caller's transaction when one is open, else in one of its own. */
gint64     cnc_job_record_insert      (CncWorkspace *workspace,
                                       const char   *kind,
                                       gint64        model,
                                       const char   *parameters,
                                       GError      **error);
gboolean   cnc_job_record_set_state   (CncWorkspace *workspace,
                                       gint64        id,
                                       CncJobState   state,
                                       const char   *message,
                                       const char   *error_text,
                                       GError      **error);

/* The newest @limit jobs (0: all), newest first. */
GPtrArray *cnc_job_record_list        (CncWorkspace *workspace,
                                       guint         limit,
                                       GError      **error);   /* CncJobRecord* */
CncJobRecord *cnc_job_record_get      (CncWorkspace *workspace,
                                       gint64        id,
                                       GError      **error);

/* Marks queued and running jobs whose process has ended as interrupted; returns how many
 * (-1 on error). A read-only workspace is left as it is. Called when a worker opens a workspace
 * and before jobs are listed. */
gint       cnc_job_record_mark_interrupted (CncWorkspace *workspace,
                                            GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncJobRecord, cnc_job_record_free)

/* ---- job kinds: what runs on the worker thread ---------------------------------------------- */

/* What a running job sees (on the worker thread): its own workspace connection, its
 * cancellable, its id, and where to report progress. */
typedef struct _CncJobContext CncJobContext;

CncWorkspace *cnc_job_context_get_workspace   (CncJobContext *context);
GCancellable *cnc_job_context_get_cancellable (CncJobContext *context);
gint64        cnc_job_context_get_id          (CncJobContext *context);
/* @done of @total items (total 0: unknown); never blocks; reports reach the main loop coalesced.
 * The rate and ETA are measured from the first report with this @total. */
void          cnc_job_context_progress        (CncJobContext *context,
                                               gint64         done,
                                               gint64         total,
                                               const char    *message);
/* The one-line result kept in the jobs table and shown when the job is done. */
void          cnc_job_context_set_summary     (CncJobContext *context,
                                               const char    *summary);

typedef struct {
  const char *name;   /* the jobs table's kind: "evaluate", "prune", … */
  /* The work, on the worker thread: may read the workspace, writes nothing. Check the
   * cancellable often; return FALSE with G_IO_ERROR_CANCELLED when it is cancelled. */
  gboolean  (*run)    (CncJobContext *context, gpointer data, GError **error);
  /* Writes the results, on the worker thread, inside the transaction that also marks the job
   * done (NULL: nothing to write). Not called when run failed or the job was cancelled. */
  gboolean  (*commit) (CncJobContext *context, gpointer data, GError **error);
} CncJobKind;

/* ---- the live job, on the main loop's side ---------------------------------------------- */

#define CNC_TYPE_JOB (cnc_job_get_type ())
G_DECLARE_FINAL_TYPE (CncJob, cnc_job, CNC, JOB, GObject)

/* Properties (notified on the worker's main context): id, kind, model, state, fraction (0…1,
 * -1 unknown), rate (items/s), eta (seconds, -1 unknown), message. Signal "finished" when the
 * state becomes final. */
gint64        cnc_job_get_id        (CncJob *self);
const char   *cnc_job_get_kind      (CncJob *self);
gint64        cnc_job_get_model     (CncJob *self);
CncJobState   cnc_job_get_state     (CncJob *self);
double        cnc_job_get_fraction  (CncJob *self);
double        cnc_job_get_rate      (CncJob *self);
double        cnc_job_get_eta       (CncJob *self);
const char   *cnc_job_get_message   (CncJob *self);
/* The job's parameters as the jobs table keeps them (JSON object text, may be NULL). */
const char   *cnc_job_get_parameters (CncJob *self);
/* The summary of a done job; NULL before. */
const char   *cnc_job_get_summary   (CncJob *self);
/* Why a failed or cancelled job ended; NULL otherwise. */
const GError *cnc_job_get_error     (CncJob *self);
/* Thread-safe: the job stops at its next check and is recorded as cancelled, with no results. */
void          cnc_job_cancel        (CncJob *self);
GCancellable *cnc_job_get_cancellable (CncJob *self);

G_END_DECLS
