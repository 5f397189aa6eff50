/* cnc-cli-compare.c
 * Comparison commands: compare (prediction changes), instances (paged queries), differs (experiment variables), pareto.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"
#include "core/cnc-json-build.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/analysis/cnc-instances.h"
#include "core/analysis/cnc-metric-format.h"
#include "core/analysis/cnc-pareto.h"
#include "core/analysis/cnc-prediction-change.h"
#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-predictions.h"
#include "core/registry/cnc-workspace-differs.h"

#define CLI_PARSE(cmd, args, summary, entries)                                  \
  if (!cnc_cli_parse (cmd, args, summary, entries, &argc, &argv))               \
    return CNC_EXIT_USAGE

/* How fractions and changes of fractions are shown: "87.3%", "−1.2 pp" (the one number format). */
static const CncMetric percent_metric = { .name = (char *) "Accuracy", .format = (char *) ".1%", .min = NAN, .max = NAN };
/* Scores: three significant digits. */
static const CncMetric plain_metric = { .name = (char *) "Score", .min = NAN, .max = NAN };
static const CncMetric bits_metric = { .name = (char *) "KL", .unit = (char *) "bits", .min = NAN, .max = NAN };

/* @text padded with spaces to @width characters (not bytes: "−" and "—" are one each); negative
 * @width pads on the right. */
static char *
pad (const char *text,
     int         width)
{
  int len = (int) g_utf8_strlen (text, -1), fill = ABS (width) - len;

  if (fill <= 0)
    return g_strdup (text);
  return width > 0 ? g_strdup_printf ("%*s%s", fill, "", text) : g_strdup_printf ("%s%*s", text, fill, "");
}

static void
add_matrix (JsonBuilder  *b,
            const char   *member,
            const gint64 *m,
            guint         k)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < k; i++)
    {
      json_builder_begin_array (b);
      for (guint j = 0; j < k; j++)
        json_builder_add_int_value (b, m[(gsize) i * k + j]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
}

/* ---- loading two or more evaluations on the same data ---------------------------------------- */

typedef struct {
  CncWorkspace   *ws;
  gint64          dataset;       /* the base's evaluation's dataset */
  char           *dataset_name;
  char           *split;
  GStrv           classes;       /* k names ("0", "1", … when the dataset has none) */
  GPtrArray      *models;        /* CncModel*: base first */
  GPtrArray      *predictions;   /* CncPredictions*: base first */
  CncCompareInput *inputs;       /* base first */
} Loaded;

static void
loaded_clear (Loaded *l)
{
  g_clear_object (&l->ws);
  g_clear_pointer (&l->dataset_name, g_free);
  g_clear_pointer (&l->split, g_free);
  g_clear_pointer (&l->classes, g_strfreev);
  g_clear_pointer (&l->models, g_ptr_array_unref);
  g_clear_pointer (&l->predictions, g_ptr_array_unref);
  g_clear_pointer (&l->inputs, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Loaded, loaded_clear)

static gint64
find_dataset (CncWorkspace *ws,
              const char   *name,
              GError      **error)
{
  gint64 id;

  if (!cnc_dataset_lookup (ws, name, &id, error))
    return -1;
  if (id < 0)
    g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                 "No dataset named “%s” in the workspace (see `compress-compare datasets`)", name);
  return id;
}

/* The dataset's name and its k class names ("0", "1", … past those it names). */
static gboolean
describe_dataset (Loaded  *l,
                  guint    k,
                  GError **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) classes = NULL;
  g_autoptr(GError) local = NULL;
  guint n_classes;

  if (!cnc_predictions_get_dataset (l->ws, l->dataset, &l->dataset_name, &classes, &local)
      && !g_error_matches (local, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (l->dataset_name == NULL)
    l->dataset_name = g_strdup_printf ("dataset %" G_GINT64_FORMAT, l->dataset);
  n_classes = classes ? g_strv_length (classes) : 0;
  for (guint c = 0; c < k; c++)
    {
      const char *name = c < n_classes && classes[c][0] != '\0' ? classes[c] : NULL;
      g_autofree char *number = g_strdup_printf ("%u", c);

      g_strv_builder_add (names, name ? name : number);
    }
  l->classes = g_strv_builder_end (names);
  return TRUE;
}

static CncPredictions *
load_one (Loaded         *l,
          const CncModel *model,
          gint64          dataset,
          const char     *split,
          GError        **error)
{
  g_autoptr(GError) local = NULL;
  CncPredictions *p = cnc_predictions_load (l->ws, model->id, dataset, split,
                                            CNC_PREDICTIONS_LABELS | CNC_PREDICTIONS_PREDICTED
                                            | CNC_PREDICTIONS_PROBS | CNC_PREDICTIONS_LOGITS, &local);

  if (p)
    return p;
  if (g_error_matches (local, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND))
    {
      if (dataset < 0)
        g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                     "“%s” has not been evaluated on any dataset", model->name);
      else
        g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                     "“%s” has not been evaluated on %s%s%s", model->name, l->dataset_name ? l->dataset_name : "that dataset",
                     split ? " split " : "", split ? split : "");
      return NULL;
    }
  g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", model->name);
  return NULL;
}

