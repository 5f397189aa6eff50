/* cnc-model-set.c
 * The models of one workspace as every view shares them: lineage, metrics, selection, hover, filters, encodings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-model-set"

#include "cnc-model-set-private.h"

#include <math.h>
#include <string.h>

#include "core/analysis/cnc-lineage-layout.h"

typedef struct {
  guint  metric;
  double lo, hi;
} Filter;

G_DEFINE_FINAL_TYPE (CncModelSet, cnc_model_set, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WORKSPACE,
  PROP_LOADING,
  PROP_COLOR_METRIC,
  PROP_SIZE_METRIC,
  PROP_N_SELECTED,
  PROP_HOVERED,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_LOAD_FAILED,
  SIGNAL_SELECTION_CHANGED,
  SIGNAL_HOVER_CHANGED,
  SIGNAL_FILTER_CHANGED,
  SIGNAL_ENCODING_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- state kept across loads ------------------------------------------------------------ */

static void
recompute_passing (CncModelSet *self)
{
  guint n = _cnc_model_set_n_models (self);

  g_free (self->passing);
  self->passing = g_new (guint8, MAX (n, 1));
  self->n_passing = 0;
  for (guint i = 0; i < n; i++)
    {
      gboolean pass = TRUE;

      for (guint f = 0; f < self->filters->len && pass; f++)
        {
          Filter *filter = &g_array_index (self->filters, Filter, f);
          double v = self->data->values[(gsize) filter->metric * n + i];

          pass = !isnan (v) && v >= filter->lo && v <= filter->hi;
        }
      self->passing[i] = pass;
      self->n_passing += pass;
    }
}

/* Drops models that no longer pass from the selection; TRUE when that changed it. */
static gboolean
drop_filtered_from_selection (CncModelSet *self)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < _cnc_model_set_n_models (self); i++)
    if (self->selected[i] && !self->passing[i])
      {
        self->selected[i] = 0;
        self->n_selected--;
        changed = TRUE;
      }
  return changed;
}

static int
find_metric_in (GPtrArray *metrics, const char *name)
{
  for (guint k = 0; k < metrics->len; k++)
    if (g_str_equal (((CncMetric *) g_ptr_array_index (metrics, k))->name, name))
      return k;
  return -1;
}

static int
default_color_metric (GPtrArray *metrics)
{
  for (guint k = 0; k < metrics->len; k++)
    {
      CncMetric *m = g_ptr_array_index (metrics, k);
      if (m->primary && m->higher_is_better)
        return k;
    }
  return metrics->len > 0 ? 0 : -1;
}

static int
default_size_metric (GPtrArray *metrics)
{
  static const char * const names[] = { "Model Size", "File size", "Size", "Parameters" };

  for (guint j = 0; j < G_N_ELEMENTS (names); j++)
    for (guint k = 0; k < metrics->len; k++)
      {
        CncMetric *m = g_ptr_array_index (metrics, k);
        if (strstr (m->name, names[j]))
          return k;
      }
  return -1;
}

