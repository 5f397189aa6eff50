/* cnc-differs.c
 * "What differs": candidate variables from the selected models' lineage paths, preferred, merged and checked.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-differs"

#include "cnc-differs.h"
#include "cnc-lineage-layout.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "core/cnc-core-enums.h"
#include "core/cnc-enum-names.h"

#define NONE_VALUE "none"

CNC_DEFINE_ENUM_TO_NAME (CncVariableKind, CNC_TYPE_VARIABLE_KIND, cnc_variable_kind_to_string)

/* One operation on a model's path. */
typedef struct {
  const CncModel *model;
  JsonObject     *params;    /* owned by the path's node list */
  char           *slot;      /* "prune", "train 2" */
} Step;

typedef struct {
  const CncModel *root;
  GArray         *steps;     /* Step */
  GPtrArray      *nodes;     /* JsonNode* parameters, kept alive */
  char           *key;       /* the whole lineage as text: identical lineages have equal keys */
} Path;

/* A variable while it is being chosen: one text value per model. */
typedef struct {
  CncVariableKind kind;
  char      *name, *operation, *parameter;
  guint      slot;           /* lineage order of its operation (0 for the base) */
  GStrv      values;         /* [n] */
  guint32    present;        /* PRESENCE: the models that went through the operation */
  GPtrArray *parts;          /* Candidate*: merged into this one (not owned) */
  gboolean   dropped;
} Candidate;

static void
candidate_free (Candidate *c)
{
  g_free (c->name);
  g_free (c->operation);
  g_free (c->parameter);
  g_strfreev (c->values);
  g_clear_pointer (&c->parts, g_ptr_array_unref);
  g_free (c);
}

static void
path_clear (Path *p)
{
  g_clear_pointer (&p->steps, g_array_unref);
  g_clear_pointer (&p->nodes, g_ptr_array_unref);
  g_clear_pointer (&p->key, g_free);
}

static void
step_clear (Step *s)
{
  g_free (s->slot);
}

static void
variable_free (CncDiffersVariable *v)
{
  if (v == NULL)
    return;
  g_free (v->name);
  g_free (v->operation);
  g_free (v->parameter);
  g_strfreev (v->merged);
  g_strfreev (v->values);
  g_free (v->model_values);
  g_free (v);
}

void
cnc_differs_free (CncDiffers *d)
{
  if (d == NULL)
    return;
  g_free (d->models);
  g_strfreev (d->names);
  g_clear_pointer (&d->variables, g_ptr_array_unref);
  variable_free (d->sequence);
  g_clear_pointer (&d->same, g_ptr_array_unref);
  g_free (d);
}

/* A parameter value as people read it: 0.3, 16, true, text. */
static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("null");
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);

      if (t == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (t == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
      if (t == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (t == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g", json_node_get_double (node)));
        }
    }
  return json_to_string (node, FALSE);
}

/* ---- paths ------------------------------------------------------------------------------------- */

static gboolean
build_path (Path        *path,
            const CncModel *model,
            GHashTable  *by_id,
            GHashTable  *parent_of,
            GError     **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GHashTable) seen_ops = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) key = g_string_new (NULL);
  const CncModel *m = model;

  while (m)
    {
      gpointer parent;

      if (chain->len > g_hash_table_size (by_id))
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT,
                       "The lineage of “%s” has a cycle", model->name);
          return FALSE;
        }
      g_ptr_array_insert (chain, 0, (gpointer) m);
      if (!g_hash_table_lookup_extended (parent_of, &m->id, NULL, &parent))
        break;
      m = g_hash_table_lookup (by_id, parent);
    }

  path->root = chain->pdata[0];
  path->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (path->steps, (GDestroyNotify) step_clear);
  path->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_string_append_printf (key, "%" G_GINT64_FORMAT, path->root->id);
  for (guint i = 0; i < chain->len; i++)
    {
      const CncModel *cm = chain->pdata[i];
      JsonNode *node;
      Step step = { cm, NULL, NULL };
      guint seen;

      if (cm->operation == NULL)
        continue;
      node = json_from_string (cm->parameters ? cm->parameters : "{}", NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_clear_pointer (&node, json_node_unref);
          node = json_node_init_object (json_node_alloc (), json_object_new ());
        }
      g_ptr_array_add (path->nodes, node);
      step.params = json_node_get_object (node);
      seen = GPOINTER_TO_UINT (g_hash_table_lookup (seen_ops, cm->operation)) + 1;
      g_hash_table_insert (seen_ops, cm->operation, GUINT_TO_POINTER (seen));
      /* Named as the map names repeated operations: "train", "train (2nd)". */
      if (seen == 1)
        step.slot = g_strdup (cm->operation);
      else
        {
          g_autofree char *ordinal = cnc_lineage_ordinal (seen);
          step.slot = g_strdup_printf ("%s (%s)", cm->operation, ordinal);
        }
      g_array_append_val (path->steps, step);
      g_string_append_printf (key, "\x1f%s\x1e", cm->operation);
      {
        g_autofree char *text = json_to_string (node, FALSE);
        g_string_append (key, text);
      }
    }
  path->key = g_string_free (g_steal_pointer (&key), FALSE);
  return TRUE;
}

