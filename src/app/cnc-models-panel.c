/* cnc-models-panel.c
 * The models table: every model with its operation, parameters, tags and one sortable column per metric.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-models-panel.h"

#include <math.h>

#include "cnc-application.h"
#include "core/analysis/cnc-metric-format.h"

/* ---------------------------------------------------------------- one row: a model index */

#define CNC_TYPE_MODEL_ROW (cnc_model_row_get_type ())
G_DECLARE_FINAL_TYPE (CncModelRow, cnc_model_row, CNC, MODEL_ROW, GObject)

struct _CncModelRow
{
  GObject parent_instance;
  guint   index;
};

G_DEFINE_FINAL_TYPE (CncModelRow, cnc_model_row, G_TYPE_OBJECT)

static void cnc_model_row_class_init (CncModelRowClass *klass) { }
static void cnc_model_row_init (CncModelRow *self) { }

static CncModelRow *
cnc_model_row_new (guint index)
{
  CncModelRow *row = g_object_new (CNC_TYPE_MODEL_ROW, NULL);

  row->index = index;
  return row;
}

/* ---------------------------------------------------------------- the panel */

typedef enum {
  COLUMN_NAME,
  COLUMN_OPERATION,
  COLUMN_PARENT,
  COLUMN_TAGS,
  COLUMN_METRIC,
} ColumnKind;

typedef struct {
  CncModelsPanel *panel;
  ColumnKind      kind;
  guint           metric;
} Column;

struct _CncModelsPanel
{
  GtkWidget          parent_instance;

  GtkWidget         *box;
  GtkSearchEntry    *search_entry;
  GtkToggleButton   *passing_button;
  GtkLabel          *count_label;
  GtkStack          *stack;
  GtkColumnView     *column_view;

  CncModelSet       *set;
  GListStore        *store;
  GtkCustomFilter   *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel  *sorted;
  GtkMultiSelection *selection;
  GHashTable        *bound;        /* GtkLabel* -> CncModelRow*: the cells on screen */
  char              *search;       /* case-folded, NULL when empty */
  char              *columns_key;  /* the metrics the columns were made for */
  GPtrArray         *operations;   /* char*, per model: "prune (amount 0.5)" */
  gboolean           syncing;
};

G_DEFINE_FINAL_TYPE (CncModelsPanel, cnc_models_panel, GTK_TYPE_WIDGET)

static char *
parent_name (CncModelsPanel *self,
             guint           index)
{
  guint parent = cnc_model_set_get_parent (self->set, index);
  guint teacher = cnc_model_set_get_teacher (self->set, index);

  if (parent == CNC_MODEL_NONE)
    return g_strdup ("—");
  if (teacher != CNC_MODEL_NONE)
    return g_strdup_printf ("%s (teacher %s)", cnc_model_set_get_model (self->set, parent)->name,
                            cnc_model_set_get_model (self->set, teacher)->name);
  return g_strdup (cnc_model_set_get_model (self->set, parent)->name);
}

static char *
cell_text (Column *column,
           guint   index)
{
  CncModelsPanel *self = column->panel;
  const CncModel *model = cnc_model_set_get_model (self->set, index);

  switch (column->kind)
    {
    case COLUMN_NAME:
      return g_strdup (model->name);
    case COLUMN_OPERATION:
      return g_strdup (index < self->operations->len ? g_ptr_array_index (self->operations, index) : "—");
    case COLUMN_PARENT:
      return parent_name (self, index);
    case COLUMN_TAGS:
      return model->tags && model->tags[0] ? g_strjoinv (", ", model->tags) : g_strdup ("");
    case COLUMN_METRIC:
    default:
      return cnc_metric_format_value (cnc_model_set_get_metric (self->set, column->metric),
                                      cnc_model_set_get_value (self->set, index, column->metric));
    }
}

