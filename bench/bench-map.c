/* bench-map.c
 * Layout and frame time of the provenance map at 1,000 and 10,000 models, against the 16.7 ms frame budget.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-map"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "charts/cnc-chart-bars.h"
#include "charts/cnc-chart-histogram.h"
#include "charts/cnc-chart-map.h"
#include "charts/cnc-chart-scatter.h"
#include "core/analysis/cnc-lineage-layout.h"
#include "core/analysis/cnc-pareto.h"
#include "core/registry/cnc-cac-json.h"
#include "core/registry/cnc-workspace-differs.h"
#include "session/cnc-model-set.h"

#include <time.h>

#define PANE_W 1600
#define PANE_H 1000
#define FRAME_BUDGET_MS 16.7

/* ---- a realistic branching compression experiment, as a models.json ------------------------------------- */

typedef struct {
  char   *id;
  int     parent;
  char   *op;
  double  amount;       /* prune amount / bits / epochs */
  double  top1, top5, latency, size, sparsity;
  gboolean pruned_unrecovered;
  gboolean quantized;
  guint   depth;
} GenModel;

static void
gen_model_clear (gpointer p)
{
  GenModel *m = p;
  g_free (m->id);
  g_free (m->op);
}

static GenModel *
add_child (GArray *models, GRand *rand, guint parent, const char *op)
{
  GenModel c = { 0 };
  GenModel *p = &g_array_index (models, GenModel, parent);
  static const double amounts[] = { 0.3, 0.5, 0.7, 0.8, 0.9 };

  c = *p;
  c.parent = parent;
  c.op = g_strdup (op);
  c.depth = p->depth + 1;
  if (g_str_has_suffix (op, "prune"))
    {
      double a = amounts[g_rand_int_range (rand, 0, G_N_ELEMENTS (amounts))];
      double keep = 1 - a, drop = pow (a, 3.2) * (g_str_equal (op, "gradient prune") ? 0.75 : 0.95);
      c.amount = a;
      c.sparsity = 1 - (1 - p->sparsity) * keep;
      c.top1 = MAX (0.001, p->top1 * (1 - drop) * g_rand_double_range (rand, 0.97, 1.0));
      c.top5 = MIN (1, MAX (c.top1, p->top5 * (1 - drop * 0.7)));
      c.size = p->size * (0.35 + 0.65 * keep);
      c.latency = p->latency * g_rand_double_range (rand, 0.96, 1.02);
      c.pruned_unrecovered = TRUE;
    }
  else if (g_str_equal (op, "train"))
    {
      double epochs = (double) (5 * g_rand_int_range (rand, 1, 7));
      double ceiling = 0.81 - 0.25 * pow (p->sparsity, 6);
      c.amount = epochs;
      c.top1 = p->top1 + (ceiling - p->top1) * (1 - exp (-epochs / 8)) * g_rand_double_range (rand, 0.9, 1.0);
      c.top5 = MIN (0.99, c.top1 + 0.15 * (1 - c.top1) + 0.1);
      c.pruned_unrecovered = FALSE;
    }
  else if (g_str_equal (op, "quantize"))
    {
      c.amount = g_rand_boolean (rand) ? 8 : 4;
      c.top1 = p->top1 * (c.amount == 8 ? 0.985 : 0.9) * g_rand_double_range (rand, 0.98, 1.0);
      c.top5 = MIN (1, p->top5 * 0.99);
      c.size = p->size * c.amount / 32;
      c.latency = p->latency * (c.amount == 8 ? 0.42 : 0.35);
      c.quantized = TRUE;
    }
  else /* calibrate */
    {
      c.amount = (double) (32 * g_rand_int_range (rand, 1, 5));
      c.top1 = MIN (0.82, p->top1 * g_rand_double_range (rand, 1.0, 1.03));
      c.top5 = MIN (1, p->top5 * 1.005);
    }
  c.id = g_strdup_printf ("%s-%u", g_array_index (models, GenModel, c.parent).id, models->len);
  g_array_append_val (models, c);
  return &g_array_index (models, GenModel, models->len - 1);
}

