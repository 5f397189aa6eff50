/* cnc-details-panel.c
 * Selection details: one model's details, notes, tags and layers; or what differs between 2–16 models.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-details-panel.h"

#include <math.h>

#include "cnc-application.h"
#include "cnc-workspace-job.h"
#include "core/registry/cnc-workspace-differs.h"
#include "charts/cnc-chart-loss.h"
#include "core/analysis/cnc-metric-format.h"
#include "widgets/cnc-bars-view.h"
#include "widgets/cnc-widget-util.h"

/* ---------------------------------------------------------------- a layer row */

#define CNC_TYPE_LAYER_ROW (cnc_layer_row_get_type ())
G_DECLARE_FINAL_TYPE (CncLayerRow, cnc_layer_row, CNC, LAYER_ROW, GObject)

struct _CncLayerRow
{
  GObject        parent_instance;
  CncLayerStats *stats;
};

G_DEFINE_FINAL_TYPE (CncLayerRow, cnc_layer_row, G_TYPE_OBJECT)

static void
cnc_layer_row_finalize (GObject *object)
{
  g_clear_pointer (&CNC_LAYER_ROW (object)->stats, cnc_layer_stats_free);
  G_OBJECT_CLASS (cnc_layer_row_parent_class)->finalize (object);
}

static void cnc_layer_row_class_init (CncLayerRowClass *klass) { G_OBJECT_CLASS (klass)->finalize = cnc_layer_row_finalize; }
static void cnc_layer_row_init (CncLayerRow *self) { }

typedef enum {
  LAYER_NAME, LAYER_SHAPE, LAYER_TYPE, LAYER_NUMEL, LAYER_ZEROS, LAYER_MEAN, LAYER_STD, LAYER_MIN, LAYER_MAX,
  LAYER_L2, N_LAYER_COLUMNS
} LayerColumn;

/* ---------------------------------------------------------------- the panel */

#define NOTES_SAVE_DELAY_MS 800

struct _CncDetailsPanel
{
  GtkWidget      parent_instance;

  GtkStack      *stack;
  GtkLabel      *hint_title;
  GtkLabel      *hint_detail;
  GtkBox        *one_box;
  GtkLabel      *name_label;
  GtkLabel      *operation_label;
  GtkBox        *parents_box;
  GtkGrid       *metrics_grid;
  GtkTextView   *notes_view;
  GtkLabel      *notes_status;
  GtkFlowBox    *tags_box;
  GtkEntry      *tag_entry;
  GtkGrid       *info_grid;
  GtkLabel      *loss_heading;
  GtkDrawingArea *loss_area;
  GtkLabel      *layers_heading;
  GtkStack      *layers_stack;
  GtkColumnView *layers_view;
  GtkLabel      *layers_message;
  GtkBox        *many_box;
  GtkLabel      *many_title;
  GtkBox        *differs_box;
  GtkLabel      *refine_label;
  GtkBox        *bars_box;

  CncModelSet   *set;
  GtkWidget     *bars;
  GListStore    *layers;
  CncChartLossData loss;           /* the shown model's loss curve (empty when it has none) */
  GCancellable  *layers_cancellable;
  GCancellable  *differs_cancellable;
  GHashTable    *notes;            /* model id -> notes saved in this session */
  gint64         model_id;         /* the one model shown, 0 for none */
  guint          notes_timeout;
  gboolean       filling_notes;
  GArray        *differs_models;   /* guint indices the differs were asked for */
};

G_DEFINE_FINAL_TYPE (CncDetailsPanel, cnc_details_panel, GTK_TYPE_WIDGET)

static const char *
workspace_dir (CncDetailsPanel *self)
{
  CncWorkspace *workspace = cnc_model_set_get_workspace (self->set);

  return workspace ? cnc_workspace_get_path (workspace) : NULL;
}

static void
clear_box (GtkWidget *box)
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

