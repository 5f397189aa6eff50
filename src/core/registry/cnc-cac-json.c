/* cnc-cac-json.c
 * The reference tool's models.json: strict import (all or nothing) and lossless export.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-cac-json"

#include "cnc-cac-json.h"
#include "core/formats/cnc-json-depth.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (cnc-cac-json-error-quark, cnc_cac_json_error)

#define FAIL(...) (g_set_error (error, CNC_CAC_JSON_ERROR, 0, __VA_ARGS__), FALSE)

gboolean
cnc_metric_name_higher_is_better (const char *name)
{
  static const char * const lower[] = {
    "latency", "size", "loss", "error", "time", "memory", "flops", "macs", "params", "parameters",
    "energy", "bytes", "ms", "perplexity",
  };
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (lower); i++)
    if (strstr (folded, lower[i]))
      return FALSE;
  return TRUE;
}

static char *
node_to_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static const char *
optional_string (JsonObject *o,
                 const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
optional_number (JsonObject *o,
                 const char *key,
                 double     *out,
                 const char *path,
                 const char *what,
                 GError    **error)
{
  JsonNode *n = json_object_get_member (o, key);

  *out = NAN;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n)
      || (json_node_get_value_type (n) != G_TYPE_DOUBLE && json_node_get_value_type (n) != G_TYPE_INT64))
    return FAIL ("%s: %s: “%s” must be a number or null", path, what, key);
  *out = json_node_get_double (n);
  return TRUE;
}

/* A model id: a string, or a number written as one. */
static char *
id_of (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  return NULL;
}

typedef struct {
  JsonObject *object;
  char       *id;
  char       *base;        /* NULL for a root */
  guint       index;
  int         state;       /* for the depth-first sort: 0 new, 1 on the path, 2 done */
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->id);
  g_free (e->base);
  g_free (e);
}

/* Depth-first: bases before the models made from them; a model met again on the path is a cycle. */
static gboolean
visit (Entry       *e,
       GHashTable  *by_id,
       GPtrArray   *order,
       GPtrArray   *path_stack,
       const char  *path,
       GError     **error)
{
  if (e->state == 2)
    return TRUE;
  if (e->state == 1)
    {
      g_autoptr(GString) cycle = g_string_new (NULL);
      guint start = 0;

      while (start < path_stack->len && path_stack->pdata[start] != e)
        start++;
      for (guint i = start; i < path_stack->len; i++)
        g_string_append_printf (cycle, "“%s” ← ", ((Entry *) path_stack->pdata[i])->id);
      g_string_append_printf (cycle, "“%s”", e->id);
      return FAIL ("%s: the models' bases form a cycle: %s", path, cycle->str);
    }
  e->state = 1;
  g_ptr_array_add (path_stack, e);
  if (e->base)
    {
      Entry *b = g_hash_table_lookup (by_id, e->base);
      if (b == NULL)
        return FAIL ("%s: model “%s” has base “%s”, which is not in the file", path, e->id, e->base);
      if (!visit (b, by_id, order, path_stack, path, error))
        return FALSE;
    }
  g_ptr_array_remove_index (path_stack, path_stack->len - 1);
  e->state = 2;
  g_ptr_array_add (order, e);
  return TRUE;
}

static gboolean
import_metrics (CncWorkspace *ws,
                JsonArray    *metrics,
                GHashTable   *declared,
                const char   *path,
                GError      **error)
{
  for (guint i = 0; metrics && i < json_array_get_length (metrics); i++)
    {
      JsonNode *n = json_array_get_element (metrics, i);
      JsonObject *o;
      CncMetric m = { 0 };
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (n) || !(name = optional_string (o = json_node_get_object (n), "name")))
        return FAIL ("%s: metric %u has no name", path, i + 1);
      if (g_hash_table_contains (declared, name))
        return FAIL ("%s: metric “%s” is declared twice", path, name);
      m.name = (char *) name;
      m.unit = (char *) optional_string (o, "unit");
      m.format = (char *) optional_string (o, "format");
      {
        JsonNode *primary = json_object_get_member (o, "primary");
        /* every member's type is checked before it is read */
        if (primary && !JSON_NODE_HOLDS_NULL (primary)
            && (!JSON_NODE_HOLDS_VALUE (primary) || json_node_get_value_type (primary) != G_TYPE_BOOLEAN))
          return FAIL ("%s: metric “%s”: “primary” must be true or false", path, name);
        m.primary = primary && JSON_NODE_HOLDS_VALUE (primary) && json_node_get_boolean (primary);
      }
      m.higher_is_better = cnc_metric_name_higher_is_better (name);
      if (!optional_number (o, "min", &m.min, path, name, error)
          || !optional_number (o, "max", &m.max, path, name, error)
          || !cnc_workspace_define_metric (ws, &m, error))
        return FALSE;
      g_hash_table_add (declared, g_strdup (name));
    }
  return TRUE;
}

