/* cnc-window-actions.c
 * The main window's actions (new, open, import, export, selection, …) and the one function that enables
 * them and says what a disabled one needs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-window-private.h"

#include "cnc-compress-dialog.h"
#include "cnc-jobs-panel.h"

#include "cnc-application.h"
#include "cnc-map-panel.h"
#include "cnc-models-panel.h"
#include "session/cnc-registry-task.h"
#include "core/registry/cnc-cac-json.h"
#include "widgets/cnc-map-view.h"

/* ---------------------------------------------------------------- file choosers */

typedef void (*ChooserDone) (CncWindow *self, GListModel *files);

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     CncWindow       *self)
{
  ChooserDone done = g_object_get_data (G_OBJECT (chooser), "cnc-done");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      done (self, files);
    }
  if (self->chooser == chooser)
    g_clear_object (&self->chooser);
}

static void
run_chooser (CncWindow            *self,
             const char           *title,
             GtkFileChooserAction  action,
             const char           *accept,
             gboolean              multiple,
             const char           *filter_name,
             const char * const   *patterns,
             const char           *current_name,
             ChooserDone           done)
{
  GtkFileChooserNative *chooser;

  if (self->chooser)
    {
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), multiple);
  if (patterns)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, filter_name);
      for (guint i = 0; patterns[i]; i++)
        gtk_file_filter_add_pattern (filter, patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      gtk_file_filter_set_name (all, "All files");
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  if (current_name)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), current_name);
  g_object_set_data (G_OBJECT (chooser), "cnc-done", done);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static GStrv
paths_of (GListModel *files)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      g_autofree char *path = g_file_get_path (file);

      if (path)
        g_strv_builder_add (builder, path);
    }
  return g_strv_builder_end (builder);
}

/* ---------------------------------------------------------------- workspaces */

static void
open_dir (CncWindow  *self,
          const char *dir)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (CNC_IS_APPLICATION (app))
    cnc_application_open_workspace (CNC_APPLICATION (app), dir);
  else
    gtk_window_present (GTK_WINDOW (cnc_window_new (NULL, dir)));
}

static void
open_chosen (CncWindow  *self,
             GListModel *files)
{
  g_auto(GStrv) paths = paths_of (files);
  g_autofree char *registry = NULL;

  if (paths[0] == NULL)
    return;
  registry = g_build_filename (paths[0], "registry.sqlite", NULL);
  if (!g_file_test (registry, G_FILE_TEST_EXISTS))
    {
      cnc_window_show_message (self, TRUE, "“%s” is not a workspace (it has no registry.sqlite). "
                               "Use New Workspace to make one there.", paths[0]);
      return;
    }
  open_dir (self, paths[0]);
}

static void
new_chosen (CncWindow  *self,
            GListModel *files)
{
  g_auto(GStrv) paths = paths_of (files);

  /* The window makes the folder a workspace when it opens it (in its opening thread). */
  if (paths[0])
    open_dir (self, paths[0]);
}

static void
new_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       data)
{
  run_chooser (data, "New Workspace — choose or create an empty folder", GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
               "_Create", FALSE, NULL, NULL, NULL, new_chosen);
}

static void
open_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       data)
{
  run_chooser (data, "Open Workspace", GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Open", FALSE,
               NULL, NULL, NULL, open_chosen);
}

/* ---------------------------------------------------------------- import and export */

static void
import_chosen (CncWindow  *self,
               GListModel *files)
{
  g_auto(GStrv) paths = paths_of (files);

  if (paths[0])
    cnc_window_import_paths (self, (const char * const *) paths, NULL);
}

static void
import_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       data)
{
  static const char * const patterns[] = { "*.pt", "*.pth", "*.ts", "*.zip", "*.safetensors", "*.json", NULL };

  run_chooser (data, "Import Models", GTK_FILE_CHOOSER_ACTION_OPEN, "_Import", TRUE,
               "Model files (TorchScript, state dicts, safetensors, models.json)", patterns, NULL, import_chosen);
}

static void
import_json_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       data)
{
  static const char * const patterns[] = { "*.json", NULL };

  run_chooser (data, "Import models.json", GTK_FILE_CHOOSER_ACTION_OPEN, "_Import", TRUE,
               "models.json files of Compress and Compare", patterns, NULL, import_chosen);
}

static gboolean
export_job (CncWorkspace    *workspace,
            gpointer         data,
            gpointer        *result_out,
            GDestroyNotify  *result_free,
            GCancellable    *cancellable,
            GError         **error)
{
  const char *path = data;
  g_autofree char *text = cnc_cac_json_export (workspace, error);

  return text != NULL && g_file_set_contents (path, text, -1, error);
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(CncWindow) self = data;
  g_autoptr(GError) error = NULL;
  const char *path = g_object_get_data (G_OBJECT (self), "cnc-export-path");

  _cnc_window_set_busy (self, FALSE);
  if (!cnc_registry_task_finish (result, NULL, &error))
    cnc_window_show_message (self, TRUE, "The workspace could not be exported: %s", error->message);
  else
    cnc_window_show_message (self, FALSE, "Exported %u models to %s",
                             cnc_model_set_get_n_models (self->set), path);
}

