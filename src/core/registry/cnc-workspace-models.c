/* cnc-workspace-models.c
 * Registry rows: models, tags, lineage, operations, metrics, metric values and layer statistics.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-workspace"

#include "cnc-workspace-private.h"

#include <math.h>
#include <string.h>

static gboolean
require_transaction (CncWorkspace *self)
{
  if (!_cnc_workspace_in_transaction (self))
    {
      g_critical ("registry writes must run inside cnc_workspace_begin/commit");
      return FALSE;
    }
  return TRUE;
}

static double
column_double_or_nan (sqlite3_stmt *stmt, int i)
{
  return sqlite3_column_type (stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, i);
}

static void
bind_double_or_null (sqlite3_stmt *stmt, int i, double v)
{
  if (isfinite (v))
    sqlite3_bind_double (stmt, i, v);
  else
    sqlite3_bind_null (stmt, i);
}

/* ---- models ---------------------------------------------------------------------------- */

#define MODEL_COLUMNS "id, name, label, notes, created, format, sha256, size, file, linked, operation, parameters"

static GStrv
load_tags (CncWorkspace *self,
           gint64        id)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt =
    _cnc_workspace_prepare (self, "SELECT tag FROM model_tags WHERE model = ? ORDER BY tag", NULL);

  if (stmt)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_strv_builder_add (b, (const char *) sqlite3_column_text (stmt, 0));
    }
  return g_strv_builder_end (b);
}

static CncModel *
model_from_row (CncWorkspace *self,
                sqlite3_stmt *stmt)
{
  CncModel *m = g_new0 (CncModel, 1);

  m->id = sqlite3_column_int64 (stmt, 0);
  m->name = _cnc_column_dup (stmt, 1);
  m->label = _cnc_column_dup (stmt, 2);
  m->notes = _cnc_column_dup (stmt, 3);
  m->created = sqlite3_column_int64 (stmt, 4);
  m->format = _cnc_column_dup (stmt, 5);
  m->sha256 = _cnc_column_dup (stmt, 6);
  m->size = sqlite3_column_int64 (stmt, 7);
  m->file = _cnc_column_dup (stmt, 8);
  m->linked = sqlite3_column_int (stmt, 9) != 0;
  m->operation = _cnc_column_dup (stmt, 10);
  m->parameters = _cnc_column_dup (stmt, 11);
  m->tags = load_tags (self, m->id);
  return m;
}

GPtrArray *
cnc_workspace_list_models (CncWorkspace *self,
                           GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_model_free);
  int rc;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), NULL);

  if (!(stmt = _cnc_workspace_prepare (self, "SELECT " MODEL_COLUMNS " FROM models ORDER BY id", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (models, model_from_row (self, stmt));
  if (rc != SQLITE_DONE)
    {
      _cnc_workspace_fail (self, rc, "read the models", error);
      return NULL;
    }
  return g_steal_pointer (&models);
}

static CncModel *
find_model_where (CncWorkspace *self,
                  const char   *where,
                  const char   *name,
                  gint64        id,
                  GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " MODEL_COLUMNS " FROM models WHERE %s", where);
  g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  if (name)
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return model_from_row (self, stmt);
  if (rc != SQLITE_DONE)
    {
      _cnc_workspace_fail (self, rc, "read the model", error);
      return NULL;
    }
  if (name)
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                 "no model named “%s” in %s", name, cnc_workspace_get_path (self));
  else
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                 "no model with id %" G_GINT64_FORMAT " in %s", id, cnc_workspace_get_path (self));
  return NULL;
}

CncModel *
cnc_workspace_find_model (CncWorkspace *self,
                          const char   *name,
                          GError      **error)
{
  g_return_val_if_fail (CNC_IS_WORKSPACE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return find_model_where (self, "name = ?", name, 0, error);
}

CncModel *
cnc_workspace_get_model_by_id (CncWorkspace *self,
                               gint64        id,
                               GError      **error)
{
  g_return_val_if_fail (CNC_IS_WORKSPACE (self), NULL);
  return find_model_where (self, "id = ?", NULL, id, error);
}

static gboolean
model_name_is_valid (const char *name,
                     GError    **error)
{
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID, "a model needs a non-empty name");
      return FALSE;
    }
  for (const char *p = name; *p; p++)
    if (g_ascii_iscntrl (*p))
      {
        g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                     "model name “%s” contains a control character", name);
        return FALSE;
      }
  return TRUE;
}

