/* cnc-map-view-minimap.c
 * The provenance map's overview: the whole graph in the corner with the part in view framed, shown when the
 * graph is larger than the pane; a press or drag on it moves the view there.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-map-view"

#include "cnc-map-view-private.h"

#define MINIMAP_W       180.0
#define MINIMAP_H       110.0
#define MINIMAP_MARGIN  10.0

gboolean
_cnc_map_view_minimap_needed (CncMapView *self)
{
  const CncLineageLayout *l = self->layout;
  CncChartMapView *v = &self->view;

  if (!self->show_minimap || l == NULL || l->n_rows == 0)
    return FALSE;
  return (l->n_columns - 1) * v->column_px > v->width - 60
         || (l->n_rows - 1) * v->row_px > v->height - v->header_height - 40;
}

static void
minimap_rect (CncMapView *self, double *x, double *y)
{
  *x = self->view.width - MINIMAP_W - MINIMAP_MARGIN;
  *y = self->view.height - MINIMAP_H - MINIMAP_MARGIN;
}

void
_cnc_map_view_draw_minimap (CncMapView *self, cairo_t *cr, const CncChartStyle *style)
{
  double mx, my;
  CncChartMapView *mv = &self->minimap_view, *v = &self->view;

  minimap_rect (self, &mx, &my);
  if (self->minimap == NULL)
    {
      CncChartMapData d = self->data;
      cairo_t *mcr;

      d.labels = NULL;
      cnc_chart_map_fit (&d, MINIMAP_W, MINIMAP_H, 0, FALSE, mv);
      /* tighter margins than a full pane */
      mv->x0 = 8;
      mv->column_px = self->layout->n_columns > 1 ? (MINIMAP_W - 16) / (self->layout->n_columns - 1) : 0;
      mv->y0 = 6;
      mv->row_px = self->layout->n_rows > 1 ? (MINIMAP_H - 12) / (self->layout->n_rows - 1) : 0;
      mv->row_px = CLAMP (mv->row_px, 1e-3, 9);
      self->minimap = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MINIMAP_W, MINIMAP_H);
      mcr = cairo_create (self->minimap);
      cnc_chart_map_draw (mcr, style, &d, mv);
      cairo_destroy (mcr);
    }
  cairo_save (cr);
  cnc_chart_rounded_rect (cr, mx - 1, my - 1, MINIMAP_W + 2, MINIMAP_H + 2, 5);
  cairo_set_source_rgba (cr, 0, 0, 0, style->dark ? 0.6 : 0.18);
  cairo_fill (cr);
  cairo_set_source_surface (cr, self->minimap, mx, my);
  cairo_paint_with_alpha (cr, 0.95);
  cairo_rectangle (cr, mx + 0.5, my + 0.5, MINIMAP_W - 1, MINIMAP_H - 1);
  cnc_colormap_set_source (cr, style->muted, 0.6);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  /* the part in view */
  {
    double c0 = (0 - v->x0) / v->column_px, c1 = (v->width - v->x0) / v->column_px;
    double r0 = (v->header_height - v->y0) / v->row_px, r1 = (v->height - v->y0) / v->row_px;
    double x0 = mx + mv->x0 + c0 * mv->column_px, x1 = mx + mv->x0 + c1 * mv->column_px;
    double y0 = my + mv->y0 + r0 * mv->row_px, y1 = my + mv->y0 + r1 * mv->row_px;

    x0 = CLAMP (x0, mx, mx + MINIMAP_W);
    x1 = CLAMP (x1, mx, mx + MINIMAP_W);
    y0 = CLAMP (y0, my, my + MINIMAP_H);
    y1 = CLAMP (y1, my, my + MINIMAP_H);
    cairo_rectangle (cr, x0, y0, MAX (x1 - x0, 2), MAX (y1 - y0, 2));
    cnc_colormap_set_source (cr, style->accent, 0.15);
    cairo_fill_preserve (cr);
    cnc_colormap_set_source (cr, style->accent, 1);
    cairo_set_line_width (cr, 1.5);
    cairo_stroke (cr);
  }
  cairo_restore (cr);
}

/* ---- input -------------------------------------------------------------------------------------------- */

gboolean
_cnc_map_view_in_minimap (CncMapView *self, double x, double y)
{
  double mx, my;

  if (!_cnc_map_view_minimap_needed (self))
    return FALSE;
  minimap_rect (self, &mx, &my);
  return x >= mx && x <= mx + MINIMAP_W && y >= my && y <= my + MINIMAP_H;
}

void
_cnc_map_view_minimap_jump (CncMapView *self, double x, double y)
{
  double mx, my, c, r;
  CncChartMapView *mv = &self->minimap_view, *v = &self->view;

  if (self->minimap == NULL || mv->column_px <= 0 || mv->row_px <= 0)
    return;
  minimap_rect (self, &mx, &my);
  c = (x - mx - mv->x0) / MAX (mv->column_px, 1e-6);
  r = (y - my - mv->y0) / mv->row_px;
  if (self->layout->n_columns <= 1)
    c = 0;
  v->x0 = v->width / 2 - c * v->column_px;
  v->y0 = (v->height + v->header_height) / 2 - r * v->row_px;
  self->fitted = FALSE;
  _cnc_map_view_clamp_view (self);
  _cnc_map_view_invalidate (self);
}
