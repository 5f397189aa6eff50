/* test-compare.c
 * Tests of prediction comparisons and instance queries against NumPy (compare_reference.py), and of the compare / instances commands.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-compare"

#include <math.h>
#include <string.h>

#include "cnc-test-util.h"
#include "core/analysis/cnc-instances.h"
#include "core/analysis/cnc-prediction-change.h"
#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-predictions.h"

/* Made once for the whole program: the arrays and NumPy's numbers on them. */
static char *fixtures;
static JsonNode *reference;

/* ---- .npy files -------------------------------------------------------------------------------- */

typedef struct {
  char   descr[8];     /* "<i2", "<f4", "<f2", "<f8", "|u1" */
  guint  ndim;
  gint64 shape[4];
  gint64 count;        /* elements */
  gpointer data;
} Npy;

static void
npy_free (Npy *a)
{
  g_free (a->data);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Npy, npy_free)

static Npy *
npy_load (const char *set,
          const char *name)
{
  g_autofree char *path = set ? g_build_filename (fixtures, set, name, NULL) : g_build_filename (fixtures, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  Npy *a = g_new0 (Npy, 1);
  gsize len = 0, header_len, offset, item;
  const char *d, *s;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_true (len > 10 && memcmp (contents, "\x93NUMPY", 6) == 0);
  if (contents[6] == 1)
    {
      header_len = (guint8) contents[8] | (guint8) contents[9] << 8;
      offset = 10;
    }
  else
    {
      header_len = (guint8) contents[8] | (guint8) contents[9] << 8 | (gsize) (guint8) contents[10] << 16;
      offset = 12;
    }
  header = g_strndup (contents + offset, header_len);
  d = strstr (header, "'descr': '");
  g_assert_nonnull (d);
  memcpy (a->descr, d + 10, 3);
  g_assert_nonnull (strstr (header, "'fortran_order': False"));
  s = strstr (header, "'shape': (");
  g_assert_nonnull (s);
  s += 10;
  a->count = 1;
  while (*s != ')')
    {
      char *end;
      a->shape[a->ndim] = g_ascii_strtoll (s, &end, 10);
      a->count *= a->shape[a->ndim++];
      s = end;
      while (*s == ',' || *s == ' ')
        s++;
    }
  item = g_ascii_digit_value (a->descr[2]);
  g_assert_cmpuint (len, ==, offset + header_len + a->count * item);
  a->data = g_memdup2 (contents + offset + header_len, a->count * item);
  return a;
}

/* ---- the reference ----------------------------------------------------------------------------- */

static JsonObject *
ref_model (const char *set,
           const char *model)
{
  JsonObject *sets = json_object_get_object_member (json_node_get_object (reference), "sets");
  return json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (sets, set),
                                                                       "models"), model);
}

static gint64
ref_int (JsonObject *o,
         const char *member)
{
  return json_object_get_int_member (o, member);
}

/* A number of the reference; NAN for null. */
static double
ref_double (JsonNode *node)
{
  return JSON_NODE_HOLDS_NULL (node) ? NAN : json_node_get_double (node);
}

static gboolean
close_enough (double got,
              double expected,
              double atol,
              double rtol)
{
  if (isnan (expected) || isnan (got))
    return isnan (expected) && isnan (got);
  return fabs (got - expected) <= atol + rtol * fabs (expected);
}

static void
assert_close (double      got,
              double      expected,
              double      atol,
              double      rtol,
              const char *what)
{
  if (!close_enough (got, expected, atol, rtol))
    g_error ("%s: %.9g, expected %.9g (difference %.3g)", what, got, expected, got - expected);
}

static void
assert_matrix (const gint64 *m,
               guint         k,
               JsonArray    *rows,
               const char   *what)
{
  g_assert_cmpuint (json_array_get_length (rows), ==, k);
  for (guint i = 0; i < k; i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);
      for (guint j = 0; j < k; j++)
        if (m[i * k + j] != json_array_get_int_element (row, j))
          g_error ("%s[%u][%u] = %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT, what, i, j, m[i * k + j],
                   json_array_get_int_element (row, j));
    }
}

static void
assert_doubles (const double *v,
                guint         k,
                JsonArray    *expected,
                const char   *what)
{
  g_assert_cmpuint (json_array_get_length (expected), ==, k);
  for (guint i = 0; i < k; i++)
    {
      g_autofree char *where = g_strdup_printf ("%s[%u]", what, i);
      assert_close (v[i], ref_double (json_array_get_element (expected, i)), 0, 1e-12, where);
    }
}

/* ---- one evaluation from the fixtures ---------------------------------------------------------- */

typedef struct {
  Npy *labels, *predicted, *top5, *p_true, *p_max, *logits;
  CncCompareInput in;
} Model;

static void
model_free (Model *m)
{
  npy_free (m->labels);
  npy_free (m->predicted);
  npy_free (m->top5);
  npy_free (m->p_true);
  npy_free (m->p_max);
  npy_free (m->logits);
  g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Model, model_free)

static Model *
model_load (const char *set,
            const char *name)
{
  Model *m = g_new0 (Model, 1);
  g_autofree char *pred = g_strdup_printf ("%s_predicted.npy", name);
  g_autofree char *top5 = g_strdup_printf ("%s_top5.npy", name);
  g_autofree char *pt = g_strdup_printf ("%s_p_true.npy", name);
  g_autofree char *pm = g_strdup_printf ("%s_p_max.npy", name);
  g_autofree char *logits = g_strdup_printf ("%s_logits.npy", name);

  m->labels = npy_load (set, "labels.npy");
  m->predicted = npy_load (set, pred);
  m->top5 = npy_load (set, top5);
  m->p_true = npy_load (set, pt);
  m->p_max = npy_load (set, pm);
  m->logits = npy_load (set, logits);
  g_assert_cmpstr (m->labels->descr, ==, "<i2");
  g_assert_cmpstr (m->predicted->descr, ==, "<i2");
  g_assert_cmpstr (m->p_true->descr, ==, "<f4");
  g_assert_cmpstr (m->logits->descr, ==, "<f2");
  m->in.name = name;
  m->in.n = m->labels->count;
  m->in.k = (guint) m->logits->shape[1];
  m->in.labels = m->labels->data;
  m->in.predicted = m->predicted->data;
  m->in.p_true = m->p_true->data;
  m->in.logits = m->logits->data;
  return m;
}

