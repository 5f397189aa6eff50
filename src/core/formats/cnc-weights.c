/* cnc-weights.c
 * A model file's weights by name, as float32 arrays (quantized ones dequantized).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-weights"

#include "cnc-weights.h"

#include <string.h>

#include "cnc-model-file.h"
#include "cnc-safetensors.h"

G_DEFINE_QUARK (cnc-weights-error-quark, cnc_weights_error)

static void
weight_free (CncWeight *w)
{
  g_free (w->name);
  g_free (w->dtype);
  g_free (w->shape);
  g_free (w->data);
  g_free (w);
}

CncWeights *
cnc_weights_new (const char *source)
{
  CncWeights *self = g_new0 (CncWeights, 1);

  self->source = g_strdup (source);
  self->weights = g_ptr_array_new_with_free_func ((GDestroyNotify) weight_free);
  self->skipped = g_ptr_array_new_with_free_func (g_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
cnc_weights_free (CncWeights *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->weights);
  g_ptr_array_unref (self->skipped);
  g_free (self->source);
  g_free (self);
}

gboolean
cnc_weights_add (CncWeights   *self,
                 const char   *name,
                 const char   *dtype,
                 gboolean      quantized,
                 const gint64 *shape,
                 guint         n_dims,
                 float        *data)
{
  CncWeight *w;

  g_return_val_if_fail (self != NULL && name != NULL && dtype != NULL, FALSE);
  g_return_val_if_fail (n_dims == 0 || shape != NULL, FALSE);

  if (g_hash_table_contains (self->by_name, name))
    {
      g_free (data);
      return FALSE;
    }

  w = g_new0 (CncWeight, 1);
  w->name = g_strdup (name);
  w->dtype = g_strdup (dtype);
  w->quantized = quantized;
  w->n_dims = n_dims;
  w->shape = g_new0 (gint64, MAX (n_dims, 1));
  w->numel = 1;
  for (guint i = 0; i < n_dims; i++)
    {
      w->shape[i] = shape[i];
      w->numel *= shape[i];
    }
  w->data = data;

  g_ptr_array_add (self->weights, w);
  g_hash_table_insert (self->by_name, w->name, w);
  return TRUE;
}

void
cnc_weights_skip (CncWeights *self,
                  const char *name,
                  const char *why)
{
  g_return_if_fail (self != NULL && name != NULL);

  g_ptr_array_add (self->skipped, why ? g_strdup_printf ("%s (%s)", name, why) : g_strdup (name));
}

const CncWeight *
cnc_weights_lookup (const CncWeights *self,
                    const char       *name)
{
  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  return g_hash_table_lookup (self->by_name, name);
}

gint64
cnc_weights_numel (const CncWeights *self)
{
  gint64 n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->weights->len; i++)
    n += ((const CncWeight *) g_ptr_array_index (self->weights, i))->numel;
  return n;
}

static gboolean
is_floating (CncDtype dtype)
{
  return dtype == CNC_DTYPE_F64 || dtype == CNC_DTYPE_F32 || dtype == CNC_DTYPE_F16
         || dtype == CNC_DTYPE_BF16;
}

static void
add_safetensor (const char   *name,
                CncDtype      dtype,
                const gint64 *shape,
                guint         n_dims,
                gint64        numel,
                const void   *data,
                gpointer      user_data)
{
  CncWeights *weights = user_data;
  float *values;

  if (!is_floating (dtype))
    {
      cnc_weights_skip (weights, name, cnc_dtype_name (dtype));
      return;
    }
  values = g_new (float, MAX (numel, 1));
  cnc_safetensors_to_f32 (data, dtype, numel, values);
  cnc_weights_add (weights, name, cnc_dtype_name (dtype), FALSE, shape, n_dims, values);
}

CncWeights *
cnc_weights_read_file (const char        *path,
                       const char        *format,
                       CncWeightsReader   torch_reader,
                       GError           **error)
{
  g_autoptr(CncWeights) weights = NULL;
  CncModelFormat detected, wanted;

  g_return_val_if_fail (path != NULL && format != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cnc_model_format_from_name (format, &wanted) || wanted == CNC_MODEL_FORMAT_CAC_JSON)
    {
      g_set_error (error, CNC_WEIGHTS_ERROR, CNC_WEIGHTS_ERROR_UNSUPPORTED,
                   "%s: weights cannot be read from a “%s” file", path, format);
      return NULL;
    }

  if (wanted == CNC_MODEL_FORMAT_SAFETENSORS)
    {
      weights = cnc_weights_new (path);
      if (!cnc_safetensors_foreach (path, add_safetensor, weights, error))
        return NULL;
      return g_steal_pointer (&weights);
    }

  if (torch_reader == NULL)
    {
      g_set_error (error, CNC_WEIGHTS_ERROR, CNC_WEIGHTS_ERROR_NO_READER,
                   "%s: reading %s weights needs libtorch, which this program was built without",
                   path, format);
      return NULL;
    }
  /* libtorch checks no CRC and trusts record lengths: the archive is verified first. */
  if (!cnc_model_file_detect (path, &detected, error))
    return NULL;
  if (detected != wanted)
    {
      g_set_error (error, CNC_WEIGHTS_ERROR, CNC_WEIGHTS_ERROR_UNSUPPORTED,
                   "%s: recorded as %s but the file is %s", path, format,
                   cnc_model_format_name (detected));
      return NULL;
    }
  return torch_reader (path, format, error);
}
