/* cnc-map-panel.c
 * The provenance map panel: the map view with its toolbar (colour, size, layout, selection growth, zoom).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-map-panel.h"

#include "cnc-application.h"
#include "cnc-metric-dropdown.h"
#include "widgets/cnc-map-view.h"

struct _CncMapPanel
{
  GtkWidget        parent_instance;

  GtkWidget       *box;
  GtkWidget       *toolbar;
  GtkDropDown     *color_dropdown;
  GtkDropDown     *size_dropdown;
  GtkOverlay      *overlay;
  GActionGroup    *map_actions;
  GtkWidget       *grow_bar;
  GtkButton       *parents_button;
  GtkButton       *children_button;
  GtkButton       *ancestors_button;
  GtkButton       *descendants_button;

  CncModelSet     *set;
  GtkWidget       *view;
  gboolean         user_chose;      /* the user picked the encodings: keep them */
};

G_DEFINE_FINAL_TYPE (CncMapPanel, cnc_map_panel, GTK_TYPE_WIDGET)

/* Sensible encodings until the user picks: colour by the first primary metric where higher is better
 * (accuracy, once models are evaluated), size by a size metric. */
static void
choose_default_encodings (CncMapPanel *self)
{
  guint n = cnc_model_set_get_n_metrics (self->set);
  int color = -1, size = -1, fallback = -1;

  if (self->user_chose || n == 0)
    return;
  for (guint m = 0; m < n; m++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (self->set, m);
      g_autofree char *lower = g_ascii_strdown (metric->name, -1);
      double lo, hi;

      /* Only metrics some model has a value for. */
      if (!cnc_model_set_get_range (self->set, m, &lo, &hi))
        continue;
      if (color < 0 && metric->higher_is_better && strstr (lower, "accuracy"))
        color = m;
      if (fallback < 0 && metric->higher_is_better && metric->primary)
        fallback = m;
      if (size < 0 && (strstr (lower, "size") || strstr (lower, "parameters")))
        size = m;
    }
  if (color < 0)
    color = fallback;
  if (color >= 0 && color != cnc_model_set_get_color_metric (self->set))
    cnc_model_set_set_color_metric (self->set, color);
  if (size >= 0 && size != cnc_model_set_get_size_metric (self->set))
    cnc_model_set_set_size_metric (self->set, size);
}

static void
sync_encodings (CncMapPanel *self)
{
  cnc_metric_dropdown_set (self->color_dropdown, cnc_model_set_get_color_metric (self->set));
  cnc_metric_dropdown_set (self->size_dropdown, cnc_model_set_get_size_metric (self->set));
}

static void
on_set_changed (CncModelSet *set,
                CncMapPanel *self)
{
  cnc_metric_dropdown_fill (self->color_dropdown, set, TRUE);
  cnc_metric_dropdown_fill (self->size_dropdown, set, TRUE);
  choose_default_encodings (self);
  sync_encodings (self);
}

static void
on_selection_changed (CncModelSet *set,
                      CncMapPanel *self)
{
  gboolean any = cnc_model_set_get_n_selected (set) > 0;
  struct { GtkButton *button; const char *what; } buttons[] = {
    { self->parents_button, "the parents" },
    { self->children_button, "the children" },
    { self->ancestors_button, "every ancestor" },
    { self->descendants_button, "every descendant" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      g_autofree char *tip = any ? g_strdup_printf ("Add %s of the selected models to the selection", buttons[i].what)
                                 : g_strdup_printf ("Select a model first, then add %s", buttons[i].what);
      gtk_widget_set_tooltip_text (GTK_WIDGET (buttons[i].button), tip);
    }
}

static void
on_color_selected (GtkDropDown *dropdown,
                   GParamSpec  *pspec,
                   CncMapPanel *self)
{
  int metric = cnc_metric_dropdown_get (dropdown);

  if (metric >= -1 && metric != cnc_model_set_get_color_metric (self->set))
    {
      self->user_chose = TRUE;
      cnc_model_set_set_color_metric (self->set, metric);
    }
}

static void
on_size_selected (GtkDropDown *dropdown,
                  GParamSpec  *pspec,
                  CncMapPanel *self)
{
  int metric = cnc_metric_dropdown_get (dropdown);

  if (metric >= -1 && metric != cnc_model_set_get_size_metric (self->set))
    {
      self->user_chose = TRUE;
      cnc_model_set_set_size_metric (self->set, metric);
    }
}

/* The dock takes panels out and puts them back (a restored layout moves every one). GTK 4.8 then leaves the
 * buttons inside insensitive to a group inserted within the moved widgets (their actions still run): inserting
 * the group again once the panel has its new root makes them sensitive. */
static void
cnc_map_panel_root (GtkWidget *widget)
{
  CncMapPanel *self = CNC_MAP_PANEL (widget);

  GTK_WIDGET_CLASS (cnc_map_panel_parent_class)->root (widget);
  if (self->map_actions)
    gtk_widget_insert_action_group (GTK_WIDGET (self), "map", self->map_actions);
}

static gboolean
cnc_map_panel_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (CNC_MAP_PANEL (widget)->view);
}