static const char * const sets[] = { "k10", "k20" };
static const char * const compared[] = { "m1", "m2", "same" };

/* ---- counts ------------------------------------------------------------------------------------ */

static void
check_counts (const CncPredictionChange *c,
              JsonObject                *r)
{
  guint k = c->k;

  g_assert_cmpint (c->n, ==, ref_int (r, "n"));
  g_assert_cmpint (c->valid, ==, ref_int (r, "valid"));
  g_assert_cmpint (c->invalid, ==, ref_int (r, "invalid"));
  assert_matrix (c->change, k, json_object_get_array_member (r, "change"), "change");
  assert_matrix (c->confusion_b, k, json_object_get_array_member (r, "confusion_base"), "confusion_base");
  assert_matrix (c->confusion_m, k, json_object_get_array_member (r, "confusion_model"), "confusion_model");
  assert_matrix (c->confusion_delta, k, json_object_get_array_member (r, "confusion_delta"), "confusion_delta");
  g_assert_cmpint (c->both_correct, ==, ref_int (r, "both_correct"));
  g_assert_cmpint (c->both_wrong_same, ==, ref_int (r, "both_wrong_same"));
  g_assert_cmpint (c->both_wrong_different, ==, ref_int (r, "both_wrong_different"));
  g_assert_cmpint (c->broken, ==, ref_int (r, "broken"));
  g_assert_cmpint (c->fixed, ==, ref_int (r, "fixed"));
  g_assert_cmpint (c->agree, ==, ref_int (r, "agree"));
  assert_close (c->agreement, json_object_get_double_member (r, "agreement"), 0, 1e-12, "agreement");
  assert_close (c->accuracy_b, json_object_get_double_member (r, "accuracy_base"), 0, 1e-12, "accuracy_base");
  assert_close (c->accuracy_m, json_object_get_double_member (r, "accuracy_model"), 0, 1e-12, "accuracy_model");
  for (guint t = 0; t < k; t++)
    g_assert_cmpint (c->class_count[t], ==,
                     json_array_get_int_element (json_object_get_array_member (r, "class_count"), t));
  assert_doubles (c->class_accuracy_b, k, json_object_get_array_member (r, "class_accuracy_base"), "class_accuracy_base");
  assert_doubles (c->class_accuracy_m, k, json_object_get_array_member (r, "class_accuracy_model"), "class_accuracy_model");
  assert_doubles (c->class_accuracy_delta, k, json_object_get_array_member (r, "class_accuracy_delta"), "class_accuracy_delta");
}

static void
check_transitions (GArray    *t,
                   JsonArray *expected,
                   guint      limit)
{
  guint n = limit ? MIN (limit, json_array_get_length (expected)) : json_array_get_length (expected);

  g_assert_cmpuint (t->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      CncTransition *tr = &g_array_index (t, CncTransition, i);
      JsonObject *e = json_array_get_object_element (expected, i);

      g_assert_cmpuint (tr->from, ==, ref_int (e, "from"));
      g_assert_cmpuint (tr->to, ==, ref_int (e, "to"));
      g_assert_cmpint (tr->count, ==, ref_int (e, "count"));
      assert_close (tr->rate, json_object_get_double_member (e, "rate"), 0, 1e-12, "rate");
      assert_close (tr->rate_of_from, json_object_get_double_member (e, "rate_of_from"), 0, 1e-12, "rate_of_from");
    }
}

static void
test_counts (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_autoptr(Model) base = model_load (sets[s], "base");

      for (guint m = 0; m < G_N_ELEMENTS (compared); m++)
        {
          g_autoptr(Model) model = model_load (sets[s], compared[m]);
          g_autoptr(GError) error = NULL;
          g_autoptr(CncPredictionChange) c = cnc_prediction_change_compute (&base->in, &model->in, &error);
          JsonObject *r = ref_model (sets[s], compared[m]);
          g_autoptr(GArray) all = NULL, top = NULL;

          g_test_message ("%s: base vs %s", sets[s], compared[m]);
          g_assert_no_error (error);
          check_counts (c, r);
          all = cnc_prediction_change_transitions (c, 0);
          top = cnc_prediction_change_transitions (c, 5);
          check_transitions (all, json_object_get_array_member (r, "transitions"), 0);
          check_transitions (top, json_object_get_array_member (r, "transitions"), 5);
        }
    }
}

/* A class that never occurs: its accuracy is undefined (NAN), not 0, and the JSON says null. */
static void
test_missing_class (void)
{
  g_autoptr(Model) base = model_load ("k10", "base");
  g_autoptr(Model) m1 = model_load ("k10", "m1");
  g_autoptr(CncPredictionChange) c = cnc_prediction_change_compute (&base->in, &m1->in, NULL);

  g_assert_cmpint (c->class_count[7], ==, 0);
  g_assert_true (isnan (c->class_accuracy_b[7]) && isnan (c->class_accuracy_m[7]) && isnan (c->class_accuracy_delta[7]));
  for (guint j = 0; j < 10; j++)
    g_assert_cmpint (c->confusion_b[7 * 10 + j], ==, 0);
}

/* The same model twice: nothing flips, every score is exactly zero. */
static void
test_identical (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_autoptr(Model) base = model_load (sets[s], "base");
      g_autoptr(Model) same = model_load (sets[s], "same");
      g_autoptr(CncPredictionChange) c = cnc_prediction_change_compute (&base->in, &same->in, NULL);
      g_autoptr(CncChangeScores) sc = cnc_change_scores_compute (&base->in, &same->in, NULL);
      gint64 finite = 0;

      g_assert_cmpint (c->broken, ==, 0);
      g_assert_cmpint (c->fixed, ==, 0);
      g_assert_cmpint (c->both_wrong_different, ==, 0);
      g_assert_cmpfloat (c->agreement, ==, 1.0);
      for (guint i = 0; i < c->k * c->k; i++)
        g_assert_cmpint (c->confusion_delta[i], ==, 0);
      for (gint64 i = 0; i < sc->n; i++)
        {
          g_assert_true (sc->kl[i] == 0 && sc->mse[i] == 0 && sc->dprob[i] == 0 && sc->dmargin[i] == 0);
          finite++;
        }
      g_assert_cmpint (finite, ==, base->in.n);
    }
}

