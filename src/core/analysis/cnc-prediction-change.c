/* cnc-prediction-change.c
 * Prediction changes between a base model B and a model M: counts in one pass, change scores in vector code.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-compare"

#include "cnc-prediction-change.h"

#include <math.h>
#include <string.h>

#include "core/cnc-core-enums.h"
#include "core/cnc-enum-names.h"

/* GCC reports returning 32-byte vectors at the end of the file, out of reach of a push/pop. */
#pragma GCC diagnostic ignored "-Wpsabi"

G_DEFINE_QUARK (cnc-compare-error-quark, cnc_compare_error)

/* A K×K matrix of 64-bit counts per model pair: 4096² × 8 bytes is already 128 MiB. */
#define MAX_CLASSES 4096

void
cnc_compare_input_init (CncCompareInput      *input,
                        const CncPredictions *p,
                        const char           *name)
{
  g_return_if_fail (input != NULL && p != NULL);

  input->name = name;
  input->n = p->n;
  input->k = p->k;
  input->labels = p->labels;
  input->predicted = p->predicted;
  input->p_true = p->p_true;
  input->logits = p->logits;
}

static const char *
name_of (const CncCompareInput *in)
{
  return in->name ? in->name : "the model";
}

gboolean
cnc_compare_check (const CncCompareInput *b,
                   const CncCompareInput *m,
                   GError               **error)
{
  g_return_val_if_fail (b != NULL && m != NULL, FALSE);

  if (b->k != m->k)
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISMATCH,
                   "Cannot compare %s (%u classes) with %s (%u classes): the class counts differ",
                   name_of (b), b->k, name_of (m), m->k);
      return FALSE;
    }
  if (b->k == 0 || b->k > MAX_CLASSES)
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_INVALID,
                   "Cannot compare %s and %s: %u classes (1 to %u can be compared)",
                   name_of (b), name_of (m), b->k, MAX_CLASSES);
      return FALSE;
    }
  if (b->n != m->n)
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISMATCH,
                   "Cannot compare %s (%" G_GINT64_FORMAT " instances) with %s (%" G_GINT64_FORMAT
                   " instances): they were evaluated on different data",
                   name_of (b), b->n, name_of (m), m->n);
      return FALSE;
    }
  if (b->n > 0 && (b->labels == NULL || m->labels == NULL || b->predicted == NULL || m->predicted == NULL))
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISSING,
                   "Cannot compare %s with %s: their labels or predictions were not loaded",
                   name_of (b), name_of (m));
      return FALSE;
    }
  if (b->labels != m->labels && b->n > 0
      && memcmp (b->labels, m->labels, (gsize) b->n * sizeof (gint16)) != 0)
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISMATCH,
                   "Cannot compare %s with %s: their evaluations have different true labels "
                   "(not the same instances in the same order)",
                   name_of (b), name_of (m));
      return FALSE;
    }
  return TRUE;
}

/* ---- running over ranges on a few threads ---------------------------------------------------- */

#define MAX_PARTS 8

typedef void (*RangeFunc) (gint64 start, gint64 end, guint part, gpointer data);

typedef struct {
  RangeFunc func;
  gpointer  data;
  gint64    start, end;
  guint     part;
} RangeJob;

static gpointer
range_job_run (gpointer p)
{
  RangeJob *job = p;

  job->func (job->start, job->end, job->part, job->data);
  return NULL;
}

/* How many parts run_parallel will cut @n into: one per processor, each at least @min_part long. */
static guint
parallel_parts (gint64 n,
                gint64 min_part)
{
  gint64 parts = MIN ((gint64) g_get_num_processors (), MAX_PARTS);

  parts = MIN (parts, n / MAX (min_part, 1));
  return (guint) MAX (parts, 1);
}

/* Runs @func over [0, n) cut into @parts ranges (boundaries multiples of @align), the first on this
 * thread, the others on their own. */
static void
run_parallel (gint64    n,
              guint     parts,
              gint64    align,
              RangeFunc func,
              gpointer  data)
{
  RangeJob jobs[MAX_PARTS];
  GThread *threads[MAX_PARTS] = { NULL };
  gint64 step;

  g_assert (parts >= 1 && parts <= MAX_PARTS);
  step = (n / parts + align - 1) / align * align;
  for (guint p = 0; p < parts; p++)
    {
      jobs[p] = (RangeJob) { func, data, MIN (p * step, n), p + 1 == parts ? n : MIN ((p + 1) * step, n), p };
      if (p > 0)
        threads[p] = g_thread_new ("cnc-compare", range_job_run, &jobs[p]);
    }
  range_job_run (&jobs[0]);
  for (guint p = 1; p < parts; p++)
    g_thread_join (threads[p]);
}

