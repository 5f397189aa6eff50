/* cnc-window.c
 * The main window of one workspace: header bar, the dock of panels, drag-and-drop import, messages.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-window-private.h"

#include "cnc-application.h"
#include "cnc-details-panel.h"
#include "cnc-filters-panel.h"
#include "cnc-import-dialog.h"
#include "cnc-jobs-panel.h"
#include "cnc-map-panel.h"
#include "cnc-models-panel.h"
#include "cnc-scatter-panel.h"
#include "engine/cnc-evaluate.h"

G_DEFINE_FINAL_TYPE (CncWindow, cnc_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------- title and messages */

static gboolean
is_default_dir (const char *dir)
{
  g_autofree char *default_dir = cnc_workspace_default_path ();
  g_autofree char *canonical_default = g_canonicalize_filename (default_dir, NULL);

  return g_strcmp0 (dir, canonical_default) == 0;
}

static char *
workspace_display_name (const char *dir)
{
  if (is_default_dir (dir))
    return g_strdup ("Default Workspace");
  return g_path_get_basename (dir);
}

static char *
home_relative (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize n = strlen (home);

  if (n > 1 && g_str_has_prefix (path, home) && (path[n] == '/' || path[n] == '\0'))
    return g_strconcat ("~", path + n, NULL);
  return g_strdup (path);
}

static void
update_title (CncWindow *self)
{
  g_autofree char *name = workspace_display_name (self->dir);
  g_autofree char *title = g_strdup_printf ("%s — Compress & Compare", name);
  g_autofree char *where = home_relative (self->dir);
  g_autoptr(GString) subtitle = g_string_new (where);

  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_label (self->title_label, name);
  if (self->loaded)
    {
      guint n = cnc_model_set_get_n_models (self->set);

      g_string_append_printf (subtitle, " · %u model%s", n, n == 1 ? "" : "s");
      if (self->workspace && cnc_workspace_is_read_only (self->workspace))
        g_string_append (subtitle, " · read-only");
    }
  gtk_label_set_label (self->subtitle_label, subtitle->str);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->subtitle_label), self->dir);
}

static void
hide_toast (CncWindow *self)
{
  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  gtk_revealer_set_reveal_child (self->toast_revealer, FALSE);
}

static gboolean
toast_timeout_cb (gpointer data)
{
  CncWindow *self = data;

  self->toast_timeout = 0;
  gtk_revealer_set_reveal_child (self->toast_revealer, FALSE);
  return G_SOURCE_REMOVE;
}

void
cnc_window_show_message (CncWindow  *self,
                         gboolean    error,
                         const char *format,
                         ...)
{
  g_autofree char *text = NULL;
  va_list args;

  g_return_if_fail (CNC_IS_WINDOW (self));
  if (self->toast_label == NULL)   /* closed */
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  gtk_label_set_label (self->toast_label, text);
  gtk_image_set_from_icon_name (self->toast_icon, error ? "dialog-error-symbolic" : "emblem-ok-symbolic");
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->toast_revealer), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->toast_revealer), "error");
  gtk_revealer_set_reveal_child (self->toast_revealer, TRUE);
  /* Errors stay until dismissed: the user must be able to read the reason. */
  if (!error)
    self->toast_timeout = g_timeout_add_seconds (6, toast_timeout_cb, self);
}

/* ---------------------------------------------------------------- loading */

static void
on_set_changed (CncModelSet *set,
                CncWindow   *self)
{
  gboolean first = !self->loaded;

  self->loaded = TRUE;
  gtk_spinner_stop (self->loading_spinner);
  gtk_stack_set_visible_child_name (self->main_stack, "workspace");
  update_title (self);
  _cnc_window_update_actions (self);
  if (first)
    gtk_widget_grab_focus (self->map_panel);
  g_signal_emit (self, signals[LOADED], 0);
}

static void
on_set_load_failed (CncModelSet  *set,
                    const GError *error,
                    CncWindow    *self)
{
  if (!self->loaded)
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "error");
    }
  else
    cnc_window_show_message (self, TRUE, "The workspace could not be reloaded: %s", error->message);
  _cnc_window_update_actions (self);
}

