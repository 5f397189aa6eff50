/* cnc-cli-models.c
 * Registry commands: init, import, import-json, export-json, list, show, tag, note, rename, remove.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/analysis/cnc-metric-format.h"
#include "core/registry/cnc-cac-json.h"
#include "core/registry/cnc-import.h"
#include "core/registry/cnc-store.h"

#define CLI_PARSE(cmd, args, summary, entries)                                  \
  if (!cnc_cli_parse (cmd, args, summary, entries, &argc, &argv))               \
    return CNC_EXIT_USAGE

int
cnc_cli_init (int    argc,
              char **argv)
{
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir;

  CLI_PARSE ("init", "[DIR]", "Create a workspace.", NULL);
  if (argc > 2)
    return cnc_cli_usage ("init", "one folder at most");
  dir = argc == 2 ? argv[1] : cnc_cli_workspace_dir ();
  if (!(ws = cnc_workspace_open (dir, CNC_WORKSPACE_OPEN_CREATE, &error)))
    return cnc_cli_fail (error);
  printf ("Workspace ready: %s\n", cnc_workspace_get_path (ws));
  return CNC_EXIT_OK;
}

/* "k=v": the value as JSON when it parses as a number, true/false or null; a string otherwise. */
static gboolean
add_param (JsonBuilder *b,
           const char  *kv,
           GError     **error)
{
  const char *eq = strchr (kv, '=');
  g_autofree char *key = NULL;
  g_autoptr(JsonNode) value = NULL;

  if (eq == NULL || eq == kv)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--param needs KEY=VALUE, got “%s”", kv);
      return FALSE;
    }
  key = g_strndup (kv, eq - kv);
  value = json_from_string (eq + 1, NULL);
  json_builder_set_member_name (b, key);
  if (value && JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) != G_TYPE_STRING)
    json_builder_add_value (b, g_steal_pointer (&value));
  else if (value && JSON_NODE_HOLDS_NULL (value))
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, eq + 1);
  return TRUE;
}

int
cnc_cli_import (int    argc,
                char **argv)
{
  g_autofree char *name = NULL, *parent = NULL, *op = NULL, *notes = NULL;
  g_auto(GStrv) params = NULL, tags = NULL;
  gboolean link = FALSE;
  GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "The model's name (one file only; default: the file's name)", "NAME" },
    { "parent", 'p', 0, G_OPTION_ARG_STRING, &parent, "The model it was made from; role base (default) or teacher", "NAME[:ROLE]" },
    { "op", 0, 0, G_OPTION_ARG_STRING, &op, "The operation that made it", "OPERATION" },
    { "param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &params, "An operation parameter (repeatable)", "KEY=VALUE" },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &tags, "A tag (repeatable)", "TAG" },
    { "notes", 0, 0, G_OPTION_ARG_STRING, &notes, "Free-text notes", "TEXT" },
    { "link", 0, 0, G_OPTION_ARG_NONE, &link, "Keep the file where it is (record its path, size and hash) instead of storing a copy", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) imported = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) params_node = NULL;
  g_autofree char *params_json = NULL;
  CncImportOptions options = { 0 };

  CLI_PARSE ("import", "FILE…", "Import model files: TorchScript archives, torch.save state dicts (plain dicts of "
             "tensors) and safetensors files. All files are imported, or none.", entries);
  if (argc < 2)
    return cnc_cli_usage ("import", "no file given");
  if (params && !op)
    return cnc_cli_usage ("import", "--param needs --op");

  options.name = name;
  options.role = CNC_EDGE_BASE;
  if (parent)
    {
      char *colon = strrchr (parent, ':');
      /* NAME:ROLE when what follows the last colon is a role; else the whole text is a name. */
      if (colon && cnc_edge_role_from_name (colon + 1, &options.role))
        *colon = '\0';
      options.parent = parent;
    }
  options.operation = op;
  if (params)
    {
      json_builder_begin_object (b);
      for (guint i = 0; params[i]; i++)
        if (!add_param (b, params[i], &error))
          return cnc_cli_usage ("import", "%s", error->message);
      json_builder_end_object (b);
      params_node = json_builder_get_root (b);
      params_json = json_to_string (params_node, FALSE);
      options.parameters = params_json;
    }
  options.tags = (const char * const *) tags;
  options.notes = notes;
  options.link = link;

  if (!(ws = cnc_cli_open_workspace (FALSE, &error))
      || !cnc_import_files (ws, (const char * const *) argv + 1, &options, imported, NULL, &error))
    return cnc_cli_fail (error);
  for (guint i = 0; i < imported->len; i++)
    printf ("Imported %s\n", (char *) imported->pdata[i]);
  return CNC_EXIT_OK;
}

