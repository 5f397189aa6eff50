/* cnc-dock-layout.c
 * The dock's layouts: saved as a GVariant (which panel where, area sizes, splits, what is shown), restored,
 * and reset to the defaults.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dock"

#include "cnc-dock-private.h"

static void
put_at_default (CncDock      *self,
                CncDockPanel *panel)
{
  GtkNotebook *notebook = cnc_dock_area_get_notebook (self->areas[panel->default_position], panel->default_frame);

  _cnc_dock_panel_put (panel, notebook, -1);
}

static void
add_notebook_panels (CncDock         *self,
                     GVariantBuilder *panels,
                     GtkNotebook     *notebook,
                     const char      *where,
                     guint            frame)
{
  int current = gtk_notebook_get_current_page (notebook);

  for (int i = 0; i < gtk_notebook_get_n_pages (notebook); i++)
    {
      CncDockPanel *panel = _cnc_dock_find_panel_by_child (self, gtk_notebook_get_nth_page (notebook, i));

      if (panel)
        g_variant_builder_add (panels, "(ssub)", panel->id, where, frame, i == current);
    }
}

GVariant *
cnc_dock_save_layout (CncDock *self)
{
  GVariantBuilder layout, panels, sizes, splits, revealed;
  guint window_number = 0;

  g_return_val_if_fail (CNC_IS_DOCK (self), NULL);

  g_variant_builder_init (&panels, G_VARIANT_TYPE ("a(ssub)"));
  g_variant_builder_init (&sizes, G_VARIANT_TYPE ("a{si}"));
  g_variant_builder_init (&splits, G_VARIANT_TYPE ("a{sd}"));
  g_variant_builder_init (&revealed, G_VARIANT_TYPE ("a{sb}"));
  for (guint a = 0; a < CNC_DOCK_N_AREAS; a++)
    {
      const char *name = cnc_dock_position_name (a);

      for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
        add_notebook_panels (self, &panels, cnc_dock_area_get_notebook (self->areas[a], f), name, f);
      g_variant_builder_add (&splits, "{sd}", name, cnc_dock_area_get_split (self->areas[a]));
      if (a == CNC_DOCK_CENTRE)
        continue;
      g_variant_builder_add (&sizes, "{si}", name, cnc_dock_get_area_size (self, a));
      g_variant_builder_add (&revealed, "{sb}", name, self->revealed[a]);
    }
  for (GList *l = self->windows; l; l = l->next)
    add_notebook_panels (self, &panels, GTK_NOTEBOOK (gtk_window_get_child (l->data)),
                         cnc_dock_position_name (CNC_DOCK_DETACHED), window_number++);
  for (guint i = 0; i < self->panels->len; i++)
    {
      CncDockPanel *panel = g_ptr_array_index (self->panels, i);

      if (_cnc_dock_panel_position (panel, NULL) == CNC_DOCK_CLOSED)
        g_variant_builder_add (&panels, "(ssub)", panel->id, cnc_dock_position_name (CNC_DOCK_CLOSED),
                               0u, FALSE);
    }

  g_variant_builder_init (&layout, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&layout, "{sv}", "version", g_variant_new_uint32 (1));
  g_variant_builder_add (&layout, "{sv}", "panels", g_variant_builder_end (&panels));
  g_variant_builder_add (&layout, "{sv}", "sizes", g_variant_builder_end (&sizes));
  g_variant_builder_add (&layout, "{sv}", "splits", g_variant_builder_end (&splits));
  g_variant_builder_add (&layout, "{sv}", "revealed", g_variant_builder_end (&revealed));
  return g_variant_ref_sink (g_variant_builder_end (&layout));
}

void
_cnc_dock_apply_defaults (CncDock *self)
{
  _cnc_dock_empty_windows (self);
  for (guint i = 0; i < self->panels->len; i++)
    _cnc_dock_panel_take_out (g_ptr_array_index (self->panels, i));
  for (guint i = 0; i < self->panels->len; i++)
    {
      CncDockPanel *panel = g_ptr_array_index (self->panels, i);

      put_at_default (self, panel);
      panel->home_position = panel->default_position;
      panel->home_frame = panel->default_frame;
    }
  for (guint a = 0; a < CNC_DOCK_N_AREAS; a++)
    {
      for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
        gtk_notebook_set_current_page (cnc_dock_area_get_notebook (self->areas[a], f), 0);
      cnc_dock_area_set_split (self->areas[a], self->default_splits[a]);
      self->revealed[a] = TRUE;
      self->sizes[a] = _cnc_dock_default_sizes[a];
      self->size_pending[a] = TRUE;
    }
}

gboolean
cnc_dock_restore_layout (CncDock  *self,
                         GVariant *layout)
{
  g_autoptr(GVariant) panels = NULL;
  g_autoptr(GVariant) sizes = NULL;
  g_autoptr(GVariant) splits = NULL;
  g_autoptr(GVariant) revealed = NULL;
  g_autoptr(GPtrArray) window_notebooks = g_ptr_array_new ();
  g_autoptr(GHashTable) placed = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantIter iter;
  const char *id, *where, *key;
  guint frame;
  gboolean current;
  int size;
  double split;

  g_return_val_if_fail (CNC_IS_DOCK (self), FALSE);

  if (layout == NULL || !g_variant_is_of_type (layout, G_VARIANT_TYPE_VARDICT))
    return FALSE;

  self->restoring = TRUE;
  _cnc_dock_apply_defaults (self);

  panels = g_variant_lookup_value (layout, "panels", G_VARIANT_TYPE ("a(ssub)"));
  if (panels)
    {
      /* First take out every panel the layout names, then put them back in its order. */
      g_variant_iter_init (&iter, panels);
      while (g_variant_iter_next (&iter, "(&s&sub)", &id, &where, &frame, &current))
        {
          CncDockPanel *panel = _cnc_dock_find_panel (self, id);
          if (panel)
            _cnc_dock_panel_take_out (panel);
        }
      g_variant_iter_init (&iter, panels);
      while (g_variant_iter_next (&iter, "(&s&sub)", &id, &where, &frame, &current))
        {
          CncDockPanel *panel = _cnc_dock_find_panel (self, id);
          CncDockPosition position;
          GtkNotebook *notebook;

          if (panel == NULL || g_hash_table_contains (placed, id)
              || !cnc_dock_position_from_name (where, &position))
            continue;
          g_hash_table_add (placed, panel->id);
          if (position == CNC_DOCK_CLOSED)
            continue;
          if (position == CNC_DOCK_DETACHED)
            {
              frame = MIN (frame, 16u);
              while (window_notebooks->len <= frame)
                g_ptr_array_add (window_notebooks, NULL);
              if (g_ptr_array_index (window_notebooks, frame) == NULL)
                window_notebooks->pdata[frame] = _cnc_dock_new_window (self, 480, 400);
              notebook = g_ptr_array_index (window_notebooks, frame);
            }
          else
            notebook = cnc_dock_area_get_notebook (self->areas[position], MIN (frame, CNC_DOCK_N_FRAMES - 1));
          _cnc_dock_panel_put (panel, notebook, -1);
          if (current)
            gtk_notebook_set_current_page (notebook, gtk_notebook_page_num (notebook, panel->child));
        }
      /* Panels the layout does not name and that were taken out stay at their default place. */
      for (guint i = 0; i < self->panels->len; i++)
        {
          CncDockPanel *panel = g_ptr_array_index (self->panels, i);

          if (!g_hash_table_contains (placed, panel->id) && _cnc_dock_panel_notebook (panel) == NULL)
            put_at_default (self, panel);
        }
    }

  sizes = g_variant_lookup_value (layout, "sizes", G_VARIANT_TYPE ("a{si}"));
  if (sizes)
    {
      g_variant_iter_init (&iter, sizes);
      while (g_variant_iter_next (&iter, "{&si}", &key, &size))
        {
          CncDockPosition area;
          if (cnc_dock_position_from_name (key, &area) && area < CNC_DOCK_N_AREAS && size > 0)
            cnc_dock_set_area_size (self, area, size);
        }
    }
  splits = g_variant_lookup_value (layout, "splits", G_VARIANT_TYPE ("a{sd}"));
  if (splits)
    {
      g_variant_iter_init (&iter, splits);
      while (g_variant_iter_next (&iter, "{&sd}", &key, &split))
        {
          CncDockPosition area;
          if (cnc_dock_position_from_name (key, &area) && area < CNC_DOCK_N_AREAS && split > 0 && split < 1)
            cnc_dock_area_set_split (self->areas[area], split);
        }
    }
  revealed = g_variant_lookup_value (layout, "revealed", G_VARIANT_TYPE ("a{sb}"));
  if (revealed)
    {
      gboolean value;

      g_variant_iter_init (&iter, revealed);
      while (g_variant_iter_next (&iter, "{&sb}", &key, &value))
        {
          CncDockPosition area;
          if (cnc_dock_position_from_name (key, &area) && area < CNC_DOCK_N_AREAS && area != CNC_DOCK_CENTRE)
            self->revealed[area] = value;
        }
    }
  _cnc_dock_sync_now (self);
  self->restoring = FALSE;
  return TRUE;
}

void
cnc_dock_reset_layout (CncDock *self)
{
  g_return_if_fail (CNC_IS_DOCK (self));
  _cnc_dock_apply_defaults (self);
  _cnc_dock_sync_now (self);
}

void
cnc_dock_set_default_split (CncDock         *self,
                            CncDockPosition  area,
                            double           split)
{
  g_return_if_fail (CNC_IS_DOCK (self));
  g_return_if_fail (area < CNC_DOCK_N_AREAS);

  self->default_splits[area] = CLAMP (split, 0.05, 0.95);
  cnc_dock_area_set_split (self->areas[area], self->default_splits[area]);
}