/* ---- scores ------------------------------------------------------------------------------------ */

static void
test_scores (void)
{
  static const char * const names[] = { "kl", "dprob", "mse", "dmargin" };
  static const char * const summary[] = { "kl_bits", "dprob", "mse", "dmargin" };
  static const CncScore which[] = { CNC_SCORE_KL, CNC_SCORE_DPROB, CNC_SCORE_MSE, CNC_SCORE_DMARGIN };
  /* KL and Δmargin come from float32 arithmetic on the half logits; NumPy's from float64. */
  static const double atol[] = { 2e-5, 0, 1e-6, 2e-6 };
  static const double rtol[] = { 2e-4, 0, 2e-6, 1e-4 };

  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_autoptr(Model) base = model_load (sets[s], "base");
      g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) model_free);
      g_autofree CncCompareInput *inputs = g_new0 (CncCompareInput, G_N_ELEMENTS (compared));
      g_autoptr(GPtrArray) all = NULL;
      g_autoptr(GError) error = NULL;

      for (guint m = 0; m < G_N_ELEMENTS (compared); m++)
        {
          Model *model = model_load (sets[s], compared[m]);
          g_ptr_array_add (models, model);
          inputs[m] = model->in;
        }
      all = cnc_change_scores_compute_many (&base->in, inputs, G_N_ELEMENTS (compared), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (compared));
      for (guint m = 0; m < G_N_ELEMENTS (compared); m++)
        {
          g_autofree char *file = g_strdup_printf ("ref_%s_scores.npy", compared[m]);
          g_autoptr(Npy) ref = npy_load (sets[s], file);
          const double *r = ref->data;
          CncChangeScores *sc = all->pdata[m];
          JsonObject *rm = ref_model (sets[s], compared[m]);
          gint64 n = base->in.n;

          g_assert_cmpstr (ref->descr, ==, "<f8");
          g_assert_cmpint (ref->shape[1], ==, n);
          for (guint q = 0; q < 4; q++)
            {
              const float *v = cnc_change_scores_get (sc, which[q]);
              double mean, max;
              gint64 count;

              for (gint64 i = 0; i < n; i++)
                if (!close_enough (v[i], r[q * n + i], atol[q], rtol[q]))
                  g_error ("%s: %s of base vs %s, instance %" G_GINT64_FORMAT ": %.9g, expected %.9g",
                           sets[s], names[q], compared[m], i, v[i], r[q * n + i]);
              cnc_change_scores_summarize (sc, which[q], &mean, &max, &count);
              g_assert_cmpint (count, ==, json_object_get_int_member (json_object_get_object_member (rm, "score_counts"), summary[q]));
              assert_close (mean, ref_double (json_object_get_member (json_object_get_object_member (rm, "score_means"), summary[q])),
                            atol[q], rtol[q], summary[q]);
              assert_close (max, ref_double (json_object_get_member (json_object_get_object_member (rm, "score_max"), summary[q])),
                            atol[q] * 10, rtol[q], summary[q]);
            }
        }
    }
}

/* Without logits, only dprob is there (from the stored probabilities). */
static void
test_scores_without_logits (void)
{
  g_autoptr(Model) base = model_load ("k10", "base");
  g_autoptr(Model) m1 = model_load ("k10", "m1");
  g_autoptr(Npy) ref = npy_load ("k10", "ref_m1_scores.npy");
  g_autoptr(CncChangeScores) sc = NULL;
  const double *r = ref->data;

  base->in.logits = NULL;
  sc = cnc_change_scores_compute (&base->in, &m1->in, NULL);
  g_assert_nonnull (sc);
  for (gint64 i = 0; i < sc->n; i++)
    {
      g_assert_true (isnan (sc->kl[i]) && isnan (sc->mse[i]) && isnan (sc->dmargin[i]));
      g_assert_cmpfloat (sc->dprob[i], ==, (float) r[sc->n + i]);
    }
}

/* Refusals name both models and what differs. */
static void
test_mismatch (void)
{
  g_autoptr(Model) b10 = model_load ("k10", "base");
  g_autoptr(Model) m20 = model_load ("k20", "m1");
  g_autoptr(Model) m10 = model_load ("k10", "m1");
  g_autoptr(GError) error = NULL;
  g_autofree gint16 *labels = NULL;
  CncCompareInput shorter, relabelled;

  b10->in.name = "resnet";
  m20->in.name = "resnet-pruned";
  g_assert_null (cnc_prediction_change_compute (&b10->in, &m20->in, &error));
  g_assert_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "resnet (10 classes)"));
  g_assert_nonnull (strstr (error->message, "resnet-pruned (20 classes)"));
  g_clear_error (&error);
  g_assert_null (cnc_change_scores_compute (&b10->in, &m20->in, &error));
  g_assert_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISMATCH);
  g_clear_error (&error);

  shorter = m10->in;
  shorter.n -= 1;
  g_assert_null (cnc_prediction_change_compute (&b10->in, &shorter, &error));
  g_assert_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "5003 instances"));
  g_clear_error (&error);

  relabelled = m10->in;
  labels = g_memdup2 (m10->in.labels, m10->in.n * sizeof (gint16));
  labels[100] = (labels[100] + 1) % 10;
  relabelled.labels = labels;
  g_assert_null (cnc_prediction_change_compute (&b10->in, &relabelled, &error));
  g_assert_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "different true labels"));
}

