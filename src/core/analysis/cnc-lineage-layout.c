/* cnc-lineage-layout.c
 * Where each model of a lineage goes on the provenance map: columns by step or by operation, rows, headers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-lineage-layout"

#include "cnc-lineage-layout.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* ---- text helpers --------------------------------------------------------------------------- */

char *
cnc_lineage_ordinal (guint n)
{
  const char *suffix = "th";

  if (n % 100 < 11 || n % 100 > 13)
    switch (n % 10)
      {
      case 1: suffix = "st"; break;
      case 2: suffix = "nd"; break;
      case 3: suffix = "rd"; break;
      default: break;
      }
  return g_strdup_printf ("%u%s", n, suffix);
}

static char *
json_value_text (JsonNode *v)
{
  if (JSON_NODE_HOLDS_VALUE (v))
    switch (json_node_get_value_type (v))
      {
      case G_TYPE_STRING:
        return g_strdup (json_node_get_string (v));
      case G_TYPE_DOUBLE:
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", json_node_get_double (v)));
        }
      case G_TYPE_INT64:
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v));
      case G_TYPE_BOOLEAN:
        return g_strdup (json_node_get_boolean (v) ? "yes" : "no");
      default:
        break;
      }
  return json_to_string (v, FALSE);
}

char *
cnc_lineage_format_parameters (const char *parameters_json)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) s = g_string_new ("");
  g_autoptr(GList) members = NULL;
  JsonObject *o;

  if (parameters_json == NULL || parameters_json[0] == '\0' || g_str_equal (parameters_json, "{}"))
    return g_strdup ("");
  node = json_from_string (parameters_json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup ("");
  o = json_node_get_object (node);
  members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    {
      g_autofree char *text = json_value_text (json_object_get_member (o, l->data));
      g_string_append_printf (s, "%s%s %s", l == members ? "" : ", ", (char *) l->data, text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

GStrv
cnc_lineage_column_labels (const CncLineageLayout *layout,
                           guint                   column,
                           const char * const     *parameters,
                           char                  **shared)
{
  guint n;
  g_autoptr(GPtrArray) objects = NULL;   /* JsonObject* or NULL per node */
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GHashTable) common = NULL;   /* key -> value text shared by all */
  g_autoptr(GPtrArray) common_keys = g_ptr_array_new ();
  GStrv labels;

  g_return_val_if_fail (layout != NULL && column < layout->n_columns, NULL);
  n = layout->column_n_nodes[column];
  nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  objects = g_ptr_array_new ();
  for (guint k = 0; k < n; k++)
    {
      const char *text = parameters ? parameters[layout->column_nodes[column][k]] : NULL;
      JsonNode *node = text ? json_from_string (text, NULL) : NULL;

      if (node && JSON_NODE_HOLDS_OBJECT (node))
        {
          g_ptr_array_add (nodes, node);
          g_ptr_array_add (objects, json_node_get_object (node));
        }
      else
        {
          g_clear_pointer (&node, json_node_unref);
          g_ptr_array_add (objects, NULL);
        }
    }

  /* shared: in every model, with one value (a column of one model: all of its parameters) */
  common = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  if (n >= 1 && g_ptr_array_index (objects, 0))
    {
      g_autoptr(GList) members = json_object_get_members (g_ptr_array_index (objects, 0));
      for (GList *l = members; l; l = l->next)
        {
          g_autofree char *value = json_value_text (json_object_get_member (g_ptr_array_index (objects, 0), l->data));
          gboolean all = TRUE;

          for (guint k = 1; k < n && all; k++)
            {
              JsonObject *o = g_ptr_array_index (objects, k);
              JsonNode *m = o ? json_object_get_member (o, l->data) : NULL;
              g_autofree char *other = m ? json_value_text (m) : NULL;
              all = other && g_str_equal (other, value);
            }
          if (all)
            {
              g_hash_table_insert (common, l->data, g_steal_pointer (&value));
              g_ptr_array_add (common_keys, l->data);
            }
        }
    }
  if (shared)
    {
      *shared = NULL;
      if (common_keys->len > 0)
        {
          g_autoptr(GString) s = g_string_new ("");
          for (guint k = 0; k < common_keys->len; k++)
            g_string_append_printf (s, "%s%s %s", k ? ", " : "", (char *) g_ptr_array_index (common_keys, k),
                                    (char *) g_hash_table_lookup (common, g_ptr_array_index (common_keys, k)));
          *shared = g_string_free (g_steal_pointer (&s), FALSE);
        }
    }

  labels = g_new0 (char *, n + 1);
  for (guint k = 0; k < n; k++)
    {
      JsonObject *o = g_ptr_array_index (objects, k);
      g_autoptr(GString) s = g_string_new ("");
      g_autoptr(GList) members = o ? json_object_get_members (o) : NULL;

      for (GList *l = members; l; l = l->next)
        {
          g_autofree char *value = NULL;
          if (g_hash_table_contains (common, l->data))
            continue;
          value = json_value_text (json_object_get_member (o, l->data));
          g_string_append_printf (s, "%s%s %s", s->len ? ", " : "", (char *) l->data, value);
        }
      labels[k] = g_string_free (g_steal_pointer (&s), FALSE);
    }
  return labels;
}

/* "magnitude prune" -> "magni. prune"; "iterative magnitude prune" -> "i. m. prune". */
static char *
abbreviate (const char *label)
{
  g_auto(GStrv) words = g_strsplit (label, " ", -1);
  guint n = g_strv_length (words);
  g_autoptr(GString) s = g_string_new ("");

  for (guint i = 0; i < n; i++)
    {
      const char *w = words[i];
      glong len = g_utf8_strlen (w, -1);

      if (*w == '\0')
        continue;
      if (s->len)
        g_string_append_c (s, ' ');
      if (n >= 3 && i + 1 < n)
        {
          g_string_append_unichar (s, g_utf8_get_char (w));
          g_string_append_c (s, '.');
        }
      else if (len >= 7)
        {
          g_string_append_len (s, w, g_utf8_offset_to_pointer (w, 5) - w);
          g_string_append_c (s, '.');
        }
      else
        g_string_append (s, w);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* ---- layout ------------------------------------------------------------------------------------ */

typedef struct {
  const CncLineageInput *in;
  guint  n;
  int   *parent;        /* sanitized base parent (-1: root) */
  guint *child_start;   /* CSR of base children */
  guint *child_list;
  guint *depth;
  guint *order;         /* nodes with parents before children (BFS) */
} Tree;

static void
tree_clear (Tree *t)
{
  g_free (t->parent);
  g_free (t->child_start);
  g_free (t->child_list);
  g_free (t->depth);
  g_free (t->order);
}

static void
tree_build (Tree *t, const CncLineageInput *in)
{
  guint n = in->n, *fill, head = 0, tail = 0;

  t->in = in;
  t->n = n;
  t->parent = g_new (int, MAX (n, 1));
  t->child_start = g_new0 (guint, n + 1);
  t->depth = g_new0 (guint, MAX (n, 1));
  t->order = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      int p = in->parent ? in->parent[i] : -1;

      t->parent[i] = (p >= 0 && (guint) p < n && (guint) p != i) ? p : -1;
      if (t->parent[i] >= 0)
        t->child_start[t->parent[i] + 1]++;
    }
  for (guint i = 0; i < n; i++)
    t->child_start[i + 1] += t->child_start[i];
  t->child_list = g_new (guint, MAX (t->child_start[n], 1));
  fill = g_memdup2 (t->child_start, sizeof (guint) * (n + 1));
  for (guint i = 0; i < n; i++)     /* children in index (creation) order */
    if (t->parent[i] >= 0)
      t->child_list[fill[t->parent[i]]++] = i;
  g_free (fill);

  /* BFS from the roots; anything left over sits on a cycle: break it there and make it a root. */
  for (;;)
    {
      g_autofree guint8 *reached = NULL;

      for (guint i = 0; i < n; i++)
        if (t->parent[i] < 0)
          t->order[tail++] = i;
      while (head < tail)
        {
          guint v = t->order[head++];
          for (guint k = t->child_start[v]; k < t->child_start[v + 1]; k++)
            {
              guint c = t->child_list[k];
              t->depth[c] = t->depth[v] + 1;
              t->order[tail++] = c;
            }
        }
      if (tail == n)
        break;
      reached = g_new0 (guint8, n);
      for (guint i = 0; i < tail; i++)
        reached[t->order[i]] = 1;
      for (guint i = 0; i < n; i++)
        if (!reached[i])
          {
            int p = t->parent[i];
            /* unlink i from p's children */
            for (guint k = t->child_start[p]; k < t->child_start[p + 1]; k++)
              if (t->child_list[k] == i)
                {
                  memmove (&t->child_list[k], &t->child_list[k + 1],
                           (t->child_start[n] - k - 1) * sizeof (guint));
                  for (guint j = p + 1; j <= n; j++)
                    t->child_start[j]--;
                  break;
                }
            t->parent[i] = -1;
            t->depth[i] = 0;
            break;
          }
      head = tail = 0;
    }
}

static gboolean
str_equal0 (const char *a, const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

/* By operation: each column holds one operation kind. Parents come before children (breadth-first), and a
 * model goes into the first column of its kind to the right of its parent's column; when there is none,
 * a new column of that kind is added at the right end. Every "prune" step after a given point lines up,
 * edges always run left to right, and the columns stay few (a new one only when no later one of that kind
 * exists). O(n log c). @kinds receives each column's operation (NULL: none), in order. */
static void
columns_by_operation (Tree *t, guint *node_column, GPtrArray *kinds)
{
  const CncLineageInput *in = t->in;
  g_autoptr(GHashTable) by_kind = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_array_unref);

  for (guint o = 0; o < t->n; o++)
    {
      guint i = t->order[o];
      const char *kind = in->operation ? in->operation[i] : NULL;
      const char *key = kind ? kind : "";
      int p = t->parent[i];
      int after = p >= 0 ? (int) node_column[p] : -1;
      GArray *cols = g_hash_table_lookup (by_kind, key);
      guint lo = 0, hi;

      if (cols == NULL)
        {
          cols = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (by_kind, g_strdup (key), cols);
        }
      /* the first column of this kind after the parent's (column indices ascending) */
      hi = cols->len;
      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;
          if ((int) g_array_index (cols, guint, mid) <= after)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo < cols->len)
        node_column[i] = g_array_index (cols, guint, lo);
      else
        {
          guint c = kinds->len;
          g_ptr_array_add (kinds, g_strdup (kind));
          g_array_append_val (cols, c);
          node_column[i] = c;
        }
    }
}

/* Columns that hold no visible model (all folded away) go; hidden models take their visible ancestor's
 * column. @kinds (optional) loses the same entries. Returns the new number of columns. */
static guint
drop_empty_columns (Tree *t, const guint8 *hidden, guint *node_column, guint n_columns, GPtrArray *kinds)
{
  g_autofree int *remap = g_new (int, MAX (n_columns, 1));
  guint kept = 0;

  for (guint c = 0; c < n_columns; c++)
    remap[c] = -1;
  for (guint i = 0; i < t->n; i++)
    if (!hidden[i])
      remap[node_column[i]] = 0;
  for (guint c = 0; c < n_columns; c++)
    if (remap[c] == 0)
      remap[c] = kept++;
  if (kept == n_columns)
    return n_columns;
  for (guint o = 0; o < t->n; o++)
    {
      guint v = t->order[o];
      node_column[v] = hidden[v] ? node_column[t->parent[v]] : (guint) remap[node_column[v]];
    }
  if (kinds)
    for (guint c = n_columns; c-- > 0;)
      if (remap[c] < 0)
        g_ptr_array_remove_index (kinds, c);
  return kept;
}

static int
compare_double_index (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const double *key = user_data;
  double ka = key[*(const guint *) a], kb = key[*(const guint *) b];

  if (ka < kb)
    return -1;
  if (ka > kb)
    return 1;
  return (*(const guint *) a > *(const guint *) b) - (*(const guint *) a < *(const guint *) b);
}

/* Compares two texts with the numbers in them as numbers: "amount 0.25" < "amount 0.3" < "amount 0.9". */
static int
compare_natural (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  while (*a && *b)
    {
      gboolean na = g_ascii_isdigit (*a) || ((*a == '-' || *a == '.') && g_ascii_isdigit (a[1]));
      gboolean nb = g_ascii_isdigit (*b) || ((*b == '-' || *b == '.') && g_ascii_isdigit (b[1]));

      if (na && nb)
        {
          char *ea, *eb;
          double x = g_ascii_strtod (a, &ea), y = g_ascii_strtod (b, &eb);

          if (x != y)
            return x < y ? -1 : 1;
          a = ea;
          b = eb;
          continue;
        }
      if (*a != *b)
        return (guchar) *a < (guchar) *b ? -1 : 1;
      a++;
      b++;
    }
  return (*a != '\0') - (*b != '\0');
}

typedef struct {
  const CncLineageInput *in;
  const guint           *column;
} SiblingOrder;

static int
compare_siblings (gconstpointer pa, gconstpointer pb, gpointer user_data)
{
  const SiblingOrder *o = user_data;
  guint a = *(const guint *) pa, b = *(const guint *) pb;
  int c;

  if (o->column[a] != o->column[b])
    return o->column[a] < o->column[b] ? -1 : 1;
  if (o->in->operation && (c = g_strcmp0 (o->in->operation[a], o->in->operation[b])) != 0)
    return c;
  if (o->in->parameters && (c = compare_natural (o->in->parameters[a], o->in->parameters[b])) != 0)
    return c;
  return (a > b) - (a < b);
}

/* Assigns rows by depth-first order of the visible forest: a leaf (or collapsed node) takes the next row,
 * a parent sits on its first child's row. Uses t->child_list order. Iterative. */
static guint
assign_rows (Tree *t, const guint8 *hidden, const gboolean *collapsed, const guint *roots, guint n_roots,
             double *row)
{
  guint n = t->n, next = 0;
  g_autofree guint *stack = g_new (guint, MAX (n, 1) * 2);
  guint sp = 0;

  for (guint r = n_roots; r-- > 0;)
    {
      stack[sp++] = roots[r];
      stack[sp++] = 0;
    }
  /* Each stack entry: node, state (0: enter, 1: leave). */
  while (sp > 0)
    {
      guint state = stack[--sp];
      guint v = stack[--sp];
      gboolean leaf = (collapsed && collapsed[v]) || t->child_start[v] == t->child_start[v + 1];

      if (hidden[v])
        continue;
      if (leaf)
        {
          row[v] = next++;
          continue;
        }
      if (state == 0)
        {
          stack[sp++] = v;
          stack[sp++] = 1;
          for (guint k = t->child_start[v + 1]; k-- > t->child_start[v];)
            {
              stack[sp++] = t->child_list[k];
              stack[sp++] = 0;
            }
        }
      else
        row[v] = row[t->child_list[t->child_start[v]]];
    }
  return next;
}

CncLineageLayout *
cnc_lineage_layout_new (const CncLineageInput *input,
                        CncLineageLayoutMode   mode)
{
  CncLineageLayout *layout;
  Tree t = { 0 };
  guint n;
  g_autofree guint *node_column = NULL;
  g_autofree guint8 *hidden = NULL;
  g_autofree double *row = NULL;
  g_autofree guint *roots = NULL;
  g_autofree guint *subtree = NULL;
  guint n_roots = 0, n_columns = 0;

  g_return_val_if_fail (input != NULL, NULL);

  n = input->n;
  tree_build (&t, input);
  layout = g_new0 (CncLineageLayout, 1);
  layout->mode = mode;
  layout->n_nodes = n;
  layout->nodes = g_new0 (CncLineageNode, MAX (n, 1));

  /* Subtree sizes (bottom-up over the BFS order), hidden flags (top-down). */
  subtree = g_new (guint, MAX (n, 1));
  hidden = g_new0 (guint8, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    subtree[i] = 1;
  for (guint o = n; o-- > 0;)
    {
      guint v = t.order[o];
      if (t.parent[v] >= 0)
        subtree[t.parent[v]] += subtree[v];
    }
  for (guint o = 0; o < n; o++)
    {
      guint v = t.order[o];
      int p = t.parent[v];
      hidden[v] = p >= 0 && (hidden[p] || (input->collapsed && input->collapsed[p]));
      layout->nodes[v].hidden = hidden[v];
      layout->nodes[v].n_children = t.child_start[v + 1] - t.child_start[v];
      if (input->collapsed && input->collapsed[v] && !hidden[v])
        layout->nodes[v].folded = subtree[v] - 1;
    }

  /* Columns. */
  node_column = g_new0 (guint, MAX (n, 1));
  if (mode == CNC_LINEAGE_LAYOUT_BY_OPERATION)
    {
      g_autoptr(GPtrArray) kinds = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      g_autofree guint8 *all_roots = NULL;

      columns_by_operation (&t, node_column, kinds);
      n_columns = drop_empty_columns (&t, hidden, node_column, kinds->len, kinds);
      all_roots = g_new (guint8, MAX (n_columns, 1));
      memset (all_roots, 1, MAX (n_columns, 1));
      for (guint i = 0; i < n; i++)
        if (t.parent[i] >= 0)
          all_roots[node_column[i]] = 0;
      layout->columns = g_new0 (CncLineageColumn, MAX (n_columns, 1));
      for (guint c = 0; c < n_columns; c++)
        {
          const char *kind = g_ptr_array_index (kinds, c);
          const char *name = kind ? kind : (all_roots[c] ? "root" : "no operation");
          CncLineageColumn *col = &layout->columns[c];
          guint nth = GPOINTER_TO_UINT (g_hash_table_lookup (seen, name)) + 1;
          g_autofree char *abbr = abbreviate (name);

          /* repeated kinds are numbered for people: "train", "train (2nd)" */
          g_hash_table_insert (seen, (char *) name, GUINT_TO_POINTER (nth));
          col->kind = g_strdup (kind);
          if (nth > 1)
            {
              g_autofree char *ord = cnc_lineage_ordinal (nth);
              col->label = g_strdup_printf ("%s (%s)", name, ord);
              col->short_label = g_strdup_printf ("%s %u", abbr, nth);
            }
          else
            {
              col->label = g_strdup (name);
              col->short_label = g_steal_pointer (&abbr);
            }
        }
    }
  else
    {
      for (guint i = 0; i < n; i++)
        {
          node_column[i] = t.depth[i];
          n_columns = MAX (n_columns, t.depth[i] + 1);
        }
      layout->columns = g_new0 (CncLineageColumn, MAX (n_columns, 1));
      for (guint c = 0; c < n_columns; c++)
        {
          CncLineageColumn *col = &layout->columns[c];
          col->label = c == 0 ? g_strdup ("root") : g_strdup_printf ("step %u", c);
          col->short_label = c == 0 ? g_strdup ("root") : g_strdup_printf ("%u", c);
        }
    }
  layout->n_columns = n_columns;

  /* Column details: the operation (by step, when one kind) and the parameters shared by every model. */
  {
    g_autofree int *first = g_new (int, MAX (n_columns, 1));
    g_autofree guint8 *same_params = g_new (guint8, MAX (n_columns, 1));
    g_autofree guint8 *same_kind = g_new (guint8, MAX (n_columns, 1));

    for (guint c = 0; c < n_columns; c++)
      {
        first[c] = -1;
        same_params[c] = same_kind[c] = 1;
      }
    for (guint i = 0; i < n; i++)
      {
        guint c = node_column[i];
        if (first[c] < 0)
          first[c] = i;
        else
          {
            if (!str_equal0 (input->parameters ? input->parameters[i] : NULL,
                             input->parameters ? input->parameters[first[c]] : NULL))
              same_params[c] = 0;
            if (!str_equal0 (input->operation ? input->operation[i] : NULL,
                             input->operation ? input->operation[first[c]] : NULL))
              same_kind[c] = 0;
          }
      }
    for (guint c = 0; c < n_columns; c++)
      {
        CncLineageColumn *col = &layout->columns[c];
        g_autofree char *params = NULL;
        const char *op;

        if (first[c] < 0)
          continue;
        op = input->operation ? input->operation[first[c]] : NULL;
        params = same_params[c] && input->parameters ? cnc_lineage_format_parameters (input->parameters[first[c]])
                                                     : g_strdup ("");
        if (mode == CNC_LINEAGE_LAYOUT_BY_STEP)
          {
            if (same_kind[c] && op)
              {
                col->kind = g_strdup (op);
                col->detail = *params ? g_strdup_printf ("%s (%s)", op, params) : g_strdup (op);
              }
          }
        else if (*params)
          col->detail = g_steal_pointer (&params);
      }
  }

  /* Siblings in reading order: the nearest column first (its ribbon runs straight on), then by operation,
   * then by parameters with numbers in numeric order (amount 0.3, 0.5, 0.9); roots in index order. Then
   * barycentric sweeps over teacher edges. */
  {
    SiblingOrder order = { input, node_column };
    for (guint v = 0; v < n; v++)
      if (t.child_start[v + 1] - t.child_start[v] > 1)
        g_qsort_with_data (&t.child_list[t.child_start[v]], t.child_start[v + 1] - t.child_start[v],
                           sizeof (guint), compare_siblings, &order);
  }
  roots = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    if (t.parent[i] < 0)
      roots[n_roots++] = i;
  row = g_new0 (double, MAX (n, 1));
  layout->n_rows = assign_rows (&t, hidden, input->collapsed, roots, n_roots, row);

  if (input->teacher)
    {
      g_autofree double *sum = g_new (double, MAX (n, 1));
      g_autofree double *cnt = g_new (double, MAX (n, 1));
      g_autofree double *key = g_new (double, MAX (n, 1));
      gboolean any = FALSE;

      for (guint i = 0; i < n; i++)
        if (input->teacher[i] >= 0 && (guint) input->teacher[i] < n)
          any = TRUE;
      for (guint sweep = 0; any && sweep < 3; sweep++)
        {
          for (guint i = 0; i < n; i++)
            sum[i] = cnt[i] = 0;
          for (guint i = 0; i < n; i++)
            {
              int te = input->teacher[i];
              if (te < 0 || (guint) te >= n)
                continue;
              sum[i] += row[te];
              cnt[i] += 1;
              sum[te] += row[i];
              cnt[te] += 1;
            }
          for (guint o = n; o-- > 0;)
            {
              guint v = t.order[o];
              if (t.parent[v] >= 0)
                {
                  sum[t.parent[v]] += sum[v];
                  cnt[t.parent[v]] += cnt[v];
                }
            }
          /* each subtree's key: the mean row its teacher edges pull to, else where it is now */
          for (guint i = 0; i < n; i++)
            key[i] = cnt[i] > 0 ? sum[i] / cnt[i] : row[i];
          for (guint v = 0; v < n; v++)
            if (t.child_start[v + 1] - t.child_start[v] > 1)
              g_qsort_with_data (&t.child_list[t.child_start[v]], t.child_start[v + 1] - t.child_start[v],
                            sizeof (guint), compare_double_index, key);
          g_qsort_with_data (roots, n_roots, sizeof (guint), compare_double_index, key);
          layout->n_rows = assign_rows (&t, hidden, input->collapsed, roots, n_roots, row);
        }
    }

  for (guint i = 0; i < n; i++)
    {
      layout->nodes[i].column = node_column[i];
      layout->nodes[i].row = hidden[i] ? row[t.parent[i] >= 0 ? (guint) t.parent[i] : i] : row[i];
    }
  /* Hidden nodes sit on their visible (collapsed) ancestor's row: BFS order sets parents first. */
  for (guint o = 0; o < n; o++)
    {
      guint v = t.order[o];
      if (hidden[v])
        layout->nodes[v].row = layout->nodes[t.parent[v]].row;
    }

  /* Visible nodes per column, by row (counting sort by column, then rows). */
  layout->column_nodes = g_new0 (guint *, MAX (n_columns, 1));
  layout->column_n_nodes = g_new0 (guint, MAX (n_columns, 1));
  for (guint i = 0; i < n; i++)
    if (!hidden[i])
      layout->column_n_nodes[node_column[i]]++;
  for (guint c = 0; c < n_columns; c++)
    {
      layout->column_nodes[c] = g_new (guint, MAX (layout->column_n_nodes[c], 1));
      layout->columns[c].n_nodes = layout->column_n_nodes[c];
      layout->column_n_nodes[c] = 0;
    }
  for (guint i = 0; i < n; i++)
    if (!hidden[i])
      {
        guint c = node_column[i];
        layout->column_nodes[c][layout->column_n_nodes[c]++] = i;
      }
  for (guint c = 0; c < n_columns; c++)
    g_qsort_with_data (layout->column_nodes[c], layout->column_n_nodes[c], sizeof (guint), compare_double_index, row);

  tree_clear (&t);
  return layout;
}

void
cnc_lineage_layout_free (CncLineageLayout *layout)
{
  if (layout == NULL)
    return;
  for (guint c = 0; c < layout->n_columns; c++)
    {
      g_free (layout->columns[c].label);
      g_free (layout->columns[c].short_label);
      g_free (layout->columns[c].detail);
      g_free (layout->columns[c].kind);
      g_free (layout->column_nodes[c]);
    }
  g_free (layout->columns);
  g_free (layout->column_nodes);
  g_free (layout->column_n_nodes);
  g_free (layout->nodes);
  g_free (layout);
}

guint
cnc_lineage_layout_rows_in_range (const CncLineageLayout *layout,
                                  guint                   column,
                                  double                  row_lo,
                                  double                  row_hi,
                                  guint                  *first)
{
  const guint *list;
  guint n, lo = 0, hi, start;

  g_return_val_if_fail (layout != NULL && column < layout->n_columns, 0);
  list = layout->column_nodes[column];
  n = layout->column_n_nodes[column];
  hi = n;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (layout->nodes[list[mid]].row < row_lo)
        lo = mid + 1;
      else
        hi = mid;
    }
  start = lo;
  hi = n;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (layout->nodes[list[mid]].row <= row_hi)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (first)
    *first = start;
  return lo - start;
}

static double
pair_gap (const double *w, guint a, guint b, double column_px)
{
  return (b - a) * column_px - (w[a] + w[b]) / 2;
}

CncLineageHeaderKind *
cnc_lineage_layout_place_headers (const CncLineageLayout *layout,
                                  double                  column_px,
                                  double                  gap,
                                  CncLineageMeasureFunc   measure,
                                  gpointer                user_data)
{
  guint n;
  CncLineageHeaderKind *kinds;
  g_autofree double *full_w = NULL, *short_w = NULL, *w = NULL;
  gboolean conflict = FALSE;

  g_return_val_if_fail (layout != NULL && measure != NULL, NULL);
  n = layout->n_columns;
  kinds = g_new0 (CncLineageHeaderKind, MAX (n, 1));
  if (n == 0)
    return kinds;
  full_w = g_new (double, n);
  short_w = g_new (double, n);
  w = g_new (double, n);
  for (guint c = 0; c < n; c++)
    {
      full_w[c] = measure (layout->columns[c].label, user_data);
      short_w[c] = MIN (full_w[c], measure (layout->columns[c].short_label, user_data));
      w[c] = full_w[c];
      kinds[c] = CNC_LINEAGE_HEADER_FULL;
    }
  /* 1. each column keeps its full label unless a neighbour collides: then the wider one is shortened,
   *    then the other */
  for (guint c = 0; c + 1 < n; c++)
    {
      guint first = w[c] >= w[c + 1] ? c : c + 1, second = first == c ? c + 1 : c;

      if (pair_gap (w, c, c + 1, column_px) >= gap)
        continue;
      w[first] = short_w[first];
      kinds[first] = CNC_LINEAGE_HEADER_SHORT;
      if (pair_gap (w, c, c + 1, column_px) >= gap)
        continue;
      w[second] = short_w[second];
      kinds[second] = CNC_LINEAGE_HEADER_SHORT;
      if (pair_gap (w, c, c + 1, column_px) < gap)
        conflict = TRUE;
    }
  /* shortening the right one of a pair may not reopen the pair before it: check once more */
  for (guint c = 0; c + 1 < n && !conflict; c++)
    if (pair_gap (w, c, c + 1, column_px) < gap)
      conflict = TRUE;
  if (!conflict)
    return kinds;

  /* 2. too dense even short: every k-th column, short, k as small as works */
  for (guint stride = 2; stride <= n; stride++)
    {
      gboolean fits = TRUE;

      for (guint c = 0; c + stride < n && fits; c += stride)
        fits = pair_gap (short_w, c, c + stride, column_px) >= gap;
      if (!fits)
        continue;
      for (guint c = 0; c < n; c++)
        kinds[c] = c % stride == 0 ? CNC_LINEAGE_HEADER_SHORT : CNC_LINEAGE_HEADER_NONE;
      return kinds;
    }
  for (guint c = 0; c < n; c++)
    kinds[c] = c == 0 ? CNC_LINEAGE_HEADER_SHORT : CNC_LINEAGE_HEADER_NONE;
  return kinds;
}

static int
compare_subtree_desc (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const guint *size = user_data;
  guint x = *(const guint *) a, y = *(const guint *) b;

  if (size[x] != size[y])
    return size[x] > size[y] ? -1 : 1;
  return (x > y) - (x < y);
}

gboolean *
cnc_lineage_auto_collapse (const CncLineageInput *input,
                           guint                  max_rows)
{
  Tree t = { 0 };
  guint n = input->n, rows = 0, leaves = 0;
  g_autofree guint *size = NULL, *order = NULL;
  gboolean *collapsed;
  g_autofree guint8 *open = NULL;

  g_return_val_if_fail (input != NULL, NULL);
  tree_build (&t, input);
  size = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      size[i] = 1;
      leaves += t.child_start[i] == t.child_start[i + 1];
    }
  if (leaves <= max_rows)
    {
      tree_clear (&t);
      return NULL;
    }
  for (guint o = n; o-- > 0;)
    if (t.parent[t.order[o]] >= 0)
      size[t.parent[t.order[o]]] += size[t.order[o]];

  /* Largest subtrees first: a parent always comes before its children (its subtree is larger).
   * Everything starts folded into the roots; a subtree opens when its children's rows still fit. */
  collapsed = g_new0 (gboolean, MAX (n, 1));
  open = g_new0 (guint8, MAX (n, 1));
  order = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      order[i] = i;
      if (t.parent[i] < 0)
        rows++;
    }
  g_qsort_with_data (order, n, sizeof (guint), compare_subtree_desc, size);
  for (guint k = 0; k < n; k++)
    {
      guint v = order[k], kids = t.child_start[v + 1] - t.child_start[v];

      if (kids == 0 || (t.parent[v] >= 0 && !open[t.parent[v]]))
        continue;
      if (rows + kids - 1 <= MAX (max_rows, 1))
        {
          open[v] = 1;
          rows += kids - 1;
        }
      else
        collapsed[v] = TRUE;
    }
  tree_clear (&t);
  return collapsed;
}
