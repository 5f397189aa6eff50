/* cnc-cli-layers.c
 * Layer commands: layers (weight changes per layer and module) and cka (activation similarity per layer).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnc-torch-activations.h"
#include "cnc-torch-weights.h"
#include "core/analysis/cnc-layer-compare.h"
#include "core/analysis/cnc-metric-format.h"
#include "core/registry/cnc-model-weights.h"
#include "engine/cnc-cka-compare.h"

#define CLI_PARSE(cmd, args, summary, entries)                                  \
  if (!cnc_cli_parse (cmd, args, summary, entries, &argc, &argv))               \
    return CNC_EXIT_USAGE

/* Numbers in the one format every screen uses. */
static char *
format_percent (double v)
{
  CncMetric m = { .format = (char *) ".1%" };

  return cnc_metric_format_value (&m, v);
}

static char *
format_count (gint64 v)
{
  CncMetric m = { 0 };

  return cnc_metric_format_value (&m, (double) v);
}

static char *
format_sqnr (const CncLayerMetrics *m)
{
  CncMetric db = { .unit = (char *) "dB" };

  if (m->identical)
    return g_strdup ("∞ (identical)");
  return cnc_metric_format_value (&db, m->sqnr_db);
}

static char *
format_plain (double      v,
              const char *format)
{
  if (isnan (v))
    return g_strdup ("—");
  return g_strdup_printf (format, v);
}

/* printf pads by bytes: pad by characters so that "∞", "→" and "—" line up. */
static void
print_cell (const char *text,
            int         width,
            gboolean    left)
{
  long chars = g_utf8_strlen (text, -1);
  int pad = width > chars ? width - (int) chars : 0;

  if (left)
    printf ("%s%*s", text, pad, "");
  else
    printf ("%*s%s", pad, "", text);
}

static void
print_row (const char          *label,
           guint                indent,
           const CncLayerDelta *d)
{
  CncLayerMetrics m;
  g_autofree char *name = g_strdup_printf ("%*s%s", indent * 2, "", label);
  g_autofree char *numel = format_count (d->numel);
  g_autofree char *sb = NULL, *sm = NULL, *both = NULL, *only_m = NULL, *only_b = NULL;
  g_autofree char *rel = NULL, *cosine = NULL, *sqnr = NULL, *mean = NULL;

  cnc_layer_delta_metrics (d, &m);
  sb = format_percent (m.sparsity_base);
  sm = format_percent (m.sparsity_model);
  both = format_count (m.zero_both);
  only_m = format_count (m.zero_only_model);
  only_b = format_count (m.zero_only_base);
  rel = format_percent (m.relative_l2);
  cosine = format_plain (m.cosine, "%.4f");
  sqnr = format_sqnr (&m);
  mean = format_plain (m.mean_abs_change, "%.3g");

  print_cell (name, 34, TRUE);
  print_cell (numel, 11, FALSE);
  print_cell (sb, 9, FALSE);
  print_cell (sm, 9, FALSE);
  print_cell (both, 10, FALSE);
  print_cell (only_m, 10, FALSE);
  print_cell (only_b, 9, FALSE);
  print_cell (rel, 9, FALSE);
  print_cell (cosine, 8, FALSE);
  print_cell (sqnr, 15, FALSE);
  print_cell (mean, 11, FALSE);
  printf ("\n");
}

static char *
shape_text (const gint64 *shape,
            guint         n_dims)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < n_dims; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
print_list (const char *title,
            GPtrArray  *names)
{
  if (names->len == 0)
    return;
  printf ("%s (%u):", title, names->len);
  for (guint i = 0; i < names->len; i++)
    printf ("%s%s", i ? ", " : " ", (const char *) g_ptr_array_index (names, i));
  printf ("\n");
}