/* ---- counts ---------------------------------------------------------------------------------- */

/* Small K: one joint histogram over (label, B, M) with K+1 values each (K: out of range), in
 * four interleaved copies so that runs of the same cell do not wait on each other. */
#define JOINT_MAX_K 15
#define JOINT_COPIES 4
/* Per-part 32-bit counters are flushed before they could overflow. */
#define CHUNK ((gint64) 1 << 30)

typedef struct {
  const gint16 *labels, *pb, *pm;
  guint         k;
  gsize         size;      /* counters per part */
  guint32     **hist;      /* per part */
  gint64      **wide;      /* per part: 64-bit sums of flushed chunks */
  gint64       *both_correct; /* per part (large K only) */
} CountJob;

static inline guint
clamp_class (gint16 v,
             guint  k)
{
  guint u = (guint16) v;   /* negative values become ≥ 32768 ≥ k */
  return u < k ? u : k;
}

static void
flush_counts (CountJob *job,
              guint     part)
{
  guint32 *h = job->hist[part];
  gint64 *w = job->wide[part];

  for (gsize i = 0; i < job->size; i++)
    w[i] += h[i];
  memset (h, 0, job->size * sizeof (guint32));
}

static void
count_joint (gint64   start,
             gint64   end,
             guint    part,
             gpointer data)
{
  CountJob *job = data;
  const gint16 *L = job->labels, *B = job->pb, *M = job->pm;
  guint k = job->k, k1 = k + 1;
  gsize cube = (gsize) k1 * k1 * k1;
  guint32 *h = job->hist[part];

  for (gint64 chunk = start; chunk < end; chunk += CHUNK)
    {
      gint64 stop = MIN (chunk + CHUNK, end), i = chunk;

#define JOINT_INDEX(j) ((clamp_class (L[j], k) * k1 + clamp_class (B[j], k)) * k1 + clamp_class (M[j], k))
      for (; i + JOINT_COPIES <= stop; i += JOINT_COPIES)
        {
          guint a = JOINT_INDEX (i), b = JOINT_INDEX (i + 1), c = JOINT_INDEX (i + 2), d = JOINT_INDEX (i + 3);
          h[a]++;
          h[cube + b]++;
          h[2 * cube + c]++;
          h[3 * cube + d]++;
        }
      for (; i < stop; i++)
        h[JOINT_INDEX (i)]++;
#undef JOINT_INDEX
      flush_counts (job, part);
    }
}

/* Large K: three (K+1)² histograms (change, confusion of B, of M) and the both-correct count. */
static void
count_separate (gint64   start,
                gint64   end,
                guint    part,
                gpointer data)
{
  CountJob *job = data;
  const gint16 *L = job->labels, *B = job->pb, *M = job->pm;
  guint k = job->k, k1 = k + 1;
  gsize sq = (gsize) k1 * k1;
  guint32 *change = job->hist[part], *cb = change + sq, *cm = cb + sq;
  gint64 both = 0;

  for (gint64 chunk = start; chunk < end; chunk += CHUNK)
    {
      gint64 stop = MIN (chunk + CHUNK, end);

      for (gint64 i = chunk; i < stop; i++)
        {
          guint l = clamp_class (L[i], k), b = clamp_class (B[i], k), m = clamp_class (M[i], k);
          /* An invalid instance goes to row K of all three. */
          guint bad = (l == k) | (b == k) | (m == k);
          l = bad ? k : l;
          change[(bad ? k : b) * k1 + m]++;
          cb[l * k1 + b]++;
          cm[l * k1 + m]++;
          both += (l == b) & (b == m) & !bad;
        }
      flush_counts (job, part);
    }
  job->both_correct[part] = both;
}

void
cnc_prediction_change_free (CncPredictionChange *c)
{
  if (c == NULL)
    return;
  g_free (c->change);
  g_free (c->confusion_b);
  g_free (c->confusion_m);
  g_free (c->confusion_delta);
  g_free (c->class_count);
  g_free (c->class_accuracy_b);
  g_free (c->class_accuracy_m);
  g_free (c->class_accuracy_delta);
  g_free (c);
}

