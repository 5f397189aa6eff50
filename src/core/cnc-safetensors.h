/* cnc-safetensors.h
 * Reading safetensors files: header validation and per-tensor statistics.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

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

G_END_DECLS