int
cnc_cli_import_json (int    argc,
                     char **argv)
{
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  CLI_PARSE ("import-json", "FILE", "Import the reference tool's models.json: its metrics, operations and models "
             "with their lineage and metric values (no weights). All of it, or nothing.", NULL);
  if (argc != 2)
    return cnc_cli_usage ("import-json", "give one models.json file");
  if (!(ws = cnc_cli_open_workspace (FALSE, &error))
      || !cnc_cac_json_import_with_notes (ws, argv[1], &n, notes, &error))
    return cnc_cli_fail (error);
  printf ("Imported %u model%s from %s\n", n, n == 1 ? "" : "s", argv[1]);
  for (guint i = 0; i < notes->len; i++)
    printf ("Note: %s\n", (char *) notes->pdata[i]);
  return CNC_EXIT_OK;
}

int
cnc_cli_export_json (int    argc,
                     char **argv)
{
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE instead of standard output", "FILE" },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  CLI_PARSE ("export-json", "", "Write the workspace as the reference tool's models.json.", entries);
  if (argc != 1)
    return cnc_cli_usage ("export-json", "unexpected argument “%s”", argv[1]);
  if (!(ws = cnc_cli_open_workspace (FALSE, &error))
      || !(text = cnc_cac_json_export (ws, &error)))
    return cnc_cli_fail (error);
  if (output == NULL)
    {
      fputs (text, stdout);
      fputc ('\n', stdout);
      return CNC_EXIT_OK;
    }
  if (!g_file_set_contents (output, text, -1, &error))
    return cnc_cli_fail (error);
  return CNC_EXIT_OK;
}

/* ---- list ------------------------------------------------------------------------------ */

typedef struct {
  GPtrArray  *models;       /* CncModel* by id */
  GArray     *edges;
  GPtrArray  *metrics;      /* primary ones */
  GHashTable *values;       /* "id\x1fmetric" -> double* */
  GHashTable *by_id;        /* id -> CncModel* */
} Listing;

static char *
parameters_summary (const CncModel *m)
{
  g_autoptr(JsonNode) node = json_from_string (m->parameters, NULL);
  g_autoptr(GString) s = g_string_new (m->operation ? m->operation : "");
  g_autoptr(GList) members = NULL;
  JsonObject *o;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return g_string_free (g_steal_pointer (&s), FALSE);
  o = json_node_get_object (node);
  members = json_object_get_members (o);
  if (members)
    g_string_append (s, " (");
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *v = json_object_get_member (o, l->data);
      g_autofree char *text = NULL;

      if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (v));
      else if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          text = g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", json_node_get_double (v)));
        }
      else
        text = json_to_string (v, FALSE);
      g_string_append_printf (s, "%s%s %s", l == members ? "" : ", ", (char *) l->data, text);
    }
  if (members)
    g_string_append_c (s, ')');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Appends @text in @width columns; cuts what is too long with an ellipsis. */
static void
pad (GString *s, const char *text, guint width, gboolean right)
{
  glong len = g_utf8_strlen (text, -1);
  guint fill = len < (glong) width ? width - len : 0;

  if (len > (glong) width && width > 1)
    {
      const char *end = g_utf8_offset_to_pointer (text, width - 1);
      g_string_append_len (s, text, end - text);
      g_string_append (s, "…");
      return;
    }

  if (right)
    for (guint i = 0; i < fill; i++)
      g_string_append_c (s, ' ');
  g_string_append (s, text);
  if (!right)
    for (guint i = 0; i < fill; i++)
      g_string_append_c (s, ' ');
}

typedef struct {
  char  *tree;     /* name with the tree's branches */
  char  *op;
  GStrv  cells;
} Row;