static double
ratio (gint64 num,
       gint64 den)
{
  return den > 0 ? (double) num / (double) den : NAN;
}

CncPredictionChange *
cnc_prediction_change_compute (const CncCompareInput *b,
                               const CncCompareInput *m,
                               GError               **error)
{
  g_autoptr(CncPredictionChange) c = NULL;
  CountJob job = { 0 };
  guint k, k1, parts;
  gboolean joint;
  g_autofree gint64 *sum = NULL;
  guint32 *hist[MAX_PARTS] = { NULL };
  gint64 *wide[MAX_PARTS] = { NULL };
  gint64 both_correct[MAX_PARTS] = { 0 };

  g_return_val_if_fail (b != NULL && m != NULL, NULL);
  if (!cnc_compare_check (b, m, error))
    return NULL;

  k = b->k;
  k1 = k + 1;
  joint = k <= JOINT_MAX_K;
  parts = parallel_parts (b->n, 1 << 18);
  job = (CountJob) { b->labels, b->predicted, m->predicted, k, 0, hist, wide, both_correct };
  job.size = joint ? (gsize) JOINT_COPIES * k1 * k1 * k1 : (gsize) 3 * k1 * k1;
  for (guint p = 0; p < parts; p++)
    {
      hist[p] = g_new0 (guint32, job.size);
      wide[p] = g_new0 (gint64, job.size);
    }
  run_parallel (b->n, parts, 64, joint ? count_joint : count_separate, &job);

  sum = g_new0 (gint64, job.size);
  for (guint p = 0; p < parts; p++)
    {
      for (gsize i = 0; i < job.size; i++)
        sum[i] += wide[p][i];
      g_free (hist[p]);
      g_free (wide[p]);
    }

  c = g_new0 (CncPredictionChange, 1);
  c->k = k;
  c->n = b->n;
  c->change = g_new0 (gint64, (gsize) k * k);
  c->confusion_b = g_new0 (gint64, (gsize) k * k);
  c->confusion_m = g_new0 (gint64, (gsize) k * k);
  c->confusion_delta = g_new0 (gint64, (gsize) k * k);
  c->class_count = g_new0 (gint64, k);
  c->class_accuracy_b = g_new0 (double, k);
  c->class_accuracy_m = g_new0 (double, k);
  c->class_accuracy_delta = g_new0 (double, k);

  if (joint)
    {
      gsize cube = (gsize) k1 * k1 * k1;

      for (guint l = 0; l < k1; l++)
        for (guint pb = 0; pb < k1; pb++)
          for (guint pm = 0; pm < k1; pm++)
            {
              gsize i = ((gsize) l * k1 + pb) * k1 + pm;
              gint64 h = sum[i] + sum[cube + i] + sum[2 * cube + i] + sum[3 * cube + i];

              if (h == 0)
                continue;
              if (l == k || pb == k || pm == k)
                {
                  c->invalid += h;
                  continue;
                }
              c->change[pb * k + pm] += h;
              c->confusion_b[l * k + pb] += h;
              c->confusion_m[l * k + pm] += h;
              if (pb == l && pm == l)
                c->both_correct += h;
            }
    }
  else
    {
      gsize sq = (gsize) k1 * k1;
      const gint64 *change = sum, *cb = sum + sq, *cm = sum + 2 * sq;

      for (guint i = 0; i < k; i++)
        for (guint j = 0; j < k; j++)
          {
            c->change[i * k + j] = change[i * k1 + j];
            c->confusion_b[i * k + j] = cb[i * k1 + j];
            c->confusion_m[i * k + j] = cm[i * k1 + j];
          }
      /* Every invalid instance lands in row K of the confusions. */
      for (guint j = 0; j < k1; j++)
        c->invalid += cb[k * k1 + j];
      for (guint p = 0; p < parts; p++)
        c->both_correct += both_correct[p];
    }

  c->valid = c->n - c->invalid;
  for (guint i = 0; i < k; i++)
    {
      for (guint j = 0; j < k; j++)
        {
          c->class_count[i] += c->confusion_b[i * k + j];
          c->confusion_delta[i * k + j] = c->confusion_m[i * k + j] - c->confusion_b[i * k + j];
        }
      c->correct_b += c->confusion_b[i * k + i];
      c->correct_m += c->confusion_m[i * k + i];
      c->agree += c->change[i * k + i];
    }
  c->broken = c->correct_b - c->both_correct;
  c->fixed = c->correct_m - c->both_correct;
  c->both_wrong_same = c->agree - c->both_correct;
  c->both_wrong_different = c->valid - c->both_correct - c->broken - c->fixed - c->both_wrong_same;
  c->agreement = ratio (c->agree, c->valid);
  c->accuracy_b = ratio (c->correct_b, c->valid);
  c->accuracy_m = ratio (c->correct_m, c->valid);
  for (guint i = 0; i < k; i++)
    {
      c->class_accuracy_b[i] = ratio (c->confusion_b[i * k + i], c->class_count[i]);
      c->class_accuracy_m[i] = ratio (c->confusion_m[i * k + i], c->class_count[i]);
      c->class_accuracy_delta[i] = c->class_accuracy_m[i] - c->class_accuracy_b[i];
    }
  return g_steal_pointer (&c);
}

