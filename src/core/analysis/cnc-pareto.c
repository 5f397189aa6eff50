/* cnc-pareto.c
 * The Pareto frontier: a sweep in x order for two metrics, pairwise tests for more; dominators listed on request.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-pareto"

#include "cnc-pareto.h"

#include <math.h>

typedef struct {
  const double   *values;
  guint           d;
  const gboolean *higher;
} Points;

/* Value @j of point @i, oriented so that larger is better. */
static inline double
oriented (const Points *p,
          guint         i,
          guint         j)
{
  double v = p->values[(gsize) i * p->d + j];

  return p->higher[j] ? v : -v;
}

static gboolean
has_missing (const Points *p,
             guint         i)
{
  for (guint j = 0; j < p->d; j++)
    if (isnan (p->values[(gsize) i * p->d + j]))
      return TRUE;
  return FALSE;
}

/* Whether point @a dominates point @b: at least as good everywhere, strictly better somewhere. */
static gboolean
dominates (const Points *p,
           guint         a,
           guint         b)
{
  gboolean strict = FALSE;

  for (guint j = 0; j < p->d; j++)
    {
      double x = oriented (p, a, j), y = oriented (p, b, j);
      if (x < y)
        return FALSE;
      if (x > y)
        strict = TRUE;
    }
  return strict;
}

static int
by_x_then_y_desc (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  const Points *p = data;
  guint i = *(const guint *) a, j = *(const guint *) b;
  double xi = oriented (p, i, 0), xj = oriented (p, j, 0);
  double yi = oriented (p, i, 1), yj = oriented (p, j, 1);

  if (xi != xj)
    return xi > xj ? -1 : 1;
  if (yi != yj)
    return yi > yj ? -1 : 1;
  return i < j ? -1 : i > j;
}

static int
guint_cmp (gconstpointer a,
           gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

GArray *
cnc_pareto_front (const double   *values,
                  guint           n,
                  guint           d,
                  const gboolean *higher_is_better,
                  GPtrArray     **dominated_by)
{
  Points p = { values, d, higher_is_better };
  GArray *front = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *order = NULL;
  g_autofree gboolean *on_front = NULL;
  guint m = 0;

  g_return_val_if_fail (values != NULL || n == 0, front);
  g_return_val_if_fail (d >= 1 && higher_is_better != NULL, front);

  if (dominated_by)
    {
      *dominated_by = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (*dominated_by, g_array_new (FALSE, FALSE, sizeof (guint)));
    }
  order = g_new (guint, MAX (n, 1));
  on_front = g_new0 (gboolean, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    if (!has_missing (&p, i))
      order[m++] = i;

  if (d == 2)
    {
      /* Sorted by x (best first), then y: a point is dominated exactly when a point of larger x
       * has a y at least as good, or a point of equal x has a better y. */
      double best_y_before = 0;
      gboolean any_before = FALSE;

      g_qsort_with_data (order, m, sizeof (guint), by_x_then_y_desc, &p);
      for (guint g = 0; g < m;)
        {
          guint end = g;
          double x = oriented (&p, order[g], 0), group_best = oriented (&p, order[g], 1);

          while (end < m && oriented (&p, order[end], 0) == x)
            end++;
          for (guint i = g; i < end; i++)
            {
              double y = oriented (&p, order[i], 1);
              on_front[order[i]] = !((any_before && best_y_before >= y) || group_best > y);
            }
          best_y_before = any_before ? MAX (best_y_before, group_best) : group_best;
          any_before = TRUE;
          g = end;
        }
      if (dominated_by)
        {
          /* Only points of larger or equal x can dominate: scan the sorted prefix. */
          for (guint i = 0; i < m; i++)
            {
              GArray *list;

              if (on_front[order[i]])
                continue;
              list = (*dominated_by)->pdata[order[i]];
              for (guint j = 0; j < m && oriented (&p, order[j], 0) >= oriented (&p, order[i], 0); j++)
                if (dominates (&p, order[j], order[i]))
                  g_array_append_val (list, order[j]);
              g_array_sort (list, guint_cmp);
            }
        }
    }
  else
    {
      for (guint a = 0; a < m; a++)
        {
          GArray *list = dominated_by ? (*dominated_by)->pdata[order[a]] : NULL;

          on_front[order[a]] = TRUE;
          for (guint b = 0; b < m; b++)
            if (b != a && dominates (&p, order[b], order[a]))
              {
                on_front[order[a]] = FALSE;
                if (list == NULL)
                  break;
                g_array_append_val (list, order[b]);
              }
        }
    }

  for (guint i = 0; i < n; i++)
    if (on_front[i])
      g_array_append_val (front, i);
  return front;
}