static void
style_cell (CncModelsPanel *self,
            GtkWidget      *label,
            guint           index)
{
  if (cnc_model_set_passes_filters (self->set, index))
    gtk_widget_remove_css_class (label, "cnc-filtered-out");
  else
    gtk_widget_add_css_class (label, "cnc-filtered-out");
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            Column                   *column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), column->kind == COLUMN_NAME ? PANGO_ELLIPSIZE_MIDDLE
                                                                          : PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), column->kind == COLUMN_METRIC ? 1.0 : 0.0);
  if (column->kind == COLUMN_METRIC)
    gtk_widget_add_css_class (label, "numeric");
  if (column->kind == COLUMN_NAME)
    gtk_widget_add_css_class (label, "cnc-model-name");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           Column                   *column)
{
  CncModelsPanel *self = column->panel;
  CncModelRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  if (row->index >= cnc_model_set_get_n_models (self->set))
    return;
  text = cell_text (column, row->index);
  gtk_label_set_label (GTK_LABEL (label), text);
  if (column->kind == COLUMN_NAME || column->kind == COLUMN_OPERATION || column->kind == COLUMN_TAGS)
    gtk_widget_set_tooltip_text (label, text);
  style_cell (self, label, row->index);
  g_hash_table_insert (self->bound, label, row);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             Column                   *column)
{
  g_hash_table_remove (column->panel->bound, gtk_list_item_get_child (item));
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  Column *column = data;
  CncModelsPanel *self = column->panel;
  guint ia = ((CncModelRow *) a)->index, ib = ((CncModelRow *) b)->index;

  if (column->kind == COLUMN_METRIC)
    {
      double va = cnc_model_set_get_value (self->set, ia, column->metric);
      double vb = cnc_model_set_get_value (self->set, ib, column->metric);

      /* Missing values sort before every number. */
      if (isnan (va) || isnan (vb))
        return isnan (va) && isnan (vb) ? GTK_ORDERING_EQUAL : isnan (va) ? GTK_ORDERING_SMALLER
                                                                          : GTK_ORDERING_LARGER;
      return va < vb ? GTK_ORDERING_SMALLER : va > vb ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
    }
  else
    {
      g_autofree char *ta = cell_text (column, ia);
      g_autofree char *tb = cell_text (column, ib);
      int c = g_utf8_collate (ta, tb);

      return c < 0 ? GTK_ORDERING_SMALLER : c > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
    }
}

static void
add_column (CncModelsPanel *self,
            const char     *title,
            ColumnKind      kind,
            guint           metric,
            int             fixed_width,
            gboolean        expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  Column *column = g_new0 (Column, 1);
  g_autoptr(GtkColumnViewColumn) view_column = NULL;
  g_autoptr(GtkCustomSorter) sorter = NULL;

  column->panel = self;
  column->kind = kind;
  column->metric = metric;
  g_object_set_data_full (G_OBJECT (factory), "cnc-column", column, g_free);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), column);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), column);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), column);

  view_column = gtk_column_view_column_new (title, factory);
  sorter = gtk_custom_sorter_new (compare_rows, column, NULL);
  gtk_column_view_column_set_sorter (view_column, GTK_SORTER (sorter));
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, expand);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->column_view, view_column);
}

static void
rebuild_columns (CncModelsPanel *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  guint n_metrics = cnc_model_set_get_n_metrics (self->set);
  g_autoptr(GString) key = g_string_new (NULL);

  /* Kept as they are (widths, order, sorting) while the metrics stay the same. */
  for (guint m = 0; m < n_metrics; m++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (self->set, m);
      g_string_append_printf (key, "%s\x1f%d%d\x1e", metric->name, metric->primary, metric->higher_is_better);
    }
  if (self->columns_key && g_str_equal (self->columns_key, key->str))
    return;
  g_free (self->columns_key);
  self->columns_key = g_strdup (key->str);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);
      gtk_column_view_remove_column (self->column_view, column);
    }
  add_column (self, "Model", COLUMN_NAME, 0, 260, FALSE);
  add_column (self, "Operation", COLUMN_OPERATION, 0, 220, FALSE);
  add_column (self, "Derived from", COLUMN_PARENT, 0, 200, FALSE);
  /* Primary metrics first, then the others, in the workspace's order. */
  for (int pass = 0; pass < 2; pass++)
    for (guint m = 0; m < n_metrics; m++)
      {
        const CncMetric *metric = cnc_model_set_get_metric (self->set, m);
        g_autofree char *title = NULL;

        if (metric->primary != (pass == 0))
          continue;
        title = g_strdup_printf ("%s %s", metric->name, metric->higher_is_better ? "↑" : "↓");
        add_column (self, title, COLUMN_METRIC, m, -1, FALSE);
      }
  add_column (self, "Tags", COLUMN_TAGS, 0, -1, TRUE);
}

