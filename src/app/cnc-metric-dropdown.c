/* cnc-metric-dropdown.c
 * A GtkDropDown listing a model set's metrics (optionally after "None"), for every metric choice on screen.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-metric-dropdown.h"

/* Object data on the dropdown: whether the first item is "None", and a guard against our own changes. */
#define WITH_NONE "cnc-metric-with-none"
#define FILLING "cnc-metric-filling"

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (ellipsize)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 5);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 20);
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_label (GTK_LABEL (label), gtk_string_object_get_string (string));
  gtk_widget_set_tooltip_text (label, data ? gtk_string_object_get_string (string) : NULL);
}

void
cnc_metric_dropdown_init (GtkDropDown *dropdown)
{
  g_autoptr(GtkListItemFactory) button = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list = gtk_signal_list_item_factory_new ();

  g_signal_connect (button, "setup", G_CALLBACK (setup_label), GINT_TO_POINTER (TRUE));
  g_signal_connect (button, "bind", G_CALLBACK (bind_label), GINT_TO_POINTER (TRUE));
  g_signal_connect (list, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (list, "bind", G_CALLBACK (bind_label), NULL);
  gtk_drop_down_set_factory (dropdown, button);
  gtk_drop_down_set_list_factory (dropdown, list);
}

void
cnc_metric_dropdown_fill (GtkDropDown *dropdown,
                          CncModelSet *set,
                          gboolean     with_none)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autofree char *before = NULL;
  int previous = cnc_metric_dropdown_get (dropdown);
  GListModel *old = gtk_drop_down_get_model (dropdown);
  guint selected = with_none ? 0 : GTK_INVALID_LIST_POSITION;
  guint n = cnc_model_set_get_n_metrics (set);
  gboolean same = old != NULL && g_list_model_get_n_items (old) == n + (with_none ? 1 : 0);

  if (previous >= 0 && old)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (old, previous + (with_none ? 1 : 0));
      before = item ? g_strdup (gtk_string_object_get_string (item)) : NULL;
    }
  if (with_none)
    gtk_string_list_append (list, "None");
  for (guint m = 0; m < n; m++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (set, m);

      gtk_string_list_append (list, metric->name);
      if (same)
        {
          g_autoptr(GtkStringObject) item = g_list_model_get_item (old, m + (with_none ? 1 : 0));
          same = g_strcmp0 (gtk_string_object_get_string (item), metric->name) == 0;
        }
      if (before && g_strcmp0 (before, metric->name) == 0)
        selected = m + (with_none ? 1 : 0);
    }
  g_object_set_data (G_OBJECT (dropdown), WITH_NONE, GINT_TO_POINTER (with_none));
  if (same)
    return;
  g_object_set_data (G_OBJECT (dropdown), FILLING, GINT_TO_POINTER (TRUE));
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (dropdown, selected);
  g_object_set_data (G_OBJECT (dropdown), FILLING, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (dropdown), n > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (dropdown), n > 0 ? NULL : "The workspace has no metrics yet");
}

int
cnc_metric_dropdown_get (GtkDropDown *dropdown)
{
  gboolean with_none = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dropdown), WITH_NONE));
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (g_object_get_data (G_OBJECT (dropdown), FILLING))
    return -2;
  if (selected == GTK_INVALID_LIST_POSITION || (with_none && selected == 0))
    return -1;
  return (int) selected - (with_none ? 1 : 0);
}

void
cnc_metric_dropdown_set (GtkDropDown *dropdown,
                         int          metric)
{
  gboolean with_none = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dropdown), WITH_NONE));
  guint position = metric < 0 ? (with_none ? 0 : GTK_INVALID_LIST_POSITION) : (guint) metric + (with_none ? 1 : 0);

  if (gtk_drop_down_get_selected (dropdown) != position)
    gtk_drop_down_set_selected (dropdown, position);
}
