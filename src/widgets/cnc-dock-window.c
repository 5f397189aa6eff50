/* cnc-dock-window.c
 * The dock's detached windows: a panel dropped outside the main window or moved to "window" gets a window of its
 * own; closing it brings its panels back where they were docked.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dock"

#include "cnc-dock-private.h"

static void
destroy_window_cb (gpointer data)
{
  gtk_window_destroy (data);
  g_object_unref (data);
}

static void
on_window_notebook_removed (GtkNotebook *notebook,
                            GtkWidget   *child,
                            guint        page_num,
                            CncDock     *self)
{
  GtkWindow *window = g_object_get_data (G_OBJECT (notebook), "cnc-dock-window");

  if (gtk_notebook_get_n_pages (notebook) == 0 && window)
    {
      /* An empty notebook's tab strip would measure below zero. */
      gtk_notebook_set_show_tabs (notebook, FALSE);
      /* Not from inside the notebook's own signal: close on the next turn. */
      g_object_set_data (G_OBJECT (notebook), "cnc-dock-window", NULL);
      self->windows = g_list_remove (self->windows, window);
      g_idle_add_once (destroy_window_cb, g_object_ref (window));
    }
  _cnc_dock_queue_sync (self);
}

static void
on_window_notebook_added (GtkNotebook *notebook,
                          GtkWidget   *child,
                          guint        page_num,
                          CncDock     *self)
{
  GtkWindow *window = g_object_get_data (G_OBJECT (notebook), "cnc-dock-window");
  CncDockPanel *panel = _cnc_dock_find_panel_by_child (self, child);

  if (window && panel)
    gtk_window_set_title (window, panel->title);
  _cnc_dock_queue_sync (self);
}

static gboolean
on_window_close_request (GtkWindow *window,
                         CncDock   *self)
{
  GtkNotebook *notebook = GTK_NOTEBOOK (gtk_window_get_child (window));

  /* Its panels go back where they were docked. */
  while (gtk_notebook_get_n_pages (notebook) > 0)
    {
      CncDockPanel *panel = _cnc_dock_find_panel_by_child (self, gtk_notebook_get_nth_page (notebook, 0));

      if (panel == NULL)
        {
          gtk_notebook_remove_page (notebook, 0);
          continue;
        }
      cnc_dock_move_panel (self, panel->id, panel->home_position, panel->home_frame);
    }
  /* The emptied notebook has queued the window's destruction already. */
  if (g_list_find (self->windows, window) == NULL)
    return TRUE;
  self->windows = g_list_remove (self->windows, window);
  return FALSE;
}

GtkNotebook *
_cnc_dock_new_window (CncDock *self,
                      int      width,
                      int      height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkNotebook *notebook = cnc_dock_notebook_new ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_widget_add_css_class (GTK_WIDGET (window), "cnc-dock-window");
  gtk_window_set_default_size (window, MAX (width, 360), MAX (height, 280));
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (window, GTK_WINDOW (root));
      gtk_window_set_application (window, gtk_window_get_application (GTK_WINDOW (root)));
      /* Panels in the window keep reaching the main window's actions. */
      if (G_IS_ACTION_GROUP (root))
        gtk_widget_insert_action_group (GTK_WIDGET (window), "win", G_ACTION_GROUP (root));
    }
  gtk_widget_insert_action_group (GTK_WIDGET (window), "dock", G_ACTION_GROUP (self->actions));
  g_object_set_data (G_OBJECT (notebook), "cnc-dock-window", window);
  g_signal_connect (notebook, "page-removed", G_CALLBACK (on_window_notebook_removed), self);
  g_signal_connect (notebook, "page-added", G_CALLBACK (on_window_notebook_added), self);
  g_signal_connect (notebook, "create-window", G_CALLBACK (_cnc_dock_on_create_window), self);
  gtk_window_set_child (window, GTK_WIDGET (notebook));
  g_signal_connect (window, "close-request", G_CALLBACK (on_window_close_request), self);
  self->windows = g_list_append (self->windows, window);
  gtk_window_present (window);
  return notebook;
}

GtkNotebook *
_cnc_dock_on_create_window (GtkNotebook *notebook,
                            GtkWidget   *page,
                            CncDock     *self)
{
  _cnc_dock_set_dragging (self, FALSE);
  return _cnc_dock_new_window (self, gtk_widget_get_width (page), gtk_widget_get_height (page) + 40);
}

void
_cnc_dock_empty_windows (CncDock *self)
{
  /* Take every panel out of detached windows; the windows close when their notebook empties. */
  for (guint i = 0; i < self->panels->len; i++)
    {
      CncDockPanel *panel = g_ptr_array_index (self->panels, i);

      if (_cnc_dock_panel_position (panel, NULL) == CNC_DOCK_DETACHED)
        _cnc_dock_panel_take_out (panel);
    }
}

void
_cnc_dock_destroy_windows (CncDock *self)
{
  while (self->windows)
    {
      GtkWindow *window = self->windows->data;
      GtkWidget *notebook = gtk_window_get_child (window);

      self->windows = g_list_delete_link (self->windows, self->windows);
      if (notebook)
        g_signal_handlers_disconnect_by_data (notebook, self);
      g_signal_handlers_disconnect_by_data (window, self);
      gtk_window_destroy (window);
    }
}