static void
row_free (Row *r)
{
  g_free (r->tree);
  g_free (r->op);
  g_strfreev (r->cells);
  g_free (r);
}

static void
collect_rows (Listing    *l,
              CncModel   *m,
              const char *prefix,
              gboolean    last,
              gboolean    root,
              GPtrArray  *rows,
              GHashTable *done)
{
  Row *r = g_new0 (Row, 1);
  g_autoptr(GPtrArray) kids = g_ptr_array_new ();
  g_autoptr(GString) teachers = g_string_new (NULL);
  g_autofree char *child_prefix = NULL;

  g_hash_table_add (done, &m->id);
  for (guint e = 0; e < l->edges->len; e++)
    {
      CncEdge *edge = &g_array_index (l->edges, CncEdge, e);
      if (edge->parent == m->id && edge->role == CNC_EDGE_BASE)
        g_ptr_array_add (kids, g_hash_table_lookup (l->by_id, &edge->child));
      if (edge->child == m->id && edge->role == CNC_EDGE_TEACHER)
        {
          CncModel *t = g_hash_table_lookup (l->by_id, &edge->parent);
          g_string_append_printf (teachers, "%s%s", teachers->len ? ", " : " [teacher: ", t->name);
        }
    }
  if (teachers->len)
    g_string_append_c (teachers, ']');

  r->tree = g_strdup_printf ("%s%s%s", prefix, root ? "" : last ? "└─ " : "├─ ", m->name);
  {
    g_autofree char *params = parameters_summary (m);
    r->op = g_strdup_printf ("%s%s", params, teachers->str);
  }
  r->cells = g_new0 (char *, l->metrics->len + 1);
  for (guint i = 0; i < l->metrics->len; i++)
    {
      CncMetric *metric = l->metrics->pdata[i];
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s", m->id, metric->name);
      double *v = g_hash_table_lookup (l->values, key);
      r->cells[i] = v ? cnc_metric_format_value (metric, *v) : g_strdup ("");
    }
  g_ptr_array_add (rows, r);

  child_prefix = g_strdup_printf ("%s%s", prefix, root ? "" : last ? "   " : "│  ");
  for (guint k = 0; k < kids->len; k++)
    collect_rows (l, kids->pdata[k], child_prefix, k + 1 == kids->len, FALSE, rows, done);
}

