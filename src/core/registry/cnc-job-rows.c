/* cnc-job-rows.c
 * Jobs in the registry: job states and their names, rows of the jobs table, interrupted-job detection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-jobs"

#include "cnc-job-rows.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cnc-workspace-private.h"
#include "core/cnc-enum-names.h"

const char *
cnc_job_state_name (CncJobState state)
{
  const char *nick = cnc_enum_get_nick (CNC_TYPE_JOB_STATE, state);

  g_return_val_if_fail (nick != NULL, cnc_enum_get_nick (CNC_TYPE_JOB_STATE, CNC_JOB_FAILED));
  return nick;
}

CNC_DEFINE_ENUM_FROM_NAME (CncJobState, CNC_TYPE_JOB_STATE, cnc_job_state_from_name)

gboolean
cnc_job_state_is_final (CncJobState state)
{
  return state != CNC_JOB_QUEUED && state != CNC_JOB_RUNNING;
}

/* ---- rows ---------------------------------------------------------------------------------- */

void
cnc_job_record_free (CncJobRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->kind);
  g_free (record->model_name);
  g_free (record->parameters);
  g_free (record->message);
  g_free (record->error);
  g_free (record);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Runs @sql-writing code inside the caller's transaction, or in one of its own. */
static gboolean
own_begin (CncWorkspace *workspace,
           gboolean     *own,
           GError      **error)
{
  *own = !_cnc_workspace_in_transaction (workspace);
  return !*own || cnc_workspace_begin (workspace, error);
}

static gboolean
own_end (CncWorkspace *workspace,
         gboolean      own,
         gboolean      ok,
         GError      **error)
{
  if (!own)
    return ok;
  if (!ok)
    {
      cnc_workspace_rollback (workspace);
      return FALSE;
    }
  return cnc_workspace_commit (workspace, error);
}

gint64
cnc_job_record_insert (CncWorkspace *workspace,
                       const char   *kind,
                       gint64        model,
                       const char   *parameters,
                       GError      **error)
{
  sqlite3_stmt *stmt;
  gboolean own, ok;
  gint64 id = 0;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), 0);
  g_return_val_if_fail (kind != NULL, 0);

  if (!own_begin (workspace, &own, error))
    return 0;
  stmt = _cnc_workspace_prepare (workspace,
                                 "INSERT INTO jobs (kind, state, model, parameters, created, pid)"
                                 " VALUES (?, 'queued', ?, ?, ?, ?)", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_TRANSIENT);
      if (model > 0)
        sqlite3_bind_int64 (stmt, 2, model);
      else
        sqlite3_bind_null (stmt, 2);
      sqlite3_bind_text (stmt, 3, parameters ? parameters : "{}", -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, now_seconds ());
      sqlite3_bind_int64 (stmt, 5, getpid ());
      ok = _cnc_workspace_step_done (workspace, stmt, "record the job", error);
      if (ok)
        id = sqlite3_last_insert_rowid (_cnc_workspace_get_db (workspace));
    }
  if (!own_end (workspace, own, ok, error))
    return 0;
  return id;
}

gboolean
cnc_job_record_set_state (CncWorkspace *workspace,
                          gint64        id,
                          CncJobState   state,
                          const char   *message,
                          const char   *error_text,
                          GError      **error)
{
  sqlite3_stmt *stmt;
  gboolean own, ok;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);

  if (!own_begin (workspace, &own, error))
    return FALSE;
  stmt = _cnc_workspace_prepare (workspace,
                                 "UPDATE jobs SET state = ?2,"
                                 " message = coalesce (?3, message),"
                                 " error = coalesce (?4, error),"
                                 " started = CASE WHEN ?2 = 'running' THEN ?5 ELSE started END,"
                                 " pid = CASE WHEN ?2 = 'running' THEN ?6 ELSE pid END,"
                                 " finished = CASE WHEN ?2 IN ('queued', 'running') THEN NULL ELSE ?5 END"
                                 " WHERE id = ?1", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, cnc_job_state_name (state), -1, SQLITE_STATIC);
      _cnc_bind_text_or_null (stmt, 3, message);
      _cnc_bind_text_or_null (stmt, 4, error_text);
      sqlite3_bind_int64 (stmt, 5, now_seconds ());
      sqlite3_bind_int64 (stmt, 6, getpid ());
      ok = _cnc_workspace_step_done (workspace, stmt, "record the job's state", error);
    }
  return own_end (workspace, own, ok, error);
}

#define RECORD_COLUMNS "j.id, j.kind, j.state, j.model, m.name, j.parameters, j.message, j.error," \
                       " j.created, j.started, j.finished, j.pid"

