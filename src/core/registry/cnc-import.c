/* cnc-import.c
 * Importing model files: detect and verify, inspect in a helper process, store, register, all or nothing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-import"

#include "cnc-import.h"

#include <math.h>
#include <string.h>

#include "core/formats/cnc-inspect-client.h"
#include "core/formats/cnc-model-file.h"
#include "core/formats/cnc-safetensors.h"
#include "cnc-store.h"

typedef struct {
  char          *path;
  char          *name;
  CncModelFormat format;
  GPtrArray     *layers;
  char          *sha256;
  gint64         size;
  char          *stored;       /* store-relative path, or absolute when linked */
  gboolean       created;      /* cnc_store_add made a new file */
} Pending;

static void
pending_free (Pending *p)
{
  g_free (p->path);
  g_free (p->name);
  g_clear_pointer (&p->layers, g_ptr_array_unref);
  g_free (p->sha256);
  g_free (p->stored);
  g_free (p);
}

char *
cnc_import_default_name (const char *path)
{
  static const char * const extensions[] = {
    ".safetensors", ".torchscript", ".pt", ".pth", ".ptl", ".ts", ".bin", ".zip", ".ckpt",
  };
  g_autofree char *base = g_path_get_basename (path);

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (base, extensions[i]) && strlen (base) > strlen (extensions[i]))
      return g_strndup (base, strlen (base) - strlen (extensions[i]));
  return g_steal_pointer (&base);
}

static gboolean
inspect (Pending      *p,
         GCancellable *cancellable,
         GError      **error)
{
  if (!cnc_model_file_detect (p->path, &p->format, error))
    return FALSE;
  switch (p->format)
    {
    case CNC_MODEL_FORMAT_TORCHSCRIPT:
    case CNC_MODEL_FORMAT_STATE_DICT:
      p->layers = cnc_inspect_file (p->path, cnc_model_format_name (p->format), cancellable, error);
      break;
    case CNC_MODEL_FORMAT_SAFETENSORS:
      p->layers = cnc_safetensors_inspect (p->path, error);
      break;
    case CNC_MODEL_FORMAT_CAC_JSON:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: is an experiment file (models.json), not a model: import it with "
                   "`compress-compare import-json %s`", p->path, p->path);
      return FALSE;
    default:
      g_assert_not_reached ();
    }
  if (p->layers == NULL)
    return FALSE;
  return cnc_store_hash_file (p->path, &p->sha256, &p->size, cancellable, error);
}

gboolean
cnc_import_record_weight_metrics (CncWorkspace *workspace,
                                  gint64        model,
                                  GPtrArray    *layers,
                                  gint64        file_size,
                                  GError      **error)
{
  const CncMetric defs[] = {
    { .name = (char *) "Parameters", .unit = NULL, .format = (char *) ".3~s", .min = 0, .max = NAN,
      .higher_is_better = FALSE, .primary = TRUE },
    { .name = (char *) "Sparsity", .unit = NULL, .format = (char *) ".1%", .min = 0, .max = 1,
      .higher_is_better = TRUE, .primary = TRUE },
    { .name = (char *) "File size", .unit = (char *) "B", .format = NULL, .min = 0, .max = NAN,
      .higher_is_better = FALSE, .primary = FALSE },
  };
  g_autoptr(GPtrArray) existing = cnc_workspace_list_metrics (workspace, error);
  gint64 numel = 0, zeros = 0;

  if (existing == NULL)
    return FALSE;
  for (guint i = 0; i < layers->len; i++)
    {
      const CncLayerStats *s = layers->pdata[i];
      numel += s->numel;
      zeros += s->zeros;
    }
  for (guint d = 0; d < G_N_ELEMENTS (defs); d++)
    {
      gboolean known = FALSE;
      for (guint i = 0; i < existing->len && !known; i++)
        known = g_strcmp0 (((CncMetric *) existing->pdata[i])->name, defs[d].name) == 0;
      /* A metric the user already defined (say from models.json) keeps its definition. */
      if (!known && !cnc_workspace_define_metric (workspace, &defs[d], error))
        return FALSE;
    }
  return cnc_workspace_set_metric_value (workspace, model, "Parameters", numel, error)
         && cnc_workspace_set_metric_value (workspace, model, "Sparsity",
                                            numel ? (double) zeros / numel : NAN, error)
         && cnc_workspace_set_metric_value (workspace, model, "File size", file_size, error);
}

