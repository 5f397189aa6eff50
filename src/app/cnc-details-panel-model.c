/* cnc-details-panel-model.c
 * The details panel's page for one model: what it was made from, its metrics against its parent, its notes and
 * tags (saved in threads as they are edited), its file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-details-panel-private.h"

#include <math.h>

#include "session/cnc-registry-task.h"
#include "core/analysis/cnc-metric-format.h"

#define NOTES_SAVE_DELAY_MS 800

typedef struct {
  char     *name;
  char     *notes;
  GStrv     tags;
  gboolean  remove;
} Edit;

/* ---------------------------------------------------------------- notes and tags (saved in threads) */

static void
edit_free (Edit *edit)
{
  g_free (edit->name);
  g_free (edit->notes);
  g_strfreev (edit->tags);
  g_free (edit);
}

static gboolean
edit_job (CncWorkspace    *workspace,
          gpointer         data,
          gpointer        *result_out,
          GDestroyNotify  *result_free,
          GCancellable    *cancellable,
          GError         **error)
{
  Edit *edit = data;
  gboolean ok;

  if (!cnc_workspace_begin (workspace, error))
    return FALSE;
  if (edit->notes)
    ok = cnc_workspace_set_notes (workspace, edit->name, edit->notes, error);
  else if (edit->remove)
    ok = cnc_workspace_remove_tags (workspace, edit->name, (const char * const *) edit->tags, error);
  else
    ok = cnc_workspace_add_tags (workspace, edit->name, (const char * const *) edit->tags, error);
  if (!ok || !cnc_workspace_commit (workspace, error))
    {
      cnc_workspace_rollback (workspace);
      return FALSE;
    }
  return TRUE;
}

/* The end of a save of the notes or tags: TRUE when it went well; else says so under the notes. */
static gboolean
edit_done (CncDetailsPanel *self,
           GAsyncResult    *result,
           const char      *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (cnc_registry_task_finish (result, NULL, &error))
    return TRUE;
  text = g_strdup_printf ("The %s were not saved: %s", what, error->message);
  gtk_label_set_label (self->notes_status, text);
  gtk_widget_add_css_class (GTK_WIDGET (self->notes_status), "error");
  return FALSE;
}

static void
notes_saved (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(CncDetailsPanel) self = data;

  if (self->notes_status != NULL && edit_done (self, result, "notes"))
    gtk_label_set_label (self->notes_status, "Saved");
}

