/* cnc-import-dialog.c
 * The import dialog: model files and models.json files, with name, parent, operation and parameters, tags,
 * and whether to evaluate the new models; the import runs in a thread, all or nothing per action.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-import-dialog.h"

#include <math.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cnc-application.h"
#include "session/cnc-registry-task.h"
#include "core/registry/cnc-cac-json.h"
#include "core/registry/cnc-import.h"

struct _CncImportDialog
{
  GtkWindow     parent_instance;

  GtkButton    *cancel_button;
  GtkButton    *import_button;
  GtkLabel     *files_heading;
  GtkListBox   *files_list;
  GtkLabel     *json_note;
  GtkGrid      *options_grid;
  GtkLabel     *name_label;
  GtkEntry     *name_entry;
  GtkDropDown  *parent_dropdown;
  GtkDropDown  *role_dropdown;
  GtkEntry     *operation_entry;
  GtkFlowBox   *operation_suggestions;
  GtkEntry     *parameters_entry;
  GtkLabel     *parameters_hint;
  GtkEntry     *tags_entry;
  GtkCheckButton *evaluate_check;
  GtkLabel     *evaluate_hint;
  GtkBox       *error_box;
  GtkLabel     *error_label;
  GtkBox       *progress_box;
  GtkSpinner   *spinner;
  GtkLabel     *progress_label;

  CncModelSet  *set;
  char         *dir;
  GStrv         model_paths;
  GStrv         json_paths;
  GStrv         parent_names;   /* index 0 is "none" */
  GCancellable *cancellable;
  char         *error;
  gboolean      running;
  gboolean      can_evaluate;
};

G_DEFINE_FINAL_TYPE (CncImportDialog, cnc_import_dialog, GTK_TYPE_WINDOW)

enum {
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------- parameters */

/* "amount=0.5, retrained=true" (or a JSON object) as JSON object text; NULL with @error_out on a
 * mistake. Empty text gives "{}". */
static char *
parse_parameters (const char  *text,
                  char       **error_out)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_auto(GStrv) pairs = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));

  if (trimmed[0] == '{')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (!json_parser_load_from_data (parser, trimmed, -1, &error)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          *error_out = g_strdup_printf ("The parameters are not a JSON object: %s",
                                        error ? error->message : "another JSON value");
          return NULL;
        }
      json_generator_set_root (generator, json_parser_get_root (parser));
      return json_generator_to_data (generator, NULL);
    }

  json_builder_begin_object (builder);
  pairs = g_strsplit (trimmed, ",", -1);
  for (guint i = 0; pairs[i]; i++)
    {
      char *pair = g_strstrip (pairs[i]);
      char *eq = strchr (pair, '=');
      char *key, *value, *end = NULL;
      double number;

      if (*pair == '\0')
        continue;
      if (eq == NULL)
        {
          *error_out = g_strdup_printf ("“%s” has no value: write it as %s=VALUE", pair, pair);
          return NULL;
        }
      *eq = '\0';
      key = g_strstrip (pair);
      value = g_strstrip (eq + 1);
      if (*key == '\0')
        {
          *error_out = g_strdup_printf ("“=%s” has no name: write it as NAME=%s", value, value);
          return NULL;
        }
      if (*value == '\0')
        {
          *error_out = g_strdup_printf ("“%s” has no value: write it as %s=VALUE", key, key);
          return NULL;
        }
      json_builder_set_member_name (builder, key);
      number = g_ascii_strtod (value, &end);
      if (end && *end == '\0' && isfinite (number))
        json_builder_add_double_value (builder, number);
      else if (g_ascii_strcasecmp (value, "true") == 0 || g_ascii_strcasecmp (value, "false") == 0)
        json_builder_add_boolean_value (builder, g_ascii_strcasecmp (value, "true") == 0);
      else
        json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* ---------------------------------------------------------------- state */

static gboolean
options_apply (CncImportDialog *self)
{
  return self->model_paths[0] != NULL;
}

static void
update_state (CncImportDialog *self)
{
  g_autofree char *error = NULL;
  g_autofree char *parameters = parse_parameters (gtk_editable_get_text (GTK_EDITABLE (self->parameters_entry)),
                                                  &error);
  gboolean has_parent = gtk_drop_down_get_selected (self->parent_dropdown) > 0;

  if (parameters == NULL)
    {
      gtk_label_set_label (self->parameters_hint, error);
      gtk_widget_add_css_class (GTK_WIDGET (self->parameters_hint), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->parameters_hint), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->parameters_entry), "error");
    }
  else
    {
      gtk_label_set_label (self->parameters_hint,
                           "KEY=VALUE pairs separated by commas; numbers and true / false are kept as such.");
      gtk_widget_remove_css_class (GTK_WIDGET (self->parameters_hint), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->parameters_hint), "dim-label");
      gtk_widget_remove_css_class (GTK_WIDGET (self->parameters_entry), "error");
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->role_dropdown), has_parent && !self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->options_grid), !self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button),
                            !self->running && (parameters != NULL || !options_apply (self)));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->import_button),
                               parameters == NULL && options_apply (self)
                               ? "Fix the parameters first" : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), self->running);
  if (self->running)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
}

