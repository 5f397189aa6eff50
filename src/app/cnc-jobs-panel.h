/* cnc-jobs-panel.h
 * The Jobs panel: queued and running jobs with progress, speed and ETA and a cancel button; finished and
 * failed jobs with their summary or message, newest first.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "engine/cnc-worker.h"
#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_JOBS_PANEL (cnc_jobs_panel_get_type ())
G_DECLARE_FINAL_TYPE (CncJobsPanel, cnc_jobs_panel, CNC, JOBS_PANEL, GtkWidget)

/* Signals: "job-finished" (CncJob *job) a job the panel follows reached a final state. */

GtkWidget  *cnc_jobs_panel_new          (CncModelSet *set);
/* Binds the panel to the workspace @dir's worker (NULL when jobs cannot run there; @why says why) and
 * lists the workspace's recent jobs from its registry (in a thread). */
void        cnc_jobs_panel_set_worker   (CncJobsPanel *self,
                                         const char   *dir,
                                         CncWorker    *worker,
                                         const GError *why);
CncWorker  *cnc_jobs_panel_get_worker   (CncJobsPanel *self);
/* Follows a job submitted to the worker: it shows at the top with its progress until it ends. */
void        cnc_jobs_panel_add_job      (CncJobsPanel *self,
                                         CncJob       *job);
/* Jobs shown that are queued or running. */
guint       cnc_jobs_panel_get_n_active (CncJobsPanel *self);

G_END_DECLS