static const char *
next_operation (GRand *rand, const GenModel *m)
{
  double r = g_rand_double (rand);

  if (m->quantized)
    return r < 0.5 ? "calibrate" : "train";
  if (m->pruned_unrecovered)
    return r < 0.65 ? "train" : r < 0.8 ? "magnitude prune" : "quantize";
  if (m->depth == 0)
    return r < 0.55 ? "magnitude prune" : r < 0.8 ? "gradient prune" : r < 0.92 ? "quantize" : "train";
  return r < 0.45 ? "magnitude prune" : r < 0.6 ? "gradient prune" : r < 0.85 ? "quantize" : "train";
}

/* Writes a models.json of @n models into @path. */
static void
write_experiment (const char *path, guint n, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GArray) models = g_array_new (FALSE, FALSE, sizeof (GenModel));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  guint n_roots = MAX (1, n / 500), cursor = 0;

  g_array_set_clear_func (models, gen_model_clear);
  for (guint r = 0; r < n_roots; r++)
    {
      GenModel m = { 0 };
      m.id = g_strdup_printf ("resnet%s-seed%u", r % 2 ? "50" : "18", r);
      m.parent = -1;
      m.op = g_strdup ("train");
      m.amount = 90;
      m.top1 = g_rand_double_range (rand, 0.74, 0.81);
      m.top5 = m.top1 + 0.15;
      m.latency = r % 2 ? 19.0 : 8.5;
      m.size = r % 2 ? 102.5e6 : 46.8e6;
      g_array_append_val (models, m);
    }
  /* grow: every model so far is as likely to get the next child (a random recursive tree: a few roots, each
   * with many variants, each fine-tuned or compressed further), up to 7 steps deep */
  while (models->len < n)
    {
      guint i = g_rand_int_range (rand, 0, models->len);

      if (g_array_index (models, GenModel, i).depth >= 7)
        continue;
      add_child (models, rand, i, next_operation (rand, &g_array_index (models, GenModel, i)));
    }
  (void) cursor;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_array (b);
  {
    static const struct { const char *name, *format, *unit; double max; } metrics[] = {
      { "Top-1 Accuracy", ".2%", NULL, 1 }, { "Top-5 Accuracy", ".2%", NULL, 1 },
      { "Latency", NULL, "ms", NAN }, { "Model Size", ".2~s", NULL, NAN }, { "Sparsity", ".2%", NULL, 1 },
    };
    for (guint k = 0; k < G_N_ELEMENTS (metrics); k++)
      {
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "name");
        json_builder_add_string_value (b, metrics[k].name);
        json_builder_set_member_name (b, "primary");
        json_builder_add_boolean_value (b, TRUE);
        json_builder_set_member_name (b, "min");
        json_builder_add_double_value (b, 0);
        if (!isnan (metrics[k].max))
          {
            json_builder_set_member_name (b, "max");
            json_builder_add_double_value (b, metrics[k].max);
          }
        if (metrics[k].format)
          {
            json_builder_set_member_name (b, "format");
            json_builder_add_string_value (b, metrics[k].format);
          }
        if (metrics[k].unit)
          {
            json_builder_set_member_name (b, "unit");
            json_builder_add_string_value (b, metrics[k].unit);
          }
        json_builder_end_object (b);
      }
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "operations");
  json_builder_begin_array (b);
  {
    static const char * const ops[][2] = {
      { "train", "epochs" }, { "magnitude prune", "amount" }, { "gradient prune", "amount" },
      { "quantize", "bits" }, { "calibrate", "batches" },
    };
    for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
      {
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "name");
        json_builder_add_string_value (b, ops[k][0]);
        json_builder_set_member_name (b, "parameters");
        json_builder_begin_array (b);
        json_builder_add_string_value (b, ops[k][1]);
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; i < models->len; i++)
    {
      GenModel *m = &g_array_index (models, GenModel, i);
      const char *param = g_str_equal (m->op, "train") ? "epochs"
                          : g_str_has_suffix (m->op, "prune") ? "amount"
                          : g_str_equal (m->op, "quantize") ? "bits" : "batches";

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, m->id);
      json_builder_set_member_name (b, "base");
      if (m->parent < 0)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, g_array_index (models, GenModel, m->parent).id);
      json_builder_set_member_name (b, "operation");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, m->op);
      json_builder_set_member_name (b, "parameters");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, param);
      json_builder_add_double_value (b, m->amount);
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "metrics");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Top-1 Accuracy");
      json_builder_add_double_value (b, round (m->top1 * 1e4) / 1e4);
      json_builder_set_member_name (b, "Top-5 Accuracy");
      json_builder_add_double_value (b, round (MIN (1, m->top5) * 1e4) / 1e4);
      json_builder_set_member_name (b, "Latency");
      json_builder_add_double_value (b, round (m->latency * 100) / 100);
      json_builder_set_member_name (b, "Model Size");
      json_builder_add_double_value (b, round (m->size));
      json_builder_set_member_name (b, "Sparsity");
      json_builder_add_double_value (b, round (m->sparsity * 1e4) / 1e4);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  if (!json_generator_to_file (gen, path, &error))
    g_error ("%s", error->message);
}