/* Puts @data in place, carrying the selection (by id), the hover, filters and encodings (by name) over. */
static void
install_data (CncModelSet *self, CncModelSetData *data)
{
  g_autoptr(CncModelSetData) old = self->data;
  g_autoptr(GArray) old_filters = self->filters;
  g_autofree guint8 *old_selected = self->selected;
  gint64 hovered_id = -1;
  int old_color = self->color_metric, old_size = self->size_metric;
  g_autofree char *color_name = NULL, *size_name = NULL;
  guint n;

  if (self->hovered != CNC_MODEL_NONE)
    hovered_id = ((CncModel *) g_ptr_array_index (old->models, self->hovered))->id;
  if (old_color >= 0)
    color_name = g_strdup (((CncMetric *) g_ptr_array_index (old->metrics, old_color))->name);
  if (old_size >= 0)
    size_name = g_strdup (((CncMetric *) g_ptr_array_index (old->metrics, old_size))->name);

  self->data = data;
  n = _cnc_model_set_n_models (self);

  self->selected = g_new0 (guint8, MAX (n, 1));
  self->n_selected = 0;
  for (guint i = 0; i < old->models->len; i++)
    if (old_selected[i])
      {
        guint j = _cnc_model_set_data_index_of_id (data, ((CncModel *) g_ptr_array_index (old->models, i))->id);
        if (j != CNC_MODEL_NONE && !self->selected[j])
          {
            self->selected[j] = 1;
            self->n_selected++;
          }
      }
  self->hovered = hovered_id >= 0 ? _cnc_model_set_data_index_of_id (data, hovered_id) : CNC_MODEL_NONE;

  self->filters = g_array_new (FALSE, FALSE, sizeof (Filter));
  for (guint f = 0; f < old_filters->len; f++)
    {
      Filter filter = g_array_index (old_filters, Filter, f);
      int k = find_metric_in (data->metrics,
                              ((CncMetric *) g_ptr_array_index (old->metrics, filter.metric))->name);
      if (k >= 0)
        {
          filter.metric = k;
          g_array_append_val (self->filters, filter);
        }
    }
  recompute_passing (self);
  drop_filtered_from_selection (self);

  if (!self->encodings_chosen && data->metrics->len > 0)
    {
      self->color_metric = default_color_metric (data->metrics);
      self->size_metric = default_size_metric (data->metrics);
      self->encodings_chosen = TRUE;
    }
  else
    {
      self->color_metric = color_name ? find_metric_in (data->metrics, color_name) : -1;
      self->size_metric = size_name ? find_metric_in (data->metrics, size_name) : -1;
    }

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
  g_signal_emit (self, signals[SIGNAL_HOVER_CHANGED], 0);
  g_signal_emit (self, signals[SIGNAL_FILTER_CHANGED], 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
  if (old_color != self->color_metric || old_size != self->size_metric)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_METRIC]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE_METRIC]);
    }
  g_signal_emit (self, signals[SIGNAL_ENCODING_CHANGED], 0);
}

/* ---- loading ------------------------------------------------------------------------------ */

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = NULL;
  CncModelSetData *d;

  /* Its own connection: the main thread's one stays free for the UI (SQLite WAL lets both read). */
  ws = cnc_workspace_open (path, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  if (ws == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  d = _cnc_model_set_data_read (ws, &error);
  if (d == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, d, (GDestroyNotify) _cnc_model_set_data_free);
}

static void
set_loading (CncModelSet *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_workspace (CncModelSet *self, CncWorkspace *workspace)
{
  if (g_set_object (&self->workspace, workspace))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKSPACE]);
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CncModelSet *self = CNC_MODEL_SET (source);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  CncModelSetData *d = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_task_get_cancellable (G_TASK (result)) == self->cancellable)
    {
      g_clear_object (&self->cancellable);
      set_loading (self, FALSE);
    }
  if (d == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[SIGNAL_LOAD_FAILED], 0, error);
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  install_data (self, d);
  g_task_return_boolean (outer, TRUE);
}

void
cnc_model_set_load_async (CncModelSet         *self,
                          CncWorkspace        *workspace,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) inner = NULL;
  GTask *outer;

  g_return_if_fail (CNC_IS_MODEL_SET (self));
  g_return_if_fail (CNC_IS_WORKSPACE (workspace));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cnc_model_set_load_async);

  /* A newer load wins over one in flight. */
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (cancellable)
    {
      g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                               self->cancellable, G_CONNECT_SWAPPED);
      if (g_cancellable_is_cancelled (cancellable))
        g_cancellable_cancel (self->cancellable);
    }

  set_workspace (self, workspace);
  set_loading (self, TRUE);
  inner = g_task_new (self, self->cancellable, load_done, outer);
  g_task_set_return_on_cancel (inner, TRUE);
  g_task_set_task_data (inner, g_strdup (cnc_workspace_get_path (workspace)), g_free);
  g_task_run_in_thread (inner, load_thread);
}

gboolean
cnc_model_set_load_finish (CncModelSet   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cnc_model_set_reload (CncModelSet *self)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  if (self->workspace == NULL)
    return;
  cnc_model_set_load_async (self, self->workspace, NULL, NULL, NULL);
}