static void
on_selection_changed (CncModelSet *set,
                      CncWindow   *self)
{
  _cnc_window_update_actions (self);
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(CncWindow) self = data;
  g_autoptr(GError) error = NULL;

  /* Success reaches the window through the set's "changed" signal. */
  if (!cnc_model_set_load_finish (CNC_MODEL_SET (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    on_set_load_failed (self->set, error, self);
}

typedef struct {
  CncWorkspace *workspace;
  CncWorker    *worker;
  GError       *worker_error;
  gboolean      created;       /* the folder had no workspace before */
} Opened;

static void
opened_free (Opened *opened)
{
  g_clear_object (&opened->workspace);
  g_clear_object (&opened->worker);
  g_clear_error (&opened->worker_error);
  g_free (opened);
}

static void
open_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *dir = task_data;
  g_autofree char *registry = g_build_filename (dir, "registry.sqlite", NULL);
  CncWorkspaceOpenFlags flags = g_file_test (registry, G_FILE_TEST_EXISTS)
                                ? CNC_WORKSPACE_OPEN_DEFAULT : CNC_WORKSPACE_OPEN_CREATE;
  GError *error = NULL;
  Opened *opened = g_new0 (Opened, 1);

  opened->workspace = cnc_workspace_open (dir, flags, &error);
  opened->created = flags == CNC_WORKSPACE_OPEN_CREATE;
  if (opened->workspace == NULL)
    {
      opened_free (opened);
      g_task_return_error (task, error);
      return;
    }
  /* The worker's progress reaches the main loop; its thread opens a connection of its own. */
  if (!cnc_workspace_is_read_only (opened->workspace))
    opened->worker = cnc_worker_new (dir, g_main_context_default (), &opened->worker_error);
  else
    opened->worker_error = g_error_new (CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY,
                                        "The workspace is read-only: jobs cannot record their results");
  g_task_return_pointer (task, opened, (GDestroyNotify) opened_free);
}

static void
open_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(CncWindow) self = data;
  g_autoptr(GError) error = NULL;
  Opened *opened = g_task_propagate_pointer (G_TASK (result), &error);

  if (opened == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        on_set_load_failed (self->set, error, self);
      return;
    }
  g_set_object (&self->workspace, opened->workspace);
  g_set_object (&self->worker, opened->worker);
  cnc_jobs_panel_set_worker (CNC_JOBS_PANEL (self->jobs_panel), self->dir, self->worker,
                             opened->worker_error);
  /* The default workspace starts as the demo: built on first use, in the background. */
  if (opened->created && self->worker && is_default_dir (self->dir))
    _cnc_window_build_demo (self);
  opened_free (opened);
  gtk_label_set_label (self->loading_label, "Loading the models…");
  cnc_model_set_load_async (self->set, self->workspace, self->cancellable, load_done, g_object_ref (self));
  cnc_application_add_recent (self->dir);
}

/* Opens the workspace in a thread (the first open may create or migrate it), then loads its models. */
static void
open_workspace (CncWindow *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, open_done, g_object_ref (self));

  if (self->workspace && self->loaded)
    {
      cnc_model_set_reload (self->set);
      return;
    }
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  gtk_spinner_start (self->loading_spinner);
  gtk_label_set_label (self->loading_label, "Opening the workspace…");
  g_task_set_task_data (task, g_strdup (self->dir), g_free);
  g_task_run_in_thread (task, open_thread);
}

void
_cnc_window_reload (CncWindow *self)
{
  open_workspace (self);
}

/* ---------------------------------------------------------------- layout and size */

static void
save_state (CncWindow *self)
{
  GSettings *settings = cnc_application_get_settings ();
  g_autoptr(GVariant) layout = NULL;
  int width, height;

  if (settings == NULL)
    return;
  layout = cnc_dock_save_layout (self->dock);
  g_settings_set_value (settings, "dock-layout", layout);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (settings, "window-width", MAX (width, 360));
          g_settings_set_int (settings, "window-height", MAX (height, 300));
        }
    }
}

