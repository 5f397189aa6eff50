/* cnc-workspace-differs.c
 * "What differs" between registered models: their lineage read from the workspace, then the analysis.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-differs"

#include "cnc-workspace-differs.h"

CncDiffers *
cnc_differs_compute (CncWorkspace  *workspace,
                     const gint64  *models,
                     guint          n_models,
                     GError       **error)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GArray) edges = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);

  if (!(all = cnc_workspace_list_models (workspace, error))
      || !(edges = cnc_workspace_list_edges (workspace, error)))
    return NULL;
  return cnc_differs_compute_from_records (all, edges, models, n_models, error);
}
