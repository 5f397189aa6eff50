/* cnc-cli-json.c
 * The stable JSON documents of `list --json` and `show --json` (documented in the README, “JSON output”).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"
#include "core/cnc-json-build.h"

#include <math.h>

#include "core/analysis/cnc-accuracy.h"
#include "core/registry/cnc-predictions.h"
#include "core/registry/cnc-store.h"

static void
add_metric_definitions (JsonBuilder *b,
                        GPtrArray   *metrics)
{
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_array (b);
  for (guint i = 0; i < metrics->len; i++)
    {
      CncMetric *m = metrics->pdata[i];
      json_builder_begin_object (b);
      cnc_json_add_string (b, "name", m->name);
      cnc_json_add_string (b, "unit", m->unit);
      cnc_json_add_string (b, "format", m->format);
      cnc_json_add_number (b, "min", m->min);
      cnc_json_add_number (b, "max", m->max);
      json_builder_set_member_name (b, "higher_is_better");
      json_builder_add_boolean_value (b, m->higher_is_better);
      json_builder_set_member_name (b, "primary");
      json_builder_add_boolean_value (b, m->primary);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* One model's object; the shared part of both documents. */
static void
add_model (JsonBuilder  *b,
           CncWorkspace *ws,
           CncModel     *m,
           GArray       *edges,
           GHashTable   *names,
           GPtrArray    *values)
{
  g_autoptr(JsonNode) params = json_from_string (m->parameters, NULL);
  g_autofree char *file = cnc_store_model_path (ws, m);

  json_builder_begin_object (b);
  cnc_json_add_string (b, "name", m->name);
  cnc_json_add_string (b, "label", m->label);
  cnc_json_add_string (b, "format", m->format);
  cnc_json_add_string (b, "operation", m->operation);
  json_builder_set_member_name (b, "parameters");
  json_builder_add_value (b, params ? g_steal_pointer (&params) : json_node_new (JSON_NODE_OBJECT));

  json_builder_set_member_name (b, "parents");
  json_builder_begin_array (b);
  for (guint e = 0; e < edges->len; e++)
    {
      CncEdge *edge = &g_array_index (edges, CncEdge, e);
      if (edge->child != m->id)
        continue;
      json_builder_begin_object (b);
      cnc_json_add_string (b, "name", g_hash_table_lookup (names, &edge->parent));
      cnc_json_add_string (b, "role", cnc_edge_role_name (edge->role));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  for (guint t = 0; m->tags[t]; t++)
    json_builder_add_string_value (b, m->tags[t]);
  json_builder_end_array (b);
  cnc_json_add_string (b, "notes", m->notes);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, m->created);
  cnc_json_add_string (b, "sha256", m->sha256);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, m->size);
  cnc_json_add_string (b, "file", file);
  json_builder_set_member_name (b, "linked");
  json_builder_add_boolean_value (b, m->linked);

  json_builder_set_member_name (b, "metrics");
  json_builder_begin_object (b);
  for (guint v = 0; v < values->len; v++)
    {
      CncMetricValue *mv = values->pdata[v];
      if (mv->model == m->id)
        cnc_json_add_number (b, mv->metric, mv->value);
    }
  json_builder_end_object (b);
}

typedef struct {
  GPtrArray  *metrics;
  GPtrArray  *models;
  GArray     *edges;
  GPtrArray  *values;
  GHashTable *names;   /* id -> name */
} Registry;

static void
registry_clear (Registry *r)
{
  g_clear_pointer (&r->metrics, g_ptr_array_unref);
  g_clear_pointer (&r->models, g_ptr_array_unref);
  g_clear_pointer (&r->edges, g_array_unref);
  g_clear_pointer (&r->values, g_ptr_array_unref);
  g_clear_pointer (&r->names, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Registry, registry_clear)

static gboolean
registry_load (Registry     *r,
               CncWorkspace *ws,
               GError      **error)
{
  if (!(r->metrics = cnc_workspace_list_metrics (ws, error))
      || !(r->models = cnc_workspace_list_models (ws, error))
      || !(r->edges = cnc_workspace_list_edges (ws, error))
      || !(r->values = cnc_workspace_list_metric_values (ws, -1, error)))
    return FALSE;
  r->names = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < r->models->len; i++)
    {
      CncModel *m = r->models->pdata[i];
      g_hash_table_insert (r->names, &m->id, m->name);
    }
  return TRUE;
}