static GtkWidget *
small_label (const char *text,
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

/* ---------------------------------------------------------------- notes and tags (saved in threads) */

typedef struct {
  char     *name;
  char     *notes;
  GStrv     tags;
  gboolean  remove;
} Edit;

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

static void
notes_saved (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(CncDetailsPanel) self = data;
  g_autoptr(GError) error = NULL;

  if (self->notes_status == NULL)
    return;
  if (!cnc_workspace_job_finish (result, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf ("The notes were not saved: %s", error->message);
      gtk_label_set_label (self->notes_status, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->notes_status), "error");
    }
  else
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
  if (index == CNC_MODEL_NONE || workspace_dir (self) == NULL)
    return G_SOURCE_REMOVE;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  edit = g_new0 (Edit, 1);
  edit->name = g_strdup (cnc_model_set_get_model (self->set, index)->name);
  edit->notes = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_hash_table_insert (self->notes, g_memdup2 (&self->model_id, sizeof (gint64)), g_strdup (edit->notes));
  gtk_label_set_label (self->notes_status, "Saving…");
  gtk_widget_remove_css_class (GTK_WIDGET (self->notes_status), "error");
  cnc_workspace_job_run (workspace_dir (self), CNC_WORKSPACE_OPEN_DEFAULT, edit_job, edit,
                         (GDestroyNotify) edit_free, NULL, notes_saved, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
flush_notes (CncDetailsPanel *self)
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
  g_autoptr(GError) error = NULL;

  if (self->notes_status == NULL)
    return;
  if (!cnc_workspace_job_finish (result, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf ("The tags were not saved: %s", error->message);
      gtk_label_set_label (self->notes_status, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->notes_status), "error");
      return;
    }
  cnc_model_set_reload (self->set);
}

static void
edit_tags (CncDetailsPanel *self,
           const char      *tag,
           gboolean         remove)
{
  guint index = cnc_model_set_find_id (self->set, self->model_id);
  Edit *edit;

  if (index == CNC_MODEL_NONE || workspace_dir (self) == NULL || tag == NULL || *tag == '\0')
    return;
  edit = g_new0 (Edit, 1);
  edit->name = g_strdup (cnc_model_set_get_model (self->set, index)->name);
  edit->tags = g_new0 (char *, 2);
  edit->tags[0] = g_strdup (tag);
  edit->remove = remove;
  cnc_workspace_job_run (workspace_dir (self), CNC_WORKSPACE_OPEN_DEFAULT, edit_job, edit,
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

/* ---------------------------------------------------------------- layers */

/* 206922 -> "206,922": the same in every locale. */
static char *
group_digits (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static char *
layer_text (CncLayerStats *stats,
            LayerColumn    column)
{
  switch (column)
    {
    case LAYER_NAME:
      return g_strdup (stats->name);
    case LAYER_SHAPE:
      {
        g_autoptr(GString) shape = g_string_new (NULL);
        for (guint d = 0; d < stats->n_dims; d++)
          g_string_append_printf (shape, "%s%" G_GINT64_FORMAT, d ? " × " : "", stats->shape[d]);
        return g_string_free (g_steal_pointer (&shape), FALSE);
      }
    case LAYER_TYPE:
      return g_strdup (stats->dtype);
    case LAYER_NUMEL:
      return group_digits (stats->numel);
    case LAYER_ZEROS:
      return stats->numel > 0 ? g_strdup_printf ("%.1f%%", 100.0 * stats->zeros / stats->numel) : g_strdup ("—");
    case LAYER_MEAN:
      return g_strdup_printf ("%.3g", stats->mean);
    case LAYER_STD:
      return g_strdup_printf ("%.3g", stats->std);
    case LAYER_MIN:
      return g_strdup_printf ("%.3g", stats->min);
    case LAYER_MAX:
      return g_strdup_printf ("%.3g", stats->max);
    case LAYER_L2:
    default:
      return g_strdup_printf ("%.3g", stats->l2);
    }
}

static void
setup_layer_cell (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  LayerColumn column = GPOINTER_TO_INT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column <= LAYER_TYPE ? 0.0 : 1.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  if (column > LAYER_TYPE)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_layer_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  data)
{
  CncLayerRow *row = gtk_list_item_get_item (item);
  g_autofree char *text = layer_text (row->stats, GPOINTER_TO_INT (data));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
  if (GPOINTER_TO_INT (data) == LAYER_NAME)
    gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), text);
}

static void
setup_layers_view (CncDetailsPanel *self)
{
  static const char * const titles[N_LAYER_COLUMNS] = {
    "Parameter", "Shape", "Type", "Elements", "Zeros", "Mean", "Std", "Min", "Max", "L2",
  };
  g_autoptr(GtkNoSelection) selection = NULL;

  self->layers = g_list_store_new (CNC_TYPE_LAYER_ROW);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->layers)));
  gtk_column_view_set_model (self->layers_view, GTK_SELECTION_MODEL (selection));
  for (int c = 0; c < N_LAYER_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_layer_cell), GINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_layer_cell), GINT_TO_POINTER (c));
      column = gtk_column_view_column_new (titles[c], factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      /* Fixed widths: the table scrolls sideways in a narrow sidebar instead of cutting every cell. */
      gtk_column_view_column_set_fixed_width (column, c == LAYER_NAME ? 170 : c == LAYER_SHAPE ? 110
                                                      : c == LAYER_TYPE ? 70 : 84);
      gtk_column_view_append_column (self->layers_view, column);
    }
}

