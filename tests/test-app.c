/* test-app.c
 * The desktop app under a display: the window on a workspace, a dropped file list imported (onto a map node
 * as their parent), a refused file changing nothing, the dock layout saved and restored, the map's zoom buttons.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-app"

#include <gtk/gtk.h>
#include <math.h>
#include <json-glib/json-glib.h>

#include "app/cnc-application.h"
#include "app/cnc-compress-dialog.h"
#include "app/cnc-import-dialog.h"
#include "app/cnc-map-panel.h"
#include "app/cnc-scatter-panel.h"
#include "app/cnc-window-private.h"
#include "cnc-test-util.h"
#include "core/registry/cnc-import.h"
#include "core/registry/cnc-store.h"
#include "widgets/cnc-map-view.h"
#include "widgets/cnc-scatter-view.h"

#define TIMEOUT_MS 60000

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds; fails the test after TIMEOUT_MS. */
static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 end = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
window_loaded (gpointer data)
{
  return cnc_window_get_loaded (data);
}

static gboolean
map_drawn (gpointer data)
{
  GtkWidget *map = cnc_map_panel_get_view (CNC_MAP_PANEL (CNC_WINDOW (data)->map_panel));

  return gtk_widget_get_mapped (map) && gtk_widget_get_width (map) > 100 && gtk_widget_get_height (map) > 100;
}

/* Runs the main loop until nothing more is pending (layout, redraws, idles queued by what the
 * test just did): what follows sees their results whatever the machine's speed. */
static void
drain (void)
{
  for (guint i = 0; i < 10000 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
left_area_is_480 (gpointer data)
{
  CncDock *dock = data;
  GtkWidget *left = GTK_WIDGET (cnc_dock_get_area (dock, CNC_DOCK_LEFT));

  return gtk_widget_get_visible (left) && gtk_widget_get_width (left) == 480;
}

static gboolean
scatter_docked_again (gpointer data)
{
  return cnc_dock_get_panel_position (data, "scatter", NULL) == CNC_DOCK_RIGHT
         && cnc_dock_get_windows (data) == NULL;
}

/* Runs the main loop for @ms (only before screenshots, never before an assertion). */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* A workspace made with the CLI holding the reference tool's file; returns its folder. */
static char *
make_workspace (const char *json_fixture)
{
  g_autofree char *tmp = cnc_test_tmpdir ("test-app");
  char *dir = g_build_filename (tmp, "my-experiments", NULL);
  g_autofree char *json = json_fixture ? cnc_test_cac_fixture (json_fixture) : NULL;

  {
    const char *args[] = { "init", dir, NULL };
    g_assert_cmpint (cnc_test_run_cli (args, NULL, NULL), ==, 0);
  }
  if (json)
    {
      const char *args[] = { "-w", dir, "import-json", json, NULL };
      g_assert_cmpint (cnc_test_run_cli (args, NULL, NULL), ==, 0);
    }
  return dir;
}

/* The number of models a models.json holds, read with json-glib (not with our importer). */
static guint
count_json_models (const char *fixture)
{
  g_autofree char *path = cnc_test_cac_fixture (fixture);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_array_get_length (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                              "models"));
}

static CncWindow *
open_window (const char *dir)
{
  CncWindow *window = cnc_window_new (NULL, dir);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (window_loaded, window, "the workspace to load");
  wait_until (map_drawn, window, "the map to be drawn");
  return window;
}

static void
close_window (CncWindow *window)
{
  gtk_window_close (GTK_WINDOW (window));
  drain ();
}

static void
remove_workspace (const char *dir)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  cnc_test_rmtree (parent);
}

/* ---------------------------------------------------------------- the window */

