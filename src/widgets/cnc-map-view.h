/* cnc-map-view.h
 * The provenance map: the lineage of a workspace's models as a zoomable, selectable graph.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/analysis/cnc-lineage-layout.h"
#include "cnc-chart-view.h"

G_BEGIN_DECLS

#define CNC_TYPE_MAP_VIEW (cnc_map_view_get_type ())
G_DECLARE_FINAL_TYPE (CncMapView, cnc_map_view, CNC, MAP_VIEW, CncChartView)

/* CSS name "cncmapview". Focusable. A CncChartView: hover, the hover card, click and rubber-band selection are
 * the base's.
 * Mouse: click selects, Shift+click adds, Ctrl+click toggles, drag on empty space draws a rubber band
 * (Shift adds), middle-drag or drag with Space or on the minimap pans, Ctrl+wheel and pinch zoom in small
 * steps, wheel scrolls, a click on a column header selects the column, a click on a node's ▸/▾ badge or
 * double-click on a node with children collapses / expands its subtree.
 * Actions (widget actions, enabled while there are models; cnc_chart_view_export_actions (view, "map") offers
 * them to buttons beside the view), with their keys:
 *   map.zoom-in (+, =), map.zoom-out (−), map.zoom-fit (0), map.zoom-reset (1: 1:1)
 *   map.go-parent, map.go-child, map.go-previous, map.go-next (b: extend the selection): the arrows move the
 *     focus to the parent, the first child, the previous or next sibling; with Shift they extend the selection
 *   map.toggle-fold (C: the focused model's subtree), map.fold-selected, map.unfold-all
 *   map.select-all (Ctrl+A), map.select-none (Escape), map.open (Return: "model-activated" of the focused model)
 * Signals: "model-activated" (guint index): double-click / Return on a model without children to collapse.
 * Properties: "model-set", "layout-mode" (CncLineageLayoutMode), "zoom" (double, 1.0 = 1:1, read-only),
 *   "show-minimap" (gboolean, default TRUE: shown only when the graph is larger than the view). */

GtkWidget            *cnc_map_view_new             (CncModelSet *set);

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
