/* cnc-model-weights.h
 * The weights of a registered model, read from its file in the store (or its linked original).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/formats/cnc-weights.h"
#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

/* The weights of a registered model, from its stored file. Errors name the model. */
CncWeights      *cnc_weights_read_model (CncWorkspace      *workspace,
                                         const CncModel    *model,
                                         CncWeightsReader   torch_reader,
                                         GError           **error);

G_END_DECLS