static void
restore_state (CncWindow *self)
{
  GSettings *settings = cnc_application_get_settings ();
  g_autoptr(GVariant) layout = NULL;

  if (settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  layout = g_settings_get_value (settings, "dock-layout");
  if (g_variant_n_children (layout) > 0)
    cnc_dock_restore_layout (self->dock, layout);
}

static gboolean
cnc_window_close_request (GtkWindow *window)
{
  CncWindow *self = CNC_WINDOW (window);

  save_state (self);
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (cnc_window_parent_class)->close_request (window);
}

/* ---------------------------------------------------------------- panels */

static void
on_dock_layout_changed (CncDock   *dock,
                        CncWindow *self)
{
  _cnc_window_update_actions (self);
}

static void
on_job_finished (CncJobsPanel *panel,
                 CncJob       *job,
                 CncWindow    *self)
{
  const GError *error = cnc_job_get_error (job);

  /* Its results (metrics) are in the registry now. */
  if (cnc_job_get_state (job) == CNC_JOB_DONE)
    cnc_model_set_reload (self->set);
  else if (cnc_job_get_state (job) == CNC_JOB_FAILED && error)
    cnc_window_show_message (self, TRUE, "A job failed: %s", error->message);
}

static void
add_panels (CncWindow *self)
{
  self->map_panel = cnc_map_panel_new (self->set);
  self->scatter_panel = cnc_scatter_panel_new (self->set);
  self->models_panel = cnc_models_panel_new (self->set);
  self->details_panel = cnc_details_panel_new (self->set);
  self->filters_panel = cnc_filters_panel_new (self->set);
  self->jobs_panel = cnc_jobs_panel_new (self->set);

  /* The default layout: the map in the centre; the scatterplot over the selection's details (and
   * the filters) on the right; the table and the jobs below the map. The left sidebar waits for
   * whatever the user drags there. */
  cnc_dock_add_panel (self->dock, "map", "Model Map", "cnc-map-symbolic", self->map_panel, CNC_DOCK_CENTRE, 0);
  cnc_dock_add_panel (self->dock, "scatter", "Scatterplot", "cnc-scatter-symbolic", self->scatter_panel,
                      CNC_DOCK_RIGHT, 0);
  cnc_dock_add_panel (self->dock, "details", "Selection", "cnc-details-symbolic", self->details_panel,
                      CNC_DOCK_RIGHT, 1);
  cnc_dock_add_panel (self->dock, "filters", "Filters", "cnc-filter-symbolic", self->filters_panel,
                      CNC_DOCK_RIGHT, 1);
  cnc_dock_add_panel (self->dock, "models", "Models", "cnc-table-symbolic", self->models_panel,
                      CNC_DOCK_BOTTOM, 0);
  cnc_dock_add_panel (self->dock, "jobs", "Jobs", "cnc-jobs-symbolic", self->jobs_panel, CNC_DOCK_BOTTOM, 0);
  /* The comparison's bar charts need more height than the scatterplot. */
  cnc_dock_set_default_split (self->dock, CNC_DOCK_RIGHT, 0.42);
  g_signal_connect (self->dock, "layout-changed", G_CALLBACK (on_dock_layout_changed), self);
  g_signal_connect (self->jobs_panel, "job-finished", G_CALLBACK (on_job_finished), self);
}

static void
setup_menu (CncWindow *self)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (CNC_RESOURCE_PATH "/menus.ui");
  GMenuModel *menu = G_MENU_MODEL (gtk_builder_get_object (builder, "primary-menu"));
  GMenu *panels = G_MENU (gtk_builder_get_object (builder, "panels-section"));

  self->recent_section = g_object_ref (G_MENU (gtk_builder_get_object (builder, "recent-section")));
  self->file_section = g_object_ref (G_MENU (gtk_builder_get_object (builder, "file-section")));
  g_menu_append_section (panels, NULL, cnc_dock_get_panels_menu (self->dock));
  gtk_menu_button_set_menu_model (self->menu_button, menu);
}

/* ---------------------------------------------------------------- object */

static void
on_toast_close (GtkButton *button,
                CncWindow *self)
{
  hide_toast (self);
}

static void
cnc_window_dispose (GObject *object)
{
  CncWindow *self = CNC_WINDOW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  _cnc_window_demo_dispose (self);
  if (self->chooser)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->set)
    g_signal_handlers_disconnect_by_data (self->set, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_WINDOW);
  G_OBJECT_CLASS (cnc_window_parent_class)->dispose (object);
}

static void
cnc_window_finalize (GObject *object)
{
  CncWindow *self = CNC_WINDOW (object);

  g_clear_object (&self->set);
  g_clear_object (&self->worker);
  g_clear_object (&self->workspace);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->recent_section);
  g_clear_object (&self->file_section);
  g_free (self->dir);
  G_OBJECT_CLASS (cnc_window_parent_class)->finalize (object);
}

static void
cnc_window_class_init (CncWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cnc_window_dispose;
  object_class->finalize = cnc_window_finalize;
  window_class->close_request = cnc_window_close_request;

  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  cnc_application_ensure_ui ();
  g_type_ensure (CNC_TYPE_DOCK);
  /* The window's own children (title bar, content) are not bound: GtkWindow unparents them itself. */
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CncWindow, import_button);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, reveal_left_button);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, reveal_right_button);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, reveal_bottom_button);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, loading_label);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, dock);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, drop_revealer);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, drop_label);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, drop_detail_label);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, toast_revealer);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, toast_icon);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, toast_label);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, toast_close_button);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, demo_revealer);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, demo_title);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, demo_detail);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, demo_progress);
  gtk_widget_class_bind_template_child (widget_class, CncWindow, demo_cancel_button);
}