static gpointer
record_from_row (sqlite3_stmt *stmt)
{
  CncJobRecord *r = g_new0 (CncJobRecord, 1);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->kind = _cnc_column_dup (stmt, 1);
  if (!cnc_job_state_from_name ((const char *) sqlite3_column_text (stmt, 2), &r->state))
    r->state = CNC_JOB_FAILED;
  r->model = sqlite3_column_int64 (stmt, 3);
  r->model_name = _cnc_column_dup (stmt, 4);
  r->parameters = _cnc_column_dup (stmt, 5);
  r->message = _cnc_column_dup (stmt, 6);
  r->error = _cnc_column_dup (stmt, 7);
  r->created = sqlite3_column_int64 (stmt, 8);
  r->started = sqlite3_column_int64 (stmt, 9);
  r->finished = sqlite3_column_int64 (stmt, 10);
  r->pid = sqlite3_column_int64 (stmt, 11);
  return r;
}

GPtrArray *
cnc_job_record_list (CncWorkspace *workspace,
                     guint         limit,
                     GError      **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_job_record_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);
  stmt = _cnc_workspace_prepare (workspace,
                                 "SELECT " RECORD_COLUMNS " FROM jobs j LEFT JOIN models m ON m.id = j.model"
                                 " ORDER BY j.id DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit ? (gint64) limit : -1);
  if (!_cnc_workspace_collect (workspace, g_steal_pointer (&stmt), record_from_row, list, "read the jobs", error))
    return NULL;
  return g_steal_pointer (&list);
}

CncJobRecord *
cnc_job_record_get (CncWorkspace *workspace,
                    gint64        id,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);
  stmt = _cnc_workspace_prepare (workspace,
                                 "SELECT " RECORD_COLUMNS " FROM jobs j LEFT JOIN models m ON m.id = j.model"
                                 " WHERE j.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                   "%s: no job %" G_GINT64_FORMAT, cnc_workspace_get_path (workspace), id);
      return NULL;
    }
  return record_from_row (stmt);
}

/* When the process @pid started (unix seconds), from /proc; 0 when unknown. */
static gint64
process_start_time (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *stat = NULL, *proc_stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name, *btime;
  long ticks = sysconf (_SC_CLK_TCK);

  if (!g_file_get_contents (path, &stat, NULL, NULL)
      || !g_file_get_contents ("/proc/stat", &proc_stat, NULL, NULL)
      || (after_name = strrchr (stat, ')')) == NULL
      || (btime = strstr (proc_stat, "\nbtime ")) == NULL
      || ticks <= 0)
    return 0;
  /* Fields after "(comm)": state is field 3; starttime is field 22. */
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return 0;
  return g_ascii_strtoll (btime + 7, NULL, 10) + g_ascii_strtoll (fields[19], NULL, 10) / ticks;
}

/* Whether the process that recorded a job at @since is still running (and is the same one,
 * not a later process that got its pid). */
static gboolean
process_alive (gint64 pid,
               gint64 since)
{
  gint64 started;

  if (pid <= 0)
    return FALSE;
  if (pid == getpid ())
    return TRUE;
  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return FALSE;
  started = process_start_time (pid);
  return started == 0 || started <= since + 1;
}

gint
cnc_job_record_mark_interrupted (CncWorkspace *workspace,
                                 GError      **error)
{
  g_autoptr(GArray) dead = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), -1);
  if (cnc_workspace_is_read_only (workspace))
    return 0;

  stmt = _cnc_workspace_prepare (workspace,
                                 "SELECT id, pid, created FROM jobs WHERE state IN ('queued', 'running')", error);
  if (stmt == NULL)
    return -1;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 pid = sqlite3_column_int64 (stmt, 1);

      if (!process_alive (pid, sqlite3_column_int64 (stmt, 2)))
        {
          g_array_append_val (dead, id);
          g_array_append_val (pids, pid);
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (dead->len == 0)
    return 0;

  if (!cnc_workspace_begin (workspace, error))
    return -1;
  for (guint i = 0; i < dead->len && ok; i++)
    {
      g_autofree char *why = g_strdup_printf ("the process running it (pid %" G_GINT64_FORMAT ") ended "
                                              "before it finished", g_array_index (pids, gint64, i));
      sqlite3_stmt *update = _cnc_workspace_prepare (workspace,
                                                     "UPDATE jobs SET state = 'interrupted', error = ?2,"
                                                     " finished = ?3 WHERE id = ?1"
                                                     " AND state IN ('queued', 'running')", error);
      ok = update != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (update, 1, g_array_index (dead, gint64, i));
          sqlite3_bind_text (update, 2, why, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (update, 3, now_seconds ());
          ok = _cnc_workspace_step_done (workspace, update, "mark interrupted jobs", error);
        }
    }
  if (!ok)
    {
      cnc_workspace_rollback (workspace);
      return -1;
    }
  if (!cnc_workspace_commit (workspace, error))
    return -1;
  return (gint) dead->len;
}
