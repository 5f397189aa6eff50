/* cnc-instances.c
 * Instance queries: one filtering pass builds 64-bit keys (score, index); pages sort lazily by partial selection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-instances"

#include "cnc-instances.h"

#include <math.h>
#include <string.h>

struct _CncInstanceQuery {
  guint64     *keys;        /* (order key << 32) | instance index: all distinct */
  gint64       count;
  gint64       sorted;      /* keys[0 … sorted) are in order and not above any later key */
  CncSortOrder order;
};

void
cnc_instance_filter_init (CncInstanceFilter *filter)
{
  g_return_if_fail (filter != NULL);

  filter->true_class = -1;
  filter->base_predicted = -1;
  filter->model_predicted = -1;
  filter->flip = CNC_FLIP_ANY;
}

CncSortOrder
cnc_score_default_order (CncScore score)
{
  return score == CNC_SCORE_KL || score == CNC_SCORE_MSE ? CNC_SORT_DESCENDING : CNC_SORT_ASCENDING;
}

/* A float's order as an unsigned integer (−0 = +0); NAN last in either direction. */
static inline guint32
order_key (float    f,
           gboolean descending)
{
  guint32 u;

  if (isnan (f))
    return G_MAXUINT32;
  if (f == 0)
    f = 0;
  memcpy (&u, &f, sizeof u);
  u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return descending ? ~u : u;   /* never G_MAXUINT32 for a number */
}

static gboolean
flip_matches (CncFlip flip,
              gboolean b_ok,
              gboolean m_ok,
              gboolean same)
{
  switch (flip)
    {
    case CNC_FLIP_BOTH_CORRECT:
      return b_ok && m_ok;
    case CNC_FLIP_BOTH_WRONG_SAME:
      return !b_ok && !m_ok && same;
    case CNC_FLIP_BOTH_WRONG_DIFFERENT:
      return !b_ok && !m_ok && !same;
    case CNC_FLIP_BROKEN:
      return b_ok && !m_ok;
    case CNC_FLIP_FIXED:
      return !b_ok && m_ok;
    case CNC_FLIP_CHANGED:
      return !same;
    case CNC_FLIP_ANY:
    default:
      return TRUE;
    }
}

