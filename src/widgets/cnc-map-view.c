/* cnc-map-view.c
 * The provenance map: the lineage of a workspace's models as a zoomable, selectable graph.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-map-view"

#include "cnc-map-view-private.h"

#include <math.h>

#include "core/analysis/cnc-metric-format.h"

G_DEFINE_FINAL_TYPE (CncMapView, cnc_map_view, CNC_TYPE_CHART_VIEW)

enum {
  PROP_0,
  PROP_LAYOUT_MODE,
  PROP_ZOOM,
  PROP_SHOW_MINIMAP,
  N_PROPS
};

enum {
  SIGNAL_MODEL_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- data from the set ------------------------------------------------------------------------- */

CncModelSet *
_cnc_map_view_get_set (CncMapView *self)
{
  return cnc_chart_view_get_model_set (CNC_CHART_VIEW (self));
}

void
_cnc_map_view_invalidate (CncMapView *self)
{
  cnc_chart_view_invalidate (CNC_CHART_VIEW (self));
}

void
_cnc_map_view_notify_zoom (CncMapView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static void
invalidate_all (CncMapView *self)
{
  g_clear_pointer (&self->minimap, cairo_surface_destroy);
  _cnc_map_view_invalidate (self);
}

static void
free_arrays (CncMapView *self)
{
  g_clear_pointer (&self->parent, g_free);
  g_clear_pointer (&self->teacher, g_free);
  g_clear_pointer (&self->color, g_free);
  g_clear_pointer (&self->size, g_free);
  g_clear_pointer (&self->flags, g_free);
  g_clear_pointer (&self->collapsed, g_free);
  if (self->labels)
    for (guint i = 0; i < self->n; i++)
      g_free (self->labels[i]);
  g_clear_pointer (&self->labels, g_free);
  g_clear_pointer (&self->layout, cnc_lineage_layout_free);
}

void
_cnc_map_view_update_flags (CncMapView *self)
{
  CncModelSet *set = _cnc_map_view_get_set (self);

  for (guint i = 0; i < self->n; i++)
    self->flags[i] = (cnc_model_set_is_selected (set, i) ? CNC_CHART_MAP_SELECTED : 0)
                   | (cnc_model_set_passes_filters (set, i) ? 0 : CNC_CHART_MAP_FADED)
                   | (i == self->focus && gtk_widget_has_focus (GTK_WIDGET (self)) ? CNC_CHART_MAP_FOCUSED : 0);
}

static void
update_encodings (CncMapView *self)
{
  CncModelSet *set = _cnc_map_view_get_set (self);
  int cm = cnc_model_set_get_color_metric (set), sm = cnc_model_set_get_size_metric (set);

  self->data.color = NULL;
  self->data.size = NULL;
  self->data.color_metric = NULL;
  self->data.size_metric = NULL;
  if (cm >= 0 && self->n > 0)
    {
      const double *v = cnc_model_set_get_values (set, cm);
      double lo, hi;

      self->data.color_metric = cnc_model_set_get_metric (set, cm);
      if (cnc_model_set_get_range (set, cm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            self->color[i] = cnc_colormap_normalize (self->data.color_metric, v[i], lo, hi);
          self->data.color = self->color;
          self->data.color_lo = lo;
          self->data.color_hi = hi;
        }
      else
        self->data.color_metric = NULL;
    }
  if (sm >= 0 && self->n > 0)
    {
      const double *v = cnc_model_set_get_values (set, sm);
      double lo, hi;

      if (cnc_model_set_get_range (set, sm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            self->size[i] = isnan (v[i]) ? NAN : hi > lo ? (v[i] - lo) / (hi - lo) : 0.5;
          self->data.size = self->size;
          self->data.size_metric = cnc_model_set_get_metric (set, sm);
          self->data.size_lo = lo;
          self->data.size_hi = hi;
        }
    }
}

static void
set_collapsed_flag (CncMapView *self, guint i, gboolean collapsed)
{
  const CncModel *m = cnc_model_set_get_model (_cnc_map_view_get_set (self), i);

  self->collapsed[i] = collapsed;
  if (collapsed)
    g_hash_table_add (self->collapsed_ids, g_memdup2 (&m->id, sizeof m->id));
  else
    g_hash_table_remove (self->collapsed_ids, &m->id);
}

/* The layout's input; free the two arrays it points to with g_free. */
static void
make_input (CncMapView *self, CncLineageInput *input)
{
  const char **ops = g_new0 (const char *, MAX (self->n, 1));
  const char **params = g_new0 (const char *, MAX (self->n, 1));

  for (guint i = 0; i < self->n; i++)
    {
      const CncModel *m = cnc_model_set_get_model (_cnc_map_view_get_set (self), i);
      ops[i] = m->operation;
      params[i] = m->parameters;
    }
  *input = (CncLineageInput) { 0 };
  input->n = self->n;
  input->parent = self->parent;
  input->teacher = self->teacher;
  input->operation = ops;
  input->parameters = params;
  input->collapsed = self->collapsed;
}

static void
free_input (CncLineageInput *input)
{
  g_free ((gpointer) input->operation);
  g_free ((gpointer) input->parameters);
}

static void
relayout (CncMapView *self)
{
  CncLineageInput input;

  make_input (self, &input);
  g_clear_pointer (&self->layout, cnc_lineage_layout_free);
  self->layout = cnc_lineage_layout_new (&input, self->mode);
  free_input (&input);
  for (guint i = 0; i < self->n; i++)
    g_clear_pointer (&self->labels[i], g_free);
  self->data.layout = self->layout;
  self->last_w = self->last_h = -1;   /* recompute the fit */
  invalidate_all (self);
}

static void
cnc_map_view_models_changed (CncChartView *view)
{
  CncMapView *self = CNC_MAP_VIEW (view);
  CncModelSet *set = _cnc_map_view_get_set (self);

  /* a first load folds what does not fit; reloads keep what the user folded */
  if (self->n == 0)
    self->fold_pending = TRUE;
  free_arrays (self);
  self->n = cnc_model_set_get_n_models (set);
  self->parent = g_new (int, MAX (self->n, 1));
  self->teacher = g_new (int, MAX (self->n, 1));
  self->color = g_new (double, MAX (self->n, 1));
  self->size = g_new (double, MAX (self->n, 1));
  self->flags = g_new0 (guint8, MAX (self->n, 1));
  self->labels = g_new0 (char *, MAX (self->n, 1));
  self->collapsed = g_new0 (gboolean, MAX (self->n, 1));
  for (guint i = 0; i < self->n; i++)
    {
      guint p = cnc_model_set_get_parent (set, i), t = cnc_model_set_get_teacher (set, i);
      self->parent[i] = p == CNC_MODEL_NONE ? -1 : (int) p;
      self->teacher[i] = t == CNC_MODEL_NONE ? -1 : (int) t;
      /* collapsed subtrees stay collapsed across reloads */
      self->collapsed[i] = g_hash_table_contains (self->collapsed_ids, &cnc_model_set_get_model (set, i)->id);
    }
  self->data.parent = self->parent;
  self->data.teacher = self->teacher;
  self->data.flags = self->flags;
  self->data.labels = (const char * const *) self->labels;
  if (self->focus >= self->n)
    self->focus = CNC_MODEL_NONE;
  update_encodings (self);
  _cnc_map_view_update_flags (self);
  self->fitted = TRUE;
  relayout (self);
  _cnc_map_view_update_actions (self);
}

static void
cnc_map_view_selection_changed (CncChartView *view)
{
  _cnc_map_view_update_flags (CNC_MAP_VIEW (view));
  cnc_chart_view_invalidate (view);
}

static void
cnc_map_view_filter_changed (CncChartView *view)
{
  _cnc_map_view_update_flags (CNC_MAP_VIEW (view));
  invalidate_all (CNC_MAP_VIEW (view));
}

static void
cnc_map_view_encoding_changed (CncChartView *view)
{
  CncMapView *self = CNC_MAP_VIEW (view);

  update_encodings (self);
  self->last_w = -1;   /* the legend's room may change */
  invalidate_all (self);
}

/* Folds the largest subtrees until each row gets a readable height. */
gboolean
_cnc_map_view_fold_to_fit (CncMapView *self, int height)
{
  CncLineageInput input;
  g_autofree gboolean *fold = NULL;
  double room = height - CNC_CHART_MAP_HEADER_PX - 36 - cnc_chart_map_legend_height (&self->data);
  guint max_rows = (guint) MAX (4, room / 16);

  make_input (self, &input);
  input.collapsed = NULL;
  fold = cnc_lineage_auto_collapse (&input, max_rows);
  free_input (&input);
  if (fold == NULL)
    return FALSE;
  for (guint i = 0; i < self->n; i++)
    if (fold[i] && !self->collapsed[i])
      set_collapsed_flag (self, i, TRUE);
  relayout (self);
  return TRUE;
}

/* ---- drawing -------------------------------------------------------------------------------------- */

/* Parameter labels of the columns in view, once per column: what the column's models share goes to its
 * header, each model's label keeps what varies. */
static void
fill_visible_labels (CncMapView *self)
{
  CncLineageLayout *l = self->layout;
  CncChartMapView *v = &self->view;
  g_autofree const char **params = NULL;

  if (v->row_px < 12)
    return;
  for (guint c = 0; c < l->n_columns; c++)
    {
      double x = v->x0 + c * v->column_px;
      g_auto(GStrv) labels = NULL;
      char *shared = NULL;

      if (x < -v->column_px || x > v->width + v->column_px || l->column_n_nodes[c] == 0
          || self->labels[l->column_nodes[c][0]] != NULL)
        continue;
      if (params == NULL)
        {
          params = g_new (const char *, MAX (self->n, 1));
          for (guint i = 0; i < self->n; i++)
            params[i] = cnc_model_set_get_model (_cnc_map_view_get_set (self), i)->parameters;
        }
      labels = cnc_lineage_column_labels (l, c, params, &shared);
      for (guint k = 0; k < l->column_n_nodes[c]; k++)
        {
          guint i = l->column_nodes[c][k];
          g_free (self->labels[i]);
          self->labels[i] = g_strdup (labels[k]);
        }
      if (l->columns[c].detail == NULL)
        l->columns[c].detail = shared;
      else
        g_free (shared);
    }
}

static void
cnc_map_view_draw_static (CncChartView *view, cairo_t *cr, const CncChartStyle *style, int w, int h)
{
  CncMapView *self = CNC_MAP_VIEW (view);

  if (self->layout == NULL || self->n == 0)
    {
      cnc_colormap_set_source (cr, style->muted, 1);
      cnc_chart_text (cr, style,
                      cnc_model_set_get_loading (_cnc_map_view_get_set (self)) ? "Loading the workspace…"
                      : "No models yet: drop model files or a models.json here, or use Import",
                      w / 2.0, h / 2.0, 0.5, 0.5, CNC_CHART_TEXT_NORMAL);
      return;
    }
  _cnc_map_view_ensure_view (self);
  fill_visible_labels (self);
  cnc_chart_map_draw (cr, style, &self->data, &self->view);
}

static void
cnc_map_view_draw_card (CncChartView *view, cairo_t *cr, const CncChartStyle *style, guint i,
                        double x, double y, int width, int height)
{
  CncMapView *self = CNC_MAP_VIEW (view);
  CncModelSet *set = _cnc_map_view_get_set (self);
  const CncModel *m = cnc_model_set_get_model (set, i);
  g_autofree char *op = cnc_model_set_describe_operation (set, i);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (CncChartCardRow));
  guint parent = cnc_model_set_get_parent (set, i);
  g_autofree char *subtitle = NULL;

  if (self->layout->nodes[i].folded > 0)
    subtitle = g_strdup_printf ("%s · %u models folded in (double-click to expand)", op,
                                self->layout->nodes[i].folded);
  else
    subtitle = g_strdup (op);
  for (guint k = 0; k < cnc_model_set_get_n_metrics (set); k++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (set, k);
      double v = cnc_model_set_get_value (set, i, k);
      CncChartCardRow row = { 0 };

      if (!metric->primary)
        continue;
      row.label = metric->name;
      row.value = cnc_metric_format_value (metric, v);
      g_ptr_array_add (strings, (char *) row.value);
      if (parent != CNC_MODEL_NONE && !isnan (v))
        {
          double pv = cnc_model_set_get_value (set, parent, k);
          row.change = cnc_metric_format_change (metric, v, pv);
          g_ptr_array_add (strings, (char *) row.change);
          if (!isnan (pv) && v != pv)
            row.change_sign = ((v > pv) == !!metric->higher_is_better) ? 1 : -1;
        }
      g_array_append_val (rows, row);
    }
  cnc_chart_card_draw (cr, style, x, y, width, height,
                       m->label && *m->label ? m->label : m->name, subtitle,
                       (const CncChartCardRow *) rows->data, rows->len);
}

static void
cnc_map_view_draw_motion (CncChartView *view, cairo_t *cr, const CncChartStyle *style, int w, int h)
{
  CncMapView *self = CNC_MAP_VIEW (view);
  guint hovered = cnc_model_set_get_hovered (_cnc_map_view_get_set (self));
  double px, py;

  if (self->layout == NULL || self->n == 0)
    return;
  if (hovered != CNC_MODEL_NONE && hovered < self->n)
    cnc_chart_map_draw_hover (cr, style, &self->data, &self->view, hovered);
  if (_cnc_map_view_minimap_needed (self))
    _cnc_map_view_draw_minimap (self, cr, style);
  /* a column header under the pointer: its full name, how many models, what they share */
  if (cnc_chart_view_get_pointer (view, &px, &py) && hovered == CNC_MODEL_NONE)
    {
      int column = cnc_chart_map_header_at (&self->data, &self->view, px, py);
      if (column >= 0)
        {
          const CncLineageColumn *col = &self->layout->columns[column];
          g_autofree char *count = g_strdup_printf ("%u", col->n_nodes);
          CncChartCardRow rows[2] = { { "models", count, NULL, 0 }, { "shared", col->detail, NULL, 0 } };

          cnc_chart_card_draw (cr, style, px, py, w, h, col->label, "click to select the column", rows,
                               col->detail ? 2 : 1);
        }
    }
}

static void
cnc_map_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                      int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 150;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 600;
}

/* ---- pointer ------------------------------------------------------------------------------------------ */

void
_cnc_map_view_set_focus_model (CncMapView *self, guint index)
{
  self->focus = index;
  _cnc_map_view_update_flags (self);
  _cnc_map_view_invalidate (self);
}

void
_cnc_map_view_toggle_collapsed (CncMapView *self, guint index)
{
  cnc_map_view_set_collapsed (self, index, !cnc_map_view_get_collapsed (self, index));
}

/* The models of @indices that pass the filters (only those can be selected). */
static GArray *
selectable (CncMapView *self, const guint *indices, guint n)
{
  GArray *pick = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint k = 0; k < n; k++)
    if (!(self->flags[indices[k]] & CNC_CHART_MAP_FADED))
      g_array_append_val (pick, indices[k]);
  return pick;
}