static void
listing_clear (Listing *l)
{
  g_clear_pointer (&l->models, g_ptr_array_unref);
  g_clear_pointer (&l->edges, g_array_unref);
  g_clear_pointer (&l->metrics, g_ptr_array_unref);
  g_clear_pointer (&l->values, g_hash_table_unref);
  g_clear_pointer (&l->by_id, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Listing, listing_clear)

static int
print_tree (CncWorkspace *ws)
{
  g_auto(Listing) l = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all_metrics = NULL, values = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr(GHashTable) done = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree guint *widths = NULL;
  guint name_w = 5, op_w = 9;
  g_autoptr(GString) line = g_string_new (NULL);

  if (!(l.models = cnc_workspace_list_models (ws, &error))
      || !(l.edges = cnc_workspace_list_edges (ws, &error))
      || !(all_metrics = cnc_workspace_list_metrics (ws, &error))
      || !(values = cnc_workspace_list_metric_values (ws, -1, &error)))
    return cnc_cli_fail (error);

  l.metrics = g_ptr_array_new ();
  for (guint i = 0; i < all_metrics->len; i++)
    if (((CncMetric *) all_metrics->pdata[i])->primary)
      g_ptr_array_add (l.metrics, all_metrics->pdata[i]);
  l.values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < values->len; i++)
    {
      CncMetricValue *v = values->pdata[i];
      g_hash_table_insert (l.values, g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s", v->model, v->metric), &v->value);
    }
  l.by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < l.models->len; i++)
    g_hash_table_insert (l.by_id, &((CncModel *) l.models->pdata[i])->id, l.models->pdata[i]);

  printf ("Workspace %s: %u model%s\n", cnc_workspace_get_path (ws), l.models->len,
          l.models->len == 1 ? "" : "s");
  if (l.models->len == 0)
    {
      printf ("No models yet: `compress-compare import FILE…` or `compress-compare import-json models.json`.\n");
      return CNC_EXIT_OK;
    }

  /* Roots: models without a base parent, in the order they were added. */
  for (guint i = 0; i < l.models->len; i++)
    {
      CncModel *m = l.models->pdata[i];
      gboolean has_base = FALSE;
      for (guint e = 0; e < l.edges->len && !has_base; e++)
        {
          CncEdge *edge = &g_array_index (l.edges, CncEdge, e);
          has_base = edge->child == m->id && edge->role == CNC_EDGE_BASE;
        }
      if (!has_base)
        collect_rows (&l, m, "", TRUE, TRUE, rows, done);
    }

  widths = g_new0 (guint, l.metrics->len + 1);
  for (guint i = 0; i < l.metrics->len; i++)
    widths[i] = g_utf8_strlen (((CncMetric *) l.metrics->pdata[i])->name, -1);
  for (guint r = 0; r < rows->len; r++)
    {
      Row *row = rows->pdata[r];
      name_w = MAX (name_w, (guint) g_utf8_strlen (row->tree, -1));
      op_w = MAX (op_w, (guint) g_utf8_strlen (row->op, -1));
      for (guint i = 0; i < l.metrics->len; i++)
        widths[i] = MAX (widths[i], (guint) g_utf8_strlen (row->cells[i], -1));
    }
  op_w = MIN (op_w, 60);

  pad (line, "MODEL", name_w + 2, FALSE);
  pad (line, "OPERATION", op_w + 2, FALSE);  /* long ones are cut to op_w */
  for (guint i = 0; i < l.metrics->len; i++)
    {
      pad (line, ((CncMetric *) l.metrics->pdata[i])->name, widths[i], TRUE);
      g_string_append (line, "  ");
    }
  printf ("%s\n", g_strchomp (line->str));
  for (guint r = 0; r < rows->len; r++)
    {
      Row *row = rows->pdata[r];
      g_string_truncate (line, 0);
      pad (line, row->tree, name_w + 2, FALSE);
      pad (line, row->op, op_w, FALSE);
      g_string_append (line, "  ");
      for (guint i = 0; i < l.metrics->len; i++)
        {
          pad (line, row->cells[i], widths[i], TRUE);
          g_string_append (line, "  ");
        }
      printf ("%s\n", g_strchomp (line->str));
    }
  return CNC_EXIT_OK;
}

int
cnc_cli_list (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the stable JSON document (see the README, “JSON output”)", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  gboolean is_default;

  CLI_PARSE ("list", "", "The lineage as an indented tree with the primary metrics.", entries);
  if (argc != 1)
    return cnc_cli_usage ("list", "unexpected argument “%s”", argv[1]);
  /* The default workspace is made on first use; a named one must exist. */
  {
    g_autofree char *def = cnc_workspace_default_path ();
    is_default = g_strcmp0 (def, cnc_cli_workspace_dir ()) == 0;
  }
  if (!(ws = cnc_cli_open_workspace (is_default, &error)))
    return cnc_cli_fail (error);
  if (json)
    {
      g_autoptr(JsonNode) root = cnc_cli_json_list (ws, &error);
      if (root == NULL)
        return cnc_cli_fail (error);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }
  return print_tree (ws);
}

/* ---- show ------------------------------------------------------------------------------ */

static char *
format_shape (const CncLayerStats *s)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint d = 0; d < s->n_dims; d++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, d ? "×" : "", s->shape[d]);
  if (s->n_dims == 0)
    g_string_append (out, "scalar");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "Loss       0.4242, 0.2750 (2 epochs, 938 batches)" for a model made by training. */