static int
transition_cmp (gconstpointer a,
                gconstpointer b)
{
  const CncTransition *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if (x->from != y->from)
    return x->from < y->from ? -1 : 1;
  return x->to < y->to ? -1 : x->to > y->to;
}

GArray *
cnc_prediction_change_transitions (const CncPredictionChange *c,
                                   guint                      limit)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (CncTransition));
  guint k;

  g_return_val_if_fail (c != NULL, out);
  k = c->k;
  for (guint i = 0; i < k; i++)
    {
      gint64 row = 0;

      for (guint j = 0; j < k; j++)
        row += c->change[i * k + j];
      for (guint j = 0; j < k; j++)
        if (i != j && c->change[i * k + j] > 0)
          {
            CncTransition t = { i, j, c->change[i * k + j], 0, 0 };
            t.rate = ratio (t.count, c->valid);
            t.rate_of_from = ratio (t.count, row);
            g_array_append_val (out, t);
          }
    }
  g_array_sort (out, transition_cmp);
  if (limit > 0 && out->len > limit)
    g_array_set_size (out, limit);
  return out;
}

CNC_DEFINE_ENUM_NAMES (CncFlip, CNC_TYPE_FLIP, cnc_flip_to_string, cnc_flip_from_string)

CNC_DEFINE_ENUM_NAMES (CncScore, CNC_TYPE_SCORE, cnc_score_to_string, cnc_score_from_string)

/* ---- per-instance scores: eight instances at a time in vector code ---------------------------- */

/* GCC's generic vectors: the same source compiles to SSE2 and, in a copy built for the CPU's AVX2
 * and FMA, to 256-bit instructions. The helpers are always inlined into those two copies, so the
 * ABI of 32-byte vector arguments never matters (-Wpsabi is off for this file, above). */

typedef float   v8f __attribute__ ((vector_size (32)));
typedef gint32  v8i __attribute__ ((vector_size (32)));
typedef guint32 v8u __attribute__ ((vector_size (32)));

#define LANES 8
#define VINLINE static inline __attribute__ ((always_inline))

VINLINE v8f
vsplat (float x)
{
  return (v8f) { x, x, x, x, x, x, x, x };
}

/* Vector arguments are passed by pointer or through macros: passing 32-byte vectors by value
 * draws a note about the ABI from GCC that no pragma silences. */
#define vselect(mask, a, b) ((v8f) (((mask) & (v8i) (a)) | (~(mask) & (v8i) (b))))
#define vmax(a, b) ({ v8f a_ = (a), b_ = (b); vselect (a_ > b_, a_, b_); })

/* IEEE half → float, exact for every value (normals, subnormals, zeros, infinities, NaN). */
VINLINE v8f
vhalf (const v8u *hp)
{
  v8u h = *hp;
  const v8u shifted_exp = (v8u) { 0 } + (0x7c00u << 13);
  const v8f magic = (v8f) ((v8u) { 0 } + (113u << 23));
  v8u o = (h & 0x7fffu) << 13;
  v8u e = o & shifted_exp;
  v8u denormal;

  o += (127u - 15u) << 23;
  o += (v8u) (e == shifted_exp) & ((128u - 16u) << 23);
  denormal = (v8u) ((v8f) (o + (1u << 23)) - magic);
  o = (v8u) vselect (e == 0, (v8f) denormal, (v8f) o);
  o |= (h & 0x8000u) << 16;
  return (v8f) o;
}

