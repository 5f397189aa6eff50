/* cnc-demo.h
 * The built-in demo workspace: a CNN trained on Fashion-MNIST by the app, and a tree of real compression
 * experiments made from it by the operation jobs, queued on a worker.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-worker.h"

G_BEGIN_DECLS

#define CNC_TYPE_DEMO (cnc_demo_get_type ())
G_DECLARE_FINAL_TYPE (CncDemo, cnc_demo, CNC, DEMO, GObject)

/* The demo's recipe, for @quick FALSE (the full demo) or TRUE (the same tree with a few batches
 * of training each, for tests and CI: the models are real but not well trained). */
CncDemo      *cnc_demo_new           (CncWorker *worker,
                                      gboolean   quick);

/* Queues the jobs (on the worker's main context). Signals, on that context:
 * "job-submitted" (CncJob *job) for each job queued, "finished" when every job has ended or
 * one has failed (the others are then cancelled). Starts once. */
void          cnc_demo_start         (CncDemo *self);
/* Cancels the jobs not finished yet; "finished" follows, with a cancellation error. */
void          cnc_demo_cancel        (CncDemo *self);

/* Models the demo makes, and how many it has made so far. */
guint         cnc_demo_get_n_models  (CncDemo *self);
guint         cnc_demo_get_n_done    (CncDemo *self);
gboolean      cnc_demo_is_finished   (CncDemo *self);
/* NULL when the demo is running or was built; why it stopped otherwise. */
const GError *cnc_demo_get_error     (CncDemo *self);
/* Seconds from start to finish (or to now). */
double        cnc_demo_get_seconds   (CncDemo *self);

G_END_DECLS
