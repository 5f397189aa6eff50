/* cnc-widget-util.c
 * Helpers the chart widgets share: the chart style from the widget's theme, textures from Cairo surfaces.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-widgets"

#include "cnc-widget-util.h"

void
cnc_widget_chart_style (GtkWidget *widget, CncChartStyle *style)
{
  GdkRGBA fg;
  gboolean dark;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* light text means a dark theme */
  dark = 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
  cnc_chart_style_init (style, dark);
}

GdkTexture *
cnc_widget_texture_from_surface (cairo_surface_t *surface)
{
  int w, h, stride;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (cairo_image_surface_get_format (surface) == CAIRO_FORMAT_ARGB32, NULL);
  cairo_surface_flush (surface);
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) stride * h);
  /* Cairo's ARGB32 is premultiplied native-endian: B8G8R8A8 on little-endian machines */
  return gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, stride);
}
