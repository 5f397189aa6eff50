/* cnc-window-dnd.c
 * Dropping model files anywhere on the main window imports them; dropped onto a model of the map, that
 * model becomes their parent.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-window-private.h"

#include "cnc-map-panel.h"
#include "widgets/cnc-map-view.h"

guint
_cnc_window_model_at (CncWindow *self,
                      double     x,
                      double     y)
{
  GtkWidget *map = cnc_map_panel_get_view (CNC_MAP_PANEL (self->map_panel));
  graphene_point_t point;

  if (!self->loaded || map == NULL || !gtk_widget_get_mapped (map))
    return CNC_MODEL_NONE;
  if (!gtk_widget_compute_point (GTK_WIDGET (self), map, &GRAPHENE_POINT_INIT (x, y), &point))
    return CNC_MODEL_NONE;
  if (!gtk_widget_contains (map, point.x, point.y))
    return CNC_MODEL_NONE;
  return cnc_map_view_model_at (CNC_MAP_VIEW (map), point.x, point.y);
}

static void
show_target (CncWindow *self,
             double     x,
             double     y)
{
  guint model = _cnc_window_model_at (self, x, y);

  if (model != CNC_MODEL_NONE)
    {
      g_autofree char *detail = g_strdup_printf ("They become children of %s",
                                                 cnc_model_set_get_model (self->set, model)->name);
      gtk_label_set_label (self->drop_detail_label, detail);
      gtk_widget_add_css_class (GTK_WIDGET (self->drop_revealer), "on-model");
    }
  else
    {
      gtk_label_set_label (self->drop_detail_label,
                           "Drop onto a model on the map to make it their parent");
      gtk_widget_remove_css_class (GTK_WIDGET (self->drop_revealer), "on-model");
    }
  /* The map highlights the would-be parent as it does on hover. */
  if (self->loaded)
    cnc_model_set_set_hovered (self->set, model);
}

static GdkDragAction
on_drop_enter (GtkDropTarget *target,
               double         x,
               double         y,
               CncWindow     *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, TRUE);
  show_target (self, x, y);
  return GDK_ACTION_COPY;
}

static GdkDragAction
on_drop_motion (GtkDropTarget *target,
                double         x,
                double         y,
                CncWindow     *self)
{
  show_target (self, x, y);
  return GDK_ACTION_COPY;
}

static void
on_drop_leave (GtkDropTarget *target,
               CncWindow     *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);
  if (self->loaded)
    cnc_model_set_set_hovered (self->set, CNC_MODEL_NONE);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CncWindow     *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;
  GSList *files;
  guint model;
  guint n_remote = 0;

  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = g_value_get_boxed (value);
  for (GSList *l = files; l; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);

      if (path)
        g_strv_builder_add (builder, path);
      else
        n_remote++;
    }
  paths = g_strv_builder_end (builder);

  if (!self->loaded)
    {
      cnc_window_show_message (self, TRUE, "Wait for the workspace to open before dropping files on it");
      return FALSE;
    }
  if (cnc_workspace_is_read_only (self->workspace))
    {
      cnc_window_show_message (self, TRUE, "The workspace is read-only: models cannot be imported into it");
      return FALSE;
    }
  if (self->busy)
    {
      cnc_window_show_message (self, TRUE, "An import is already open: finish it before dropping more files");
      return FALSE;
    }
  if (paths[0] == NULL)
    {
      cnc_window_show_message (self, TRUE, "Only local files can be imported (%u dropped file%s had no local path)",
                               n_remote, n_remote == 1 ? "" : "s");
      return FALSE;
    }

  model = _cnc_window_model_at (self, x, y);
  cnc_model_set_set_hovered (self->set, CNC_MODEL_NONE);
  cnc_window_import_paths (self, (const char * const *) paths,
                           model != CNC_MODEL_NONE ? cnc_model_set_get_model (self->set, model)->name : NULL);
  return TRUE;
}

void
_cnc_window_setup_dnd (CncWindow *self)
{
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "enter", G_CALLBACK (on_drop_enter), self);
  g_signal_connect (self->drop_target, "motion", G_CALLBACK (on_drop_motion), self);
  g_signal_connect (self->drop_target, "leave", G_CALLBACK (on_drop_leave), self);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drop_target));
}

GtkDropTarget *
_cnc_window_get_drop_target (CncWindow *self)
{
  g_return_val_if_fail (CNC_IS_WINDOW (self), NULL);
  return self->drop_target;
}
