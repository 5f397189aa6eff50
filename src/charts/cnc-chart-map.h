/* cnc-chart-map.h
 * The provenance map drawn with Cairo: ribbons from parent to child, nodes coloured and sized by metrics,
 * column headers, legend; level of detail so that 10,000 models draw within a frame.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "charts/cnc-chart-axis.h"
#include "core/analysis/cnc-lineage-layout.h"

G_BEGIN_DECLS

typedef enum {
  CNC_CHART_MAP_SELECTED = 1 << 0,
  CNC_CHART_MAP_FADED    = 1 << 1,   /* filtered out */
  CNC_CHART_MAP_FOCUSED  = 1 << 2,   /* keyboard focus */
} CncChartMapFlags;

/* What to draw; arrays have layout->n_nodes entries and are borrowed. */
typedef struct {
  const CncLineageLayout *layout;
  const int          *parent;         /* base parent, -1 for roots */
  const int          *teacher;        /* distillation teacher, -1; may be NULL */
  const double       *color;          /* scale position in [0, 1] (1 = better), NAN = no value; NULL: one colour */
  const double       *size;           /* [0, 1]; NULL: one size */
  const guint8       *flags;          /* CncChartMapFlags; may be NULL */
  const char * const *labels;         /* shown beside each node when zoomed in (parameters); may be NULL */
  const CncMetric    *color_metric;   /* for the legend; NULL: none */
  double              color_lo, color_hi;
  const CncMetric    *size_metric;
  double              size_lo, size_hi;
} CncChartMapData;

/* Where to draw: column c's centre is at x0 + c·column_px, row r's at y0 + r·row_px (pane pixels). */
typedef struct {
  double   width, height;
  double   column_px, row_px;
  double   x0, y0;
  double   header_height;   /* the band at the top holding column headers; 0 for none */
  gboolean legend;
} CncChartMapView;

/* Readable spacing (the map's 1:1 zoom). */
#define CNC_CHART_MAP_COLUMN_PX 180.0
#define CNC_CHART_MAP_ROW_PX     28.0
#define CNC_CHART_MAP_HEADER_PX  40.0

/* Spacing and offsets that show the whole graph in width × height, using the space. */
void     cnc_chart_map_fit           (const CncChartMapData *data, double width, double height,
                                      double header_height, gboolean legend, CncChartMapView *view);
/* The height the legend takes at the bottom (reserved by fit). */
double   cnc_chart_map_legend_height (const CncChartMapData *data);

/* Everything that does not change with the pointer. */
void     cnc_chart_map_draw          (cairo_t *cr, const CncChartStyle *style,
                                      const CncChartMapData *data, const CncChartMapView *view);
/* The hovered model: a ring and its ribbon from the parent emphasised. */
void     cnc_chart_map_draw_hover    (cairo_t *cr, const CncChartStyle *style,
                                      const CncChartMapData *data, const CncChartMapView *view, guint node);

double   cnc_chart_map_node_radius   (const CncChartMapData *data, const CncChartMapView *view, guint node);
void     cnc_chart_map_node_position (const CncChartMapData *data, const CncChartMapView *view, guint node,
                                      double *x, double *y);
/* The visible node at (x, y) within its radius plus @slop px, or G_MAXUINT. */
guint    cnc_chart_map_hit           (const CncChartMapData *data, const CncChartMapView *view,
                                      double x, double y, double slop);
/* Visible nodes whose centre lies in the rectangle (any corner order). */
GArray  *cnc_chart_map_nodes_in_rect (const CncChartMapData *data, const CncChartMapView *view,
                                      double x0, double y0, double x1, double y1);
/* The column whose header is at (x, y), or -1. */
int      cnc_chart_map_header_at     (const CncChartMapData *data, const CncChartMapView *view,
                                      double x, double y);

G_END_DECLS