/* ---------------------------------------------------------------- counts, filter */

static void
update_count (CncModelsPanel *self)
{
  guint n = cnc_model_set_get_n_models (self->set);
  guint selected = cnc_model_set_get_n_selected (self->set);
  guint passing = cnc_model_set_get_n_passing (self->set);
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%u model%s", n, n == 1 ? "" : "s");
  if (shown != n)
    g_string_append_printf (text, " · %u shown", shown);
  if (passing != n)
    g_string_append_printf (text, " · %u pass the filters", passing);
  if (selected > 0)
    g_string_append_printf (text, " · %u selected", selected);
  gtk_label_set_label (self->count_label, text->str);
}

static gboolean
row_visible (gpointer item,
             gpointer data)
{
  CncModelsPanel *self = data;
  guint index = ((CncModelRow *) item)->index;
  const CncModel *model;
  g_autofree char *haystack = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *tags = NULL;

  if (index >= cnc_model_set_get_n_models (self->set))
    return FALSE;
  if (gtk_toggle_button_get_active (self->passing_button) && !cnc_model_set_passes_filters (self->set, index))
    return FALSE;
  if (self->search == NULL)
    return TRUE;
  model = cnc_model_set_get_model (self->set, index);
  tags = model->tags ? g_strjoinv (" ", model->tags) : NULL;
  haystack = g_strjoin (" ", model->name, model->label ? model->label : "",
                        index < self->operations->len ? (char *) g_ptr_array_index (self->operations, index) : "",
                        tags ? tags : "", NULL);
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, self->search) != NULL;
}

static void
on_search_changed (GtkSearchEntry *entry,
                   CncModelsPanel *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->search, g_free);
  if (text && *text)
    self->search = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_passing_toggled (GtkToggleButton *button,
                    CncModelsPanel  *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* ---------------------------------------------------------------- selection, both ways */

static void
selection_from_set (CncModelsPanel *self)
{
  g_autoptr(GtkBitset) selected = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) mask = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));

  if (self->syncing)
    return;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CncModelRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);
      if (cnc_model_set_is_selected (self->set, row->index))
        gtk_bitset_add (selected, i);
    }
  mask = gtk_bitset_new_range (0, n);
  self->syncing = TRUE;
  gtk_selection_model_set_selection (GTK_SELECTION_MODEL (self->selection), selected, mask);
  self->syncing = FALSE;
}

static void
selection_to_set (CncModelsPanel *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree gboolean *shown = NULL;
  guint n_models = cnc_model_set_get_n_models (self->set);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  GtkBitsetIter iter;
  guint position;

  if (self->syncing)
    return;
  /* Rows hidden by the search keep their selection; the shown rows say what they want. */
  shown = g_new0 (gboolean, MAX (n_models, 1));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CncModelRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);
      if (row->index < n_models)
        shown[row->index] = TRUE;
    }
  for (guint i = 0; i < n_models; i++)
    if (!shown[i] && cnc_model_set_is_selected (self->set, i))
      g_array_append_val (indices, i);
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(CncModelRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
      if (row)
        g_array_append_val (indices, row->index);
    }
  self->syncing = TRUE;
  cnc_model_set_select (self->set, (const guint *) indices->data, indices->len, CNC_SELECT_REPLACE);
  self->syncing = FALSE;
  /* The set refuses filtered-out models: show what it kept. */
  selection_from_set (self);
  update_count (self);
}

static void
on_view_selection_changed (GtkSelectionModel *model,
                           guint              position,
                           guint              n_items,
                           CncModelsPanel    *self)
{
  selection_to_set (self);
}

