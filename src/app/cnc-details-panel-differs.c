/* cnc-details-panel-differs.c
 * The details panel's page for 2-16 models: what tells them apart (worked out in a thread), chips that narrow
 * the selection to one value, and their bars grouped by it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-details-panel-private.h"

#include "session/cnc-registry-task.h"
#include "core/analysis/cnc-differs.h"
#include "core/registry/cnc-workspace-differs.h"
#include "widgets/cnc-bars-view.h"

/* ---------------------------------------------------------------- 2-16 models: what differs */

static gboolean
differs_job (CncWorkspace    *workspace,
             gpointer         data,
             gpointer        *result_out,
             GDestroyNotify  *result_free,
             GCancellable    *cancellable,
             GError         **error)
{
  GArray *ids = data;
  CncDiffers *differs = cnc_differs_compute (workspace, (const gint64 *) ids->data, ids->len, error);

  if (differs == NULL)
    return FALSE;
  *result_out = differs;
  *result_free = (GDestroyNotify) cnc_differs_free;
  return TRUE;
}

static void
on_value_chip_clicked (GtkButton       *button,
                       CncDetailsPanel *self)
{
  GArray *models = g_object_get_data (G_OBJECT (button), "cnc-models");

  cnc_model_set_select (self->set, (const guint *) models->data, models->len, CNC_SELECT_REPLACE);
}

static void
apply_design (CncDetailsPanel *self,
              CncDiffers      *differs)
{
  CncDiffersVariable *group, *series = NULL;
  g_autoptr(GPtrArray) group_labels = g_ptr_array_new ();
  g_autoptr(GPtrArray) series_labels = g_ptr_array_new ();
  guint n = self->differs_models->len;

  if (differs->variables->len == 0)
    {
      cnc_bars_view_clear_design (CNC_BARS_VIEW (self->bars));
      return;
    }
  group = g_ptr_array_index (differs->variables, 0);
  if (differs->variables->len > 1)
    series = g_ptr_array_index (differs->variables, 1);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (group_labels, group->values[group->model_values[i]]);
      if (series)
        g_ptr_array_add (series_labels, series->values[series->model_values[i]]);
    }
  g_ptr_array_add (group_labels, NULL);
  g_ptr_array_add (series_labels, NULL);
  cnc_bars_view_set_design (CNC_BARS_VIEW (self->bars), n, (const guint *) self->differs_models->data,
                            group->name, (const char * const *) group_labels->pdata,
                            series ? series->name : NULL,
                            series ? (const char * const *) series_labels->pdata : NULL);
}

static void
differs_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(CncDetailsPanel) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDiffers) differs = NULL;

  if (!cnc_registry_task_finish (result, (gpointer *) &differs, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->differs_box)
        {
          g_autofree char *text = g_strdup_printf ("What differs could not be worked out: %s", error->message);
          _cnc_details_panel_clear_box (GTK_WIDGET (self->differs_box));
          gtk_box_append (self->differs_box, _cnc_details_panel_small_label (text, "error", 0));
        }
      return;
    }
  if (self->differs_box == NULL || differs->n_models != self->differs_models->len)
    return;

  _cnc_details_panel_clear_box (GTK_WIDGET (self->differs_box));
  if (differs->variables->len == 0)
    gtk_box_append (self->differs_box,
                    _cnc_details_panel_small_label ("These models come from identical lineages: nothing in how "
                                                    "they were made tells them apart.", "dim-label", 0));
  for (guint v = 0; v < differs->variables->len; v++)
    {
      CncDiffersVariable *variable = g_ptr_array_index (differs->variables, v);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *values = gtk_flow_box_new ();
      g_autofree char *title = g_strdup_printf ("%s%s", variable->name,
                                                v == 0 ? " · groups" : v == 1 ? " · colours" : "");

      gtk_widget_add_css_class (row, "cnc-variable");
      gtk_box_append (GTK_BOX (row), _cnc_details_panel_small_label (title, "heading", 0));
      gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (values), GTK_SELECTION_NONE);
      gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (values), 12);
      gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (values), 6);
      gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (values), 6);
      for (guint k = 0; variable->values[k]; k++)
        {
          GArray *models = g_array_new (FALSE, FALSE, sizeof (guint));
          g_autofree char *label = NULL;
          g_autofree char *tip = NULL;
          GtkWidget *chip;

          for (guint i = 0; i < differs->n_models; i++)
            if (variable->model_values[i] == k)
              g_array_append_val (models, g_array_index (self->differs_models, guint, i));
          label = g_strdup_printf ("%s  %u", variable->values[k], models->len);
          tip = g_strdup_printf ("Keep only the %u model%s with %s = %s", models->len, models->len == 1 ? "" : "s",
                                 variable->name, variable->values[k]);
          chip = gtk_button_new_with_label (label);
          gtk_widget_add_css_class (chip, "cnc-chip");
          gtk_widget_set_tooltip_text (chip, tip);
          g_object_set_data_full (G_OBJECT (chip), "cnc-models", models, (GDestroyNotify) g_array_unref);
          g_signal_connect (chip, "clicked", G_CALLBACK (on_value_chip_clicked), self);
          gtk_flow_box_append (GTK_FLOW_BOX (values), chip);
        }
      gtk_box_append (GTK_BOX (row), values);
      gtk_box_append (self->differs_box, row);
    }
  for (guint g = 0; differs->same && g < differs->same->len; g++)
    {
      char **names = g_ptr_array_index (differs->same, g);
      g_autofree char *joined = g_strjoinv (", ", names);
      g_autofree char *text = g_strdup_printf ("Same lineage (repeat runs): %s", joined);

      gtk_box_append (self->differs_box, _cnc_details_panel_small_label (text, "dim-label", 0));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->refine_label), differs->refine);
  apply_design (self, differs);
}

void
_cnc_details_panel_show_many (CncDetailsPanel *self,
                              GArray          *selection)
{
  g_autofree char *title = g_strdup_printf ("What tells these %u models apart", selection->len);
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), selection->len);

  _cnc_details_panel_flush_notes (self);
  self->model_id = 0;
  gtk_label_set_label (self->many_title, title);
  g_clear_pointer (&self->differs_models, g_array_unref);
  self->differs_models = g_array_ref (selection);
  for (guint i = 0; i < selection->len; i++)
    g_array_append_val (ids, cnc_model_set_get_model (self->set, g_array_index (selection, guint, i))->id);

  _cnc_details_panel_clear_box (GTK_WIDGET (self->differs_box));
  gtk_box_append (self->differs_box, _cnc_details_panel_small_label ("Working out what differs…", "dim-label", 0));
  gtk_widget_set_visible (GTK_WIDGET (self->refine_label), FALSE);
  g_cancellable_cancel (self->differs_cancellable);
  g_clear_object (&self->differs_cancellable);
  self->differs_cancellable = g_cancellable_new ();
  if (_cnc_details_panel_workspace_dir (self))
    cnc_registry_task_run (_cnc_details_panel_workspace_dir (self), CNC_WORKSPACE_OPEN_READ_ONLY, differs_job, ids,
                           (GDestroyNotify) g_array_unref, self->differs_cancellable, differs_done,
                           g_object_ref (self));
  else
    g_array_unref (ids);
  gtk_stack_set_visible_child_name (self->stack, "many");
}
