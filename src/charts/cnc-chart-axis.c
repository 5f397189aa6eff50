/* cnc-chart-axis.c
 * What every chart shares: the style (colours, font), scales with nice ticks, axes, text.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-chart-axis.h"

#include <math.h>
#include <pango/pangocairo.h>

#include "core/analysis/cnc-metric-format.h"

static CncRgb
hex (guint32 v)
{
  CncRgb c = { ((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0 };
  return c;
}

void
cnc_chart_style_init (CncChartStyle *style, gboolean dark)
{
  g_return_if_fail (style != NULL);

  style->dark = dark;
  style->font_family = "Sans";
  style->font_size = 12;
  if (dark)
    {
      style->background = hex (0x1e1e1e);
      style->foreground = hex (0xebebeb);
      style->muted = hex (0xa3a3a3);
      style->grid = hex (0x3a3a3a);
      style->accent = hex (0x78aeed);
      style->edge = hex (0x8a8a8a);
    }
  else
    {
      style->background = hex (0xffffff);
      style->foreground = hex (0x1f1f1f);
      style->muted = hex (0x6a6a6a);
      style->grid = hex (0xe4e4e4);
      style->accent = hex (0x1c71d8);
      style->edge = hex (0x9a9a9a);
    }
}

/* ---- scales ------------------------------------------------------------------------------------ */

static double
domain_pos (const CncChartScale *s, double v)
{
  if (s->log)
    {
      double lo = log10 (MAX (s->lo, 1e-300)), hi = log10 (MAX (s->hi, 1e-300));
      return hi > lo ? (log10 (MAX (v, 1e-300)) - lo) / (hi - lo) : 0.5;
    }
  return s->hi > s->lo ? (v - s->lo) / (s->hi - s->lo) : 0.5;
}

double
cnc_chart_scale_map (const CncChartScale *scale, double value)
{
  g_return_val_if_fail (scale != NULL, NAN);
  return scale->px0 + domain_pos (scale, value) * (scale->px1 - scale->px0);
}

double
cnc_chart_scale_invert (const CncChartScale *scale, double px)
{
  double t;

  g_return_val_if_fail (scale != NULL, NAN);
  t = scale->px1 != scale->px0 ? (px - scale->px0) / (scale->px1 - scale->px0) : 0;
  if (scale->log)
    {
      double lo = log10 (MAX (scale->lo, 1e-300)), hi = log10 (MAX (scale->hi, 1e-300));
      return pow (10, lo + t * (hi - lo));
    }
  return scale->lo + t * (scale->hi - scale->lo);
}

static double
nice_step (double span, guint max_ticks)
{
  double raw = span / MAX (max_ticks, 1), mag = pow (10, floor (log10 (raw))), f = raw / mag;

  if (f <= 1)
    return mag;
  if (f <= 2)
    return 2 * mag;
  if (f <= 2.5)
    return 2.5 * mag;
  if (f <= 5)
    return 5 * mag;
  return 10 * mag;
}

void
cnc_chart_scale_nice (CncChartScale *scale, guint max_ticks)
{
  g_return_if_fail (scale != NULL);

  if (!isfinite (scale->lo) || !isfinite (scale->hi))
    {
      scale->lo = 0;
      scale->hi = 1;
    }
  if (scale->log)
    {
      if (scale->lo <= 0)
        scale->lo = scale->hi > 0 ? scale->hi / 1000 : 1;
      if (scale->hi <= scale->lo)
        scale->hi = scale->lo * 10;
      scale->lo = pow (10, floor (log10 (scale->lo) + 1e-9));
      scale->hi = pow (10, ceil (log10 (scale->hi) - 1e-9));
      if (scale->hi <= scale->lo)
        scale->hi = scale->lo * 10;
      return;
    }
  if (scale->hi <= scale->lo)
    {
      double pad = scale->lo != 0 ? fabs (scale->lo) * 0.1 : 1;
      scale->lo -= pad;
      scale->hi += pad;
    }
  {
    double step = nice_step (scale->hi - scale->lo, max_ticks);
    scale->lo = floor (scale->lo / step + 1e-9) * step;
    scale->hi = ceil (scale->hi / step - 1e-9) * step;
  }
}

