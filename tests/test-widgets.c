/* test-widgets.c
 * Tests of the chart widgets under a display (xvfb-run): what the map draws, selection by click, keys and
 * lineage, filters, the scatterplot's frontier and rubber band, the comparison's design and clicks on its bars.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-widgets"

#include <gtk/gtk.h>
#include <math.h>

#include "charts/cnc-colormap.h"
#include "core/analysis/cnc-pareto.h"
#include "core/registry/cnc-cac-json.h"
#include "cnc-test-util.h"
#include "widgets/cnc-bars-view.h"
#include "widgets/cnc-histogram-view.h"
#include "widgets/cnc-map-view.h"
#include "session/cnc-model-set.h"
#include "widgets/cnc-scatter-view.h"

/* base → p50 → p50ft; base → p90 → p90ft; base → q8 → q8p → q8pft.
 * Latency (lower is better) and accuracy (higher is better), worked out by hand:
 *   base (20, .80) p50 (19, .78) p50ft (19, .80) p90 (18, .30) p90ft (18, .70) q8 (8, .79) q8p (7.5, .60)
 *   q8pft (7.5, .75)
 *   front: p50ft (nothing at ≤ 19 ms reaches .80), q8 (nothing at ≤ 8 ms reaches .79), q8pft (fastest, best of
 *   the fastest); base is dominated by p50ft, p50 and p90ft by q8, p90 by q8, q8p by q8pft.
 *   With accuracy ≥ .76 only base, p50, p50ft, q8 remain: front p50ft, q8. */
static const char models_json[] =
  "{\"metrics\": ["
  " {\"name\": \"Top-1 Accuracy\", \"primary\": true, \"format\": \".2%\", \"min\": 0, \"max\": 1},"
  " {\"name\": \"Latency\", \"primary\": true, \"unit\": \"ms\", \"min\": 0},"
  " {\"name\": \"Model Size\", \"primary\": true, \"format\": \".2~s\", \"min\": 0}],"
  "\"operations\": [{\"name\": \"train\", \"parameters\": [\"epochs\"]},"
  " {\"name\": \"magnitude prune\", \"parameters\": [\"amount\"]},"
  " {\"name\": \"quantize\", \"parameters\": [\"bits\"]}],"
  "\"models\": ["
  " {\"id\": \"base\", \"base\": null, \"operation\": {\"name\": \"train\", \"parameters\": {\"epochs\": 90}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.80, \"Latency\": 20, \"Model Size\": 100e6}},"
  " {\"id\": \"p50\", \"base\": \"base\", \"operation\": {\"name\": \"magnitude prune\", \"parameters\": {\"amount\": 0.5}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.78, \"Latency\": 19, \"Model Size\": 60e6}},"
  " {\"id\": \"p50ft\", \"base\": \"p50\", \"operation\": {\"name\": \"train\", \"parameters\": {\"epochs\": 5}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.80, \"Latency\": 19, \"Model Size\": 60e6}},"
  " {\"id\": \"p90\", \"base\": \"base\", \"operation\": {\"name\": \"magnitude prune\", \"parameters\": {\"amount\": 0.9}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.30, \"Latency\": 18, \"Model Size\": 20e6}},"
  " {\"id\": \"p90ft\", \"base\": \"p90\", \"operation\": {\"name\": \"train\", \"parameters\": {\"epochs\": 5}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.70, \"Latency\": 18, \"Model Size\": 20e6}},"
  " {\"id\": \"q8\", \"base\": \"base\", \"operation\": {\"name\": \"quantize\", \"parameters\": {\"bits\": 8}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.79, \"Latency\": 8, \"Model Size\": 25e6}},"
  " {\"id\": \"q8p\", \"base\": \"q8\", \"operation\": {\"name\": \"magnitude prune\", \"parameters\": {\"amount\": 0.5}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.60, \"Latency\": 7.5, \"Model Size\": 15e6}},"
  " {\"id\": \"q8pft\", \"base\": \"q8p\", \"operation\": {\"name\": \"train\", \"parameters\": {\"epochs\": 5}},"
  "  \"metrics\": {\"Top-1 Accuracy\": 0.75, \"Latency\": 7.5, \"Model Size\": 15e6}}"
  "]}";