static void
export_chosen (CncWindow  *self,
               GListModel *files)
{
  g_auto(GStrv) paths = paths_of (files);

  if (paths[0] == NULL)
    return;
  g_object_set_data_full (G_OBJECT (self), "cnc-export-path", g_strdup (paths[0]), g_free);
  _cnc_window_set_busy (self, TRUE);
  cnc_window_show_message (self, FALSE, "Exporting to %s…", paths[0]);
  cnc_registry_task_run (self->dir, CNC_WORKSPACE_OPEN_READ_ONLY, export_job, g_strdup (paths[0]), g_free,
                         self->cancellable, export_done, g_object_ref (self));
}

static void
export_json_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       data)
{
  CncWindow *self = data;
  g_autofree char *base = g_path_get_basename (self->dir);
  g_autofree char *name = g_strdup_printf ("%s-models.json", base);
  static const char * const patterns[] = { "*.json", NULL };

  run_chooser (self, "Export models.json", GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", FALSE,
               "models.json files", patterns, name, export_chosen);
}

/* ---------------------------------------------------------------- window, view, selection */

static void
close_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       data)
{
  gtk_window_close (data);
}

static void
find_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       data)
{
  CncWindow *self = data;

  cnc_dock_present_panel (self->dock, "models");
  cnc_models_panel_focus_search (CNC_MODELS_PANEL (self->models_panel));
}

static void
reload_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       data)
{
  _cnc_window_reload (data);
}

#define SET_ACTION(name, call)                                           \
  static void                                                            \
  name##_activated (GSimpleAction *action, GVariant *p, gpointer data)   \
  {                                                                      \
    call (CNC_WINDOW (data)->set);                                       \
  }

SET_ACTION (select_all, cnc_model_set_select_all)
SET_ACTION (select_none, cnc_model_set_select_none)
SET_ACTION (add_parents, cnc_model_set_add_parents)
SET_ACTION (add_children, cnc_model_set_add_children)
SET_ACTION (add_ancestors, cnc_model_set_add_ancestors)
SET_ACTION (add_descendants, cnc_model_set_add_descendants)

/* The one selected model, when the worker can run an operation on it; else why not (NULL: it can). */
static const char *
compress_hint (CncWindow *self,
               guint     *model)
{
  if (!self->loaded || self->worker == NULL)
    return "jobs cannot run on this workspace";
  if (cnc_model_set_get_n_selected (self->set) != 1)
    return "select one model";
  for (guint i = 0; i < cnc_model_set_get_n_models (self->set); i++)
    if (cnc_model_set_is_selected (self->set, i))
      {
        *model = i;
        break;
      }
  if (g_strcmp0 (cnc_model_set_get_model (self->set, *model)->format, "torchscript") != 0)
    return "the model has no TorchScript file";
  return NULL;
}

static void
on_compress_submitted (CncCompressDialog *dialog,
                       CncJob            *job,
                       CncWindow         *self)
{
  cnc_jobs_panel_add_job (CNC_JOBS_PANEL (self->jobs_panel), job);
  cnc_dock_present_panel (self->dock, "jobs");
}

static void
compress_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       data)
{
  CncWindow *self = data;
  GtkWindow *dialog;
  guint model = CNC_MODEL_NONE;

  if (compress_hint (self, &model) != NULL)
    return;
  dialog = cnc_compress_dialog_new (GTK_WINDOW (self), self->set, self->worker, model);
  g_signal_connect_object (dialog, "submitted", G_CALLBACK (on_compress_submitted), self, 0);
  gtk_window_present (dialog);
}

static void
zoom_fit_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       data)
{
  CncWindow *self = data;

  cnc_map_view_zoom_fit (CNC_MAP_VIEW (cnc_map_panel_get_view (CNC_MAP_PANEL (self->map_panel))));
}

/* ---------------------------------------------------------------- recent workspaces */

static void
update_recent (CncWindow *self)
{
  GSettings *settings = cnc_application_get_settings ();
  g_auto(GStrv) recent = settings ? g_settings_get_strv (settings, "recent-workspaces") : g_new0 (char *, 1);
  guint shown = 0;

  g_menu_remove_all (self->recent_section);
  for (guint i = 0; recent[i]; i++)
    {
      g_autofree char *name = g_path_get_basename (recent[i]);
      g_autoptr(GMenuItem) item = NULL;

      if (g_strcmp0 (recent[i], self->dir) == 0)
        continue;
      item = g_menu_item_new (name, NULL);
      g_menu_item_set_action_and_target_value (item, "app.open-workspace", g_variant_new_string (recent[i]));
      g_menu_append_item (self->recent_section, item);
      shown++;
    }
  if (shown == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new ("No other workspaces yet", "win.nothing");
      g_menu_append_item (self->recent_section, item);
    }
}

/* ---------------------------------------------------------------- enabling */

