/* cnc-cka-compare.c
 * Activation similarity of two models: both run on a sample, layers compared by linear CKA, with caches.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-cka"

#include "cnc-cka-compare.h"
#include "core/cnc-json-build.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-store.h"

G_DEFINE_QUARK (cnc-cka-error-quark, cnc_cka_error)

#define DEFAULT_BATCH 128
#define DEFAULT_BUDGET ((gsize) 1 << 30)

/* Results */

static void
layer_free (CncCkaLayer *layer)
{
  g_free (layer->name);
  g_free (layer);
}

static CncCkaResult *
result_new (void)
{
  CncCkaResult *r = g_new0 (CncCkaResult, 1);

  r->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) layer_free);
  r->base_only = g_ptr_array_new_with_free_func (g_free);
  r->model_only = g_ptr_array_new_with_free_func (g_free);
  r->not_captured = g_ptr_array_new_with_free_func (g_free);
  return r;
}

void
cnc_cka_result_free (CncCkaResult *r)
{
  if (r == NULL)
    return;
  g_free (r->dataset);
  g_free (r->split);
  g_free (r->sample_key);
  g_ptr_array_unref (r->layers);
  g_ptr_array_unref (r->base_only);
  g_ptr_array_unref (r->model_only);
  g_ptr_array_unref (r->not_captured);
  g_free (r);
}

void
cnc_cka_result_to_json (const CncCkaResult *r,
                        JsonBuilder        *b)
{
  g_return_if_fail (r != NULL && JSON_IS_BUILDER (b));

  json_builder_set_member_name (b, "dataset");
  json_builder_add_string_value (b, r->dataset);
  json_builder_set_member_name (b, "split");
  json_builder_add_string_value (b, r->split);
  json_builder_set_member_name (b, "samples");
  json_builder_add_int_value (b, r->n_samples);
  json_builder_set_member_name (b, "sample_key");
  json_builder_add_string_value (b, r->sample_key);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->layers->len; i++)
    {
      const CncCkaLayer *l = g_ptr_array_index (r->layers, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, l->name);
      json_builder_set_member_name (b, "features_base");
      json_builder_add_int_value (b, l->features_base);
      json_builder_set_member_name (b, "features_model");
      json_builder_add_int_value (b, l->features_model);
      cnc_json_add_number (b, "cka", l->cka);
      cnc_json_add_number (b, "relative_change", l->relative_change);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  cnc_json_add_strings (b, "base_only", r->base_only);
  cnc_json_add_strings (b, "model_only", r->model_only);
  cnc_json_add_strings (b, "not_captured", r->not_captured);
  json_builder_set_member_name (b, "cached");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "grams");
  json_builder_add_int_value (b, r->grams_cached);
  json_builder_set_member_name (b, "pair");
  json_builder_add_boolean_value (b, r->pair_cached);
  json_builder_end_object (b);
}

static double
get_number (JsonObject *o,
            const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

static gboolean
get_strings (JsonObject *o,
             const char *key,
             GPtrArray  *out)
{
  JsonNode *n = json_object_get_member (o, key);
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return FALSE;
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *s = json_array_get_string_element (a, i);
      if (s == NULL)
        return FALSE;
      g_ptr_array_add (out, g_strdup (s));
    }
  return TRUE;
}

/* A pair's result written by an earlier comparison, or NULL. */
static CncCkaResult *
load_pair (const char *path,
           const char *sample_key)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CncCkaResult) r = result_new ();
  JsonObject *o;
  JsonNode *layers;

  if (!json_parser_load_from_mapped_file (parser, path, NULL))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "sample_key", ""), sample_key) != 0)
    return NULL;
  layers = json_object_get_member (o, "layers");
  if (layers == NULL || !JSON_NODE_HOLDS_ARRAY (layers)
      || !get_strings (o, "base_only", r->base_only) || !get_strings (o, "model_only", r->model_only)
      || !get_strings (o, "not_captured", r->not_captured))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (layers)); i++)
    {
      JsonObject *lo = json_array_get_object_element (json_node_get_array (layers), i);
      CncCkaLayer *l;

      if (lo == NULL || json_object_get_string_member_with_default (lo, "name", NULL) == NULL)
        return NULL;
      l = g_new0 (CncCkaLayer, 1);
      l->name = g_strdup (json_object_get_string_member (lo, "name"));
      l->features_base = json_object_get_int_member_with_default (lo, "features_base", 0);
      l->features_model = json_object_get_int_member_with_default (lo, "features_model", 0);
      l->cka = get_number (lo, "cka");
      l->relative_change = get_number (lo, "relative_change");
      g_ptr_array_add (r->layers, l);
    }
  return g_steal_pointer (&r);
}