/* e^x for x ≤ 88 (Cephes' polynomial, relative error ~2e-7); x < −87 gives e^−87. */
VINLINE v8f
vexp (const v8f *xp)
{
  v8f x = vmax (*xp, vsplat (-87.0f)), fx, z, y;
  v8i n;

  fx = x * 1.44269504088896341f;
  fx = (fx + 12582912.0f) - 12582912.0f;   /* round to nearest */
  x = x - fx * 0.693359375f;
  x = x + fx * 2.12194440e-4f;
  z = x * x;
  y = vsplat (1.9875691500e-4f);
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.0f;
  n = __builtin_convertvector (fx, v8i);
  return y * (v8f) ((n + 127) << 23);
}

/* Natural logarithm of positive normal numbers (Cephes' polynomial). */
VINLINE v8f
vlog (const v8f *xp)
{
  v8i bits = (v8i) *xp;
  v8i e = ((bits >> 23) & 0xff) - 126;
  v8f m = (v8f) ((bits & 0x007fffff) | 0x3f000000);   /* [0.5, 1) */
  v8i small = m < 0.707106781186547524f;
  v8f z, y, fe;

  e += small;                                       /* −1 where small */
  m = m + vselect (small, m, vsplat (0.0f)) - 1.0f;
  z = m * m;
  y = vsplat (7.0376836292e-2f);
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  fe = __builtin_convertvector (e, v8f);
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  return m + y + fe * 0.693359375f;
}

/* Class @c of eight consecutive instances (rows of @k halves), as floats. */
VINLINE v8f
vcolumn (const guint16 *rows, guint k, guint c)
{
  v8u h = { rows[c], rows[k + c], rows[2 * k + c], rows[3 * k + c],
            rows[4 * k + c], rows[5 * k + c], rows[6 * k + c], rows[7 * k + c] };

  return vhalf (&h);
}

/* e^(a − b) */
VINLINE v8f
vexp_diff (const v8f *a, const v8f *b)
{
  v8f d = *a - *b;

  return vexp (&d);
}

typedef struct {
  float kl[LANES], mse[LANES], pt_b[LANES], pt_m[LANES], dmargin[LANES];
  gint32 finite[LANES];
} Lanes;

/* Scores of eight instances. @zb / @zm: scratch for k × 8 floats each. */
VINLINE void
scores8 (const guint16 *lb,
         const guint16 *lm,
         const gint16  *labels,
         guint          k,
         v8f           *zb,
         v8f           *zm,
         Lanes         *out)
{
  const v8f ninf = vsplat (-INFINITY);
  v8i lbl = { labels[0], labels[1], labels[2], labels[3], labels[4], labels[5], labels[6], labels[7] };
  v8f mb = ninf, mm = ninf, tb = ninf, tm = ninf, ob = ninf, om = ninf;
  v8f se = vsplat (0), sb = vsplat (0), sm = vsplat (0), t = vsplat (0);
  v8f ratio_m_b, kl, pt_b, pt_m, dmargin;
  v8i finite = (v8i) { 0 } - 1;

  /* Pass 1: the logits as floats, maxima, true-class and best other logits, squared errors. */
  for (guint c = 0; c < k; c++)
    {
      v8f b = vcolumn (lb, k, c), m = vcolumn (lm, k, c), d = m - b;
      v8i is_true = lbl == (gint32) c;

      zb[c] = b;
      zm[c] = m;
      finite &= ((b - b) == 0) & ((m - m) == 0);
      se += d * d;
      mb = vmax (mb, b);
      mm = vmax (mm, m);
      tb = vselect (is_true, b, tb);
      tm = vselect (is_true, m, tm);
      ob = vselect (is_true, ob, vmax (ob, b));
      om = vselect (is_true, om, vmax (om, m));
    }
  /* Pass 2: softmax sums, and Σ e^(z_B − max) (z_B − z_M). */
  for (guint c = 0; c < k; c++)
    {
      v8f eb = vexp_diff (&zb[c], &mb), em = vexp_diff (&zm[c], &mm);

      sb += eb;
      sm += em;
      t += eb * (zb[c] - zm[c]);
    }
  /* KL(B‖M) = Σ p_B (log p_B − log p_M) = E_B[z_B − z_M] − lse(z_B) + lse(z_M), in nats. */
  ratio_m_b = sm / sb;
  kl = t / sb + (mm - mb) + vlog (&ratio_m_b);
  kl = vmax (kl * 1.44269504088896341f, vsplat (0.0f));
  pt_b = vexp_diff (&tb, &mb) / sb;
  pt_m = vexp_diff (&tm, &mm) / sm;
  dmargin = (pt_m - vexp_diff (&om, &mm) / sm) - (pt_b - vexp_diff (&ob, &mb) / sb);
  se = se / (float) k;
  memcpy (out->kl, &kl, sizeof kl);
  memcpy (out->mse, &se, sizeof se);
  memcpy (out->pt_b, &pt_b, sizeof pt_b);
  memcpy (out->pt_m, &pt_m, sizeof pt_m);
  memcpy (out->dmargin, &dmargin, sizeof dmargin);
  memcpy (out->finite, &finite, sizeof finite);
}