/* The calling thread's CPU time in µs: this machine is shared, and CPU time does not count the time other
 * processes hold the cores. */
static gint64
cpu_time_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* ---- loading and timing ------------------------------------------------------------------------------------- */

static CncModelSet *
load (const char * const *json_paths, char **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-map-XXXXXX", &error);
  g_autofree char *ws_dir = g_build_filename (dir, "ws", NULL);
  g_autoptr(CncWorkspace) ws = cnc_workspace_open (ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  CncModelSet *set = cnc_model_set_new ();

  if (ws == NULL)
    g_error ("%s", error->message);
  for (guint k = 0; json_paths[k]; k++)
    if (!cnc_cac_json_import (ws, json_paths[k], NULL, &error))
      g_error ("%s", error->message);
  if (!cnc_model_set_load_sync (set, ws, &error))
    g_error ("%s", error->message);
  *dir_out = g_steal_pointer (&dir);
  return set;
}

typedef struct {
  guint        n;
  int         *parent, *teacher;
  const char **ops, **params;
  char       **labels;
  double      *color, *size;
  guint8      *flags;
} MapArrays;

static void
map_arrays_fill (MapArrays *a, CncModelSet *set)
{
  int cm = cnc_model_set_get_color_metric (set), sm = cnc_model_set_get_size_metric (set);
  double clo = 0, chi = 1, slo = 0, shi = 1;

  a->n = cnc_model_set_get_n_models (set);
  a->parent = g_new (int, a->n);
  a->teacher = g_new (int, a->n);
  a->ops = g_new (const char *, a->n);
  a->params = g_new (const char *, a->n);
  a->labels = g_new0 (char *, a->n + 1);
  a->color = g_new (double, a->n);
  a->size = g_new (double, a->n);
  a->flags = g_new0 (guint8, a->n);
  if (cm >= 0)
    cnc_model_set_get_range (set, cm, &clo, &chi);
  if (sm >= 0)
    cnc_model_set_get_range (set, sm, &slo, &shi);
  for (guint i = 0; i < a->n; i++)
    {
      const CncModel *m = cnc_model_set_get_model (set, i);
      guint p = cnc_model_set_get_parent (set, i), t = cnc_model_set_get_teacher (set, i);
      a->parent[i] = p == CNC_MODEL_NONE ? -1 : (int) p;
      a->teacher[i] = t == CNC_MODEL_NONE ? -1 : (int) t;
      a->ops[i] = m->operation;
      a->params[i] = m->parameters;
      a->labels[i] = cnc_lineage_format_parameters (m->parameters);
      a->color[i] = cm >= 0 ? cnc_colormap_normalize (cnc_model_set_get_metric (set, cm),
                                                      cnc_model_set_get_value (set, i, cm), clo, chi) : NAN;
      a->size[i] = sm >= 0 ? (cnc_model_set_get_value (set, i, sm) - slo) / MAX (shi - slo, 1e-12) : NAN;
    }
}

static void
map_arrays_clear (MapArrays *a)
{
  g_free (a->parent);
  g_free (a->teacher);
  g_free (a->ops);
  g_free (a->params);
  g_strfreev (a->labels);
  g_free (a->color);
  g_free (a->size);
  g_free (a->flags);
}

static CncLineageLayout *
make_layout (MapArrays *a, CncLineageLayoutMode mode)
{
  CncLineageInput in = { a->n, a->parent, a->teacher, a->ops, a->params, NULL };
  return cnc_lineage_layout_new (&in, mode);
}

/* As the map opens a workspace: the largest subtrees folded so that each row is readable (16 px). */
static CncLineageLayout *
make_folded_layout (MapArrays *a, double pane_height)
{
  CncLineageInput in = { a->n, a->parent, a->teacher, a->ops, a->params, NULL };
  g_autofree gboolean *fold = cnc_lineage_auto_collapse (&in, (guint) ((pane_height - 40 - 36 - 54) / 16));

  in.collapsed = fold;
  return cnc_lineage_layout_new (&in, CNC_LINEAGE_LAYOUT_BY_OPERATION);
}

/* Labels as the map shows them: what varies per model, what a column shares in its header. */
static void
fill_column_labels (MapArrays *a, CncLineageLayout *l)
{
  for (guint c = 0; c < l->n_columns; c++)
    {
      char *shared = NULL;
      g_auto(GStrv) labels = cnc_lineage_column_labels (l, c, a->params, &shared);

      for (guint k = 0; k < l->column_n_nodes[c]; k++)
        {
          guint i = l->column_nodes[c][k];
          g_free (a->labels[i]);
          a->labels[i] = g_strdup (labels[k]);
        }
      if (l->columns[c].detail == NULL)
        l->columns[c].detail = shared;
      else
        g_free (shared);
    }
}

static void
map_data (MapArrays *a, CncModelSet *set, const CncLineageLayout *layout, CncChartMapData *d)
{
  int cm = cnc_model_set_get_color_metric (set), sm = cnc_model_set_get_size_metric (set);

  *d = (CncChartMapData) { 0 };
  d->layout = layout;
  d->parent = a->parent;
  d->teacher = a->teacher;
  d->color = cm >= 0 ? a->color : NULL;
  d->size = sm >= 0 ? a->size : NULL;
  d->flags = a->flags;
  d->labels = (const char * const *) a->labels;
  if (cm >= 0)
    {
      d->color_metric = cnc_model_set_get_metric (set, cm);
      cnc_model_set_get_range (set, cm, &d->color_lo, &d->color_hi);
    }
  if (sm >= 0)
    {
      d->size_metric = cnc_model_set_get_metric (set, sm);
      cnc_model_set_get_range (set, sm, &d->size_lo, &d->size_hi);
    }
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median frame time (CPU time of the drawing thread); *best gets the fastest run. */
static double
time_draw_best (const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v, guint runs,
                double *best)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, PANE_W, PANE_H);
  double t[32];

  runs = MIN (runs, G_N_ELEMENTS (t));
  for (guint r = 0; r < runs; r++)
    {
      cairo_t *cr = cairo_create (s);
      gint64 t0 = cpu_time_us ();
      cnc_chart_map_draw (cr, style, d, v);
      cairo_surface_flush (s);
      t[r] = (cpu_time_us () - t0) / 1000.0;
      cairo_destroy (cr);
    }
  cairo_surface_destroy (s);
  {
    double m = median (t, runs);
    if (best)
      *best = t[0];   /* sorted by median () */
    return m;
  }
}

