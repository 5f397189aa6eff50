/* cnc-torch-compress-private.h
 * In-tree C++ helpers of the compression operations: loading and saving modules, reading training batches,
 * the weights an operation changes and the load–edit–save skeleton they share.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-torch-compress.h"
#include "cnc-torch-private.h"

#include <torch/script.h>

#include <memory>
#include <string>
#include <vector>

/* Loads @path as a TorchScript module; FALSE with a user's message on failure. */
gboolean _cnc_torch_ops_load      (const char          *path,
                                   torch::jit::Module  &module,
                                   GError             **error) noexcept;
/* Saves @module (in eval mode) to @out_path through a temporary name in the same folder. */
gboolean _cnc_torch_ops_save      (torch::jit::Module  &module,
                                   const char          *out_path,
                                   GError             **error) noexcept;
/* Reads instances 0 … count-1 of @data (checked with _cnc_torch_ops_check_source) into @images
 * (count × C × H × W float32) and @labels (int64), checking every label. */
gboolean _cnc_torch_ops_read      (const CncBatchSource *data,
                                   gint64                count,
                                   at::Tensor           &images,
                                   at::Tensor           &labels,
                                   GCancellable         *cancellable,
                                   GError              **error);
gboolean _cnc_torch_ops_check_source (const CncBatchSource *data,
                                      GError              **error);
/* The module type's name without its package and mangling: "Conv2d". */
std::string _cnc_torch_ops_type_name (const torch::jit::Module &module);

/* ---- the weights of convolution and linear layers ---- */

struct Target
{
  std::string name;      /* "features.0.weight" */
  std::string type;      /* "Conv2d" */
  at::Tensor  weight;
  at::Tensor  bias;      /* undefined when the layer has none */
  at::Tensor  norm_weight, norm_bias;   /* channel pruning: the BatchNorm right after, if any */
};

/* The targets of an operation, sorted by name. @channels: for channel pruning, which leaves out
 * ConvTranspose layers and the output layer, and notes the BatchNorm that follows each layer. */
gboolean _cnc_torch_ops_collect_targets (const char           *path,
                                         torch::jit::Module   &root,
                                         const char           *pattern,
                                         bool                  channels,
                                         std::vector<Target>  &targets,
                                         GError              **error);

/* The skeleton every weight operation shares: loads @in_path, hands its targets to @edit (which
 * changes them in place and may fail, checking @cancellable), then saves to @out_path. libtorch's
 * exceptions become an error naming @in_path. */
template <typename Edit>
static inline gboolean
_cnc_torch_ops_edit_targets (const char   *in_path,
              const char   *out_path,
              const char   *pattern,
              bool          channels,
              GCancellable *cancellable,
              GError      **error,
              Edit          edit)
{
  try
    {
      torch::jit::Module module;
      std::vector<Target> targets;
      torch::NoGradGuard no_grad;

      if (!_cnc_torch_ops_load (in_path, module, error)
          || !_cnc_torch_ops_collect_targets (in_path, module, pattern, channels, targets, error)
          || !edit (targets)
          || g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      return _cnc_torch_ops_save (module, out_path, error);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, in_path, std::current_exception ());
      return FALSE;
    }
}
