/* cnc-registry-task.h
 * Running a piece of registry work in a GTask thread on its own workspace connection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

/* Runs in the thread with a connection the job owns; returns FALSE with @error on failure.
 * @result_out (optional) receives a value handed to the caller through cnc_registry_task_finish. */
typedef gboolean (*CncRegistryTaskFunc) (CncWorkspace  *workspace,
                                         gpointer       data,
                                         gpointer      *result_out,
                                         GDestroyNotify *result_free,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* Opens the workspace in @dir (with @flags) in a worker thread, runs @func there, closes it. The main
 * thread never waits on SQLite or files. @data is freed with @data_free after the job. */
void      cnc_registry_task_run    (const char            *dir,
                                    CncWorkspaceOpenFlags  flags,
                                    CncRegistryTaskFunc    func,
                                    gpointer               data,
                                    GDestroyNotify         data_free,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
/* Returns FALSE with @error when the job failed; *@result_out (optional) gets the job's result. */
gboolean  cnc_registry_task_finish (GAsyncResult  *result,
                                    gpointer      *result_out,
                                    GError       **error);

G_END_DECLS