typedef struct {
  const CncCompareInput *b, *m;
  CncChangeScores       *out;
} ScoreJob;

static void
store_lanes (const ScoreJob *job,
             const Lanes    *r,
             gint64          i,
             guint           count)
{
  CncChangeScores *s = job->out;
  const gint16 *labels = job->b->labels;
  gboolean stored_p = job->b->p_true && job->m->p_true;
  guint k = job->b->k;

  for (guint j = 0; j < count; j++)
    {
      gboolean valid = (guint16) labels[i + j] < k;

      if (r->finite[j])
        {
          s->kl[i + j] = r->kl[j];
          s->mse[i + j] = r->mse[j];
          s->dmargin[i + j] = valid ? r->dmargin[j] : NAN;
        }
      else
        s->kl[i + j] = s->mse[i + j] = s->dmargin[i + j] = NAN;
      if (!valid)
        s->dprob[i + j] = NAN;
      else if (stored_p)
        s->dprob[i + j] = job->m->p_true[i + j] - job->b->p_true[i + j];
      else
        s->dprob[i + j] = r->finite[j] ? r->pt_m[j] - r->pt_b[j] : NAN;
    }
}

/* The body of one range, inlined into a generic and an AVX2 copy. */
VINLINE void
score_range_body (gint64   start,
                  gint64   end,
                  gpointer data)
{
  const ScoreJob *job = data;
  guint k = job->b->k;
  const guint16 *LB = job->b->logits, *LM = job->m->logits;
  const gint16 *labels = job->b->labels;
  v8f *zb = g_aligned_alloc (2 * (gsize) k, sizeof (v8f), sizeof (v8f));
  v8f *zm = zb + k;
  Lanes r;
  gint64 i = start;

  for (; i + LANES <= end; i += LANES)
    {
      scores8 (LB + i * k, LM + i * k, labels + i, k, zb, zm, &r);
      store_lanes (job, &r, i, LANES);
    }
  if (i < end)
    {
      /* The last few instances, padded to eight with zeros. */
      guint rest = (guint) (end - i);
      g_autofree guint16 *pb = g_new0 (guint16, (gsize) LANES * k);
      g_autofree guint16 *pm = g_new0 (guint16, (gsize) LANES * k);
      gint16 pl[LANES] = { 0 };

      memcpy (pb, LB + i * k, (gsize) rest * k * sizeof (guint16));
      memcpy (pm, LM + i * k, (gsize) rest * k * sizeof (guint16));
      memcpy (pl, labels + i, rest * sizeof (gint16));
      scores8 (pb, pm, pl, k, zb, zm, &r);
      store_lanes (job, &r, i, rest);
    }
  g_aligned_free (zb);
}

