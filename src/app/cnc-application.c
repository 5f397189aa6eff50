/* cnc-application.c
 * The GtkApplication: one window per workspace, app actions, style sheet, colour scheme, settings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-application.h"

#include "cnc-config.h"
#include "cnc-preferences-dialog.h"
#include "cnc-resources.h"
#include "cnc-window.h"

#define MAX_RECENT 10

struct _CncApplication
{
  GtkApplication  parent_instance;

  char           *initial_dir;
};

G_DEFINE_FINAL_TYPE (CncApplication, cnc_application, GTK_TYPE_APPLICATION)

/* ---------------------------------------------------------------- settings, style, scheme */

GSettings *
cnc_application_get_settings (void)
{
  static GSettings *settings;
  static gboolean looked;

  if (!looked)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      looked = TRUE;
      if (source)
        schema = g_settings_schema_source_lookup (source, CNC_APPLICATION_ID, TRUE);
#ifdef CNC_BUILD_SCHEMA_DIR
      /* Run from the build tree: the schema compiled next to the sources. */
      if (schema == NULL && g_file_test (CNC_BUILD_SCHEMA_DIR "/gschemas.compiled", G_FILE_TEST_EXISTS))
        {
          g_autoptr(GSettingsSchemaSource) build = NULL;

          build = g_settings_schema_source_new_from_directory (CNC_BUILD_SCHEMA_DIR, source, FALSE, NULL);
          if (build)
            schema = g_settings_schema_source_lookup (build, CNC_APPLICATION_ID, FALSE);
        }
#endif
      if (schema)
        settings = g_settings_new_full (schema, NULL, NULL);
      else
        g_message ("The settings schema %s is not installed: settings will not be kept", CNC_APPLICATION_ID);
    }
  return settings;
}

void
cnc_application_add_recent (const char *dir)
{
  GSettings *settings = cnc_application_get_settings ();
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  if (settings == NULL || dir == NULL)
    return;
  old = g_settings_get_strv (settings, "recent-workspaces");
  g_strv_builder_add (builder, dir);
  for (guint i = 0; old[i] && n < MAX_RECENT; i++)
    if (g_strcmp0 (old[i], dir) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (settings, "recent-workspaces", (const char * const *) recent);
}

static gboolean
desktop_prefers_dark (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *theme = NULL;

  if (source)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema && g_settings_schema_has_key (schema, "color-scheme"))
    {
      g_autoptr(GSettings) interface = g_settings_new_full (schema, NULL, NULL);
      g_autofree char *scheme = g_settings_get_string (interface, "color-scheme");

      if (g_strcmp0 (scheme, "prefer-dark") == 0)
        return TRUE;
      if (g_strcmp0 (scheme, "prefer-light") == 0)
        return FALSE;
    }
  g_object_get (gtk_settings_get_default (), "gtk-theme-name", &theme, NULL);
  return theme && g_str_has_suffix (theme, "-dark");
}

static void
apply_color_scheme (void)
{
  GSettings *settings = cnc_application_get_settings ();
  g_autofree char *scheme = settings ? g_settings_get_string (settings, "color-scheme") : g_strdup ("system");
  gboolean dark;

  if (g_strcmp0 (scheme, "dark") == 0)
    dark = TRUE;
  else if (g_strcmp0 (scheme, "light") == 0)
    dark = FALSE;
  else
    dark = desktop_prefers_dark ();
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", dark, NULL);
}

/* The compiled resources (templates, menus, help overlay, style sheet, icons). */
static void
ensure_resources (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      cnc_register_resource ();
      g_once_init_leave (&done, 1);
    }
}

void
cnc_application_ensure_ui (void)
{
  static gboolean done;
  GSettings *settings;
  g_autoptr(GtkCssProvider) css = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (done)
    return;
  done = TRUE;

  ensure_resources ();
  /* Plain GTK loads no application style sheet: load ours by hand, above the theme. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, CNC_RESOURCE_PATH "/style.css");
  if (display)
    {
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display), CNC_RESOURCE_PATH "/icons");
    }
  gtk_window_set_default_icon_name (CNC_APPLICATION_ID);

  apply_color_scheme ();
  settings = cnc_application_get_settings ();
  if (settings)
    g_signal_connect (settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme), NULL);
}

/* ---------------------------------------------------------------- actions */

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       data)
{
  GtkApplication *app = data;
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing each window saves its layout and size. */
  for (GList *l = windows; l; l = l->next)
    if (CNC_IS_WINDOW (l->data))
      gtk_window_close (l->data);
  g_list_free (windows);
  g_application_quit (G_APPLICATION (app));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       data)
{
  static const char *developers[] = { "The Compress & Compare developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (data),
                         "program-name", "Compress & Compare",
                         "logo-icon-name", CNC_APPLICATION_ID,
                         "version", CNC_VERSION,
                         "comments", "Track, compare and compress neural-network models: the lineage of every "
                                     "pruned, quantized, fine-tuned and distilled model, and how each one measures.",
                         "website", "https://github.com/compress-compare/compress-compare",
                         "website-label", "Project page",
                         "authors", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2025 The Compress & Compare developers",
                         NULL);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       data)
{
  GtkWindow *dialog = cnc_preferences_dialog_new (gtk_application_get_active_window (data));

  gtk_window_present (dialog);
}