static gboolean
name_taken (CncWorkspace *self,
            const char   *name)
{
  g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (self, "SELECT 1 FROM models WHERE name = ?", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static gboolean
insert_tag (CncWorkspace *self,
            gint64        id,
            const char   *tag,
            GError      **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *clean = g_strstrip (g_strdup (tag));

  if (*clean == '\0')
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID, "a tag cannot be empty");
      return FALSE;
    }
  if (!(stmt = _cnc_workspace_prepare (self, "INSERT OR IGNORE INTO model_tags (model, tag) VALUES (?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, clean, -1, SQLITE_TRANSIENT);
  return _cnc_workspace_step_done (self, stmt, "add the tag", error);
}

gboolean
cnc_workspace_insert_model (CncWorkspace *self,
                            CncModel     *m,
                            GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (m != NULL, FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (!model_name_is_valid (m->name, error))
    return FALSE;
  if (name_taken (self, m->name))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_EXISTS,
                   "a model named “%s” already exists in %s", m->name, cnc_workspace_get_path (self));
      return FALSE;
    }
  if (m->created == 0)
    m->created = g_get_real_time () / G_USEC_PER_SEC;

  stmt = _cnc_workspace_prepare (self,
                                 "INSERT INTO models (name, label, notes, created, format, sha256, size, file,"
                                 " linked, operation, parameters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, m->name, -1, SQLITE_TRANSIENT);
  _cnc_bind_text_or_null (stmt, 2, m->label);
  sqlite3_bind_text (stmt, 3, m->notes ? m->notes : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, m->created);
  sqlite3_bind_text (stmt, 5, m->format ? m->format : "record", -1, SQLITE_TRANSIENT);
  _cnc_bind_text_or_null (stmt, 6, m->sha256);
  sqlite3_bind_int64 (stmt, 7, m->size);
  _cnc_bind_text_or_null (stmt, 8, m->file);
  sqlite3_bind_int (stmt, 9, m->linked);
  _cnc_bind_text_or_null (stmt, 10, m->operation);
  sqlite3_bind_text (stmt, 11, m->parameters ? m->parameters : "{}", -1, SQLITE_TRANSIENT);
  if (!_cnc_workspace_step_done (self, stmt, "add the model", error))
    return FALSE;
  m->id = sqlite3_last_insert_rowid (_cnc_workspace_get_db (self));

  for (guint i = 0; m->tags && m->tags[i]; i++)
    if (!insert_tag (self, m->id, m->tags[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
update_model_column (CncWorkspace *self,
                     const char   *name,
                     const char   *column,
                     const char   *value,
                     const char   *doing,
                     GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE models SET %s = ? WHERE name = ?", column);
  g_autoptr(CncModel) m = NULL;
  sqlite3_stmt *stmt;

  if (!require_transaction (self))
    return FALSE;
  if (!(m = cnc_workspace_find_model (self, name, error)))
    return FALSE;
  if (!(stmt = _cnc_workspace_prepare (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  return _cnc_workspace_step_done (self, stmt, doing, error);
}

gboolean
cnc_workspace_rename_model (CncWorkspace *self,
                            const char   *name,
                            const char   *new_name,
                            GError      **error)
{
  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);

  if (!model_name_is_valid (new_name, error))
    return FALSE;
  if (g_strcmp0 (name, new_name) != 0 && name_taken (self, new_name))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_EXISTS,
                   "cannot rename “%s”: a model named “%s” already exists", name, new_name);
      return FALSE;
    }
  return update_model_column (self, name, "name", new_name, "rename the model", error);
}

gboolean
cnc_workspace_set_notes (CncWorkspace *self,
                         const char   *name,
                         const char   *notes,
                         GError      **error)
{
  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  return update_model_column (self, name, "notes", notes ? notes : "", "save the notes", error);
}

gboolean
cnc_workspace_add_tags (CncWorkspace       *self,
                        const char         *name,
                        const char * const *tags,
                        GError            **error)
{
  g_autoptr(CncModel) m = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (!(m = cnc_workspace_find_model (self, name, error)))
    return FALSE;
  for (guint i = 0; tags && tags[i]; i++)
    if (!insert_tag (self, m->id, tags[i], error))
      return FALSE;
  return TRUE;
}

gboolean
cnc_workspace_remove_tags (CncWorkspace       *self,
                           const char         *name,
                           const char * const *tags,
                           GError            **error)
{
  g_autoptr(CncModel) m = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (!(m = cnc_workspace_find_model (self, name, error)))
    return FALSE;
  for (guint i = 0; tags && tags[i]; i++)
    {
      sqlite3_stmt *stmt = _cnc_workspace_prepare (self, "DELETE FROM model_tags WHERE model = ? AND tag = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, m->id);
      sqlite3_bind_text (stmt, 2, tags[i], -1, SQLITE_TRANSIENT);
      if (!_cnc_workspace_step_done (self, stmt, "remove the tag", error))
        return FALSE;
    }
  return TRUE;
}

static GArray *
children_of (CncWorkspace *self,
             gint64        id,
             GError      **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(sqlite3_stmt) stmt =
    _cnc_workspace_prepare (self, "SELECT child FROM lineage WHERE parent = ? ORDER BY child", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 c = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, c);
    }
  return g_steal_pointer (&ids);
}

gboolean
cnc_workspace_remove_model (CncWorkspace *self,
                            const char   *name,
                            gboolean      recursive,
                            GPtrArray    *removed,
                            GError      **error)
{
  g_autoptr(CncModel) m = NULL;
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (!(m = cnc_workspace_find_model (self, name, error)))
    return FALSE;

  /* Breadth-first over descendants; delete in reverse so children go before parents. */
  g_array_append_val (order, m->id);
  g_hash_table_add (seen, g_memdup2 (&m->id, sizeof (gint64)));
  for (guint i = 0; i < order->len; i++)
    {
      g_autoptr(GArray) kids = children_of (self, g_array_index (order, gint64, i), error);
      if (kids == NULL)
        return FALSE;
      if (kids->len > 0 && !recursive)
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_HAS_CHILDREN,
                       "model “%s” has %u derived model%s; remove them first or use --recursive",
                       name, kids->len, kids->len == 1 ? "" : "s");
          return FALSE;
        }
      for (guint k = 0; k < kids->len; k++)
        {
          gint64 c = g_array_index (kids, gint64, k);
          if (g_hash_table_add (seen, g_memdup2 (&c, sizeof c)))
            g_array_append_val (order, c);
        }
    }

  for (guint i = order->len; i-- > 0;)
    {
      gint64 id = g_array_index (order, gint64, i);
      sqlite3_stmt *stmt;

      if (removed)
        {
          g_autoptr(CncModel) r = cnc_workspace_get_model_by_id (self, id, NULL);
          if (r)
            g_ptr_array_add (removed, g_strdup (r->name));
        }
      /* Edges from a teacher outside the subtree to a model inside go with the child (CASCADE);
       * a model inside that teaches one outside blocks the removal (RESTRICT). */
      if (!(stmt = _cnc_workspace_prepare (self, "DELETE FROM models WHERE id = ?", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!_cnc_workspace_step_done (self, stmt, "remove the model", error))
        return FALSE;
    }
  return TRUE;
}

/* ---- lineage --------------------------------------------------------------------------- */

GArray *
cnc_workspace_list_edges (CncWorkspace *self,
                          GError      **error)
{
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (CncEdge));
  g_autoptr(sqlite3_stmt) stmt =
    _cnc_workspace_prepare (self, "SELECT child, parent, role FROM lineage ORDER BY child, role, parent", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      CncEdge e = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1), CNC_EDGE_BASE };
      cnc_edge_role_from_name ((const char *) sqlite3_column_text (stmt, 2), &e.role);
      g_array_append_val (edges, e);
    }
  return g_steal_pointer (&edges);
}

static gboolean
is_ancestor (CncWorkspace *self,
             gint64        maybe_ancestor,
             gint64        of)
{
  g_autoptr(sqlite3_stmt) children = _cnc_workspace_prepare (self,
    "SELECT 1 FROM lineage WHERE parent = ? LIMIT 1", NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* A model without children is nobody's ancestor: the usual case (a new model gets its parent),
   * which spares walking the whole lineage up for each of 10,000 imported models. */
  if (children == NULL)
    return FALSE;
  sqlite3_bind_int64 (children, 1, maybe_ancestor);
  if (sqlite3_step (children) != SQLITE_ROW)
    return FALSE;

  stmt = _cnc_workspace_prepare (self,
    "WITH RECURSIVE up (id) AS (SELECT ? UNION SELECT parent FROM lineage JOIN up ON lineage.child = up.id)"
    " SELECT 1 FROM up WHERE id = ?", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, of);
  sqlite3_bind_int64 (stmt, 2, maybe_ancestor);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

gboolean
cnc_workspace_add_edge (CncWorkspace *self,
                        gint64        child,
                        gint64        parent,
                        CncEdgeRole   role,
                        GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (child == parent || is_ancestor (self, child, parent))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                   "that parent would make the lineage a cycle (a model cannot derive from its own descendant)");
      return FALSE;
    }
  if (role == CNC_EDGE_BASE)
    {
      g_autoptr(sqlite3_stmt) q =
        _cnc_workspace_prepare (self, "SELECT 1 FROM lineage WHERE child = ? AND role = 'base'", error);
      if (q == NULL)
        return FALSE;
      sqlite3_bind_int64 (q, 1, child);
      if (sqlite3_step (q) == SQLITE_ROW)
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                       "a model has one base parent; add further parents as teachers");
          return FALSE;
        }
    }
  if (!(stmt = _cnc_workspace_prepare (self, "INSERT INTO lineage (child, parent, role) VALUES (?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, child);
  sqlite3_bind_int64 (stmt, 2, parent);
  sqlite3_bind_text (stmt, 3, cnc_edge_role_name (role), -1, SQLITE_STATIC);
  return _cnc_workspace_step_done (self, stmt, "record the lineage", error);
}

/* ---- operations and metrics ------------------------------------------------------------ */

static gpointer
operation_from_row (sqlite3_stmt *stmt)
{
  CncOperation *op = g_new0 (CncOperation, 1);

  op->name = _cnc_column_dup (stmt, 0);
  op->parameters = _cnc_column_dup (stmt, 1);
  return op;
}

GPtrArray *
cnc_workspace_list_operations (CncWorkspace *self,
                               GError      **error)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_operation_free);
  sqlite3_stmt *stmt = _cnc_workspace_prepare (self, "SELECT name, parameters FROM operations ORDER BY position", error);

  if (stmt == NULL || !_cnc_workspace_collect (self, stmt, operation_from_row, ops, "read the operations", error))
    return NULL;
  return g_steal_pointer (&ops);
}

gboolean
cnc_workspace_define_operation (CncWorkspace       *self,
                                const CncOperation *op,
                                GError            **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (op->name == NULL || *op->name == '\0')
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID, "an operation needs a name");
      return FALSE;
    }
  stmt = _cnc_workspace_prepare (self,
                                 "INSERT INTO operations (name, parameters, position)"
                                 " VALUES (?1, ?2, (SELECT coalesce (max (position), 0) + 1 FROM operations))"
                                 " ON CONFLICT (name) DO UPDATE SET parameters = ?2",
                                 error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, op->parameters ? op->parameters : "[]", -1, SQLITE_TRANSIENT);
  return _cnc_workspace_step_done (self, stmt, "define the operation", error);
}

static gpointer
metric_from_row (sqlite3_stmt *stmt)
{
  CncMetric *m = g_new0 (CncMetric, 1);

  m->name = _cnc_column_dup (stmt, 0);
  m->unit = _cnc_column_dup (stmt, 1);
  m->format = _cnc_column_dup (stmt, 2);
  m->min = column_double_or_nan (stmt, 3);
  m->max = column_double_or_nan (stmt, 4);
  m->higher_is_better = sqlite3_column_int (stmt, 5) != 0;
  m->primary = sqlite3_column_int (stmt, 6) != 0;
  return m;
}

GPtrArray *
cnc_workspace_list_metrics (CncWorkspace *self,
                            GError      **error)
{
  g_autoptr(GPtrArray) metrics = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_metric_free);
  sqlite3_stmt *stmt = _cnc_workspace_prepare (self,
    "SELECT name, unit, format, min, max, higher_is_better, is_primary FROM metrics ORDER BY position", error);

  if (stmt == NULL || !_cnc_workspace_collect (self, stmt, metric_from_row, metrics, "read the metrics", error))
    return NULL;
  return g_steal_pointer (&metrics);
}