static const Step *
path_find_slot (const Path *p,
                const char *slot)
{
  for (guint i = 0; i < p->steps->len; i++)
    {
      const Step *s = &g_array_index (p->steps, Step, i);
      if (g_str_equal (s->slot, slot))
        return s;
    }
  return NULL;
}

/* ---- ordering values --------------------------------------------------------------------------- */

/* The rank of a plain value: none, no, yes, numbers, text. */
static int
value_rank (const char *v,
            double     *number)
{
  char *end = NULL;

  *number = 0;
  if (g_str_equal (v, NONE_VALUE))
    return 0;
  if (g_str_equal (v, "no"))
    return 1;
  if (g_str_equal (v, "yes"))
    return 2;
  *number = g_ascii_strtod (v, &end);
  if (end != v && *end == '\0' && !isnan (*number))
    return 3;
  return 4;
}

static int
value_cmp (const char *a,
           const char *b)
{
  double x, y;
  int ra = value_rank (a, &x), rb = value_rank (b, &y);

  if (ra != rb)
    return ra < rb ? -1 : 1;
  if (ra == 3 && x != y)
    return x < y ? -1 : 1;
  return strcmp (a, b);
}

/* Which models share a value, as the index of the first model with it: equal arrays mean the
 * variables split the models the same way. */
static void
partition_of (const Candidate *c,
              guint            n,
              guint           *out)
{
  for (guint i = 0; i < n; i++)
    {
      out[i] = i;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (c->values[i], c->values[j]))
          {
            out[i] = j;
            break;
          }
    }
}

static gboolean
same_partition (const Candidate *a,
                const Candidate *b,
                guint            n)
{
  guint pa[CNC_DIFFERS_MAX_MODELS], pb[CNC_DIFFERS_MAX_MODELS];

  partition_of (a, n, pa);
  partition_of (b, n, pb);
  return memcmp (pa, pb, n * sizeof (guint)) == 0;
}

/* ---- candidates -------------------------------------------------------------------------------- */

typedef struct {
  char  *name;
  guint  first;     /* smallest step position on any path */
  guint  seen;      /* order of discovery, for ties */
} Slot;

static void
slot_free (Slot *s)
{
  g_free (s->name);
  g_free (s);
}

static int
slot_cmp (gconstpointer a,
          gconstpointer b)
{
  const Slot *x = *(Slot * const *) a, *y = *(Slot * const *) b;

  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return x->seen < y->seen ? -1 : x->seen > y->seen;
}

static Candidate *
candidate_new (CncVariableKind kind,
               guint           n,
               guint           slot)
{
  Candidate *c = g_new0 (Candidate, 1);

  c->kind = kind;
  c->slot = slot;
  c->values = g_new0 (char *, n + 1);
  c->parts = g_ptr_array_new ();
  return c;
}

static GPtrArray *
list_slots (const Path *paths,
            guint       n)
{
  GPtrArray *slots = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    for (guint t = 0; t < paths[i].steps->len; t++)
      {
        const Step *s = &g_array_index (paths[i].steps, Step, t);
        Slot *slot = g_hash_table_lookup (index, s->slot);

        if (slot == NULL)
          {
            slot = g_new0 (Slot, 1);
            slot->name = g_strdup (s->slot);
            slot->first = t;
            slot->seen = slots->len;
            g_ptr_array_add (slots, slot);
            g_hash_table_insert (index, slot->name, slot);
          }
        slot->first = MIN (slot->first, t);
      }
  g_ptr_array_sort (slots, slot_cmp);
  return slots;
}

