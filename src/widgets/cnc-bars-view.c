/* cnc-bars-view.c
 * Grouped bar charts comparing 2–16 selected models: one chart per primary metric, bars grouped by the
 * experiment variables that tell the models apart ("what differs").
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-bars-view"

#include "cnc-bars-view.h"

#include <math.h>

#include "charts/cnc-chart-bars.h"
#include "core/registry/cnc-workspace-differs.h"
#include "cnc-widget-util.h"

#define GAP 14.0

struct _CncBarsView
{
  CncChartView     parent_instance;

  GCancellable    *cancellable;
  CncDiffers      *differs;
  char            *differs_error;
  int              group_var, series_var;

  /* the design: per bar (= selected model) */
  GArray          *models;        /* guint model indices */
  CncChartBarsDesign design;
  gboolean         manual;

  GArray          *metrics;       /* guint; NULL: primary */
  GArray          *charts;        /* per chart: CncChartBarRect[n_bars] flattened */
};

G_DEFINE_FINAL_TYPE (CncBarsView, cnc_bars_view, CNC_TYPE_CHART_VIEW)

enum {
  SIGNAL_DIFFERS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static CncModelSet *
model_set (CncBarsView *self)
{
  return cnc_chart_view_get_model_set (CNC_CHART_VIEW (self));
}

static void
clear_design (CncBarsView *self)
{
  cnc_chart_bars_design_clear (&self->design);
  self->design.group_labels = g_ptr_array_new_with_free_func (g_free);
  self->design.series_labels = g_ptr_array_new_with_free_func (g_free);
  g_array_set_size (self->models, 0);
  self->manual = FALSE;
}

static gboolean
selection_ok (CncBarsView *self)
{
  guint n = cnc_model_set_get_n_selected (model_set (self));
  return n >= CNC_DIFFERS_MIN_MODELS && n <= CNC_DIFFERS_MAX_MODELS;
}

static int
intern_label (GPtrArray *labels, const char *label)
{
  for (guint k = 0; k < labels->len; k++)
    if (g_str_equal (g_ptr_array_index (labels, k), label))
      return k;
  g_ptr_array_add (labels, g_strdup (label));
  return labels->len - 1;
}

/* A design given as labels per model (each model its own group when @group_labels is NULL). */
static void
set_design_labels (CncBarsView        *self,
                   guint               n,
                   const guint        *models,
                   const char         *group_title,
                   const char * const *group_labels,
                   const char         *series_title,
                   const char * const *series_labels)
{
  CncChartBarsDesign *d = &self->design;

  clear_design (self);
  g_array_append_vals (self->models, models, n);
  d->n_models = n;
  d->group = g_new0 (guint, MAX (n, 1));
  d->series = g_new0 (guint, MAX (n, 1));
  d->group_title = g_strdup (group_title);
  d->series_title = g_strdup (series_title);
  for (guint j = 0; j < n; j++)
    {
      const CncModel *m = cnc_model_set_get_model (model_set (self), models[j]);
      const char *name = m->label && *m->label ? m->label : m->name;

      d->group[j] = intern_label (d->group_labels, group_labels ? group_labels[j] : name);
      if (series_labels)
        d->series[j] = intern_label (d->series_labels, series_labels[j]);
    }
}

/* Each model its own group, named. */
static void
design_by_name (CncBarsView *self)
{
  g_autoptr(GArray) sel = cnc_model_set_get_selection (model_set (self));

  set_design_labels (self, sel->len, (const guint *) sel->data, NULL, NULL, NULL, NULL);
}

/* Groups and series from the differs' variables (values in the variable's own order). */
static void
design_from_differs (CncBarsView *self)
{
  CncDiffers *d = self->differs;
  g_autoptr(GArray) models = g_array_new (FALSE, FALSE, sizeof (guint));

  if (d == NULL)
    {
      design_by_name (self);
      return;
    }
  for (guint j = 0; j < d->n_models; j++)
    {
      guint i = cnc_model_set_find_id (model_set (self), d->models[j]);
      if (i == CNC_MODEL_NONE)
        {
          design_by_name (self);
          return;
        }
      g_array_append_val (models, i);
    }
  clear_design (self);
  g_array_append_vals (self->models, models->data, models->len);
  cnc_chart_bars_design_from_differs (&self->design, d, self->group_var, self->series_var);
}

/* ---- differs in a worker thread ------------------------------------------------------------------------------- */

typedef struct {
  char   *path;
  GArray *ids;   /* gint64 */
} DiffersJob;

static void
differs_job_free (DiffersJob *job)
{
  g_free (job->path);
  g_array_unref (job->ids);
  g_free (job);
}

static void
differs_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DiffersJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = cnc_workspace_open (job->path, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  CncDiffers *d;

  if (ws == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  d = cnc_differs_compute (ws, (const gint64 *) job->ids->data, job->ids->len, &error);
  if (d == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, d, (GDestroyNotify) cnc_differs_free);
}

static void
differs_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CncBarsView *self = CNC_BARS_VIEW (source);
  g_autoptr(GError) error = NULL;
  CncDiffers *d = g_task_propagate_pointer (G_TASK (result), &error);

  if (d == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->differs, cnc_differs_free);
  g_clear_pointer (&self->differs_error, g_free);
  self->differs = d;
  if (d == NULL)
    self->differs_error = g_strdup (error->message);
  self->group_var = d && d->variables->len > 0 ? 0 : -1;
  self->series_var = d && d->variables->len > 1 ? 1 : -1;
  if (!self->manual)
    design_from_differs (self);
  g_signal_emit (self, signals[SIGNAL_DIFFERS_CHANGED], 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
cnc_bars_view_selection_changed (CncChartView *view)
{
  CncBarsView *self = CNC_BARS_VIEW (view);
  g_autoptr(GTask) task = NULL;
  DiffersJob *job;
  g_autoptr(GArray) sel = NULL;
  gboolean had = self->differs != NULL;

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->differs, cnc_differs_free);
  g_clear_pointer (&self->differs_error, g_free);
  clear_design (self);
  if (!selection_ok (self))
    {
      if (had)
        g_signal_emit (self, signals[SIGNAL_DIFFERS_CHANGED], 0);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      return;
    }
  /* bars by name at once; grouped when the differs arrive */
  design_by_name (self);
  if (had)
    g_signal_emit (self, signals[SIGNAL_DIFFERS_CHANGED], 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  if (cnc_model_set_get_workspace (model_set (self)) == NULL)
    return;

  sel = cnc_model_set_get_selection (model_set (self));
  job = g_new0 (DiffersJob, 1);
  job->path = g_strdup (cnc_workspace_get_path (cnc_model_set_get_workspace (model_set (self))));
  job->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint j = 0; j < sel->len; j++)
    g_array_append_val (job->ids, cnc_model_set_get_model (model_set (self), g_array_index (sel, guint, j))->id);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, differs_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) differs_job_free);
  g_task_run_in_thread (task, differs_thread);
}

