/* cnc-torch-activations.h
 * Capturing the outputs of named submodules of a TorchScript model (scripted or traced), and Gram matrices.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-torch.h"
#include "core/analysis/cnc-cka.h"

G_BEGIN_DECLS

/* libtorch 1.13 has no forward hooks on TorchScript modules: the capture copies the model's
 * forward graph, inlines every call, reads from each node's inlined call stack which submodule
 * it belongs to, and returns, besides running the whole model, a copy of each submodule's
 * output taken where the module returns (so that a later in-place operation, an in-place ReLU
 * or `out += identity`, does not change it). A module called several times gives its last
 * call's output, as a forward hook storing by name would. Works for every module whose output
 * is a tensor computed at the top level of forward; not for modules inside `if`/loops of
 * scripted code, modules returning tuples, or modules that return their input unchanged
 * (nn.Identity): those say why. The model runs in eval mode without gradients. */

/* Loads @path; @label names the model in messages (NULL: the path). Fails for models without
 * submodules (a model saved after torch.jit.freeze keeps none), for forward methods taking more
 * than one input, and for files libtorch cannot read. @n_threads: intra-op threads when
 * running (0: every core). */
CncCapture   *cnc_torch_capture_open          (const char   *path,
                                               const char   *label,
                                               guint         n_threads,
                                               GError      **error);
void          cnc_torch_capture_free          (CncCapture   *capture);

/* Every named submodule ("layer1", "layer1.0", "layer1.0.conv1", ...), in the model's order. */
guint         cnc_torch_capture_get_n_modules (CncCapture   *capture);
const char   *cnc_torch_capture_get_module    (CncCapture   *capture,
                                               guint         i);

/* Runs @count instances: @input holds count × instance_shape float32 values in C order (it is
 * copied: the model cannot change it). */
gboolean      cnc_torch_capture_run           (CncCapture   *capture,
                                               const float  *input,
                                               gint64        count,
                                               const gint64 *instance_shape,
                                               guint         n_dims,
                                               GError      **error);

/* Module @i's output in the last run: count rows of *@features float32 values (C order, owned by
 * @capture, valid until the next run); NULL with *@why (a sentence) when it has none. */
const float  *cnc_torch_capture_get_output    (CncCapture   *capture,
                                               guint         i,
                                               gint64       *features,
                                               const char  **why);
/* The shape of one instance's output of module @i in the last run (without the batch). */
const gint64 *cnc_torch_capture_get_output_shape (CncCapture *capture,
                                                  guint       i,
                                                  guint      *n_dims);

/* X·Xᵀ (n × n) of the n × d row-major @x, through the BLAS libtorch links (its SYRK when the
 * library exports one, else torch::mm): a CncGramProduct. @n_threads > 0 sets the calling
 * thread's intra-op (and BLAS) thread count first; 0 leaves it. */
gboolean      cnc_torch_gram                  (const float  *x,
                                               gint64        n,
                                               gint64        d,
                                               float        *out,
                                               guint         n_threads,
                                               GError      **error);

/* The functions above, for cnc_cka_compare(). */
const CncActivationBackend *cnc_torch_activation_backend (void);

G_END_DECLS