static gboolean
import_operations (CncWorkspace *ws,
                   JsonArray    *operations,
                   GHashTable   *declared,
                   const char   *path,
                   GError      **error)
{
  for (guint i = 0; operations && i < json_array_get_length (operations); i++)
    {
      JsonNode *n = json_array_get_element (operations, i);
      JsonObject *o;
      JsonNode *params;
      g_autofree char *params_json = NULL;
      CncOperation op;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (n) || !(name = optional_string (o = json_node_get_object (n), "name")))
        return FAIL ("%s: operation %u has no name", path, i + 1);
      if (g_hash_table_contains (declared, name))
        return FAIL ("%s: operation “%s” is declared twice", path, name);
      params = json_object_get_member (o, "parameters");
      if (params && !JSON_NODE_HOLDS_ARRAY (params) && !JSON_NODE_HOLDS_OBJECT (params) && !JSON_NODE_HOLDS_NULL (params))
        return FAIL ("%s: operation “%s”: parameters must be a list of names or an object of specs", path, name);
      params_json = params && !JSON_NODE_HOLDS_NULL (params) ? node_to_json (params) : g_strdup ("[]");
      op.name = (char *) name;
      op.parameters = params_json;
      if (!cnc_workspace_define_operation (ws, &op, error))
        return FALSE;
      g_hash_table_add (declared, g_strdup (name));
    }
  return TRUE;
}

static gboolean
import_model (CncWorkspace *ws,
              Entry        *e,
              GHashTable   *ids,
              GHashTable   *metrics,
              GHashTable   *operations,
              GPtrArray    *notes,
              const char   *path,
              GError      **error)
{
  g_autoptr(CncModel) m = cnc_model_new ();
  JsonObject *o = e->object;
  JsonNode *op_node = json_object_get_member (o, "operation");
  JsonNode *metrics_node = json_object_get_member (o, "metrics");

  m->name = g_strdup (e->id);
  m->label = g_strdup (optional_string (o, "tag"));
  if (op_node && !JSON_NODE_HOLDS_NULL (op_node))
    {
      JsonObject *op;
      JsonNode *params;
      const char *op_name;

      if (!JSON_NODE_HOLDS_OBJECT (op_node) || !(op_name = optional_string (op = json_node_get_object (op_node), "name")))
        return FAIL ("%s: model “%s”: its operation needs a name", path, e->id);
      /* The reference tool reads files whose models use operations "operations" does not declare
       * (its T5 example's "Retrain"): declared here, without parameter specs, and said so. */
      if (!g_hash_table_contains (operations, op_name))
        {
          CncOperation implicit = { .name = (char *) op_name, .parameters = (char *) "[]" };

          if (!cnc_workspace_define_operation (ws, &implicit, error))
            return FALSE;
          g_hash_table_add (operations, g_strdup (op_name));
          if (notes)
            g_ptr_array_add (notes, g_strdup_printf ("operation “%s” (used by model “%s”) is not declared in "
                                                     "“operations”: declared without parameter specs",
                                                     op_name, e->id));
        }
      m->operation = g_strdup (op_name);
      params = json_object_get_member (op, "parameters");
      if (params && JSON_NODE_HOLDS_OBJECT (params))
        {
          g_free (m->parameters);
          m->parameters = node_to_json (params);
        }
      else if (params && !JSON_NODE_HOLDS_NULL (params))
        return FAIL ("%s: model “%s”: operation parameters must be an object", path, e->id);
    }
  if (!cnc_workspace_insert_model (ws, m, error))
    return FALSE;
  g_hash_table_insert (ids, g_strdup (e->id), g_memdup2 (&m->id, sizeof m->id));
  if (e->base)
    {
      gint64 *parent = g_hash_table_lookup (ids, e->base);
      g_assert (parent != NULL);  /* sorted: bases first */
      if (!cnc_workspace_add_edge (ws, m->id, *parent, CNC_EDGE_BASE, error))
        return FALSE;
    }

  if (metrics_node && JSON_NODE_HOLDS_OBJECT (metrics_node))
    {
      JsonObject *values = json_node_get_object (metrics_node);
      g_autoptr(GList) names = json_object_get_members (values);

      for (GList *l = names; l; l = l->next)
        {
          JsonNode *v = json_object_get_member (values, l->data);
          double value;

          if (!g_hash_table_contains (metrics, l->data))
            return FAIL ("%s: model “%s”: metric “%s” is not declared in “metrics”", path, e->id,
                         (char *) l->data);
          if (JSON_NODE_HOLDS_NULL (v))
            value = NAN;
          else if (JSON_NODE_HOLDS_VALUE (v) && (json_node_get_value_type (v) == G_TYPE_DOUBLE
                                                 || json_node_get_value_type (v) == G_TYPE_INT64))
            value = json_node_get_double (v);
          else
            return FAIL ("%s: model “%s”: metric “%s” is not a number", path, e->id, (char *) l->data);
          if (!cnc_workspace_set_metric_value (ws, m->id, l->data, value, error))
            return FALSE;
        }
    }
  else if (metrics_node && !JSON_NODE_HOLDS_NULL (metrics_node))
    return FAIL ("%s: model “%s”: “metrics” must be an object", path, e->id);
  return TRUE;
}