/* Opens the workspace and loads the base's evaluation (on --dataset / --split when given, else its
 * latest), then each model's evaluation on the same dataset split, checked comparable. */
static gboolean
load_models (Loaded      *l,
             char       **names,
             guint        n,
             const char  *dataset_name,
             const char  *split,
             GError     **error)
{
  CncPredictions *base;
  gint64 dataset = -1;

  l->models = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_model_free);
  l->predictions = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_predictions_free);
  if (!(l->ws = cnc_cli_open_workspace (FALSE, error)))
    return FALSE;
  if (dataset_name)
    {
      if ((dataset = find_dataset (l->ws, dataset_name, error)) < 0)
        return FALSE;
      l->dataset_name = g_strdup (dataset_name);
    }
  for (guint i = 0; i < n; i++)
    {
      CncModel *m = cnc_workspace_find_model (l->ws, names[i], error);
      if (m == NULL)
        return FALSE;
      g_ptr_array_add (l->models, m);
    }
  if (!(base = load_one (l, l->models->pdata[0], dataset, split, error)))
    return FALSE;
  g_ptr_array_add (l->predictions, base);
  l->dataset = base->dataset;
  l->split = g_strdup (base->split);
  g_clear_pointer (&l->dataset_name, g_free);
  if (!describe_dataset (l, base->k, error))
    return FALSE;
  for (guint i = 1; i < n; i++)
    {
      CncPredictions *p = load_one (l, l->models->pdata[i], l->dataset, l->split, error);
      if (p == NULL)
        return FALSE;
      g_ptr_array_add (l->predictions, p);
    }
  l->inputs = g_new0 (CncCompareInput, n);
  for (guint i = 0; i < n; i++)
    {
      cnc_compare_input_init (&l->inputs[i], l->predictions->pdata[i], ((CncModel *) l->models->pdata[i])->name);
      if (i > 0 && !cnc_compare_check (&l->inputs[0], &l->inputs[i], error))
        return FALSE;
    }
  return TRUE;
}

/* ---- compare ----------------------------------------------------------------------------------- */

static const CncScore summary_scores[] = { CNC_SCORE_KL, CNC_SCORE_DPROB, CNC_SCORE_MSE, CNC_SCORE_DMARGIN };
static const char * const summary_names[] = { "kl_bits", "dprob", "mse", "dmargin" };

