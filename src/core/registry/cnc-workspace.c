/* cnc-workspace.c
 * Opening a workspace folder: its SQLite registry (WAL, foreign keys, migrations), transactions, errors.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-workspace"

#include "cnc-workspace-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define REGISTRY_FILE "registry.sqlite"
#define STORE_DIR "store"
#define DEFAULT_BUSY_TIMEOUT_MS 3000

struct _CncWorkspace
{
  GObject   parent_instance;

  char     *path;
  char     *store_dir;
  sqlite3  *db;
  int       busy_timeout_ms;
  guint     read_only : 1;
  guint     in_transaction : 1;
};

G_DEFINE_TYPE (CncWorkspace, cnc_workspace, G_TYPE_OBJECT)

static void
cnc_workspace_finalize (GObject *object)
{
  CncWorkspace *self = CNC_WORKSPACE (object);

  if (self->in_transaction)
    cnc_workspace_rollback (self);
  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->path);
  g_free (self->store_dir);

  G_OBJECT_CLASS (cnc_workspace_parent_class)->finalize (object);
}

static void
cnc_workspace_class_init (CncWorkspaceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cnc_workspace_finalize;
}

static void
cnc_workspace_init (CncWorkspace *self)
{
  const char *env = g_getenv ("CNC_BUSY_TIMEOUT_MS");

  self->busy_timeout_ms = env ? (int) g_ascii_strtoll (env, NULL, 10) : DEFAULT_BUSY_TIMEOUT_MS;
}

char *
cnc_workspace_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "compress-compare", "default", NULL);
}

sqlite3 *
_cnc_workspace_get_db (CncWorkspace *self)
{
  return self->db;
}

const char *
_cnc_workspace_get_store_dir (CncWorkspace *self)
{
  return self->store_dir;
}

const char *
cnc_workspace_get_path (CncWorkspace *self)
{
  g_return_val_if_fail (CNC_IS_WORKSPACE (self), NULL);
  return self->path;
}

gboolean
cnc_workspace_is_read_only (CncWorkspace *self)
{
  g_return_val_if_fail (CNC_IS_WORKSPACE (self), TRUE);
  return self->read_only;
}

gboolean
_cnc_workspace_in_transaction (CncWorkspace *self)
{
  return self->in_transaction;
}

gboolean
_cnc_workspace_fail (CncWorkspace *self,
                     int           rc,
                     const char   *doing,
                     GError      **error)
{
  int primary = rc & 0xff;
  const char *msg = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_BUSY,
                 "%s: another process is writing to this workspace (waited %.1f s); try again when it is done",
                 self->path, self->busy_timeout_ms / 1000.0);
  else if (primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_CANTOPEN)
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY,
                 "%s: the workspace is read-only; cannot %s", self->path, doing);
  else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT,
                 "%s: the registry database is damaged (%s)", self->path, msg);
  else if (primary == SQLITE_CONSTRAINT)
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                 "%s: could not %s: %s", self->path, doing, msg);
  else if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
    {
      /* The operating system's reason says more than SQLite's "disk I/O error". */
      int os_errno = self->db ? sqlite3_system_errno (self->db) : 0;
      const char *why = primary == SQLITE_FULL || os_errno == ENOSPC ? "the disk is full"
                        : os_errno == EFBIG ? "the file size limit (ulimit -f) was reached"
                        : os_errno == EDQUOT ? "the disk quota is exhausted"
                        : os_errno != 0 ? g_strerror (os_errno) : msg;

      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_IO,
                   "%s: could not %s: %s; nothing was changed", self->path, doing, why);
    }
  else
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_IO,
                 "%s: could not %s: %s", self->path, doing, msg);
  return FALSE;
}

sqlite3_stmt *
_cnc_workspace_prepare (CncWorkspace *self,
                        const char   *sql,
                        GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _cnc_workspace_fail (self, rc, "use the registry", error);
      return NULL;
    }
  return stmt;
}

gboolean
_cnc_workspace_exec (CncWorkspace *self,
                     const char   *sql,
                     GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _cnc_workspace_fail (self, rc, "update the registry", error);
  return TRUE;
}