gboolean
cnc_workspace_define_metric (CncWorkspace    *self,
                             const CncMetric *m,
                             GError         **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (m->name == NULL || *m->name == '\0')
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID, "a metric needs a name");
      return FALSE;
    }
  stmt = _cnc_workspace_prepare (self,
    "INSERT INTO metrics (name, unit, format, min, max, higher_is_better, is_primary, position)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT coalesce (max (position), 0) + 1 FROM metrics))"
    " ON CONFLICT (name) DO UPDATE SET unit = ?2, format = ?3, min = ?4, max = ?5,"
    " higher_is_better = ?6, is_primary = ?7", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, m->name, -1, SQLITE_TRANSIENT);
  _cnc_bind_text_or_null (stmt, 2, m->unit);
  _cnc_bind_text_or_null (stmt, 3, m->format);
  bind_double_or_null (stmt, 4, m->min);
  bind_double_or_null (stmt, 5, m->max);
  sqlite3_bind_int (stmt, 6, m->higher_is_better);
  sqlite3_bind_int (stmt, 7, m->primary);
  return _cnc_workspace_step_done (self, stmt, "define the metric", error);
}

gboolean
cnc_workspace_set_metric_value (CncWorkspace *self,
                                gint64        model,
                                const char   *metric,
                                double        value,
                                GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  stmt = _cnc_workspace_prepare (self,
    "INSERT INTO metric_values (model, metric, value) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (model, metric) DO UPDATE SET value = ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, model);
  sqlite3_bind_text (stmt, 2, metric, -1, SQLITE_TRANSIENT);
  bind_double_or_null (stmt, 3, value);
  return _cnc_workspace_step_done (self, stmt, "record the metric", error);
}

static gpointer
metric_value_from_row (sqlite3_stmt *stmt)
{
  CncMetricValue *v = g_new0 (CncMetricValue, 1);

  v->model = sqlite3_column_int64 (stmt, 0);
  v->metric = _cnc_column_dup (stmt, 1);
  v->value = column_double_or_nan (stmt, 2);
  return v;
}

GPtrArray *
cnc_workspace_list_metric_values (CncWorkspace *self,
                                  gint64        model,
                                  GError      **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_metric_value_free);
  sqlite3_stmt *stmt = _cnc_workspace_prepare (self,
    "SELECT v.model, v.metric, v.value FROM metric_values v JOIN metrics m ON m.name = v.metric"
    " WHERE ?1 < 0 OR v.model = ?1 ORDER BY v.model, m.position", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, model);
  if (!_cnc_workspace_collect (self, stmt, metric_value_from_row, values, "read the metric values", error))
    return NULL;
  return g_steal_pointer (&values);
}