/* A model that can be hovered and clicked: not in the overview, not faded. */
static guint
cnc_map_view_lookup_item (CncChartView *view, double x, double y)
{
  CncMapView *self = CNC_MAP_VIEW (view);
  guint hit;

  if (self->layout == NULL || _cnc_map_view_in_minimap (self, x, y))
    return CNC_MODEL_NONE;
  hit = cnc_chart_map_hit (&self->data, &self->view, x, y, 4);
  return hit != CNC_MODEL_NONE && (self->flags[hit] & CNC_CHART_MAP_FADED) ? CNC_MODEL_NONE : hit;
}

static GArray *
cnc_map_view_items_in_rect (CncChartView *view, double x0, double y0, double x1, double y1)
{
  CncMapView *self = CNC_MAP_VIEW (view);
  g_autoptr(GArray) inside = cnc_chart_map_nodes_in_rect (&self->data, &self->view, x0, y0, x1, y1);

  return selectable (self, (const guint *) inside->data, inside->len);
}

/* Models and column headers take clicks. */
static const char *
cnc_map_view_get_cursor (CncChartView *view, double x, double y, guint item)
{
  CncMapView *self = CNC_MAP_VIEW (view);

  if (item != CNC_MODEL_NONE
      || (self->layout != NULL && cnc_chart_map_header_at (&self->data, &self->view, x, y) >= 0))
    return "pointer";
  return NULL;
}