/* ---- drawing -------------------------------------------------------------------------------------------------- */

static GArray *
chart_metrics (CncBarsView *self)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  if (self->metrics)
    {
      for (guint k = 0; k < self->metrics->len; k++)
        if (g_array_index (self->metrics, guint, k) < cnc_model_set_get_n_metrics (model_set (self)))
          g_array_append_val (out, g_array_index (self->metrics, guint, k));
      return out;
    }
  for (guint k = 0; k < cnc_model_set_get_n_metrics (model_set (self)); k++)
    if (cnc_model_set_get_metric (model_set (self), k)->primary)
      g_array_append_val (out, k);
  return out;
}

/* The bar under the pointer, or G_MAXUINT. */
static guint
hovered_bar (CncBarsView *self)
{
  guint item = cnc_chart_view_get_pointer_item (CNC_CHART_VIEW (self));

  for (guint j = 0; item != CNC_MODEL_NONE && j < self->models->len; j++)
    if (g_array_index (self->models, guint, j) == item)
      return j;
  return G_MAXUINT;
}

static void
fill_chart (CncBarsView *self, guint metric, CncChartBarsData *d, double *values, guint8 *selected)
{
  guint n = self->models->len;

  for (guint j = 0; j < n; j++)
    {
      guint i = g_array_index (self->models, guint, j);
      values[j] = cnc_model_set_get_value (model_set (self), i, metric);
      selected[j] = FALSE;
    }
  cnc_chart_bars_design_apply (&self->design, d);
  d->metric = cnc_model_set_get_metric (model_set (self), metric);
  d->n_bars = n;
  d->values = values;
  d->selected = NULL;
  d->hovered = hovered_bar (self);
}