static void
print_frame (const char *what, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v)
{
  double best, med = time_draw_best (style, d, v, 21, &best);

  g_print ("        frame, %-22s median %6.2f ms (%.2fx of %.1f ms), best %6.2f ms (%.2fx)\n", what, med,
           med / FRAME_BUDGET_MS, FRAME_BUDGET_MS, best, best / FRAME_BUDGET_MS);
}

/* ---- pictures ------------------------------------------------------------------------------------------------ */

static void
write_png (cairo_surface_t *s, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  cairo_surface_write_to_png (s, path);
  g_print ("  wrote %s\n", path);
}

static void
png_map (const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v, const char *dir,
         const char *name, guint hover)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) v->width, (int) v->height);
  cairo_t *cr = cairo_create (s);

  cnc_chart_map_draw (cr, style, d, v);
  if (hover != G_MAXUINT)
    cnc_chart_map_draw_hover (cr, style, d, v, hover);
  cairo_destroy (cr);
  write_png (s, dir, name);
  cairo_surface_destroy (s);
}

static void
png_scatter (const CncChartStyle *style, CncModelSet *set, MapArrays *a, const char *dir, const char *name,
             gboolean x_log)
{
  int ym = cnc_model_set_find_metric (set, "Top-1 Accuracy"), xm = cnc_model_set_find_metric (set, "Latency");
  guint n = a->n;
  g_autofree double *x = g_new (double, n), *y = g_new (double, n), *vals = g_new (double, 2 * n);
  g_autoptr(GArray) front = NULL;
  gboolean higher[2];
  CncChartScatterData d = { 0 };
  CncChartScatterFrame f;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 560, 380);
  cairo_t *cr = cairo_create (s);
  int cm = cnc_model_set_get_color_metric (set);

  if (xm < 0)
    xm = cnc_model_set_find_metric (set, "Model Size");
  for (guint i = 0; i < n; i++)
    {
      x[i] = vals[2 * i] = cnc_model_set_get_value (set, i, xm);
      y[i] = vals[2 * i + 1] = cnc_model_set_get_value (set, i, ym);
    }
  higher[0] = cnc_model_set_get_metric (set, xm)->higher_is_better;
  higher[1] = cnc_model_set_get_metric (set, ym)->higher_is_better;
  front = cnc_pareto_front (vals, n, 2, higher, NULL);
  d.n = n;
  d.x = x;
  d.y = y;
  d.x_log = x_log;
  d.color = a->color;
  d.size = a->size;
  d.flags = a->flags;
  d.x_metric = cnc_model_set_get_metric (set, xm);
  d.y_metric = cnc_model_set_get_metric (set, ym);
  d.front = (guint *) front->data;
  d.n_front = front->len;
  if (cm >= 0 && cm != xm && cm != ym)
    {
      d.color_metric = cnc_model_set_get_metric (set, cm);
      cnc_model_set_get_range (set, cm, &d.color_lo, &d.color_hi);
    }
  cnc_chart_scatter_frame (cr, style, &d, 560, 380, &f);
  cnc_chart_scatter_draw (cr, style, &d, &f);
  if (front->len > 0)
    cnc_chart_scatter_draw_hover (cr, style, &d, &f, g_array_index (front, guint, front->len / 2));
  cairo_destroy (cr);
  write_png (s, dir, name);
  cairo_surface_destroy (s);
}