static void
show_error (CncImportDialog *self,
            const char      *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_box), message != NULL);
}

/* ---------------------------------------------------------------- the import thread */

typedef struct {
  GStrv     model_paths;
  GStrv     json_paths;
  char     *name;
  char     *parent;
  CncEdgeRole role;
  char     *operation;
  char     *parameters;
  GStrv     tags;
  gboolean  evaluate;
} Request;

typedef struct {
  char   *summary;
  GArray *evaluate;   /* gint64 */
} Outcome;

static void
request_free (Request *request)
{
  g_strfreev (request->model_paths);
  g_strfreev (request->json_paths);
  g_free (request->name);
  g_free (request->parent);
  g_free (request->operation);
  g_free (request->parameters);
  g_strfreev (request->tags);
  g_free (request);
}

static void
outcome_free (Outcome *outcome)
{
  g_free (outcome->summary);
  g_clear_pointer (&outcome->evaluate, g_array_unref);
  g_free (outcome);
}

static gboolean
import_job (CncWorkspace    *workspace,
            gpointer         data,
            gpointer        *result_out,
            GDestroyNotify  *result_free,
            GCancellable    *cancellable,
            GError         **error)
{
  Request *request = data;
  Outcome *outcome = g_new0 (Outcome, 1);
  g_autoptr(GPtrArray) imported = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autoptr(GString) done_json = g_string_new (NULL);
  guint n_json_models = 0, n_not_runnable = 0;

  outcome->evaluate = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Model files: one action, all of them or none. */
  if (request->model_paths[0])
    {
      CncImportOptions options = {
        .name = request->name,
        .parent = request->parent,
        .role = request->role,
        .operation = request->operation,
        .parameters = request->parameters,
        .tags = (const char * const *) request->tags,
      };

      if (!cnc_import_files (workspace, (const char * const *) request->model_paths, &options, imported,
                             cancellable, error))
        {
          outcome_free (outcome);
          return FALSE;
        }
    }
  /* models.json files: each one whole or not at all. */
  for (guint i = 0; request->json_paths[i]; i++)
    {
      guint n = 0;
      g_autofree char *base = g_path_get_basename (request->json_paths[i]);

      if (!cnc_cac_json_import (workspace, request->json_paths[i], &n, error))
        {
          if (imported->len > 0 || done_json->len > 0)
            g_prefix_error (error, "Imported before this failure: %s%s%s. ",
                            imported->len > 0 ? "the model files" : "",
                            imported->len > 0 && done_json->len > 0 ? ", " : "",
                            done_json->str);
          outcome_free (outcome);
          return FALSE;
        }
      g_string_append_printf (done_json, "%s%s", done_json->len ? ", " : "", base);
      n_json_models += n;
    }

  for (guint i = 0; i < imported->len; i++)
    {
      g_autoptr(CncModel) model = cnc_workspace_find_model (workspace, g_ptr_array_index (imported, i), NULL);

      if (model == NULL)
        continue;
      if (g_strcmp0 (model->format, "torchscript") == 0)
        {
          if (request->evaluate)
            g_array_append_val (outcome->evaluate, model->id);
        }
      else
        n_not_runnable++;
    }

  if (imported->len == 1)
    g_string_append_printf (summary, "Imported %s", (char *) g_ptr_array_index (imported, 0));
  else if (imported->len > 1)
    g_string_append_printf (summary, "Imported %u models", imported->len);
  if (imported->len > 0 && request->parent)
    g_string_append_printf (summary, " as %s of %s", imported->len == 1 ? "a child" : "children", request->parent);
  if (n_json_models > 0 || done_json->len > 0)
    g_string_append_printf (summary, "%s%u model%s from %s", summary->len ? "; " : "Imported ",
                            n_json_models, n_json_models == 1 ? "" : "s", done_json->str);
  if (request->evaluate && outcome->evaluate->len > 0)
    g_string_append_printf (summary, "; evaluating %u", outcome->evaluate->len);
  if (request->evaluate && n_not_runnable > 0)
    g_string_append_printf (summary, " (%u file%s hold%s weights only and cannot be evaluated)", n_not_runnable,
                            n_not_runnable == 1 ? "" : "s", n_not_runnable == 1 ? "s" : "");
  outcome->summary = g_string_free (g_steal_pointer (&summary), FALSE);
  *result_out = outcome;
  *result_free = (GDestroyNotify) outcome_free;
  return TRUE;
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(CncImportDialog) self = data;
  g_autoptr(GError) error = NULL;
  Outcome *outcome = NULL;
  GVariantBuilder ids;

  self->running = FALSE;
  /* Closed while it ran: a cancelled import changed nothing; a finished one is kept. */
  if (self->error_label == NULL)
    {
      if (cnc_registry_task_finish (result, (gpointer *) &outcome, NULL))
        {
          g_signal_emit (self, signals[IMPORTED], 0, outcome->summary, g_variant_new ("ax", NULL));
          outcome_free (outcome);
        }
      return;
    }
  if (!cnc_registry_task_finish (result, (gpointer *) &outcome, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, "The import was cancelled: nothing was imported.");
      else
        show_error (self, error->message);
      if (gtk_widget_get_realized (GTK_WIDGET (self)))
        update_state (self);
      return;
    }
  g_variant_builder_init (&ids, G_VARIANT_TYPE ("ax"));
  for (guint i = 0; i < outcome->evaluate->len; i++)
    g_variant_builder_add (&ids, "x", g_array_index (outcome->evaluate, gint64, i));
  show_error (self, NULL);
  g_signal_emit (self, signals[IMPORTED], 0, outcome->summary, g_variant_builder_end (&ids));
  outcome_free (outcome);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
cnc_import_dialog_run (CncImportDialog *self)
{
  Request *request;
  g_autofree char *parse_error = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  const char *operation = gtk_editable_get_text (GTK_EDITABLE (self->operation_entry));
  g_auto(GStrv) tags = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->tags_entry)), ",", -1);
  g_autoptr(GStrvBuilder) tag_builder = g_strv_builder_new ();

  g_return_if_fail (CNC_IS_IMPORT_DIALOG (self));
  if (self->running)
    return;

  request = g_new0 (Request, 1);
  request->model_paths = g_strdupv (self->model_paths);
  request->json_paths = g_strdupv (self->json_paths);
  request->parameters = parse_parameters (gtk_editable_get_text (GTK_EDITABLE (self->parameters_entry)),
                                          &parse_error);
  if (request->parameters == NULL && options_apply (self))
    {
      show_error (self, parse_error);
      request_free (request);
      return;
    }
  if (self->model_paths[0] && !self->model_paths[1] && *name)
    request->name = g_strstrip (g_strdup (name));
  request->parent = g_strdup (cnc_import_dialog_get_parent (self));
  request->role = gtk_drop_down_get_selected (self->role_dropdown) == 1 ? CNC_EDGE_TEACHER : CNC_EDGE_BASE;
  if (*operation)
    request->operation = g_strstrip (g_strdup (operation));
  for (guint i = 0; tags[i]; i++)
    {
      char *tag = g_strstrip (tags[i]);
      if (*tag)
        g_strv_builder_add (tag_builder, tag);
    }
  request->tags = g_strv_builder_end (tag_builder);
  request->evaluate = self->can_evaluate && gtk_check_button_get_active (self->evaluate_check);

  show_error (self, NULL);
  self->running = TRUE;
  update_state (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  cnc_registry_task_run (self->dir, CNC_WORKSPACE_OPEN_DEFAULT, import_job, request,
                         (GDestroyNotify) request_free, self->cancellable, import_done, g_object_ref (self));
}

