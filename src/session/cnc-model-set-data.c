/* cnc-model-set-data.c
 * What one load of the model set reads from the registry: models, edges, metrics and values, with the lineage
 * indexed (parents, teachers, children, depths) and look-ups by id and name.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-model-set"

#include "cnc-model-set-private.h"

#include <math.h>

void
_cnc_model_set_data_free (CncModelSetData *d)
{
  if (d == NULL)
    return;
  g_clear_pointer (&d->models, g_ptr_array_unref);
  g_clear_pointer (&d->edges, g_array_unref);
  g_clear_pointer (&d->metrics, g_ptr_array_unref);
  g_clear_pointer (&d->by_id, g_hash_table_unref);
  g_clear_pointer (&d->by_name, g_hash_table_unref);
  g_free (d->values);
  g_free (d->parent);
  g_free (d->teacher);
  g_free (d->child_start);
  g_free (d->child_list);
  g_free (d->depth);
  g_free (d);
}

CncModelSetData *
_cnc_model_set_data_new_empty (void)
{
  CncModelSetData *d = g_new0 (CncModelSetData, 1);

  d->models = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_model_free);
  d->edges = g_array_new (FALSE, FALSE, sizeof (CncEdge));
  d->metrics = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_metric_free);
  d->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  d->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  d->child_start = g_new0 (guint, 1);
  return d;
}

guint
_cnc_model_set_data_index_of_id (CncModelSetData *d, gint64 id)
{
  gpointer v = g_hash_table_lookup (d->by_id, &id);

  return v ? GPOINTER_TO_UINT (v) - 1 : CNC_MODEL_NONE;
}

/* Reads everything from @ws (any thread that owns @ws). */
CncModelSetData *
_cnc_model_set_data_read (CncWorkspace *ws, GError **error)
{
  g_autoptr(CncModelSetData) d = g_new0 (CncModelSetData, 1);
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GHashTable) metric_index = NULL;
  guint n, n_metrics, *fill;

  d->models = cnc_workspace_list_models (ws, error);
  if (d->models == NULL)
    return NULL;
  d->edges = cnc_workspace_list_edges (ws, error);
  if (d->edges == NULL)
    return NULL;
  d->metrics = cnc_workspace_list_metrics (ws, error);
  if (d->metrics == NULL)
    return NULL;
  values = cnc_workspace_list_metric_values (ws, -1, error);
  if (values == NULL)
    return NULL;

  n = d->models->len;
  n_metrics = d->metrics->len;
  d->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  d->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      CncModel *m = g_ptr_array_index (d->models, i);
      g_hash_table_insert (d->by_id, &m->id, GUINT_TO_POINTER (i + 1));
      g_hash_table_insert (d->by_name, m->name, GUINT_TO_POINTER (i + 1));
    }

  metric_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint k = 0; k < n_metrics; k++)
    {
      CncMetric *metric = g_ptr_array_index (d->metrics, k);
      g_hash_table_insert (metric_index, metric->name, GUINT_TO_POINTER (k + 1));
    }
  d->values = g_new (double, (gsize) MAX (n * n_metrics, 1));
  for (gsize i = 0; i < (gsize) n * n_metrics; i++)
    d->values[i] = NAN;
  for (guint i = 0; i < values->len; i++)
    {
      CncMetricValue *v = g_ptr_array_index (values, i);
      guint k = GPOINTER_TO_UINT (g_hash_table_lookup (metric_index, v->metric));
      guint m = _cnc_model_set_data_index_of_id (d, v->model);

      if (k > 0 && m != CNC_MODEL_NONE)
        d->values[(gsize) (k - 1) * n + m] = v->value;
    }

  /* Lineage as index arrays (children in CSR form, base and teacher edges). */
  d->parent = g_new (guint, MAX (n, 1));
  d->teacher = g_new (guint, MAX (n, 1));
  d->child_start = g_new0 (guint, n + 1);
  d->depth = g_new0 (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    d->parent[i] = d->teacher[i] = CNC_MODEL_NONE;
  for (guint e = 0; e < d->edges->len; e++)
    {
      CncEdge *edge = &g_array_index (d->edges, CncEdge, e);
      guint c = _cnc_model_set_data_index_of_id (d, edge->child);
      guint p = _cnc_model_set_data_index_of_id (d, edge->parent);

      if (c == CNC_MODEL_NONE || p == CNC_MODEL_NONE)
        continue;
      if (edge->role == CNC_EDGE_BASE)
        d->parent[c] = p;
      else
        d->teacher[c] = p;
      d->child_start[p + 1]++;
    }
  for (guint i = 0; i < n; i++)
    d->child_start[i + 1] += d->child_start[i];
  d->child_list = g_new (guint, MAX (d->child_start[n], 1));
  fill = g_memdup2 (d->child_start, sizeof (guint) * (n + 1));
  for (guint e = 0; e < d->edges->len; e++)
    {
      CncEdge *edge = &g_array_index (d->edges, CncEdge, e);
      guint c = _cnc_model_set_data_index_of_id (d, edge->child);
      guint p = _cnc_model_set_data_index_of_id (d, edge->parent);

      if (c != CNC_MODEL_NONE && p != CNC_MODEL_NONE)
        d->child_list[fill[p]++] = c;
    }
  g_free (fill);

  /* Depth along base edges; the registry refuses cycles, but stay safe with a step bound. */
  for (guint i = 0; i < n; i++)
    {
      guint depth = 0, p = d->parent[i];

      while (p != CNC_MODEL_NONE && depth <= n)
        {
          depth++;
          p = d->parent[p];
        }
      d->depth[i] = depth;
    }
  return g_steal_pointer (&d);
}
