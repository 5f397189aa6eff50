/* cnc-torch-weights.h
 * Every named weight of a TorchScript archive or torch.save state dict, as float32 arrays.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-torch.h"
#include "core/formats/cnc-weights.h"

G_BEGIN_DECLS

/* The weights of @path (@format "torchscript" or "state-dict"), a CncWeightsReader: for
 * TorchScript every parameter (libtorch's order), then the weight and bias of each dynamically
 * quantized Linear, read through its packed params' _weight_bias() and dequantized; for a state
 * dict every floating-point or quantized tensor, in the dict's order. Other tensors (int64
 * counters, ...) are listed in the result's `skipped`. Errors as cnc_torch_inspect_*(), naming
 * @path. Loads the file in this process: check zip archives first (cnc_weights_read_file does). */
CncWeights *cnc_torch_read_weights (const char  *path,
                                    const char  *format,
                                    GError     **error);

G_END_DECLS