typedef struct {
  char         *dir;
  CncWorkspace *workspace;
  CncModelSet  *set;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL, *ws_dir = NULL;

  f->dir = cnc_test_tmpdir ("test-widgets");
  json = cnc_test_write_file (f->dir, "models.json", models_json);
  ws_dir = g_build_filename (f->dir, "ws", NULL);
  f->workspace = cnc_workspace_open (ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (cnc_cac_json_import (f->workspace, json, NULL, &error));
  g_assert_no_error (error);
  f->set = cnc_model_set_new ();
  g_assert_true (cnc_model_set_load_sync (f->set, f->workspace, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cnc_model_set_get_n_models (f->set), ==, 8);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->set);
  g_clear_object (&f->workspace);
  cnc_test_rmtree (f->dir);
  g_free (f->dir);
}

static guint
idx (Fixture *f, const char *name)
{
  guint i = cnc_model_set_find_name (f->set, name);
  g_assert_cmpuint (i, !=, CNC_MODEL_NONE);
  return i;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static char *
sorted_names (CncModelSet *set)
{
  g_autoptr(GArray) sel = cnc_model_set_get_selection (set);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint k = 0; k < sel->len; k++)
    g_ptr_array_add (names, cnc_model_set_get_model (set, g_array_index (sel, guint, k))->name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static void
test_lineage_selection (Fixture *f, gconstpointer data)
{
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

  cnc_model_set_select_one (f->set, idx (f, "q8pft"));
  cnc_model_set_add_ancestors (f->set);
  a = sorted_names (f->set);
  g_assert_cmpstr (a, ==, "base,q8,q8p,q8pft");

  cnc_model_set_select_one (f->set, idx (f, "q8"));
  cnc_model_set_add_descendants (f->set);
  b = sorted_names (f->set);
  g_assert_cmpstr (b, ==, "q8,q8p,q8pft");

  cnc_model_set_select_one (f->set, idx (f, "p50"));
  cnc_model_set_add_parents (f->set);
  c = sorted_names (f->set);
  g_assert_cmpstr (c, ==, "base,p50");

  cnc_model_set_add_children (f->set);   /* of base and p50 */
  d = sorted_names (f->set);
  g_assert_cmpstr (d, ==, "base,p50,p50ft,p90,q8");

  /* a filter fades models: they leave the selection and cannot be selected */
  cnc_model_set_set_filter (f->set, cnc_model_set_find_metric (f->set, "Top-1 Accuracy"), 0.76, 1);
  g_assert_cmpuint (cnc_model_set_get_n_passing (f->set), ==, 4);
  e = sorted_names (f->set);
  g_assert_cmpstr (e, ==, "base,p50,p50ft,q8");
  cnc_model_set_toggle (f->set, idx (f, "p90"));
  g_assert_false (cnc_model_set_is_selected (f->set, idx (f, "p90")));
  cnc_model_set_select_all (f->set);
  g_assert_cmpuint (cnc_model_set_get_n_selected (f->set), ==, 4);
}

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer data);

static gboolean spin_until (gboolean (*done) (gpointer), gpointer data, guint ms);

/* Waits until @widget has been painted once more (after the X server has seen every request, and
 * with whatever layout, redraws and idles the test's last step queued run), so that what follows
 * sees it as drawn now, whatever the machine's speed. */
static void
settle (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong id;

  gdk_display_sync (gdk_display_get_default ());
  for (guint i = 0; i < 10000 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (widget);
  g_assert_true (spin_until (is_true, &painted, 60000));
  g_signal_handler_disconnect (clock, id);
}

/* Runs the main loop until @done holds; @ms only bounds a failing test (a condition that is never
 * met), so it is generous: a loaded or one-core machine takes its time. */
static gboolean
spin_until (gboolean (*done) (gpointer), gpointer data, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  return done (data);
}

/* The widget is shown at its window's size (the window was mapped and laid out). */
static gboolean
is_laid_out (gpointer data)
{
  GtkWidget *widget = data;
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (widget));
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) == width
         && gtk_widget_get_height (widget) == height;
}

static gboolean
nothing_hovered (gpointer data)
{
  return cnc_model_set_get_hovered (data) == CNC_MODEL_NONE;
}

typedef struct {
  CncModelSet *set;
  int          metric;
} FilterWatch;

/* A brush's filter has reached its end (the drag's last position, at the scale's top). */
static gboolean
filter_reaches_end (gpointer data)
{
  FilterWatch *w = data;
  double lo, hi;

  return cnc_model_set_get_filter (w->set, w->metric, &lo, &hi) && hi > 0.79;
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = data;

  g_assert_true (cnc_model_set_load_finish (CNC_MODEL_SET (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
count_signal (gpointer instance, gpointer data)
{
  (*(guint *) data)++;
}

/* Loading in a worker thread; a reload keeps the selection, filters and encodings by id and name. */
static void
test_load_async (Fixture *f, gconstpointer data)
{
  g_autoptr(CncModelSet) set = cnc_model_set_new ();
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  guint changed = 0;
  int acc;
  CncModel *extra = cnc_model_new ();

  g_signal_connect (set, "changed", G_CALLBACK (count_signal), &changed);
  cnc_model_set_load_async (set, f->workspace, NULL, on_loaded, &done);
  g_assert_true (cnc_model_set_get_loading (set));
  g_assert_true (spin_until (is_true, &done, 60000));
  g_assert_false (cnc_model_set_get_loading (set));
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (cnc_model_set_get_n_models (set), ==, 8);
  g_assert_cmpuint (cnc_model_set_get_n_metrics (set), ==, 3);
  /* the default colour is the first higher-is-better primary metric */
  acc = cnc_model_set_find_metric (set, "Top-1 Accuracy");
  g_assert_cmpint (cnc_model_set_get_color_metric (set), ==, acc);
  g_assert_cmpint (cnc_model_set_get_size_metric (set), ==, cnc_model_set_find_metric (set, "Model Size"));

  cnc_model_set_select_one (set, cnc_model_set_find_name (set, "q8p"));
  cnc_model_set_set_filter (set, acc, 0.5, 1);

  /* a model added in between: after the reload it is there, and q8p is still the one selected */
  extra->name = g_strdup ("extra");
  g_assert_true (cnc_workspace_begin (f->workspace, &error));
  g_assert_true (cnc_workspace_insert_model (f->workspace, extra, &error));
  g_assert_true (cnc_workspace_commit (f->workspace, &error));
  g_assert_no_error (error);
  cnc_model_free (extra);
  cnc_model_set_reload (set);
  while (cnc_model_set_get_loading (set))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpuint (cnc_model_set_get_n_models (set), ==, 9);
  g_assert_cmpuint (cnc_model_set_get_n_selected (set), ==, 1);
  g_assert_true (cnc_model_set_is_selected (set, cnc_model_set_find_name (set, "q8p")));
  g_assert_true (cnc_model_set_get_filter (set, acc, NULL, NULL));
  /* "extra" has no accuracy: it fails the filter */
  g_assert_false (cnc_model_set_passes_filters (set, cnc_model_set_find_name (set, "extra")));
  g_assert_cmpuint (cnc_model_set_get_n_passing (set), ==, 7);
}

/* ---- displays ------------------------------------------------------------------------------------------ */

static GtkWidget *
show_in_window (GtkWidget *child, int width, int height, const char *title)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (spin_until (is_laid_out, child, 60000));
  settle (child);
  return window;
}

/* What a widget draws, as an image. */
static cairo_surface_t *
render (GtkWidget *widget)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* With CNC_SHOTS_DIR set, keeps what was drawn for people to look at. */
static void
keep_shot (cairo_surface_t *image, const char *name)
{
  const char *dir = g_getenv ("CNC_SHOTS_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  cairo_surface_write_to_png (image, path);
}

static void
pixel_at (cairo_surface_t *s, double x, double y, double rgb[3])
{
  guint32 p = ((guint32 *) cairo_image_surface_get_data (s))[(int) y * cairo_image_surface_get_stride (s) / 4 + (int) x];

  rgb[0] = ((p >> 16) & 0xff) / 255.0;
  rgb[1] = ((p >> 8) & 0xff) / 255.0;
  rgb[2] = (p & 0xff) / 255.0;
}

static void
test_map_draws_models (Fixture *f, gconstpointer data)
{
  GtkWidget *map = cnc_map_view_new (f->set);
  GtkWidget *window = show_in_window (map, 900, 600, "cnc-test-map");
  int acc = cnc_model_set_find_metric (f->set, "Top-1 Accuracy");
  cairo_surface_t *image;
  double xs[8], ys[8];

  cnc_model_set_set_color_metric (f->set, acc);
  cnc_model_set_set_size_metric (f->set, -1);
  settle (map);
  image = render (map);
  /* every model is drawn where the map says, in its colour on the accuracy scale: (v − .30) / (.80 − .30) */
  for (guint i = 0; i < 8; i++)
    {
      double rgb[3], v = cnc_model_set_get_value (f->set, i, acc);
      CncRgb want = cnc_colormap_sequential ((v - 0.30) / (0.80 - 0.30));

      g_assert_true (cnc_map_view_get_model_position (CNC_MAP_VIEW (map), i, &xs[i], &ys[i]));
      pixel_at (image, xs[i], ys[i], rgb);
      g_assert_cmpfloat (fabs (rgb[0] - want.r), <, 0.04);
      g_assert_cmpfloat (fabs (rgb[1] - want.g), <, 0.04);
      g_assert_cmpfloat (fabs (rgb[2] - want.b), <, 0.04);
      g_assert_cmpuint (cnc_map_view_model_at (CNC_MAP_VIEW (map), xs[i], ys[i]), ==, i);
    }
  keep_shot (image, "widget-map.png");
  cairo_surface_destroy (image);

  /* zoomed in past the pane: an overview in the corner shows where the view is */
  for (int k = 0; k < 4; k++)
    cnc_map_view_zoom_in (CNC_MAP_VIEW (map));
  g_assert_cmpfloat (cnc_map_view_get_zoom (CNC_MAP_VIEW (map)), >, 1.5);
  settle (map);
  image = render (map);
  keep_shot (image, "widget-map-zoomed.png");
  {
    /* the overview sits in the bottom-right corner (180 × 110, 10 px in): its frame of the view is drawn
     * in the accent colour there, and nowhere on the left half */
    guint accent_right = 0, accent_left = 0;
    for (int y = 600 - 10 - 110; y < 600 - 10; y++)
      for (int x = 0; x < 900; x++)
        {
          double rgb[3];
          pixel_at (image, x, y, rgb);
          if (fabs (rgb[0] - 0x1c / 255.0) < 0.03 && fabs (rgb[1] - 0x71 / 255.0) < 0.03
              && fabs (rgb[2] - 0xd8 / 255.0) < 0.03)
            {
              if (x >= 900 - 10 - 180)
                accent_right++;
              else if (x < 450)
                accent_left++;
            }
        }
    g_assert_cmpuint (accent_right, >, 20);
    g_assert_cmpuint (accent_left, ==, 0);
  }
  cairo_surface_destroy (image);
  cnc_map_view_zoom_fit (CNC_MAP_VIEW (map));
  settle (map);

  /* by operation (worked out by hand): train | prune: p50 p90 | quantize: q8 | train (2nd): p50ft p90ft |
   * prune (2nd): q8p | train (3rd): q8pft */
  g_assert_cmpfloat (xs[idx (f, "base")], <, xs[idx (f, "p50")]);
  g_assert_cmpfloat (xs[idx (f, "p50")], ==, xs[idx (f, "p90")]);
  g_assert_cmpfloat (xs[idx (f, "p50")], <, xs[idx (f, "q8")]);
  g_assert_cmpfloat (xs[idx (f, "q8")], <, xs[idx (f, "p50ft")]);
  g_assert_cmpfloat (xs[idx (f, "p50ft")], ==, xs[idx (f, "p90ft")]);
  g_assert_cmpfloat (xs[idx (f, "p50ft")], <, xs[idx (f, "q8p")]);
  g_assert_cmpfloat (xs[idx (f, "q8p")], <, xs[idx (f, "q8pft")]);
  /* by step: depth decides */
  cnc_map_view_set_layout_mode (CNC_MAP_VIEW (map), CNC_LINEAGE_LAYOUT_BY_STEP);
  settle (map);
  for (guint i = 0; i < 8; i++)
    g_assert_true (cnc_map_view_get_model_position (CNC_MAP_VIEW (map), i, &xs[i], &ys[i]));
  g_assert_cmpfloat (xs[idx (f, "p50")], ==, xs[idx (f, "q8")]);
  g_assert_cmpfloat (xs[idx (f, "p50ft")], ==, xs[idx (f, "q8p")]);
  g_assert_cmpfloat (xs[idx (f, "q8pft")], >, xs[idx (f, "q8p")]);

  /* folding a subtree hides it and shows the count */
  cnc_map_view_set_collapsed (CNC_MAP_VIEW (map), idx (f, "q8"), TRUE);
  settle (map);
  g_assert_false (cnc_map_view_get_model_position (CNC_MAP_VIEW (map), idx (f, "q8p"), &xs[0], &ys[0]));
  g_assert_true (cnc_map_view_get_model_position (CNC_MAP_VIEW (map), idx (f, "q8"), &xs[0], &ys[0]));
  cnc_map_view_expand_all (CNC_MAP_VIEW (map));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Real pointer and keys through the X server (xdotool): a click selects, Shift+click adds, Left goes to
 * the parent. */
static gboolean
run_xdotool (const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("xdotool %s", args);
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

typedef struct {
  CncModelSet *set;
  guint        want;
  guint        n_selected;
} SelectionWait;

static gboolean
selection_is (gpointer data)
{
  SelectionWait *w = data;
  return cnc_model_set_is_selected (w->set, w->want) && cnc_model_set_get_n_selected (w->set) == w->n_selected;
}

static void
test_map_click_and_keys (Fixture *f, gconstpointer data)
{
  GtkWidget *map;
  GtkWidget *window;
  g_autofree char *path = g_find_program_in_path ("xdotool");
  g_autofree char *wid = NULL;
  g_autofree char *out = NULL;
  double x, y;
  SelectionWait w = { f->set, 0, 1 };
  graphene_point_t p;

  if (path == NULL)
    {
      g_test_skip ("xdotool is not installed");
      return;
    }
  map = cnc_map_view_new (f->set);
  window = show_in_window (map, 900, 600, "cnc-test-click");
  if (!g_spawn_command_line_sync ("xdotool search --name cnc-test-click", &out, NULL, NULL, NULL) || out == NULL
      || *out == '\0')
    {
      g_test_skip ("the window cannot be found through the X server");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  wid = g_strndup (out, strcspn (out, "\n"));

  /* click p90: selected alone */
  g_assert_true (cnc_map_view_get_model_position (CNC_MAP_VIEW (map), idx (f, "p90"), &x, &y));
  g_assert_true (gtk_widget_compute_point (map, window, &GRAPHENE_POINT_INIT (x, y), &p));
  {
    g_autofree char *args = g_strdup_printf ("mousemove --window %s %d %d click 1", wid, (int) p.x, (int) p.y);
    g_assert_true (run_xdotool (args));
  }
  w.want = idx (f, "p90");
  g_assert_true (spin_until (selection_is, &w, 60000));
  /* the pointer is over it: it is the hovered model everywhere, and its card is drawn */
  g_assert_cmpuint (cnc_model_set_get_hovered (f->set), ==, idx (f, "p90"));
  settle (map);
  {
    cairo_surface_t *image = render (map);
    keep_shot (image, "widget-map-hover.png");
    cairo_surface_destroy (image);
  }

  /* Shift+click q8: both */
  g_assert_true (cnc_map_view_get_model_position (CNC_MAP_VIEW (map), idx (f, "q8"), &x, &y));
  g_assert_true (gtk_widget_compute_point (map, window, &GRAPHENE_POINT_INIT (x, y), &p));
  {
    g_autofree char *args = g_strdup_printf ("mousemove --window %s %d %d keydown shift click 1 keyup shift",
                                             wid, (int) p.x, (int) p.y);
    g_assert_true (run_xdotool (args));
  }
  w.want = idx (f, "q8");
  w.n_selected = 2;
  g_assert_true (spin_until (selection_is, &w, 60000));
  g_assert_true (cnc_model_set_is_selected (f->set, idx (f, "p90")));

  /* the keyboard: from the focused q8, Left goes to its parent */
  {
    g_autofree char *args = g_strdup_printf ("windowfocus --sync %s key Left", wid);
    run_xdotool (args);
  }
  w.want = idx (f, "base");
  w.n_selected = 1;
  g_assert_true (spin_until (selection_is, &w, 60000));

  /* the pointer leaves: no hovered model, no card */
  g_assert_true (run_xdotool ("mousemove 2000 2000"));
  g_assert_true (spin_until (nothing_hovered, f->set, 60000));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_scatter_pareto (Fixture *f, gconstpointer data)
{
  GtkWidget *scatter = cnc_scatter_view_new (f->set);
  GtkWidget *window = show_in_window (scatter, 600, 400, "cnc-test-scatter");
  int acc = cnc_model_set_find_metric (f->set, "Top-1 Accuracy"), lat = cnc_model_set_find_metric (f->set, "Latency");
  g_autoptr(GArray) front = NULL, analytics = NULL, filtered = NULL, analytics_filtered = NULL;
  double values[16];
  gboolean higher[2] = { FALSE, TRUE };

  /* defaults: lower-is-better on X, higher-is-better on Y */
  g_assert_cmpint (cnc_scatter_view_get_x_metric (CNC_SCATTER_VIEW (scatter)), ==, lat);
  g_assert_cmpint (cnc_scatter_view_get_y_metric (CNC_SCATTER_VIEW (scatter)), ==, acc);
  front = cnc_scatter_view_get_pareto (CNC_SCATTER_VIEW (scatter));
  for (guint i = 0; i < 8; i++)
    {
      values[2 * i] = cnc_model_set_get_value (f->set, i, lat);
      values[2 * i + 1] = cnc_model_set_get_value (f->set, i, acc);
    }
  analytics = cnc_pareto_front (values, 8, 2, higher, NULL);
  g_assert_cmpuint (front->len, ==, analytics->len);
  for (guint k = 0; k < front->len; k++)
    g_assert_cmpuint (g_array_index (front, guint, k), ==, g_array_index (analytics, guint, k));
  /* and what was worked out by hand */
  g_assert_cmpuint (front->len, ==, 3);
  for (guint k = 0; k < front->len; k++)
    {
      const char *name = cnc_model_set_get_model (f->set, g_array_index (front, guint, k))->name;
      g_assert_true (g_str_equal (name, "p50ft") || g_str_equal (name, "q8") || g_str_equal (name, "q8pft"));
    }

  /* filtered-out models take no part */
  cnc_model_set_set_filter (f->set, acc, 0.76, 1);
  filtered = cnc_scatter_view_get_pareto (CNC_SCATTER_VIEW (scatter));
  for (guint i = 0; i < 8; i++)
    if (!cnc_model_set_passes_filters (f->set, i))
      values[2 * i] = values[2 * i + 1] = NAN;
  analytics_filtered = cnc_pareto_front (values, 8, 2, higher, NULL);
  g_assert_cmpuint (filtered->len, ==, 2);
  g_assert_cmpuint (filtered->len, ==, analytics_filtered->len);
  for (guint k = 0; k < filtered->len; k++)
    g_assert_cmpuint (g_array_index (filtered, guint, k), ==, g_array_index (analytics_filtered, guint, k));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_differs (gpointer data)
{
  return cnc_bars_view_get_differs (data) != NULL;
}

static void
test_bars_design (Fixture *f, gconstpointer data)
{
  GtkWidget *bars = cnc_bars_view_new (f->set);
  GtkWidget *window = show_in_window (bars, 400, 700, "cnc-test-bars");
  guint pick[4] = { idx (f, "p50"), idx (f, "p50ft"), idx (f, "p90"), idx (f, "p90ft") };
  const CncDiffers *differs;
  int minimum, natural;

  /* one model: a hint, no charts */
  cnc_model_set_select_one (f->set, pick[0]);
  gtk_widget_measure (bars, GTK_ORIENTATION_VERTICAL, 400, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (natural, <, 60);

  /* amount × fine-tuned: the differs arrive from the worker thread */
  cnc_model_set_select (f->set, pick, 4, CNC_SELECT_REPLACE);
  g_assert_true (spin_until (has_differs, bars, 60000));
  differs = cnc_bars_view_get_differs (CNC_BARS_VIEW (bars));
  g_assert_cmpuint (differs->n_models, ==, 4);
  g_assert_cmpuint (differs->variables->len, ==, 2);
  /* one chart per primary metric (3) */
  gtk_widget_measure (bars, GTK_ORIENTATION_VERTICAL, 400, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (natural, >, 3 * 150);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The X window of a shown test window, by its title; NULL when xdotool cannot reach it. */
static char *
find_window_id (const char *title)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");
  g_autofree char *cmd = g_strdup_printf ("xdotool search --name %s", title);
  g_autofree char *out = NULL;

  if (path == NULL || !g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL) || out == NULL || *out == '\0')
    return NULL;
  return g_strndup (out, strcspn (out, "\n"));
}

/* The box of the pixels of @view where lookup_item answers @model; FALSE when there are none. */
static gboolean
item_box (GtkWidget *view, guint model, double box[4])
{
  int width = gtk_widget_get_width (view), height = gtk_widget_get_height (view);
  gboolean found = FALSE;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (cnc_chart_view_lookup_item (CNC_CHART_VIEW (view), x, y) == model)
        {
          if (!found)
            {
              box[0] = box[2] = x;
              box[1] = box[3] = y;
              found = TRUE;
            }
          box[0] = MIN (box[0], x);
          box[1] = MIN (box[1], y);
          box[2] = MAX (box[2], x);
          box[3] = MAX (box[3], y);
        }
  return found;
}

typedef struct {
  CncModelSet *set;
  const char  *names;
} NamesWait;

static gboolean
selection_names_are (gpointer data)
{
  NamesWait *w = data;
  g_autofree char *names = sorted_names (w->set);

  return g_str_equal (names, w->names);
}

static gboolean
nothing_selected (gpointer data)
{
  return cnc_model_set_get_n_selected (data) == 0;
}

/* A plain drag on the scatterplot selects exactly the models whose points lie inside the band (its release is
 * no click on empty space); a later plain click on empty space clears the selection. */
static void
test_scatter_band_selects (Fixture *f, gconstpointer data)
{
  GtkWidget *scatter = cnc_scatter_view_new (f->set);
  GtkWidget *window = show_in_window (scatter, 600, 400, "cnc-test-band");
  g_autofree char *wid = find_window_id ("cnc-test-band");
  g_autoptr(GPtrArray) inside = g_ptr_array_new ();
  g_autofree char *expected = NULL;
  const char *corners[] = { "q8", "q8p", "q8pft" };
  double band[4] = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  NamesWait w = { f->set, NULL };
  graphene_point_t p0, p1;

  if (wid == NULL)
    {
      g_test_skip ("xdotool cannot reach the window");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  cnc_model_set_select_one (f->set, idx (f, "p90"));
  settle (scatter);
  /* a band 12 px around the three fastest models' points */
  for (guint k = 0; k < G_N_ELEMENTS (corners); k++)
    {
      double box[4];
      g_assert_true (item_box (scatter, idx (f, corners[k]), box));
      band[0] = MIN (band[0], box[0] - 12);
      band[1] = MIN (band[1], box[1] - 12);
      band[2] = MAX (band[2], box[2] + 12);
      band[3] = MAX (band[3], box[3] + 12);
    }
  /* the models it holds: those whose point's centre lies inside (worked out by hand: q8, q8p, q8pft) */
  for (guint i = 0; i < 8; i++)
    {
      double box[4];
      if (item_box (scatter, i, box) && (box[0] + box[2]) / 2 > band[0] && (box[0] + box[2]) / 2 < band[2]
          && (box[1] + box[3]) / 2 > band[1] && (box[1] + box[3]) / 2 < band[3])
        g_ptr_array_add (inside, cnc_model_set_get_model (f->set, i)->name);
    }
  g_ptr_array_sort (inside, compare_names);
  g_ptr_array_add (inside, NULL);
  expected = g_strjoinv (",", (char **) inside->pdata);
  g_assert_cmpstr (expected, ==, "q8,q8p,q8pft");
  /* the drag starts on empty space */
  g_assert_cmpuint (cnc_chart_view_lookup_item (CNC_CHART_VIEW (scatter), band[0], band[1]), ==, CNC_MODEL_NONE);

  g_assert_true (gtk_widget_compute_point (scatter, window, &GRAPHENE_POINT_INIT (band[0], band[1]), &p0));
  g_assert_true (gtk_widget_compute_point (scatter, window, &GRAPHENE_POINT_INIT (band[2], band[3]), &p1));
  {
    g_autofree char *args = g_strdup_printf ("mousemove --window %s %d %d mousedown 1 mousemove --window %s %d %d "
                                             "mousemove --window %s %d %d mouseup 1", wid, (int) p0.x, (int) p0.y,
                                             wid, (int) (p0.x + p1.x) / 2, (int) (p0.y + p1.y) / 2,
                                             wid, (int) p1.x, (int) p1.y);
    g_assert_true (run_xdotool (args));
  }
  w.names = expected;
  g_assert_true (spin_until (selection_names_are, &w, 60000));
  /* everything the release did has been handled: the band's selection stays */
  settle (scatter);
  g_assert_true (selection_names_are (&w));
  {
    cairo_surface_t *image = render (scatter);
    keep_shot (image, "widget-scatter.png");
    cairo_surface_destroy (image);
  }

  /* a plain click on empty space (where the band started) clears */
  {
    g_autofree char *args = g_strdup_printf ("mousemove --window %s %d %d click 1", wid, (int) p0.x, (int) p0.y);
    g_assert_true (run_xdotool (args));
  }
  g_assert_true (spin_until (nothing_selected, f->set, 60000));
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  CncMapView *map;
  double      above;
} ZoomWait;

static gboolean
zoom_is_above (gpointer data)
{
  ZoomWait *w = data;
  return cnc_map_view_get_zoom (w->map) > w->above;
}

static gboolean
zoom_is_below (gpointer data)
{
  ZoomWait *w = data;
  return cnc_map_view_get_zoom (w->map) < w->above;
}

static gboolean
zoom_differs (gpointer data)
{
  ZoomWait *w = data;
  return fabs (cnc_map_view_get_zoom (w->map) - w->above) > 1e-9;
}

typedef struct {
  CncMapView *map;
  guint       model;
} FoldWait;

static gboolean
is_folded (gpointer data)
{
  FoldWait *w = data;
  return cnc_map_view_get_collapsed (w->map, w->model);
}

static void
press_keys (const char *wid, const char *keys)
{
  g_autofree char *args = g_strdup_printf ("windowfocus --sync %s key %s", wid, keys);
  g_assert_true (run_xdotool (args));
}

/* The map's keys are widget actions: each key, and the actions offered to buttons beside the view. */
static void
test_map_actions (Fixture *f, gconstpointer data)
{
  GtkWidget *map = cnc_map_view_new (f->set);
  GtkWidget *window = show_in_window (map, 900, 600, "cnc-test-map-actions");
  g_autofree char *wid = find_window_id ("cnc-test-map-actions");
  GActionGroup *exported = cnc_chart_view_export_actions (CNC_CHART_VIEW (map), "map");
  ZoomWait zw = { CNC_MAP_VIEW (map), 0 };
  FoldWait fw = { CNC_MAP_VIEW (map), idx (f, "q8") };
  SelectionWait sw = { f->set, idx (f, "base"), 1 };
  double fit = cnc_map_view_get_zoom (CNC_MAP_VIEW (map));

  /* the actions for buttons beside the view: each of the view's "map." actions, by its short name */
  g_assert_true (g_action_group_has_action (exported, "zoom-in"));
  g_assert_true (g_action_group_has_action (exported, "zoom-fit"));
  g_assert_true (g_action_group_has_action (exported, "go-parent"));
  g_assert_false (g_action_group_has_action (exported, "map.zoom-in"));
  g_action_group_activate_action (exported, "zoom-in", NULL);
  g_assert_cmpfloat (cnc_map_view_get_zoom (CNC_MAP_VIEW (map)), >, fit * 1.2);
  g_action_group_activate_action (exported, "zoom-fit", NULL);
  g_assert_cmpfloat (fabs (cnc_map_view_get_zoom (CNC_MAP_VIEW (map)) - fit), <, 1e-9);
  g_object_unref (exported);

  if (wid == NULL)
    {
      g_test_skip ("xdotool cannot reach the window");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  gtk_widget_grab_focus (map);
  /* + and − zoom by steps, 0 fits, 1 is 1:1 */
  zw.above = fit * 1.2;
  press_keys (wid, "plus");
  g_assert_true (spin_until (zoom_is_above, &zw, 60000));
  zw.above = fit * 1.01;
  press_keys (wid, "minus");
  g_assert_true (spin_until (zoom_is_below, &zw, 60000));
  zw.above = fit * 1.2;
  press_keys (wid, "equal");
  g_assert_true (spin_until (zoom_is_above, &zw, 60000));
  zw.above = fit * 1.01;
  press_keys (wid, "0");
  g_assert_true (spin_until (zoom_is_below, &zw, 60000));
  g_assert_cmpfloat (fabs (cnc_map_view_get_zoom (CNC_MAP_VIEW (map)) - fit), <, 1e-9);
  zw.above = fit;
  press_keys (wid, "1");
  g_assert_true (spin_until (zoom_differs, &zw, 60000));
  {
    /* as cnc_map_view_zoom_reset does: 1:1 within the zoom's bounds */
    double by_key = cnc_map_view_get_zoom (CNC_MAP_VIEW (map));
    cnc_map_view_zoom_reset (CNC_MAP_VIEW (map));
    g_assert_cmpfloat (fabs (cnc_map_view_get_zoom (CNC_MAP_VIEW (map)) - by_key), <, 1e-9);
  }
  press_keys (wid, "0");

  /* the arrows: with nothing focused the first root; Right its first child, Shift+Down extends to the next
   * sibling; Ctrl+A selects all, Escape none */
  press_keys (wid, "Left");
  g_assert_true (spin_until (selection_is, &sw, 60000));
  press_keys (wid, "Right");
  sw.want = idx (f, "p50");
  g_assert_true (spin_until (selection_is, &sw, 60000));
  press_keys (wid, "shift+Down");
  sw.want = idx (f, "p90");
  sw.n_selected = 2;
  g_assert_true (spin_until (selection_is, &sw, 60000));
  g_assert_true (cnc_model_set_is_selected (f->set, idx (f, "p50")));
  press_keys (wid, "ctrl+a");
  sw.n_selected = 8;
  g_assert_true (spin_until (selection_is, &sw, 60000));
  press_keys (wid, "Escape");
  g_assert_true (spin_until (nothing_selected, f->set, 60000));

  /* C folds the focused model's subtree */
  press_keys (wid, "Down c");
  g_assert_true (spin_until (is_folded, &fw, 60000));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A click on a bar selects that model alone. */
static void
test_bars_click_selects_one (Fixture *f, gconstpointer data)
{
  GtkWidget *bars = cnc_bars_view_new (f->set);
  GtkWidget *window = show_in_window (bars, 400, 700, "cnc-test-bars-click");
  g_autofree char *wid = find_window_id ("cnc-test-bars-click");
  guint pick[4] = { idx (f, "p50"), idx (f, "p50ft"), idx (f, "p90"), idx (f, "p90ft") };
  SelectionWait w = { f->set, idx (f, "p90"), 1 };
  graphene_point_t p;
  double box[4];

  if (wid == NULL)
    {
      g_test_skip ("xdotool cannot reach the window");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  cnc_model_set_select (f->set, pick, 4, CNC_SELECT_REPLACE);
  g_assert_true (spin_until (has_differs, bars, 60000));
  settle (bars);
  {
    cairo_surface_t *image = render (bars);
    keep_shot (image, "widget-bars.png");
    cairo_surface_destroy (image);
  }
  g_assert_true (item_box (bars, idx (f, "p90"), box));
  g_assert_true (gtk_widget_compute_point (bars, window, &GRAPHENE_POINT_INIT ((box[0] + box[2]) / 2,
                                                                              (box[1] + box[3]) / 2), &p));
  {
    g_autofree char *args = g_strdup_printf ("mousemove --window %s %d %d click 1", wid, (int) p.x, (int) p.y);
    g_assert_true (run_xdotool (args));
  }
  g_assert_true (spin_until (selection_is, &w, 60000));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_histogram_brush (Fixture *f, gconstpointer data)
{
  int acc = cnc_model_set_find_metric (f->set, "Top-1 Accuracy");
  GtkWidget *histogram = cnc_histogram_view_new (f->set, acc);
  GtkWidget *window = show_in_window (histogram, 300, 120, "cnc-test-histogram");
  g_autofree char *path = g_find_program_in_path ("xdotool");
  g_autofree char *out = NULL;
  double lo, hi;

  if (path == NULL || !g_spawn_command_line_sync ("xdotool search --name cnc-test-histogram", &out, NULL, NULL, NULL)
      || out == NULL || *out == '\0')
    {
      g_test_skip ("xdotool cannot reach the window");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  out[strcspn (out, "\n")] = '\0';
  /* drag across the right half (the plot spans x 10 … 290 over .30 … .80): a filter on accuracy */
  {
    g_autofree char *args = g_strdup_printf ("mousemove --window %s 150 50 mousedown 1 mousemove --window %s 200 50 "
                                             "mousemove --window %s 290 50 mouseup 1", out, out, out);
    g_assert_true (run_xdotool (args));
  }
  {
    FilterWatch fw = { f->set, acc };
    g_assert_true (spin_until (filter_reaches_end, &fw, 60000));
  }
  g_assert_true (cnc_model_set_get_filter (f->set, acc, &lo, &hi));
  /* x 150 → .30 + (150 − 10) / 280 × .50 = .55; x 290 → .80 */
  g_assert_cmpfloat (fabs (lo - 0.55), <, 0.01);
  g_assert_cmpfloat (fabs (hi - 0.80), <, 0.01);
  /* .60, .70, .75, .78, .79, .80, .80 pass; .30 does not */
  g_assert_cmpuint (cnc_model_set_get_n_passing (f->set), ==, 7);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    return 77;
  g_test_add ("/widgets/model-set/lineage-selection", Fixture, NULL, fixture_set_up, test_lineage_selection,
              fixture_tear_down);
  g_test_add ("/widgets/model-set/load-async", Fixture, NULL, fixture_set_up, test_load_async, fixture_tear_down);
  g_test_add ("/widgets/map/draws-models", Fixture, NULL, fixture_set_up, test_map_draws_models, fixture_tear_down);
  g_test_add ("/widgets/map/click-and-keys", Fixture, NULL, fixture_set_up, test_map_click_and_keys,
              fixture_tear_down);
  g_test_add ("/widgets/map/actions", Fixture, NULL, fixture_set_up, test_map_actions, fixture_tear_down);
  g_test_add ("/widgets/scatter/pareto", Fixture, NULL, fixture_set_up, test_scatter_pareto, fixture_tear_down);
  g_test_add ("/widgets/scatter/band-selects", Fixture, NULL, fixture_set_up, test_scatter_band_selects,
              fixture_tear_down);
  g_test_add ("/widgets/bars/design", Fixture, NULL, fixture_set_up, test_bars_design, fixture_tear_down);
  g_test_add ("/widgets/bars/click-selects-one", Fixture, NULL, fixture_set_up, test_bars_click_selects_one,
              fixture_tear_down);
  g_test_add ("/widgets/histogram/brush", Fixture, NULL, fixture_set_up, test_histogram_brush, fixture_tear_down);
  return g_test_run ();
}
