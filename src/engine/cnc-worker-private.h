/* cnc-worker-private.h
 * In-tree API of the worker, for tests: a hook called at every progress report of every job.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-worker.h"
#include "cnc-job-private.h"

G_BEGIN_DECLS

/* @hook is called on the worker thread at every progress report of every job, before reports
 * are coalesced, so that a test can act at a given point of a job (cancel it after the k-th
 * batch) instead of racing the clock. Set it before the first job is submitted. */
void  _cnc_worker_set_step_hook  (CncWorker      *self,
                                  CncJobStepHook  hook,
                                  gpointer        user_data);

G_END_DECLS