static gboolean
save_notes_cb (gpointer data)
{
  CncDetailsPanel *self = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  GtkTextIter start, end;
  guint index = cnc_model_set_find_id (self->set, self->model_id);
  Edit *edit;

  self->notes_timeout = 0;
  if (index == CNC_MODEL_NONE || _cnc_details_panel_workspace_dir (self) == NULL)
    return G_SOURCE_REMOVE;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  edit = g_new0 (Edit, 1);
  edit->name = g_strdup (cnc_model_set_get_model (self->set, index)->name);
  edit->notes = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_hash_table_insert (self->notes, g_memdup2 (&self->model_id, sizeof (gint64)), g_strdup (edit->notes));
  gtk_label_set_label (self->notes_status, "Saving…");
  gtk_widget_remove_css_class (GTK_WIDGET (self->notes_status), "error");
  cnc_registry_task_run (_cnc_details_panel_workspace_dir (self), CNC_WORKSPACE_OPEN_DEFAULT, edit_job, edit,
                         (GDestroyNotify) edit_free, NULL, notes_saved, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

void
_cnc_details_panel_flush_notes (CncDetailsPanel *self)
{
  if (self->notes_timeout)
    {
      g_clear_handle_id (&self->notes_timeout, g_source_remove);
      save_notes_cb (self);
    }
}

static void
on_notes_changed (GtkTextBuffer   *buffer,
                  CncDetailsPanel *self)
{
  if (self->filling_notes)
    return;
  g_clear_handle_id (&self->notes_timeout, g_source_remove);
  self->notes_timeout = g_timeout_add (NOTES_SAVE_DELAY_MS, save_notes_cb, self);
  gtk_label_set_label (self->notes_status, "Editing…");
}

static void
tags_saved (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(CncDetailsPanel) self = data;

  if (self->notes_status != NULL && edit_done (self, result, "tags"))
    cnc_model_set_reload (self->set);
}

static void
edit_tags (CncDetailsPanel *self,
           const char      *tag,
           gboolean         remove)
{
  guint index = cnc_model_set_find_id (self->set, self->model_id);
  Edit *edit;

  if (index == CNC_MODEL_NONE || _cnc_details_panel_workspace_dir (self) == NULL || tag == NULL || *tag == '\0')
    return;
  edit = g_new0 (Edit, 1);
  edit->name = g_strdup (cnc_model_set_get_model (self->set, index)->name);
  edit->tags = g_new0 (char *, 2);
  edit->tags[0] = g_strdup (tag);
  edit->remove = remove;
  cnc_registry_task_run (_cnc_details_panel_workspace_dir (self), CNC_WORKSPACE_OPEN_DEFAULT, edit_job, edit,
                         (GDestroyNotify) edit_free, NULL, tags_saved, g_object_ref (self));
}

static void
on_tag_activate (GtkEntry        *entry,
                 CncDetailsPanel *self)
{
  g_autofree char *tag = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  edit_tags (self, tag, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
on_tag_icon (GtkEntry             *entry,
             GtkEntryIconPosition  position,
             CncDetailsPanel      *self)
{
  on_tag_activate (entry, self);
}

static void
on_tag_remove (GtkButton       *button,
               CncDetailsPanel *self)
{
  edit_tags (self, g_object_get_data (G_OBJECT (button), "cnc-tag"), TRUE);
}

/* ---------------------------------------------------------------- one model */

static void
on_parent_clicked (GtkButton       *button,
                   CncDetailsPanel *self)
{
  cnc_model_set_select_one (self->set, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "cnc-index")));
}

static GtkWidget *
model_link (CncDetailsPanel *self,
            guint            index)
{
  GtkWidget *button = gtk_button_new_with_label (cnc_model_set_get_model (self->set, index)->name);
  g_autofree char *tip = g_strdup_printf ("Select %s", cnc_model_set_get_model (self->set, index)->name);

  gtk_widget_add_css_class (button, "cnc-chip");
  gtk_widget_set_tooltip_text (button, tip);
  g_object_set_data (G_OBJECT (button), "cnc-index", GUINT_TO_POINTER (index));
  g_signal_connect (button, "clicked", G_CALLBACK (on_parent_clicked), self);
  gtk_label_set_ellipsize (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), PANGO_ELLIPSIZE_MIDDLE);
  return button;
}

static void
add_info (CncDetailsPanel *self,
          int              row,
          const char      *key,
          const char      *value)
{
  GtkWidget *v = _cnc_details_panel_small_label (value, NULL, 0);

  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_widget_set_hexpand (v, TRUE);
  gtk_grid_attach (self->info_grid, _cnc_details_panel_small_label (key, "dim-label", 1), 0, row, 1, 1);
  gtk_grid_attach (self->info_grid, v, 1, row, 1, 1);
}

void
_cnc_details_panel_show_one (CncDetailsPanel *self,
                             guint            index)
{
  const CncModel *model = cnc_model_set_get_model (self->set, index);
  guint parent = cnc_model_set_get_parent (self->set, index);
  guint teacher = cnc_model_set_get_teacher (self->set, index);
  g_autofree char *operation = cnc_model_set_describe_operation (self->set, index);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  const char *notes;
  gboolean same = model->id == self->model_id;
  int row = 0;
  guint n_children = 0;

  if (!same)
    _cnc_details_panel_flush_notes (self);
  self->model_id = model->id;

  gtk_label_set_label (self->name_label, model->label && *model->label ? model->label : model->name);
  gtk_label_set_label (self->operation_label, model->operation ? operation : "A root model (no operation)");

  _cnc_details_panel_clear_box (GTK_WIDGET (self->parents_box));
  if (parent != CNC_MODEL_NONE)
    {
      gtk_box_append (self->parents_box, _cnc_details_panel_small_label ("Derived from", "dim-label", 0));
      gtk_box_append (self->parents_box, model_link (self, parent));
    }
  if (teacher != CNC_MODEL_NONE)
    {
      gtk_box_append (self->parents_box, _cnc_details_panel_small_label ("teacher", "dim-label", 0));
      gtk_box_append (self->parents_box, model_link (self, teacher));
    }
  cnc_model_set_get_children (self->set, index, &n_children);
  if (n_children > 0)
    {
      g_autofree char *text = g_strdup_printf ("%s%u derived model%s", parent != CNC_MODEL_NONE ? "· " : "",
                                               n_children, n_children == 1 ? "" : "s");
      gtk_box_append (self->parents_box, _cnc_details_panel_small_label (text, "dim-label", 0));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->parents_box), gtk_widget_get_first_child (GTK_WIDGET (self->parents_box)) != NULL);

  /* Metrics with their change against the parent, better or worse in each metric's direction. */
  _cnc_details_panel_clear_box (GTK_WIDGET (self->metrics_grid));
  for (guint m = 0; m < cnc_model_set_get_n_metrics (self->set); m++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (self->set, m);
      double value = cnc_model_set_get_value (self->set, index, m);
      g_autofree char *text = NULL;
      GtkWidget *name, *value_label;

      if (isnan (value))
        continue;
      text = cnc_metric_format_value (metric, value);
      name = _cnc_details_panel_small_label (metric->name, metric->primary ? NULL : "dim-label", 0);
      value_label = _cnc_details_panel_small_label (text, "numeric", 1);
      gtk_widget_add_css_class (value_label, "cnc-metric-value");
      gtk_grid_attach (self->metrics_grid, name, 0, row, 1, 1);
      gtk_grid_attach (self->metrics_grid, value_label, 1, row, 1, 1);
      if (parent != CNC_MODEL_NONE)
        {
          double before = cnc_model_set_get_value (self->set, parent, m);
          g_autofree char *change = cnc_metric_format_change (metric, value, before);
          GtkWidget *change_label = _cnc_details_panel_small_label (change, "numeric", 1);

          gtk_widget_add_css_class (change_label, "cnc-change");
          if (!isnan (before) && value != before)
            gtk_widget_add_css_class (change_label, (value > before) == metric->higher_is_better
                                                    ? "cnc-better" : "cnc-worse");
          gtk_grid_attach (self->metrics_grid, change_label, 2, row, 1, 1);
        }
      gtk_widget_set_hexpand (name, TRUE);
      row++;
    }
  if (row == 0)
    gtk_grid_attach (self->metrics_grid,
                     _cnc_details_panel_small_label ("No metric values yet: evaluate the model to measure it.",
                                                     "dim-label", 0),
                     0, 0, 3, 1);

  /* Notes: this session's saved text wins over the (older) loaded one; never reset while editing. */
  if (!same || !gtk_widget_has_focus (GTK_WIDGET (self->notes_view)))
    {
      notes = g_hash_table_lookup (self->notes, &model->id);
      if (notes == NULL)
        notes = model->notes ? model->notes : "";
      self->filling_notes = TRUE;
      gtk_text_buffer_set_text (buffer, notes, -1);
      self->filling_notes = FALSE;
      if (!same)
        {
          gtk_label_set_label (self->notes_status, "Notes are saved as you type");
          gtk_widget_remove_css_class (GTK_WIDGET (self->notes_status), "error");
        }
    }

  _cnc_details_panel_clear_box (GTK_WIDGET (self->tags_box));
  for (guint i = 0; model->tags && model->tags[i]; i++)
    {
      GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
      GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");
      g_autofree char *tip = g_strdup_printf ("Remove the tag “%s”", model->tags[i]);

      gtk_widget_add_css_class (chip, "cnc-tag");
      gtk_box_append (GTK_BOX (chip), gtk_label_new (model->tags[i]));
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "circular");
      gtk_widget_set_tooltip_text (remove, tip);
      g_object_set_data_full (G_OBJECT (remove), "cnc-tag", g_strdup (model->tags[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_tag_remove), self);
      gtk_box_append (GTK_BOX (chip), remove);
      gtk_flow_box_append (self->tags_box, chip);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->tags_box), model->tags && model->tags[0]);

  _cnc_details_panel_clear_box (GTK_WIDGET (self->info_grid));
  row = 0;
  {
    g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (model->created);
    g_autofree char *when = created ? g_date_time_format (created, "%Y-%m-%d %H:%M") : g_strdup ("—");
    g_autofree char *size = model->size > 0 ? g_format_size (model->size) : g_strdup ("—");
    const char *format = g_strcmp0 (model->format, "record") == 0 ? "record (models.json: metrics, no file)"
                         : model->format ? model->format : "—";

    add_info (self, row++, "Format", format);
    if (model->sha256)
      {
        g_autofree char *file = g_strdup_printf ("%s · SHA-256 %.12s…%s", size, model->sha256,
                                                 model->linked ? " · linked, not copied" : "");
        add_info (self, row++, "File", file);
      }
    add_info (self, row++, "Imported", when);
  }

  if (!same)
    _cnc_details_panel_read_layers (self, model->id);
  gtk_stack_set_visible_child_name (self->stack, "one");
}

void
_cnc_details_panel_init_model (CncDetailsPanel *self)
{
  g_signal_connect (gtk_text_view_get_buffer (self->notes_view), "changed", G_CALLBACK (on_notes_changed), self);
  g_signal_connect (self->tag_entry, "activate", G_CALLBACK (on_tag_activate), self);
  g_signal_connect (self->tag_entry, "icon-release", G_CALLBACK (on_tag_icon), self);
}