/* What the base does not: a click on a column header selects the column, on a "+N" badge expands the node; a
 * double-click folds or unfolds a model's subtree, or activates a model without children; a click on a model
 * gives it the keyboard focus. */
static gboolean
cnc_map_view_press (CncChartView *view, guint item, int n_press, double x, double y, GdkModifierType state)
{
  CncMapView *self = CNC_MAP_VIEW (view);
  guint hit;
  int column;

  if (self->layout == NULL || _cnc_map_view_in_minimap (self, x, y))
    return TRUE;
  column = cnc_chart_map_header_at (&self->data, &self->view, x, y);
  if (column >= 0)
    {
      g_autoptr(GArray) pick = selectable (self, self->layout->column_nodes[column],
                                           self->layout->column_n_nodes[column]);

      cnc_model_set_select (_cnc_map_view_get_set (self), (const guint *) pick->data, pick->len,
                            cnc_chart_view_select_mode (view, state));
      return TRUE;
    }
  hit = cnc_chart_map_hit (&self->data, &self->view, x, y, 4);
  if (hit == CNC_MODEL_NONE)
    {
      /* the "+N" badge of a collapsed node expands it */
      guint near = cnc_chart_map_hit (&self->data, &self->view, x - 24, y, 14);

      if (near != CNC_MODEL_NONE && self->layout->nodes[near].folded > 0)
        {
          cnc_map_view_set_collapsed (self, near, FALSE);
          return TRUE;
        }
      return FALSE;
    }
  if (self->flags[hit] & CNC_CHART_MAP_FADED)
    return TRUE;
  if (n_press == 2)
    {
      if (self->layout->nodes[hit].n_children > 0)
        _cnc_map_view_toggle_collapsed (self, hit);
      else
        g_signal_emit (self, signals[SIGNAL_MODEL_ACTIVATED], 0, hit);
      return TRUE;
    }
  self->focus = hit;
  _cnc_map_view_update_flags (self);
  return FALSE;
}

