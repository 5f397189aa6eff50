/* cnc-job.h
 * Jobs: job kinds, the context a running job sees, the live handle the main loop watches.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/registry/cnc-job-rows.h"

G_BEGIN_DECLS

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