static void
compare_json_model (JsonBuilder               *b,
                    const Loaded              *l,
                    guint                      i,
                    const CncPredictionChange *c,
                    const CncChangeScores     *s,
                    guint                      top)
{
  g_autoptr(GArray) transitions = cnc_prediction_change_transitions (c, top);
  guint k = c->k;

  json_builder_begin_object (b);
  cnc_json_add_string (b, "name", ((CncModel *) l->models->pdata[i])->name);
  cnc_json_add_int (b, "valid", c->valid);
  cnc_json_add_int (b, "invalid", c->invalid);
  cnc_json_add_number (b, "base_accuracy", c->accuracy_b);
  cnc_json_add_number (b, "accuracy", c->accuracy_m);
  cnc_json_add_number (b, "accuracy_delta", c->accuracy_m - c->accuracy_b);
  cnc_json_add_number (b, "agreement", c->agreement);
  json_builder_set_member_name (b, "flips");
  json_builder_begin_object (b);
  cnc_json_add_int (b, "both_correct", c->both_correct);
  cnc_json_add_int (b, "both_wrong_same", c->both_wrong_same);
  cnc_json_add_int (b, "both_wrong_different", c->both_wrong_different);
  cnc_json_add_int (b, "broken", c->broken);
  cnc_json_add_int (b, "fixed", c->fixed);
  cnc_json_add_int (b, "agree", c->agree);
  json_builder_end_object (b);
  add_matrix (b, "change_matrix", c->change, k);
  add_matrix (b, "confusion_base", c->confusion_b, k);
  add_matrix (b, "confusion_model", c->confusion_m, k);
  add_matrix (b, "confusion_delta", c->confusion_delta, k);
  json_builder_set_member_name (b, "per_class");
  json_builder_begin_array (b);
  for (guint t = 0; t < k; t++)
    {
      json_builder_begin_object (b);
      cnc_json_add_int (b, "class", t);
      cnc_json_add_string (b, "name", l->classes[t]);
      cnc_json_add_int (b, "count", c->class_count[t]);
      cnc_json_add_number (b, "base_accuracy", c->class_accuracy_b[t]);
      cnc_json_add_number (b, "accuracy", c->class_accuracy_m[t]);
      cnc_json_add_number (b, "delta", c->class_accuracy_delta[t]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "transitions");
  json_builder_begin_array (b);
  for (guint t = 0; t < transitions->len; t++)
    {
      CncTransition *tr = &g_array_index (transitions, CncTransition, t);
      json_builder_begin_object (b);
      cnc_json_add_int (b, "from", tr->from);
      cnc_json_add_int (b, "to", tr->to);
      cnc_json_add_string (b, "from_name", l->classes[tr->from]);
      cnc_json_add_string (b, "to_name", l->classes[tr->to]);
      cnc_json_add_int (b, "count", tr->count);
      cnc_json_add_number (b, "rate", tr->rate);
      cnc_json_add_number (b, "rate_of_from", tr->rate_of_from);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "scores");
  json_builder_begin_object (b);
  for (guint j = 0; j < G_N_ELEMENTS (summary_scores); j++)
    {
      double mean, max;
      gint64 count;

      cnc_change_scores_summarize (s, summary_scores[j], &mean, &max, &count);
      json_builder_set_member_name (b, summary_names[j]);
      json_builder_begin_object (b);
      cnc_json_add_number (b, "mean", mean);
      cnc_json_add_number (b, "max", max);
      cnc_json_add_int (b, "count", count);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
print_compare_model (const Loaded              *l,
                     guint                      i,
                     const CncPredictionChange *c,
                     const CncChangeScores     *s,
                     guint                      top)
{
  g_autoptr(GArray) transitions = cnc_prediction_change_transitions (c, top);
  g_autofree char *acc_b = cnc_metric_format_value (&percent_metric, c->accuracy_b);
  g_autofree char *acc_m = cnc_metric_format_value (&percent_metric, c->accuracy_m);
  g_autofree char *acc_d = cnc_metric_format_change (&percent_metric, c->accuracy_m, c->accuracy_b);
  g_autofree char *agreement = cnc_metric_format_value (&percent_metric, c->agreement);
  g_autofree char *broken = cnc_metric_format_value (&percent_metric, (double) c->broken / MAX (c->valid, 1));
  g_autofree char *fixed = cnc_metric_format_value (&percent_metric, (double) c->fixed / MAX (c->valid, 1));
  double kl, dprob, mse, dmargin;
  g_autofree char *kl_s = NULL, *dprob_s = NULL, *mse_s = NULL, *dmargin_s = NULL;
  guint width = 5;

  cnc_change_scores_summarize (s, CNC_SCORE_KL, &kl, NULL, NULL);
  cnc_change_scores_summarize (s, CNC_SCORE_DPROB, &dprob, NULL, NULL);
  cnc_change_scores_summarize (s, CNC_SCORE_MSE, &mse, NULL, NULL);
  cnc_change_scores_summarize (s, CNC_SCORE_DMARGIN, &dmargin, NULL, NULL);
  kl_s = cnc_metric_format_value (&bits_metric, kl);
  dprob_s = cnc_metric_format_change (&percent_metric, dprob, 0);
  mse_s = cnc_metric_format_value (&plain_metric, mse);
  dmargin_s = cnc_metric_format_change (&percent_metric, dmargin, 0);

  printf ("\n%s\n", ((CncModel *) l->models->pdata[i])->name);
  printf ("  accuracy      %s → %s (%s)\n", acc_b, acc_m, acc_d);
  printf ("  agreement     %s (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " predictions the same)\n",
          agreement, c->agree, c->valid);
  printf ("  both correct  %" G_GINT64_FORMAT "    both wrong: same %" G_GINT64_FORMAT ", different %" G_GINT64_FORMAT "\n",
          c->both_correct, c->both_wrong_same, c->both_wrong_different);
  printf ("  broken        %" G_GINT64_FORMAT " (%s)    fixed %" G_GINT64_FORMAT " (%s)\n",
          c->broken, broken, c->fixed, fixed);
  if (c->invalid > 0)
    printf ("  left out      %" G_GINT64_FORMAT " instances with a label or prediction outside the classes\n", c->invalid);
  printf ("  mean change   KL %s, Δp(true) %s, logits MSE %s, Δmargin %s\n", kl_s, dprob_s, mse_s, dmargin_s);

  for (guint t = 0; t < c->k; t++)
    width = MAX (width, (guint) g_utf8_strlen (l->classes[t], -1));
  printf ("  per class     %-*s %8s %8s %8s %9s\n", width, "CLASS", "COUNT", "BASE", "MODEL", "CHANGE");
  for (guint t = 0; t < c->k; t++)
    {
      g_autofree char *ab = cnc_metric_format_value (&percent_metric, c->class_accuracy_b[t]);
      g_autofree char *am = cnc_metric_format_value (&percent_metric, c->class_accuracy_m[t]);
      g_autofree char *ad = cnc_metric_format_change (&percent_metric, c->class_accuracy_m[t], c->class_accuracy_b[t]);
      g_autofree char *name = pad (l->classes[t], -(int) width);
      g_autofree char *ab_p = pad (ab, 8), *am_p = pad (am, 8), *ad_p = pad (ad, 9);

      printf ("                %s %8" G_GINT64_FORMAT " %s %s %s\n", name, c->class_count[t], ab_p, am_p, ad_p);
    }
  if (transitions->len > 0)
    printf ("  transitions   BASE ▸ MODEL (count, share of all, share of the base's predictions)\n");
  for (guint t = 0; t < transitions->len; t++)
    {
      CncTransition *tr = &g_array_index (transitions, CncTransition, t);
      g_autofree char *rate = cnc_metric_format_value (&percent_metric, tr->rate);
      g_autofree char *rate_from = cnc_metric_format_value (&percent_metric, tr->rate_of_from);

      printf ("                %s ▸ %s  %" G_GINT64_FORMAT " (%s, %s)\n", l->classes[tr->from], l->classes[tr->to],
              tr->count, rate, rate_from);
    }
}

int
cnc_cli_compare (int    argc,
                 char **argv)
{
  g_autofree char *dataset = NULL, *split = NULL;
  gboolean json = FALSE;
  int top = 10;
  GOptionEntry entries[] = {
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, "The dataset (default: the base model's latest evaluation)", "NAME" },
    { "split", 's', 0, G_OPTION_ARG_STRING, &split, "The dataset split (default: the latest evaluated)", "SPLIT" },
    { "top", 0, 0, G_OPTION_ARG_INT, &top, "How many label transitions to list (default 10; 0: all)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the comparison as JSON", NULL },
    { NULL }
  };
  g_auto(Loaded) l = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_prediction_change_free);
  g_autoptr(GPtrArray) scores = NULL;
  guint n;

  CLI_PARSE ("compare", "BASE MODEL…", "How the predictions of one or more models differ from those of a base model "
             "on the same dataset split: change matrix, confusion matrices and their difference, flips, per-class "
             "accuracy, label transitions and change scores (KL in bits, Δ probability of the true class, logits "
             "MSE, Δ margin).", entries);
  if (argc < 3)
    return cnc_cli_usage ("compare", "give a base model and at least one model");
  if (top < 0)
    return cnc_cli_usage ("compare", "--top must not be negative");
  if (split && !dataset)
    return cnc_cli_usage ("compare", "--split needs --dataset");
  n = (guint) argc - 1;
  if (!load_models (&l, argv + 1, n, dataset, split, &error))
    return cnc_cli_fail (error);
  for (guint i = 1; i < n; i++)
    {
      CncPredictionChange *c = cnc_prediction_change_compute (&l.inputs[0], &l.inputs[i], &error);
      if (c == NULL)
        return cnc_cli_fail (error);
      g_ptr_array_add (changes, c);
    }
  if (!(scores = cnc_change_scores_compute_many (&l.inputs[0], l.inputs + 1, n - 1, &error)))
    return cnc_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      CncPredictions *base = l.predictions->pdata[0];

      json_builder_begin_object (b);
      cnc_json_add_string (b, "base", ((CncModel *) l.models->pdata[0])->name);
      cnc_json_add_string (b, "dataset", l.dataset_name);
      cnc_json_add_string (b, "split", l.split);
      cnc_json_add_int (b, "n", base->n);
      cnc_json_add_int (b, "k", base->k);
      json_builder_set_member_name (b, "classes");
      json_builder_begin_array (b);
      for (guint t = 0; t < base->k; t++)
        json_builder_add_string_value (b, l.classes[t]);
      json_builder_end_array (b);
      cnc_json_add_string (b, "margin", "probability");
      json_builder_set_member_name (b, "models");
      json_builder_begin_array (b);
      for (guint i = 1; i < n; i++)
        compare_json_model (b, &l, i, changes->pdata[i - 1], scores->pdata[i - 1], (guint) top);
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  printf ("Base %s on %s, split %s: %" G_GINT64_FORMAT " instances, %u classes\n",
          ((CncModel *) l.models->pdata[0])->name, l.dataset_name, l.split,
          ((CncPredictions *) l.predictions->pdata[0])->n, ((CncPredictions *) l.predictions->pdata[0])->k);
  for (guint i = 1; i < n; i++)
    print_compare_model (&l, i, changes->pdata[i - 1], scores->pdata[i - 1], (guint) top);
  return CNC_EXIT_OK;
}

