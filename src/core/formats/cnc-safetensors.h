/* cnc-safetensors.h
 * Reading safetensors files: header validation, per-tensor statistics and float32 data.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cnc-layer-stats.h"

G_BEGIN_DECLS

#define CNC_SAFETENSORS_ERROR (cnc_safetensors_error_quark ())

typedef enum {
  CNC_SAFETENSORS_ERROR_READ,               /* the file could not be opened or mapped */
  CNC_SAFETENSORS_ERROR_TOO_SHORT,          /* shorter than the 8-byte header length */
  CNC_SAFETENSORS_ERROR_BAD_HEADER,         /* header length, JSON or top-level shape wrong */
  CNC_SAFETENSORS_ERROR_BAD_ENTRY,          /* a tensor entry lacks or misstates a field */
  CNC_SAFETENSORS_ERROR_UNSUPPORTED_DTYPE,  /* an element type we cannot read */
  CNC_SAFETENSORS_ERROR_BAD_OFFSETS,        /* data offsets outside the data area or inconsistent */
  CNC_SAFETENSORS_ERROR_OVERLAP,            /* two tensors share bytes */
} CncSafetensorsError;

GQuark     cnc_safetensors_error_quark (void);

/* Whether the first @len bytes of a file look like safetensors: a plausible
 * little-endian header length followed by '{'. Cheap; validates nothing else. */
gboolean   cnc_safetensors_probe       (const guint8 *head,
                                        gsize         len);

/* Maps @path, validates its header strictly and returns one CncLayerStats* per
 * tensor (in header order, `__metadata__` skipped), with statistics computed
 * from the data. The array frees its elements. NULL and @error on failure. */
GPtrArray *cnc_safetensors_inspect     (const char   *path,
                                        GError      **error);

/* One tensor of a validated file: @data points into the mapped file (native little-endian, any
 * alignment: read it with cnc_safetensors_to_f32()) and lives until the call returns. */
typedef void (*CncSafetensorsTensorFunc) (const char   *name,
                                          CncDtype      dtype,
                                          const gint64 *shape,
                                          guint         n_dims,
                                          gint64        numel,
                                          const void   *data,
                                          gpointer      user_data);

/* Maps @path, validates it as cnc_safetensors_inspect() does, then calls @func for each tensor
 * in header order. FALSE and @error (nothing called) when the file is not valid. */
gboolean   cnc_safetensors_foreach     (const char              *path,
                                        CncSafetensorsTensorFunc func,
                                        gpointer                 user_data,
                                        GError                 **error);

/* Converts @n elements of @dtype at @data (any alignment) to float32 into @out. */
void       cnc_safetensors_to_f32      (const void   *data,
                                        CncDtype      dtype,
                                        gint64        n,
                                        float        *out);

G_END_DECLS