/* Header text: the count, and the hint or note. */
static char *
header_text (CncBarsView *self)
{
  guint n = cnc_model_set_get_n_selected (model_set (self));

  if (n < CNC_DIFFERS_MIN_MODELS)
    return g_strdup_printf ("Select 2 to 16 models to compare them (%u selected)", n);
  if (n > CNC_DIFFERS_MAX_MODELS)
    return g_strdup_printf ("%u models selected: select at most 16 to compare them", n);
  if (self->differs_error)
    return g_strdup_printf ("%u models selected (could not tell what differs: %s)", n, self->differs_error);
  if (self->differs && self->differs->variables->len == 0)
    return g_strdup_printf ("%u models selected: their lineages are the same", n);
  if (self->differs && self->differs->refine)
    return g_strdup_printf ("%u models selected: they differ in %u ways; the bars use the first two",
                            n, self->differs->variables->len);
  return g_strdup_printf ("%u models selected", n);
}

static double
layout_height (CncBarsView *self, cairo_t *cr, const CncChartStyle *style, double width)
{
  g_autoptr(GArray) metrics = chart_metrics (self);
  double th, h;

  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &th);
  h = 8 + th + 8;
  if (!selection_ok (self))
    return h;
  if (self->design.series_labels->len > 1)
    h += th + 10;
  for (guint k = 0; k < metrics->len; k++)
    {
      CncChartBarsData d = { 0 };
      d.group_title = self->design.group_title;
      h += cnc_chart_bars_height (cr, style, &d) + GAP;
    }
  return h;
}

/* Everything, every frame: the bar under the pointer is drawn lighter, and the charts' places are kept for
 * hit tests. */
static void
cnc_bars_view_draw_motion (CncChartView *view, cairo_t *cr, const CncChartStyle *style, int w, int h)
{
  CncBarsView *self = CNC_BARS_VIEW (view);
  g_autoptr(GArray) metrics = chart_metrics (self);
  g_autofree char *header = header_text (self);
  g_autofree double *values = g_new (double, MAX (self->models->len, 1));
  g_autofree guint8 *selected = g_new0 (guint8, MAX (self->models->len, 1));
  double th, y = 8;

  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &th);
  {
    g_autofree char *fit = cnc_chart_text_fit (cr, style, header, w - 16, CNC_CHART_TEXT_BOLD);
    cnc_colormap_set_source (cr, selection_ok (self) ? style->foreground : style->muted, 1);
    cnc_chart_text (cr, style, fit, 8, y, 0, 0, selection_ok (self) ? CNC_CHART_TEXT_BOLD : CNC_CHART_TEXT_NORMAL);
  }
  y += th + 8;
  g_array_set_size (self->charts, 0);
  if (selection_ok (self) && self->models->len > 0)
    {
      CncChartBarsData d = { 0 };

      cnc_chart_bars_design_apply (&self->design, &d);
      if (self->design.series_labels->len > 1)
        y += cnc_chart_bars_legend (cr, style, &d, 8, y, w - 16) + 4;
      g_array_set_size (self->charts, metrics->len * self->models->len);
      for (guint k = 0; k < metrics->len; k++)
        {
          double ch;
          fill_chart (self, g_array_index (metrics, guint, k), &d, values, selected);
          ch = cnc_chart_bars_height (cr, style, &d);
          cnc_chart_bars_draw (cr, style, &d, 8, y, w - 16, ch,
                               &g_array_index (self->charts, CncChartBarRect, k * self->models->len));
          y += ch + GAP;
        }
    }
}

static void
cnc_bars_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                       int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  CncBarsView *self = CNC_BARS_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 360;
      return;
    }
  {
    cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create (s);
    CncChartStyle style;

    cnc_widget_chart_style (widget, &style);
    *minimum = *natural = (int) ceil (layout_height (self, cr, &style, for_size));
    cairo_destroy (cr);
    cairo_surface_destroy (s);
  }
}

/* ---- hit tests ------------------------------------------------------------------------------------------------ */

