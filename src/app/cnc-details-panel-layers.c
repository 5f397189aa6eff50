/* cnc-details-panel-layers.c
 * The details panel's layer table (every tensor of the model: shape, type, zeros, statistics) and training loss
 * curve, read from the registry in a thread.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-details-panel-private.h"

#include <string.h>

#include "session/cnc-registry-task.h"
#include "widgets/cnc-widget-util.h"

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

/* What the model's page reads in a thread: its layer table and its loss curve. */
typedef struct {
  GPtrArray *layers;
  char      *curve;
} LayersResult;

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

/* ---------------------------------------------------------------- layers */

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

  if (!cnc_registry_task_finish (result, (gpointer *) &r, &error))
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

void
_cnc_details_panel_read_layers (CncDetailsPanel *self,
                                gint64           model_id)
{
  gint64 *id = g_memdup2 (&model_id, sizeof (gint64));

  g_cancellable_cancel (self->layers_cancellable);
  g_clear_object (&self->layers_cancellable);
  self->layers_cancellable = g_cancellable_new ();
  g_list_store_remove_all (self->layers);
  show_loss (self, NULL);
  gtk_label_set_label (self->layers_heading, "Layers");
  gtk_label_set_label (self->layers_message, "Reading the layers…");
  gtk_stack_set_visible_child_name (self->layers_stack, "message");
  if (_cnc_details_panel_workspace_dir (self))
    cnc_registry_task_run (_cnc_details_panel_workspace_dir (self), CNC_WORKSPACE_OPEN_READ_ONLY, layers_job, id,
                           g_free, self->layers_cancellable, layers_done, g_object_ref (self));
  else
    g_free (id);
}

void
_cnc_details_panel_init_layers (CncDetailsPanel *self)
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
  gtk_drawing_area_set_draw_func (self->loss_area, draw_loss, self, NULL);
}
