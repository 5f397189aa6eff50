/* cnc-workspace-differs.h
 * "What differs" between registered models: their lineage read from the workspace, then the analysis.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/analysis/cnc-differs.h"
#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

/* cnc_differs_compute_from_records() on every model and lineage edge of @workspace. Fails
 * (CNC_WORKSPACE_ERROR_INVALID) on fewer than 2 or more than 16 models, or a model twice;
 * (CNC_WORKSPACE_ERROR_NOT_FOUND) on an id the workspace does not hold. */
CncDiffers *cnc_differs_compute (CncWorkspace  *workspace,
                                 const gint64  *models,
                                 guint          n_models,
                                 GError       **error);

G_END_DECLS