static void
test_window_opens_workspace (void)
{
  g_autofree char *dir = make_workspace ("celeba_models.json");
  CncWindow *window = open_window (dir);
  const char *title = gtk_window_get_title (GTK_WINDOW (window));
  CncDock *dock = cnc_window_get_dock (window);

  /* The title names the app and the workspace. */
  g_assert_nonnull (strstr (title, "Compress & Compare"));
  g_assert_nonnull (strstr (title, "my-experiments"));
  /* Every model of the file is there. */
  g_assert_cmpuint (cnc_model_set_get_n_models (cnc_window_get_model_set (window)), ==,
                    count_json_models ("celeba_models.json"));
  /* The default layout. */
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "map", NULL), ==, CNC_DOCK_CENTRE);
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "scatter", NULL), ==, CNC_DOCK_RIGHT);
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "models", NULL), ==, CNC_DOCK_BOTTOM);
  /* An empty left sidebar takes no room, and its toggle says why it is disabled. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (cnc_dock_get_area (dock, CNC_DOCK_LEFT))));
  g_assert_false (g_action_group_get_action_enabled (cnc_dock_get_action_group (dock), "reveal-left"));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (window->reveal_left_button)));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (window->reveal_left_button)), "empty"));
  /* Nothing selected: growing the selection is disabled. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "add-ancestors"));

  close_window (window);
  remove_workspace (dir);
}

static void
test_window_missing_folder_becomes_workspace (void)
{
  g_autofree char *tmp = cnc_test_tmpdir ("test-app");
  g_autofree char *dir = g_build_filename (tmp, "new-one", NULL);
  g_autofree char *registry = g_build_filename (dir, "registry.sqlite", NULL);
  CncWindow *window = open_window (dir);

  g_assert_true (g_file_test (registry, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (cnc_model_set_get_n_models (cnc_window_get_model_set (window)), ==, 0);
  /* Nothing to export yet, and the menu says so. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "export-json"));
  close_window (window);
  cnc_test_rmtree (tmp);
}

/* ---------------------------------------------------------------- drag and drop */

/* A point of the window over a model drawn on the map, and that model. */
static gboolean
find_node (CncWindow *window,
           double    *x,
           double    *y,
           guint     *model)
{
  GtkWidget *map = cnc_map_panel_get_view (CNC_MAP_PANEL (window->map_panel));
  int width = gtk_widget_get_width (map), height = gtk_widget_get_height (map);

  for (int j = 2; j < height; j += 2)
    for (int i = 2; i < width; i += 2)
      {
        guint found = cnc_map_view_model_at (CNC_MAP_VIEW (map), i, j);
        graphene_point_t point;

        if (found == CNC_MODEL_NONE)
          continue;
        g_assert_true (gtk_widget_compute_point (map, GTK_WIDGET (window), &GRAPHENE_POINT_INIT (i, j), &point));
        *x = point.x;
        *y = point.y;
        *model = found;
        return TRUE;
      }
  return FALSE;
}

static CncImportDialog *
find_import_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (CNC_IS_IMPORT_DIALOG (window))
        return CNC_IMPORT_DIALOG (window);
    }
  return NULL;
}

static CncCompressDialog *
find_compress_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (CNC_IS_COMPRESS_DIALOG (window))
        return CNC_COMPRESS_DIALOG (window);
    }
  return NULL;
}

static gboolean
drop_files (CncWindow          *window,
            const char * const *paths,
            double              x,
            double              y)
{
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  for (guint i = 0; paths[i]; i++)
    files = g_slist_append (files, g_file_new_for_path (paths[i]));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (_cnc_window_get_drop_target (window), "drop", &value, x, y, &handled);
  g_value_unset (&value);
  g_slist_free_full (files, g_object_unref);
  return handled;
}

typedef struct {
  CncWindow *window;
  guint      n_models;
} Reload;

static gboolean
reloaded_with (gpointer data)
{
  Reload *reload = data;

  return find_import_dialog () == NULL
         && cnc_model_set_get_n_models (cnc_window_get_model_set (reload->window)) == reload->n_models;
}

static gboolean
dialog_failed (gpointer data)
{
  CncImportDialog *dialog = data;

  return !cnc_import_dialog_get_running (dialog) && cnc_import_dialog_get_error (dialog) != NULL;
}

