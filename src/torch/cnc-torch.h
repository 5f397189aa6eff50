/* cnc-torch.h
 * The C interface to libtorch: reading TorchScript archives and torch.save state dicts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNC_TORCH_ERROR (cnc_torch_error_quark ())

typedef enum {
  CNC_TORCH_ERROR_FAILED,         /* libtorch threw: the message is its last meaningful line */
  CNC_TORCH_ERROR_ORDERED_DICT,   /* a state dict saved as an OrderedDict */
  CNC_TORCH_ERROR_NOT_A_DICT,     /* a torch.save file that holds something other than a dict */
  CNC_TORCH_ERROR_WRONG_FORMAT,   /* a TorchScript archive read as a state dict, or the reverse */
  CNC_TORCH_ERROR_CORRUPT,        /* a tensor record shorter than its tensor */
  CNC_TORCH_ERROR_IO,             /* the file could not be read */
} CncTorchError;

GQuark      cnc_torch_error_quark            (void);

/* "1.13.1": the libtorch the shim was built against. */
const char *cnc_torch_version                (void);

/* The quantized engine chosen for loading quantized models ("qnnpack", "onednn", ...),
 * or "none". Chosen once, on first use of an inspect function. */
const char *cnc_torch_quantized_engine       (void);

/* A GPtrArray of CncLayerStats*: every parameter of a TorchScript archive, in libtorch's order,
 * then the weight (dtype "qint8", quantized) and bias of each dynamically quantized Linear. */
GPtrArray  *cnc_torch_inspect_torchscript    (const char  *path,
                                              GError     **error);

/* A GPtrArray of CncLayerStats*: every tensor value of a torch.save'd plain dict, in the dict's
 * order, with its own dtype ("float16", "int64", ...); non-tensor values are skipped. */
GPtrArray  *cnc_torch_inspect_state_dict     (const char  *path,
                                              GError     **error);

G_END_DECLS
