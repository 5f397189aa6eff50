/* cnc-evaluate.h
 * The evaluation job: a TorchScript model over a dataset split; every prediction stored, metrics measured.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-worker.h"

G_BEGIN_DECLS

#define CNC_EVALUATE_ERROR (cnc_evaluate_error_quark ())
GQuark cnc_evaluate_error_quark (void);

typedef enum {
  CNC_EVALUATE_ERROR_NOT_RUNNABLE,   /* weights only (state dict, safetensors) or a record without a file */
  CNC_EVALUATE_ERROR_CHANGED,        /* the model file is not the one imported */
  CNC_EVALUATE_ERROR_CLASSES,        /* the output width is not the dataset's class count */
  CNC_EVALUATE_ERROR_INVALID,        /* bad options */
} CncEvaluateError;

#define CNC_EVALUATE_DEFAULT_BATCH 256
#define CNC_EVALUATE_MIN_LATENCY_RUNS 50

typedef struct {
  const char *dataset;       /* NULL: the built-in Fashion-MNIST */
  const char *split;         /* NULL: "test" */
  const char *device;        /* NULL: "cpu" */
  guint       threads;       /* intra-op threads; 0: one per core */
  guint       batch;         /* 0: CNC_EVALUATE_DEFAULT_BATCH */
  guint       latency_runs;  /* batch-1 runs timed after warm-up; at least (and 0:) 50 */
} CncEvaluateOptions;

/* The job kind, for listings ("evaluate"). */
extern const CncJobKind cnc_evaluate_job_kind;

/* Queues the evaluation of @model. Everything about the model, the dataset and the device is
 * checked on the worker thread: a refusal ends as a failed job (recorded, nothing else written).
 * On success the job replaces the model's previous evaluation of that dataset split whole
 * (predictions and the metrics below); a cancelled one leaves it as it was.
 *
 * Metrics written for the model: Top-1 Accuracy, Top-5 Accuracy, Parameters, Non-zero
 * parameters, Sparsity, File size, Gzip size, Size at bit width, Latency (batch-1 p50, ms),
 * Latency p95, Throughput (instances/s at the batch size). The device and thread count are in
 * the evaluation's record; per-class accuracy comes from the stored predictions
 * (cnc_predictions_class_accuracy). */
CncJob     *cnc_evaluate_submit     (CncWorker                *worker,
                                     gint64                    model,
                                     const CncEvaluateOptions *options,
                                     GError                  **error);

/* The size of @path's tensor data (its zip members "<archive>/data/<key>", in archive order)
 * compressed as one gzip stream at zlib's default level. */
gboolean    cnc_evaluate_gzip_size  (const char   *path,
                                     gint64       *size,
                                     GCancellable *cancellable,
                                     GError      **error);

G_END_DECLS
