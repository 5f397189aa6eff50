/* cnc-model-file.h
 * Recognising a model file's format and checking it before anything loads it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CNC_MODEL_FORMAT_TORCHSCRIPT,   /* torch.jit.save: zip with code/ and data.pkl */
  CNC_MODEL_FORMAT_STATE_DICT,    /* torch.save (zip): data.pkl without code */
  CNC_MODEL_FORMAT_SAFETENSORS,
  CNC_MODEL_FORMAT_CAC_JSON,      /*< nick=models.json >*/ /* a Compress & Compare models.json */
} CncModelFormat;

#define CNC_MODEL_FILE_ERROR (cnc_model_file_error_quark ())

typedef enum {
  CNC_MODEL_FILE_ERROR_NOT_FOUND,
  CNC_MODEL_FILE_ERROR_IS_FOLDER,
  CNC_MODEL_FILE_ERROR_UNREADABLE,
  CNC_MODEL_FILE_ERROR_EMPTY,
  CNC_MODEL_FILE_ERROR_NOT_A_MODEL,     /* a zip or JSON file, but not one of ours */
  CNC_MODEL_FILE_ERROR_LEGACY_FORMAT,   /* PyTorch's pre-1.6 pickle format */
  CNC_MODEL_FILE_ERROR_UNKNOWN_FORMAT,
} CncModelFileError;

GQuark      cnc_model_file_error_quark  (void);

/* "torchscript", "state-dict", "safetensors", "models.json" */
const char *cnc_model_format_name       (CncModelFormat  format);
gboolean    cnc_model_format_from_name  (const char     *name,
                                         CncModelFormat *out);

/* Recognises @path's format from its first bytes. A zip archive is also checked in
 * full (every member's CRC, see cnc_zip_verify()); other files are read only as far
 * as needed (a models.json is parsed). Errors come in CNC_MODEL_FILE_ERROR, or in
 * CNC_ZIP_ERROR for a damaged archive. */
gboolean    cnc_model_file_detect       (const char     *path,
                                         CncModelFormat *format_out,
                                         GError        **error);

G_END_DECLS
