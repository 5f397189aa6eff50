/* cnc-store.h
 * The workspace's content-addressed store of model files (by SHA-256).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-workspace.h"

G_BEGIN_DECLS

/* SHA-256 (lower-case hex) and size of a file, read in chunks. */
gboolean  cnc_store_hash_file    (const char    *path,
                                  char         **sha256_out,
                                  gint64        *size_out,
                                  GCancellable  *cancellable,
                                  GError       **error);

/* Places @path in the store under its hash: a reflink or hard link when the filesystem allows,
 * else a copy (written to a temporary name, then renamed). *relpath_out gets the store-relative
 * path; *created_out tells whether a new file was made (so a failed action can take it back). */
gboolean  cnc_store_add          (CncWorkspace  *workspace,
                                  const char    *path,
                                  const char    *sha256,
                                  char         **relpath_out,
                                  gboolean      *created_out,
                                  GError       **error);

/* Removes a file cnc_store_add created, when the action that needed it failed. */
void      cnc_store_take_back    (CncWorkspace  *workspace,
                                  const char    *relpath);

/* The file of a model: the stored copy, or the linked original. */
char     *cnc_store_model_path   (CncWorkspace  *workspace,
                                  const CncModel *model);

/* Deletes stored files that no model refers to any more; returns how many. */
guint     cnc_store_collect_garbage (CncWorkspace *workspace,
                                     GError      **error);

G_END_DECLS
