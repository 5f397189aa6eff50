/* bench-layers.c
 * Layer statistics, B-vs-M layer comparison (25.5M weights) and linear CKA (2048 × 4096) against NumPy (bench_layers.py).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-layers"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench-util.h"
#include "core/analysis/cnc-cka.h"
#include "core/analysis/cnc-layer-compare.h"
#include "core/formats/cnc-layer-stats.h"
#include "core/formats/cnc-weights.h"
#include "torch/cnc-torch-activations.h"

/* Goals (issue 5). */
#define LAYERS_RATIO_GOAL 3.0
#define CKA_RATIO_GOAL 1.0
#define RUNS 3

static const char *
verdict (gboolean ok)
{
  return ok ? "meets the goal" : "BELOW THE GOAL";
}

/* The model of manifest.json, its parameters cut out of @flat. */
static CncWeights *
weights_from (const char *label,
              JsonArray  *manifest,
              const float *flat)
{
  CncWeights *w = cnc_weights_new (label);
  gsize at = 0;

  for (guint i = 0; i < json_array_get_length (manifest); i++)
    {
      JsonObject *p = json_array_get_object_element (manifest, i);
      JsonArray *shape_array = json_object_get_array_member (p, "shape");
      gint64 shape[8], numel = 1;
      guint n_dims = json_array_get_length (shape_array);

      for (guint d = 0; d < n_dims; d++)
        numel *= shape[d] = json_array_get_int_element (shape_array, d);
      cnc_weights_add (w, json_object_get_string_member (p, "name"), "float32", FALSE, shape, n_dims,
                       g_memdup2 (flat + at, numel * sizeof (float)));
      at += numel;
    }
  return w;
}

static double
time_stats (CncWeights *a,
            CncWeights *b)
{
  double best = G_MAXDOUBLE;

  for (int run = 0; run < RUNS; run++)
    {
      double t = bench_now ();

      for (int k = 0; k < 2; k++)
        {
          CncWeights *w = k == 0 ? a : b;
          for (guint i = 0; i < w->weights->len; i++)
            {
              const CncWeight *p = g_ptr_array_index (w->weights, i);
              g_autoptr(CncLayerStats) s = cnc_layer_stats_new (p->name, "float32", 32, p->shape, p->n_dims);
              cnc_layer_stats_compute (s, p->data, CNC_DTYPE_F32, p->numel);
            }
        }
      best = MIN (best, bench_now () - t);
    }
  return best;
}

static double
time_compare (CncWeights          *a,
              CncWeights          *b,
              guint                threads,
              CncLayerComparison **out)
{
  double best = G_MAXDOUBLE;

  for (int run = 0; run < RUNS; run++)
    {
      double t = bench_now ();
      CncLayerComparison *c = cnc_layer_compare (a, b, 0, threads);

      best = MIN (best, bench_now () - t);
      if (out != NULL && *out == NULL)
        *out = c;
      else
        cnc_layer_comparison_free (c);
    }
  return best;
}

