/* bench-compare.c
 * Prediction comparison speed against NumPy on the same 1,000,000 × 10 arrays (bench_compare.py): counts, KL + Δprob, first page.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-compare"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-util.h"
#include "core/analysis/cnc-instances.h"
#include "core/analysis/cnc-prediction-change.h"

/* Goals (issue 5). */
#define COUNTS_RATIO_GOAL 10.0
#define COUNTS_MS_GOAL 5.0
#define KL_RATIO_GOAL 3.0

static const char *
verdict (gboolean ok)
{
  return ok ? "meets the goal" : "BELOW THE GOAL";
}

int
main (int    argc,
      char **argv)
{
  gint64 n = argc > 1 ? g_ascii_strtoll (argv[1], NULL, 10) : 1000000;
  guint k = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 10;
  g_autofree char *dir = g_dir_make_tmp ("cnc-bench-compare-XXXXXX", NULL);
  g_autofree char *script = bench_find_script ("bench_compare.py");
  g_autofree char *n_text = g_strdup_printf ("%" G_GINT64_FORMAT, n), *k_text = g_strdup_printf ("%u", k);
  const char *py_argv[] = { "/usr/bin/python3", script, dir, n_text, k_text, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autofree gint16 *labels = NULL, *pb = NULL, *pm = NULL;
  g_autofree guint16 *zb = NULL, *zm = NULL;
  g_autofree float *ptb = NULL, *ptm = NULL;
  CncCompareInput b, m;
  JsonObject *np, *flips;
  double t_counts = INFINITY, t_kl = INFINITY, t_page = INFINITY, kl_mean = 0, dprob_mean = 0;
  gint64 first[50];
  int status = 0;

  printf ("bench-compare: %" G_GINT64_FORMAT " instances × %u classes, %u processors; NumPy runs on the same arrays\n",
          n, k, g_get_num_processors ());
  if (!g_spawn_sync (NULL, (char **) py_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("bench_compare.py: %s\n%s", error->message, err ? err : "");
  doc = json_from_string (out, &error);
  if (doc == NULL)
    g_error ("bench_compare.py printed no JSON: %s", out);
  np = json_node_get_object (doc);
  flips = json_object_get_object_member (np, "flips");

  labels = bench_read_exact (dir, "labels.i2", n * sizeof (gint16));
  pb = bench_read_exact (dir, "pb.i2", n * sizeof (gint16));
  pm = bench_read_exact (dir, "pm.i2", n * sizeof (gint16));
  zb = bench_read_exact (dir, "zb.f2", n * k * sizeof (guint16));
  zm = bench_read_exact (dir, "zm.f2", n * k * sizeof (guint16));
  ptb = bench_read_exact (dir, "ptb.f4", n * sizeof (float));
  ptm = bench_read_exact (dir, "ptm.f4", n * sizeof (float));
  b = (CncCompareInput) { "base", n, k, labels, pb, ptb, zb };
  m = (CncCompareInput) { "model", n, k, labels, pm, ptm, zm };

  /* Best of several runs, as NumPy. */
  for (guint r = 0; r < 20; r++)
    {
      double t = bench_now ();
      g_autoptr(CncPredictionChange) c = cnc_prediction_change_compute (&b, &m, NULL);
      t_counts = MIN (t_counts, bench_now () - t);
      if (r == 0 && (c->broken != json_object_get_int_member (flips, "broken")
                     || c->fixed != json_object_get_int_member (flips, "fixed")
                     || c->both_wrong_same != json_object_get_int_member (flips, "both_wrong_same")
                     || c->agree != json_object_get_int_member (flips, "agree")))
        g_error ("the counts differ from NumPy's");
    }
  for (guint r = 0; r < 5; r++)
    {
      double t = bench_now ();
      g_autoptr(CncChangeScores) s = cnc_change_scores_compute (&b, &m, NULL);
      t_kl = MIN (t_kl, bench_now () - t);
      if (r == 0)
        {
          cnc_change_scores_summarize (s, CNC_SCORE_KL, &kl_mean, NULL, NULL);
          cnc_change_scores_summarize (s, CNC_SCORE_DPROB, &dprob_mean, NULL, NULL);
          for (guint rp = 0; rp < 5; rp++)
            {
              double tp = bench_now ();
              g_autoptr(CncInstanceQuery) q = cnc_instance_query_new (&b, &m, s, NULL, CNC_SCORE_KL,
                                                                      CNC_SORT_DEFAULT, NULL);
              cnc_instance_query_get_page (q, 0, 50, first);
              t_page = MIN (t_page, bench_now () - tp);
            }
        }
    }

  {
    double np_counts = json_object_get_double_member (np, "counts_s");
    double np_kl = json_object_get_double_member (np, "kl_s");
    double np_page = json_object_get_double_member (np, "page_s");
    double r_counts = np_counts / t_counts, r_kl = np_kl / t_kl;

    printf ("check: mean KL %.6f bits (NumPy %.6f), mean Δp %.6f (NumPy %.6f), first by KL %" G_GINT64_FORMAT
            " (NumPy %" G_GINT64_FORMAT ")\n",
            kl_mean, json_object_get_double_member (np, "kl_mean"), dprob_mean,
            json_object_get_double_member (np, "dprob_mean"), first[0],
            json_array_get_int_element (json_object_get_array_member (np, "first"), 0));
    printf ("change matrix + confusions + delta + flips + per-class: C %.2f ms, NumPy %.2f ms: %.1f× (goal ≥ %.0f× and ≤ %.0f ms: %s)\n",
            t_counts * 1e3, np_counts * 1e3, r_counts, COUNTS_RATIO_GOAL, COUNTS_MS_GOAL,
            verdict (r_counts >= COUNTS_RATIO_GOAL && t_counts * 1e3 <= COUNTS_MS_GOAL));
    printf ("KL + Δprob (C also computes MSE and Δmargin in the same pass): C %.2f ms, NumPy %.2f ms: %.1f× (goal ≥ %.0f×: %s)\n",
            t_kl * 1e3, np_kl * 1e3, r_kl, KL_RATIO_GOAL, verdict (r_kl >= KL_RATIO_GOAL));
    printf ("first page of 50 by KL (filter pass + partial selection): C %.2f ms, NumPy argpartition %.2f ms: %.1f×\n",
            t_page * 1e3, np_page * 1e3, np_page / t_page);
  }
  {
    const char *names[] = { "labels.i2", "pb.i2", "pm.i2", "zb.f2", "zm.f2", "ptb.f4", "ptm.f4" };
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);
        g_remove (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
