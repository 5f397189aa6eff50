/* cnc-layer-compare.c
 * Layer changes between a base model B and a model M: one fused pass per parameter pair, then the module tree.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-layer-compare"

#include "cnc-layer-compare.h"
#include "core/cnc-json-build.h"

#include <math.h>
#include <string.h>

#include "core/formats/cnc-layer-stats.h"

const double cnc_layer_change_edges[CNC_LAYER_CHANGE_BINS - 1] = { 0.2, 0.4, 0.6, 0.8, 1.0 };

/* Work is cut into chunks of this many elements, so that two threads share one large layer. */
#define CHUNK (1 << 20)

/* Partial histograms kept apart inside the loop: consecutive elements falling in the same bin
 * (pruned or unchanged weights do) would otherwise wait on each other's increment. */
#define N_HIST 2

void
cnc_layer_delta_add (CncLayerDelta       *dst,
                     const CncLayerDelta *src)
{
  dst->numel += src->numel;
  dst->zeros_base += src->zeros_base;
  dst->zeros_model += src->zeros_model;
  dst->zeros_both += src->zeros_both;
  dst->nonfinite += src->nonfinite;
  dst->sum_sq_base += src->sum_sq_base;
  dst->sum_sq_model += src->sum_sq_model;
  dst->dot += src->dot;
  dst->sum_sq_diff += src->sum_sq_diff;
  dst->sum_abs_diff += src->sum_abs_diff;
  for (guint v = 0; v < CNC_LAYER_VALUE_BINS; v++)
    for (guint c = 0; c < CNC_LAYER_CHANGE_BINS; c++)
      dst->histogram[v][c] += src->histogram[v][c];
}

void
cnc_layer_delta_metrics (const CncLayerDelta *d,
                         CncLayerMetrics     *out)
{
  double norm_base = sqrt (d->sum_sq_base);
  double norm_model = sqrt (d->sum_sq_model);

  g_return_if_fail (d != NULL && out != NULL);

  out->sparsity_base = d->numel > 0 ? (double) d->zeros_base / d->numel : NAN;
  out->sparsity_model = d->numel > 0 ? (double) d->zeros_model / d->numel : NAN;
  out->zero_both = d->zeros_both;
  out->zero_only_model = d->zeros_model - d->zeros_both;
  out->zero_only_base = d->zeros_base - d->zeros_both;
  out->identical = d->sum_sq_diff == 0 && d->nonfinite == 0;

  if (d->sum_sq_base > 0)
    out->relative_l2 = sqrt (d->sum_sq_diff) / norm_base;
  else
    out->relative_l2 = d->sum_sq_diff == 0 ? 0.0 : NAN;

  if (norm_base > 0 && norm_model > 0)
    out->cosine = CLAMP (d->dot / sqrt (d->sum_sq_base * d->sum_sq_model), -1.0, 1.0);
  else
    out->cosine = NAN;

  if (out->identical)
    out->sqnr_db = INFINITY;
  else if (d->sum_sq_base == 0 && d->sum_sq_diff > 0)
    out->sqnr_db = -INFINITY;
  else
    out->sqnr_db = 10.0 * log10 (d->sum_sq_base / d->sum_sq_diff);   /* NAN propagates */

  out->mean_abs_change = d->numel > 0 ? d->sum_abs_diff / d->numel : NAN;

  /* Non-finite weights make every sum NaN: say "undefined", never a number made of NaN. */
  if (!isfinite (out->relative_l2)) out->relative_l2 = NAN;
  if (!isfinite (out->cosine)) out->cosine = NAN;
  if (isnan (out->sqnr_db)) out->sqnr_db = NAN;
  if (!isfinite (out->mean_abs_change)) out->mean_abs_change = NAN;
}

double
cnc_layer_value_edge (double value_limit,
                      guint  i)
{
  return -value_limit + i * (2.0 * value_limit / CNC_LAYER_VALUE_BINS);
}