/* Bars for 2–16 models, grouped by what differs. */
static void
png_bars (const CncChartStyle *style, CncModelSet *set, const guint *models, guint n, const char *dir,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *ids = g_new (gint64, n);
  g_autoptr(CncDiffers) differs = NULL;
  CncChartBarsDesign design = { 0 };
  cairo_surface_t *s;
  cairo_t *cr;
  double y = 8;
  guint n_charts = 0;

  for (guint j = 0; j < n; j++)
    ids[j] = cnc_model_set_get_model (set, models[j])->id;
  differs = cnc_differs_compute (cnc_model_set_get_workspace (set), ids, n, &error);
  if (differs == NULL)
    {
      g_printerr ("  differs: %s\n", error->message);
      return;
    }
  cnc_chart_bars_design_from_differs (&design, differs, 0, 1);
  for (guint k = 0; k < cnc_model_set_get_n_metrics (set); k++)
    n_charts += cnc_model_set_get_metric (set, k)->primary;
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 420, 60 + n_charts * 200);
  cr = cairo_create (s);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_paint (cr);
  for (guint k = 0; k < cnc_model_set_get_n_metrics (set); k++)
    {
      g_autofree double *values = g_new (double, n);
      CncChartBarsData d = { 0 };
      double h;

      if (!cnc_model_set_get_metric (set, k)->primary)
        continue;
      for (guint j = 0; j < n; j++)
        values[j] = cnc_model_set_get_value (set, cnc_model_set_find_id (set, differs->models[j]), k);
      cnc_chart_bars_design_apply (&design, &d);
      d.metric = cnc_model_set_get_metric (set, k);
      d.values = values;
      d.hovered = G_MAXUINT;
      if (y == 8)
        y += cnc_chart_bars_legend (cr, style, &d, 8, y, 404) + 4;
      h = cnc_chart_bars_height (cr, style, &d);
      cnc_chart_bars_draw (cr, style, &d, 8, y, 404, h, NULL);
      y += h + 14;
    }
  cnc_chart_bars_design_clear (&design);
  cairo_destroy (cr);
  write_png (s, dir, name);
  cairo_surface_destroy (s);
}

