/* cnc-chart-loss.c
 * The training loss chart, drawn the same way in the Selection panel and wherever else a loss curve is shown.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cnc-chart-loss.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static double *
doubles_of (JsonObject *o,
            const char *name,
            guint      *n)
{
  JsonArray *a = json_object_has_member (o, name) ? json_object_get_array_member (o, name) : NULL;
  double *out;

  *n = a ? json_array_get_length (a) : 0;
  out = g_new (double, MAX (*n, 1));
  for (guint i = 0; i < *n; i++)
    out[i] = json_array_get_double_element (a, i);
  return out;
}

gboolean
cnc_chart_loss_parse (const char       *json,
                      CncChartLossData *data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  memset (data, 0, sizeof *data);
  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  data->step_loss = doubles_of (o, "step_loss", &data->n_steps);
  data->epoch_loss = doubles_of (o, "epoch_loss", &data->n_epochs);
  data->log_every = (guint) json_object_get_int_member_with_default (o, "log_every", 50);
  data->batches = (guint) json_object_get_int_member_with_default (o, "batches", 0);
  return data->n_steps > 0 || data->n_epochs > 0;
}

void
cnc_chart_loss_clear (CncChartLossData *data)
{
  g_free ((double *) data->step_loss);
  g_free ((double *) data->epoch_loss);
  memset (data, 0, sizeof *data);
}

void
cnc_chart_loss_draw (cairo_t                *cr,
                     const CncChartStyle    *style,
                     const CncChartLossData *d,
                     double                  width,
                     double                  height)
{
  const double left = 48, right = 12, top = 8, bottom = 34;
  double batches = MAX (d->batches, (double) d->n_steps * MAX (d->log_every, 1));
  double hi = 0, lo = G_MAXDOUBLE, per_epoch;
  CncChartScale x = { 0, MAX (batches, 1), left, width - right, FALSE };
  CncChartScale y;

  if (width < left + right + 40 || height < top + bottom + 30 || (d->n_steps == 0 && d->n_epochs == 0))
    return;
  for (guint i = 0; i < d->n_steps; i++)
    if (isfinite (d->step_loss[i]))
      {
        hi = MAX (hi, d->step_loss[i]);
        lo = MIN (lo, d->step_loss[i]);
      }
  for (guint i = 0; i < d->n_epochs; i++)
    if (isfinite (d->epoch_loss[i]))
      {
        hi = MAX (hi, d->epoch_loss[i]);
        lo = MIN (lo, d->epoch_loss[i]);
      }
  if (lo > hi)
    return;
  y = (CncChartScale) { MIN (lo, 0), hi, height - bottom, top, FALSE };
  cnc_chart_scale_nice (&y, 4);
  cnc_chart_axis_draw (cr, style, &y, CNC_CHART_AXIS_LEFT, left, width - right, NULL, NULL, 4);
  cnc_chart_axis_draw (cr, style, &x, CNC_CHART_AXIS_BOTTOM, height - bottom, NAN, NULL, "batches", 5);

  /* Each run of log_every batches at its middle. */
  cairo_save (cr);
  cairo_rectangle (cr, left, top, width - left - right, height - top - bottom);
  cairo_clip (cr);
  cnc_colormap_set_source (cr, style->accent, 1);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < d->n_steps; i++)
    {
      double bx = cnc_chart_scale_map (&x, MIN ((i + 0.5) * d->log_every, batches));
      double by = cnc_chart_scale_map (&y, d->step_loss[i]);

      if (i == 0)
        cairo_move_to (cr, bx, by);
      else
        cairo_line_to (cr, bx, by);
    }
  cairo_stroke (cr);

  /* Each epoch's mean, a level across its batches. */
  per_epoch = d->n_epochs ? batches / d->n_epochs : 0;
  cnc_colormap_set_source (cr, style->foreground, 0.75);
  cairo_set_line_width (cr, 1);
  for (guint e = 0; e < d->n_epochs; e++)
    {
      double ey = cnc_chart_scale_map (&y, d->epoch_loss[e]);
      double x0 = cnc_chart_scale_map (&x, e * per_epoch), x1 = cnc_chart_scale_map (&x, (e + 1) * per_epoch);
      static const double dash[] = { 4, 3 };

      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, x0, ey);
      cairo_line_to (cr, x1, ey);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      {
        g_autofree char *label = g_strdup_printf ("epoch %u: %.4f", e + 1, d->epoch_loss[e]);
        cnc_chart_text (cr, style, label, x1 - 4, ey - 3, 1, 1, CNC_CHART_TEXT_SMALL | CNC_CHART_TEXT_HALO);
      }
    }
  cairo_restore (cr);
}