GArray *
cnc_chart_ticks (const CncChartScale *scale, guint max_ticks)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  double lo, hi;

  g_return_val_if_fail (scale != NULL, ticks);
  lo = MIN (scale->lo, scale->hi);
  hi = MAX (scale->lo, scale->hi);
  if (!isfinite (lo) || !isfinite (hi))
    return ticks;
  if (scale->log && lo > 0)
    {
      int e0 = (int) floor (log10 (lo) - 1e-9), e1 = (int) ceil (log10 (hi) + 1e-9);
      int decades = e1 - e0;
      static const double sub[] = { 1, 2, 5 };
      guint n_sub = decades * 3 <= (int) max_ticks ? 3 : 1;
      int every = MAX (1, (decades + (int) max_ticks - 1) / MAX ((int) max_ticks, 1));

      for (int e = e0; e <= e1; e++)
        for (guint s = 0; s < n_sub; s++)
          {
            double v = sub[s] * pow (10, e);
            if (n_sub == 1 && (e - e0) % every != 0)
              continue;
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
              g_array_append_val (ticks, v);
          }
      return ticks;
    }
  {
    double step = nice_step (hi - lo > 0 ? hi - lo : 1, max_ticks);
    double first = ceil (lo / step - 1e-9) * step;

    for (double v = first; v <= hi + step * 1e-9; v += step)
      {
        double t = fabs (v) < step * 1e-9 ? 0 : v;
        g_array_append_val (ticks, t);
        if (ticks->len > 100)
          break;
      }
  }
  return ticks;
}

/* ---- text -------------------------------------------------------------------------------------- */

/* One PangoLayout per cairo_t, kept as its user data: making a layout costs more than laying out a label. */
static cairo_user_data_key_t layout_key;

