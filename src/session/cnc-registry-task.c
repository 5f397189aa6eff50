/* cnc-registry-task.c
 * Running a piece of registry work in a GTask thread on its own workspace connection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-session"

#include "cnc-registry-task.h"

typedef struct {
  char                  *dir;
  CncWorkspaceOpenFlags  flags;
  CncRegistryTaskFunc    func;
  gpointer               data;
  GDestroyNotify         data_free;
} Job;

typedef struct {
  gpointer       value;
  GDestroyNotify free;
} JobResult;

static void
job_free (Job *job)
{
  if (job->data_free && job->data)
    job->data_free (job->data);
  g_free (job->dir);
  g_free (job);
}

static void
job_result_free (JobResult *result)
{
  if (result->free && result->value)
    result->free (result->value);
  g_free (result);
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CncWorkspace) workspace = NULL;
  g_autoptr(GError) error = NULL;
  JobResult *result = g_new0 (JobResult, 1);

  workspace = cnc_workspace_open (job->dir, job->flags, &error);
  if (workspace == NULL
      || !job->func (workspace, job->data, &result->value, &result->free, cancellable, &error))
    {
      job_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) job_result_free);
}

void
cnc_registry_task_run (const char            *dir,
                       CncWorkspaceOpenFlags  flags,
                       CncRegistryTaskFunc    func,
                       gpointer               data,
                       GDestroyNotify         data_free,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->dir = g_strdup (dir);
  job->flags = flags;
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  g_task_set_source_tag (task, cnc_registry_task_run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

gboolean
cnc_registry_task_finish (GAsyncResult  *result,
                          gpointer      *result_out,
                          GError       **error)
{
  JobResult *job_result;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  job_result = g_task_propagate_pointer (G_TASK (result), error);
  if (job_result == NULL)
    return FALSE;
  if (result_out)
    {
      *result_out = job_result->value;
      job_result->value = NULL;
    }
  job_result_free (job_result);
  return TRUE;
}