static gboolean
import_document (CncWorkspace *ws,
                 JsonObject   *root,
                 const char   *path,
                 guint        *n_models,
                 GPtrArray    *notes,
                 GError      **error)
{
  g_autoptr(GHashTable) metrics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) operations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  JsonNode *models_node = json_object_get_member (root, "models");
  JsonNode *metrics_node = json_object_get_member (root, "metrics");
  JsonNode *ops_node = json_object_get_member (root, "operations");
  JsonArray *models;

  if (models_node == NULL || !JSON_NODE_HOLDS_ARRAY (models_node))
    return FAIL ("%s: not a models.json file (no “models” list)", path);
  if (metrics_node && !JSON_NODE_HOLDS_ARRAY (metrics_node) && !JSON_NODE_HOLDS_NULL (metrics_node))
    return FAIL ("%s: “metrics” must be a list", path);
  if (ops_node && !JSON_NODE_HOLDS_ARRAY (ops_node) && !JSON_NODE_HOLDS_NULL (ops_node))
    return FAIL ("%s: “operations” must be a list", path);
  models = json_node_get_array (models_node);

  /* Check the whole file's structure before touching the registry. */
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonNode *n = json_array_get_element (models, i);
      Entry *e;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return FAIL ("%s: model %u is not an object", path, i + 1);
      e = g_new0 (Entry, 1);
      g_ptr_array_add (entries, e);
      e->object = json_node_get_object (n);
      e->index = i;
      if (!(e->id = id_of (json_object_get_member (e->object, "id"))) || *e->id == '\0')
        return FAIL ("%s: model %u has no id", path, i + 1);
      if (json_object_has_member (e->object, "base")
          && !JSON_NODE_HOLDS_NULL (json_object_get_member (e->object, "base"))
          && !(e->base = id_of (json_object_get_member (e->object, "base"))))
        return FAIL ("%s: model “%s”: its base must be a model id or null", path, e->id);
      if (g_hash_table_contains (by_id, e->id))
        return FAIL ("%s: model id “%s” appears twice", path, e->id);
      g_hash_table_insert (by_id, e->id, e);
    }
  for (guint i = 0; i < entries->len; i++)
    if (!visit (entries->pdata[i], by_id, order, stack, path, error))
      return FALSE;

  if (!import_metrics (ws, metrics_node ? json_node_get_array (metrics_node) : NULL, metrics, path, error)
      || !import_operations (ws, ops_node ? json_node_get_array (ops_node) : NULL, operations, path, error))
    return FALSE;
  for (guint i = 0; i < order->len; i++)
    if (!import_model (ws, order->pdata[i], ids, metrics, operations, notes, path, error))
      return FALSE;
  *n_models = order->len;
  return TRUE;
}

gboolean
cnc_cac_json_import (CncWorkspace *workspace,
                     const char   *path,
                     guint        *n_models_out,
                     GError      **error)
{
  return cnc_cac_json_import_with_notes (workspace, path, n_models_out, NULL, error);
}

gboolean
cnc_cac_json_import_with_notes (CncWorkspace *workspace,
                                const char   *path,
                                guint        *n_models_out,
                                GPtrArray    *notes,
                                GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *text;
  gsize length;
  JsonNode *root;
  guint n = 0;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return FAIL ("%s: is a folder, not a models.json file", path);
  if (!(mapped = g_mapped_file_new (path, FALSE, &local_error)))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return FAIL ("%s: no such file", path);
      return FAIL ("%s: cannot read it: %s", path, local_error->message);
    }
  text = g_mapped_file_get_contents (mapped);
  length = g_mapped_file_get_length (mapped);
  /* A parser recurses once per level: a file nested 100,000 deep would exhaust the stack. */
  if (cnc_json_depth (text, length, CNC_JSON_MAX_DEPTH) > CNC_JSON_MAX_DEPTH)
    return FAIL ("%s: not a models.json file: it nests deeper than %d levels", path, CNC_JSON_MAX_DEPTH);
  if (length == 0 || !json_parser_load_from_data (parser, text, length, &local_error))
    return FAIL ("%s: not valid JSON: %s", path, local_error ? local_error->message : "the file is empty");
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FAIL ("%s: not a models.json file (the top level must be an object)", path);

  if (!cnc_workspace_begin (workspace, error))
    return FALSE;
  if (!import_document (workspace, json_node_get_object (root), path, &n, notes, error)
      || !cnc_workspace_commit (workspace, error))
    {
      cnc_workspace_rollback (workspace);
      return FALSE;
    }
  if (n_models_out)
    *n_models_out = n;
  return TRUE;
}