static void
png_histogram (const CncChartStyle *style, CncModelSet *set, const char *dir, const char *name)
{
  int m = cnc_model_set_find_metric (set, "Top-1 Accuracy");
  guint n = cnc_model_set_get_n_models (set), all[24], passing[24];
  g_autofree guint8 *mask = g_new (guint8, n);
  const double *v = cnc_model_set_get_values (set, m);
  CncChartHistogramData d = { 0 };
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 300, 120);
  cairo_t *cr = cairo_create (s);
  double lo, hi;

  cnc_model_set_get_range (set, m, &lo, &hi);
  d.brush_lo = lo + (hi - lo) * 0.55;
  d.brush_hi = hi;
  d.n_passing = 0;
  for (guint i = 0; i < n; i++)
    {
      mask[i] = v[i] >= d.brush_lo && v[i] <= d.brush_hi;
      d.n_passing += mask[i];
    }
  cnc_chart_histogram_bin (v, NULL, n, lo, hi, FALSE, 24, all);
  cnc_chart_histogram_bin (v, mask, n, lo, hi, FALSE, 24, passing);
  d.metric = cnc_model_set_get_metric (set, m);
  d.n_bins = 24;
  d.all = all;
  d.passing = passing;
  d.lo = lo;
  d.hi = hi;
  d.has_brush = TRUE;
  d.n_total = n;
  cnc_chart_histogram_draw (cr, style, &d, 300, 120, NULL);
  cairo_destroy (cr);
  write_png (s, dir, name);
  cairo_surface_destroy (s);
}

/* Some models to compare: a root's prunes and their fine-tuned children (amount × retrained). */
static GArray *
pick_comparison (CncModelSet *set)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n = cnc_model_set_get_n_models (set);

  if (n <= 16)
    {
      for (guint i = 0; i < n; i++)
        g_array_append_val (out, i);
      return out;
    }
  for (guint i = 0; i < n && out->len < 6; i++)
    {
      const CncModel *m = cnc_model_set_get_model (set, i);
      guint n_children;
      const guint *children;

      if (m->operation == NULL || !g_str_equal (m->operation, "magnitude prune")
          || cnc_model_set_get_parent (set, i) == CNC_MODEL_NONE
          || cnc_model_set_get_parent (set, cnc_model_set_get_parent (set, i)) != CNC_MODEL_NONE)
        continue;
      children = cnc_model_set_get_children (set, i, &n_children);
      for (guint k = 0; k < n_children; k++)
        {
          const CncModel *c = cnc_model_set_get_model (set, children[k]);
          if (c->operation && g_str_equal (c->operation, "train"))
            {
              g_array_append_val (out, i);
              g_array_append_val (out, children[k]);
              break;
            }
        }
    }
  return out;
}