static void
print_loss_curve (CncWorkspace   *ws,
                  const CncModel *m)
{
  g_autofree char *curve = cnc_workspace_get_loss_curve (ws, m->id, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) line = g_string_new (NULL);
  JsonObject *o;
  JsonArray *epochs;

  if (curve == NULL || !json_parser_load_from_data (parser, curve, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  o = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (o, "epoch_loss") || !(epochs = json_object_get_array_member (o, "epoch_loss")))
    return;
  for (guint i = 0; i < json_array_get_length (epochs); i++)
    g_string_append_printf (line, "%s%.4f", i ? ", " : "", json_array_get_double_element (epochs, i));
  printf ("  Loss       %s (mean training loss of %u epoch%s, %" G_GINT64_FORMAT " batches)\n", line->str,
          json_array_get_length (epochs), json_array_get_length (epochs) == 1 ? "" : "s",
          json_object_get_int_member_with_default (o, "batches", 0));
}

int
cnc_cli_show (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the stable JSON document (see the README, “JSON output”)", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncModel) m = NULL;
  g_autoptr(GPtrArray) layers = NULL, metrics = NULL, values = NULL;
  g_autoptr(GArray) edges = NULL;
  g_autofree char *file = NULL, *op = NULL;

  CLI_PARSE ("show", "MODEL", "A model's details and its layer table.", entries);
  if (argc != 2)
    return cnc_cli_usage ("show", "give one model name");
  if (!(ws = cnc_cli_open_workspace (FALSE, &error)))
    return cnc_cli_fail (error);
  if (json)
    {
      g_autoptr(JsonNode) root = cnc_cli_json_show (ws, argv[1], &error);
      if (root == NULL)
        return cnc_cli_fail (error);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  if (!(m = cnc_workspace_find_model (ws, argv[1], &error))
      || !(layers = cnc_workspace_list_layers (ws, m->id, &error))
      || !(metrics = cnc_workspace_list_metrics (ws, &error))
      || !(values = cnc_workspace_list_metric_values (ws, m->id, &error))
      || !(edges = cnc_workspace_list_edges (ws, &error)))
    return cnc_cli_fail (error);

  file = cnc_store_model_path (ws, m);
  op = parameters_summary (m);
  printf ("%s\n", m->name);
  if (m->label)
    printf ("  Label      %s\n", m->label);
  printf ("  Format     %s\n", m->format);
  if (m->operation)
    printf ("  Operation  %s\n", op);
  for (guint e = 0; e < edges->len; e++)
    {
      CncEdge *edge = &g_array_index (edges, CncEdge, e);
      if (edge->child == m->id)
        {
          g_autoptr(CncModel) p = cnc_workspace_get_model_by_id (ws, edge->parent, NULL);
          printf ("  %-10s %s\n", edge->role == CNC_EDGE_BASE ? "Parent" : "Teacher", p ? p->name : "?");
        }
    }
  if (m->tags[0])
    {
      g_autofree char *tags = g_strjoinv (", ", m->tags);
      printf ("  Tags       %s\n", tags);
    }
  if (m->notes && *m->notes)
    printf ("  Notes      %s\n", m->notes);
  print_loss_curve (ws, m);
  if (file)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (m->created);
      g_autofree char *when = g_date_time_format (dt, "%Y-%m-%d %H:%M");
      CncMetric bytes = { .name = (char *) "File size", .unit = (char *) "B" };
      g_autofree char *size = cnc_metric_format_value (&bytes, m->size);
      printf ("  File       %s%s\n", file, m->linked ? " (linked, not copied)" : "");
      printf ("  SHA-256    %s\n", m->sha256);
      printf ("  Size       %s, imported %s\n", size, when);
    }
  for (guint v = 0; v < values->len; v++)
    {
      CncMetricValue *mv = values->pdata[v];
      for (guint i = 0; i < metrics->len; i++)
        {
          CncMetric *metric = metrics->pdata[i];
          if (g_str_equal (metric->name, mv->metric))
            {
              g_autofree char *text = cnc_metric_format_value (metric, mv->value);
              printf ("  %-20s %s\n", metric->name, text);
            }
        }
    }
  cnc_cli_show_evaluations (ws, m);

  if (layers->len == 0)
    {
      printf ("\nNo layer table (a record without weights).\n");
      return CNC_EXIT_OK;
    }
  printf ("\n%-40s %-16s %-8s %10s %8s %11s %11s %11s %11s\n",
          "PARAMETER", "SHAPE", "DTYPE", "NUMEL", "ZEROS", "MIN", "MAX", "STD", "L2");
  for (guint i = 0; i < layers->len; i++)
    {
      CncLayerStats *s = layers->pdata[i];
      g_autofree char *shape = format_shape (s);
      g_autofree char *zeros = g_strdup_printf ("%.1f%%", s->numel ? 100.0 * s->zeros / s->numel : 0.0);
      printf ("%-40s %-16s %-8s %10" G_GINT64_FORMAT " %8s %11.4g %11.4g %11.4g %11.4g\n",
              s->name, shape, s->dtype, s->numel, zeros, s->min, s->max, s->std, s->l2);
    }
  return CNC_EXIT_OK;
}

/* ---- edits ----------------------------------------------------------------------------- */

typedef gboolean (*EditFunc) (CncWorkspace *ws, gpointer data, GError **error);

static int
edit (EditFunc func,
      gpointer data)
{
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;

  if (!(ws = cnc_cli_open_workspace (FALSE, &error)) || !cnc_workspace_begin (ws, &error))
    return cnc_cli_fail (error);
  if (!func (ws, data, &error) || !cnc_workspace_commit (ws, &error))
    {
      cnc_workspace_rollback (ws);
      return cnc_cli_fail (error);
    }
  return CNC_EXIT_OK;
}

typedef struct { char **argv; gboolean flag; } EditArgs;

static gboolean
do_tag (CncWorkspace *ws, gpointer data, GError **error)
{
  EditArgs *a = data;
  const char * const *tags = (const char * const *) a->argv + 2;

  return a->flag ? cnc_workspace_remove_tags (ws, a->argv[1], tags, error)
                 : cnc_workspace_add_tags (ws, a->argv[1], tags, error);
}

int
cnc_cli_tag (int    argc,
             char **argv)
{
  gboolean remove = FALSE;
  GOptionEntry entries[] = {
    { "remove", 'r', 0, G_OPTION_ARG_NONE, &remove, "Take the tags off instead", NULL },
    { NULL }
  };
  EditArgs a;

  CLI_PARSE ("tag", "MODEL TAG…", "Add tags to a model, or take them off.", entries);
  if (argc < 3)
    return cnc_cli_usage ("tag", "give a model and at least one tag");
  a.argv = argv;
  a.flag = remove;
  return edit (do_tag, &a);
}

static gboolean
do_note (CncWorkspace *ws, gpointer data, GError **error)
{
  EditArgs *a = data;
  return cnc_workspace_set_notes (ws, a->argv[1], a->argv[2], error);
}

int
cnc_cli_note (int    argc,
              char **argv)
{
  EditArgs a;

  CLI_PARSE ("note", "MODEL TEXT", "Set a model's notes (an empty TEXT clears them).", NULL);
  if (argc != 3)
    return cnc_cli_usage ("note", "give a model and the notes' text");
  a.argv = argv;
  return edit (do_note, &a);
}

static gboolean
do_rename (CncWorkspace *ws, gpointer data, GError **error)
{
  EditArgs *a = data;
  return cnc_workspace_rename_model (ws, a->argv[1], a->argv[2], error);
}

int
cnc_cli_rename (int    argc,
                char **argv)
{
  EditArgs a;

  CLI_PARSE ("rename", "MODEL NEW-NAME", "Rename a model.", NULL);
  if (argc != 3)
    return cnc_cli_usage ("rename", "give the model and its new name");
  a.argv = argv;
  return edit (do_rename, &a);
}

int
cnc_cli_remove (int    argc,
                char **argv)
{
  gboolean recursive = FALSE;
  GOptionEntry entries[] = {
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive, "Also remove every model derived from it", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);

  CLI_PARSE ("remove", "MODEL", "Remove a model; one with derived models only with --recursive.", entries);
  if (argc != 2)
    return cnc_cli_usage ("remove", "give one model name");
  if (!(ws = cnc_cli_open_workspace (FALSE, &error)) || !cnc_workspace_begin (ws, &error))
    return cnc_cli_fail (error);
  if (!cnc_workspace_remove_model (ws, argv[1], recursive, removed, &error)
      || !cnc_workspace_commit (ws, &error))
    {
      cnc_workspace_rollback (ws);
      return cnc_cli_fail (error);
    }
  /* Files no model refers to any more leave the store after the change is committed. */
  cnc_store_collect_garbage (ws, NULL);
  for (guint i = 0; i < removed->len; i++)
    printf ("Removed %s\n", (char *) removed->pdata[i]);
  return CNC_EXIT_OK;
}