static void
open_workspace_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       data)
{
  cnc_application_open_workspace (data, g_variant_get_string (parameter, NULL));
}

/* ---------------------------------------------------------------- application */

static void
cnc_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "quit", quit_activated },
    { "about", about_activated },
    { "preferences", preferences_activated },
    { "open-workspace", open_workspace_activated, "s" },
  };
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.new", { "<Control>n", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.import", { "<Control>i", NULL } },
    { "win.import-json", { "<Control><Shift>i", NULL } },
    { "win.compress", { "<Control>k", NULL } },
    { "win.export-json", { "<Control><Shift>e", NULL } },
    { "win.close", { "<Control>w", NULL } },
    { "win.find", { "<Control>f", NULL } },
    { "win.select-all", { "<Control>a", NULL } },
    { "win.select-none", { "<Control><Shift>a", NULL } },
    { "win.add-parents", { "<Alt>Up", NULL } },
    { "win.add-children", { "<Alt>Down", NULL } },
    { "win.add-ancestors", { "<Alt><Shift>Up", NULL } },
    { "win.add-descendants", { "<Alt><Shift>Down", NULL } },
    { "win.zoom-fit", { "<Control>0", NULL } },
    { "win.reload", { "<Control>r", "F5", NULL } },
    { "dock.reveal-left", { "F9", NULL } },
    { "dock.reveal-right", { "<Shift>F9", NULL } },
    { "dock.reveal-bottom", { "<Control>F9", NULL } },
  };

  G_APPLICATION_CLASS (cnc_application_parent_class)->startup (app);

  cnc_application_ensure_ui ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
cnc_application_activate (GApplication *app)
{
  CncApplication *self = CNC_APPLICATION (app);

  cnc_application_open_workspace (self, self->initial_dir);
}

static void
cnc_application_finalize (GObject *object)
{
  CncApplication *self = CNC_APPLICATION (object);

  g_free (self->initial_dir);
  G_OBJECT_CLASS (cnc_application_parent_class)->finalize (object);
}

static void
cnc_application_class_init (CncApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cnc_application_finalize;
  app_class->startup = cnc_application_startup;
  app_class->activate = cnc_application_activate;
}

static void
cnc_application_init (CncApplication *self)
{
}

CncApplication *
cnc_application_new (const char *workspace_dir)
{
  CncApplication *self;

  g_return_val_if_fail (workspace_dir != NULL, NULL);

  /* Before startup: GtkApplication looks for its help overlay and menus in them there. */
  ensure_resources ();
  /* Not unique: each run is its own process (no session bus needed, and a second run on another
   * workspace does not hand its work to the first). */
  self = g_object_new (CNC_TYPE_APPLICATION,
                       "application-id", CNC_APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", CNC_RESOURCE_PATH,
                       NULL);
  self->initial_dir = g_canonicalize_filename (workspace_dir, NULL);
  return self;
}

GtkWindow *
cnc_application_open_workspace (CncApplication *self,
                                const char     *dir)
{
  g_autofree char *path = NULL;
  GtkWindow *window;

  g_return_val_if_fail (CNC_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (dir != NULL, NULL);

  path = g_canonicalize_filename (dir, NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (CNC_IS_WINDOW (l->data) && g_strcmp0 (cnc_window_get_workspace_dir (l->data), path) == 0)
      {
        gtk_window_present (l->data);
        return l->data;
      }
  window = GTK_WINDOW (cnc_window_new (GTK_APPLICATION (self), path));
  gtk_window_present (window);
  return window;
}

gboolean
cnc_application_can_run (void)
{
  return gtk_init_check ();
}

int
cnc_application_run_gui (const char *workspace_dir)
{
  g_autoptr(CncApplication) app = cnc_application_new (workspace_dir);
  char *argv[] = { (char *) "compress-compare", NULL };

  /* Without a GPU, GTK's GL renderer runs in software (llvmpipe) on threads of its own that
   * compete with the jobs for the cores: there, Cairo draws the same for far less CPU (the demo
   * built 14 models in 38 s with Cairo, 5 with GL on 2 cores). GSK_RENDERER still decides. */
  if (g_getenv ("GSK_RENDERER") == NULL && !g_file_test ("/dev/dri/renderD128", G_FILE_TEST_EXISTS))
    g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_set_application_name ("Compress & Compare");
  return g_application_run (G_APPLICATION (app), 1, argv);
}