double
cnc_layer_value_limit (const CncWeights *weights)
{
  float limit = 0;

  g_return_val_if_fail (weights != NULL, 0);

  for (guint i = 0; i < weights->weights->len; i++)
    {
      const CncWeight *w = g_ptr_array_index (weights->weights, i);

      for (gint64 k = 0; k < w->numel; k++)
        {
          float a = fabsf (w->data[k]);
          /* Comparisons with NaN are false and +inf is not finite: both are left out. */
          limit = (a > limit && a <= G_MAXFLOAT) ? a : limit;
        }
    }
  return limit;
}

/* Accumulators of one slice of a pair. */
typedef struct {
  gint64 zb, zm, z2;
  double sb, sm, dot, dd, ad;
} Sums;

/* The change bin of one finite element pair. */
static inline guint
change_bin (double base,
            double diff)
{
  double r;

  if (diff == 0)
    return 0;
  if (base == 0)
    return CNC_LAYER_CHANGE_BINS - 1;
  r = fabs (diff) / fabs (base);
  return (r >= 0.2) + (r >= 0.4) + (r >= 0.6) + (r >= 0.8) + (r >= 1.0);
}

static inline guint
value_bin (double model,
           double limit,
           double scale)
{
  double t = (model + limit) * scale;

  /* floor, then clamp: t < 0 only below −a, where the bin is 0 anyway. */
  if (!(t > 0))
    return 0;
  if (t >= CNC_LAYER_VALUE_BINS)
    return CNC_LAYER_VALUE_BINS - 1;
  return (guint) t;
}

static inline void
one (Sums     *s,
     guint32   hist[CNC_LAYER_VALUE_BINS * CNC_LAYER_CHANGE_BINS],
     gint64   *nonfinite,
     float     fb,
     float     fm,
     double    limit,
     double    scale)
{
  double b = fb, m = fm, diff = m - b;

  s->zb += b == 0;
  s->zm += m == 0;
  s->z2 += (b == 0) & (m == 0);
  s->sb += b * b;
  s->sm += m * m;
  s->dot += b * m;
  s->dd += diff * diff;
  s->ad += fabs (diff);
  if (G_UNLIKELY (!isfinite (b) || !isfinite (m)))
    {
      (*nonfinite)++;
      return;
    }
  hist[value_bin (m, limit, scale) * CNC_LAYER_CHANGE_BINS + change_bin (b, diff)]++;
}

/* The fused pass over @n element pairs: every sum and the histogram at once. */
static void
accumulate (const float   *base,
            const float   *model,
            gint64         n,
            double         limit,
            CncLayerDelta *d)
{
  enum { NB = CNC_LAYER_VALUE_BINS * CNC_LAYER_CHANGE_BINS };
  guint32 hist[N_HIST][NB];
  Sums s[2] = { { 0 } };
  gint64 nonfinite = 0, i = 0;
  double scale = limit > 0 ? CNC_LAYER_VALUE_BINS / (2.0 * limit) : 0;

  g_assert (n <= G_MAXUINT32);

  /* a = 0 (every weight is 0): (0 + 0.5) · BINS falls in the middle bin. */
  if (limit <= 0)
    {
      limit = 0.5;
      scale = CNC_LAYER_VALUE_BINS;
    }

  memset (hist, 0, sizeof hist);
  for (; i + 1 < n; i += 2)
    {
      one (&s[0], hist[0], &nonfinite, base[i], model[i], limit, scale);
      one (&s[1], hist[1], &nonfinite, base[i + 1], model[i + 1], limit, scale);
    }
  if (i < n)
    one (&s[0], hist[0], &nonfinite, base[i], model[i], limit, scale);

  d->numel += n;
  d->zeros_base += s[0].zb + s[1].zb;
  d->zeros_model += s[0].zm + s[1].zm;
  d->zeros_both += s[0].z2 + s[1].z2;
  d->nonfinite += nonfinite;
  d->sum_sq_base += s[0].sb + s[1].sb;
  d->sum_sq_model += s[0].sm + s[1].sm;
  d->dot += s[0].dot + s[1].dot;
  d->sum_sq_diff += s[0].dd + s[1].dd;
  d->sum_abs_diff += s[0].ad + s[1].ad;
  for (guint k = 0; k < NB; k++)
    {
      gint64 total = 0;

      for (guint h = 0; h < N_HIST; h++)
        total += hist[h][k];
      d->histogram[k / CNC_LAYER_CHANGE_BINS][k % CNC_LAYER_CHANGE_BINS] += total;
    }
}