/* Parameter names of an operation slot, in order of first appearance. */
static GPtrArray *
slot_parameters (const Path *paths,
                 guint       n,
                 const char *slot)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      const Step *s = path_find_slot (&paths[i], slot);
      g_autoptr(GList) members = NULL;

      if (s == NULL)
        continue;
      members = json_object_get_members (s->params);
      for (GList *l = members; l; l = l->next)
        if (!g_ptr_array_find_with_equal_func (names, l->data, g_str_equal, NULL))
          g_ptr_array_add (names, g_strdup (l->data));
    }
  return names;
}

static void
add_candidates (GPtrArray  *candidates,
                const Path *paths,
                guint       n,
                GPtrArray  *slots,
                GHashTable *varying)     /* slot → GPtrArray of varying parameter names */
{
  gboolean roots_differ = FALSE;

  for (guint i = 1; i < n; i++)
    roots_differ |= paths[i].root->id != paths[0].root->id;
  if (roots_differ)
    {
      Candidate *c = candidate_new (CNC_VARIABLE_BASE, n, 0);

      c->name = g_strdup ("base model");
      for (guint i = 0; i < n; i++)
        c->values[i] = g_strdup (paths[i].root->name);
      g_ptr_array_add (candidates, c);
    }

  for (guint si = 0; si < slots->len; si++)
    {
      const char *slot = ((Slot *) slots->pdata[si])->name;
      g_autoptr(GPtrArray) params = slot_parameters (paths, n, slot);
      GPtrArray *vary = g_ptr_array_new_with_free_func (g_free);
      guint32 present = 0;
      gboolean have_parameter = FALSE;

      g_hash_table_insert (varying, g_strdup (slot), vary);
      for (guint i = 0; i < n; i++)
        if (path_find_slot (&paths[i], slot))
          present |= 1u << i;

      for (guint pi = 0; pi < params->len; pi++)
        {
          const char *param = params->pdata[pi];
          Candidate *c = candidate_new (CNC_VARIABLE_PARAMETER, n, si + 1);
          g_autoptr(GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);

          for (guint i = 0; i < n; i++)
            {
              const Step *s = path_find_slot (&paths[i], slot);

              if (s == NULL)
                c->values[i] = g_strdup (NONE_VALUE);
              else
                {
                  c->values[i] = json_object_has_member (s->params, param)
                                 ? value_text (json_object_get_member (s->params, param))
                                 : g_strdup ("unset");
                  g_hash_table_add (distinct, c->values[i]);
                }
            }
          if (g_hash_table_size (distinct) < 2)
            {
              candidate_free (c);
              continue;
            }
          c->operation = g_strdup (slot);
          c->parameter = g_strdup (param);
          c->name = g_strdup_printf ("%s %s", slot, param);
          g_ptr_array_add (candidates, c);
          g_ptr_array_add (vary, g_strdup (param));
          have_parameter = TRUE;
        }

      /* A parameter says whether the operation happened ("none"): it is preferred. */
      if (!have_parameter && present != 0 && present != (1u << n) - 1)
        {
          Candidate *c = candidate_new (CNC_VARIABLE_PRESENCE, n, si + 1);

          c->operation = g_strdup (slot);
          c->name = g_strdup (slot);
          c->present = present;
          for (guint i = 0; i < n; i++)
            c->values[i] = g_strdup (present & (1u << i) ? "yes" : "no");
          g_ptr_array_add (candidates, c);
        }
    }
}