static gboolean
ensure_operation (CncWorkspace *workspace,
                  const char   *name,
                  const char   *parameters,
                  GError      **error)
{
  g_autoptr(GPtrArray) ops = cnc_workspace_list_operations (workspace, error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *names = NULL;
  CncOperation op = { (char *) name, NULL };

  if (ops == NULL)
    return FALSE;
  for (guint i = 0; i < ops->len; i++)
    if (g_strcmp0 (((CncOperation *) ops->pdata[i])->name, name) == 0)
      return TRUE;

  /* A new operation: declare it with the names of the parameters it was given. */
  json_builder_begin_array (b);
  if (parameters && json_parser_load_from_data (parser, parameters, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (json_parser_get_root (parser)));
      for (GList *l = members; l; l = l->next)
        json_builder_add_string_value (b, l->data);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  names = json_generator_to_data (gen, NULL);
  op.parameters = names;
  return cnc_workspace_define_operation (workspace, &op, error);
}

gboolean
cnc_import_add_inspected (CncWorkspace            *workspace,
                          const char              *path,
                          const char              *format,
                          const char              *sha256,
                          gint64                   size,
                          GPtrArray               *layers,
                          const CncImportOptions  *options,
                          gint64                  *id,
                          char                   **stored_out,
                          gboolean                *created_out,
                          GError                 **error)
{
  g_autoptr(CncModel) m = cnc_model_new ();
  g_autoptr(CncModel) parent = NULL, teacher = NULL;
  g_autofree char *name = options->name ? g_strdup (options->name) : cnc_import_default_name (path);

  *stored_out = NULL;
  *created_out = FALSE;
  if (options->parent && !(parent = cnc_workspace_find_model (workspace, options->parent, error)))
    return FALSE;
  if (options->teacher && !(teacher = cnc_workspace_find_model (workspace, options->teacher, error)))
    return FALSE;
  if (options->operation && !ensure_operation (workspace, options->operation, options->parameters, error))
    return FALSE;

  if (options->link)
    *stored_out = g_strdup (path);
  else if (!cnc_store_add (workspace, path, sha256, stored_out, created_out, error))
    return FALSE;

  m->name = g_strdup (name);
  g_free (m->format);
  m->format = g_strdup (format);
  m->sha256 = g_strdup (sha256);
  m->size = size;
  m->file = g_strdup (*stored_out);
  m->linked = options->link;
  m->operation = g_strdup (options->operation);
  if (options->parameters)
    {
      g_free (m->parameters);
      m->parameters = g_strdup (options->parameters);
    }
  if (options->notes)
    {
      g_free (m->notes);
      m->notes = g_strdup (options->notes);
    }
  if (options->tags)
    {
      g_strfreev (m->tags);
      m->tags = g_strdupv ((char **) options->tags);
    }
  if (!cnc_workspace_insert_model (workspace, m, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  if (parent && !cnc_workspace_add_edge (workspace, m->id, parent->id, options->role, error))
    return FALSE;
  if (teacher && !cnc_workspace_add_edge (workspace, m->id, teacher->id, CNC_EDGE_TEACHER, error))
    return FALSE;
  if (!cnc_workspace_set_layers (workspace, m->id, layers, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  if (!cnc_import_record_weight_metrics (workspace, m->id, layers, size, error))
    return FALSE;
  if (id)
    *id = m->id;
  return TRUE;
}

gboolean
cnc_import_files (CncWorkspace            *workspace,
                  const char * const      *paths,
                  const CncImportOptions  *options,
                  GPtrArray               *imported,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  g_autoptr(CncModel) parent = NULL;
  guint n_paths = paths ? g_strv_length ((char **) paths) : 0;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (n_paths == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no files to import");
      return FALSE;
    }
  if (options->name && n_paths > 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a name can be given for one file only (%u files given)", n_paths);
      return FALSE;
    }
  if (cnc_workspace_is_read_only (workspace))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY,
                   "%s: the workspace is read-only (no write permission); nothing was imported",
                   cnc_workspace_get_path (workspace));
      return FALSE;
    }

  /* 1. Everything that reads the files, outside the transaction. */
  for (guint i = 0; i < n_paths; i++)
    {
      Pending *p = g_new0 (Pending, 1);

      g_ptr_array_add (pending, p);
      p->path = g_canonicalize_filename (paths[i], NULL);
      p->name = options->name ? g_strdup (options->name) : cnc_import_default_name (p->path);
      for (guint j = 0; j < i; j++)
        if (g_strcmp0 (((Pending *) pending->pdata[j])->name, p->name) == 0)
          {
            g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_EXISTS,
                         "%s: two files would both be named “%s”; import them separately with --name",
                         paths[i], p->name);
            return FALSE;
          }
      if (!inspect (p, cancellable, error))
        return FALSE;
    }

  /* 2. One transaction for all the rows; stored files taken back if it fails. */
  if (!cnc_workspace_begin (workspace, error))
    return FALSE;

  if (options->parent && !(parent = cnc_workspace_find_model (workspace, options->parent, error)))
    {
      g_prefix_error (error, "cannot import %s as a child: ", n_paths == 1 ? paths[0] : "these files");
      goto failed;
    }

  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = pending->pdata[i];
      CncImportOptions one = *options;

      one.name = p->name;
      if (!cnc_import_add_inspected (workspace, p->path, cnc_model_format_name (p->format), p->sha256, p->size,
                                     p->layers, &one, NULL, &p->stored, &p->created, error))
        goto failed;
    }

  if (!cnc_workspace_commit (workspace, error))
    goto taken_back;

  if (imported)
    for (guint i = 0; i < pending->len; i++)
      g_ptr_array_add (imported, g_strdup (((Pending *) pending->pdata[i])->name));
  return TRUE;

failed:
  cnc_workspace_rollback (workspace);
taken_back:
  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = pending->pdata[i];
      if (p->created)
        cnc_store_take_back (workspace, p->stored);
    }
  return FALSE;
}