static void
add_number_or_null (JsonBuilder *b,
                    const char  *key,
                    double       v)
{
  json_builder_set_member_name (b, key);
  if (isnan (v))
    json_builder_add_null_value (b);
  else if (v == floor (v) && fabs (v) < 9007199254740992.0)
    json_builder_add_int_value (b, (gint64) v);
  else
    json_builder_add_double_value (b, v);
}

char *
cnc_cac_json_export (CncWorkspace *workspace,
                     GError      **error)
{
  g_autoptr(GPtrArray) metrics = cnc_workspace_list_metrics (workspace, error);
  g_autoptr(GPtrArray) operations = metrics ? cnc_workspace_list_operations (workspace, error) : NULL;
  g_autoptr(GPtrArray) models = operations ? cnc_workspace_list_models (workspace, error) : NULL;
  g_autoptr(GArray) edges = models ? cnc_workspace_list_edges (workspace, error) : NULL;
  g_autoptr(GPtrArray) values = edges ? cnc_workspace_list_metric_values (workspace, -1, error) : NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  guint v = 0;

  if (values == NULL)
    return NULL;
  for (guint i = 0; i < models->len; i++)
    {
      CncModel *m = models->pdata[i];
      g_hash_table_insert (names, &m->id, m->name);
    }

  json_builder_begin_object (b);

  json_builder_set_member_name (b, "metrics");
  json_builder_begin_array (b);
  for (guint i = 0; i < metrics->len; i++)
    {
      CncMetric *m = metrics->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, m->name);
      add_number_or_null (b, "min", m->min);
      add_number_or_null (b, "max", m->max);
      json_builder_set_member_name (b, "primary");
      json_builder_add_boolean_value (b, m->primary);
      if (m->format)
        {
          json_builder_set_member_name (b, "format");
          json_builder_add_string_value (b, m->format);
        }
      if (m->unit)
        {
          json_builder_set_member_name (b, "unit");
          json_builder_add_string_value (b, m->unit);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "operations");
  json_builder_begin_array (b);
  for (guint i = 0; i < operations->len; i++)
    {
      CncOperation *op = operations->pdata[i];
      g_autoptr(JsonNode) params = json_from_string (op->parameters, NULL);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, op->name);
      json_builder_set_member_name (b, "parameters");
      json_builder_add_value (b, params ? g_steal_pointer (&params) : json_node_new (JSON_NODE_ARRAY));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; i < models->len; i++)
    {
      CncModel *m = models->pdata[i];
      const char *base = NULL;

      for (guint e = 0; e < edges->len; e++)
        {
          CncEdge *edge = &g_array_index (edges, CncEdge, e);
          if (edge->child == m->id && edge->role == CNC_EDGE_BASE)
            base = g_hash_table_lookup (names, &edge->parent);
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, m->name);
      json_builder_set_member_name (b, "base");
      if (base)
        json_builder_add_string_value (b, base);
      else
        json_builder_add_null_value (b);
      if (m->operation)
        {
          g_autoptr(JsonNode) params = json_from_string (m->parameters, NULL);
          json_builder_set_member_name (b, "operation");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, m->operation);
          json_builder_set_member_name (b, "parameters");
          json_builder_add_value (b, params ? g_steal_pointer (&params) : json_node_new (JSON_NODE_OBJECT));
          json_builder_end_object (b);
        }
      if (m->label)
        {
          json_builder_set_member_name (b, "tag");
          json_builder_add_string_value (b, m->label);
        }
      json_builder_set_member_name (b, "metrics");
      json_builder_begin_object (b);
      /* values are sorted by model id, like the models */
      while (v < values->len && ((CncMetricValue *) values->pdata[v])->model < m->id)
        v++;
      for (; v < values->len && ((CncMetricValue *) values->pdata[v])->model == m->id; v++)
        {
          CncMetricValue *mv = values->pdata[v];
          add_number_or_null (b, mv->metric, mv->value);
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, NULL);
}