/* A hand-made case: tiny, every kind of instance, the large-K path too. */
static void
test_hand_made (void)
{
  /* label, B, M:  0 0 0 both correct | 1 1 0 broken | 2 0 2 fixed | 1 0 0 both wrong same |
   *               2 1 0 both wrong different | 0 5 0 invalid (B outside) */
  const gint16 labels[] = { 0, 1, 2, 1, 2, 0 };
  const gint16 pb[] = { 0, 1, 0, 0, 1, 5 };
  const gint16 pm[] = { 0, 0, 2, 0, 0, 0 };
  CncCompareInput b = { "b", 6, 3, labels, pb, NULL, NULL }, m = { "m", 6, 3, labels, pm, NULL, NULL };
  g_autoptr(CncPredictionChange) c = cnc_prediction_change_compute (&b, &m, NULL);

  g_assert_cmpint (c->invalid, ==, 1);
  g_assert_cmpint (c->valid, ==, 5);
  g_assert_cmpint (c->both_correct, ==, 1);
  g_assert_cmpint (c->broken, ==, 1);
  g_assert_cmpint (c->fixed, ==, 1);
  g_assert_cmpint (c->both_wrong_same, ==, 1);
  g_assert_cmpint (c->both_wrong_different, ==, 1);
  g_assert_cmpint (c->agree, ==, 2);
  g_assert_cmpint (c->change[1 * 3 + 0], ==, 2);   /* B 1 ▸ M 0 twice */
  g_assert_cmpint (c->change[0 * 3 + 2], ==, 1);
  g_assert_cmpint (c->class_count[0], ==, 1);
  g_assert_cmpfloat (c->class_accuracy_b[1], ==, 0.5);
  g_assert_cmpfloat (c->class_accuracy_m[1], ==, 0.0);
  g_assert_cmpfloat (c->class_accuracy_delta[2], ==, 0.5);
}

/* ---- instance queries -------------------------------------------------------------------------- */

static CncChangeScores *
scores_from (const char *set,
             const char *model,
             const char *score)
{
  g_autofree char *file = g_strdup_printf ("ref_%s_scores32.npy", model);
  g_autoptr(Npy) ref = npy_load (set, file);
  gint64 n = ref->shape[1];
  CncChangeScores *s = cnc_change_scores_new (n);
  const float *r = ref->data;

  memcpy (s->kl, r, n * sizeof (float));
  memcpy (s->dprob, r + n, n * sizeof (float));
  memcpy (s->mse, r + 2 * n, n * sizeof (float));
  memcpy (s->dmargin, r + 3 * n, n * sizeof (float));
  if (g_str_equal (score, "ties"))
    {
      g_autoptr(Npy) ties = npy_load (set, "ties.npy");
      memcpy (s->dprob, ties->data, n * sizeof (float));
    }
  return s;
}

static void
run_query (Model      *base,
           Model      *model,
           const char *set,
           JsonObject *q)
{
  const char *score_name = json_object_get_string_member (q, "score");
  const char *order_name = json_object_get_string_member (q, "order");
  JsonObject *f = json_object_get_object_member (q, "filter");
  JsonArray *expected = json_object_get_array_member (q, "indices");
  g_autoptr(CncChangeScores) s = scores_from (set, model->in.name, score_name);
  g_autoptr(CncInstanceQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *page = NULL;
  CncInstanceFilter filter;
  CncScore score = CNC_SCORE_DPROB;
  CncSortOrder order;
  guint limit = (guint) json_object_get_int_member (q, "limit"), got;

  if (!g_str_equal (score_name, "ties"))
    g_assert_true (cnc_score_from_string (score_name, &score));
  order = g_str_equal (order_name, "asc") ? CNC_SORT_ASCENDING
          : g_str_equal (order_name, "desc") ? CNC_SORT_DESCENDING : CNC_SORT_DEFAULT;
  cnc_instance_filter_init (&filter);
  if (json_object_has_member (f, "class"))
    filter.true_class = (gint) json_object_get_int_member (f, "class");
  if (json_object_has_member (f, "cell"))
    {
      filter.base_predicted = (gint) json_array_get_int_element (json_object_get_array_member (f, "cell"), 0);
      filter.model_predicted = (gint) json_array_get_int_element (json_object_get_array_member (f, "cell"), 1);
    }
  if (json_object_has_member (f, "flip"))
    g_assert_true (cnc_flip_from_string (json_object_get_string_member (f, "flip"), &filter.flip));

  query = cnc_instance_query_new (&base->in, &model->in, s, &filter, score, order, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnc_instance_query_get_count (query), ==, json_object_get_int_member (q, "count"));
  page = g_new (gint64, MAX (limit, 1));
  got = cnc_instance_query_get_page (query, json_object_get_int_member (q, "offset"), limit, page);
  g_assert_cmpuint (got, ==, json_array_get_length (expected));
  for (guint i = 0; i < got; i++)
    if (page[i] != json_array_get_int_element (expected, i))
      g_error ("%s vs %s, sort %s %s, offset %" G_GINT64_FORMAT ": position %u is %" G_GINT64_FORMAT
               ", expected %" G_GINT64_FORMAT, set, model->in.name, score_name, order_name,
               json_object_get_int_member (q, "offset"), i, page[i], json_array_get_int_element (expected, i));
}

static void
test_queries (void)
{
  guint checked = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_autoptr(Model) base = model_load (sets[s], "base");

      for (guint m = 0; m < 2; m++)
        {
          g_autoptr(Model) model = model_load (sets[s], compared[m]);
          JsonArray *queries = json_object_get_array_member (ref_model (sets[s], compared[m]), "queries");

          for (guint i = 0; i < json_array_get_length (queries); i++, checked++)
            run_query (base, model, sets[s], json_array_get_object_element (queries, i));
        }
    }
  g_assert_cmpuint (checked, >, 100);
}