static void
pictures (CncModelSet *set, const char *dir, const char *tag)
{
  MapArrays a = { 0 };
  CncChartStyle light, dark;
  g_autoptr(CncLineageLayout) by_op = NULL, by_step = NULL;
  g_autoptr(GArray) pick = NULL;
  CncChartMapData d;
  CncChartMapView v;
  g_autofree char *name = NULL;

  cnc_chart_style_init (&light, FALSE);
  cnc_chart_style_init (&dark, TRUE);
  map_arrays_fill (&a, set);
  by_op = make_layout (&a, CNC_LINEAGE_LAYOUT_BY_OPERATION);
  by_step = make_layout (&a, CNC_LINEAGE_LAYOUT_BY_STEP);
  pick = pick_comparison (set);
  for (guint k = 0; k < pick->len; k++)
    a.flags[g_array_index (pick, guint, k)] |= CNC_CHART_MAP_SELECTED;

  fill_column_labels (&a, by_op);
  map_data (&a, set, by_op, &d);
  cnc_chart_map_fit (&d, PANE_W * 0.66, PANE_H * 0.8, CNC_CHART_MAP_HEADER_PX, TRUE, &v);
  name = g_strdup_printf ("map-%s-by-operation.png", tag);
  png_map (&light, &d, &v, dir, name, a.n > 3 ? 3 : G_MAXUINT);
  g_free (name);
  name = g_strdup_printf ("map-%s-by-operation-dark.png", tag);
  png_map (&dark, &d, &v, dir, name, G_MAXUINT);
  g_free (name);
  /* 1:1 zoom, the top-left of the graph */
  v.column_px = CNC_CHART_MAP_COLUMN_PX;
  v.row_px = CNC_CHART_MAP_ROW_PX;
  v.x0 = 40;
  v.y0 = CNC_CHART_MAP_HEADER_PX + 26;
  name = g_strdup_printf ("map-%s-1to1.png", tag);
  png_map (&light, &d, &v, dir, name, G_MAXUINT);

  {
    g_autoptr(CncLineageLayout) folded = make_folded_layout (&a, PANE_H * 0.8);
    fill_column_labels (&a, folded);
    map_data (&a, set, folded, &d);
    cnc_chart_map_fit (&d, PANE_W * 0.66, PANE_H * 0.8, CNC_CHART_MAP_HEADER_PX, TRUE, &v);
    g_free (name);
    name = g_strdup_printf ("map-%s-folded.png", tag);
    png_map (&light, &d, &v, dir, name, G_MAXUINT);
  }

  fill_column_labels (&a, by_step);
  map_data (&a, set, by_step, &d);
  cnc_chart_map_fit (&d, PANE_W * 0.66, PANE_H * 0.8, CNC_CHART_MAP_HEADER_PX, TRUE, &v);
  g_free (name);
  name = g_strdup_printf ("map-%s-by-step.png", tag);
  png_map (&light, &d, &v, dir, name, G_MAXUINT);
  g_free (name);

  name = g_strdup_printf ("scatter-%s.png", tag);
  png_scatter (&light, set, &a, dir, name, FALSE);
  g_free (name);
  name = g_strdup_printf ("scatter-%s-dark-logx.png", tag);
  png_scatter (&dark, set, &a, dir, name, TRUE);
  g_free (name);
  if (pick->len >= 2)
    {
      name = g_strdup_printf ("bars-%s.png", tag);
      png_bars (&light, set, (guint *) pick->data, MIN (pick->len, 16), dir, name);
      g_free (name);
    }
  name = g_strdup_printf ("histogram-%s.png", tag);
  png_histogram (&light, set, dir, name);
  map_arrays_clear (&a);
}

/* ---- main ----------------------------------------------------------------------------------------------------- */