static void
print_comparison (const CncModel           *base,
                  const CncModel           *model,
                  const CncWeights         *model_weights,
                  const CncLayerComparison *c)
{
  guint compared = 0;
  g_autoptr(GPtrArray) mismatched = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < c->parameters->len; i++)
    {
      const CncLayerPair *p = g_ptr_array_index (c->parameters, i);
      if (!p->shape_mismatch)
        compared++;
      else
        {
          g_autofree char *sb = shape_text (p->shape_base, p->n_dims_base);
          g_autofree char *sm = shape_text (p->shape_model, p->n_dims_model);
          g_ptr_array_add (mismatched, g_strdup_printf ("%s %s → %s", p->name, sb, sm));
        }
    }

  printf ("Layer changes of “%s” against “%s” (%u parameters compared)\n", model->name, base->name,
          compared);
  print_cell ("MODULE / PARAMETER", 34, TRUE);
  print_cell ("WEIGHTS", 11, FALSE);
  print_cell ("SPARSE B", 9, FALSE);
  print_cell ("SPARSE M", 9, FALSE);
  print_cell ("ZERO BOTH", 10, FALSE);
  print_cell ("PRUNED", 10, FALSE);
  print_cell ("REVIVED", 9, FALSE);
  print_cell ("REL ΔL2", 9, FALSE);
  print_cell ("COSINE", 8, FALSE);
  print_cell ("SQNR", 15, FALSE);
  print_cell ("MEAN |Δw|", 11, FALSE);
  printf ("\n");

  /* The module tree, each module followed by its own parameters. */
  for (guint i = 0; i < c->modules->len; i++)
    {
      const CncModuleDelta *m = g_ptr_array_index (c->modules, i);

      print_row (*m->name ? m->name : "(whole model)", m->depth, &m->delta);
      for (guint k = 0; k < c->parameters->len; k++)
        {
          const CncLayerPair *p = g_ptr_array_index (c->parameters, k);
          const char *leaf;

          if (p->shape_mismatch || !g_str_equal (p->module, m->name))
            continue;
          leaf = *p->module ? p->name + strlen (p->module) + 1 : p->name;
          {
            g_autofree char *label = g_strdup_printf ("· %s%s", leaf,
                                                      p->quantized_model || p->quantized_base
                                                      ? " (quantized)" : "");
            print_row (label, m->depth + 1, &p->delta);
          }
        }
    }

  printf ("Sparse: fraction of weights exactly 0. Zero both / pruned / revived: weights 0 in both, "
          "only in M, only in B. Rel ΔL2: ‖W_M − W_B‖ / ‖W_B‖. SQNR: 10·log10(‖W_B‖² / ‖W_M − W_B‖²).\n");
  if (model_weights->weights->len == 0)
    printf ("“%s” keeps no named weights (a frozen or TorchScript-quantized model keeps its weights "
            "as constants of its code): nothing of it can be matched by name\n", model->name);
  {
    g_autofree char *only_b = g_strdup_printf ("Only in “%s”", base->name);
    g_autofree char *only_m = g_strdup_printf ("Only in “%s”", model->name);
    g_autofree char *skip_b = g_strdup_printf ("Not compared in “%s” (not floating point)", base->name);
    g_autofree char *skip_m = g_strdup_printf ("Not compared in “%s” (not floating point)", model->name);

    print_list ("Shapes differ", mismatched);
    print_list (only_b, c->base_only);
    print_list (only_m, c->model_only);
    print_list (skip_b, c->base_skipped);
    print_list (skip_m, c->model_skipped);
  }
}

int
cnc_cli_layers (int    argc,
                char **argv)
{
  gboolean json = FALSE;
  int threads = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the stable JSON document", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads for the comparison (default: every core)", "N" },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncModel) base = NULL;
  g_autoptr(CncWeights) base_weights = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_model_free);
  g_autoptr(GPtrArray) weights = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_weights_free);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  double limit;

  CLI_PARSE ("layers", "BASE MODEL…",
             "How each model's weights differ from the base model's, per parameter and per module: "
             "sparsity, mask overlap, relative L2 change, cosine, SQNR, mean |Δw| and the histogram of "
             "weight value × relative change.", entries);
  if (argc < 3)
    return cnc_cli_usage ("layers", "give a base model and at least one model");
  if (threads < 0)
    return cnc_cli_usage ("layers", "--threads must be 0 or more");
  if (!(ws = cnc_cli_open_workspace (FALSE, &error)))
    return cnc_cli_fail (error);

  /* Every name is checked and every file read before anything is printed. */
  if (!(base = cnc_workspace_find_model (ws, argv[1], &error))
      || !(base_weights = cnc_weights_read_model (ws, base, cnc_torch_read_weights, &error)))
    return cnc_cli_fail (error);
  limit = cnc_layer_value_limit (base_weights);
  for (int i = 2; i < argc; i++)
    {
      CncModel *m = cnc_workspace_find_model (ws, argv[i], &error);
      CncWeights *w;

      if (m == NULL)
        return cnc_cli_fail (error);
      g_ptr_array_add (models, m);
      if (!(w = cnc_weights_read_model (ws, m, cnc_torch_read_weights, &error)))
        return cnc_cli_fail (error);
      g_ptr_array_add (weights, w);
      limit = MAX (limit, cnc_layer_value_limit (w));
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "workspace");
  json_builder_add_string_value (builder, cnc_workspace_get_path (ws));
  json_builder_set_member_name (builder, "base");
  json_builder_add_string_value (builder, base->name);
  json_builder_set_member_name (builder, "comparisons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < models->len; i++)
    {
      const CncModel *m = g_ptr_array_index (models, i);
      const CncWeights *w = g_ptr_array_index (weights, i);
      g_autoptr(CncLayerComparison) c = cnc_layer_compare (base_weights, w, limit, (guint) threads);

      if (json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "model");
          json_builder_add_string_value (builder, m->name);
          cnc_layer_comparison_to_json (c, builder);
          json_builder_end_object (builder);
        }
      else
        {
          if (i > 0)
            printf ("\n");
          print_comparison (base, m, w, c);
        }
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      cnc_cli_print_json (root);
    }
  return CNC_EXIT_OK;
}