/* Scrolling: page after page on one query gives NumPy's whole order, with small and large steps. */
static void
test_scrolling (void)
{
  g_autoptr(Model) base = model_load ("k10", "base");
  g_autoptr(Model) m2 = model_load ("k10", "m2");
  JsonArray *queries = json_object_get_array_member (ref_model ("k10", "m2"), "queries");
  static const guint steps[] = { 1, 37, 97, 1000 };

  for (guint i = 0; i < json_array_get_length (queries); i++)
    {
      JsonObject *q = json_array_get_object_element (queries, i);
      JsonArray *expected = json_object_get_array_member (q, "indices");

      if (json_object_get_int_member (q, "limit") < 5003 || json_object_get_size (json_object_get_object_member (q, "filter")))
        continue;
      for (guint st = 0; st < G_N_ELEMENTS (steps); st++)
        {
          const char *score_name = json_object_get_string_member (q, "score");
          g_autoptr(CncChangeScores) s = scores_from ("k10", "m2", score_name);
          CncScore score = CNC_SCORE_DPROB;
          const char *order_name = json_object_get_string_member (q, "order");
          CncSortOrder order = g_str_equal (order_name, "asc") ? CNC_SORT_ASCENDING
                               : g_str_equal (order_name, "desc") ? CNC_SORT_DESCENDING : CNC_SORT_DEFAULT;
          g_autoptr(CncInstanceQuery) query = NULL;
          g_autofree gint64 *page = g_new (gint64, steps[st]);
          gint64 at = 0;
          guint got;

          if (!g_str_equal (score_name, "ties"))
            g_assert_true (cnc_score_from_string (score_name, &score));
          query = cnc_instance_query_new (&base->in, &m2->in, s, NULL, score, order, NULL);
          while ((got = cnc_instance_query_get_page (query, at, steps[st], page)) > 0)
            {
              for (guint j = 0; j < got; j++)
                g_assert_cmpint (page[j], ==, json_array_get_int_element (expected, at + j));
              at += got;
            }
          g_assert_cmpint (at, ==, json_array_get_length (expected));
        }
    }
}

static void
test_query_errors (void)
{
  g_autoptr(Model) base = model_load ("k10", "base");
  g_autoptr(Model) m1 = model_load ("k10", "m1");
  g_autoptr(GError) error = NULL;
  CncInstanceFilter filter;

  cnc_instance_filter_init (&filter);
  filter.true_class = 10;
  g_assert_null (cnc_instance_query_new (&base->in, &m1->in, NULL, &filter, CNC_SCORE_NONE, CNC_SORT_DEFAULT, &error));
  g_assert_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "classes 0 to 9"));
  g_clear_error (&error);
  g_assert_null (cnc_instance_query_new (&base->in, &m1->in, NULL, NULL, CNC_SCORE_KL, CNC_SORT_DEFAULT, &error));
  g_assert_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISSING);
}

/* ---- the commands ------------------------------------------------------------------------------ */

typedef struct {
  char         *dir;
  char         *ws_dir;
  CncWorkspace *ws;
} Fixture;

static const char *fashion[] = { "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                                 "Bag", "Ankle boot", NULL };

static void
store_model (Fixture    *f,
             const char *set,
             const char *name,
             const char *as,
             gint64      dataset)
{
  g_autoptr(Model) m = model_load (set, name);
  g_autoptr(CncModel) model = cnc_workspace_find_model (f->ws, as, NULL);
  g_autoptr(CncPredictions) p = g_new0 (CncPredictions, 1);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (model);
  p->model = model->id;
  p->dataset = dataset;
  p->split = g_strdup ("test");
  p->n = m->in.n;
  p->k = m->in.k;
  p->device = g_strdup ("cpu");
  p->threads = 1;
  p->batch = 256;
  p->labels = g_memdup2 (m->labels->data, p->n * sizeof (gint16));
  p->predicted = g_memdup2 (m->predicted->data, p->n * sizeof (gint16));
  p->top5 = g_memdup2 (m->top5->data, p->n * 5 * sizeof (gint16));
  p->p_true = g_memdup2 (m->p_true->data, p->n * sizeof (float));
  p->p_max = g_memdup2 (m->p_max->data, p->n * sizeof (float));
  p->logits = g_memdup2 (m->logits->data, p->n * p->k * sizeof (guint16));
  g_assert_true (cnc_workspace_begin (f->ws, &error));
  g_assert_true (cnc_predictions_store (f->ws, p, 0, &error));
  g_assert_true (cnc_workspace_commit (f->ws, &error));
  g_assert_no_error (error);
}

/* One workspace for all the command tests (they only read it), made on first use. */
static Fixture shared;

static void
shared_set_up (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *images = g_build_filename (fixtures, "k10", "images.npy", NULL);
  g_autofree char *labels = g_build_filename (fixtures, "k10", "labels.npy", NULL);
  g_autofree char *models_json = NULL;
  g_autoptr(CncDataset) ds = NULL;
  CncDatasetSource source = { images, labels, "test", fashion, NULL };
  const char *argv[] = { "-w", NULL, "import-json", NULL, NULL };
  gint64 dataset;

  f->dir = cnc_test_tmpdir ("compare");
  f->ws_dir = g_build_filename (f->dir, "ws", NULL);
  f->ws = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  models_json = cnc_test_write_file (f->dir, "models.json",
    "{\"metrics\": [], \"operations\": [{\"name\": \"prune\", \"parameters\": [\"amount\"]}],"
    " \"models\": [{\"id\": \"base\"}, {\"id\": \"m1\", \"base\": \"base\","
    " \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.3}}},"
    " {\"id\": \"m2\", \"base\": \"base\", \"operation\": {\"name\": \"prune\", \"parameters\": {\"amount\": 0.7}}},"
    " {\"id\": \"same\", \"base\": \"base\"}, {\"id\": \"wide\"}, {\"id\": \"never\"}]}");
  argv[1] = f->ws_dir;
  argv[3] = models_json;
  g_assert_cmpint (cnc_test_run_cli (argv, NULL, NULL), ==, 0);

  g_assert_true (cnc_dataset_add (f->ws, "synthetic", &source, &error));
  g_assert_no_error (error);
  ds = cnc_dataset_open (f->ws, "synthetic", "test", &error);
  g_assert_no_error (error);
  dataset = cnc_dataset_get_id (ds);
  store_model (f, "k10", "base", "base", dataset);
  store_model (f, "k10", "m1", "m1", dataset);
  store_model (f, "k10", "m2", "m2", dataset);
  store_model (f, "k10", "same", "same", dataset);
  store_model (f, "k20", "m1", "wide", dataset);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  if (shared.ws == NULL)
    shared_set_up (&shared);
  *f = shared;
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
}

static void
shared_tear_down (void)
{
  if (shared.ws == NULL)
    return;
  g_clear_object (&shared.ws);
  cnc_test_rmtree (shared.dir);
  g_free (shared.ws_dir);
  g_free (shared.dir);
}

static JsonNode *
run_json (Fixture            *f,
          const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  int status;

  g_ptr_array_add (argv, (char *) "-w");
  g_ptr_array_add (argv, f->ws_dir);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, (char *) "--json");
  g_ptr_array_add (argv, NULL);
  status = cnc_test_run_cli ((const char * const *) argv->pdata, &out, &err);
  if (status != 0)
    g_error ("compress-compare %s failed (%d): %s", args[0], status, err);
  return cnc_test_parse_json (out);
}

