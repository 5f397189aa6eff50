/* cnc-details-panel.c
 * Selection details: one model's details, notes, tags and layers; or what differs between 2–16 models.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-details-panel-private.h"

#include "cnc-application.h"
#include "core/analysis/cnc-differs.h"
#include "widgets/cnc-bars-view.h"

G_DEFINE_FINAL_TYPE (CncDetailsPanel, cnc_details_panel, GTK_TYPE_WIDGET)

const char *
_cnc_details_panel_workspace_dir (CncDetailsPanel *self)
{
  CncWorkspace *workspace = cnc_model_set_get_workspace (self->set);

  return workspace ? cnc_workspace_get_path (workspace) : NULL;
}

void
_cnc_details_panel_clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)))
    {
      if (GTK_IS_BOX (box))
        gtk_box_remove (GTK_BOX (box), child);
      else if (GTK_IS_GRID (box))
        gtk_grid_remove (GTK_GRID (box), child);
      else if (GTK_IS_FLOW_BOX (box))
        gtk_flow_box_remove (GTK_FLOW_BOX (box), child);
      else
        gtk_widget_unparent (child);
    }
}

GtkWidget *
_cnc_details_panel_small_label (const char *text,
                                const char *css_class,
                                float       xalign)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
show_hint (CncDetailsPanel *self,
           const char      *title,
           const char      *detail)
{
  _cnc_details_panel_flush_notes (self);
  self->model_id = 0;
  gtk_label_set_label (self->hint_title, title);
  gtk_label_set_label (self->hint_detail, detail);
  gtk_stack_set_visible_child_name (self->stack, "hint");
}

static void
update (CncDetailsPanel *self)
{
  g_autoptr(GArray) selection = cnc_model_set_get_selection (self->set);

  if (selection->len == 0)
    show_hint (self, "Nothing selected",
               cnc_model_set_get_n_models (self->set) == 0
               ? "Import models to see their details here."
               : "Select a model on the map, in the table or in the scatterplot to see its details; select 2 to 16 to compare them.");
  else if (selection->len == 1)
    _cnc_details_panel_show_one (self, g_array_index (selection, guint, 0));
  else if (selection->len <= CNC_DIFFERS_MAX_MODELS)
    _cnc_details_panel_show_many (self, selection);
  else
    {
      g_autofree char *title = g_strdup_printf ("%u models selected", selection->len);
      show_hint (self, title, "Select 2 to 16 models to compare them: narrow the selection on the map, "
                              "in the scatterplot or in the table.");
    }
}

static void
cnc_details_panel_dispose (GObject *object)
{
  CncDetailsPanel *self = CNC_DETAILS_PANEL (object);

  if (self->notes_view)
    _cnc_details_panel_flush_notes (self);
  if (self->set)
    g_signal_handlers_disconnect_by_data (self->set, self);
  g_cancellable_cancel (self->layers_cancellable);
  g_cancellable_cancel (self->differs_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_DETAILS_PANEL);
  G_OBJECT_CLASS (cnc_details_panel_parent_class)->dispose (object);
}

static void
cnc_details_panel_finalize (GObject *object)
{
  CncDetailsPanel *self = CNC_DETAILS_PANEL (object);

  g_clear_object (&self->set);
  g_clear_object (&self->layers);
  g_clear_object (&self->layers_cancellable);
  g_clear_object (&self->differs_cancellable);
  g_clear_pointer (&self->notes, g_hash_table_unref);
  g_clear_pointer (&self->differs_models, g_array_unref);
  cnc_chart_loss_clear (&self->loss);
  G_OBJECT_CLASS (cnc_details_panel_parent_class)->finalize (object);
}

static void
cnc_details_panel_class_init (CncDetailsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_details_panel_dispose;
  object_class->finalize = cnc_details_panel_finalize;

  cnc_application_ensure_ui ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cncdetailspanel");
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-details-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, hint_title);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, hint_detail);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, one_box);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, name_label);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, operation_label);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, parents_box);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, metrics_grid);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, notes_view);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, notes_status);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, tags_box);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, tag_entry);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, info_grid);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, loss_heading);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, loss_area);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, layers_heading);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, layers_stack);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, layers_view);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, layers_message);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, many_box);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, many_title);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, differs_box);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, refine_label);
  gtk_widget_class_bind_template_child (widget_class, CncDetailsPanel, bars_box);
}

static void
cnc_details_panel_init (CncDetailsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->notes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  _cnc_details_panel_init_layers (self);
  _cnc_details_panel_init_model (self);
}

GtkWidget *
cnc_details_panel_new (CncModelSet *set)
{
  CncDetailsPanel *self;

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);

  self = g_object_new (CNC_TYPE_DETAILS_PANEL, NULL);
  self->set = g_object_ref (set);
  self->bars = cnc_bars_view_new (set);
  gtk_widget_set_vexpand (self->bars, TRUE);
  gtk_box_append (self->bars_box, self->bars);
  /* After the bars view's own handler (it drops its design when the selection changes). */
  g_signal_connect_swapped (set, "selection-changed", G_CALLBACK (update), self);
  g_signal_connect_swapped (set, "changed", G_CALLBACK (update), self);
  update (self);
  return GTK_WIDGET (self);
}