/* The overview and the pan (middle or right button, or Space held) are the map's; a press on a model or a
 * header stays a click; elsewhere a drag is a rubber band. */
static CncChartDrag
cnc_map_view_drag_begin (CncChartView *view, guint button, double x, double y)
{
  CncMapView *self = CNC_MAP_VIEW (view);

  self->drag = CNC_MAP_DRAG_NONE;
  self->drag_x = x;
  self->drag_y = y;
  if (self->layout == NULL)
    return CNC_CHART_DRAG_NONE;
  if (_cnc_map_view_in_minimap (self, x, y))
    {
      self->drag = CNC_MAP_DRAG_MINIMAP;
      _cnc_map_view_minimap_jump (self, x, y);
      return CNC_CHART_DRAG_OWN;
    }
  if (button == GDK_BUTTON_MIDDLE || button == GDK_BUTTON_SECONDARY || self->space_down)
    {
      self->drag = CNC_MAP_DRAG_PAN;
      self->pan_x0 = self->view.x0;
      self->pan_y0 = self->view.y0;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      return CNC_CHART_DRAG_OWN;
    }
  if (cnc_chart_map_hit (&self->data, &self->view, x, y, 4) != CNC_MODEL_NONE
      || cnc_chart_map_header_at (&self->data, &self->view, x, y) >= 0)
    return CNC_CHART_DRAG_NONE;
  return CNC_CHART_DRAG_BAND;
}

