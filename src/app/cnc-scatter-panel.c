/* cnc-scatter-panel.c
 * The scatterplot panel: the scatter view with its axis choices (metric, log scale) and the Pareto switch.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-scatter-panel.h"

#include "cnc-application.h"
#include "cnc-metric-dropdown.h"
#include "widgets/cnc-scatter-view.h"

struct _CncScatterPanel
{
  GtkWidget        parent_instance;

  GtkWidget       *box;
  GtkWidget       *toolbar;
  GtkDropDown     *x_dropdown;
  GtkToggleButton *x_log_button;
  GtkDropDown     *y_dropdown;
  GtkToggleButton *y_log_button;
  GtkToggleButton *pareto_button;

  CncModelSet     *set;
  GtkWidget       *view;
  gboolean         user_chose;   /* the user picked the axes: keep them */
};

G_DEFINE_FINAL_TYPE (CncScatterPanel, cnc_scatter_panel, GTK_TYPE_WIDGET)

static void
sync_from_view (CncScatterPanel *self)
{
  CncScatterView *view = CNC_SCATTER_VIEW (self->view);

  cnc_metric_dropdown_set (self->x_dropdown, cnc_scatter_view_get_x_metric (view));
  cnc_metric_dropdown_set (self->y_dropdown, cnc_scatter_view_get_y_metric (view));
}

/* Until the user picks: accuracy up the side, size (else latency, else parameters) along the bottom,
 * among the metrics some model has a value for. */
static void
choose_default_axes (CncScatterPanel *self)
{
  static const char * const x_words[] = { "size", "latency", "parameters" };
  guint n = cnc_model_set_get_n_metrics (self->set);
  int x = -1, y = -1;

  if (self->user_chose)
    return;
  for (guint w = 0; w < G_N_ELEMENTS (x_words) && x < 0; w++)
    for (guint m = 0; m < n && x < 0; m++)
      {
        g_autofree char *lower = g_ascii_strdown (cnc_model_set_get_metric (self->set, m)->name, -1);
        double lo, hi;

        if (strstr (lower, x_words[w]) && cnc_model_set_get_range (self->set, m, &lo, &hi))
          x = m;
      }
  for (guint m = 0; m < n && y < 0; m++)
    {
      g_autofree char *lower = g_ascii_strdown (cnc_model_set_get_metric (self->set, m)->name, -1);
      double lo, hi;

      if (strstr (lower, "accuracy") && cnc_model_set_get_range (self->set, m, &lo, &hi))
        y = m;
    }
  if (x >= 0 && x != cnc_scatter_view_get_x_metric (CNC_SCATTER_VIEW (self->view)))
    cnc_scatter_view_set_x_metric (CNC_SCATTER_VIEW (self->view), x);
  if (y >= 0 && y != cnc_scatter_view_get_y_metric (CNC_SCATTER_VIEW (self->view)))
    cnc_scatter_view_set_y_metric (CNC_SCATTER_VIEW (self->view), y);
}

void
cnc_scatter_panel_set_axes (CncScatterPanel *self,
                            int              x_metric,
                            int              y_metric)
{
  g_return_if_fail (CNC_IS_SCATTER_PANEL (self));

  /* As if picked in the dropdowns: kept across reloads. */
  self->user_chose = TRUE;
  cnc_scatter_view_set_x_metric (CNC_SCATTER_VIEW (self->view), x_metric);
  cnc_scatter_view_set_y_metric (CNC_SCATTER_VIEW (self->view), y_metric);
}

static void
on_set_changed (CncModelSet     *set,
                CncScatterPanel *self)
{
  cnc_metric_dropdown_fill (self->x_dropdown, set, FALSE);
  cnc_metric_dropdown_fill (self->y_dropdown, set, FALSE);
  choose_default_axes (self);
  sync_from_view (self);
}

static void
on_axis_selected (GtkDropDown     *dropdown,
                  GParamSpec      *pspec,
                  CncScatterPanel *self)
{
  int metric = cnc_metric_dropdown_get (dropdown);

  if (metric < 0)
    return;
  if (metric != (dropdown == self->x_dropdown ? cnc_scatter_view_get_x_metric (CNC_SCATTER_VIEW (self->view))
                                              : cnc_scatter_view_get_y_metric (CNC_SCATTER_VIEW (self->view))))
    self->user_chose = TRUE;
  if (dropdown == self->x_dropdown)
    cnc_scatter_view_set_x_metric (CNC_SCATTER_VIEW (self->view), metric);
  else
    cnc_scatter_view_set_y_metric (CNC_SCATTER_VIEW (self->view), metric);
}