/* How many layers python3-torch wrote for @file into expected.json. */
static guint
expected_layers (const char *fixtures,
                 const char *file)
{
  g_autofree char *path = g_build_filename (fixtures, "expected.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *entry;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  entry = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), file);
  return json_array_get_length (json_object_get_array_member (entry, "layers"));
}

static void
test_drop_imports_onto_node (void)
{
  g_autofree char *dir = make_workspace ("imagenet_tutorial_models.json");
  g_autofree char *fixtures = cnc_test_tmpdir ("test-app-torch");
  g_autofree char *scripted = g_build_filename (fixtures, "cnn-scripted.pt", NULL);
  g_autofree char *traced = g_build_filename (fixtures, "mlp-traced.pt", NULL);
  const char *paths[] = { scripted, traced, NULL };
  const char *fixture_args[] = { fixtures, NULL };
  CncWindow *window;
  CncImportDialog *dialog;
  g_autoptr(CncWorkspace) workspace = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) edges = NULL;
  g_autofree char *parent_name = NULL;
  Reload reload;
  double x = 0, y = 0;
  guint node = CNC_MODEL_NONE, n_before;

  if (!cnc_test_run_python ("make-torch-fixtures.py", fixture_args))
    return;
  window = open_window (dir);
  n_before = cnc_model_set_get_n_models (cnc_window_get_model_set (window));
  g_assert_true (find_node (window, &x, &y, &node));
  parent_name = g_strdup (cnc_model_set_get_model (cnc_window_get_model_set (window), node)->name);

  /* Dropped onto a node: the dialog opens with that node as the parent. */
  g_assert_true (drop_files (window, paths, x, y));
  dialog = find_import_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (cnc_import_dialog_get_parent (dialog), ==, parent_name);
  cnc_import_dialog_set_operation (dialog, "prune", "amount=0.5, retrained=true, method=l1");
  cnc_import_dialog_run (dialog);
  reload = (Reload) { window, n_before + 2 };
  wait_until (reloaded_with, &reload, "the import and the reload");

  /* In the registry, read on a connection of the test's own. */
  workspace = cnc_workspace_open (dir, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  edges = cnc_workspace_list_edges (workspace, &error);
  g_assert_no_error (error);
  for (guint i = 0; paths[i]; i++)
    {
      g_autofree char *name = cnc_import_default_name (paths[i]);
      g_autoptr(CncModel) model = cnc_workspace_find_model (workspace, name, &error);
      g_autoptr(CncModel) parent = cnc_workspace_find_model (workspace, parent_name, &error);
      g_autoptr(GPtrArray) layers = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *file = g_path_get_basename (paths[i]);
      JsonObject *parameters;
      gboolean linked = FALSE;

      g_assert_no_error (error);
      g_assert_cmpstr (model->operation, ==, "prune");
      g_assert_true (json_parser_load_from_data (parser, model->parameters, -1, NULL));
      parameters = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpfloat (json_object_get_double_member (parameters, "amount"), ==, 0.5);
      g_assert_true (json_object_get_boolean_member (parameters, "retrained"));
      g_assert_cmpstr (json_object_get_string_member (parameters, "method"), ==, "l1");
      for (guint e = 0; e < edges->len; e++)
        {
          CncEdge *edge = &g_array_index (edges, CncEdge, e);
          linked |= edge->child == model->id && edge->parent == parent->id && edge->role == CNC_EDGE_BASE;
        }
      g_assert_true (linked);
      layers = cnc_workspace_list_layers (workspace, model->id, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (layers->len, ==, expected_layers (fixtures, file));
    }

  close_window (window);
  cnc_test_rmtree (fixtures);
  remove_workspace (dir);
}

static void
test_drop_bad_file_changes_nothing (void)
{
  g_autofree char *dir = make_workspace ("imagenet_tutorial_models.json");
  g_autofree char *fixtures = cnc_test_tmpdir ("test-app-torch");
  g_autofree char *good = g_build_filename (fixtures, "cnn-scripted.pt", NULL);
  g_autofree char *bad = g_build_filename (fixtures, "random.pt", NULL);
  const char *paths[] = { good, bad, NULL };
  const char *fixture_args[] = { fixtures, NULL };
  g_autoptr(CncWorkspace) workspace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CncImportDialog *dialog;
  CncWindow *window;

  if (!cnc_test_run_python ("make-torch-fixtures.py", fixture_args))
    return;
  workspace = cnc_workspace_open (dir, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  before = cnc_workspace_fingerprint (workspace, &error);
  g_assert_no_error (error);

  window = open_window (dir);
  /* Dropped on the header bar: no parent. */
  g_assert_true (drop_files (window, paths, 10, 10));
  dialog = find_import_dialog ();
  g_assert_nonnull (dialog);
  g_assert_null (cnc_import_dialog_get_parent (dialog));
  cnc_import_dialog_run (dialog);
  wait_until (dialog_failed, dialog, "the import to be refused");
  /* The importer's message, naming the file, in the dialog; the good file was not imported either. */
  g_assert_nonnull (strstr (cnc_import_dialog_get_error (dialog), "random.pt"));
  after = cnc_workspace_fingerprint (workspace, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (before, ==, after);

  gtk_window_destroy (GTK_WINDOW (dialog));
  close_window (window);
  cnc_test_rmtree (fixtures);
  remove_workspace (dir);
}

/* ---------------------------------------------------------------- the dock's layout */

static void
test_layout_restored (void)
{
  g_autofree char *dir = make_workspace ("imagenet_tutorial_models.json");
  CncWindow *window = open_window (dir);
  CncDock *dock = cnc_window_get_dock (window);
  guint frame = 99;

  /* Move the table to the left, split the right side differently, close the jobs, hide the bottom. */
  cnc_dock_move_panel (dock, "models", CNC_DOCK_LEFT, 0);
  cnc_dock_move_panel (dock, "filters", CNC_DOCK_RIGHT, 0);
  cnc_dock_close_panel (dock, "jobs");
  cnc_dock_set_revealed (dock, CNC_DOCK_BOTTOM, FALSE);
  cnc_dock_set_area_size (dock, CNC_DOCK_LEFT, 480);
  wait_until (left_area_is_480, dock, "the left area to be 480 px wide");
  close_window (window);

  window = open_window (dir);
  dock = cnc_window_get_dock (window);
  drain ();
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "models", &frame), ==, CNC_DOCK_LEFT);
  g_assert_cmpuint (frame, ==, 0);
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "filters", &frame), ==, CNC_DOCK_RIGHT);
  g_assert_cmpuint (frame, ==, 0);
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "jobs", NULL), ==, CNC_DOCK_CLOSED);
  g_assert_false (cnc_dock_get_revealed (dock, CNC_DOCK_BOTTOM));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (cnc_dock_get_area (dock, CNC_DOCK_LEFT))), ==, 480);
  /* The View menu's item of the closed panel is off; turning it on brings the panel back where it was. */
  g_assert_false (g_variant_get_boolean (g_action_group_get_action_state (cnc_dock_get_action_group (dock),
                                                                          "panel-jobs")));
  g_action_group_change_action_state (cnc_dock_get_action_group (dock), "panel-jobs", g_variant_new_boolean (TRUE));
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "jobs", NULL), ==, CNC_DOCK_BOTTOM);
  g_assert_true (cnc_dock_get_revealed (dock, CNC_DOCK_BOTTOM));

  /* Reset layout: every panel back at its default place. */
  g_action_group_activate_action (cnc_dock_get_action_group (dock), "reset-layout", NULL);
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "models", NULL), ==, CNC_DOCK_BOTTOM);
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "filters", &frame), ==, CNC_DOCK_RIGHT);
  g_assert_cmpuint (frame, ==, 1);
  close_window (window);
  remove_workspace (dir);
}