static int
preference_cmp (gconstpointer a,
                gconstpointer b)
{
  const Candidate *x = *(Candidate * const *) a, *y = *(Candidate * const *) b;

  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;   /* base, parameter, presence */
  return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int
lineage_cmp (gconstpointer a,
             gconstpointer b)
{
  const Candidate *x = *(Candidate * const *) a, *y = *(Candidate * const *) b;

  if (x->slot != y->slot)
    return x->slot < y->slot ? -1 : 1;
  return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* Variables that split the models the same way are folded into the preferred one. */
static void
merge_equivalent (GPtrArray *candidates,
                  guint      n)
{
  g_ptr_array_sort (candidates, preference_cmp);
  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = candidates->pdata[i];

      for (guint j = 0; j < i && !c->dropped; j++)
        {
          Candidate *keep = candidates->pdata[j];
          if (!keep->dropped && same_partition (keep, c, n))
            {
              g_ptr_array_add (keep->parts, c);
              c->dropped = TRUE;
            }
        }
    }
}

/* A model's value of one part of a merged variable: "amount 0.3", "fine-tune", or "" when it says nothing. */
static char *
part_text (const Candidate *c,
           guint            i)
{
  const char *v = c->values[i];

  switch (c->kind)
    {
    case CNC_VARIABLE_PRESENCE:
      return g_strdup (g_str_equal (v, "yes") ? c->operation : "");
    case CNC_VARIABLE_PARAMETER:
      return g_str_equal (v, NONE_VALUE) ? g_strdup ("") : g_strdup_printf ("%s %s", c->parameter, v);
    case CNC_VARIABLE_BASE:
    case CNC_VARIABLE_SEQUENCE:
    default:
      return g_str_equal (v, NONE_VALUE) ? g_strdup ("") : g_strdup (v);
    }
}

/* Nested presences (every model that was fine-tuned was pruned) become one sequence variable:
 * "none", "prune", "prune → fine-tune". */
static int
larger_set_first (gconstpointer a,
                  gconstpointer b)
{
  const Candidate *x = *(Candidate * const *) a, *y = *(Candidate * const *) b;
  int nx = __builtin_popcount (x->present), ny = __builtin_popcount (y->present);

  if (nx != ny)
    return nx > ny ? -1 : 1;
  return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static void
merge_nested (GPtrArray *candidates,
              guint      n)
{
  g_autoptr(GPtrArray) presences = g_ptr_array_new ();
  g_autoptr(GPtrArray) chains = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = candidates->pdata[i];
      if (!c->dropped && c->kind == CNC_VARIABLE_PRESENCE && c->parts->len == 0)
        g_ptr_array_add (presences, c);
    }
  /* Largest sets first; each joins the first chain whose last set contains it. */
  g_ptr_array_sort (presences, larger_set_first);
  for (guint i = 0; i < presences->len; i++)
    {
      Candidate *c = presences->pdata[i];
      GPtrArray *chain = NULL;

      for (guint j = 0; j < chains->len && chain == NULL; j++)
        {
          GPtrArray *ch = chains->pdata[j];
          Candidate *last = ch->pdata[ch->len - 1];
          if ((last->present & c->present) == c->present)
            chain = ch;
        }
      if (chain == NULL)
        {
          chain = g_ptr_array_new ();
          g_ptr_array_add (chains, chain);
        }
      g_ptr_array_add (chain, c);
    }

  for (guint j = 0; j < chains->len; j++)
    {
      GPtrArray *chain = chains->pdata[j];
      Candidate *seq;
      g_autoptr(GPtrArray) by_slot = NULL;
      g_autoptr(GString) name = g_string_new (NULL);

      if (chain->len < 2)
        continue;
      by_slot = g_ptr_array_copy (chain, NULL, NULL);
      g_ptr_array_sort (by_slot, lineage_cmp);
      seq = candidate_new (CNC_VARIABLE_SEQUENCE, n, ((Candidate *) by_slot->pdata[0])->slot);
      for (guint k = 0; k < by_slot->len; k++)
        {
          Candidate *c = by_slot->pdata[k];
          g_string_append_printf (name, "%s%s", k ? " → " : "", c->operation);
          c->dropped = TRUE;
        }
      seq->name = g_strdup (name->str);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GString) v = g_string_new (NULL);

          for (guint k = 0; k < by_slot->len; k++)
            {
              Candidate *c = by_slot->pdata[k];
              if (c->present & (1u << i))
                g_string_append_printf (v, "%s%s", v->len ? " → " : "", c->operation);
            }
          seq->values[i] = g_strdup (v->len ? v->str : NONE_VALUE);
        }
      g_ptr_array_add (candidates, seq);
    }
}

/* ---- the final variables ----------------------------------------------------------------------- */

typedef struct {
  char *text;        /* the value shown */
  char *primary;     /* the preferred part's own value, for ordering */
  guint steps;       /* sequences: how many operations */
} Shown;

static int
shown_cmp (gconstpointer a,
           gconstpointer b,
           gpointer      data)
{
  const Shown *x = a, *y = b;
  CncVariableKind kind = GPOINTER_TO_INT (data);
  int r;

  if (kind == CNC_VARIABLE_SEQUENCE)
    {
      gboolean xn = g_str_equal (x->text, NONE_VALUE), yn = g_str_equal (y->text, NONE_VALUE);
      if (xn != yn)
        return xn ? -1 : 1;
      if (x->steps != y->steps)
        return x->steps < y->steps ? -1 : 1;
      return strcmp (x->text, y->text);
    }
  r = value_cmp (x->primary, y->primary);
  return r ? r : strcmp (x->text, y->text);
}