static void
score_range_generic (gint64 start, gint64 end, guint part, gpointer data)
{
  score_range_body (start, end, data);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__ ((target ("avx2,fma")))
static void
score_range_avx2 (gint64 start, gint64 end, guint part, gpointer data)
{
  score_range_body (start, end, data);
}
#endif

static RangeFunc
score_range_func (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return score_range_avx2;
#endif
  return score_range_generic;
}

CncChangeScores *
cnc_change_scores_new (gint64 n)
{
  CncChangeScores *s = g_new0 (CncChangeScores, 1);

  s->n = n;
  s->kl = g_new (float, MAX (n, 1));
  s->dprob = g_new (float, MAX (n, 1));
  s->mse = g_new (float, MAX (n, 1));
  s->dmargin = g_new (float, MAX (n, 1));
  return s;
}

void
cnc_change_scores_free (CncChangeScores *s)
{
  if (s == NULL)
    return;
  g_free (s->kl);
  g_free (s->dprob);
  g_free (s->mse);
  g_free (s->dmargin);
  g_free (s);
}

const float *
cnc_change_scores_get (const CncChangeScores *s,
                       CncScore               score)
{
  g_return_val_if_fail (s != NULL, NULL);

  switch (score)
    {
    case CNC_SCORE_KL:
      return s->kl;
    case CNC_SCORE_DPROB:
      return s->dprob;
    case CNC_SCORE_MSE:
      return s->mse;
    case CNC_SCORE_DMARGIN:
      return s->dmargin;
    case CNC_SCORE_NONE:
    default:
      return NULL;
    }
}

/* Without logits only dprob can be had, from the stored probabilities. */
static void
scores_without_logits (const CncCompareInput *b,
                       const CncCompareInput *m,
                       CncChangeScores       *s)
{
  for (gint64 i = 0; i < s->n; i++)
    {
      s->kl[i] = s->mse[i] = s->dmargin[i] = NAN;
      s->dprob[i] = (guint16) b->labels[i] < b->k ? m->p_true[i] - b->p_true[i] : NAN;
    }
}

static gboolean
scores_ready (const CncCompareInput *b,
              const CncCompareInput *m,
              GError               **error)
{
  if (!cnc_compare_check (b, m, error))
    return FALSE;
  if ((b->logits == NULL || m->logits == NULL) && (b->p_true == NULL || m->p_true == NULL) && b->n > 0)
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISSING,
                   "Cannot score the changes from %s to %s: %s has neither logits nor probabilities stored",
                   name_of (b), name_of (m), b->logits == NULL && b->p_true == NULL ? name_of (b) : name_of (m));
      return FALSE;
    }
  return TRUE;
}

CncChangeScores *
cnc_change_scores_compute (const CncCompareInput *b,
                           const CncCompareInput *m,
                           GError               **error)
{
  g_autoptr(CncChangeScores) s = NULL;
  ScoreJob job;

  g_return_val_if_fail (b != NULL && m != NULL, NULL);
  if (!scores_ready (b, m, error))
    return NULL;

  s = cnc_change_scores_new (b->n);
  if (b->logits == NULL || m->logits == NULL)
    {
      scores_without_logits (b, m, s);
      return g_steal_pointer (&s);
    }
  job = (ScoreJob) { b, m, s };
  run_parallel (b->n, parallel_parts (b->n, 1 << 15), LANES, score_range_func (), &job);
  return g_steal_pointer (&s);
}

GPtrArray *
cnc_change_scores_compute_many (const CncCompareInput *b,
                                const CncCompareInput *models,
                                guint                  n_models,
                                GError               **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_change_scores_free);

  g_return_val_if_fail (b != NULL && (models != NULL || n_models == 0), NULL);
  for (guint i = 0; i < n_models; i++)
    if (!scores_ready (b, &models[i], error))
      return NULL;
  /* Each model's scores are spread over the processors in turn. */
  for (guint i = 0; i < n_models; i++)
    {
      CncChangeScores *s = cnc_change_scores_compute (b, &models[i], error);
      if (s == NULL)
        return NULL;
      g_ptr_array_add (all, s);
    }
  return g_steal_pointer (&all);
}

void
cnc_change_scores_summarize (const CncChangeScores *s,
                             CncScore               score,
                             double                *mean,
                             double                *max,
                             gint64                *count)
{
  const float *v = cnc_change_scores_get (s, score);
  double sum = 0, top = -INFINITY;
  gint64 c = 0;

  for (gint64 i = 0; v && i < s->n; i++)
    if (!isnan (v[i]))
      {
        sum += v[i];
        top = MAX (top, (double) v[i]);
        c++;
      }
  if (mean)
    *mean = c > 0 ? sum / c : NAN;
  if (max)
    *max = c > 0 ? top : NAN;
  if (count)
    *count = c;
}