static void
cnc_map_view_drag_update (CncChartView *view, double dx, double dy)
{
  CncMapView *self = CNC_MAP_VIEW (view);

  if (self->drag == CNC_MAP_DRAG_MINIMAP)
    _cnc_map_view_minimap_jump (self, self->drag_x + dx, self->drag_y + dy);
  else if (self->drag == CNC_MAP_DRAG_PAN)
    {
      self->view.x0 = self->pan_x0 + dx;
      self->view.y0 = self->pan_y0 + dy;
      self->fitted = FALSE;
      _cnc_map_view_clamp_view (self);
      _cnc_map_view_invalidate (self);
    }
}

static void
cnc_map_view_drag_end (CncChartView *view, double dx, double dy)
{
  CncMapView *self = CNC_MAP_VIEW (view);

  if (self->drag == CNC_MAP_DRAG_PAN)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), NULL);
  self->drag = CNC_MAP_DRAG_NONE;
}

/* Space held: a drag pans (the other keys are actions, see cnc-map-view-actions.c). */
static gboolean
on_key_pressed (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state, CncMapView *self)
{
  if (keyval != GDK_KEY_space || self->layout == NULL || self->n == 0)
    return FALSE;
  self->space_down = TRUE;
  return TRUE;
}

static void
on_key_released (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state, CncMapView *self)
{
  if (keyval == GDK_KEY_space)
    self->space_down = FALSE;
}

