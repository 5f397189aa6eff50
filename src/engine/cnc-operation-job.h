/* cnc-operation-job.h
 * Compression operations as jobs: each makes a new model from its parent(s), records it with its lineage,
 * operation, parameters and layer statistics, and evaluates it, all in one transaction.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-evaluate.h"
#include "torch/cnc-torch-compress.h"

G_BEGIN_DECLS

typedef enum {
  CNC_OPERATION_PRUNE,              /* "prune": unstructured magnitude pruning */
  CNC_OPERATION_PRUNE_CHANNELS,     /* "prune-channels": L1-norm output-channel pruning */
  CNC_OPERATION_QUANTIZE,           /* "quantize": per-channel symmetric int8 / int4 weights */
  CNC_OPERATION_QUANTIZE_DYNAMIC,   /* "quantize-dynamic": libtorch's dynamic int8 (Linear) */
  CNC_OPERATION_FINE_TUNE,          /* "fine-tune": training that keeps zero weights at zero */
  CNC_OPERATION_RECALIBRATE,        /*< nick=recalibrate-bn >*/ /* BatchNorm statistics re-estimated */
  CNC_OPERATION_DISTILL,            /* "distill": the parent (student) learns from a teacher */
  CNC_OPERATION_TRAIN,              /* "train": a new small CNN trained from scratch (a root) */
} CncOperationKind;

/* As the registry records them: the nicks of CNC_TYPE_OPERATION_KIND ("prune", …). */
const char *cnc_operation_kind_name      (CncOperationKind kind);
gboolean    cnc_operation_kind_from_name (const char *name, CncOperationKind *kind);

typedef struct {
  CncOperationKind       kind;
  const char            *name;        /* the new model's name (required) */
  const char            *parent;      /* the model operated on; NULL only for TRAIN */
  const char            *teacher;     /* DISTILL: the teacher */
  CncCnnSize             cnn;         /* TRAIN: the architecture */
  const char            *dataset;     /* training / calibration data (its "train" split); NULL: the built-in */
  /* Each operation reads its own options. */
  CncPruneOptions        prune;
  CncQuantizeOptions     quantize;
  CncTrainOptions        train;       /* FINE_TUNE, DISTILL, TRAIN */
  CncDistillOptions      distill;
  CncRecalibrateOptions  recalibrate;
  /* The new model's evaluation: dataset and split NULL mean those of the parent's most recent
   * evaluation, else the training dataset's "test" split. */
  CncEvaluateOptions     evaluate;
  const char            *notes;
  const char * const    *tags;
} CncOperateOptions;

/* Every option at its default: pruning 50% global, int8, the training defaults with keep_zeros
 * (off for TRAIN), distillation alpha 0.7 at T = 4, recalibration defaults. */
void        cnc_operate_options_init     (CncOperateOptions *options,
                                          CncOperationKind   kind);

/* The name a new model gets by default: the parent's with what was done, "base-prune-50",
 * "base-channels-50", "base-int4", "base-dynamic-int8", "base-ft", "base-bn", "base-kd". */
char       *cnc_operate_default_name     (const CncOperateOptions *options);

/* The operation's parameters as the registry records them (JSON object text). */
char       *cnc_operate_parameters_json  (const CncOperateOptions *options);

/* The job kind (its name is the operation's). */
const CncJobKind *cnc_operate_job_kind   (CncOperationKind kind);

/* Queues the operation. The parent is looked up by name when the job runs (a job queued after
 * another that makes its parent works). Everything is checked on the worker thread; any
 * failure or cancellation leaves the workspace as it was. On success, in one transaction: the
 * new model (file stored by content), its lineage edge(s), operation and parameters, layer
 * table (quantized weights with their bit width), weight metrics, loss curve (training
 * operations), and its evaluation. */
CncJob     *cnc_operate_submit           (CncWorker               *worker,
                                          const CncOperateOptions *options,
                                          GError                 **error);

G_END_DECLS
