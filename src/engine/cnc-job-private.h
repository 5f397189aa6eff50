/* cnc-job-private.h
 * In-tree API of jobs, for the worker: making live jobs, running contexts, applying reports on the main loop.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-job.h"

G_BEGIN_DECLS

/* Delivers a progress snapshot to the main loop (the worker's coalesced idle). */
typedef void (*CncJobReportFunc) (gpointer    reporter,
                                  CncJob     *job,
                                  double      fraction,
                                  double      rate,
                                  double      eta,
                                  const char *message);

/* Called on the worker thread at every progress report, before coalescing (see
 * _cnc_worker_set_step_hook). */
typedef void (*CncJobStepHook) (CncJob     *job,
                                gint64      done,
                                gint64      total,
                                const char *message,
                                gpointer    user_data);

struct _CncJobContext
{
  CncWorkspace     *workspace;
  CncJob           *job;
  GCancellable     *cancellable;
  gint64            id;
  char             *summary;
  CncJobReportFunc  report;
  gpointer          reporter;
  CncJobStepHook    step_hook;
  gpointer          step_hook_data;
  /* rate and ETA: measured from the first report of the current total */
  gint64            phase_total;
  gint64            phase_done;
  gint64            phase_time;     /* monotonic µs */
  gint64            last_report;    /* monotonic µs */
};

CncJob           *_cnc_job_new             (gint64            id,
                                            const CncJobKind *kind,
                                            gint64            model,
                                            gpointer          data,
                                            GDestroyNotify    data_free);
void              _cnc_job_set_parameters  (CncJob *self, const char *parameters);
/* Set by the recorder thread once the job is in the jobs table (0 until then). */
void              _cnc_job_set_id          (CncJob *self, gint64 id);
const CncJobKind *_cnc_job_get_job_kind    (CncJob *self);
gpointer          _cnc_job_get_data        (CncJob *self);
/* Frees the kind's data (on the worker thread, where it was used). */
void              _cnc_job_clear_data      (CncJob *self);

/* On the main loop. */
void              _cnc_job_apply_progress  (CncJob     *self,
                                            double      fraction,
                                            double      rate,
                                            double      eta,
                                            const char *message);
void              _cnc_job_apply_state     (CncJob       *self,
                                            CncJobState   state,
                                            const char   *summary,
                                            const GError *error);

G_END_DECLS
