/* cnc-workspace-private.h
 * In-tree API of the workspace: its SQLite handle, statement helpers and schema migrations.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "cnc-workspace.h"

G_BEGIN_DECLS

sqlite3      *_cnc_workspace_get_db        (CncWorkspace *self);
const char   *_cnc_workspace_get_store_dir (CncWorkspace *self);
gboolean      _cnc_workspace_in_transaction (CncWorkspace *self);

/* Sets @error from the database's last error, in the user's words (busy, read-only, ...). */
gboolean      _cnc_workspace_fail          (CncWorkspace *self, int rc, const char *doing, GError **error);

/* Prepares @sql; on failure sets @error and returns NULL. */
sqlite3_stmt *_cnc_workspace_prepare       (CncWorkspace *self, const char *sql, GError **error);
/* Runs @sql (one or more statements, no results). */
gboolean      _cnc_workspace_exec          (CncWorkspace *self, const char *sql, GError **error);
/* Steps a statement that returns no rows, finalizes it. */
gboolean      _cnc_workspace_step_done     (CncWorkspace *self, sqlite3_stmt *stmt, const char *doing, GError **error);

/* Makes one record of the current row. */
typedef gpointer (*CncRowFunc) (sqlite3_stmt *stmt);
/* Steps @stmt (prepared and bound by the caller; finalized here) to its end, appending @row's record of each
 * row to @into (which frees them); FALSE with @error (saying what the caller was @doing) when a step fails,
 * so that a list is never silently cut short. */
gboolean      _cnc_workspace_collect       (CncWorkspace *self, sqlite3_stmt *stmt, CncRowFunc row, GPtrArray *into,
                                            const char *doing, GError **error);

/* Brings the schema to CNC_WORKSPACE_SCHEMA_VERSION (in cnc-workspace-schema.c). */
gboolean      _cnc_workspace_migrate       (CncWorkspace *self, GError **error);

static inline void
_cnc_bind_text_or_null (sqlite3_stmt *stmt, int i, const char *text)
{
  if (text)
    sqlite3_bind_text (stmt, i, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, i);
}

static inline char *
_cnc_column_dup (sqlite3_stmt *stmt, int i)
{
  const unsigned char *t = sqlite3_column_text (stmt, i);
  return t ? g_strdup ((const char *) t) : NULL;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
