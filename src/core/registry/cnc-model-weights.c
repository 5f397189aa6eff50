/* cnc-model-weights.c
 * The weights of a registered model, read from its file in the store (or its linked original).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-weights"

#include "cnc-model-weights.h"

#include "cnc-store.h"

CncWeights *
cnc_weights_read_model (CncWorkspace      *workspace,
                        const CncModel    *model,
                        CncWeightsReader   torch_reader,
                        GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  CncWeights *weights;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = cnc_store_model_path (workspace, model);
  if (path == NULL || model->format == NULL || g_str_equal (model->format, "record"))
    {
      g_set_error (error, CNC_WEIGHTS_ERROR, CNC_WEIGHTS_ERROR_NO_FILE,
                   "model “%s” has no weights file (it was recorded from a models.json)",
                   model->name);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "model “%s”: its file %s is missing%s", model->name, path,
                   model->linked ? " (it was imported with --link and has moved)" : "");
      return NULL;
    }

  weights = cnc_weights_read_file (path, model->format, torch_reader, &local_error);
  if (weights == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "model “%s”: ", model->name);
      return NULL;
    }
  g_free (weights->source);
  weights->source = g_strdup (model->name);
  return weights;
}
