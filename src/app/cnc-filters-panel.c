/* cnc-filters-panel.c
 * Filters: one brushable histogram per metric, combined with AND, with the count of models that pass.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-filters-panel.h"

#include "cnc-application.h"
#include "widgets/cnc-histogram-view.h"

struct _CncFiltersPanel
{
  GtkWidget      parent_instance;

  GtkWidget     *box;
  GtkMenuButton *add_button;
  GtkPopover    *add_popover;
  GtkListBox    *metrics_list;
  GtkLabel      *count_label;
  GtkButton     *clear_button;
  GtkStack      *stack;
  GtkBox        *cards_box;

  CncModelSet   *set;
  GHashTable    *cards;   /* metric name -> card (GtkWidget*, owned by cards_box) */
};

G_DEFINE_FINAL_TYPE (CncFiltersPanel, cnc_filters_panel, GTK_TYPE_WIDGET)

static void
update_count (CncFiltersPanel *self)
{
  guint n = cnc_model_set_get_n_models (self->set);
  guint passing = cnc_model_set_get_n_passing (self->set);
  g_autoptr(GArray) active = cnc_model_set_get_filter_metrics (self->set);
  g_autofree char *text = NULL;

  if (active->len == 0)
    text = g_hash_table_size (self->cards) > 0
           ? g_strdup_printf ("All %u models pass", n)
           : g_strdup_printf ("%u model%s", n, n == 1 ? "" : "s");
  else
    text = g_strdup_printf ("%u of %u models pass %u filter%s", passing, n, active->len,
                            active->len == 1 ? "" : "s");
  gtk_label_set_label (self->count_label, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button), g_hash_table_size (self->cards) > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->clear_button),
                               g_hash_table_size (self->cards) > 0 ? "Remove every filter"
                                                                   : "There are no filters to clear");
  gtk_stack_set_visible_child_name (self->stack, g_hash_table_size (self->cards) > 0 ? "filters" : "empty");
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), cnc_model_set_get_n_metrics (self->set) > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->add_button),
                               cnc_model_set_get_n_metrics (self->set) > 0
                               ? "Filter the models by a metric"
                               : "The workspace has no metrics to filter by yet");
}

static void
on_card_remove (GtkButton       *button,
                CncFiltersPanel *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "cnc-metric");
  GtkWidget *card = g_hash_table_lookup (self->cards, name);
  int metric = cnc_model_set_find_metric (self->set, name);

  if (card == NULL)
    return;
  g_hash_table_remove (self->cards, name);
  gtk_box_remove (self->cards_box, card);
  if (metric >= 0)
    cnc_model_set_remove_filter (self->set, metric);
  update_count (self);
}

static GtkWidget *
add_card (CncFiltersPanel *self,
          guint            metric)
{
  const CncMetric *info = cnc_model_set_get_metric (self->set, metric);
  GtkWidget *card = g_hash_table_lookup (self->cards, info->name);
  GtkWidget *header, *title, *remove, *histogram;
  g_autofree char *tip = NULL;

  if (card)
    return card;
  card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_add_css_class (card, "cnc-filter-card");
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  title = gtk_label_new (info->name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  tip = g_strdup_printf ("Remove the %s filter", info->name);
  gtk_widget_set_tooltip_text (remove, tip);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  g_object_set_data_full (G_OBJECT (remove), "cnc-metric", g_strdup (info->name), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_card_remove), self);
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), remove);
  histogram = cnc_histogram_view_new (self->set, metric);
  gtk_widget_set_size_request (histogram, -1, 120);
  g_object_set_data (G_OBJECT (card), "cnc-histogram", histogram);
  gtk_box_append (GTK_BOX (card), header);
  gtk_box_append (GTK_BOX (card), histogram);
  gtk_box_append (self->cards_box, card);
  g_hash_table_insert (self->cards, g_strdup (info->name), card);
  return card;
}

static void
on_metric_activated (GtkListBox      *list,
                     GtkListBoxRow   *row,
                     CncFiltersPanel *self)
{
  guint metric = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cnc-metric"));

  gtk_popover_popdown (self->add_popover);
  add_card (self, metric);
  update_count (self);
}