/* ---- layers ---------------------------------------------------------------------------- */

gboolean
cnc_workspace_set_layers (CncWorkspace *self,
                          gint64        model,
                          GPtrArray    *layers,
                          GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_stmt *del;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (!(del = _cnc_workspace_prepare (self, "DELETE FROM layers WHERE model = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (del, 1, model);
  if (!_cnc_workspace_step_done (self, del, "replace the layer table", error))
    return FALSE;

  stmt = _cnc_workspace_prepare (self,
    "INSERT INTO layers (model, position, name, module, shape, dtype, bits, numel, zeros,"
    " min, max, mean, std, l1, l2, quantized, qscale, qzero_point)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < layers->len; i++)
    {
      const CncLayerStats *s = layers->pdata[i];
      g_autoptr(GString) shape = g_string_new ("[");
      int rc;

      for (guint d = 0; d < s->n_dims; d++)
        g_string_append_printf (shape, "%s%" G_GINT64_FORMAT, d ? ", " : "", s->shape[d]);
      g_string_append_c (shape, ']');

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, model);
      sqlite3_bind_int (stmt, 2, i);
      sqlite3_bind_text (stmt, 3, s->name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, s->module ? s->module : "", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, shape->str, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, s->dtype, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 7, s->bits);
      sqlite3_bind_int64 (stmt, 8, s->numel);
      sqlite3_bind_int64 (stmt, 9, s->zeros);
      bind_double_or_null (stmt, 10, s->min);
      bind_double_or_null (stmt, 11, s->max);
      bind_double_or_null (stmt, 12, s->mean);
      bind_double_or_null (stmt, 13, s->std);
      bind_double_or_null (stmt, 14, s->l1);
      bind_double_or_null (stmt, 15, s->l2);
      sqlite3_bind_int (stmt, 16, s->quantized);
      if (s->quantized)
        {
          bind_double_or_null (stmt, 17, s->qscale);
          sqlite3_bind_int64 (stmt, 18, s->qzero_point);
        }
      else
        {
          sqlite3_bind_null (stmt, 17);
          sqlite3_bind_null (stmt, 18);
        }
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          if ((rc & 0xff) == SQLITE_CONSTRAINT)
            {
              g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                           "the model has two parameters named “%s”", s->name);
              return FALSE;
            }
          return _cnc_workspace_fail (self, rc, "record the layer table", error);
        }
    }
  return TRUE;
}

static gpointer
layer_from_row (sqlite3_stmt *stmt)
{
  g_auto(GStrv) dims = NULL;
  g_autofree gint64 *shape = NULL;
  g_autofree char *inner = NULL;
  const char *shape_text = (const char *) sqlite3_column_text (stmt, 2);
  guint n = 0;
  CncLayerStats *s;

  inner = g_strndup (shape_text + 1, MAX (0, (int) strlen (shape_text) - 2));
  dims = g_strsplit (inner, ",", -1);
  shape = g_new0 (gint64, g_strv_length (dims) + 1);
  for (guint d = 0; dims[d]; d++)
    if (*g_strstrip (dims[d]))
      shape[n++] = g_ascii_strtoll (dims[d], NULL, 10);

  s = cnc_layer_stats_new ((const char *) sqlite3_column_text (stmt, 0),
                           (const char *) sqlite3_column_text (stmt, 3),
                           sqlite3_column_int (stmt, 4), shape, n);
  g_free (s->module);
  s->module = _cnc_column_dup (stmt, 1);
  s->numel = sqlite3_column_int64 (stmt, 5);
  s->zeros = sqlite3_column_int64 (stmt, 6);
  s->min = column_double_or_nan (stmt, 7);
  s->max = column_double_or_nan (stmt, 8);
  s->mean = column_double_or_nan (stmt, 9);
  s->std = column_double_or_nan (stmt, 10);
  s->l1 = column_double_or_nan (stmt, 11);
  s->l2 = column_double_or_nan (stmt, 12);
  s->quantized = sqlite3_column_int (stmt, 13) != 0;
  s->qscale = column_double_or_nan (stmt, 14);
  s->qzero_point = sqlite3_column_int64 (stmt, 15);
  return s;
}

GPtrArray *
cnc_workspace_list_layers (CncWorkspace *self,
                           gint64        model,
                           GError      **error)
{
  g_autoptr(GPtrArray) layers = cnc_layer_stats_array_new ();
  g_autoptr(sqlite3_stmt) stmt = _cnc_workspace_prepare (self,
    "SELECT name, module, shape, dtype, bits, numel, zeros, min, max, mean, std, l1, l2,"
    " quantized, qscale, qzero_point FROM layers WHERE model = ? ORDER BY position", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, model);
  if (!_cnc_workspace_collect (self, g_steal_pointer (&stmt), layer_from_row, layers, "read the layer table", error))
    return NULL;
  return g_steal_pointer (&layers);
}

gboolean
cnc_workspace_set_loss_curve (CncWorkspace *self,
                              gint64        model,
                              const char   *curve,
                              GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (curve != NULL, FALSE);
  if (!require_transaction (self))
    return FALSE;
  if (!(stmt = _cnc_workspace_prepare (self, "INSERT OR REPLACE INTO loss_curves (model, curve) VALUES (?, ?)",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, model);
  sqlite3_bind_text (stmt, 2, curve, -1, SQLITE_TRANSIENT);
  return _cnc_workspace_step_done (self, stmt, "keep the loss curve", error);
}

char *
cnc_workspace_get_loss_curve (CncWorkspace *self,
                              gint64        model,
                              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CNC_IS_WORKSPACE (self), NULL);
  if (!(stmt = _cnc_workspace_prepare (self, "SELECT curve FROM loss_curves WHERE model = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, model);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _cnc_column_dup (stmt, 0);
  if (rc != SQLITE_DONE)
    _cnc_workspace_fail (self, rc, "read the loss curve", error);
  return NULL;
}