gboolean
cnc_model_set_load_sync (CncModelSet   *self,
                         CncWorkspace  *workspace,
                         GError       **error)
{
  CncModelSetData *d;

  g_return_val_if_fail (CNC_IS_MODEL_SET (self), FALSE);
  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);

  d = _cnc_model_set_data_read (workspace, error);
  if (d == NULL)
    return FALSE;
  set_workspace (self, workspace);
  install_data (self, d);
  return TRUE;
}

CncWorkspace *
cnc_model_set_get_workspace (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  return self->workspace;
}

gboolean
cnc_model_set_get_loading (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), FALSE);
  return self->loading;
}

/* ---- models, lineage, metrics ---------------------------------------------------------------- */

guint
cnc_model_set_get_n_models (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), 0);
  return _cnc_model_set_n_models (self);
}

const CncModel *
cnc_model_set_get_model (CncModelSet *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  g_return_val_if_fail (index < _cnc_model_set_n_models (self), NULL);
  return g_ptr_array_index (self->data->models, index);
}

guint
cnc_model_set_find_id (CncModelSet *self, gint64 id)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), CNC_MODEL_NONE);
  return _cnc_model_set_data_index_of_id (self->data, id);
}

guint
cnc_model_set_find_name (CncModelSet *self, const char *name)
{
  gpointer v;

  g_return_val_if_fail (CNC_IS_MODEL_SET (self), CNC_MODEL_NONE);
  g_return_val_if_fail (name != NULL, CNC_MODEL_NONE);
  v = g_hash_table_lookup (self->data->by_name, name);
  return v ? GPOINTER_TO_UINT (v) - 1 : CNC_MODEL_NONE;
}

char *
cnc_model_set_describe_operation (CncModelSet *self, guint index)
{
  const CncModel *m = cnc_model_set_get_model (self, index);
  g_autofree char *params = NULL;

  if (m == NULL || m->operation == NULL)
    return g_strdup ("—");
  params = cnc_lineage_format_parameters (m->parameters);
  if (*params == '\0')
    return g_strdup (m->operation);
  return g_strdup_printf ("%s (%s)", m->operation, params);
}

const GArray *
cnc_model_set_get_edges (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  return self->data->edges;
}

guint
cnc_model_set_get_parent (CncModelSet *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), CNC_MODEL_NONE);
  g_return_val_if_fail (index < _cnc_model_set_n_models (self), CNC_MODEL_NONE);
  return self->data->parent[index];
}

guint
cnc_model_set_get_teacher (CncModelSet *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), CNC_MODEL_NONE);
  g_return_val_if_fail (index < _cnc_model_set_n_models (self), CNC_MODEL_NONE);
  return self->data->teacher[index];
}

const guint *
cnc_model_set_get_children (CncModelSet *self, guint index, guint *n_children)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  g_return_val_if_fail (index < _cnc_model_set_n_models (self), NULL);
  g_return_val_if_fail (n_children != NULL, NULL);
  *n_children = self->data->child_start[index + 1] - self->data->child_start[index];
  return self->data->child_list + self->data->child_start[index];
}

guint
cnc_model_set_get_depth (CncModelSet *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), 0);
  g_return_val_if_fail (index < _cnc_model_set_n_models (self), 0);
  return self->data->depth[index];
}

guint
cnc_model_set_get_n_metrics (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), 0);
  return self->data->metrics->len;
}

const CncMetric *
cnc_model_set_get_metric (CncModelSet *self, guint metric)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  g_return_val_if_fail (metric < self->data->metrics->len, NULL);
  return g_ptr_array_index (self->data->metrics, metric);
}

int
cnc_model_set_find_metric (CncModelSet *self, const char *name)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), -1);
  g_return_val_if_fail (name != NULL, -1);
  return find_metric_in (self->data->metrics, name);
}

double
cnc_model_set_get_value (CncModelSet *self, guint index, guint metric)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NAN);
  g_return_val_if_fail (index < _cnc_model_set_n_models (self), NAN);
  g_return_val_if_fail (metric < self->data->metrics->len, NAN);
  return self->data->values[(gsize) metric * _cnc_model_set_n_models (self) + index];
}

const double *
cnc_model_set_get_values (CncModelSet *self, guint metric)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  g_return_val_if_fail (metric < self->data->metrics->len, NULL);
  return self->data->values + (gsize) metric * _cnc_model_set_n_models (self);
}