static void
test_detached_panel_comes_back (void)
{
  g_autofree char *dir = make_workspace ("imagenet_tutorial_models.json");
  CncWindow *window = open_window (dir);
  CncDock *dock = cnc_window_get_dock (window);
  GtkWindow *detached;

  cnc_dock_move_panel (dock, "scatter", CNC_DOCK_DETACHED, 0);
  g_assert_cmpint (cnc_dock_get_panel_position (dock, "scatter", NULL), ==, CNC_DOCK_DETACHED);
  g_assert_cmpuint (g_list_length (cnc_dock_get_windows (dock)), ==, 1);
  detached = cnc_dock_get_windows (dock)->data;
  g_assert_cmpstr (gtk_window_get_title (detached), ==, "Scatterplot");
  drain ();
  /* Closing its window docks it again where it was. */
  gtk_window_close (detached);
  wait_until (scatter_docked_again, dock, "the scatterplot to dock again");
  close_window (window);
  remove_workspace (dir);
}

/* ---------------------------------------------------------------- the map panel */

/* The first button under @widget that names @action. */
static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found)
        return found;
    }
  return NULL;
}

/* The layout button whose target is @mode. */
static GtkWidget *
find_layout_button (GtkWidget *widget,
                    gint       mode)
{
  if (GTK_IS_TOGGLE_BUTTON (widget)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "map.layout") == 0
      && gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget)) != NULL
      && g_variant_get_int32 (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget))) == mode)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_layout_button (child, mode);

      if (found)
        return found;
    }
  return NULL;
}