static void
bench (guint n, const char *png_dir)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-map-gen-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (dir, "models.json", NULL);
  const char *paths[] = { json, NULL };
  g_autofree char *ws_dir = NULL;
  g_autoptr(CncModelSet) set = NULL;
  MapArrays a = { 0 };
  CncChartStyle style;
  double t_layout[2][9];
  CncLineageLayout *layout = NULL;
  CncChartMapData d;
  CncChartMapView v;
  gint64 t0;

  write_experiment (json, n, 1234 + n);
  t0 = g_get_monotonic_time ();
  set = load (paths, &ws_dir);
  g_print ("%6u models (import of the models.json and load: %.0f ms wall)\n", n,
           (g_get_monotonic_time () - t0) / 1000.0);
  map_arrays_fill (&a, set);
  cnc_chart_style_init (&style, FALSE);
  for (int mode = 0; mode < 2; mode++)
    for (guint r = 0; r < G_N_ELEMENTS (t_layout[mode]); r++)
      {
        t0 = cpu_time_us ();
        layout = make_layout (&a, mode);
        t_layout[mode][r] = (cpu_time_us () - t0) / 1000.0;
        if (r + 1 < G_N_ELEMENTS (t_layout[mode]) || mode == 0)
          g_clear_pointer (&layout, cnc_lineage_layout_free);
      }
  g_print ("        layout by step      %7.2f ms   (budget 100 ms: %.3fx)\n", median (t_layout[0], 9),
           median (t_layout[0], 9) / 100);
  g_print ("        layout by operation %7.2f ms   (budget 100 ms: %.3fx)   %u columns, %u rows\n",
           median (t_layout[1], 9), median (t_layout[1], 9) / 100, layout->n_columns, layout->n_rows);
  {
    double t_fold[9];
    CncLineageLayout *folded = NULL;
    for (guint r = 0; r < G_N_ELEMENTS (t_fold); r++)
      {
        t0 = cpu_time_us ();
        folded = make_folded_layout (&a, PANE_H);
        t_fold[r] = (cpu_time_us () - t0) / 1000.0;
        if (r + 1 < G_N_ELEMENTS (t_fold))
          g_clear_pointer (&folded, cnc_lineage_layout_free);
      }
    g_print ("        fold to fit + layout %6.2f ms   (as the map opens: %u rows, %u columns)\n",
             median (t_fold, 9), folded->n_rows, folded->n_columns);
    map_data (&a, set, folded, &d);
    cnc_chart_map_fit (&d, PANE_W, PANE_H, CNC_CHART_MAP_HEADER_PX, TRUE, &v);
    print_frame ("folded, fit", &style, &d, &v);
    cnc_lineage_layout_free (folded);
  }
  map_data (&a, set, layout, &d);
  cnc_chart_map_fit (&d, PANE_W, PANE_H, CNC_CHART_MAP_HEADER_PX, TRUE, &v);
  print_frame ("all expanded, fit", &style, &d, &v);
  {
    CncChartMapView one = v;
    one.column_px = CNC_CHART_MAP_COLUMN_PX;
    one.row_px = CNC_CHART_MAP_ROW_PX;
    one.x0 = 40;
    one.y0 = CNC_CHART_MAP_HEADER_PX + 26;
    print_frame ("all expanded, 1:1 top", &style, &d, &one);
    one.y0 = CNC_CHART_MAP_HEADER_PX + 18 - layout->n_rows * one.row_px / 2;   /* the middle */
    one.x0 = 40 - (layout->n_columns / 2.0) * one.column_px + PANE_W / 2.0;
    print_frame ("all expanded, 1:1 mid", &style, &d, &one);
  }
  if (png_dir)
    {
      g_autofree char *tag = g_strdup_printf ("n%u", n);
      pictures (set, png_dir, tag);
    }
  cnc_lineage_layout_free (layout);
  map_arrays_clear (&a);
  g_clear_object (&set);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s' '%s'", dir, ws_dir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", dir);
  }
}

int
main (int argc, char **argv)
{
  g_autofree char *png_dir = NULL;
  g_auto(GStrv) json = NULL;
  GOptionEntry entries[] = {
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png_dir, "Also write pictures of the charts into DIR", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &json, "Draw the charts of this models.json too", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— provenance map layout and frame times");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (json && png_dir)
    {
      g_autofree char *dir = NULL;
      g_autoptr(CncModelSet) set = load ((const char * const *) json, &dir);
      g_autofree char *tag = g_path_get_basename (json[0]);
      char *dot = strchr (tag, '.');

      if (dot)
        *dot = '\0';
      pictures (set, png_dir, tag);
      return 0;
    }
  g_print ("Provenance map: generated branching experiments imported through models.json, pane %dx%d\n"
           "(times are CPU time of the calling thread, medians of repeated runs)\n", PANE_W, PANE_H);
  bench (1000, png_dir);
  bench (10000, png_dir);
  return 0;
}