/* ---- instances --------------------------------------------------------------------------------- */

/* A class by index or by name. */
static gboolean
parse_class (const Loaded *l,
             guint         k,
             const char   *text,
             gint         *out)
{
  guint64 v;

  for (guint c = 0; c < k; c++)
    if (g_str_equal (l->classes[c], text))
      {
        *out = (gint) c;
        return TRUE;
      }
  if (g_ascii_string_to_unsigned (text, 10, 0, k - 1, &v, NULL))
    {
      *out = (gint) v;
      return TRUE;
    }
  return FALSE;
}

static void
instance_json (JsonBuilder           *b,
               const Loaded          *l,
               const CncChangeScores *s,
               gint64                 i)
{
  const CncCompareInput *B = &l->inputs[0], *M = &l->inputs[1];

  json_builder_begin_object (b);
  cnc_json_add_int (b, "index", i);
  cnc_json_add_int (b, "label", B->labels[i]);
  cnc_json_add_int (b, "base_predicted", B->predicted[i]);
  cnc_json_add_int (b, "model_predicted", M->predicted[i]);
  cnc_json_add_number (b, "base_p_true", B->p_true ? B->p_true[i] : NAN);
  cnc_json_add_number (b, "model_p_true", M->p_true ? M->p_true[i] : NAN);
  cnc_json_add_number (b, "dprob", s->dprob[i]);
  cnc_json_add_number (b, "kl_bits", s->kl[i]);
  cnc_json_add_number (b, "mse", s->mse[i]);
  cnc_json_add_number (b, "dmargin", s->dmargin[i]);
  json_builder_end_object (b);
}