/* ---------------------------------------------------------------- widgets */

static void
on_import_clicked (GtkButton       *button,
                   CncImportDialog *self)
{
  cnc_import_dialog_run (self);
}

static void
on_cancel_clicked (GtkButton       *button,
                   CncImportDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
cnc_import_dialog_close_request (GtkWindow *window)
{
  CncImportDialog *self = CNC_IMPORT_DIALOG (window);

  /* A running import is rolled back: nothing half-imported. */
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (cnc_import_dialog_parent_class)->close_request (window);
}

static void
on_changed (CncImportDialog *self)
{
  update_state (self);
}

static void
on_suggestion_clicked (GtkButton       *button,
                       CncImportDialog *self)
{
  const char *hint = g_object_get_data (G_OBJECT (button), "cnc-parameters");

  gtk_editable_set_text (GTK_EDITABLE (self->operation_entry), gtk_button_get_label (button));
  if (hint)
    gtk_entry_set_placeholder_text (self->parameters_entry, hint);
  gtk_widget_grab_focus (GTK_WIDGET (self->parameters_entry));
}

static char *
human_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return g_strdup ("cannot be read");
  return g_format_size (st.st_size);
}

static const char *
kind_of (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".json"))
    return "models.json";
  if (g_str_has_suffix (lower, ".safetensors"))
    return "safetensors";
  return "PyTorch file";
}

