/* cnc-evaluate-private.h
 * In-tree API of the evaluation, for jobs that evaluate a model they made (the operations).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-evaluate.h"
#include "core/registry/cnc-predictions.h"

G_BEGIN_DECLS

typedef struct {
  /* what to do */
  gint64           model_id;
  char            *dataset;
  char            *split;
  char            *device;
  guint            threads, batch, latency_runs;

  /* what was measured, written by _cnc_evaluation_write */
  char            *model_name;
  CncPredictions  *predictions;
  gint64           file_size, gzip_size;
  double           latency_p50, latency_p95, throughput;
  double           latency_cpu_p50;     /* ms of CPU time of the median run */
  guint            latency_threads;     /* intra-op threads it ran on */
  guint            latency_attempts;    /* measurements made (a noisy one is made again) */
  gboolean         latency_noisy;       /* contended or widely spread even at the last attempt */
} CncEvaluation;

/* With @options' defaults filled in (dataset, split, device, threads, batch, runs). */
CncEvaluation *_cnc_evaluation_new     (gint64                    model,
                                        const CncEvaluateOptions *options);
void           _cnc_evaluation_free    (CncEvaluation *ev);
/* The evaluation's parameters as the jobs table keeps them (JSON object text). */
char          *_cnc_evaluation_parameters (const CncEvaluation *ev);

/* A model that can run: TorchScript, its file (@path, @file_size) the one checked at import. */
gboolean       _cnc_evaluation_check_file (CncWorkspace   *workspace,
                                           const CncModel *model,
                                           char          **path,
                                           gint64         *file_size,
                                           GCancellable   *cancellable,
                                           GError        **error);

/* On the worker thread: runs the TorchScript file @path (model @name, @file_size bytes) over the
 * dataset split, measures latency and sizes, and sets the job's summary. */
gboolean       _cnc_evaluation_measure (CncEvaluation *ev,
                                        CncJobContext *context,
                                        const char    *path,
                                        const char    *name,
                                        gint64         file_size,
                                        GError       **error);
/* Inside the caller's transaction: stores the predictions of @model (made by job @job) and its
 * metrics; @layers is the model's layer table. */
gboolean       _cnc_evaluation_write   (CncEvaluation *ev,
                                        CncWorkspace  *workspace,
                                        gint64         model,
                                        GPtrArray     *layers,
                                        gint64         job,
                                        GError       **error);

G_END_DECLS