static PangoLayout *
get_layout (cairo_t *cr, const CncChartStyle *style, const char *text, CncChartTextFlags flags)
{
  PangoLayout *layout = cairo_get_user_data (cr, &layout_key);
  PangoFontDescription *font;

  if (layout == NULL)
    {
      layout = pango_cairo_create_layout (cr);
      cairo_set_user_data (cr, &layout_key, layout, g_object_unref);
    }
  else
    pango_cairo_update_layout (cr, layout);
  font = pango_font_description_new ();
  pango_font_description_set_family_static (font, style->font_family);
  pango_font_description_set_absolute_size (font, (flags & CNC_CHART_TEXT_SMALL ? style->font_size * 0.85
                                                                                : style->font_size) * PANGO_SCALE);
  if (flags & CNC_CHART_TEXT_BOLD)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* Text sizes do not change from frame to frame: a small shared cache (any thread). */
G_LOCK_DEFINE_STATIC (sizes);
static GHashTable *sizes;

static char *
size_key (const CncChartStyle *style, const char *text, CncChartTextFlags flags)
{
  return g_strdup_printf ("%s\x1f%g\x1f%d\x1f%s", style->font_family, style->font_size, flags, text);
}

static gboolean
lookup_size (const char *key, int *w, int *h)
{
  int *v;

  G_LOCK (sizes);
  v = sizes ? g_hash_table_lookup (sizes, key) : NULL;
  if (v)
    {
      *w = v[0];
      *h = v[1];
    }
  G_UNLOCK (sizes);
  return v != NULL;
}

static void
store_size (char *key, int w, int h)
{
  int *v = g_new (int, 2);

  v[0] = w;
  v[1] = h;
  G_LOCK (sizes);
  if (sizes == NULL || g_hash_table_size (sizes) > 8192)
    {
      g_clear_pointer (&sizes, g_hash_table_unref);
      sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  g_hash_table_replace (sizes, key, v);
  G_UNLOCK (sizes);
}

static void
text_size (cairo_t *cr, const CncChartStyle *style, const char *text, CncChartTextFlags flags, int *w, int *h)
{
  char *key;

  flags &= ~CNC_CHART_TEXT_HALO;
  key = size_key (style, text, flags);
  if (lookup_size (key, w, h))
    {
      g_free (key);
      return;
    }
  pango_layout_get_pixel_size (get_layout (cr, style, text, flags), w, h);
  store_size (key, *w, *h);
}

/* Shaped labels, per thread: the same label is shaped once, not at every frame. */
static void
free_layouts (gpointer table)
{
  g_hash_table_unref (table);
}

static GPrivate shaped_layouts = G_PRIVATE_INIT (free_layouts);

static PangoLayout *
shaped_layout (cairo_t *cr, const CncChartStyle *style, const char *text, CncChartTextFlags flags)
{
  GHashTable *table = g_private_get (&shaped_layouts);
  g_autofree char *key = size_key (style, text, flags);
  PangoLayout *layout;

  if (table == NULL || g_hash_table_size (table) > 4096)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      g_private_replace (&shaped_layouts, table);
    }
  layout = g_hash_table_lookup (table, key);
  if (layout)
    {
      /* keeps the shaping unless the surface's font options or transform differ */
      pango_cairo_update_layout (cr, layout);
      return layout;
    }
  layout = pango_cairo_create_layout (cr);
  {
    PangoFontDescription *font = pango_font_description_new ();
    pango_font_description_set_family_static (font, style->font_family);
    pango_font_description_set_absolute_size (font, (flags & CNC_CHART_TEXT_SMALL ? style->font_size * 0.85
                                                                                  : style->font_size) * PANGO_SCALE);
    if (flags & CNC_CHART_TEXT_BOLD)
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description (layout, font);
    pango_font_description_free (font);
  }
  pango_layout_set_text (layout, text, -1);
  g_hash_table_insert (table, g_steal_pointer (&key), layout);
  return layout;
}

double
cnc_chart_text (cairo_t *cr, const CncChartStyle *style, const char *text,
                double x, double y, double ax, double ay, CncChartTextFlags flags)
{
  PangoLayout *layout;
  int w, h;

  if (text == NULL || *text == '\0')
    return 0;
  layout = shaped_layout (cr, style, text, flags & ~CNC_CHART_TEXT_HALO);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (x - ax * w), round (y - ay * h));
  if (flags & CNC_CHART_TEXT_HALO)
    {
      /* a soft patch of the background under the text (cheaper than outlining the glyphs) */
      cairo_pattern_t *source = cairo_pattern_reference (cairo_get_source (cr));

      cnc_chart_rounded_rect (cr, round (x - ax * w) - 2, round (y - ay * h) + 1, w + 4, h - 1, 3);
      cnc_colormap_set_source (cr, style->background, 0.8);
      cairo_fill (cr);
      cairo_set_source (cr, source);
      cairo_pattern_destroy (source);
      cairo_move_to (cr, round (x - ax * w), round (y - ay * h));
    }
  pango_cairo_show_layout (cr, layout);
  return w;
}

double
cnc_chart_text_width (cairo_t *cr, const CncChartStyle *style, const char *text,
                      CncChartTextFlags flags, double *height)
{
  int w, h;

  text_size (cr, style, text ? text : "", flags, &w, &h);
  if (height)
    *height = h;
  return w;
}

char *
cnc_chart_text_fit (cairo_t *cr, const CncChartStyle *style, const char *text,
                    double max_width, CncChartTextFlags flags)
{
  glong len;

  if (text == NULL)
    return g_strdup ("");
  if (cnc_chart_text_width (cr, style, text, flags, NULL) <= max_width)
    return g_strdup (text);
  len = g_utf8_strlen (text, -1);
  /* binary search on the number of characters kept */
  {
    glong lo = 0, hi = len;
    while (lo < hi)
      {
        glong mid = (lo + hi + 1) / 2;
        g_autofree char *head = g_utf8_substring (text, 0, mid);
        g_autofree char *try = g_strconcat (head, "…", NULL);
        if (cnc_chart_text_width (cr, style, try, flags, NULL) <= max_width)
          lo = mid;
        else
          hi = mid - 1;
      }
    if (lo == 0)
      return g_strdup ("");
    {
      g_autofree char *head = g_utf8_substring (text, 0, lo);
      return g_strconcat (head, "…", NULL);
    }
  }
}