static guint
count_steps (const char *text)
{
  guint steps = 1;

  if (g_str_equal (text, NONE_VALUE))
    return 0;
  for (const char *p = strstr (text, " → "); p; p = strstr (p + 1, " → "))
    steps++;
  return steps;
}

static CncDiffersVariable *
make_variable (const Candidate *c,
               guint            n)
{
  CncDiffersVariable *v = g_new0 (CncDiffersVariable, 1);
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (Shown));
  g_auto(GStrv) texts = g_new0 (char *, n + 1);
  g_autoptr(GStrvBuilder) merged = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();

  v->kind = c->kind;
  v->name = g_strdup (c->name);
  v->operation = g_strdup (c->operation);
  v->parameter = g_strdup (c->parameter);
  v->model_values = g_new0 (guint, n);
  for (guint k = 0; k < c->parts->len; k++)
    g_strv_builder_add (merged, ((Candidate *) c->parts->pdata[k])->name);

  for (guint i = 0; i < n; i++)
    {
      if (c->parts->len == 0)
        texts[i] = g_strdup (c->values[i]);
      else
        {
          g_autoptr(GString) s = g_string_new (NULL);

          for (guint k = 0; k <= c->parts->len; k++)
            {
              const Candidate *part = k == 0 ? c : c->parts->pdata[k - 1];
              g_autofree char *t = part_text (part, i);
              if (*t)
                g_string_append_printf (s, "%s%s", s->len ? " & " : "", t);
            }
          texts[i] = g_strdup (s->len ? s->str : NONE_VALUE);
        }
    }
  /* Distinct values, ordered. */
  for (guint i = 0; i < n; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < shown->len && !found; j++)
        found = g_str_equal (g_array_index (shown, Shown, j).text, texts[i]);
      if (!found)
        {
          Shown s = { texts[i], c->values[i], count_steps (texts[i]) };
          g_array_append_val (shown, s);
        }
    }
  g_array_sort_with_data (shown, shown_cmp, GINT_TO_POINTER (c->kind));
  for (guint j = 0; j < shown->len; j++)
    g_strv_builder_add (values, g_array_index (shown, Shown, j).text);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < shown->len; j++)
      if (g_str_equal (g_array_index (shown, Shown, j).text, texts[i]))
        v->model_values[i] = j;
  v->merged = g_strv_builder_end (merged);
  v->values = g_strv_builder_end (values);
  return v;
}

/* Each model's operations after those all selected models share, with the parameters that vary. */
static Candidate *
sequence_candidate (const Path *paths,
                    guint       n,
                    GHashTable *varying)
{
  Candidate *c = candidate_new (CNC_VARIABLE_SEQUENCE, n, 0);
  gboolean same_root = TRUE;
  guint common = 0;

  c->name = g_strdup ("operations");
  for (guint i = 1; i < n; i++)
    same_root &= paths[i].root->id == paths[0].root->id;
  /* The longest common prefix of steps (the same ancestors on every path). */
  while (same_root)
    {
      gboolean all = common < paths[0].steps->len;

      for (guint i = 1; i < n && all; i++)
        all = common < paths[i].steps->len
              && g_array_index (paths[i].steps, Step, common).model == g_array_index (paths[0].steps, Step, common).model;
      if (!all)
        break;
      common++;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      if (!same_root)
        g_string_append_printf (s, "%s", paths[i].root->name);
      for (guint t = common; t < paths[i].steps->len; t++)
        {
          const Step *step = &g_array_index (paths[i].steps, Step, t);
          GPtrArray *vary = g_hash_table_lookup (varying, step->slot);
          g_autoptr(GString) params = g_string_new (NULL);

          for (guint k = 0; vary && k < vary->len; k++)
            {
              const char *p = vary->pdata[k];
              g_autofree char *v = json_object_has_member (step->params, p)
                                   ? value_text (json_object_get_member (step->params, p)) : g_strdup ("unset");
              g_string_append_printf (params, "%s%s %s", params->len ? ", " : "", p, v);
            }
          g_string_append_printf (s, "%s%s", s->len ? " → " : "", step->model->operation);
          if (params->len)
            g_string_append_printf (s, " (%s)", params->str);
        }
      c->values[i] = g_strdup (s->len ? s->str : NONE_VALUE);
    }
  return c;
}