/* One slice of one pair. */
typedef struct {
  const float  *base;
  const float  *model;
  gint64        n;
  guint         pair;
  CncLayerDelta delta;
} Item;

typedef struct {
  Item   *items;
  guint   n_items;
  gint    next;        /* atomic */
  double  limit;
} Work;

static gpointer
work_thread (gpointer data)
{
  Work *work = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&work->next, 1)) < work->n_items)
    {
      Item *item = &work->items[i];

      accumulate (item->base, item->model, item->n, work->limit, &item->delta);
    }
  return NULL;
}

static void
pair_free (CncLayerPair *p)
{
  g_free (p->name);
  g_free (p->module);
  g_free (p->dtype_base);
  g_free (p->dtype_model);
  g_free (p->shape_base);
  g_free (p->shape_model);
  g_free (p);
}

static void
module_free (CncModuleDelta *m)
{
  g_free (m->name);
  g_free (m);
}

void
cnc_layer_comparison_free (CncLayerComparison *c)
{
  if (c == NULL)
    return;
  g_ptr_array_unref (c->parameters);
  g_ptr_array_unref (c->modules);
  g_ptr_array_unref (c->base_only);
  g_ptr_array_unref (c->model_only);
  g_ptr_array_unref (c->base_skipped);
  g_ptr_array_unref (c->model_skipped);
  g_free (c);
}

static gboolean
same_shape (const CncWeight *a,
            const CncWeight *b)
{
  return a->n_dims == b->n_dims
         && (a->n_dims == 0 || memcmp (a->shape, b->shape, a->n_dims * sizeof (gint64)) == 0);
}

static GPtrArray *
copy_strings (GPtrArray *strings)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < strings->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (strings, i)));
  return copy;
}

/* A node of the module tree while it is built. */
typedef struct {
  CncModuleDelta *module;
  GPtrArray      *children;   /* Node* */
} Node;

static void
node_free (Node *node)
{
  g_ptr_array_unref (node->children);
  g_free (node);
}

static Node *
node_get (GHashTable *nodes,
          Node       *root,
          const char *path)
{
  Node *node = g_hash_table_lookup (nodes, path);
  const char *dot;
  Node *parent;

  if (node != NULL)
    return node;

  dot = strrchr (path, '.');
  if (dot == NULL)
    parent = root;
  else
    {
      g_autofree char *parent_path = g_strndup (path, dot - path);
      parent = node_get (nodes, root, parent_path);
    }

  node = g_new0 (Node, 1);
  node->children = g_ptr_array_new ();
  node->module = g_new0 (CncModuleDelta, 1);
  node->module->name = g_strdup (path);
  node->module->depth = parent->module->depth + 1;
  g_ptr_array_add (parent->children, node);
  g_hash_table_insert (nodes, node->module->name, node);
  return node;
}

static void
flatten (Node      *node,
         GPtrArray *out)
{
  g_ptr_array_add (out, node->module);
  for (guint i = 0; i < node->children->len; i++)
    flatten (g_ptr_array_index (node->children, i), out);
}

static void
build_tree (CncLayerComparison *c)
{
  g_autoptr(GHashTable) nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) node_free);
  Node *root = g_new0 (Node, 1);

  root->children = g_ptr_array_new ();
  root->module = g_new0 (CncModuleDelta, 1);
  root->module->name = g_strdup ("");
  g_hash_table_insert (nodes, root->module->name, root);

  for (guint i = 0; i < c->parameters->len; i++)
    {
      CncLayerPair *p = g_ptr_array_index (c->parameters, i);
      g_autofree char *path = NULL;

      if (p->shape_mismatch)
        continue;
      /* The parameter counts in its module and in every module above it. */
      path = g_strdup (p->module);
      for (;;)
        {
          Node *node = *path ? node_get (nodes, root, path) : root;
          char *dot;

          cnc_layer_delta_add (&node->module->delta, &p->delta);
          node->module->n_parameters++;
          if (*path == '\0')
            break;
          dot = strrchr (path, '.');
          *(dot ? dot : path) = '\0';
        }
    }
  flatten (root, c->modules);
}