JsonNode *
cnc_cli_json_list (CncWorkspace *ws,
                   GError      **error)
{
  g_auto(Registry) r = { 0 };
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (!registry_load (&r, ws, error))
    return NULL;
  json_builder_begin_object (b);
  cnc_json_add_string (b, "workspace", cnc_workspace_get_path (ws));
  json_builder_set_member_name (b, "schema");
  json_builder_add_int_value (b, 1);
  add_metric_definitions (b, r.metrics);
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; i < r.models->len; i++)
    {
      add_model (b, ws, r.models->pdata[i], r.edges, r.names, r.values);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* "evaluations": every evaluation of the model, newest first, with accuracy from its predictions. */
static void
add_evaluations (JsonBuilder    *b,
                 CncWorkspace   *ws,
                 const CncModel *m)
{
  g_autoptr(GPtrArray) list = cnc_predictions_list (ws, m->id, NULL);

  json_builder_set_member_name (b, "evaluations");
  json_builder_begin_array (b);
  for (guint i = 0; list && i < list->len; i++)
    {
      CncPredictions *head = list->pdata[i];
      g_autoptr(CncPredictions) p = cnc_predictions_load (ws, m->id, head->dataset, head->split,
                                                          CNC_PREDICTIONS_LABELS | CNC_PREDICTIONS_PREDICTED
                                                          | CNC_PREDICTIONS_TOP5, NULL);
      g_autofree char *dataset = NULL;

      if (p == NULL)
        continue;
      cnc_predictions_get_dataset (ws, p->dataset, &dataset, NULL, NULL);
      json_builder_begin_object (b);
      cnc_json_add_string (b, "dataset", dataset);
      cnc_json_add_string (b, "split", p->split);
      json_builder_set_member_name (b, "instances");
      json_builder_add_int_value (b, p->n);
      json_builder_set_member_name (b, "classes");
      json_builder_add_int_value (b, p->k);
      json_builder_set_member_name (b, "top1");
      json_builder_add_double_value (b, cnc_predictions_accuracy (p));
      json_builder_set_member_name (b, "top5");
      json_builder_add_double_value (b, cnc_predictions_top5_accuracy (p));
      json_builder_set_member_name (b, "nonfinite");
      json_builder_add_int_value (b, p->nonfinite);
      cnc_json_add_string (b, "device", p->device);
      json_builder_set_member_name (b, "threads");
      json_builder_add_int_value (b, p->threads);
      json_builder_set_member_name (b, "batch");
      json_builder_add_int_value (b, p->batch);
      cnc_json_add_string (b, "variant", p->variant);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* "loss_curve": the training curve kept with a model made by training, else null. */
static void
add_loss_curve (JsonBuilder    *b,
                CncWorkspace   *ws,
                const CncModel *m)
{
  g_autofree char *curve = cnc_workspace_get_loss_curve (ws, m->id, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_builder_set_member_name (b, "loss_curve");
  if (curve && json_parser_load_from_data (parser, curve, -1, NULL))
    json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (b);
}

JsonNode *
cnc_cli_json_show (CncWorkspace *ws,
                   const char   *name,
                   GError      **error)
{
  g_auto(Registry) r = { 0 };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(CncModel) m = NULL;
  g_autoptr(GPtrArray) layers = NULL;

  if (!(m = cnc_workspace_find_model (ws, name, error))
      || !registry_load (&r, ws, error)
      || !(layers = cnc_workspace_list_layers (ws, m->id, error)))
    return NULL;

  json_builder_begin_object (b);
  cnc_json_add_string (b, "workspace", cnc_workspace_get_path (ws));
  json_builder_set_member_name (b, "schema");
  json_builder_add_int_value (b, 1);
  add_metric_definitions (b, r.metrics);
  json_builder_set_member_name (b, "model");
  add_model (b, ws, m, r.edges, r.names, r.values);

  json_builder_set_member_name (b, "children");
  json_builder_begin_array (b);
  for (guint e = 0; e < r.edges->len; e++)
    {
      CncEdge *edge = &g_array_index (r.edges, CncEdge, e);
      if (edge->parent != m->id)
        continue;
      json_builder_begin_object (b);
      cnc_json_add_string (b, "name", g_hash_table_lookup (r.names, &edge->child));
      cnc_json_add_string (b, "role", cnc_edge_role_name (edge->role));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint i = 0; i < layers->len; i++)
    cnc_layer_stats_to_json (layers->pdata[i], b);
  json_builder_end_array (b);
  add_evaluations (b, ws, m);
  add_loss_curve (b, ws, m);
  json_builder_end_object (b);  /* model */
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