/* What the model's page reads in a thread: its layer table and its loss curve. */
typedef struct {
  GPtrArray *layers;
  char      *curve;
} LayersResult;

static void
layers_result_free (LayersResult *r)
{
  g_clear_pointer (&r->layers, g_ptr_array_unref);
  g_free (r->curve);
  g_free (r);
}

static gboolean
layers_job (CncWorkspace    *workspace,
            gpointer         data,
            gpointer        *result_out,
            GDestroyNotify  *result_free,
            GCancellable    *cancellable,
            GError         **error)
{
  gint64 id = *(gint64 *) data;
  GPtrArray *layers = cnc_workspace_list_layers (workspace, id, error);
  LayersResult *r;

  if (layers == NULL)
    return FALSE;
  r = g_new0 (LayersResult, 1);
  r->layers = layers;
  r->curve = cnc_workspace_get_loss_curve (workspace, id, NULL);
  *result_out = r;
  *result_free = (GDestroyNotify) layers_result_free;
  return TRUE;
}

static void
draw_loss (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        data)
{
  CncDetailsPanel *self = data;
  CncChartStyle style;

  cnc_widget_chart_style (GTK_WIDGET (area), &style);
  cnc_chart_loss_draw (cr, &style, &self->loss, width, height);
}

static void
show_loss (CncDetailsPanel *self,
           const char      *curve)
{
  gboolean has;

  cnc_chart_loss_clear (&self->loss);
  has = cnc_chart_loss_parse (curve, &self->loss);
  if (has)
    {
      g_autofree char *heading = g_strdup_printf ("Training loss · %u epoch%s, %u batches", self->loss.n_epochs,
                                                  self->loss.n_epochs == 1 ? "" : "s", self->loss.batches);
      gtk_label_set_label (self->loss_heading, heading);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->loss_heading), has);
  gtk_widget_set_visible (GTK_WIDGET (self->loss_area), has);
  gtk_widget_queue_draw (GTK_WIDGET (self->loss_area));
}

static void
layers_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(CncDetailsPanel) self = data;
  g_autoptr(GError) error = NULL;
  LayersResult *r = NULL;
  GPtrArray *layers;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *heading = NULL;
  gint64 params = 0;

  if (!cnc_workspace_job_finish (result, (gpointer *) &r, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->layers_message)
        {
          g_autofree char *text = g_strdup_printf ("The layers could not be read: %s", error->message);
          gtk_label_set_label (self->layers_message, text);
          gtk_stack_set_visible_child_name (self->layers_stack, "message");
        }
      return;
    }
  if (self->layers_message == NULL)
    {
      layers_result_free (r);
      return;
    }
  show_loss (self, r->curve);
  layers = r->layers;
  for (guint i = 0; i < layers->len; i++)
    {
      CncLayerRow *row = g_object_new (CNC_TYPE_LAYER_ROW, NULL);

      row->stats = cnc_layer_stats_copy (g_ptr_array_index (layers, i));
      params += row->stats->numel;
      g_ptr_array_add (rows, row);
    }
  g_list_store_splice (self->layers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->layers)),
                       rows->pdata, rows->len);
  if (layers->len == 0)
    {
      gtk_label_set_label (self->layers_heading, "Layers");
      gtk_label_set_label (self->layers_message, "No weights were recorded for this model (a models.json record "
                                                 "has metrics only). Import its file to see its layers.");
      gtk_stack_set_visible_child_name (self->layers_stack, "message");
      layers_result_free (r);
      return;
    }
  {
    g_autofree char *elements = group_digits (params);
    heading = g_strdup_printf ("Layers · %u tensors · %s elements", layers->len, elements);
  }
  gtk_label_set_label (self->layers_heading, heading);
  gtk_stack_set_visible_child_name (self->layers_stack, "table");
  layers_result_free (r);
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
  GtkWidget *v = small_label (value, NULL, 0);

  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_widget_set_hexpand (v, TRUE);
  gtk_grid_attach (self->info_grid, small_label (key, "dim-label", 1), 0, row, 1, 1);
  gtk_grid_attach (self->info_grid, v, 1, row, 1, 1);
}