static double
time_cka (const float *x,
          const float *y,
          gint64       n,
          gint64       d,
          double      *cka)
{
  g_autofree float *xc = g_new (float, n * d);
  g_autofree float *yc = g_new (float, n * d);
  double best = G_MAXDOUBLE;

  for (int run = 0; run < RUNS; run++)
    {
      g_autoptr(CncGram) gx = NULL;
      g_autoptr(CncGram) gy = NULL;
      g_autoptr(GError) error = NULL;
      double t;

      /* Centering works in place: fresh copies, outside the timing (NumPy makes its own). */
      memcpy (xc, x, n * d * sizeof (float));
      memcpy (yc, y, n * d * sizeof (float));
      t = bench_now ();
      if (!cnc_gram_new_pair (xc, d, yc, d, n, cnc_torch_gram, &gx, &gy, &error))
        g_error ("%s", error->message);
      *cka = cnc_cka_linear (gx, gy);
      best = MIN (best, bench_now () - t);
    }
  return best;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-layers-XXXXXX", NULL);
  g_autofree char *script = bench_find_script ("bench_layers.py");
  g_autofree char *out = NULL, *err = NULL, *manifest_path = NULL;
  g_autoptr(JsonParser) numpy = json_parser_new ();
  g_autoptr(JsonParser) manifest_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWeights) base = NULL;
  g_autoptr(CncWeights) model = NULL;
  g_autoptr(CncLayerComparison) comparison = NULL;
  g_autofree float *base_flat = NULL, *model_flat = NULL, *x = NULL, *y = NULL;
  JsonObject *ref, *check;
  JsonArray *manifest;
  gint64 n_params;
  const gint64 n = 2048, d = 4096;
  double t_stats, t_compare, t_compare1, t_cka, cka, ratio;
  gint64 zeros_model = 0, hist_total = 0;
  int status = 0;

  {
    const char *py[] = { "/usr/bin/python3", script, dir, NULL };

    printf ("Running NumPy (%s)…\n", script);
    fflush (stdout);
    if (!g_spawn_sync (NULL, (char **) py, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      g_error ("bench_layers.py failed: %s\n%s", error ? error->message : "", err ? err : "");
  }
  if (!json_parser_load_from_data (numpy, out, -1, &error))
    g_error ("bench_layers.py printed no JSON: %s", out);
  ref = json_node_get_object (json_parser_get_root (numpy));
  check = json_object_get_object_member (ref, "check");
  n_params = json_object_get_int_member (ref, "parameters");

  manifest_path = g_build_filename (dir, "manifest.json", NULL);
  if (!json_parser_load_from_file (manifest_parser, manifest_path, &error))
    g_error ("%s", error->message);
  manifest = json_node_get_array (json_parser_get_root (manifest_parser));
  base_flat = (float *) bench_read_exact (dir, "base.f32", (n_params) * sizeof (float));
  model_flat = (float *) bench_read_exact (dir, "model.f32", (n_params) * sizeof (float));
  base = weights_from ("B", manifest, base_flat);
  model = weights_from ("M", manifest, model_flat);
  g_clear_pointer (&base_flat, g_free);
  g_clear_pointer (&model_flat, g_free);
  x = (float *) bench_read_exact (dir, "x.f32", (n * d) * sizeof (float));
  y = (float *) bench_read_exact (dir, "y.f32", (n * d) * sizeof (float));

  t_stats = time_stats (base, model);
  t_compare = time_compare (base, model, 2, &comparison);
  t_compare1 = time_compare (base, model, 1, NULL);
  t_cka = time_cka (x, y, n, d, &cka);

  /* The same answers as NumPy. */
  {
    const CncModuleDelta *root = g_ptr_array_index (comparison->modules, 0);
    double ref_sq = json_object_get_double_member (check, "sum_sq_diff");

    zeros_model = root->delta.zeros_model;
    for (guint v = 0; v < CNC_LAYER_VALUE_BINS; v++)
      for (guint c = 0; c < CNC_LAYER_CHANGE_BINS; c++)
        hist_total += root->delta.histogram[v][c];
    if (zeros_model != json_object_get_int_member (check, "zeros_model")
        || hist_total != json_object_get_int_member (check, "histogram_total")
        || root->delta.histogram[15][5] != json_object_get_int_member (check, "histogram_15_5")
        || fabs (root->delta.sum_sq_diff - ref_sq) > 1e-9 * ref_sq
        || fabs (cka - json_object_get_double_member (check, "cka")) > 1e-6)
      g_error ("C and NumPy disagree: zeros %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT
               ", ‖ΔW‖² %.17g / %.17g, CKA %.9f / %.9f", zeros_model,
               json_object_get_int_member (check, "zeros_model"), root->delta.sum_sq_diff, ref_sq,
               cka, json_object_get_double_member (check, "cka"));
  }

  printf ("\nLayer changes of a %.1fM-weight model (ResNet-50 shapes; M pruned 50%% and changed), "
          "best of %d, %u cores\n", n_params / 1e6, RUNS, g_get_num_processors ());
  printf ("  %-44s %10s %10s %8s\n", "", "C", "NumPy", "ratio");
  ratio = json_object_get_double_member (ref, "stats_s") / t_stats;
  printf ("  %-44s %8.1f ms %8.1f ms %7.1f×  %s\n", "layer statistics of B and M", t_stats * 1e3,
          json_object_get_double_member (ref, "stats_s") * 1e3, ratio, verdict (ratio >= LAYERS_RATIO_GOAL));
  ratio = json_object_get_double_member (ref, "compare_s") / t_compare;
  printf ("  %-44s %8.1f ms %8.1f ms %7.1f×  %s\n", "B vs M comparison, 2 threads", t_compare * 1e3,
          json_object_get_double_member (ref, "compare_s") * 1e3, ratio, verdict (ratio >= LAYERS_RATIO_GOAL));
  ratio = json_object_get_double_member (ref, "compare_s") / t_compare1;
  printf ("  %-44s %8.1f ms %8.1f ms %7.1f×\n", "B vs M comparison, 1 thread", t_compare1 * 1e3,
          json_object_get_double_member (ref, "compare_s") * 1e3, ratio);

  printf ("\nLinear CKA, n = %" G_GINT64_FORMAT ", d = %" G_GINT64_FORMAT " (centering, two Gram "
          "matrices, one dot product), best of %d\n", n, d, RUNS);
  ratio = json_object_get_double_member (ref, "cka_s") / t_cka;
  printf ("  %-44s %8.1f ms %8.1f ms %7.2f×  %s\n", "linear CKA", t_cka * 1e3,
          json_object_get_double_member (ref, "cka_s") * 1e3, ratio, verdict (ratio >= CKA_RATIO_GOAL));
  printf ("  (CKA %.6f in both; with the Gram matrices cached, CKA is one dot product)\n", cka);

  {
    g_autoptr(CncGram) gx = NULL;
    g_autofree float *xc = g_memdup2 (x, n * d * sizeof (float));
    double t, best = G_MAXDOUBLE;

    gx = cnc_gram_new_centering (xc, n, d, cnc_torch_gram, NULL);
    for (int run = 0; run < RUNS; run++)
      {
        t = bench_now ();
        cka = cnc_cka_linear (gx, gx);
        best = MIN (best, bench_now () - t);
      }
    printf ("  %-44s %8.1f ms\n", "CKA from two cached Gram matrices", best * 1e3);
  }

  {
    const char *files[] = { "manifest.json", "base.f32", "model.f32", "x.f32", "y.f32" };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *path = g_build_filename (dir, files[i], NULL);
        g_unlink (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