static void
set_enabled (CncWindow  *self,
             const char *name,
             gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* A menu item whose label says what it needs while it is disabled. */
static void
append_hinted (GMenu      *menu,
               const char *label,
               const char *action,
               const char *hint)
{
  g_autofree char *text = hint ? g_strdup_printf ("%s (%s)", label, hint) : g_strdup (label);
  g_autoptr(GMenuItem) item = g_menu_item_new (text, action);

  g_menu_append_item (menu, item);
}

void
_cnc_window_update_actions (CncWindow *self)
{
  gboolean loaded = self->loaded;
  gboolean writable = loaded && self->workspace && !cnc_workspace_is_read_only (self->workspace);
  guint n_models = loaded ? cnc_model_set_get_n_models (self->set) : 0;
  guint n_selected = loaded ? cnc_model_set_get_n_selected (self->set) : 0;
  const char *import_hint = NULL, *export_hint = NULL, *compress_hint_text = NULL;
  static const struct { CncDockPosition area; const char *name; } sides[] = {
    { CNC_DOCK_LEFT, "left sidebar" }, { CNC_DOCK_RIGHT, "right sidebar" }, { CNC_DOCK_BOTTOM, "bottom panel" },
  };
  static const char * const side_keys[] = { "F9", "Shift+F9", "Ctrl+F9" };
  GtkToggleButton *side_buttons[] = { self->reveal_left_button, self->reveal_right_button,
                                      self->reveal_bottom_button };

  if (self->file_section == NULL)
    return;

  if (!loaded)
    import_hint = export_hint = "open a workspace first";
  else if (!writable)
    import_hint = "the workspace is read-only";
  else if (self->busy)
    import_hint = export_hint = "wait for the import or export to finish";
  if (export_hint == NULL && n_models == 0)
    export_hint = "the workspace has no models yet";

  set_enabled (self, "import", import_hint == NULL);
  set_enabled (self, "import-json", import_hint == NULL);
  set_enabled (self, "export-json", export_hint == NULL);
  set_enabled (self, "find", n_models > 0);
  set_enabled (self, "select-all", n_models > 0);
  set_enabled (self, "select-none", n_selected > 0);
  set_enabled (self, "add-parents", n_selected > 0);
  set_enabled (self, "add-children", n_selected > 0);
  set_enabled (self, "add-ancestors", n_selected > 0);
  set_enabled (self, "add-descendants", n_selected > 0);
  set_enabled (self, "zoom-fit", n_models > 0);
  {
    guint model = CNC_MODEL_NONE;
    compress_hint_text = compress_hint (self, &model);
    set_enabled (self, "compress", compress_hint_text == NULL);
  }

  if (import_hint)
    {
      g_autofree char *tip = g_strdup_printf ("Import model files: %s", import_hint);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->import_button), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->import_button),
                                 "Import model files: TorchScript, state dicts, safetensors, models.json (Ctrl+I). "
                                 "You can also drop them anywhere on the window.");

  g_menu_remove_all (self->file_section);
  append_hinted (self->file_section, "_Import Models…", "win.import", import_hint);
  append_hinted (self->file_section, "Import _models.json…", "win.import-json", import_hint);
  append_hinted (self->file_section, "_Export models.json…", "win.export-json", export_hint);
  append_hinted (self->file_section, "_Compress Model…", "win.compress", compress_hint_text);

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      CncDockArea *area = cnc_dock_get_area (self->dock, sides[i].area);
      g_autofree char *tip = NULL;

      if (cnc_dock_area_get_n_pages (area) == 0)
        tip = g_strdup_printf ("The %s is empty: drag a panel's tab there, or right-click a tab to move it",
                               sides[i].name);
      else
        tip = g_strdup_printf ("Show or hide the %s (%s)", sides[i].name, side_keys[i]);
      gtk_widget_set_tooltip_text (GTK_WIDGET (side_buttons[i]), tip);
    }
}

void
_cnc_window_set_busy (CncWindow *self,
                      gboolean   busy)
{
  self->busy = !!busy;
  _cnc_window_update_actions (self);
}

void
_cnc_window_add_actions (CncWindow *self)
{
  static const GActionEntry entries[] = {
    { "new", new_activated },
    { "open", open_activated },
    { "import", import_activated },
    { "import-json", import_json_activated },
    { "export-json", export_json_activated },
    { "close", close_activated },
    { "find", find_activated },
    { "reload", reload_activated },
    { "select-all", select_all_activated },
    { "select-none", select_none_activated },
    { "add-parents", add_parents_activated },
    { "add-children", add_children_activated },
    { "add-ancestors", add_ancestors_activated },
    { "add-descendants", add_descendants_activated },
    { "zoom-fit", zoom_fit_activated },
    { "compress", compress_activated },
  };
  GSettings *settings = cnc_application_get_settings ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  if (settings)
    g_signal_connect_object (settings, "changed::recent-workspaces", G_CALLBACK (update_recent), self,
                             G_CONNECT_SWAPPED);
}

void
_cnc_window_setup_recent (CncWindow *self)
{
  update_recent (self);
}