gboolean
_cnc_workspace_step_done (CncWorkspace *self,
                          sqlite3_stmt *stmt,
                          const char   *doing,
                          GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _cnc_workspace_fail (self, sqlite3_extended_errcode (self->db), doing, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

gboolean
_cnc_workspace_collect (CncWorkspace *self,
                        sqlite3_stmt *stmt,
                        CncRowFunc    row,
                        GPtrArray    *into,
                        const char   *doing,
                        GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (into, row (stmt));
  if (rc != SQLITE_DONE)
    _cnc_workspace_fail (self, sqlite3_extended_errcode (self->db), doing, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

gboolean
cnc_workspace_begin (CncWorkspace *self,
                     GError      **error)
{
  int rc;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (self->read_only)
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY,
                   "%s: the workspace is read-only (no write permission); nothing was changed", self->path);
      return FALSE;
    }
  rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return _cnc_workspace_fail (self, rc, "start a change", error);
  self->in_transaction = TRUE;
  return TRUE;
}

gboolean
cnc_workspace_commit (CncWorkspace *self,
                      GError      **error)
{
  int rc;

  g_return_val_if_fail (self->in_transaction, FALSE);

  rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _cnc_workspace_fail (self, rc, "save the change", error);
      cnc_workspace_rollback (self);
      return FALSE;
    }
  self->in_transaction = FALSE;
  return TRUE;
}

void
cnc_workspace_rollback (CncWorkspace *self)
{
  g_return_if_fail (CNC_IS_WORKSPACE (self));

  if (!self->in_transaction)
    return;
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  self->in_transaction = FALSE;
}

static gboolean
configure_connection (CncWorkspace *self,
                      gboolean      created,
                      GError      **error)
{
  sqlite3_busy_timeout (self->db, self->busy_timeout_ms);
  sqlite3_extended_result_codes (self->db, 1);
  if (!_cnc_workspace_exec (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;
  if (!self->read_only)
    {
      /* Changing the journal mode needs the write lock: only do it when it is not WAL yet. */
      g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (self, "PRAGMA journal_mode", error);
      gboolean is_wal;

      if (stmt == NULL)
        return FALSE;
      if (sqlite3_step (stmt) != SQLITE_ROW)
        return _cnc_workspace_fail (self, sqlite3_errcode (self->db), "open the registry", error);
      is_wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
      g_clear_pointer (&stmt, sqlite3_finalize);
      if (!is_wal && !_cnc_workspace_exec (self, "PRAGMA journal_mode = WAL", error))
        return FALSE;
      if (!_cnc_workspace_exec (self, "PRAGMA synchronous = NORMAL", error))
        return FALSE;
    }
  (void) created;
  return _cnc_workspace_migrate (self, error);
}

CncWorkspace *
cnc_workspace_open (const char             *dir,
                    CncWorkspaceOpenFlags   flags,
                    GError                **error)
{
  g_autoptr(CncWorkspace) self = NULL;
  g_autofree char *db_path = NULL;
  gboolean exists, created = FALSE;
  int open_flags, rc;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (CNC_TYPE_WORKSPACE, NULL);
  self->path = g_canonicalize_filename (dir, NULL);
  self->store_dir = g_build_filename (self->path, STORE_DIR, NULL);
  db_path = g_build_filename (self->path, REGISTRY_FILE, NULL);
  exists = g_file_test (db_path, G_FILE_TEST_IS_REGULAR);

  if (!exists)
    {
      if (!(flags & CNC_WORKSPACE_OPEN_CREATE))
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                       "%s: no workspace here (create one with `compress-compare init %s`)",
                       self->path, dir);
          return NULL;
        }
      if (g_file_test (self->path, G_FILE_TEST_EXISTS) && !g_file_test (self->path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                       "%s: is a file, not a workspace folder", self->path);
          return NULL;
        }
      if (g_mkdir_with_parents (self->store_dir, 0755) != 0)
        {
          int errsv = errno;
          g_set_error (error, CNC_WORKSPACE_ERROR,
                       errsv == EACCES || errsv == EROFS ? CNC_WORKSPACE_ERROR_READ_ONLY : CNC_WORKSPACE_ERROR_IO,
                       "%s: cannot create the workspace: %s", self->path, g_strerror (errsv));
          return NULL;
        }
      created = TRUE;
    }

  self->read_only = (flags & CNC_WORKSPACE_OPEN_READ_ONLY) != 0
                    || (exists && (access (self->path, W_OK) != 0 || access (db_path, W_OK) != 0));
  open_flags = self->read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  rc = sqlite3_open_v2 (db_path, &self->db, open_flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      _cnc_workspace_fail (self, rc, "open the registry", error);
      return NULL;
    }
  if (!configure_connection (self, created, error))
    return NULL;
  if (!g_file_test (self->store_dir, G_FILE_TEST_IS_DIR) && !self->read_only)
    g_mkdir_with_parents (self->store_dir, 0755);

  return g_steal_pointer (&self);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

char *
cnc_workspace_fingerprint (CncWorkspace *self,
                           GError      **error)
{
  static const char * const tables[] = {
    "operations", "metrics", "models", "model_tags", "lineage", "metric_values", "layers",
    "datasets", "dataset_splits", "evaluations", "prediction_arrays", "loss_curves",
  };
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1, 2", tables[t]);
      g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (self, sql, error);

      if (stmt == NULL)
        return NULL;
      g_checksum_update (sum, (const guchar *) tables[t], -1);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const void *v = sqlite3_column_blob (stmt, c);
            int len = sqlite3_column_bytes (stmt, c);
            if (v)
              g_checksum_update (sum, v, len);
            else
              g_checksum_update (sum, (const guchar *) "\x01NULL", -1);
            g_checksum_update (sum, (const guchar *) "\x1f", 1);
          }
    }

  /* The store's files, by name (content-addressed: the name is the content). */
  if ((dir = g_dir_open (self->store_dir, 0, NULL)))
    {
      const char *sub;
      while ((sub = g_dir_read_name (dir)))
        {
          g_autofree char *subpath = g_build_filename (self->store_dir, sub, NULL);
          g_autoptr(GDir) d2 = g_dir_open (subpath, 0, NULL);
          const char *f;
          if (d2 == NULL)
            {
              g_ptr_array_add (files, g_strdup (sub));
              continue;
            }
          while ((f = g_dir_read_name (d2)))
            g_ptr_array_add (files, g_build_filename (sub, f, NULL));
        }
    }
  g_ptr_array_sort (files, compare_strings);
  for (guint i = 0; i < files->len; i++)
    g_checksum_update (sum, files->pdata[i], -1);

  return g_strdup (g_checksum_get_string (sum));
}