CncLayerComparison *
cnc_layer_compare (const CncWeights *base,
                   const CncWeights *model,
                   double            value_limit,
                   guint             n_threads)
{
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  CncLayerComparison *c;
  Work work = { 0 };

  g_return_val_if_fail (base != NULL && model != NULL, NULL);

  c = g_new0 (CncLayerComparison, 1);
  c->parameters = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);
  c->modules = g_ptr_array_new_with_free_func ((GDestroyNotify) module_free);
  c->base_only = g_ptr_array_new_with_free_func (g_free);
  c->model_only = g_ptr_array_new_with_free_func (g_free);
  c->base_skipped = copy_strings (base->skipped);
  c->model_skipped = copy_strings (model->skipped);

  if (!(value_limit > 0))
    value_limit = MAX (cnc_layer_value_limit (base), cnc_layer_value_limit (model));
  c->value_limit = value_limit;

  /* Match by name, in the base's order. */
  for (guint i = 0; i < base->weights->len; i++)
    {
      const CncWeight *b = g_ptr_array_index (base->weights, i);
      const CncWeight *m = cnc_weights_lookup (model, b->name);
      CncLayerPair *p;

      if (m == NULL)
        {
          g_ptr_array_add (c->base_only, g_strdup (b->name));
          continue;
        }
      p = g_new0 (CncLayerPair, 1);
      p->name = g_strdup (b->name);
      p->module = cnc_layer_module_of (b->name);
      p->dtype_base = g_strdup (b->dtype);
      p->dtype_model = g_strdup (m->dtype);
      p->quantized_base = b->quantized;
      p->quantized_model = m->quantized;
      p->n_dims_base = b->n_dims;
      p->shape_base = g_memdup2 (b->shape, MAX (b->n_dims, 1) * sizeof (gint64));
      p->n_dims_model = m->n_dims;
      p->shape_model = g_memdup2 (m->shape, MAX (m->n_dims, 1) * sizeof (gint64));
      p->shape_mismatch = !same_shape (b, m);
      g_ptr_array_add (c->parameters, p);

      if (p->shape_mismatch)
        continue;
      for (gint64 start = 0; start == 0 || start < b->numel; start += CHUNK)
        {
          Item item = { 0 };

          item.base = b->data + start;
          item.model = m->data + start;
          item.n = MIN (CHUNK, b->numel - start);
          item.pair = c->parameters->len - 1;
          g_array_append_val (items, item);
        }
    }
  for (guint i = 0; i < model->weights->len; i++)
    {
      const CncWeight *m = g_ptr_array_index (model->weights, i);

      if (cnc_weights_lookup (base, m->name) == NULL)
        g_ptr_array_add (c->model_only, g_strdup (m->name));
    }

  /* The fused passes, shared by the threads; each item has its own sums, merged in order below
   * so that the result does not depend on which thread did what. */
  work.items = (Item *) (gpointer) items->data;
  work.n_items = items->len;
  work.limit = value_limit;
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_threads = MIN (n_threads, MAX (items->len, 1));
  for (guint t = 1; t < n_threads; t++)
    {
      GThread *thread = g_thread_try_new ("cnc-layer-compare", work_thread, &work, NULL);
      if (thread != NULL)
        g_ptr_array_add (threads, thread);
    }
  work_thread (&work);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));

  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);
      CncLayerPair *p = g_ptr_array_index (c->parameters, item->pair);

      cnc_layer_delta_add (&p->delta, &item->delta);
    }

  build_tree (c);
  return c;
}

/* JSON */

static void
add_shape (JsonBuilder  *b,
           const char   *key,
           const gint64 *shape,
           guint         n_dims)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; i < n_dims; i++)
    json_builder_add_int_value (b, shape[i]);
  json_builder_end_array (b);
}