gboolean
cnc_model_set_get_range (CncModelSet *self, guint metric, double *min, double *max)
{
  const double *v = cnc_model_set_get_values (self, metric);
  double lo = INFINITY, hi = -INFINITY;

  if (v == NULL)
    return FALSE;
  for (guint i = 0; i < _cnc_model_set_n_models (self); i++)
    if (isfinite (v[i]))
      {
        lo = MIN (lo, v[i]);
        hi = MAX (hi, v[i]);
      }
  if (min)
    *min = lo;
  if (max)
    *max = hi;
  return lo <= hi;
}

/* ---- selection (the rest is in cnc-model-set-selection.c) ------------------------------------ */

void
_cnc_model_set_selection_changed (CncModelSet *self)
{
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
}

/* ---- hover ------------------------------------------------------------------------------------ */

guint
cnc_model_set_get_hovered (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), CNC_MODEL_NONE);
  return self->hovered;
}

void
cnc_model_set_set_hovered (CncModelSet *self, guint index)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  if (index >= _cnc_model_set_n_models (self))
    index = CNC_MODEL_NONE;
  if (self->hovered == index)
    return;
  self->hovered = index;
  g_signal_emit (self, signals[SIGNAL_HOVER_CHANGED], 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOVERED]);
}

/* ---- filters ---------------------------------------------------------------------------------- */

static void
filters_changed (CncModelSet *self)
{
  recompute_passing (self);
  if (self->hovered != CNC_MODEL_NONE && !self->passing[self->hovered])
    cnc_model_set_set_hovered (self, CNC_MODEL_NONE);
  g_signal_emit (self, signals[SIGNAL_FILTER_CHANGED], 0);
  if (drop_filtered_from_selection (self))
    _cnc_model_set_selection_changed (self);
}

static int
filter_position (CncModelSet *self, guint metric)
{
  for (guint f = 0; f < self->filters->len; f++)
    if (g_array_index (self->filters, Filter, f).metric == metric)
      return f;
  return -1;
}

void
cnc_model_set_set_filter (CncModelSet *self, guint metric, double lo, double hi)
{
  int pos;

  g_return_if_fail (CNC_IS_MODEL_SET (self));
  g_return_if_fail (metric < self->data->metrics->len);
  g_return_if_fail (!isnan (lo) && !isnan (hi));

  if (lo > hi)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  pos = filter_position (self, metric);
  if (pos < 0)
    {
      Filter f = { metric, lo, hi };
      g_array_append_val (self->filters, f);
    }
  else
    {
      Filter *f = &g_array_index (self->filters, Filter, pos);
      if (f->lo == lo && f->hi == hi)
        return;
      f->lo = lo;
      f->hi = hi;
    }
  filters_changed (self);
}

void
cnc_model_set_remove_filter (CncModelSet *self, guint metric)
{
  int pos;

  g_return_if_fail (CNC_IS_MODEL_SET (self));
  pos = filter_position (self, metric);
  if (pos < 0)
    return;
  g_array_remove_index (self->filters, pos);
  filters_changed (self);
}

void
cnc_model_set_clear_filters (CncModelSet *self)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  if (self->filters->len == 0)
    return;
  g_array_set_size (self->filters, 0);
  filters_changed (self);
}

gboolean
cnc_model_set_get_filter (CncModelSet *self, guint metric, double *lo, double *hi)
{
  int pos;

  g_return_val_if_fail (CNC_IS_MODEL_SET (self), FALSE);
  pos = filter_position (self, metric);
  if (pos < 0)
    return FALSE;
  if (lo)
    *lo = g_array_index (self->filters, Filter, pos).lo;
  if (hi)
    *hi = g_array_index (self->filters, Filter, pos).hi;
  return TRUE;
}

GArray *
cnc_model_set_get_filter_metrics (CncModelSet *self)
{
  GArray *out;

  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  out = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint f = 0; f < self->filters->len; f++)
    g_array_append_val (out, g_array_index (self->filters, Filter, f).metric);
  return out;
}

gboolean
cnc_model_set_passes_filters (CncModelSet *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), FALSE);
  return index < _cnc_model_set_n_models (self) && self->passing[index];
}

guint
cnc_model_set_get_n_passing (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), 0);
  return self->n_passing;
}