static int
key_cmp (gconstpointer a,
         gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* LSD radix sort on 16-bit digits, skipping digits every key shares. */
static void
sort_keys (guint64 *keys,
           gint64   n)
{
  g_autofree guint64 *tmp = NULL;
  g_autofree guint32 *counts = NULL;
  guint64 *src = keys, *dst;

  if (n < 4096)
    {
      qsort (keys, n, sizeof (guint64), key_cmp);
      return;
    }
  tmp = g_new (guint64, n);
  counts = g_new0 (guint32, 4 * 65536);
  dst = tmp;
  for (gint64 i = 0; i < n; i++)
    for (guint d = 0; d < 4; d++)
      counts[d * 65536 + ((keys[i] >> (16 * d)) & 0xffff)]++;
  for (guint d = 0; d < 4; d++)
    {
      guint32 *c = counts + d * 65536, sum = 0;
      guint64 *swap;

      if (c[(src[0] >> (16 * d)) & 0xffff] == (guint32) n)
        continue;   /* every key has this digit */
      for (guint v = 0; v < 65536; v++)
        {
          guint32 here = c[v];
          c[v] = sum;
          sum += here;
        }
      for (gint64 i = 0; i < n; i++)
        dst[c[(src[i] >> (16 * d)) & 0xffff]++] = src[i];
      swap = src;
      src = dst;
      dst = swap;
    }
  if (src != keys)
    memcpy (keys, src, n * sizeof (guint64));
}

static inline void
swap_keys (guint64 *a,
           guint64 *b)
{
  guint64 t = *a;
  *a = *b;
  *b = t;
}

/* Reorders keys[lo … hi) so that keys[nth] is the one a full sort would put there, with no larger
 * key before it and no smaller one after it (quickselect, median-of-three pivots; keys are distinct). */
static void
select_nth (guint64 *keys,
            gint64   lo,
            gint64   hi,
            gint64   nth)
{
  while (hi - lo > 16)
    {
      gint64 mid = lo + (hi - lo) / 2, i = lo, j = hi - 1;
      guint64 pivot;

      if (keys[mid] < keys[lo])
        swap_keys (&keys[mid], &keys[lo]);
      if (keys[hi - 1] < keys[lo])
        swap_keys (&keys[hi - 1], &keys[lo]);
      if (keys[hi - 1] < keys[mid])
        swap_keys (&keys[hi - 1], &keys[mid]);
      pivot = keys[mid];
      while (i <= j)
        {
          while (keys[i] < pivot)
            i++;
          while (keys[j] > pivot)
            j--;
          if (i <= j)
            {
              swap_keys (&keys[i], &keys[j]);
              i++;
              j--;
            }
        }
      /* Now keys[lo … j] ≤ pivot ≤ keys[i … hi), and anything between equals the pivot. */
      if (nth <= j)
        hi = j + 1;
      else if (nth >= i)
        lo = i;
      else
        return;
    }
  qsort (keys + lo, hi - lo, sizeof (guint64), key_cmp);
}

/* Makes keys[0 … end) ordered. Grows the ordered prefix at least twofold so that scrolling page by
 * page costs a logarithmic number of passes; orders everything once past half. */
static void
ensure_sorted (CncInstanceQuery *q,
               gint64            end)
{
  gint64 target;

  end = MIN (end, q->count);
  if (end <= q->sorted)
    return;
  target = MIN (q->count, MAX (end, MAX (2 * q->sorted, (gint64) 256)));
  if (target * 2 >= q->count)
    target = q->count;
  if (target < q->count)
    select_nth (q->keys, q->sorted, q->count, target);
  sort_keys (q->keys + q->sorted, target - q->sorted);
  q->sorted = target;
}

CncInstanceQuery *
cnc_instance_query_new (const CncCompareInput   *b,
                        const CncCompareInput   *m,
                        const CncChangeScores   *scores,
                        const CncInstanceFilter *filter,
                        CncScore                 sort,
                        CncSortOrder             order,
                        GError                 **error)
{
  g_autoptr(CncInstanceQuery) q = NULL;
  CncInstanceFilter none;
  const float *score = NULL;
  gboolean descending, unfiltered;
  guint k;
  gint64 n;

  g_return_val_if_fail (b != NULL && m != NULL, NULL);
  if (!cnc_compare_check (b, m, error))
    return NULL;
  if (filter == NULL)
    {
      cnc_instance_filter_init (&none);
      filter = &none;
    }
  if (b->n > G_MAXUINT32)
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_INVALID,
                   "Cannot list the instances of %s: more than 2³² of them",
                   b->name ? b->name : "the model");
      return NULL;
    }
  k = b->k;
  if (filter->true_class >= (gint) k || filter->base_predicted >= (gint) k || filter->model_predicted >= (gint) k)
    {
      g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_INVALID,
                   "No such class: %s and %s have classes 0 to %u",
                   b->name ? b->name : "the models", m->name ? m->name : "its comparison", k - 1);
      return NULL;
    }
  if (sort != CNC_SCORE_NONE)
    {
      if (scores == NULL || scores->n != b->n)
        {
          g_set_error (error, CNC_COMPARE_ERROR, CNC_COMPARE_ERROR_MISSING,
                       "Cannot sort the instances of %s and %s by %s: no change scores for them",
                       b->name ? b->name : "the base model", m->name ? m->name : "the model",
                       cnc_score_to_string (sort));
          return NULL;
        }
      score = cnc_change_scores_get (scores, sort);
    }
  if (order == CNC_SORT_DEFAULT)
    order = cnc_score_default_order (sort);
  descending = order == CNC_SORT_DESCENDING;
  unfiltered = filter->true_class < 0 && filter->base_predicted < 0 && filter->model_predicted < 0
               && filter->flip == CNC_FLIP_ANY;

  q = g_new0 (CncInstanceQuery, 1);
  q->order = order;
  n = b->n;
  q->keys = g_new (guint64, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    {
      gint l = b->labels[i], pb = b->predicted[i], pm = m->predicted[i];
      guint64 key;

      if (!unfiltered)
        {
          /* Instances outside the classes pass only a query without conditions (as in the counts). */
          if ((guint16) l >= k || (guint16) pb >= k || (guint16) pm >= k)
            continue;
          if ((filter->true_class >= 0 && l != filter->true_class)
              || (filter->base_predicted >= 0 && pb != filter->base_predicted)
              || (filter->model_predicted >= 0 && pm != filter->model_predicted)
              || !flip_matches (filter->flip, pb == l, pm == l, pb == pm))
            continue;
        }
      if (score)
        key = ((guint64) order_key (score[i], descending) << 32) | (guint64) i;
      else
        key = descending ? (guint64) (n - 1 - i) << 32 | (guint64) i : (guint64) i;
      q->keys[q->count++] = key;
    }
  /* Without a score the keys came in index order: ordered already, or reversed. */
  if (score == NULL)
    {
      for (gint64 i = 0, j = q->count - 1; descending && i < j; i++, j--)
        swap_keys (&q->keys[i], &q->keys[j]);
      q->sorted = q->count;
    }
  return g_steal_pointer (&q);
}

void
cnc_instance_query_free (CncInstanceQuery *q)
{
  if (q == NULL)
    return;
  g_free (q->keys);
  g_free (q);
}

gint64
cnc_instance_query_get_count (CncInstanceQuery *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return q->count;
}

CncSortOrder
cnc_instance_query_get_order (CncInstanceQuery *q)
{
  g_return_val_if_fail (q != NULL, CNC_SORT_ASCENDING);
  return q->order;
}

guint
cnc_instance_query_get_page (CncInstanceQuery *q,
                             gint64            offset,
                             guint             limit,
                             gint64           *indices)
{
  gint64 end;
  guint got = 0;

  g_return_val_if_fail (q != NULL && offset >= 0, 0);
  g_return_val_if_fail (indices != NULL || limit == 0, 0);

  if (offset >= q->count)
    return 0;
  end = MIN (q->count, offset + (gint64) limit);
  ensure_sorted (q, end);
  for (gint64 i = offset; i < end; i++)
    indices[got++] = (gint64) (q->keys[i] & 0xffffffffu);
  return got;
}
