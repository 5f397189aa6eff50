/* cnc-map-view.h
 * The provenance map: the lineage of a workspace's models as a zoomable, selectable graph.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/analysis/cnc-lineage-layout.h"
#include "cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_MAP_VIEW (cnc_map_view_get_type ())
G_DECLARE_FINAL_TYPE (CncMapView, cnc_map_view, CNC, MAP_VIEW, GtkWidget)

/* CSS name "cncmapview". Focusable.
 * Mouse: click selects, Shift+click adds, Ctrl+click toggles, drag on empty space draws a rubber band
 * (Shift adds), middle-drag or drag with Space or on the minimap pans, Ctrl+wheel and pinch zoom in small
 * steps, wheel scrolls, a click on a column header selects the column, a click on a node's ▸/▾ badge or
 * double-click on a node with children collapses / expands its subtree.
 * Keys: + / − / 0 (zoom in / out / fit), 1 (1:1), arrows (parent / first child / previous and next sibling),
 * Shift+arrows extend, Return activates, Escape clears, Ctrl+A all, C collapse / expand the focused model.
 * Signals: "model-activated" (guint index): double-click / Return on a model without children to collapse.
 * Properties: "model-set", "layout-mode" (CncLineageLayoutMode), "zoom" (double, 1.0 = 1:1, read-only),
 *   "show-minimap" (gboolean, default TRUE: shown only when the graph is larger than the view). */

GtkWidget            *cnc_map_view_new             (CncModelSet *set);
CncModelSet          *cnc_map_view_get_model_set   (CncMapView *self);

void                  cnc_map_view_set_layout_mode (CncMapView *self, CncLineageLayoutMode mode);
CncLineageLayoutMode  cnc_map_view_get_layout_mode (CncMapView *self);

/* Zoom: "fit" shows the whole graph in the view (the default after each load); "reset" is 1:1 (readable
 * labels) centred on the focused or selected model. Steps are ×1.25. */
void                  cnc_map_view_zoom_in         (CncMapView *self);
void                  cnc_map_view_zoom_out        (CncMapView *self);
void                  cnc_map_view_zoom_fit        (CncMapView *self);
void                  cnc_map_view_zoom_reset      (CncMapView *self);
double                cnc_map_view_get_zoom        (CncMapView *self);
/* Scrolls so @index is visible (expanding collapsed ancestors). */
void                  cnc_map_view_reveal          (CncMapView *self, guint index);

/* Collapsing subtrees: a collapsed model shows the count of models below it. */
void                  cnc_map_view_set_collapsed   (CncMapView *self, guint index, gboolean collapsed);
gboolean              cnc_map_view_get_collapsed   (CncMapView *self, guint index);
void                  cnc_map_view_collapse_selected (CncMapView *self);
void                  cnc_map_view_expand_all      (CncMapView *self);
/* Folds the largest subtrees so that every row is readable in the pane (done once when a workspace loads). */
void                  cnc_map_view_collapse_to_fit (CncMapView *self);

void                  cnc_map_view_set_show_minimap (CncMapView *self, gboolean show);

/* Where @index is drawn, in widget coordinates; FALSE when it is folded away or outside the pane. */
gboolean              cnc_map_view_get_model_position (CncMapView *self, guint index, double *x, double *y);
/* The model drawn at widget coordinates (x, y), or CNC_MODEL_NONE (drop targets, context menus). */
guint                 cnc_map_view_model_at        (CncMapView *self, double x, double y);

G_END_DECLS