/* The members every parameter and module row has. */
static void
add_delta (JsonBuilder         *b,
           const CncLayerDelta *d)
{
  CncLayerMetrics m;

  cnc_layer_delta_metrics (d, &m);
  cnc_json_add_int (b, "numel", d->numel);
  cnc_json_add_int (b, "zeros_base", d->zeros_base);
  cnc_json_add_int (b, "zeros_model", d->zeros_model);
  cnc_json_add_number (b, "sparsity_base", m.sparsity_base);
  cnc_json_add_number (b, "sparsity_model", m.sparsity_model);
  cnc_json_add_int (b, "zero_both", m.zero_both);
  cnc_json_add_int (b, "zero_only_model", m.zero_only_model);
  cnc_json_add_int (b, "zero_only_base", m.zero_only_base);
  cnc_json_add_number (b, "relative_l2", m.relative_l2);
  cnc_json_add_number (b, "cosine", m.cosine);
  cnc_json_add_number (b, "sqnr_db", m.sqnr_db);
  json_builder_set_member_name (b, "identical");
  json_builder_add_boolean_value (b, m.identical);
  cnc_json_add_number (b, "mean_abs_change", m.mean_abs_change);
  cnc_json_add_int (b, "nonfinite", d->nonfinite);
  json_builder_set_member_name (b, "histogram");
  json_builder_begin_array (b);
  for (guint v = 0; v < CNC_LAYER_VALUE_BINS; v++)
    {
      json_builder_begin_array (b);
      for (guint k = 0; k < CNC_LAYER_CHANGE_BINS; k++)
        json_builder_add_int_value (b, d->histogram[v][k]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
}

void
cnc_layer_comparison_to_json (const CncLayerComparison *c,
                              JsonBuilder              *b)
{
  g_return_if_fail (c != NULL && JSON_IS_BUILDER (b));

  cnc_json_add_number (b, "value_limit", c->value_limit);

  json_builder_set_member_name (b, "bins");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_begin_array (b);
  for (guint i = 0; i <= CNC_LAYER_VALUE_BINS; i++)
    json_builder_add_double_value (b, cnc_layer_value_edge (c->value_limit, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "change");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, 0);
  for (guint i = 0; i < CNC_LAYER_CHANGE_BINS - 1; i++)
    json_builder_add_double_value (b, cnc_layer_change_edges[i]);
  json_builder_add_null_value (b);   /* ∞ */
  json_builder_end_array (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "parameters");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->parameters->len; i++)
    {
      const CncLayerPair *p = g_ptr_array_index (c->parameters, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, p->name);
      json_builder_set_member_name (b, "module");
      json_builder_add_string_value (b, p->module);
      add_shape (b, "shape_base", p->shape_base, p->n_dims_base);
      add_shape (b, "shape_model", p->shape_model, p->n_dims_model);
      json_builder_set_member_name (b, "dtype_base");
      json_builder_add_string_value (b, p->dtype_base);
      json_builder_set_member_name (b, "dtype_model");
      json_builder_add_string_value (b, p->dtype_model);
      json_builder_set_member_name (b, "quantized_base");
      json_builder_add_boolean_value (b, p->quantized_base);
      json_builder_set_member_name (b, "quantized_model");
      json_builder_add_boolean_value (b, p->quantized_model);
      json_builder_set_member_name (b, "shape_mismatch");
      json_builder_add_boolean_value (b, p->shape_mismatch);
      if (!p->shape_mismatch)
        add_delta (b, &p->delta);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "modules");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->modules->len; i++)
    {
      const CncModuleDelta *m = g_ptr_array_index (c->modules, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, m->name);
      cnc_json_add_int (b, "depth", m->depth);
      cnc_json_add_int (b, "parameters", m->n_parameters);
      add_delta (b, &m->delta);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  cnc_json_add_strings (b, "base_only", c->base_only);
  cnc_json_add_strings (b, "model_only", c->model_only);
  cnc_json_add_strings (b, "base_skipped", c->base_skipped);
  cnc_json_add_strings (b, "model_skipped", c->model_skipped);
}