int
cnc_cli_cka (int    argc,
             char **argv)
{
  gboolean json = FALSE, no_cache = FALSE;
  g_autofree char *dataset = NULL, *split = NULL;
  gint64 samples = CNC_CKA_DEFAULT_SAMPLES;
  int threads = 0;
  GOptionEntry entries[] = {
    { "samples", 'n', 0, G_OPTION_ARG_INT64, &samples, "Instances in the sample (default 512)", "N" },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, "The dataset (default: fashion-mnist)", "D" },
    { "split", 's', 0, G_OPTION_ARG_STRING, &split, "The split (default: test)", "S" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads to run the models with (default: every core)", "N" },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "Neither read nor write the workspace's cache", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the stable JSON document", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncModel) base = NULL;
  g_autoptr(CncModel) model = NULL;
  g_autoptr(CncCkaResult) result = NULL;
  CncCkaOptions options = { 0 };

  CLI_PARSE ("cka", "BASE MODEL",
             "Linear CKA between the two models' layer outputs on a sample of a dataset split, and "
             "the relative change of those outputs, per layer matched by name.", entries);
  if (argc != 3)
    return cnc_cli_usage ("cka", "give a base model and one model");
  if (samples < 2)
    return cnc_cli_usage ("cka", "--samples must be at least 2");
  if (threads < 0)
    return cnc_cli_usage ("cka", "--threads must be 0 or more");
  if (!(ws = cnc_cli_open_workspace (FALSE, &error)))
    return cnc_cli_fail (error);
  if (!(base = cnc_workspace_find_model (ws, argv[1], &error))
      || !(model = cnc_workspace_find_model (ws, argv[2], &error)))
    return cnc_cli_fail (error);

  options.dataset = dataset;
  options.split = split;
  options.n_samples = samples;
  options.n_threads = (guint) threads;
  options.no_cache = no_cache || cnc_workspace_is_read_only (ws);
  result = cnc_cka_compare (ws, base, model, &options, cnc_torch_activation_backend (), NULL, &error);
  if (result == NULL)
    return cnc_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "workspace");
      json_builder_add_string_value (b, cnc_workspace_get_path (ws));
      json_builder_set_member_name (b, "base");
      json_builder_add_string_value (b, base->name);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, model->name);
      cnc_cka_result_to_json (result, b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  printf ("Linear CKA of “%s” against “%s” on %" G_GINT64_FORMAT " instances of %s (%s)\n",
          model->name, base->name, result->n_samples, result->dataset, result->split);
  print_cell ("LAYER", 34, TRUE);
  print_cell ("FEATURES B", 12, FALSE);
  print_cell ("FEATURES M", 12, FALSE);
  print_cell ("CKA", 9, FALSE);
  print_cell ("OUTPUT CHANGE", 15, FALSE);
  printf ("\n");
  for (guint i = 0; i < result->layers->len; i++)
    {
      const CncCkaLayer *l = g_ptr_array_index (result->layers, i);
      g_autofree char *fb = format_count (l->features_base);
      g_autofree char *fm = format_count (l->features_model);
      g_autofree char *cka = format_plain (l->cka, "%.4f");
      g_autofree char *change = format_percent (l->relative_change);

      print_cell (l->name, 34, TRUE);
      print_cell (fb, 12, FALSE);
      print_cell (fm, 12, FALSE);
      print_cell (cka, 9, FALSE);
      print_cell (change, 15, FALSE);
      printf ("\n");
    }
  {
    g_autofree char *only_b = g_strdup_printf ("Only in “%s”", base->name);
    g_autofree char *only_m = g_strdup_printf ("Only in “%s”", model->name);

    print_list (only_b, result->base_only);
    print_list (only_m, result->model_only);
    if (result->not_captured->len > 0)
      {
        printf ("Not captured (%u):\n", result->not_captured->len);
        for (guint i = 0; i < result->not_captured->len; i++)
          printf ("  %s\n", (const char *) g_ptr_array_index (result->not_captured, i));
      }
  }
  printf ("CKA — undefined: the layer's output is the same for every instance of the sample. "
          "Output change: ‖A_M − A_B‖ / ‖A_B‖ (— when the widths differ).\n");
  if (result->pair_cached)
    printf ("(from the workspace's cache: neither model ran)\n");
  else if (result->grams_cached > 0)
    printf ("(%u of %u Gram matrices from the workspace's cache)\n", result->grams_cached,
            2 * result->layers->len);
  return CNC_EXIT_OK;
}
