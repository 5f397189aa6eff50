/* cnc-zip.h
 * Checking zip archives (PyTorch's file container) member by member, CRCs included.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNC_ZIP_ERROR (cnc_zip_error_quark ())

typedef enum {
  CNC_ZIP_ERROR_READ,       /* the file could not be opened or read */
  CNC_ZIP_ERROR_NOT_ZIP,    /* not a zip archive at all */
  CNC_ZIP_ERROR_TRUNCATED,  /* starts like a zip archive but its end is missing */
  CNC_ZIP_ERROR_CORRUPT,    /* directory and member headers disagree, or a member cannot be read */
  CNC_ZIP_ERROR_CRC,        /* a member's data does not match its CRC */
} CncZipError;

GQuark   cnc_zip_error_quark (void);

/* Opens @path with consistency checks and reads every member to its end, so that
 * each member's CRC is checked (libtorch does not check them). On success returns
 * TRUE and, if @members_out is not NULL, the member names in archive order
 * (a GPtrArray of strings that frees them). */
gboolean cnc_zip_verify      (const char  *path,
                              GPtrArray  **members_out,
                              GError     **error);

G_END_DECLS