void
cnc_chart_rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r)
{
  r = MIN (r, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* ---- axes -------------------------------------------------------------------------------------- */

static char *
tick_label (const CncMetric *metric, double v)
{
  if (metric)
    return cnc_metric_format_value (metric, v);
  {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.4g", v));
  }
}

void
cnc_chart_axis_draw (cairo_t             *cr,
                     const CncChartStyle *style,
                     const CncChartScale *scale,
                     CncChartAxisSide     side,
                     double               at,
                     double               grid_to,
                     const CncMetric     *metric,
                     const char          *title,
                     guint                max_ticks)
{
  g_autoptr(GArray) ticks = cnc_chart_ticks (scale, max_ticks);
  double max_label = 0, last_end = -INFINITY;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);

  /* grid */
  if (!isnan (grid_to))
    {
      cnc_colormap_set_source (cr, style->grid, 1);
      for (guint i = 0; i < ticks->len; i++)
        {
          double p = round (cnc_chart_scale_map (scale, g_array_index (ticks, double, i))) + 0.5;
          if (side == CNC_CHART_AXIS_BOTTOM)
            {
              cairo_move_to (cr, p, at);
              cairo_line_to (cr, p, grid_to);
            }
          else
            {
              cairo_move_to (cr, at, p);
              cairo_line_to (cr, grid_to, p);
            }
        }
      cairo_stroke (cr);
    }

  /* axis line */
  cnc_colormap_set_source (cr, style->muted, 1);
  if (side == CNC_CHART_AXIS_BOTTOM)
    {
      cairo_move_to (cr, MIN (scale->px0, scale->px1), round (at) + 0.5);
      cairo_line_to (cr, MAX (scale->px0, scale->px1), round (at) + 0.5);
    }
  else
    {
      cairo_move_to (cr, round (at) + 0.5, MIN (scale->px0, scale->px1));
      cairo_line_to (cr, round (at) + 0.5, MAX (scale->px0, scale->px1));
    }
  cairo_stroke (cr);

  /* ticks and labels; labels that would collide with the previous one are skipped */
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i);
      double p = round (cnc_chart_scale_map (scale, v)) + 0.5;
      g_autofree char *label = tick_label (metric, v);
      double h, w = cnc_chart_text_width (cr, style, label, CNC_CHART_TEXT_SMALL, &h);

      cnc_colormap_set_source (cr, style->muted, 1);
      if (side == CNC_CHART_AXIS_BOTTOM)
        {
          cairo_move_to (cr, p, at);
          cairo_line_to (cr, p, at + 4);
          cairo_stroke (cr);
          if (p - w / 2 < last_end + 6)
            continue;
          cnc_colormap_set_source (cr, style->foreground, 0.8);
          cnc_chart_text (cr, style, label, p, at + 6, 0.5, 0, CNC_CHART_TEXT_SMALL);
          last_end = p + w / 2;
        }
      else
        {
          cairo_move_to (cr, at - 4, p);
          cairo_line_to (cr, at, p);
          cairo_stroke (cr);
          if (fabs (p - last_end) < h + 2)
            continue;
          cnc_colormap_set_source (cr, style->foreground, 0.8);
          cnc_chart_text (cr, style, label, at - 6, p, 1, 0.5, CNC_CHART_TEXT_SMALL);
          last_end = p;
          max_label = MAX (max_label, w);
        }
    }

  if (title)
    {
      cnc_colormap_set_source (cr, style->foreground, 1);
      if (side == CNC_CHART_AXIS_BOTTOM)
        cnc_chart_text (cr, style, title, (scale->px0 + scale->px1) / 2, at + 6 + style->font_size * 1.3,
                        0.5, 0, CNC_CHART_TEXT_NORMAL);
      else
        {
          cairo_save (cr);
          cairo_translate (cr, at - 10 - max_label - style->font_size * 0.6, (scale->px0 + scale->px1) / 2);
          cairo_rotate (cr, -G_PI / 2);
          cnc_chart_text (cr, style, title, 0, 0, 0.5, 1, CNC_CHART_TEXT_NORMAL);
          cairo_restore (cr);
        }
    }
  cairo_restore (cr);
}