static void
on_set_selection_changed (CncModelSet    *set,
                          CncModelsPanel *self)
{
  selection_from_set (self);
  update_count (self);
}

static void
on_set_filter_changed (CncModelSet    *set,
                       CncModelsPanel *self)
{
  GHashTableIter iter;
  gpointer label, row;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &label, &row))
    style_cell (self, label, ((CncModelRow *) row)->index);
  if (gtk_toggle_button_get_active (self->passing_button))
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

static void
on_set_changed (CncModelSet    *set,
                CncModelsPanel *self)
{
  guint n = cnc_model_set_get_n_models (set);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_set_size (self->operations, 0);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (self->operations, cnc_model_set_describe_operation (set, i));
      g_ptr_array_add (rows, cnc_model_row_new (i));
    }
  g_hash_table_remove_all (self->bound);
  self->syncing = TRUE;
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       rows->pdata, rows->len);
  self->syncing = FALSE;
  rebuild_columns (self);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "table" : "empty");
  selection_from_set (self);
  update_count (self);
}

static void
on_items_changed (GListModel     *model,
                  guint           position,
                  guint           removed,
                  guint           added,
                  CncModelsPanel *self)
{
  update_count (self);
}

/* ---------------------------------------------------------------- object */

static void
cnc_models_panel_dispose (GObject *object)
{
  CncModelsPanel *self = CNC_MODELS_PANEL (object);

  if (self->set)
    g_signal_handlers_disconnect_by_data (self->set, self);
  if (self->column_view)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_MODELS_PANEL);
  G_OBJECT_CLASS (cnc_models_panel_parent_class)->dispose (object);
}

static void
cnc_models_panel_finalize (GObject *object)
{
  CncModelsPanel *self = CNC_MODELS_PANEL (object);

  g_clear_object (&self->selection);
  g_clear_object (&self->set);
  g_clear_pointer (&self->bound, g_hash_table_unref);
  g_clear_pointer (&self->operations, g_ptr_array_unref);
  g_free (self->search);
  g_free (self->columns_key);
  G_OBJECT_CLASS (cnc_models_panel_parent_class)->finalize (object);
}

static void
cnc_models_panel_class_init (CncModelsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_models_panel_dispose;
  object_class->finalize = cnc_models_panel_finalize;

  cnc_application_ensure_ui ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cncmodelspanel");
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-models-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CncModelsPanel, box);
  gtk_widget_class_bind_template_child (widget_class, CncModelsPanel, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CncModelsPanel, passing_button);
  gtk_widget_class_bind_template_child (widget_class, CncModelsPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, CncModelsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CncModelsPanel, column_view);
}

static void
cnc_models_panel_init (CncModelsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->bound = g_hash_table_new (NULL, NULL);
  self->operations = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
cnc_models_panel_new (CncModelSet *set)
{
  CncModelsPanel *self;

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);

  self = g_object_new (CNC_TYPE_MODELS_PANEL, NULL);
  self->set = g_object_ref (set);
  self->store = g_list_store_new (CNC_TYPE_MODEL_ROW);
  self->filter = gtk_custom_filter_new (row_visible, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->store), GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (self->sorted));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_view_selection_changed), self);
  g_signal_connect (self->sorted, "items-changed", G_CALLBACK (on_items_changed), self);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->passing_button, "toggled", G_CALLBACK (on_passing_toggled), self);
  g_signal_connect (set, "changed", G_CALLBACK (on_set_changed), self);
  g_signal_connect (set, "selection-changed", G_CALLBACK (on_set_selection_changed), self);
  g_signal_connect (set, "filter-changed", G_CALLBACK (on_set_filter_changed), self);
  on_set_changed (set, self);
  return GTK_WIDGET (self);
}

void
cnc_models_panel_focus_search (CncModelsPanel *self)
{
  g_return_if_fail (CNC_IS_MODELS_PANEL (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

GtkColumnView *
cnc_models_panel_get_column_view (CncModelsPanel *self)
{
  g_return_val_if_fail (CNC_IS_MODELS_PANEL (self), NULL);
  return self->column_view;
}
