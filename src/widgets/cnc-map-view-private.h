/* cnc-map-view-private.h
 * What the provenance map's files share: its instance, and the helpers its minimap and actions use.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "charts/cnc-chart-map.h"
#include "cnc-map-view.h"

G_BEGIN_DECLS

/* The map's own drags; the rubber band is the base's. */
typedef enum {
  CNC_MAP_DRAG_NONE,
  CNC_MAP_DRAG_PAN,
  CNC_MAP_DRAG_MINIMAP,
} CncMapDrag;

struct _CncMapView
{
  CncChartView          parent_instance;

  CncLineageLayoutMode  mode;
  gboolean              show_minimap;

  /* per model, rebuilt from the set */
  guint                 n;
  int                  *parent;
  int                  *teacher;
  double               *color;
  double               *size;
  guint8               *flags;
  char                **labels;      /* parameters, filled for what is in view */
  gboolean             *collapsed;
  CncLineageLayout     *layout;
  CncChartMapData       data;

  /* view: zoom relative to "fit", and the offset */
  CncChartMapView       view;
  double                fit_col, fit_row;
  double                zoom;         /* 1 = fit */
  gboolean              fitted;       /* follows the size until the user zooms or pans */
  int                   last_w, last_h;
  guint                 focus;

  /* the overview in the corner, drawn once per layout and size */
  cairo_surface_t      *minimap;
  CncChartMapView       minimap_view;

  /* pointer */
  CncMapDrag            drag;
  double                drag_x, drag_y;
  double                pan_x0, pan_y0;
  gboolean              space_down;
  double                pinch_scale;
  GHashTable           *collapsed_ids;  /* model ids, kept across reloads */
  gboolean              fold_pending;   /* fold large subtrees once the pane's height is known */
};

/* cnc-map-view.c */
CncModelSet *_cnc_map_view_get_set          (CncMapView *self);
void         _cnc_map_view_invalidate       (CncMapView *self);
void         _cnc_map_view_notify_zoom      (CncMapView *self);
void         _cnc_map_view_update_flags     (CncMapView *self);
void         _cnc_map_view_set_focus_model  (CncMapView *self, guint index);
void         _cnc_map_view_toggle_collapsed (CncMapView *self, guint index);
/* Folds the largest subtrees until each row gets a readable height in a pane @height high. */
gboolean     _cnc_map_view_fold_to_fit     (CncMapView *self, int height);

/* cnc-map-view-zoom.c */
/* Fits the view to the widget's size when it changed (or was reset: last_w < 0), keeping the user's zoom. */
void         _cnc_map_view_ensure_view      (CncMapView *self);
void         _cnc_map_view_clamp_view       (CncMapView *self);
/* Zooms so that rows are @row_px apart, within the zoom's bounds (the offset is the caller's). */
void         _cnc_map_view_zoom_to_rows     (CncMapView *self, double row_px);
void         _cnc_map_view_center_on        (CncMapView *self, guint index);
/* Scrolls just enough for @index to be inside the pane. */
void         _cnc_map_view_scroll_to        (CncMapView *self, guint index);
/* The wheel (Ctrl: zoom) and pinch. */
void         _cnc_map_view_add_zoom_controllers (CncMapView *self);

/* cnc-map-view-minimap.c: the overview, shown when the graph is larger than the pane */
gboolean     _cnc_map_view_minimap_needed   (CncMapView *self);
gboolean     _cnc_map_view_in_minimap       (CncMapView *self, double x, double y);
void         _cnc_map_view_draw_minimap     (CncMapView *self, cairo_t *cr, const CncChartStyle *style);
/* Centres the view on the place of the overview at (x, y). */
void         _cnc_map_view_minimap_jump     (CncMapView *self, double x, double y);

/* cnc-map-view-actions.c: the "map." actions and their keys */
void         _cnc_map_view_class_add_actions (GtkWidgetClass *widget_class);
/* The actions act only when there are models. */
void         _cnc_map_view_update_actions   (CncMapView *self);

G_END_DECLS