static void
check_matrix_json (JsonArray  *got,
                   JsonArray  *expected,
                   const char *what)
{
  g_autoptr(GString) where = g_string_new (what);
  g_autoptr(JsonNode) a = json_node_init_array (json_node_alloc (), got);
  g_autoptr(JsonNode) b = json_node_init_array (json_node_alloc (), expected);

  if (!cnc_test_json_equivalent (a, b, where))
    g_error ("%s", where->str);
}

static void
test_cli_compare (Fixture      *f,
                  gconstpointer data)
{
  const char *args[] = { "compare", "base", "m1", "m2", "same", "--top", "0", NULL };
  g_autoptr(JsonNode) doc = run_json (f, args);
  JsonObject *root = json_node_get_object (doc);
  JsonArray *models = json_object_get_array_member (root, "models");

  g_assert_cmpstr (json_object_get_string_member (root, "base"), ==, "base");
  g_assert_cmpstr (json_object_get_string_member (root, "dataset"), ==, "synthetic");
  g_assert_cmpstr (json_object_get_string_member (root, "split"), ==, "test");
  g_assert_cmpint (json_object_get_int_member (root, "n"), ==, 5003);
  g_assert_cmpint (json_object_get_int_member (root, "k"), ==, 10);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (root, "classes"), 9), ==, "Ankle boot");
  g_assert_cmpstr (json_object_get_string_member (root, "margin"), ==, "probability");
  g_assert_cmpuint (json_array_get_length (models), ==, 3);
  for (guint m = 0; m < 3; m++)
    {
      JsonObject *got = json_array_get_object_element (models, m);
      JsonObject *r = ref_model ("k10", compared[m]);
      JsonObject *flips = json_object_get_object_member (got, "flips");
      JsonArray *per_class = json_object_get_array_member (got, "per_class");
      JsonArray *transitions = json_object_get_array_member (got, "transitions");
      JsonArray *rt = json_object_get_array_member (r, "transitions");
      JsonObject *scores = json_object_get_object_member (got, "scores");
      static const char * const summary[] = { "kl_bits", "dprob", "mse", "dmargin" };
      static const double tol[] = { 2e-4, 1e-6, 2e-6, 1e-4 };

      g_assert_cmpstr (json_object_get_string_member (got, "name"), ==, compared[m]);
      g_assert_cmpint (json_object_get_int_member (got, "valid"), ==, ref_int (r, "valid"));
      g_assert_cmpint (json_object_get_int_member (got, "invalid"), ==, ref_int (r, "invalid"));
      assert_close (json_object_get_double_member (got, "base_accuracy"), json_object_get_double_member (r, "accuracy_base"), 0, 1e-12, "base_accuracy");
      assert_close (json_object_get_double_member (got, "accuracy"), json_object_get_double_member (r, "accuracy_model"), 0, 1e-12, "accuracy");
      assert_close (json_object_get_double_member (got, "agreement"), json_object_get_double_member (r, "agreement"), 0, 1e-12, "agreement");
      g_assert_cmpint (json_object_get_int_member (flips, "both_correct"), ==, ref_int (r, "both_correct"));
      g_assert_cmpint (json_object_get_int_member (flips, "both_wrong_same"), ==, ref_int (r, "both_wrong_same"));
      g_assert_cmpint (json_object_get_int_member (flips, "both_wrong_different"), ==, ref_int (r, "both_wrong_different"));
      g_assert_cmpint (json_object_get_int_member (flips, "broken"), ==, ref_int (r, "broken"));
      g_assert_cmpint (json_object_get_int_member (flips, "fixed"), ==, ref_int (r, "fixed"));
      g_assert_cmpint (json_object_get_int_member (flips, "agree"), ==, ref_int (r, "agree"));
      check_matrix_json (json_object_get_array_member (got, "change_matrix"), json_object_get_array_member (r, "change"), "change_matrix");
      check_matrix_json (json_object_get_array_member (got, "confusion_base"), json_object_get_array_member (r, "confusion_base"), "confusion_base");
      check_matrix_json (json_object_get_array_member (got, "confusion_model"), json_object_get_array_member (r, "confusion_model"), "confusion_model");
      check_matrix_json (json_object_get_array_member (got, "confusion_delta"), json_object_get_array_member (r, "confusion_delta"), "confusion_delta");
      for (guint t = 0; t < 10; t++)
        {
          JsonObject *pc = json_array_get_object_element (per_class, t);
          g_assert_cmpint (json_object_get_int_member (pc, "class"), ==, t);
          g_assert_cmpstr (json_object_get_string_member (pc, "name"), ==, fashion[t]);
          g_assert_cmpint (json_object_get_int_member (pc, "count"), ==,
                           json_array_get_int_element (json_object_get_array_member (r, "class_count"), t));
          assert_close (ref_double (json_object_get_member (pc, "base_accuracy")),
                        ref_double (json_array_get_element (json_object_get_array_member (r, "class_accuracy_base"), t)), 0, 1e-12, "class base_accuracy");
          assert_close (ref_double (json_object_get_member (pc, "accuracy")),
                        ref_double (json_array_get_element (json_object_get_array_member (r, "class_accuracy_model"), t)), 0, 1e-12, "class accuracy");
          assert_close (ref_double (json_object_get_member (pc, "delta")),
                        ref_double (json_array_get_element (json_object_get_array_member (r, "class_accuracy_delta"), t)), 0, 1e-12, "class delta");
        }
      /* Class 7 never occurs: null, not 0. */
      g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_array_get_object_element (per_class, 7), "accuracy")));
      g_assert_cmpuint (json_array_get_length (transitions), ==, json_array_get_length (rt));
      for (guint t = 0; t < json_array_get_length (rt); t++)
        {
          JsonObject *a = json_array_get_object_element (transitions, t), *e = json_array_get_object_element (rt, t);
          g_assert_cmpint (json_object_get_int_member (a, "from"), ==, ref_int (e, "from"));
          g_assert_cmpint (json_object_get_int_member (a, "to"), ==, ref_int (e, "to"));
          g_assert_cmpstr (json_object_get_string_member (a, "from_name"), ==, fashion[ref_int (e, "from")]);
          g_assert_cmpint (json_object_get_int_member (a, "count"), ==, ref_int (e, "count"));
          assert_close (json_object_get_double_member (a, "rate"), json_object_get_double_member (e, "rate"), 0, 1e-12, "rate");
          assert_close (json_object_get_double_member (a, "rate_of_from"), json_object_get_double_member (e, "rate_of_from"), 0, 1e-12, "rate_of_from");
        }
      for (guint q = 0; q < 4; q++)
        {
          JsonObject *sc = json_object_get_object_member (scores, summary[q]);
          assert_close (ref_double (json_object_get_member (sc, "mean")),
                        ref_double (json_object_get_member (json_object_get_object_member (r, "score_means"), summary[q])),
                        tol[q] / 10, tol[q], summary[q]);
          g_assert_cmpint (json_object_get_int_member (sc, "count"), ==,
                           json_object_get_int_member (json_object_get_object_member (r, "score_counts"), summary[q]));
        }
    }
}