static void
show_one (CncDetailsPanel *self,
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
    flush_notes (self);
  self->model_id = model->id;

  gtk_label_set_label (self->name_label, model->label && *model->label ? model->label : model->name);
  gtk_label_set_label (self->operation_label, model->operation ? operation : "A root model (no operation)");

  clear_box (GTK_WIDGET (self->parents_box));
  if (parent != CNC_MODEL_NONE)
    {
      gtk_box_append (self->parents_box, small_label ("Derived from", "dim-label", 0));
      gtk_box_append (self->parents_box, model_link (self, parent));
    }
  if (teacher != CNC_MODEL_NONE)
    {
      gtk_box_append (self->parents_box, small_label ("teacher", "dim-label", 0));
      gtk_box_append (self->parents_box, model_link (self, teacher));
    }
  cnc_model_set_get_children (self->set, index, &n_children);
  if (n_children > 0)
    {
      g_autofree char *text = g_strdup_printf ("%s%u derived model%s", parent != CNC_MODEL_NONE ? "· " : "",
                                               n_children, n_children == 1 ? "" : "s");
      gtk_box_append (self->parents_box, small_label (text, "dim-label", 0));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->parents_box), gtk_widget_get_first_child (GTK_WIDGET (self->parents_box)) != NULL);

  /* Metrics with their change against the parent, better or worse in each metric's direction. */
  clear_box (GTK_WIDGET (self->metrics_grid));
  for (guint m = 0; m < cnc_model_set_get_n_metrics (self->set); m++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (self->set, m);
      double value = cnc_model_set_get_value (self->set, index, m);
      g_autofree char *text = NULL;
      GtkWidget *name, *value_label;

      if (isnan (value))
        continue;
      text = cnc_metric_format_value (metric, value);
      name = small_label (metric->name, metric->primary ? NULL : "dim-label", 0);
      value_label = small_label (text, "numeric", 1);
      gtk_widget_add_css_class (value_label, "cnc-metric-value");
      gtk_grid_attach (self->metrics_grid, name, 0, row, 1, 1);
      gtk_grid_attach (self->metrics_grid, value_label, 1, row, 1, 1);
      if (parent != CNC_MODEL_NONE)
        {
          double before = cnc_model_set_get_value (self->set, parent, m);
          g_autofree char *change = cnc_metric_format_change (metric, value, before);
          GtkWidget *change_label = small_label (change, "numeric", 1);

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
    gtk_grid_attach (self->metrics_grid, small_label ("No metric values yet: evaluate the model to measure it.",
                                                      "dim-label", 0), 0, 0, 3, 1);

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

  clear_box (GTK_WIDGET (self->tags_box));
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

  clear_box (GTK_WIDGET (self->info_grid));
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
    {
      gint64 *id = g_memdup2 (&model->id, sizeof (gint64));

      g_cancellable_cancel (self->layers_cancellable);
      g_clear_object (&self->layers_cancellable);
      self->layers_cancellable = g_cancellable_new ();
      g_list_store_remove_all (self->layers);
      show_loss (self, NULL);
      gtk_label_set_label (self->layers_heading, "Layers");
      gtk_label_set_label (self->layers_message, "Reading the layers…");
      gtk_stack_set_visible_child_name (self->layers_stack, "message");
      if (workspace_dir (self))
        cnc_workspace_job_run (workspace_dir (self), CNC_WORKSPACE_OPEN_READ_ONLY, layers_job, id, g_free,
                               self->layers_cancellable, layers_done, g_object_ref (self));
      else
        g_free (id);
    }
  gtk_stack_set_visible_child_name (self->stack, "one");
}

/* ---------------------------------------------------------------- 2-16 models: what differs */

typedef struct {
  GArray *ids;   /* gint64 */
} DiffersRequest;

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

  if (!cnc_workspace_job_finish (result, (gpointer *) &differs, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->differs_box)
        {
          g_autofree char *text = g_strdup_printf ("What differs could not be worked out: %s", error->message);
          clear_box (GTK_WIDGET (self->differs_box));
          gtk_box_append (self->differs_box, small_label (text, "error", 0));
        }
      return;
    }
  if (self->differs_box == NULL || differs->n_models != self->differs_models->len)
    return;

  clear_box (GTK_WIDGET (self->differs_box));
  if (differs->variables->len == 0)
    gtk_box_append (self->differs_box, small_label ("These models come from identical lineages: nothing in how they "
                                                    "were made tells them apart.", "dim-label", 0));
  for (guint v = 0; v < differs->variables->len; v++)
    {
      CncDiffersVariable *variable = g_ptr_array_index (differs->variables, v);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *values = gtk_flow_box_new ();
      g_autofree char *title = g_strdup_printf ("%s%s", variable->name,
                                                v == 0 ? " · groups" : v == 1 ? " · colours" : "");

      gtk_widget_add_css_class (row, "cnc-variable");
      gtk_box_append (GTK_BOX (row), small_label (title, "heading", 0));
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

      gtk_box_append (self->differs_box, small_label (text, "dim-label", 0));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->refine_label), differs->refine);
  apply_design (self, differs);
}