/* The zoom buttons over the map name the map's actions: they can be clicked, zoom the map and give it the
 * keyboard focus, also after the dock moved the panel (as a restored layout does). */
static gboolean
zoom_buttons_sensitive (CncWindow *window)
{
  const char *actions[] = { "map.zoom-in", "map.zoom-out", "map.zoom-fit", "map.zoom-reset" };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *button = find_action_button (window->map_panel, actions[i]);

      g_assert_nonnull (button);
      if (!gtk_widget_is_sensitive (button))
        return FALSE;
    }
  return TRUE;
}

static void
test_map_zoom_buttons (void)
{
  g_autofree char *dir = make_workspace ("imagenet_tutorial_models.json");
  CncWindow *window = open_window (dir);
  CncDock *dock = cnc_window_get_dock (window);
  GtkWidget *map = cnc_map_panel_get_view (CNC_MAP_PANEL (window->map_panel));
  double fit;

  drain ();
  cnc_map_view_zoom_fit (CNC_MAP_VIEW (map));
  fit = cnc_map_view_get_zoom (CNC_MAP_VIEW (map));
  g_assert_true (zoom_buttons_sensitive (window));
  g_signal_emit_by_name (find_action_button (window->map_panel, "map.zoom-in"), "clicked");
  g_assert_cmpfloat (cnc_map_view_get_zoom (CNC_MAP_VIEW (map)), >, fit * 1.2);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == map);

  cnc_dock_move_panel (dock, "map", CNC_DOCK_LEFT, 0);
  cnc_dock_move_panel (dock, "map", CNC_DOCK_CENTRE, 0);
  drain ();
  g_assert_true (zoom_buttons_sensitive (window));
  g_signal_emit_by_name (find_action_button (window->map_panel, "map.zoom-fit"), "clicked");
  g_assert_cmpfloat (fabs (cnc_map_view_get_zoom (CNC_MAP_VIEW (map)) - fit), <, 1e-9);

  /* The layout buttons show and set the map's layout (its property, as an action). */
  {
    GtkWidget *by_step = find_layout_button (window->map_panel, CNC_LINEAGE_LAYOUT_BY_STEP);
    GtkWidget *by_operation = find_layout_button (window->map_panel, CNC_LINEAGE_LAYOUT_BY_OPERATION);

    g_assert_nonnull (by_step);
    g_assert_nonnull (by_operation);
    g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (by_operation)));
    g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (by_step)));
    g_signal_emit_by_name (by_step, "clicked");
    g_assert_cmpint (cnc_map_view_get_layout_mode (CNC_MAP_VIEW (map)), ==, CNC_LINEAGE_LAYOUT_BY_STEP);
    drain ();
    g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (by_step)));
    g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (by_operation)));
    cnc_map_view_set_layout_mode (CNC_MAP_VIEW (map), CNC_LINEAGE_LAYOUT_BY_OPERATION);
    drain ();
    g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (by_operation)));
  }
  close_window (window);
  remove_workspace (dir);
}

/* ---------------------------------------------------------------- the demo */

static gboolean
demo_done (gpointer data)
{
  CncWindow *window = data;

  return window->demo == NULL && cnc_model_set_get_n_models (cnc_window_get_model_set (window)) == 19;
}

static gboolean
demo_started (gpointer data)
{
  return CNC_WINDOW (data)->demo != NULL && gtk_revealer_get_reveal_child (CNC_WINDOW (data)->demo_revealer);
}