static void
cnc_map_panel_dispose (GObject *object)
{
  CncMapPanel *self = CNC_MAP_PANEL (object);

  if (self->set)
    g_signal_handlers_disconnect_by_data (self->set, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_MAP_PANEL);
  G_OBJECT_CLASS (cnc_map_panel_parent_class)->dispose (object);
}

static void
cnc_map_panel_finalize (GObject *object)
{
  CncMapPanel *self = CNC_MAP_PANEL (object);

  g_clear_object (&self->set);
  g_clear_object (&self->map_actions);
  G_OBJECT_CLASS (cnc_map_panel_parent_class)->finalize (object);
}

static void
cnc_map_panel_class_init (CncMapPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_map_panel_dispose;
  object_class->finalize = cnc_map_panel_finalize;
  widget_class->grab_focus = cnc_map_panel_grab_focus;
  widget_class->root = cnc_map_panel_root;

  cnc_application_ensure_ui ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cncmappanel");
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-map-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, box);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, toolbar);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, color_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, size_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, overlay);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, grow_bar);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, parents_button);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, children_button);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, ancestors_button);
  gtk_widget_class_bind_template_child (widget_class, CncMapPanel, descendants_button);
}

static void
cnc_map_panel_init (CncMapPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The toolbar wraps when the panel is narrow; its cells are layout, not focus stops. */
  for (GtkWidget *cell = gtk_widget_get_first_child (self->toolbar); cell; cell = gtk_widget_get_next_sibling (cell))
    gtk_widget_set_focusable (cell, FALSE);
  cnc_metric_dropdown_init (self->color_dropdown);
  cnc_metric_dropdown_init (self->size_dropdown);
}

GtkWidget *
cnc_map_panel_new (CncModelSet *set)
{
  CncMapPanel *self;

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);

  self = g_object_new (CNC_TYPE_MAP_PANEL, NULL);
  self->set = g_object_ref (set);
  self->view = cnc_map_view_new (set);
  gtk_widget_set_vexpand (self->view, TRUE);
  gtk_widget_set_hexpand (self->view, TRUE);
  gtk_overlay_set_child (self->overlay, self->view);
  /* the zoom buttons over the map name its actions ("map.zoom-in", …) */
  self->map_actions = cnc_chart_view_export_actions (CNC_CHART_VIEW (self->view), "map");
  gtk_widget_insert_action_group (GTK_WIDGET (self), "map", self->map_actions);
  cnc_map_view_set_layout_mode (CNC_MAP_VIEW (self->view), CNC_LINEAGE_LAYOUT_BY_OPERATION);

  g_signal_connect (set, "changed", G_CALLBACK (on_set_changed), self);
  g_signal_connect (set, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (set, "encoding-changed", G_CALLBACK (sync_encodings), self);
  g_signal_connect (self->color_dropdown, "notify::selected", G_CALLBACK (on_color_selected), self);
  g_signal_connect (self->size_dropdown, "notify::selected", G_CALLBACK (on_size_selected), self);
  on_set_changed (set, self);
  on_selection_changed (set, self);
  return GTK_WIDGET (self);
}

GtkWidget *
cnc_map_panel_get_view (CncMapPanel *self)
{
  g_return_val_if_fail (CNC_IS_MAP_PANEL (self), NULL);
  return self->view;
}