static void
add_file_row (CncImportDialog *self,
              const char      *path)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autofree char *size = human_size (path);
  g_autofree char *detail = g_strdup_printf ("%s · %s · %s", kind_of (path), size, dirname);
  GtkWidget *name = gtk_label_new (base);
  GtkWidget *sub = gtk_label_new (detail);
  GtkWidget *icon = gtk_image_new_from_icon_name (g_str_has_suffix (path, ".json")
                                                  ? "text-x-generic-symbolic" : "package-x-generic-symbolic");

  gtk_widget_add_css_class (row, "cnc-file-row");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_add_css_class (sub, "caption");
  gtk_widget_set_tooltip_text (row, path);
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), sub);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (row), icon);
  gtk_box_append (GTK_BOX (row), text);
  gtk_list_box_append (self->files_list, row);
}

/* Operations the workspace already uses, with the parameter names each one had. */
static void
fill_suggestions (CncImportDialog *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  guint n = cnc_model_set_get_n_models (self->set);
  guint shown = 0;

  for (guint i = 0; i < n && shown < 10; i++)
    {
      const CncModel *model = cnc_model_set_get_model (self->set, i);
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GString) hint = NULL;
      GtkWidget *button;

      if (model->operation == NULL || g_hash_table_contains (seen, model->operation))
        continue;
      hint = g_string_new (NULL);
      parser = json_parser_new ();
      if (model->parameters && json_parser_load_from_data (parser, model->parameters, -1, NULL)
          && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_autoptr(GList) members = json_object_get_members (json_node_get_object (json_parser_get_root (parser)));
          for (GList *l = members; l; l = l->next)
            g_string_append_printf (hint, "%s%s=…", hint->len ? ", " : "", (char *) l->data);
        }
      g_hash_table_insert (seen, model->operation, NULL);
      button = gtk_button_new_with_label (model->operation);
      gtk_widget_add_css_class (button, "cnc-chip");
      gtk_widget_set_tooltip_text (button, "Use this operation");
      if (hint->len)
        g_object_set_data_full (G_OBJECT (button), "cnc-parameters", g_strdup (hint->str), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_suggestion_clicked), self);
      gtk_flow_box_append (self->operation_suggestions, button);
      shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->operation_suggestions), shown > 0);
}

static void
cnc_import_dialog_dispose (GObject *object)
{
  CncImportDialog *self = CNC_IMPORT_DIALOG (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_IMPORT_DIALOG);
  G_OBJECT_CLASS (cnc_import_dialog_parent_class)->dispose (object);
}

static void
cnc_import_dialog_finalize (GObject *object)
{
  CncImportDialog *self = CNC_IMPORT_DIALOG (object);

  g_clear_object (&self->set);
  g_clear_object (&self->cancellable);
  g_free (self->dir);
  g_free (self->error);
  g_strfreev (self->model_paths);
  g_strfreev (self->json_paths);
  g_strfreev (self->parent_names);
  G_OBJECT_CLASS (cnc_import_dialog_parent_class)->finalize (object);
}

static void
cnc_import_dialog_class_init (CncImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cnc_import_dialog_dispose;
  object_class->finalize = cnc_import_dialog_finalize;
  window_class->close_request = cnc_import_dialog_close_request;

  signals[IMPORTED] = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_VARIANT);

  cnc_application_ensure_ui ();
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, files_heading);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, files_list);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, json_note);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, options_grid);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, name_label);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, parent_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, role_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, operation_entry);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, operation_suggestions);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, parameters_entry);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, parameters_hint);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, tags_entry);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, evaluate_check);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, evaluate_hint);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, progress_box);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CncImportDialog, progress_label);
}

static void
cnc_import_dialog_init (CncImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->import_button, "clicked", G_CALLBACK (on_import_clicked), self);
  g_signal_connect (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  g_signal_connect_swapped (self->parameters_entry, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->parent_dropdown, "notify::selected", G_CALLBACK (on_changed), self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->import_button));
}