static void
save_pair (const CncCkaResult *r,
           const char         *path)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  json_builder_begin_object (b);
  cnc_cka_result_to_json (r, b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  if (g_mkdir_with_parents (dir, 0755) != 0 || !json_generator_to_file (gen, path, &error))
    g_debug ("Not caching %s: %s", path, error ? error->message : g_strerror (errno));
}

/* The comparison itself */

/* One model being run: its capture, and per matched layer its index and activations. */
typedef struct {
  const CncModel *model;
  CncCapture     *capture;
  const char     *sha256;
} Side;

typedef struct {
  char   *name;
  guint   index_base;
  guint   index_model;
  gint64  features_base;
  gint64  features_model;
  float  *acts_base;      /* n × features, while its group runs */
  float  *acts_model;
} Planned;

static void
planned_clear (gpointer p)
{
  Planned *l = p;

  g_free (l->name);
  g_free (l->acts_base);
  g_free (l->acts_model);
}

static gboolean
check_runnable (const CncModel *model,
                GError        **error)
{
  if (model->format != NULL && g_str_equal (model->format, "torchscript"))
    return TRUE;
  g_set_error (error, CNC_CKA_ERROR, CNC_CKA_ERROR_NOT_RUNNABLE,
               "model “%s” is %s: it has no code to run, so its activations cannot be captured "
               "(import the model's TorchScript file)", model->name,
               model->format == NULL || g_str_equal (model->format, "record")
               ? "a record without a file"
               : g_str_equal (model->format, "safetensors") ? "a safetensors file of weights"
               : "a state dict of weights");
  return FALSE;
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static char *
gram_path (const char *cache_dir,
           const char *model_sha,
           const char *key)
{
  g_autofree char *name_hash = sha256_hex (key);
  g_autofree char *file = g_strdup_printf ("%.32s.gram", name_hash);

  return g_build_filename (cache_dir, model_sha, file, NULL);
}

/* Where one side's Gram of a layer is cached (NULL: not cached, no_cache or no SHA-256). */
typedef struct {
  char *key;
  char *path;
} CacheSlot;

static void
cache_slot_init (CacheSlot           *slot,
                 const CncCkaOptions *options,
                 const char          *cache_dir,
                 const char          *model_sha,
                 const char          *sample_key,
                 const char          *layer)
{
  slot->key = g_strdup_printf ("%s\n%s", sample_key, layer);
  slot->path = !options->no_cache && model_sha != NULL ? gram_path (cache_dir, model_sha, slot->key) : NULL;
}

static void
cache_slot_clear (CacheSlot *slot)
{
  g_clear_pointer (&slot->key, g_free);
  g_clear_pointer (&slot->path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CacheSlot, cache_slot_clear)

static CncGram *
cache_load (const CacheSlot *slot,
            gint64           n,
            gint64           d)
{
  CncGram *gram;

  if (slot->path == NULL || (gram = cnc_gram_load (slot->path, slot->key, NULL)) == NULL)
    return NULL;
  if (gram->n == n && gram->d == d)
    return gram;
  cnc_gram_free (gram);
  return NULL;
}

static void
cache_save (const CacheSlot *slot,
            const CncGram   *gram)
{
  g_autoptr(GError) error = NULL;

  if (slot->path != NULL && !cnc_gram_save (gram, slot->path, slot->key, &error))
    g_debug ("Not caching %s: %s", slot->path, error->message);
}

/* Runs @side over the sample and copies the outputs of the planned layers [@first, @last). */
static gboolean
collect (const CncActivationBackend *backend,
         Side                       *side,
         gboolean                    is_base,
         const float                *inputs,
         gint64                      n,
         const gint64               *shape,
         gint64                      batch,
         GArray                     *planned,
         guint                       first,
         guint                       last,
         GCancellable               *cancellable,
         GError                    **error)
{
  gint64 per = shape[0] * shape[1] * shape[2];

  for (gint64 start = 0; start < n; start += batch)
    {
      gint64 count = MIN (batch, n - start);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!backend->run (side->capture, inputs + start * per, count, shape, 3, error))
        return FALSE;
      for (guint l = first; l < last; l++)
        {
          Planned *p = &g_array_index (planned, Planned, l);
          guint index = is_base ? p->index_base : p->index_model;
          gint64 d = is_base ? p->features_base : p->features_model;
          float *acts = is_base ? p->acts_base : p->acts_model;
          const char *why = NULL;
          gint64 features = 0;
          const float *out = backend->get_output (side->capture, index, &features, &why);

          if (out == NULL || features != d)
            {
              g_set_error (error, CNC_CKA_ERROR, CNC_CKA_ERROR_NO_LAYERS,
                           "model “%s”: the output of “%s” changed between batches (%s)",
                           side->model->name, p->name, why ? why : "another size");
              return FALSE;
            }
          memcpy (acts + start * d, out, (gsize) (count * d) * sizeof (float));
        }
    }
  return TRUE;
}

static double
relative_change (const float *base,
                 const float *model,
                 gint64       n)
{
  double sb = 0, sd = 0;

  for (gint64 i = 0; i < n; i++)
    {
      double b = base[i], diff = (double) model[i] - b;
      sb += b * b;
      sd += diff * diff;
    }
  if (sb > 0)
    return sqrt (sd / sb);
  return sd == 0 ? 0.0 : NAN;
}

static char *
sample_key_of (const char  *dataset,
               const char  *split,
               gint64       n,
               const float *inputs,
               gsize        n_floats)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *head = g_strdup_printf ("cka-sample-1\n%s\n%s\n%" G_GINT64_FORMAT "\n", dataset, split, n);

  g_checksum_update (sum, (const guchar *) head, -1);
  g_checksum_update (sum, (const guchar *) inputs, n_floats * sizeof (float));
  return g_strdup (g_checksum_get_string (sum));
}