static void
test_cli_instances (Fixture      *f,
                    gconstpointer data)
{
  /* dprob is the same float32 subtraction here and in NumPy: pages must match exactly. */
  static const char * const flips[] = { NULL, "broken", "fixed", "changed" };
  JsonArray *queries = json_object_get_array_member (ref_model ("k10", "m2"), "queries");
  g_autoptr(Npy) ref = npy_load ("k10", "ref_m2_scores32.npy");
  const float *r = ref->data;
  gint64 n = ref->shape[1];

  for (guint i = 0; i < json_array_get_length (queries); i++)
    {
      JsonObject *q = json_array_get_object_element (queries, i);
      JsonObject *flt = json_object_get_object_member (q, "filter");
      const char *flip = json_object_has_member (flt, "flip") ? json_object_get_string_member (flt, "flip") : NULL;
      g_autofree char *limit = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (q, "limit"));
      g_autofree char *offset = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (q, "offset"));
      g_autofree char *klass = NULL, *cell = NULL;
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(JsonNode) doc = NULL;
      JsonObject *root;
      JsonArray *got, *expected = json_object_get_array_member (q, "indices");
      gboolean wanted = FALSE;

      if (!g_str_equal (json_object_get_string_member (q, "score"), "kl")
          || !g_str_equal (json_object_get_string_member (q, "order"), "default"))
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (flips); j++)
        wanted |= g_strcmp0 (flip, flips[j]) == 0;
      if (!wanted || json_object_get_int_member (q, "limit") > 100)
        continue;
      g_ptr_array_add (args, (char *) "instances");
      g_ptr_array_add (args, (char *) "base");
      g_ptr_array_add (args, (char *) "m2");
      g_ptr_array_add (args, (char *) "--sort");
      g_ptr_array_add (args, (char *) "kl");
      g_ptr_array_add (args, (char *) "--limit");
      g_ptr_array_add (args, limit);
      g_ptr_array_add (args, (char *) "--offset");
      g_ptr_array_add (args, offset);
      if (flip)
        {
          g_ptr_array_add (args, (char *) "--flip");
          g_ptr_array_add (args, (char *) flip);
        }
      if (json_object_has_member (flt, "class"))
        {
          klass = g_strdup (fashion[json_object_get_int_member (flt, "class")]);   /* by name */
          g_ptr_array_add (args, (char *) "--class");
          g_ptr_array_add (args, klass);
        }
      if (json_object_has_member (flt, "cell"))
        {
          JsonArray *c = json_object_get_array_member (flt, "cell");
          cell = g_strdup_printf ("%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, json_array_get_int_element (c, 0),
                                  json_array_get_int_element (c, 1));
          g_ptr_array_add (args, (char *) "--cell");
          g_ptr_array_add (args, cell);
        }
      g_ptr_array_add (args, NULL);
      doc = run_json (f, (const char * const *) args->pdata);
      root = json_node_get_object (doc);
      got = json_object_get_array_member (root, "instances");
      g_assert_cmpint (json_object_get_int_member (root, "total"), ==, json_object_get_int_member (q, "count"));
      g_assert_cmpstr (json_object_get_string_member (root, "order"), ==, "desc");
      g_assert_cmpuint (json_array_get_length (got), ==, json_array_get_length (expected));
      /* KL here is the CLI's float32 computation, NumPy's is float64: equal orders up to near-ties. */
      for (guint j = 0; j < json_array_get_length (got); j++)
        {
          JsonObject *inst = json_array_get_object_element (got, j);
          gint64 idx = json_object_get_int_member (inst, "index");
          gint64 want = json_array_get_int_element (expected, j);
          double kl = ref_double (json_object_get_member (inst, "kl_bits"));

          assert_close (kl, r[idx], 2e-5, 2e-4, "kl_bits of a listed instance");
          assert_close (kl, r[want], 2e-5, 2e-4, "kl_bits at the expected position");
          assert_close (ref_double (json_object_get_member (inst, "dprob")), r[n + idx], 0, 0, "dprob");
        }
    }

  /* The same through dprob, exactly, with a class filter by index. */
  {
    const char *args[] = { "instances", "base", "m1", "--sort", "dprob", "--class", "3", "--limit", "50", NULL };
    g_autoptr(JsonNode) doc = run_json (f, args);
    JsonArray *got = json_object_get_array_member (json_node_get_object (doc), "instances");
    g_autoptr(Npy) r1 = npy_load ("k10", "ref_m1_scores32.npy");
    const float *d = (const float *) r1->data + r1->shape[1];
    g_autoptr(Npy) labels = npy_load ("k10", "labels.npy");
    const gint16 *lab = labels->data;
    float prev = -INFINITY;
    gint64 count = 0;

    for (gint64 i = 0; i < r1->shape[1]; i++)
      count += lab[i] == 3;
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (doc), "total"), ==, count);
    g_assert_cmpuint (json_array_get_length (got), ==, 50);
    for (guint j = 0; j < 50; j++)
      {
        JsonObject *inst = json_array_get_object_element (got, j);
        gint64 idx = json_object_get_int_member (inst, "index");
        g_assert_cmpint (json_object_get_int_member (inst, "label"), ==, 3);
        g_assert_cmpfloat (json_object_get_double_member (inst, "dprob"), ==, d[idx]);
        g_assert_cmpfloat (d[idx], >=, prev);
        prev = d[idx];
      }
  }
}