GtkWindow *
cnc_import_dialog_new (GtkWindow          *parent_window,
                       CncModelSet        *set,
                       const char         *workspace_dir,
                       const char * const *paths,
                       const char         *parent)
{
  CncImportDialog *self;
  g_autoptr(GStrvBuilder) models = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) jsons = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GtkStringList) list = NULL;
  g_autoptr(GtkExpression) expression = NULL;
  guint n_models, n_json, selected = 0;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  g_return_val_if_fail (workspace_dir != NULL && paths != NULL, NULL);

  self = g_object_new (CNC_TYPE_IMPORT_DIALOG, "transient-for", parent_window, NULL);
  self->set = g_object_ref (set);
  self->dir = g_strdup (workspace_dir);

  for (guint i = 0; paths[i]; i++)
    {
      g_autofree char *lower = g_ascii_strdown (paths[i], -1);
      g_strv_builder_add (g_str_has_suffix (lower, ".json") ? jsons : models, paths[i]);
      add_file_row (self, paths[i]);
    }
  self->model_paths = g_strv_builder_end (models);
  self->json_paths = g_strv_builder_end (jsons);
  n_models = g_strv_length (self->model_paths);
  n_json = g_strv_length (self->json_paths);

  if (n_models > 0 && n_json > 0)
    heading = g_strdup_printf ("%u model file%s and %u models.json file%s", n_models, n_models == 1 ? "" : "s",
                               n_json, n_json == 1 ? "" : "s");
  else if (n_models > 0)
    heading = g_strdup_printf ("%u model file%s", n_models, n_models == 1 ? "" : "s");
  else
    heading = g_strdup_printf ("%u models.json file%s", n_json, n_json == 1 ? "" : "s");
  gtk_label_set_label (self->files_heading, heading);
  gtk_widget_set_visible (GTK_WIDGET (self->json_note), n_models > 0 && n_json > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->options_grid), n_models > 0);

  /* One file: its name can be chosen; several: each takes its file's name. */
  gtk_widget_set_visible (GTK_WIDGET (self->name_label), n_models == 1);
  gtk_widget_set_visible (GTK_WIDGET (self->name_entry), n_models == 1);
  if (n_models == 1)
    {
      g_autofree char *name = cnc_import_default_name (self->model_paths[0]);
      gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
    }

  g_strv_builder_add (names, "None — a new root");
  for (guint i = 0; i < cnc_model_set_get_n_models (set); i++)
    {
      const char *name = cnc_model_set_get_model (set, i)->name;

      g_strv_builder_add (names, name);
      if (parent && g_strcmp0 (parent, name) == 0)
        selected = i + 1;
    }
  self->parent_names = g_strv_builder_end (names);
  list = gtk_string_list_new ((const char * const *) self->parent_names);
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  gtk_drop_down_set_expression (self->parent_dropdown, expression);
  gtk_drop_down_set_model (self->parent_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->parent_dropdown, selected);

  fill_suggestions (self);
  cnc_import_dialog_set_can_evaluate (self, FALSE, "Jobs are not available");
  update_state (self);
  return GTK_WINDOW (self);
}

void
cnc_import_dialog_set_can_evaluate (CncImportDialog *self,
                                    gboolean         can_evaluate,
                                    const char      *why_not)
{
  g_return_if_fail (CNC_IS_IMPORT_DIALOG (self));

  self->can_evaluate = can_evaluate;
  gtk_widget_set_sensitive (GTK_WIDGET (self->evaluate_check), can_evaluate);
  gtk_check_button_set_active (self->evaluate_check, can_evaluate);
  gtk_label_set_label (self->evaluate_hint, why_not ? why_not : "");
  gtk_widget_set_visible (GTK_WIDGET (self->evaluate_hint), !can_evaluate && why_not != NULL);
}

const char *
cnc_import_dialog_get_parent (CncImportDialog *self)
{
  guint selected;

  g_return_val_if_fail (CNC_IS_IMPORT_DIALOG (self), NULL);
  selected = gtk_drop_down_get_selected (self->parent_dropdown);
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected >= g_strv_length (self->parent_names))
    return NULL;
  return self->parent_names[selected];
}

void
cnc_import_dialog_set_operation (CncImportDialog *self,
                                 const char      *operation,
                                 const char      *parameters)
{
  g_return_if_fail (CNC_IS_IMPORT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->operation_entry), operation ? operation : "");
  gtk_editable_set_text (GTK_EDITABLE (self->parameters_entry), parameters ? parameters : "");
}

const char *
cnc_import_dialog_get_error (CncImportDialog *self)
{
  g_return_val_if_fail (CNC_IS_IMPORT_DIALOG (self), NULL);
  return self->error;
}

gboolean
cnc_import_dialog_get_running (CncImportDialog *self)
{
  g_return_val_if_fail (CNC_IS_IMPORT_DIALOG (self), FALSE);
  return self->running;
}