static void
fill_metrics_list (CncFiltersPanel *self)
{
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->metrics_list))))
    gtk_list_box_remove (self->metrics_list, child);
  for (guint m = 0; m < cnc_model_set_get_n_metrics (self->set); m++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (self->set, m);
      GtkWidget *row, *label;

      if (g_hash_table_contains (self->cards, metric->name))
        continue;
      label = gtk_label_new (metric->name);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data (G_OBJECT (row), "cnc-metric", GUINT_TO_POINTER (m));
      gtk_list_box_append (self->metrics_list, row);
      shown++;
    }
  if (shown == 0)
    {
      GtkWidget *label = gtk_label_new ("Every metric has a filter");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_list_box_append (self->metrics_list, label);
    }
}

static void
on_clear_clicked (GtkButton       *button,
                  CncFiltersPanel *self)
{
  GHashTableIter iter;
  gpointer card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    gtk_box_remove (self->cards_box, card);
  g_hash_table_remove_all (self->cards);
  cnc_model_set_clear_filters (self->set);
  update_count (self);
}

/* Filters set elsewhere get a card; cards follow their metric's index after a reload. */
static void
sync_cards (CncFiltersPanel *self)
{
  g_autoptr(GArray) active = cnc_model_set_get_filter_metrics (self->set);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer name, card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, &name, &card))
    {
      int metric = cnc_model_set_find_metric (self->set, name);

      if (metric < 0)
        {
          gtk_box_remove (self->cards_box, card);
          g_ptr_array_add (gone, g_strdup (name));
        }
      else
        {
          CncHistogramView *histogram = g_object_get_data (G_OBJECT (card), "cnc-histogram");
          if (cnc_histogram_view_get_metric (histogram) != (guint) metric)
            cnc_histogram_view_set_metric (histogram, metric);
        }
    }
  for (guint i = 0; i < gone->len; i++)
    g_hash_table_remove (self->cards, g_ptr_array_index (gone, i));
  for (guint i = 0; i < active->len; i++)
    add_card (self, g_array_index (active, guint, i));
  update_count (self);
}

static void
cnc_filters_panel_dispose (GObject *object)
{
  CncFiltersPanel *self = CNC_FILTERS_PANEL (object);

  if (self->set)
    g_signal_handlers_disconnect_by_data (self->set, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_FILTERS_PANEL);
  G_OBJECT_CLASS (cnc_filters_panel_parent_class)->dispose (object);
}

static void
cnc_filters_panel_finalize (GObject *object)
{
  CncFiltersPanel *self = CNC_FILTERS_PANEL (object);

  g_clear_object (&self->set);
  g_clear_pointer (&self->cards, g_hash_table_unref);
  G_OBJECT_CLASS (cnc_filters_panel_parent_class)->finalize (object);
}

static void
cnc_filters_panel_class_init (CncFiltersPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_filters_panel_dispose;
  object_class->finalize = cnc_filters_panel_finalize;

  cnc_application_ensure_ui ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cncfilterspanel");
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-filters-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, box);
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, add_button);
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, add_popover);
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, metrics_list);
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, clear_button);
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CncFiltersPanel, cards_box);
}

static void
cnc_filters_panel_init (CncFiltersPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_set_activate_on_single_click (self->metrics_list, TRUE);
  g_signal_connect (self->metrics_list, "row-activated", G_CALLBACK (on_metric_activated), self);
  g_signal_connect_swapped (self->add_popover, "show", G_CALLBACK (fill_metrics_list), self);
  g_signal_connect (self->clear_button, "clicked", G_CALLBACK (on_clear_clicked), self);
}

GtkWidget *
cnc_filters_panel_new (CncModelSet *set)
{
  CncFiltersPanel *self;

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);

  self = g_object_new (CNC_TYPE_FILTERS_PANEL, NULL);
  self->set = g_object_ref (set);
  g_signal_connect_swapped (set, "changed", G_CALLBACK (sync_cards), self);
  g_signal_connect_swapped (set, "filter-changed", G_CALLBACK (sync_cards), self);
  sync_cards (self);
  return GTK_WIDGET (self);
}