static void
on_toggled (GtkToggleButton *button,
            CncScatterPanel *self)
{
  CncScatterView *view = CNC_SCATTER_VIEW (self->view);
  gboolean active = gtk_toggle_button_get_active (button);

  if (button == self->x_log_button)
    cnc_scatter_view_set_x_log (view, active);
  else if (button == self->y_log_button)
    cnc_scatter_view_set_y_log (view, active);
  else
    cnc_scatter_view_set_show_pareto (view, active);
}

static void
cnc_scatter_panel_dispose (GObject *object)
{
  CncScatterPanel *self = CNC_SCATTER_PANEL (object);

  if (self->set)
    g_signal_handlers_disconnect_by_data (self->set, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_SCATTER_PANEL);
  G_OBJECT_CLASS (cnc_scatter_panel_parent_class)->dispose (object);
}

static void
cnc_scatter_panel_finalize (GObject *object)
{
  CncScatterPanel *self = CNC_SCATTER_PANEL (object);

  g_clear_object (&self->set);
  G_OBJECT_CLASS (cnc_scatter_panel_parent_class)->finalize (object);
}

static void
cnc_scatter_panel_class_init (CncScatterPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_scatter_panel_dispose;
  object_class->finalize = cnc_scatter_panel_finalize;

  cnc_application_ensure_ui ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cncscatterpanel");
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-scatter-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CncScatterPanel, box);
  gtk_widget_class_bind_template_child (widget_class, CncScatterPanel, toolbar);
  gtk_widget_class_bind_template_child (widget_class, CncScatterPanel, x_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncScatterPanel, x_log_button);
  gtk_widget_class_bind_template_child (widget_class, CncScatterPanel, y_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncScatterPanel, y_log_button);
  gtk_widget_class_bind_template_child (widget_class, CncScatterPanel, pareto_button);
}

static void
cnc_scatter_panel_init (CncScatterPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The toolbar wraps when the panel is narrow; its cells are layout, not focus stops. */
  for (GtkWidget *cell = gtk_widget_get_first_child (self->toolbar); cell; cell = gtk_widget_get_next_sibling (cell))
    gtk_widget_set_focusable (cell, FALSE);
  cnc_metric_dropdown_init (self->x_dropdown);
  cnc_metric_dropdown_init (self->y_dropdown);
}

GtkWidget *
cnc_scatter_panel_new (CncModelSet *set)
{
  CncScatterPanel *self;

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);

  self = g_object_new (CNC_TYPE_SCATTER_PANEL, NULL);
  self->set = g_object_ref (set);
  self->view = cnc_scatter_view_new (set);
  gtk_widget_set_vexpand (self->view, TRUE);
  gtk_widget_set_hexpand (self->view, TRUE);
  gtk_box_append (GTK_BOX (self->box), self->view);

  /* After the view's own handler: it picks its default axes on "changed". */
  g_signal_connect_after (set, "changed", G_CALLBACK (on_set_changed), self);
  g_signal_connect_swapped (self->view, "notify::x-metric", G_CALLBACK (sync_from_view), self);
  g_signal_connect_swapped (self->view, "notify::y-metric", G_CALLBACK (sync_from_view), self);
  g_signal_connect (self->x_dropdown, "notify::selected", G_CALLBACK (on_axis_selected), self);
  g_signal_connect (self->y_dropdown, "notify::selected", G_CALLBACK (on_axis_selected), self);
  g_signal_connect (self->x_log_button, "toggled", G_CALLBACK (on_toggled), self);
  g_signal_connect (self->y_log_button, "toggled", G_CALLBACK (on_toggled), self);
  g_signal_connect (self->pareto_button, "toggled", G_CALLBACK (on_toggled), self);
  on_set_changed (set, self);
  return GTK_WIDGET (self);
}

GtkWidget *
cnc_scatter_panel_get_view (CncScatterPanel *self)
{
  g_return_val_if_fail (CNC_IS_SCATTER_PANEL (self), NULL);
  return self->view;
}
