/* cnc-torch-eval.h
 * The C interface to libtorch for inference: devices, threads, loading a TorchScript model, running batches.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNC_TORCH_EVAL_ERROR (cnc_torch_eval_error_quark ())

typedef enum {
  CNC_TORCH_EVAL_ERROR_FAILED,         /* libtorch threw: the message is its last meaningful line */
  CNC_TORCH_EVAL_ERROR_DEVICE,         /* a device this build or machine does not have, or a bad name */
  CNC_TORCH_EVAL_ERROR_INPUT_SHAPE,    /* the model does not take input of the shape given */
  CNC_TORCH_EVAL_ERROR_OUTPUT,         /* the model's output is not a [batch, classes] tensor */
  CNC_TORCH_EVAL_ERROR_NOT_RUNNABLE,   /* not a TorchScript archive (a state dict, ...) */
} CncTorchEvalError;

GQuark      cnc_torch_eval_error_quark (void);

/* A device libtorch can run on. */
typedef struct {
  char     *name;          /* "cpu", "cuda:0", or "cuda" when this build or machine has none */
  char     *description;   /* "2 cores", "NVIDIA …", "this libtorch was built without CUDA" */
  gboolean  available;
  guint     cores;         /* CPU: logical cores; 0 for others */
} CncTorchDevice;

void        cnc_torch_device_free      (CncTorchDevice *device);
/* Every device: "cpu" first, then one entry per CUDA device, or one unavailable "cuda" entry. */
GPtrArray  *cnc_torch_list_devices     (void);
/* Checks that @name ("cpu", "cuda", "cuda:N") names a device this build and machine can use. */
gboolean    cnc_torch_check_device     (const char *name,
                                        GError    **error);

/* libtorch's intra-op thread count is per thread (and 1 by default here): call this in the thread
 * that runs the model. 0: one per core. */
void        cnc_torch_set_threads      (guint n);
guint       cnc_torch_get_threads      (void);

typedef struct _CncTorchModel CncTorchModel;

typedef enum {
  CNC_TORCH_LOAD_DEFAULT  = 0,
  /* Also make the variants libtorch's inference passes give: optimize_for_inference (frozen, batch
   * norm folded, oneDNN convolutions) and optimize_for_mobile (XNNPACK). The first run at each batch
   * size times them against the module as saved and keeps the fastest whose output agrees with it
   * (within 1e-4 of the output's scale, NaN and Inf in the same places). CPU only. */
  CNC_TORCH_LOAD_OPTIMIZE = 1 << 0,
} CncTorchLoadFlags;

/* Loads a TorchScript archive for inference (eval mode, no gradients) onto @device. The first load
 * routes libtorch's warnings (process-wide) to g_debug instead of stderr. */
CncTorchModel *cnc_torch_model_load    (const char        *path,
                                        const char        *device,
                                        CncTorchLoadFlags  flags,
                                        GError           **error);
void           cnc_torch_model_free    (CncTorchModel *model);
const char    *cnc_torch_model_get_path (CncTorchModel *model);
/* Whether CNC_TORCH_LOAD_OPTIMIZE was asked for and made at least one variant. */
gboolean       cnc_torch_model_is_optimized (CncTorchModel *model);
/* The variant chosen for @batch ("as saved", "oneDNN (optimize_for_inference)", "XNNPACK
 * (optimize_for_mobile)"), or NULL before the first run at that size. A variant is used only when
 * its outputs agree with the module as saved and its predictions (top-1 and top-5) equal them on
 * the batch it was timed on; a model with dynamically quantized layers (whose output depends on
 * the batch) always runs as saved. */
const char    *cnc_torch_model_get_variant  (CncTorchModel *model,
                                             gint64         batch);
/* From now on every batch, whatever its size, runs the variant chosen for @batch (which must
 * have run already; FALSE if not), so that one evaluation's predictions come from one
 * computation (a last, shorter batch included). 0 unpins: each size chooses its own again. */
gboolean       cnc_torch_model_pin_variant  (CncTorchModel *model,
                                             gint64         batch);

/* What the model's code says about its input, when it says anything: the channel count of its
 * first convolution, or the feature count of its first Linear layer (applied to the flattened
 * instance). Each 0 when unknown. */
void           cnc_torch_model_get_expected_input (CncTorchModel *model,
                                                   gint64        *channels,
                                                   gint64        *features);

/* Runs @input (float32, C-contiguous, @n_dims sizes in @shape, the first the batch) through the
 * model and returns its output as float32 [rows × cols] (batch × classes): owned by @model, valid
 * until the next call. A model whose output is a tuple or list gives its first tensor; trailing
 * dimensions of size 1 are dropped. */
const float   *cnc_torch_model_run     (CncTorchModel *model,
                                        const float   *input,
                                        const gint64  *shape,
                                        guint          n_dims,
                                        gint64        *rows,
                                        gint64        *cols,
                                        GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncTorchModel, cnc_torch_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncTorchDevice, cnc_torch_device_free)

G_END_DECLS
