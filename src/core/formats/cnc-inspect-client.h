/* cnc-inspect-client.h
 * Layer statistics of PyTorch files, read by the cnc-inspect helper process (libtorch stays out of core).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CNC_INSPECT_ERROR (cnc_inspect_error_quark ())

typedef enum {
  CNC_INSPECT_ERROR_FAILED,       /* the helper could not read the file: its message */
  CNC_INSPECT_ERROR_CRASHED,      /* the helper died from a signal inside libtorch */
  CNC_INSPECT_ERROR_TIMED_OUT,    /* the helper ran past the time limit and was killed */
  CNC_INSPECT_ERROR_NO_HELPER,    /* the helper executable was not found or did not start */
  CNC_INSPECT_ERROR_BAD_OUTPUT,   /* the helper's output was not the expected JSON */
} CncInspectError;

/* Seconds cnc_inspect_file() lets the helper run. */
#define CNC_INSPECT_TIMEOUT_SECONDS 120

GQuark     cnc_inspect_error_quark      (void);

/* Where the helper is: $CNC_INSPECT_HELPER if set; else `cnc-inspect` next to the running
 * executable; else CNC_LIBEXECDIR/compress-compare/cnc-inspect. */
char      *cnc_inspect_find_helper      (GError       **error);

/* A GPtrArray of CncLayerStats* for the model file @path in @format ("torchscript" or
 * "state-dict"), read by the helper process. A crash of libtorch on a corrupt file
 * becomes a CNC_INSPECT_ERROR_CRASHED error. Blocks: call it from a worker thread. */
GPtrArray *cnc_inspect_file             (const char    *path,
                                         const char    *format,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* The same with the time limit given (seconds; 0 for none). */
GPtrArray *cnc_inspect_file_with_timeout (const char    *path,
                                          const char    *format,
                                          guint          timeout_seconds,
                                          GCancellable  *cancellable,
                                          GError       **error);

G_END_DECLS
