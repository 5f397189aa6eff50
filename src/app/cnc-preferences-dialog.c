/* cnc-preferences-dialog.c
 * Preferences: the colour scheme (system, light, dark) and where jobs run (CPU threads or a CUDA device).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-preferences-dialog.h"

#include "cnc-application.h"
#include "torch/cnc-torch-eval.h"

struct _CncPreferencesDialog
{
  GtkWindow        parent_instance;

  GtkToggleButton *system_button;
  GtkToggleButton *light_button;
  GtkToggleButton *dark_button;
  GtkLabel        *device_detail;
  GtkDropDown     *device_dropdown;
  GtkWidget       *threads_row;
  GtkLabel        *threads_detail;
  GtkSpinButton   *threads_spin;

  GPtrArray       *devices;      /* CncTorchDevice*, available ones */
  GCancellable    *cancellable;
  gboolean         updating;
};

G_DEFINE_FINAL_TYPE (CncPreferencesDialog, cnc_preferences_dialog, GTK_TYPE_WINDOW)

static void
update_threads_detail (CncPreferencesDialog *self)
{
  guint cores = g_get_num_processors ();
  int threads = gtk_spin_button_get_value_as_int (self->threads_spin);
  g_autofree char *text = NULL;

  if (threads == 0)
    text = g_strdup_printf ("Automatic: one per core (%u)", cores);
  else if ((guint) threads > cores)
    text = g_strdup_printf ("More threads than the %u cores slow jobs down", cores);
  else
    text = g_strdup_printf ("%d of %u cores", threads, cores);
  gtk_label_set_label (self->threads_detail, text);
}

static void
on_scheme_toggled (GtkToggleButton      *button,
                   CncPreferencesDialog *self)
{
  GSettings *settings = cnc_application_get_settings ();

  if (self->updating || settings == NULL || !gtk_toggle_button_get_active (button))
    return;
  g_settings_set_string (settings, "color-scheme",
                         button == self->dark_button ? "dark" : button == self->light_button ? "light" : "system");
}

static void
on_threads_changed (GtkSpinButton        *spin,
                    CncPreferencesDialog *self)
{
  GSettings *settings = cnc_application_get_settings ();

  update_threads_detail (self);
  if (!self->updating && settings)
    g_settings_set_int (settings, "cpu-threads", gtk_spin_button_get_value_as_int (spin));
}

static void
on_device_selected (GtkDropDown          *dropdown,
                    GParamSpec           *pspec,
                    CncPreferencesDialog *self)
{
  GSettings *settings = cnc_application_get_settings ();
  guint selected = gtk_drop_down_get_selected (dropdown);
  CncTorchDevice *device;

  if (self->devices == NULL || selected >= self->devices->len)
    return;
  device = g_ptr_array_index (self->devices, selected);
  gtk_label_set_label (self->device_detail, device->description);
  gtk_widget_set_sensitive (self->threads_row, g_strcmp0 (device->name, "cpu") == 0);
  if (!self->updating && settings)
    g_settings_set_string (settings, "device", device->name);
}

static void
list_devices_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_task_return_pointer (task, cnc_torch_list_devices (), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_devices_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(CncPreferencesDialog) self = data;
  g_autoptr(GPtrArray) all = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GString) unavailable = g_string_new (NULL);
  GSettings *settings = cnc_application_get_settings ();
  g_autofree char *current = settings ? g_settings_get_string (settings, "device") : g_strdup ("cpu");
  guint selected = 0;

  if (self->device_dropdown == NULL || all == NULL)
    return;
  self->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_torch_device_free);
  for (guint i = 0; i < all->len; i++)
    {
      CncTorchDevice *device = g_ptr_array_index (all, i);
      g_autofree char *label = NULL;

      if (!device->available)
        {
          g_string_append_printf (unavailable, "%s%s: %s", unavailable->len ? "; " : "", device->name,
                                  device->description);
          continue;
        }
      label = g_strcmp0 (device->name, "cpu") == 0 ? g_strdup ("CPU") : g_ascii_strup (device->name, -1);
      if (g_strcmp0 (device->name, current) == 0)
        selected = self->devices->len;
      gtk_string_list_append (names, label);
      all->pdata[i] = NULL;
      g_ptr_array_add (self->devices, device);
    }
  g_ptr_array_set_free_func (all, (GDestroyNotify) cnc_torch_device_free);

  self->updating = TRUE;
  gtk_drop_down_set_model (self->device_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->device_dropdown, selected);
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->device_dropdown), self->devices->len > 1);
  on_device_selected (self->device_dropdown, NULL, self);
  if (self->devices->len <= 1 && unavailable->len)
    {
      /* Say why there is nothing else to choose. */
      g_autofree char *text = g_strdup_printf ("%s. No GPU: %s", gtk_label_get_label (self->device_detail),
                                               unavailable->str);
      gtk_label_set_label (self->device_detail, text);
    }
}

static void
cnc_preferences_dialog_dispose (GObject *object)
{
  CncPreferencesDialog *self = CNC_PREFERENCES_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_PREFERENCES_DIALOG);
  G_OBJECT_CLASS (cnc_preferences_dialog_parent_class)->dispose (object);
}

static void
cnc_preferences_dialog_finalize (GObject *object)
{
  CncPreferencesDialog *self = CNC_PREFERENCES_DIALOG (object);

  g_clear_pointer (&self->devices, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (cnc_preferences_dialog_parent_class)->finalize (object);
}

static void
cnc_preferences_dialog_class_init (CncPreferencesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_preferences_dialog_dispose;
  object_class->finalize = cnc_preferences_dialog_finalize;

  cnc_application_ensure_ui ();
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-preferences-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, system_button);
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, light_button);
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, dark_button);
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, device_detail);
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, device_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, threads_row);
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, threads_detail);
  gtk_widget_class_bind_template_child (widget_class, CncPreferencesDialog, threads_spin);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cnc_preferences_dialog_init (CncPreferencesDialog *self)
{
  GSettings *settings = cnc_application_get_settings ();
  g_autofree char *scheme = settings ? g_settings_get_string (settings, "color-scheme") : g_strdup ("system");
  g_autoptr(GTask) task = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  self->updating = TRUE;
  gtk_toggle_button_set_active (g_str_equal (scheme, "dark") ? self->dark_button
                                : g_str_equal (scheme, "light") ? self->light_button : self->system_button, TRUE);
  gtk_spin_button_set_value (self->threads_spin, settings ? g_settings_get_int (settings, "cpu-threads") : 0);
  self->updating = FALSE;
  update_threads_detail (self);
  if (settings == NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);

  g_signal_connect (self->system_button, "toggled", G_CALLBACK (on_scheme_toggled), self);
  g_signal_connect (self->light_button, "toggled", G_CALLBACK (on_scheme_toggled), self);
  g_signal_connect (self->dark_button, "toggled", G_CALLBACK (on_scheme_toggled), self);
  g_signal_connect (self->threads_spin, "value-changed", G_CALLBACK (on_threads_changed), self);
  g_signal_connect (self->device_dropdown, "notify::selected", G_CALLBACK (on_device_selected), self);

  task = g_task_new (NULL, self->cancellable, list_devices_done, g_object_ref (self));
  g_task_run_in_thread (task, list_devices_thread);
}

GtkWindow *
cnc_preferences_dialog_new (GtkWindow *parent)
{
  return g_object_new (CNC_TYPE_PREFERENCES_DIALOG, "transient-for", parent, NULL);
}