static void
on_focus_changed (CncMapView *self)
{
  if (self->flags)
    {
      _cnc_map_view_update_flags (self);
      _cnc_map_view_invalidate (self);
    }
}

/* ---- public API ------------------------------------------------------------------------------------------ */

GtkWidget *
cnc_map_view_new (CncModelSet *set)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  return g_object_new (CNC_TYPE_MAP_VIEW, "model-set", set, NULL);
}

void
cnc_map_view_set_layout_mode (CncMapView *self, CncLineageLayoutMode mode)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (self->mode == mode)
    return;
  self->mode = mode;
  self->fitted = TRUE;
  if (self->parent)
    relayout (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT_MODE]);
}

CncLineageLayoutMode
cnc_map_view_get_layout_mode (CncMapView *self)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), CNC_LINEAGE_LAYOUT_BY_OPERATION);
  return self->mode;
}

void
cnc_map_view_reveal (CncMapView *self, guint index)
{
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (index >= self->n)
    return;
  for (int p = self->parent[index]; p >= 0; p = self->parent[p])
    if (self->collapsed[p])
      {
        set_collapsed_flag (self, p, FALSE);
        changed = TRUE;
      }
  if (changed)
    {
      gboolean fitted = self->fitted;
      relayout (self);
      self->fitted = fitted;
      _cnc_map_view_ensure_view (self);
    }
  if (self->view.row_px < 6)
    {
      /* zoom in to where the model can be seen */
      _cnc_map_view_zoom_to_rows (self, 12);
      _cnc_map_view_center_on (self, index);
    }
  _cnc_map_view_scroll_to (self, index);
}

void
cnc_map_view_set_collapsed (CncMapView *self, guint index, gboolean collapsed)
{
  gboolean fitted;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (index >= self->n || !!self->collapsed[index] == !!collapsed)
    return;
  if (collapsed && self->layout->nodes[index].n_children == 0)
    return;
  set_collapsed_flag (self, index, collapsed);
  fitted = self->fitted;
  relayout (self);
  self->fitted = fitted;
}

gboolean
cnc_map_view_get_collapsed (CncMapView *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), FALSE);
  return index < self->n && self->collapsed[index];
}

void
cnc_map_view_collapse_selected (CncMapView *self)
{
  g_autoptr(GArray) sel = NULL;
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  sel = cnc_model_set_get_selection (_cnc_map_view_get_set (self));
  for (guint k = 0; k < sel->len; k++)
    {
      guint i = g_array_index (sel, guint, k);
      if (self->layout->nodes[i].n_children > 0 && !self->collapsed[i])
        {
          set_collapsed_flag (self, i, TRUE);
          changed = TRUE;
        }
    }
  if (changed)
    relayout (self);
}

void
cnc_map_view_expand_all (CncMapView *self)
{
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  for (guint i = 0; i < self->n; i++)
    {
      changed |= self->collapsed[i];
      self->collapsed[i] = FALSE;
    }
  g_hash_table_remove_all (self->collapsed_ids);
  if (changed)
    relayout (self);
}

void
cnc_map_view_collapse_to_fit (CncMapView *self)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (self->n == 0)
    return;
  cnc_map_view_expand_all (self);
  self->fitted = TRUE;
  if (!_cnc_map_view_fold_to_fit (self, MAX (gtk_widget_get_height (GTK_WIDGET (self)), 400)))
    relayout (self);
}

void
cnc_map_view_set_show_minimap (CncMapView *self, gboolean show)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  show = !!show;
  if (self->show_minimap == show)
    return;
  self->show_minimap = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_MINIMAP]);
}

