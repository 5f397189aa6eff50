/* cnc-widget-util.h
 * Helpers the chart widgets share: the chart style from the widget's theme, textures from Cairo surfaces.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "charts/cnc-chart-axis.h"

G_BEGIN_DECLS

/* Light or dark from the widget's text colour; the font family from GtkSettings. */
void        cnc_widget_chart_style          (GtkWidget *widget, CncChartStyle *style);
/* A texture holding a copy of an ARGB32 image surface. */
GdkTexture *cnc_widget_texture_from_surface (cairo_surface_t *surface);

G_END_DECLS
