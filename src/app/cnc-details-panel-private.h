/* cnc-details-panel-private.h
 * What the details panel's files share: the panel, and what each page (one model, its layers, what differs)
 * offers the others.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-details-panel.h"

#include "charts/cnc-chart-loss.h"

G_BEGIN_DECLS

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

/* cnc-details-panel.c */
const char *_cnc_details_panel_workspace_dir (CncDetailsPanel *self);   /* NULL without a workspace */
void        _cnc_details_panel_clear_box     (GtkWidget *box);
GtkWidget  *_cnc_details_panel_small_label   (const char *text, const char *css_class, float xalign);

/* cnc-details-panel-model.c: one model's page, its notes and tags (saved in threads) */
void        _cnc_details_panel_init_model    (CncDetailsPanel *self);
void        _cnc_details_panel_show_one      (CncDetailsPanel *self, guint index);
/* Saves notes still being typed now. */
void        _cnc_details_panel_flush_notes   (CncDetailsPanel *self);

/* cnc-details-panel-layers.c: the model's layer table and loss curve, read in a thread */
void        _cnc_details_panel_init_layers   (CncDetailsPanel *self);
void        _cnc_details_panel_read_layers   (CncDetailsPanel *self, gint64 model_id);

/* cnc-details-panel-differs.c: what differs between 2-16 models, and their bars */
void        _cnc_details_panel_show_many     (CncDetailsPanel *self, GArray *selection);

G_END_DECLS