static void
show_many (CncDetailsPanel *self,
           GArray          *selection)
{
  g_autofree char *title = g_strdup_printf ("What tells these %u models apart", selection->len);
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), selection->len);

  flush_notes (self);
  self->model_id = 0;
  gtk_label_set_label (self->many_title, title);
  g_clear_pointer (&self->differs_models, g_array_unref);
  self->differs_models = g_array_ref (selection);
  for (guint i = 0; i < selection->len; i++)
    g_array_append_val (ids, cnc_model_set_get_model (self->set, g_array_index (selection, guint, i))->id);

  clear_box (GTK_WIDGET (self->differs_box));
  gtk_box_append (self->differs_box, small_label ("Working out what differs…", "dim-label", 0));
  gtk_widget_set_visible (GTK_WIDGET (self->refine_label), FALSE);
  g_cancellable_cancel (self->differs_cancellable);
  g_clear_object (&self->differs_cancellable);
  self->differs_cancellable = g_cancellable_new ();
  if (workspace_dir (self))
    cnc_workspace_job_run (workspace_dir (self), CNC_WORKSPACE_OPEN_READ_ONLY, differs_job, ids,
                           (GDestroyNotify) g_array_unref, self->differs_cancellable, differs_done,
                           g_object_ref (self));
  else
    g_array_unref (ids);
  gtk_stack_set_visible_child_name (self->stack, "many");
}

static void
show_hint (CncDetailsPanel *self,
           const char      *title,
           const char      *detail)
{
  flush_notes (self);
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
    show_one (self, g_array_index (selection, guint, 0));
  else if (selection->len <= CNC_DIFFERS_MAX_MODELS)
    show_many (self, selection);
  else
    {
      g_autofree char *title = g_strdup_printf ("%u models selected", selection->len);
      show_hint (self, title, "Select 2 to 16 models to compare them: narrow the selection on the map, "
                              "in the scatterplot or in the table.");
    }
}

/* ---------------------------------------------------------------- object */

static void
cnc_details_panel_dispose (GObject *object)
{
  CncDetailsPanel *self = CNC_DETAILS_PANEL (object);

  if (self->notes_view)
    flush_notes (self);
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
  setup_layers_view (self);
  gtk_drawing_area_set_draw_func (self->loss_area, draw_loss, self, NULL);
  g_signal_connect (gtk_text_view_get_buffer (self->notes_view), "changed", G_CALLBACK (on_notes_changed), self);
  g_signal_connect (self->tag_entry, "activate", G_CALLBACK (on_tag_activate), self);
  g_signal_connect (self->tag_entry, "icon-release", G_CALLBACK (on_tag_icon), self);
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