double
cnc_chart_color_legend (cairo_t *cr, const CncChartStyle *style, const CncMetric *metric,
                        double lo, double hi, double x, double y, double width)
{
  g_autofree char *title = NULL;
  g_autofree char *lo_text = NULL, *hi_text = NULL;
  double bar_y, bar_h = 10, th;
  gboolean higher = metric == NULL || metric->higher_is_better;
  cairo_pattern_t *grad;

  if (metric == NULL)
    return 0;
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);
  title = g_strdup_printf ("%s  (%s is better →)", metric->name, higher ? "higher" : "lower");
  cnc_colormap_set_source (cr, style->foreground, 1);
  cnc_chart_text (cr, style, title, x, y, 0, 0, CNC_CHART_TEXT_SMALL);
  bar_y = y + th + 3;

  /* worse on the left, better on the right, whichever way the numbers run */
  grad = cairo_pattern_create_linear (x, 0, x + width, 0);
  for (guint i = 0; i <= 10; i++)
    {
      CncRgb c = cnc_colormap_sequential (i / 10.0);
      cairo_pattern_add_color_stop_rgb (grad, i / 10.0, c.r, c.g, c.b);
    }
  cnc_chart_rounded_rect (cr, x, bar_y, width, bar_h, 2);
  cairo_set_source (cr, grad);
  cairo_fill_preserve (cr);
  cairo_pattern_destroy (grad);
  cnc_colormap_set_source (cr, style->muted, 0.8);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  lo_text = cnc_metric_format_value (metric, higher ? lo : hi);
  hi_text = cnc_metric_format_value (metric, higher ? hi : lo);
  cnc_colormap_set_source (cr, style->foreground, 0.85);
  cnc_chart_text (cr, style, lo_text, x, bar_y + bar_h + 2, 0, 0, CNC_CHART_TEXT_SMALL);
  cnc_chart_text (cr, style, hi_text, x + width, bar_y + bar_h + 2, 1, 0, CNC_CHART_TEXT_SMALL);
  return bar_y + bar_h + 2 + th - y;
}