static guint
cnc_bars_view_lookup_item (CncChartView *view, double x, double y)
{
  CncBarsView *self = CNC_BARS_VIEW (view);
  guint n = self->models->len;

  for (guint k = 0; n > 0 && k * n < self->charts->len; k++)
    {
      guint b = cnc_chart_bars_hit (&g_array_index (self->charts, CncChartBarRect, k * n), n, x, y);
      if (b != G_MAXUINT)
        return g_array_index (self->models, guint, b);
    }
  return CNC_MODEL_NONE;
}

/* ---- public API --------------------------------------------------------------------------------------------------- */

GtkWidget *
cnc_bars_view_new (CncModelSet *set)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  return g_object_new (CNC_TYPE_BARS_VIEW, "model-set", set, NULL);
}

void
cnc_bars_view_set_design (CncBarsView        *self,
                          guint               n_models,
                          const guint        *models,
                          const char         *group_title,
                          const char * const *group_labels,
                          const char         *series_title,
                          const char * const *series_labels)
{
  g_return_if_fail (CNC_IS_BARS_VIEW (self));
  g_return_if_fail (n_models == 0 || (models != NULL && group_labels != NULL));

  set_design_labels (self, n_models, models, group_title, group_labels, series_title, series_labels);
  self->manual = TRUE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
cnc_bars_view_clear_design (CncBarsView *self)
{
  g_return_if_fail (CNC_IS_BARS_VIEW (self));
  self->manual = FALSE;
  if (selection_ok (self))
    design_from_differs (self);
  else
    clear_design (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const CncDiffers *
cnc_bars_view_get_differs (CncBarsView *self)
{
  g_return_val_if_fail (CNC_IS_BARS_VIEW (self), NULL);
  return self->differs;
}

void
cnc_bars_view_set_variables (CncBarsView *self, int group_variable, int series_variable)
{
  g_return_if_fail (CNC_IS_BARS_VIEW (self));
  self->group_var = group_variable;
  self->series_var = series_variable;
  self->manual = FALSE;
  if (selection_ok (self))
    design_from_differs (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
cnc_bars_view_set_metrics (CncBarsView *self, const guint *metrics, guint n_metrics)
{
  g_return_if_fail (CNC_IS_BARS_VIEW (self));
  g_clear_pointer (&self->metrics, g_array_unref);
  if (metrics)
    {
      self->metrics = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_vals (self->metrics, metrics, n_metrics);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* ---- GObject ------------------------------------------------------------------------------------------------------ */

static void
cnc_bars_view_dispose (GObject *object)
{
  CncBarsView *self = CNC_BARS_VIEW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (cnc_bars_view_parent_class)->dispose (object);
}

static void
cnc_bars_view_finalize (GObject *object)
{
  CncBarsView *self = CNC_BARS_VIEW (object);

  cnc_chart_bars_design_clear (&self->design);
  g_array_unref (self->models);
  g_array_unref (self->charts);
  g_clear_pointer (&self->metrics, g_array_unref);
  g_clear_pointer (&self->differs, cnc_differs_free);
  g_free (self->differs_error);
  G_OBJECT_CLASS (cnc_bars_view_parent_class)->finalize (object);
}

static void
cnc_bars_view_class_init (CncBarsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  CncChartViewClass *view_class = CNC_CHART_VIEW_CLASS (klass);

  object_class->dispose = cnc_bars_view_dispose;
  object_class->finalize = cnc_bars_view_finalize;
  widget_class->measure = cnc_bars_view_measure;
  /* the bars follow the selection: a new set of models is a new selection */
  view_class->models_changed = cnc_bars_view_selection_changed;
  view_class->selection_changed = cnc_bars_view_selection_changed;
  view_class->draw_motion = cnc_bars_view_draw_motion;
  view_class->lookup_item = cnc_bars_view_lookup_item;
  /* a click on a bar selects its model alone; nothing else selects */
  view_class->flags = 0;

  signals[SIGNAL_DIFFERS_CHANGED] =
    g_signal_new ("differs-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "cncbarsview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cnc_bars_view_init (CncBarsView *self)
{
  self->models = g_array_new (FALSE, FALSE, sizeof (guint));
  self->charts = g_array_new (FALSE, FALSE, sizeof (CncChartBarRect));
  self->design.group_labels = g_ptr_array_new_with_free_func (g_free);
  self->design.series_labels = g_ptr_array_new_with_free_func (g_free);
  self->group_var = self->series_var = -1;
}