/* ---- encodings -------------------------------------------------------------------------------- */

int
cnc_model_set_get_color_metric (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), -1);
  return self->color_metric;
}

int
cnc_model_set_get_size_metric (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), -1);
  return self->size_metric;
}

void
cnc_model_set_set_color_metric (CncModelSet *self, int metric)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  if (metric >= (int) self->data->metrics->len || metric < 0)
    metric = -1;
  self->encodings_chosen = TRUE;
  if (self->color_metric == metric)
    return;
  self->color_metric = metric;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_METRIC]);
  g_signal_emit (self, signals[SIGNAL_ENCODING_CHANGED], 0);
}

void
cnc_model_set_set_size_metric (CncModelSet *self, int metric)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  if (metric >= (int) self->data->metrics->len || metric < 0)
    metric = -1;
  self->encodings_chosen = TRUE;
  if (self->size_metric == metric)
    return;
  self->size_metric = metric;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE_METRIC]);
  g_signal_emit (self, signals[SIGNAL_ENCODING_CHANGED], 0);
}

/* ---- GObject ---------------------------------------------------------------------------------- */

static void
cnc_model_set_dispose (GObject *object)
{
  CncModelSet *self = CNC_MODEL_SET (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->workspace);
  G_OBJECT_CLASS (cnc_model_set_parent_class)->dispose (object);
}

static void
cnc_model_set_finalize (GObject *object)
{
  CncModelSet *self = CNC_MODEL_SET (object);

  _cnc_model_set_data_free (self->data);
  g_array_unref (self->filters);
  g_free (self->selected);
  g_free (self->passing);
  G_OBJECT_CLASS (cnc_model_set_parent_class)->finalize (object);
}

static void
cnc_model_set_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CncModelSet *self = CNC_MODEL_SET (object);

  switch (prop_id)
    {
    case PROP_WORKSPACE:
      g_value_set_object (value, self->workspace);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COLOR_METRIC:
      g_value_set_int (value, self->color_metric);
      break;
    case PROP_SIZE_METRIC:
      g_value_set_int (value, self->size_metric);
      break;
    case PROP_N_SELECTED:
      g_value_set_uint (value, self->n_selected);
      break;
    case PROP_HOVERED:
      g_value_set_uint (value, self->hovered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_model_set_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CncModelSet *self = CNC_MODEL_SET (object);

  switch (prop_id)
    {
    case PROP_COLOR_METRIC:
      cnc_model_set_set_color_metric (self, g_value_get_int (value));
      break;
    case PROP_SIZE_METRIC:
      cnc_model_set_set_size_metric (self, g_value_get_int (value));
      break;
    case PROP_HOVERED:
      cnc_model_set_set_hovered (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_model_set_class_init (CncModelSetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cnc_model_set_dispose;
  object_class->finalize = cnc_model_set_finalize;
  object_class->get_property = cnc_model_set_get_property;
  object_class->set_property = cnc_model_set_set_property;

  properties[PROP_WORKSPACE] =
    g_param_spec_object ("workspace", NULL, NULL, CNC_TYPE_WORKSPACE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLOR_METRIC] =
    g_param_spec_int ("color-metric", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE_METRIC] =
    g_param_spec_int ("size-metric", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SELECTED] =
    g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOVERED] =
    g_param_spec_uint ("hovered", NULL, NULL, 0, G_MAXUINT, CNC_MODEL_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_LOAD_FAILED] =
    g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_HOVER_CHANGED] =
    g_signal_new ("hover-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_FILTER_CHANGED] =
    g_signal_new ("filter-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_ENCODING_CHANGED] =
    g_signal_new ("encoding-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cnc_model_set_init (CncModelSet *self)
{
  self->data = _cnc_model_set_data_new_empty ();
  self->selected = g_new0 (guint8, 1);
  self->passing = g_new0 (guint8, 1);
  self->filters = g_array_new (FALSE, FALSE, sizeof (Filter));
  self->hovered = CNC_MODEL_NONE;
  self->color_metric = -1;
  self->size_metric = -1;
}

CncModelSet *
cnc_model_set_new (void)
{
  return g_object_new (CNC_TYPE_MODEL_SET, NULL);
}