void
cnc_chart_card_draw (cairo_t *cr, const CncChartStyle *style, double x, double y, double width, double height,
                     const char *title, const char *subtitle, const CncChartCardRow *rows, guint n_rows)
{
  double pad = 10, line_h, title_w, sub_w = 0, label_w = 0, value_w = 0, change_w = 0, w, h, cx, cy;
  g_autofree char *title_fit = cnc_chart_text_fit (cr, style, title, 420, CNC_CHART_TEXT_BOLD);
  g_autofree char *subtitle_fit = subtitle ? cnc_chart_text_fit (cr, style, subtitle, 420, CNC_CHART_TEXT_SMALL) : NULL;

  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &line_h);
  line_h += 2;
  title_w = cnc_chart_text_width (cr, style, title_fit, CNC_CHART_TEXT_BOLD, NULL);
  if (subtitle_fit)
    sub_w = cnc_chart_text_width (cr, style, subtitle_fit, CNC_CHART_TEXT_SMALL, NULL);
  for (guint i = 0; i < n_rows; i++)
    {
      label_w = MAX (label_w, cnc_chart_text_width (cr, style, rows[i].label, CNC_CHART_TEXT_SMALL, NULL));
      value_w = MAX (value_w, cnc_chart_text_width (cr, style, rows[i].value, CNC_CHART_TEXT_NORMAL, NULL));
      if (rows[i].change)
        change_w = MAX (change_w, cnc_chart_text_width (cr, style, rows[i].change, CNC_CHART_TEXT_SMALL, NULL));
    }
  w = MAX (MAX (title_w, sub_w), label_w + 14 + value_w + (change_w > 0 ? 12 + change_w : 0)) + 2 * pad;
  h = pad * 2 + line_h * (1 + (subtitle_fit ? 1 : 0)) + (n_rows ? 6 + n_rows * line_h : 0);

  /* beside the pointer, flipped to stay inside */
  cx = x + 16;
  cy = y + 16;
  if (cx + w > width - 4)
    cx = x - 16 - w;
  if (cy + h > height - 4)
    cy = height - 4 - h;
  cx = MAX (cx, 4);
  cy = MAX (cy, 4);

  cairo_save (cr);
  cnc_chart_rounded_rect (cr, cx + 1, cy + 2, w, h, 7);
  cairo_set_source_rgba (cr, 0, 0, 0, style->dark ? 0.5 : 0.12);
  cairo_fill (cr);
  cnc_chart_rounded_rect (cr, cx, cy, w, h, 7);
  cnc_colormap_set_source (cr, style->background, 0.98);
  cairo_fill_preserve (cr);
  cnc_colormap_set_source (cr, style->grid, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  cnc_colormap_set_source (cr, style->foreground, 1);
  cnc_chart_text (cr, style, title_fit, cx + pad, cy + pad, 0, 0, CNC_CHART_TEXT_BOLD);
  cy += pad + line_h;
  if (subtitle_fit)
    {
      cnc_colormap_set_source (cr, style->muted, 1);
      cnc_chart_text (cr, style, subtitle_fit, cx + pad, cy, 0, 0, CNC_CHART_TEXT_SMALL);
      cy += line_h;
    }
  cy += 6;
  for (guint i = 0; i < n_rows; i++)
    {
      double vx = cx + pad + label_w + 14;
      CncRgb better = cnc_colormap_diverging (1), worse = cnc_colormap_diverging (-1);

      if (style->dark)
        {
          better = cnc_colormap_diverging (0.7);
          worse = cnc_colormap_diverging (-0.7);
        }
      cnc_colormap_set_source (cr, style->muted, 1);
      cnc_chart_text (cr, style, rows[i].label, cx + pad, cy + line_h / 2, 0, 0.5, CNC_CHART_TEXT_SMALL);
      cnc_colormap_set_source (cr, style->foreground, 1);
      cnc_chart_text (cr, style, rows[i].value, vx + value_w, cy + line_h / 2, 1, 0.5, CNC_CHART_TEXT_NORMAL);
      if (rows[i].change)
        {
          if (rows[i].change_sign > 0)
            cnc_colormap_set_source (cr, better, 1);
          else if (rows[i].change_sign < 0)
            cnc_colormap_set_source (cr, worse, 1);
          else
            cnc_colormap_set_source (cr, style->muted, 1);
          cnc_chart_text (cr, style, rows[i].change, vx + value_w + 12, cy + line_h / 2, 0, 0.5,
                          CNC_CHART_TEXT_SMALL | (rows[i].change_sign ? CNC_CHART_TEXT_BOLD : 0));
        }
      cy += line_h;
    }
  cairo_restore (cr);
}

void
cnc_chart_nearest_init (CncChartNearest *nearest, double x, double y)
{
  *nearest = (CncChartNearest) { x, y, INFINITY, G_MAXUINT };
}

void
cnc_chart_nearest_offer (CncChartNearest *nearest, guint mark, double mark_x, double mark_y, double reach)
{
  double dist = hypot (mark_x - nearest->x, mark_y - nearest->y);

  if (dist <= reach && dist < nearest->best)
    {
      nearest->best = dist;
      nearest->hit = mark;
    }
}

void
cnc_chart_stroke_on_halo (cairo_t *cr, const CncChartStyle *style, double halo_width, double line_width,
                          CncRgb color, double alpha)
{
  cairo_set_line_width (cr, halo_width);
  cnc_colormap_set_source (cr, style->background, 0.9);
  cairo_stroke_preserve (cr);
  cairo_set_line_width (cr, line_width);
  cnc_colormap_set_source (cr, color, alpha);
  cairo_stroke (cr);
}

void
cnc_chart_selection_rings (cairo_t *cr, const CncChartStyle *style, const CncChartRing *rings, guint n_rings)
{
  if (n_rings == 0)
    return;
  cairo_save (cr);
  cairo_new_path (cr);
  for (guint k = 0; k < n_rings; k++)
    {
      cairo_new_sub_path (cr);
      cairo_arc (cr, rings[k].x, rings[k].y, rings[k].radius, 0, 2 * G_PI);
    }
  cnc_chart_stroke_on_halo (cr, style, 4.5, 2.2, style->accent, 1);
  cairo_restore (cr);
}
