/* cnc-worker.h
 * The worker: one long-lived inference thread fed by a queue of jobs, shared by the command line and the GUI.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-job.h"

G_BEGIN_DECLS

#define CNC_TYPE_WORKER (cnc_worker_get_type ())
G_DECLARE_FINAL_TYPE (CncWorker, cnc_worker, CNC, WORKER, GObject)

/* Opens the workspace at @workspace_path for the caller's thread (queued jobs are recorded
 * through it), marks jobs whose process ended as interrupted, and starts the thread, which opens
 * its own connection. Progress and state changes reach @context (NULL: the thread-default
 * context of the caller) through one coalesced idle callback. */
CncWorker    *cnc_worker_new            (const char    *workspace_path,
                                         GMainContext  *context,
                                         GError       **error);

/* The caller's connection to the workspace (not the worker thread's). */
CncWorkspace *cnc_worker_get_workspace  (CncWorker *self);

/* Queues a job of @kind (for @model, 0: none; @parameters: a JSON object or NULL): a thread of
 * the worker's records it in the jobs table (the job's id is 0 until then) and hands it to the
 * worker thread, so the caller never waits on the registry. @data is handed to the kind's
 * functions on the worker thread and freed there with @data_free. Returns a new reference to the
 * live job; a job that cannot be recorded ends as failed. */
CncJob       *cnc_worker_submit         (CncWorker        *self,
                                         const CncJobKind *kind,
                                         gint64            model,
                                         const char       *parameters,
                                         gpointer          data,
                                         GDestroyNotify    data_free,
                                         GError          **error);

/* Cancels every queued and running job. */
void          cnc_worker_cancel_all     (CncWorker *self);

/* Jobs submitted and not finished yet (as seen on the main loop). */
guint         cnc_worker_get_n_pending  (CncWorker *self);

/* Runs @context until every submitted job has finished (for the command line and tests). */
void          cnc_worker_wait           (CncWorker *self);

G_END_DECLS