static CncCapture *
open_side (CncWorkspace               *workspace,
           const CncActivationBackend *backend,
           const CncModel             *model,
           guint                       n_threads,
           GError                    **error)
{
  g_autofree char *path = cnc_store_model_path (workspace, model);
  g_autofree char *label = g_strdup_printf ("model “%s”", model->name);

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "model “%s”: its file %s is missing",
                   model->name, path ? path : "");
      return NULL;
    }
  return backend->open (path, label, n_threads, error);
}

static GHashTable *
module_index (const CncActivationBackend *backend,
              CncCapture                 *capture)
{
  GHashTable *index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < backend->get_n_modules (capture); i++)
    g_hash_table_insert (index, (gpointer) backend->get_module (capture, i), GUINT_TO_POINTER (i + 1));
  return index;
}

CncCkaResult *
cnc_cka_compare (CncWorkspace               *workspace,
                 const CncModel             *base,
                 const CncModel             *model,
                 const CncCkaOptions        *options_in,
                 const CncActivationBackend *backend,
                 GCancellable               *cancellable,
                 GError                    **error)
{
  CncCkaOptions options = { 0 };
  g_autoptr(CncDataset) dataset = NULL;
  g_autoptr(CncCkaResult) result = NULL;
  g_autoptr(GArray) planned = NULL;
  g_autoptr(GHashTable) base_modules = NULL;
  g_autoptr(GHashTable) model_modules = NULL;
  g_autofree gint64 *indices = NULL;
  g_autofree float *inputs = NULL;
  g_autofree char *cache_dir = NULL;
  g_autofree char *pair_path = NULL;
  Side sides[2] = { { 0 } };
  gint64 shape[3], per, n;
  guint channels, height, width;
  gboolean ok = FALSE;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (base != NULL && model != NULL && backend != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options_in != NULL)
    options = *options_in;
  if (options.dataset == NULL)
    options.dataset = CNC_DATASET_BUILTIN;
  if (options.split == NULL)
    options.split = "test";
  if (options.n_samples == 0)
    options.n_samples = CNC_CKA_DEFAULT_SAMPLES;
  if (options.batch_size <= 0)
    options.batch_size = DEFAULT_BATCH;
  if (options.memory_budget == 0)
    options.memory_budget = DEFAULT_BUDGET;
  if (options.n_samples < 2)
    {
      g_set_error (error, CNC_CKA_ERROR, CNC_CKA_ERROR_INVALID,
                   "CKA needs a sample of at least 2 instances (asked for %" G_GINT64_FORMAT ")",
                   options.n_samples);
      return NULL;
    }
  if (!check_runnable (base, error) || !check_runnable (model, error))
    return NULL;

  /* The sample, read once: both models see the same inputs. */
  if (!(dataset = cnc_dataset_open (workspace, options.dataset, options.split, error)))
    return NULL;
  n = MIN (options.n_samples, cnc_dataset_get_size (dataset));
  if (n < 2)
    {
      g_set_error (error, CNC_CKA_ERROR, CNC_CKA_ERROR_INVALID,
                   "dataset “%s” split “%s” has %" G_GINT64_FORMAT " instances: CKA needs at least 2",
                   options.dataset, options.split, cnc_dataset_get_size (dataset));
      return NULL;
    }
  cnc_dataset_get_shape (dataset, &channels, &height, &width);
  shape[0] = channels;
  shape[1] = height;
  shape[2] = width;
  per = shape[0] * shape[1] * shape[2];
  inputs = g_new (float, n * per);
  indices = g_new (gint64, n);
  cnc_cka_sample_indices (cnc_dataset_get_size (dataset), n, indices);
  for (gint64 i = 0; i < n; i++)
    if (!cnc_dataset_read_batch (dataset, indices[i], 1, inputs + i * per, error))
      return NULL;

  result = result_new ();
  result->dataset = g_strdup (options.dataset);
  result->split = g_strdup (options.split);
  result->n_samples = n;
  result->sample_key = sample_key_of (options.dataset, options.split, n, inputs, (gsize) (n * per));

  cache_dir = g_build_filename (cnc_workspace_get_path (workspace), "cache", "cka", NULL);
  if (base->sha256 != NULL && model->sha256 != NULL)
    {
      g_autofree char *pair_key = g_strdup_printf ("%s\n%s\n%s", base->sha256, model->sha256,
                                                   result->sample_key);
      g_autofree char *pair_hash = sha256_hex (pair_key);
      g_autofree char *file = g_strdup_printf ("%s.json", pair_hash);
      CncCkaResult *cached;

      pair_path = g_build_filename (cache_dir, "pairs", file, NULL);
      if (!options.no_cache && (cached = load_pair (pair_path, result->sample_key)) != NULL)
        {
          cached->dataset = g_steal_pointer (&result->dataset);
          cached->split = g_steal_pointer (&result->split);
          cached->sample_key = g_steal_pointer (&result->sample_key);
          cached->n_samples = n;
          cached->pair_cached = TRUE;
          return cached;
        }
    }

  sides[0].model = base;
  sides[0].sha256 = base->sha256;
  sides[1].model = model;
  sides[1].sha256 = model->sha256;
  if (!(sides[0].capture = open_side (workspace, backend, base, options.n_threads, error)))
    goto out;
  if (!(sides[1].capture = open_side (workspace, backend, model, options.n_threads, error)))
    goto out;

  /* Two instances tell which modules give a tensor (one row per instance) and how wide it is. */
  for (guint s = 0; s < 2; s++)
    if (!backend->run (sides[s].capture, inputs, 2, shape, 3, error))
      goto out;

  base_modules = module_index (backend, sides[0].capture);
  model_modules = module_index (backend, sides[1].capture);
  planned = g_array_new (FALSE, TRUE, sizeof (Planned));
  g_array_set_clear_func (planned, planned_clear);
  for (guint i = 0; i < backend->get_n_modules (sides[0].capture); i++)
    {
      const char *name = backend->get_module (sides[0].capture, i);
      guint j = GPOINTER_TO_UINT (g_hash_table_lookup (model_modules, name));
      const char *why_b = NULL, *why_m = NULL;
      gint64 d_b = 0, d_m = 0;
      Planned p = { 0 };

      if (j == 0)
        {
          g_ptr_array_add (result->base_only, g_strdup (name));
          continue;
        }
      j--;
      if (backend->get_output (sides[0].capture, i, &d_b, &why_b) == NULL
          || backend->get_output (sides[1].capture, j, &d_m, &why_m) == NULL)
        {
          g_ptr_array_add (result->not_captured,
                           g_strdup_printf ("%s: %s", name, why_b ? why_b : why_m ? why_m : "no output"));
          continue;
        }
      p.name = g_strdup (name);
      p.index_base = i;
      p.index_model = j;
      p.features_base = d_b;
      p.features_model = d_m;
      g_array_append_val (planned, p);
    }
  for (guint j = 0; j < backend->get_n_modules (sides[1].capture); j++)
    {
      const char *name = backend->get_module (sides[1].capture, j);

      if (!g_hash_table_contains (base_modules, name))
        g_ptr_array_add (result->model_only, g_strdup (name));
    }
  if (planned->len == 0)
    {
      g_set_error (error, CNC_CKA_ERROR, CNC_CKA_ERROR_NO_LAYERS,
                   "models “%s” and “%s” have no layer in common whose output could be captured",
                   base->name, model->name);
      goto out;
    }

  /* Groups of layers whose activations fit the memory budget; the models run once per group. */
  for (guint first = 0; first < planned->len;)
    {
      guint last = first;
      gsize bytes = 0;

      while (last < planned->len)
        {
          Planned *p = &g_array_index (planned, Planned, last);
          gsize need = (gsize) n * (p->features_base + p->features_model) * sizeof (float);

          if (last > first && bytes + need > options.memory_budget)
            break;
          bytes += need;
          last++;
        }
      for (guint l = first; l < last; l++)
        {
          Planned *p = &g_array_index (planned, Planned, l);

          p->acts_base = g_try_new (float, n * p->features_base);
          p->acts_model = g_try_new (float, n * p->features_model);
          if (p->acts_base == NULL || p->acts_model == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           "not enough memory for the activations of “%s” on %" G_GINT64_FORMAT
                           " instances: ask for fewer with --samples", p->name, n);
              goto out;
            }
        }
      if (!collect (backend, &sides[0], TRUE, inputs, n, shape, options.batch_size, planned,
                    first, last, cancellable, error)
          || !collect (backend, &sides[1], FALSE, inputs, n, shape, options.batch_size, planned,
                       first, last, cancellable, error))
        goto out;

      for (guint l = first; l < last; l++)
        {
          Planned *p = &g_array_index (planned, Planned, l);
          g_autoptr(CncGram) gram_b = NULL;
          g_autoptr(CncGram) gram_m = NULL;
          CncCkaLayer *layer = g_new0 (CncCkaLayer, 1);

          layer->name = g_strdup (p->name);
          layer->features_base = p->features_base;
          layer->features_model = p->features_model;
          layer->relative_change = p->features_base == p->features_model
                                   ? relative_change (p->acts_base, p->acts_model, n * p->features_base)
                                   : NAN;
          g_ptr_array_add (result->layers, layer);

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
          {
            g_auto(CacheSlot) slot_b = { 0 };
            g_auto(CacheSlot) slot_m = { 0 };

            cache_slot_init (&slot_b, &options, cache_dir, sides[0].sha256, result->sample_key, p->name);
            cache_slot_init (&slot_m, &options, cache_dir, sides[1].sha256, result->sample_key, p->name);
            if ((gram_b = cache_load (&slot_b, n, p->features_base)) != NULL)
              result->grams_cached++;
            if ((gram_m = cache_load (&slot_m, n, p->features_model)) != NULL)
              result->grams_cached++;
            if (gram_b == NULL && gram_m == NULL)
              {
                if (!cnc_gram_new_pair (p->acts_base, p->features_base, p->acts_model, p->features_model,
                                        n, backend->gram, &gram_b, &gram_m, error))
                  goto out;
                cache_save (&slot_b, gram_b);
                cache_save (&slot_m, gram_m);
              }
            else if (gram_b == NULL)
              {
                if (!(gram_b = cnc_gram_new_centering (p->acts_base, n, p->features_base, backend->gram, error)))
                  goto out;
                cache_save (&slot_b, gram_b);
              }
            else if (gram_m == NULL)
              {
                if (!(gram_m = cnc_gram_new_centering (p->acts_model, n, p->features_model, backend->gram, error)))
                  goto out;
                cache_save (&slot_m, gram_m);
              }
          }
          layer->cka = cnc_cka_linear (gram_b, gram_m);
          g_clear_pointer (&p->acts_base, g_free);
          g_clear_pointer (&p->acts_model, g_free);
        }
      first = last;
    }

  if (pair_path != NULL && !options.no_cache)
    save_pair (result, pair_path);
  ok = TRUE;

out:
  for (guint s = 0; s < 2; s++)
    if (sides[s].capture != NULL)
      backend->free (sides[s].capture);
  return ok ? g_steal_pointer (&result) : NULL;
}