static const char *
class_name (const Loaded *l,
            gint16        c)
{
  return c >= 0 && (guint) c < g_strv_length (l->classes) ? l->classes[c] : "?";
}

int
cnc_cli_instances (int    argc,
                   char **argv)
{
  g_autofree char *dataset = NULL, *split = NULL, *cell = NULL, *flip = NULL, *klass = NULL;
  g_autofree char *sort = NULL, *order = NULL;
  gint64 offset = 0;
  int limit = 20;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "cell", 0, 0, G_OPTION_ARG_STRING, &cell, "A cell of the change matrix: the base predicted I, the model J", "I,J" },
    { "flip", 0, 0, G_OPTION_ARG_STRING, &flip, "broken, fixed, both-correct, both-wrong-same, both-wrong-different or changed", "KIND" },
    { "class", 'c', 0, G_OPTION_ARG_STRING, &klass, "Instances of this true class (index or name)", "CLASS" },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort, "kl, dprob, mse, margin or index (default: kl)", "SCORE" },
    { "order", 0, 0, G_OPTION_ARG_STRING, &order, "asc or desc (default: kl and mse desc, dprob and margin asc)", "ORDER" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "How many instances (default 20)", "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT64, &offset, "Skip this many first", "N" },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, "The dataset (default: the base model's latest evaluation)", "NAME" },
    { "split", 's', 0, G_OPTION_ARG_STRING, &split, "The dataset split", "SPLIT" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the page as JSON", NULL },
    { NULL }
  };
  g_auto(Loaded) l = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CncChangeScores) s = NULL;
  g_autoptr(CncInstanceQuery) q = NULL;
  g_autofree gint64 *page = NULL;
  CncInstanceFilter filter;
  CncScore score = CNC_SCORE_KL;
  CncSortOrder sort_order = CNC_SORT_DEFAULT;
  guint got, k;

  CLI_PARSE ("instances", "BASE MODEL", "The instances of a comparison, filtered by a change-matrix cell, a flip "
             "kind or a true class (together they all apply), sorted by a change score, one page at a time.", entries);
  if (argc != 3)
    return cnc_cli_usage ("instances", "give a base model and one model");
  if (limit < 0 || offset < 0)
    return cnc_cli_usage ("instances", "--limit and --offset must not be negative");
  if (split && !dataset)
    return cnc_cli_usage ("instances", "--split needs --dataset");
  if (sort && !cnc_score_from_string (sort, &score))
    return cnc_cli_usage ("instances", "unknown score “%s” (kl, dprob, mse, margin or index)", sort);
  if (order && g_str_equal (order, "asc"))
    sort_order = CNC_SORT_ASCENDING;
  else if (order && g_str_equal (order, "desc"))
    sort_order = CNC_SORT_DESCENDING;
  else if (order)
    return cnc_cli_usage ("instances", "--order is asc or desc, not “%s”", order);
  cnc_instance_filter_init (&filter);
  if (flip && !cnc_flip_from_string (flip, &filter.flip))
    return cnc_cli_usage ("instances", "unknown flip kind “%s” (broken, fixed, both-correct, both-wrong-same, "
                          "both-wrong-different or changed)", flip);

  if (!load_models (&l, argv + 1, 2, dataset, split, &error))
    return cnc_cli_fail (error);
  k = l.inputs[0].k;
  if (cell)
    {
      g_auto(GStrv) ij = g_strsplit (cell, ",", -1);
      if (g_strv_length (ij) != 2 || !parse_class (&l, k, g_strstrip (ij[0]), &filter.base_predicted)
          || !parse_class (&l, k, g_strstrip (ij[1]), &filter.model_predicted))
        return cnc_cli_usage ("instances", "--cell needs two classes I,J (indices 0 to %u or names), got “%s”",
                              k - 1, cell);
    }
  if (klass && !parse_class (&l, k, klass, &filter.true_class))
    return cnc_cli_usage ("instances", "no class “%s” (indices 0 to %u or names)", klass, k - 1);

  if (!(s = cnc_change_scores_compute (&l.inputs[0], &l.inputs[1], &error))
      || !(q = cnc_instance_query_new (&l.inputs[0], &l.inputs[1], s, &filter, score, sort_order, &error)))
    return cnc_cli_fail (error);
  page = g_new (gint64, MAX (limit, 1));
  got = cnc_instance_query_get_page (q, offset, (guint) limit, page);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      cnc_json_add_string (b, "base", ((CncModel *) l.models->pdata[0])->name);
      cnc_json_add_string (b, "model", ((CncModel *) l.models->pdata[1])->name);
      cnc_json_add_string (b, "dataset", l.dataset_name);
      cnc_json_add_string (b, "split", l.split);
      json_builder_set_member_name (b, "filter");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class");
      if (filter.true_class >= 0)
        json_builder_add_int_value (b, filter.true_class);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "cell");
      if (cell)
        {
          json_builder_begin_array (b);
          json_builder_add_int_value (b, filter.base_predicted);
          json_builder_add_int_value (b, filter.model_predicted);
          json_builder_end_array (b);
        }
      else
        json_builder_add_null_value (b);
      cnc_json_add_string (b, "flip", cnc_flip_to_string (filter.flip));
      json_builder_end_object (b);
      cnc_json_add_string (b, "sort", cnc_score_to_string (score));
      cnc_json_add_string (b, "order", cnc_instance_query_get_order (q) == CNC_SORT_DESCENDING ? "desc" : "asc");
      cnc_json_add_int (b, "total", cnc_instance_query_get_count (q));
      cnc_json_add_int (b, "offset", offset);
      cnc_json_add_int (b, "limit", limit);
      json_builder_set_member_name (b, "instances");
      json_builder_begin_array (b);
      for (guint j = 0; j < got; j++)
        instance_json (b, &l, s, page[j]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  printf ("%" G_GINT64_FORMAT " instances", cnc_instance_query_get_count (q));
  if (got > 0)
    printf (", %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " shown", offset + 1, offset + got);
  printf (", sorted by %s (%s)\n", cnc_score_to_string (score),
          cnc_instance_query_get_order (q) == CNC_SORT_DESCENDING ? "largest first" : "smallest first");
  if (got == 0)
    return CNC_EXIT_OK;
  {
    g_autofree char *dp = pad ("ΔP", 10), *dm = pad ("ΔMARGIN", 10);
    printf ("%8s  %-12s %-12s %-12s %8s %8s %s %12s %8s %s\n", "INDEX", "TRUE", "BASE", "MODEL",
            "P(B)", "P(M)", dp, "KL", "MSE", dm);
  }
  for (guint j = 0; j < got; j++)
    {
      gint64 i = page[j];
      const CncCompareInput *B = &l.inputs[0], *M = &l.inputs[1];
      g_autofree char *pb = cnc_metric_format_value (&percent_metric, B->p_true ? B->p_true[i] : NAN);
      g_autofree char *pm = cnc_metric_format_value (&percent_metric, M->p_true ? M->p_true[i] : NAN);
      g_autofree char *dp = cnc_metric_format_change (&percent_metric, M->p_true ? M->p_true[i] : NAN,
                                                      B->p_true ? B->p_true[i] : NAN);
      g_autofree char *kl = cnc_metric_format_value (&bits_metric, s->kl[i]);
      g_autofree char *mse = cnc_metric_format_value (&plain_metric, s->mse[i]);
      g_autofree char *dm = cnc_metric_format_change (&percent_metric, s->dmargin[i], 0);
      g_autofree char *t = pad (class_name (&l, B->labels[i]), -12);
      g_autofree char *b = pad (class_name (&l, B->predicted[i]), -12);
      g_autofree char *m = pad (class_name (&l, M->predicted[i]), -12);
      g_autofree char *pb_p = pad (pb, 8), *pm_p = pad (pm, 8), *dp_p = pad (dp, 10);
      g_autofree char *kl_p = pad (kl, 12), *mse_p = pad (mse, 8), *dm_p = pad (dm, 10);

      printf ("%8" G_GINT64_FORMAT "  %s %s %s %s %s %s %s %s %s\n", i, t, b, m, pb_p, pm_p, dp_p, kl_p, mse_p, dm_p);
    }
  return CNC_EXIT_OK;
}

/* ---- differs ----------------------------------------------------------------------------------- */

static void
variable_json (JsonBuilder              *b,
               const CncDiffers         *d,
               const CncDiffersVariable *v)
{
  json_builder_begin_object (b);
  cnc_json_add_string (b, "kind", cnc_variable_kind_to_string (v->kind));
  cnc_json_add_string (b, "name", v->name);
  cnc_json_add_string (b, "operation", v->operation);
  cnc_json_add_string (b, "parameter", v->parameter);
  json_builder_set_member_name (b, "merged");
  json_builder_begin_array (b);
  for (guint i = 0; v->merged[i]; i++)
    json_builder_add_string_value (b, v->merged[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "values");
  json_builder_begin_array (b);
  for (guint i = 0; v->values[i]; i++)
    json_builder_add_string_value (b, v->values[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "model_values");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->n_models; i++)
    json_builder_add_int_value (b, v->model_values[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

int
cnc_cli_differs (int    argc,
                 char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the variables as JSON", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDiffers) d = NULL;
  g_autofree gint64 *ids = NULL;
  guint n;

  CLI_PARSE ("differs", "MODEL…", "What differs between 2 to 16 models: the experiment variables (operation "
             "parameters, whether an operation was applied, operation sequences) found in their lineage that tell "
             "them apart, and each model's value.", entries);
  if (argc < 1 + CNC_DIFFERS_MIN_MODELS || argc > 1 + CNC_DIFFERS_MAX_MODELS)
    return cnc_cli_usage ("differs", "give %d to %d models", CNC_DIFFERS_MIN_MODELS, CNC_DIFFERS_MAX_MODELS);
  n = (guint) argc - 1;
  if (!(ws = cnc_cli_open_workspace (FALSE, &error)))
    return cnc_cli_fail (error);
  ids = g_new (gint64, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CncModel) m = cnc_workspace_find_model (ws, argv[i + 1], &error);
      if (m == NULL)
        return cnc_cli_fail (error);
      ids[i] = m->id;
    }
  if (!(d = cnc_differs_compute (ws, ids, n, &error)))
    return cnc_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "models");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          json_builder_begin_object (b);
          cnc_json_add_string (b, "name", d->names[i]);
          json_builder_set_member_name (b, "values");
          json_builder_begin_object (b);
          for (guint j = 0; j < d->variables->len; j++)
            {
              CncDiffersVariable *v = d->variables->pdata[j];
              cnc_json_add_string (b, v->name, v->values[v->model_values[i]]);
            }
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "variables");
      json_builder_begin_array (b);
      for (guint j = 0; j < d->variables->len; j++)
        variable_json (b, d, d->variables->pdata[j]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "refine");
      json_builder_add_boolean_value (b, d->refine);
      json_builder_set_member_name (b, "sequence");
      variable_json (b, d, d->sequence);
      json_builder_set_member_name (b, "same");
      json_builder_begin_array (b);
      for (guint g = 0; g < d->same->len; g++)
        {
          char **group = d->same->pdata[g];
          json_builder_begin_array (b);
          for (guint i = 0; group[i]; i++)
            json_builder_add_string_value (b, group[i]);
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  if (d->variables->len == 0)
    printf ("Nothing in their lineage tells these models apart.\n");
  else
    printf ("%u variable%s tell%s these %u models apart%s\n", d->variables->len,
            d->variables->len == 1 ? "" : "s", d->variables->len == 1 ? "s" : "", n,
            d->refine ? " (more than two: choose the ones to chart)" : "");
  for (guint j = 0; j < d->variables->len; j++)
    {
      CncDiffersVariable *v = d->variables->pdata[j];
      g_autofree char *values = g_strjoinv (" / ", v->values);

      printf ("  %s (%s): %s\n", v->name, cnc_variable_kind_to_string (v->kind), values);
      if (v->merged[0])
        {
          g_autofree char *merged = g_strjoinv (", ", v->merged);
          printf ("    merged with: %s (they imply each other)\n", merged);
        }
    }
  for (guint i = 0; i < n; i++)
    {
      printf ("%s", d->names[i]);
      for (guint j = 0; j < d->variables->len; j++)
        {
          CncDiffersVariable *v = d->variables->pdata[j];
          printf ("%s%s: %s", j ? ", " : "    ", v->name, v->values[v->model_values[i]]);
        }
      printf ("\n");
    }
  for (guint g = 0; g < d->same->len; g++)
    {
      g_autofree char *group = g_strjoinv (", ", d->same->pdata[g]);
      printf ("Same lineage (repeat runs?): %s\n", group);
    }
  return CNC_EXIT_OK;
}

/* ---- pareto ------------------------------------------------------------------------------------ */

static CncMetric *
find_metric (GPtrArray  *metrics,
             const char *name,
             GError    **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *known = NULL;

  for (guint i = 0; i < metrics->len; i++)
    {
      CncMetric *m = metrics->pdata[i];
      if (g_str_equal (m->name, name))
        return m;
      g_ptr_array_add (names, m->name);
    }
  g_ptr_array_add (names, NULL);
  known = g_strjoinv (", ", (char **) names->pdata);
  g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
               "No metric named “%s” (the workspace has: %s)", name, *known ? known : "none");
  return NULL;
}

static int
front_by_x (gconstpointer a,
            gconstpointer b,
            gpointer      data)
{
  const double *xy = data;
  guint i = *(const guint *) a, j = *(const guint *) b;

  if (xy[2 * i] != xy[2 * j])
    return xy[2 * i] < xy[2 * j] ? -1 : 1;
  return i < j ? -1 : i > j;
}

int
cnc_cli_pareto (int    argc,
                char **argv)
{
  g_autofree char *x_name = NULL, *y_name = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "x", 'x', 0, G_OPTION_ARG_STRING, &x_name, "The first metric", "METRIC" },
    { "y", 'y', 0, G_OPTION_ARG_STRING, &y_name, "The second metric", "METRIC" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the front as JSON", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) metrics = NULL, models = NULL, values = NULL, dominated_by = NULL;
  g_autoptr(GArray) front = NULL;
  g_autoptr(GHashTable) row_of = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree double *xy = NULL;
  CncMetric *mx, *my;
  gboolean higher[2];
  guint n;

  CLI_PARSE ("pareto", "--x METRIC --y METRIC", "The Pareto front of the workspace's models over two metrics, each "
             "with its better direction: the models no other model beats on both, and for each other model the "
             "models that beat it.", entries);
  if (argc != 1)
    return cnc_cli_usage ("pareto", "unexpected argument “%s”", argv[1]);
  if (x_name == NULL || y_name == NULL)
    return cnc_cli_usage ("pareto", "give both --x and --y");
  if (!(ws = cnc_cli_open_workspace (FALSE, &error))
      || !(metrics = cnc_workspace_list_metrics (ws, &error))
      || !(mx = find_metric (metrics, x_name, &error))
      || !(my = find_metric (metrics, y_name, &error))
      || !(models = cnc_workspace_list_models (ws, &error))
      || !(values = cnc_workspace_list_metric_values (ws, -1, &error)))
    return cnc_cli_fail (error);

  n = models->len;
  xy = g_new (double, 2 * (gsize) MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      CncModel *m = models->pdata[i];
      xy[2 * i] = xy[2 * i + 1] = NAN;
      g_hash_table_insert (row_of, &m->id, GUINT_TO_POINTER (i));
    }
  for (guint i = 0; i < values->len; i++)
    {
      CncMetricValue *v = values->pdata[i];
      gpointer row;

      if (!g_hash_table_lookup_extended (row_of, &v->model, NULL, &row))
        continue;
      if (g_str_equal (v->metric, mx->name))
        xy[2 * GPOINTER_TO_UINT (row)] = v->value;
      if (g_str_equal (v->metric, my->name))
        xy[2 * GPOINTER_TO_UINT (row) + 1] = v->value;
    }
  higher[0] = mx->higher_is_better;
  higher[1] = my->higher_is_better;
  front = cnc_pareto_front (xy, n, 2, higher, &dominated_by);
  g_array_sort_with_data (front, front_by_x, xy);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      const CncMetric *axes[2] = { mx, my };
      const char *axis_names[2] = { "x", "y" };

      json_builder_begin_object (b);
      for (guint a = 0; a < 2; a++)
        {
          json_builder_set_member_name (b, axis_names[a]);
          json_builder_begin_object (b);
          cnc_json_add_string (b, "metric", axes[a]->name);
          json_builder_set_member_name (b, "higher_is_better");
          json_builder_add_boolean_value (b, axes[a]->higher_is_better);
          json_builder_end_object (b);
        }
      json_builder_set_member_name (b, "front");
      json_builder_begin_array (b);
      for (guint f = 0; f < front->len; f++)
        json_builder_add_string_value (b, ((CncModel *) models->pdata[g_array_index (front, guint, f)])->name);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "models");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          GArray *dom = dominated_by->pdata[i];
          gboolean on_front = FALSE;

          if (isnan (xy[2 * i]) || isnan (xy[2 * i + 1]))
            continue;
          for (guint f = 0; f < front->len; f++)
            on_front |= g_array_index (front, guint, f) == i;
          json_builder_begin_object (b);
          cnc_json_add_string (b, "name", ((CncModel *) models->pdata[i])->name);
          cnc_json_add_number (b, "x", xy[2 * i]);
          cnc_json_add_number (b, "y", xy[2 * i + 1]);
          json_builder_set_member_name (b, "on_front");
          json_builder_add_boolean_value (b, on_front);
          json_builder_set_member_name (b, "dominated_by");
          json_builder_begin_array (b);
          for (guint j = 0; j < dom->len; j++)
            json_builder_add_string_value (b, ((CncModel *) models->pdata[g_array_index (dom, guint, j)])->name);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "missing");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        if (isnan (xy[2 * i]) || isnan (xy[2 * i + 1]))
          json_builder_add_string_value (b, ((CncModel *) models->pdata[i])->name);
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  printf ("Pareto front of %s (%s is better) and %s (%s is better): %u model%s\n",
          mx->name, mx->higher_is_better ? "higher" : "lower", my->name, my->higher_is_better ? "higher" : "lower",
          front->len, front->len == 1 ? "" : "s");
  for (guint f = 0; f < front->len; f++)
    {
      guint i = g_array_index (front, guint, f);
      g_autofree char *x = cnc_metric_format_value (mx, xy[2 * i]);
      g_autofree char *y = cnc_metric_format_value (my, xy[2 * i + 1]);
      printf ("  %s  %s, %s\n", ((CncModel *) models->pdata[i])->name, x, y);
    }
  for (guint i = 0; i < n; i++)
    {
      GArray *dom = dominated_by->pdata[i];
      g_autoptr(GString) by = g_string_new (NULL);

      if (dom->len == 0)
        continue;
      for (guint j = 0; j < dom->len; j++)
        g_string_append_printf (by, "%s%s", j ? ", " : "", ((CncModel *) models->pdata[g_array_index (dom, guint, j)])->name);
      printf ("%s is beaten by %s\n", ((CncModel *) models->pdata[i])->name, by->str);
    }
  {
    guint missing = 0;
    for (guint i = 0; i < n; i++)
      missing += isnan (xy[2 * i]) || isnan (xy[2 * i + 1]);
    if (missing > 0)
      printf ("%u model%s without both values left out\n", missing, missing == 1 ? "" : "s");
  }
  return CNC_EXIT_OK;
}