gboolean
cnc_map_view_get_model_position (CncMapView *self, guint index, double *x, double *y)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), FALSE);
  if (self->layout == NULL || index >= self->n || self->layout->nodes[index].hidden)
    return FALSE;
  _cnc_map_view_ensure_view (self);
  cnc_chart_map_node_position (&self->data, &self->view, index, x, y);
  return *x >= 0 && *x <= self->view.width && *y >= self->view.header_height && *y <= self->view.height;
}

guint
cnc_map_view_model_at (CncMapView *self, double x, double y)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), CNC_MODEL_NONE);
  if (self->layout == NULL)
    return CNC_MODEL_NONE;
  _cnc_map_view_ensure_view (self);
  return cnc_chart_map_hit (&self->data, &self->view, x, y, 4);
}

/* ---- GObject ---------------------------------------------------------------------------------------------- */

static void
cnc_map_view_dispose (GObject *object)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  g_clear_pointer (&self->minimap, cairo_surface_destroy);
  G_OBJECT_CLASS (cnc_map_view_parent_class)->dispose (object);
}

static void
cnc_map_view_finalize (GObject *object)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  free_arrays (self);
  g_hash_table_unref (self->collapsed_ids);
  G_OBJECT_CLASS (cnc_map_view_parent_class)->finalize (object);
}

static void
cnc_map_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_LAYOUT_MODE:
      g_value_set_int (value, self->mode);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, cnc_map_view_get_zoom (self));
      break;
    case PROP_SHOW_MINIMAP:
      g_value_set_boolean (value, self->show_minimap);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_map_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_LAYOUT_MODE:
      cnc_map_view_set_layout_mode (self, g_value_get_int (value));
      break;
    case PROP_SHOW_MINIMAP:
      cnc_map_view_set_show_minimap (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_map_view_class_init (CncMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  CncChartViewClass *view_class = CNC_CHART_VIEW_CLASS (klass);

  object_class->dispose = cnc_map_view_dispose;
  object_class->finalize = cnc_map_view_finalize;
  object_class->get_property = cnc_map_view_get_property;
  object_class->set_property = cnc_map_view_set_property;
  widget_class->measure = cnc_map_view_measure;
  view_class->models_changed = cnc_map_view_models_changed;
  view_class->selection_changed = cnc_map_view_selection_changed;
  view_class->filter_changed = cnc_map_view_filter_changed;
  view_class->encoding_changed = cnc_map_view_encoding_changed;
  view_class->draw_static = cnc_map_view_draw_static;
  view_class->draw_motion = cnc_map_view_draw_motion;
  view_class->draw_card = cnc_map_view_draw_card;
  view_class->lookup_item = cnc_map_view_lookup_item;
  view_class->items_in_rect = cnc_map_view_items_in_rect;
  view_class->get_cursor = cnc_map_view_get_cursor;
  view_class->press = cnc_map_view_press;
  view_class->drag_begin = cnc_map_view_drag_begin;
  view_class->drag_update = cnc_map_view_drag_update;
  view_class->drag_end = cnc_map_view_drag_end;
  properties[PROP_LAYOUT_MODE] =
    g_param_spec_int ("layout-mode", NULL, NULL, CNC_LINEAGE_LAYOUT_BY_STEP, CNC_LINEAGE_LAYOUT_BY_OPERATION,
                      CNC_LINEAGE_LAYOUT_BY_OPERATION,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0, G_MAXDOUBLE, 1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_MINIMAP] =
    g_param_spec_boolean ("show-minimap", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_MODEL_ACTIVATED] =
    g_signal_new ("model-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  _cnc_map_view_class_add_actions (widget_class);
  gtk_widget_class_set_css_name (widget_class, "cncmapview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cnc_map_view_init (CncMapView *self)
{
  GtkEventController *controller;

  self->mode = CNC_LINEAGE_LAYOUT_BY_OPERATION;
  self->show_minimap = TRUE;
  self->focus = CNC_MODEL_NONE;
  self->zoom = 1;
  self->fitted = TRUE;
  self->last_w = self->last_h = -1;
  self->collapsed_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  _cnc_map_view_add_zoom_controllers (self);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (on_key_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect (self, "notify::has-focus", G_CALLBACK (on_focus_changed), NULL);
}