/* Whether every two models with different lineages differ in one of the variables. */
static gboolean
tells_apart (GPtrArray  *chosen,
             const Path *paths,
             guint       n)
{
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      {
        gboolean apart = FALSE;

        if (g_str_equal (paths[i].key, paths[j].key))
          continue;
        for (guint k = 0; k < chosen->len && !apart; k++)
          {
            const Candidate *c = chosen->pdata[k];
            apart = !g_str_equal (c->values[i], c->values[j]);
          }
        if (!apart)
          return FALSE;
      }
  return TRUE;
}

CncDiffers *
cnc_differs_compute_from_records (GPtrArray     *all,
                                  GArray        *edges,
                                  const gint64  *models,
                                  guint          n,
                                  GError       **error)
{
  g_autoptr(CncDiffers) d = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) parent_of = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, NULL);
  g_autoptr(GHashTable) varying = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  g_autoptr(GPtrArray) slots = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  Candidate *sequence;
  Path paths[CNC_DIFFERS_MAX_MODELS] = { { 0 } };
  gboolean ok = TRUE;

  g_return_val_if_fail (all != NULL && edges != NULL, NULL);
  g_return_val_if_fail (models != NULL || n == 0, NULL);

  if (n < CNC_DIFFERS_MIN_MODELS || n > CNC_DIFFERS_MAX_MODELS)
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                   "Select %d to %d models to see what differs between them (%u selected)",
                   CNC_DIFFERS_MIN_MODELS, CNC_DIFFERS_MAX_MODELS, n);
      return NULL;
    }
  for (guint i = 0; i < all->len; i++)
    {
      CncModel *m = all->pdata[i];
      g_hash_table_insert (by_id, &m->id, m);
    }
  for (guint i = 0; i < edges->len; i++)
    {
      CncEdge *e = &g_array_index (edges, CncEdge, i);
      if (e->role == CNC_EDGE_BASE)
        g_hash_table_insert (parent_of, &e->child, &e->parent);
    }

  d = g_new0 (CncDiffers, 1);
  d->n_models = n;
  d->models = g_memdup2 (models, n * sizeof (gint64));
  for (guint i = 0; i < n && ok; i++)
    {
      const CncModel *m = g_hash_table_lookup (by_id, &models[i]);

      if (m == NULL)
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                       "No model with id %" G_GINT64_FORMAT " in the workspace", models[i]);
          ok = FALSE;
          break;
        }
      for (guint j = 0; j < i; j++)
        if (models[j] == models[i])
          {
            g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_INVALID,
                         "“%s” is selected twice", m->name);
            ok = FALSE;
          }
      g_strv_builder_add (names, m->name);
      ok = ok && build_path (&paths[i], m, by_id, parent_of, error);
    }
  if (ok)
    {
      slots = list_slots (paths, n);
      add_candidates (candidates, paths, n, slots, varying);
      merge_equivalent (candidates, n);
      merge_nested (candidates, n);
      for (guint i = 0; i < candidates->len; i++)
        if (!((Candidate *) candidates->pdata[i])->dropped)
          g_ptr_array_add (chosen, candidates->pdata[i]);
      g_ptr_array_sort (chosen, lineage_cmp);

      sequence = sequence_candidate (paths, n, varying);
      g_ptr_array_add (candidates, sequence);
      if (!tells_apart (chosen, paths, n))
        {
          /* Same operations in another order: only whole sequences tell them apart. */
          for (guint i = chosen->len; i-- > 0;)
            if (((Candidate *) chosen->pdata[i])->kind != CNC_VARIABLE_BASE)
              g_ptr_array_remove_index (chosen, i);
          g_ptr_array_add (chosen, sequence);
        }

      d->names = g_strv_builder_end (names);
      d->variables = g_ptr_array_new_with_free_func ((GDestroyNotify) variable_free);
      for (guint i = 0; i < chosen->len; i++)
        g_ptr_array_add (d->variables, make_variable (chosen->pdata[i], n));
      d->refine = d->variables->len > 2;
      d->sequence = make_variable (sequence, n);
      d->same = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GStrvBuilder) group = g_strv_builder_new ();
          gboolean first = TRUE;
          guint size = 0;

          for (guint j = 0; j < i && first; j++)
            first = !g_str_equal (paths[i].key, paths[j].key);
          for (guint j = i; first && j < n; j++)
            if (g_str_equal (paths[i].key, paths[j].key))
              {
                g_strv_builder_add (group, d->names[j]);
                size++;
              }
          if (size > 1)
            g_ptr_array_add (d->same, g_strv_builder_end (group));
        }
    }
  for (guint i = 0; i < n; i++)
    path_clear (&paths[i]);
  if (!ok)
    return NULL;
  return g_steal_pointer (&d);
}