/* The default workspace, new: the window builds the demo into it (quick here), with its card. */
static void
test_demo_in_default_workspace (void)
{
  g_autofree char *dir = cnc_workspace_default_path ();
  g_autofree char *canonical = NULL;
  CncWindow *window;

  if (!g_file_test ("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("dataset-fashion-mnist is not installed");
      return;
    }
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  canonical = g_canonicalize_filename (dir, NULL);
  window = cnc_window_new (NULL, canonical);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (demo_started, window, "the demo to start");
  g_assert_nonnull (strstr (gtk_label_get_label (window->demo_title), "of 19 models"));
  while (!demo_done (window))
    spin (100);   /* the quick demo takes about half a minute here; the test's own timeout guards it */
  g_assert_false (gtk_revealer_get_reveal_child (window->demo_revealer));
  /* Every model is on the map with its metrics, and its jobs are listed. */
  g_assert_cmpuint (cnc_model_set_get_n_models (cnc_window_get_model_set (window)), ==, 19);
  close_window (window);
}

/* With CNC_SHOTS_DIR set: a screenshot of the screen (the README's pictures). */
static void
shoot (const char *name)
{
  const char *dir = g_getenv ("CNC_SHOTS_DIR");
  g_autofree char *path = NULL, *command = NULL;

  if (dir == NULL)
    return;
  spin (600);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root '%s'", path);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
}

/* The model drawn at window point (x, y) being @wanted. */
static gboolean
find_model_node (CncWindow *window,
                 guint      wanted,
                 double    *x,
                 double    *y)
{
  GtkWidget *map = cnc_map_panel_get_view (CNC_MAP_PANEL (window->map_panel));
  int width = gtk_widget_get_width (map), height = gtk_widget_get_height (map);

  for (int j = 2; j < height; j += 2)
    for (int i = 2; i < width; i += 2)
      if (cnc_map_view_model_at (CNC_MAP_VIEW (map), i, j) == wanted)
        {
          graphene_point_t point;
          g_assert_true (gtk_widget_compute_point (map, GTK_WIDGET (window), &GRAPHENE_POINT_INIT (i, j), &point));
          *x = point.x;
          *y = point.y;
          return TRUE;
        }
  return FALSE;
}

typedef struct {
  CncModelSet *set;
  const char  *name;
  const char  *metric;
} HasMetric;

static gboolean
model_has_metric (gpointer data)
{
  HasMetric *h = data;
  guint index = cnc_model_set_find_name (h->set, h->name);
  int metric = cnc_model_set_find_metric (h->set, h->metric);

  return index != CNC_MODEL_NONE && metric >= 0 && !isnan (cnc_model_set_get_value (h->set, index, metric));
}

/* The README's walk-through, on the demo (the quick one the previous test built, or the workspace in
 * $CNC_SHOTS_WORKSPACE): colour by accuracy, + Descendants of the 50% pruned model, the Pareto front of
 * accuracy against size, a model made by python3-torch dropped onto the base model and evaluated. */
static void
test_demo_walkthrough (void)
{
  g_autofree char *default_dir = cnc_workspace_default_path ();
  const char *dir = g_getenv ("CNC_SHOTS_WORKSPACE") ? g_getenv ("CNC_SHOTS_WORKSPACE") : default_dir;
  g_autofree char *canonical = g_canonicalize_filename (dir, NULL);
  g_autofree char *tmp = cnc_test_tmpdir ("test-app-walk");
  g_autofree char *made = g_build_filename (tmp, "pytorch-l1-60.pt", NULL);
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(CncModel) base = NULL;
  g_autoptr(GArray) edges = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new (NULL, NULL);
  const char *paths[] = { made, NULL };
  CncWindow *window;
  CncModelSet *set;
  CncImportDialog *dialog;
  CncCompressDialog *compress;
  GtkWidget *scatter;
  HasMetric evaluated;
  double x = 0, y = 0;
  guint pruned, n_before, grew;

  if (!g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no demo workspace (the previous test was skipped)");
      return;
    }
  /* A model made outside the app, by a user's PyTorch script, from the demo's base model. */
  ws = cnc_workspace_open (dir, CNC_WORKSPACE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  base = cnc_workspace_find_model (ws, "base", &error);
  g_assert_no_error (error);
  {
    g_autofree char *base_path = cnc_store_model_path (ws, base);
    const char *args[] = { "python-pruned", base_path, made, "0.6", NULL };
    if (!cnc_test_run_python ("check-operation-jobs.py", args))
      return;
  }

  window = cnc_window_new (NULL, canonical);
  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (window_loaded, window, "the workspace to load");
  wait_until (map_drawn, window, "the map to be drawn");
  set = cnc_window_get_model_set (window);

  /* Coloured by accuracy. */
  cnc_model_set_set_color_metric (set, cnc_model_set_find_metric (set, "Top-1 Accuracy"));
  g_assert_cmpint (cnc_model_set_get_color_metric (set), ==, cnc_model_set_find_metric (set, "Top-1 Accuracy"));
  shoot ("demo-map.png");

  /* + Descendants of prune-50: exactly the models below it in the registry's lineage. */
  edges = cnc_workspace_list_edges (ws, &error);
  g_assert_no_error (error);
  pruned = cnc_model_set_find_name (set, "prune-50");
  g_assert_cmpuint (pruned, !=, CNC_MODEL_NONE);
  g_hash_table_add (expected, GUINT_TO_POINTER (cnc_model_set_get_model (set, pruned)->id));
  do
    {
      grew = 0;
      for (guint e = 0; e < edges->len; e++)
        {
          CncEdge *edge = &g_array_index (edges, CncEdge, e);
          if (edge->role == CNC_EDGE_BASE && g_hash_table_contains (expected, GINT_TO_POINTER (edge->parent))
              && !g_hash_table_contains (expected, GINT_TO_POINTER (edge->child)))
            {
              g_hash_table_add (expected, GINT_TO_POINTER (edge->child));
              grew++;
            }
        }
    }
  while (grew > 0);
  cnc_model_set_select_one (set, pruned);
  g_action_group_activate_action (G_ACTION_GROUP (window), "add-descendants", NULL);
  g_assert_cmpuint (cnc_model_set_get_n_selected (set), ==, g_hash_table_size (expected));
  for (guint i = 0; i < cnc_model_set_get_n_models (set); i++)
    g_assert_cmpint (cnc_model_set_is_selected (set, i), ==,
                     g_hash_table_contains (expected, GINT_TO_POINTER (cnc_model_set_get_model (set, i)->id)));

  /* The Pareto front of accuracy against the size at bit width. */
  scatter = cnc_scatter_panel_get_view (CNC_SCATTER_PANEL (window->scatter_panel));
  cnc_scatter_panel_set_axes (CNC_SCATTER_PANEL (window->scatter_panel),
                              cnc_model_set_find_metric (set, "Size at bit width"),
                              cnc_model_set_find_metric (set, "Top-1 Accuracy"));
  cnc_scatter_view_set_show_pareto (CNC_SCATTER_VIEW (scatter), TRUE);
  {
    g_autoptr(GArray) front = cnc_scatter_view_get_pareto (CNC_SCATTER_VIEW (scatter));
    g_assert_cmpuint (front->len, >=, 1);
  }
  shoot ("demo-descendants-pareto.png");

  /* The python3-torch model dropped onto the base model, imported as its child and evaluated. */
  cnc_model_set_select_none (set);
  n_before = cnc_model_set_get_n_models (set);
  g_assert_true (find_model_node (window, cnc_model_set_find_name (set, "base"), &x, &y));
  g_assert_true (drop_files (window, paths, x, y));
  dialog = find_import_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (cnc_import_dialog_get_parent (dialog), ==, "base");
  cnc_import_dialog_set_operation (dialog, "prune", "amount=0.6, tool=pytorch");
  shoot ("demo-drop.png");
  cnc_import_dialog_run (dialog);
  {
    Reload reload = { window, n_before + 1 };
    wait_until (reloaded_with, &reload, "the import and the reload");
  }
  evaluated = (HasMetric) { set, "pytorch-l1-60", "Top-1 Accuracy" };
  wait_until (model_has_metric, &evaluated, "the dropped model's evaluation");
  cnc_model_set_select_one (set, cnc_model_set_find_name (set, "pytorch-l1-60"));
  /* The axes chosen stay through the reloads. */
  g_assert_cmpint (cnc_scatter_view_get_x_metric (CNC_SCATTER_VIEW (scatter)), ==,
                   cnc_model_set_find_metric (set, "Size at bit width"));
  cnc_dock_present_panel (cnc_window_get_dock (window), "jobs");
  shoot ("demo-evaluated.png");

  /* Compress… on a selected model: 80% pruning of prune-50-ft, run as a job, recorded and evaluated. */
  cnc_model_set_select_one (set, cnc_model_set_find_name (set, "prune-50-ft"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "compress"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "compress", NULL);
  compress = find_compress_dialog ();
  g_assert_nonnull (compress);
  cnc_compress_dialog_set_operation (compress, CNC_OPERATION_PRUNE);
  cnc_compress_dialog_set_amount (compress, 80);
  g_assert_cmpstr (cnc_compress_dialog_get_name (compress), ==, "prune-50-ft-prune-80");
  shoot ("demo-compress.png");
  g_assert_true (cnc_compress_dialog_run (compress));
  evaluated = (HasMetric) { set, "prune-50-ft-prune-80", "Sparsity" };
  wait_until (model_has_metric, &evaluated, "the pruned model");
  {
    guint made = cnc_model_set_find_name (set, "prune-50-ft-prune-80");
    double sparsity = cnc_model_set_get_value (set, made, cnc_model_set_find_metric (set, "Sparsity"));

    g_assert_cmpuint (cnc_model_set_get_parent (set, made), ==, cnc_model_set_find_name (set, "prune-50-ft"));
    /* 80% of the conv and linear weights; the biases and BatchNorm parameters (under 1%) stay. */
    g_assert_cmpfloat (sparsity, >, 0.79);
    g_assert_cmpfloat (sparsity, <, 0.80);
  }
  /* The same again: the name is taken, said in the dialog, nothing queued. */
  cnc_model_set_select_one (set, cnc_model_set_find_name (set, "prune-50-ft"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "compress", NULL);
  compress = find_compress_dialog ();
  cnc_compress_dialog_set_operation (compress, CNC_OPERATION_PRUNE);
  cnc_compress_dialog_set_amount (compress, 80);
  g_assert_false (cnc_compress_dialog_run (compress));
  g_assert_nonnull (strstr (cnc_compress_dialog_get_error (compress), "already exists"));
  gtk_window_destroy (GTK_WINDOW (compress));

  /* A trained model's page shows its loss curve. */
  cnc_model_set_select_one (set, cnc_model_set_find_name (set, "base"));
  cnc_dock_present_panel (cnc_window_get_dock (window), "details");
  shoot ("demo-base-details.png");

  close_window (window);
  cnc_test_rmtree (tmp);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = cnc_test_tmpdir ("test-app-data");
  int status;

  /* The default workspace lives here (before GLib reads the variable). */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("CNC_DEMO_QUICK", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    return 77;   /* no display: Meson reports SKIP */
  cnc_application_ensure_ui ();

  g_test_add_func ("/app/window/opens-workspace", test_window_opens_workspace);
  g_test_add_func ("/app/window/missing-folder-becomes-workspace", test_window_missing_folder_becomes_workspace);
  g_test_add_func ("/app/dnd/imports-onto-node", test_drop_imports_onto_node);
  g_test_add_func ("/app/dnd/bad-file-changes-nothing", test_drop_bad_file_changes_nothing);
  g_test_add_func ("/app/dock/layout-restored", test_layout_restored);
  g_test_add_func ("/app/dock/detached-panel-comes-back", test_detached_panel_comes_back);
  g_test_add_func ("/app/map/zoom-buttons", test_map_zoom_buttons);
  g_test_add_func ("/app/demo/default-workspace", test_demo_in_default_workspace);
  g_test_add_func ("/app/demo/walkthrough", test_demo_walkthrough);
  status = g_test_run ();
  cnc_test_rmtree (data_home);
  return status;
}