static void
test_cli_refusals (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *before = cnc_workspace_fingerprint (f->ws, NULL);
  g_autofree char *after = NULL;
  struct {
    const char *args[8];
    int         status;
    const char *message;
  } cases[] = {
    { { "compare", "base", "wide", NULL }, 1, "base (10 classes) with wide (20 classes)" },
    { { "compare", "base", "never", NULL }, 1, "“never” has not been evaluated on synthetic split test" },
    { { "compare", "base", "nosuch", NULL }, 1, "nosuch" },
    { { "compare", "base", "m1", "--dataset", "nosuch", NULL }, 1, "No dataset named “nosuch”" },
    { { "compare", "base", NULL }, 2, "at least one model" },
    { { "instances", "base", "m1", "--flip", "sideways", NULL }, 2, "unknown flip kind “sideways”" },
    { { "instances", "base", "m1", "--sort", "loss", NULL }, 2, "unknown score “loss”" },
    { { "instances", "base", "m1", "--cell", "1", NULL }, 2, "--cell needs two classes" },
    { { "instances", "base", "m1", "--class", "Hat", NULL }, 2, "no class “Hat”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL, *err = NULL;

      g_ptr_array_add (argv, (char *) "-w");
      g_ptr_array_add (argv, f->ws_dir);
      for (guint j = 0; cases[i].args[j]; j++)
        g_ptr_array_add (argv, (char *) cases[i].args[j]);
      g_ptr_array_add (argv, NULL);
      g_assert_cmpint (cnc_test_run_cli ((const char * const *) argv->pdata, &out, &err), ==, cases[i].status);
      if (strstr (err, cases[i].message) == NULL)
        g_error ("%s: expected “%s” in: %s", cases[i].args[0], cases[i].message, err);
      g_assert_cmpuint (strchr (err, '\n') - err + 1, ==, strlen (err));   /* one line */
      g_assert_cmpstr (out, ==, "");
    }
  after = cnc_workspace_fingerprint (f->ws, NULL);
  g_assert_cmpstr (before, ==, after);
}

/* What people read: one number format ("87.3%", "−1.2 pp"), "—" for a class that never occurs. */
static void
test_cli_text (Fixture      *f,
               gconstpointer data)
{
  const char *args[] = { "-w", f->ws_dir, "compare", "base", "m1", NULL };
  const char *inst[] = { "-w", f->ws_dir, "instances", "base", "m1", "--flip", "broken", "--limit", "3", NULL };
  g_autofree char *out = NULL, *out2 = NULL;
  JsonObject *r = ref_model ("k10", "m1");
  g_autofree char *acc = g_strdup_printf ("%.1f%%", json_object_get_double_member (r, "accuracy_base") * 100);
  double d = (json_object_get_double_member (r, "accuracy_model") - json_object_get_double_member (r, "accuracy_base")) * 100;
  g_autofree char *change = g_strdup_printf ("%s%.1f pp", d > 0 ? "+" : "−", fabs (d));
  g_autofree char *broken = g_strdup_printf ("broken        %" G_GINT64_FORMAT, ref_int (r, "broken"));
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT " instances, 1–3 shown", ref_int (r, "broken"));

  g_assert_cmpint (cnc_test_run_cli (args, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Base base on synthetic, split test: 5003 instances, 10 classes"));
  g_assert_nonnull (strstr (out, acc));
  g_assert_nonnull (strstr (out, change));
  g_assert_nonnull (strstr (out, broken));
  g_assert_nonnull (strstr (out, "Sneaker"));
  g_assert_nonnull (strstr (out, "—"));
  g_assert_null (strstr (out, "∞"));
  g_assert_null (strstr (out, "nan"));
  g_assert_cmpint (cnc_test_run_cli (inst, &out2, NULL), ==, 0);
  g_assert_nonnull (strstr (out2, count));
  g_assert_nonnull (strstr (out2, "sorted by kl (largest first)"));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *ref_path = NULL, *text = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fixtures = cnc_test_tmpdir ("compare-fixtures");
  {
    const char *make_args[] = { fixtures, "20251128", NULL };
    const char *ref_args[] = { fixtures, NULL };
    if (!cnc_test_run_python ("make-compare-fixtures.py", make_args)
        || !cnc_test_run_python ("compare_reference.py", ref_args))
      {
        cnc_test_rmtree (fixtures);
        return 77;
      }
  }
  ref_path = g_build_filename (fixtures, "reference.json", NULL);
  g_assert_true (g_file_get_contents (ref_path, &text, NULL, NULL));
  reference = cnc_test_parse_json (text);

  g_test_add_func ("/compare/counts", test_counts);
  g_test_add_func ("/compare/missing-class", test_missing_class);
  g_test_add_func ("/compare/identical", test_identical);
  g_test_add_func ("/compare/hand-made", test_hand_made);
  g_test_add_func ("/compare/mismatch", test_mismatch);
  g_test_add_func ("/compare/scores", test_scores);
  g_test_add_func ("/compare/scores-without-logits", test_scores_without_logits);
  g_test_add_func ("/instances/queries", test_queries);
  g_test_add_func ("/instances/scrolling", test_scrolling);
  g_test_add_func ("/instances/errors", test_query_errors);
  g_test_add ("/cli/compare", Fixture, NULL, fixture_set_up, test_cli_compare, fixture_tear_down);
  g_test_add ("/cli/instances", Fixture, NULL, fixture_set_up, test_cli_instances, fixture_tear_down);
  g_test_add ("/cli/refusals", Fixture, NULL, fixture_set_up, test_cli_refusals, fixture_tear_down);
  g_test_add ("/cli/text", Fixture, NULL, fixture_set_up, test_cli_text, fixture_tear_down);
  status = g_test_run ();
  shared_tear_down ();
  json_node_unref (reference);
  cnc_test_rmtree (fixtures);
  g_free (fixtures);
  return status;
}