static void
cnc_window_init (CncWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->set = cnc_model_set_new ();
  g_signal_connect (self->set, "changed", G_CALLBACK (on_set_changed), self);
  g_signal_connect (self->set, "load-failed", G_CALLBACK (on_set_load_failed), self);
  g_signal_connect (self->set, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (self->toast_close_button, "clicked", G_CALLBACK (on_toast_close), self);

  gtk_widget_insert_action_group (GTK_WIDGET (self), "dock", cnc_dock_get_action_group (self->dock));
  add_panels (self);
  _cnc_window_add_actions (self);
  setup_menu (self);
  _cnc_window_setup_recent (self);
  _cnc_window_setup_dnd (self);
  restore_state (self);
}

CncWindow *
cnc_window_new (GtkApplication *app,
                const char     *dir)
{
  CncWindow *self;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (CNC_TYPE_WINDOW, "application", app, NULL);
  self->dir = g_canonicalize_filename (dir, NULL);
  update_title (self);
  _cnc_window_update_actions (self);
  open_workspace (self);
  return self;
}

const char *
cnc_window_get_workspace_dir (CncWindow *self)
{
  g_return_val_if_fail (CNC_IS_WINDOW (self), NULL);
  return self->dir;
}

CncModelSet *
cnc_window_get_model_set (CncWindow *self)
{
  g_return_val_if_fail (CNC_IS_WINDOW (self), NULL);
  return self->set;
}

CncDock *
cnc_window_get_dock (CncWindow *self)
{
  g_return_val_if_fail (CNC_IS_WINDOW (self), NULL);
  return self->dock;
}

gboolean
cnc_window_get_loaded (CncWindow *self)
{
  g_return_val_if_fail (CNC_IS_WINDOW (self), FALSE);
  return self->loaded;
}

/* Evaluates the imported TorchScript models the user asked for; each job shows in the Jobs panel. */
static void
evaluate_models (CncWindow *self,
                 GVariant  *ids)
{
  GSettings *settings = cnc_application_get_settings ();
  g_autofree char *device = settings ? g_settings_get_string (settings, "device") : g_strdup ("cpu");
  CncEvaluateOptions options = { 0 };
  GVariantIter iter;
  gint64 id;

  if (self->worker == NULL || ids == NULL)
    return;
  options.device = device;
  options.threads = settings ? (guint) g_settings_get_int (settings, "cpu-threads") : 0;
  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "x", &id))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CncJob) job = cnc_evaluate_submit (self->worker, id, &options, &error);

      if (job == NULL)
        {
          cnc_window_show_message (self, TRUE, "The evaluation could not be queued: %s", error->message);
          return;
        }
      cnc_jobs_panel_add_job (CNC_JOBS_PANEL (self->jobs_panel), job);
    }
  cnc_dock_present_panel (self->dock, "jobs");
}

static void
on_import_finished (CncImportDialog *dialog,
                    const char      *summary,
                    GVariant        *evaluate,
                    CncWindow       *self)
{
  if (self->toast_label == NULL)   /* the window closed while the import ran */
    return;
  cnc_window_show_message (self, FALSE, "%s", summary);
  cnc_model_set_reload (self->set);
  evaluate_models (self, evaluate);
}

static void
on_import_destroyed (GtkWidget *dialog,
                     CncWindow *self)
{
  _cnc_window_set_busy (self, FALSE);
}

GtkWindow *
cnc_window_import_paths (CncWindow          *self,
                         const char * const *paths,
                         const char         *parent)
{
  GtkWindow *dialog;
  const char *why_not = NULL;

  g_return_val_if_fail (CNC_IS_WINDOW (self), NULL);
  g_return_val_if_fail (paths != NULL && paths[0] != NULL, NULL);

  dialog = cnc_import_dialog_new (GTK_WINDOW (self), self->set, self->dir, paths, parent);
  if (self->worker == NULL)
    why_not = "Jobs cannot run on this workspace (see the Jobs panel)";
  cnc_import_dialog_set_can_evaluate (CNC_IMPORT_DIALOG (dialog), self->worker != NULL, why_not);
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_import_finished), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_import_destroyed), self, 0);
  _cnc_window_set_busy (self, TRUE);
  gtk_window_present (dialog);
  return dialog;
}
