/* cnc-pareto.h
 * The Pareto frontier of models over two or more metrics, each with its better direction.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @values: n points × d metrics, row-major; NAN marks a missing value (that point takes no part:
 * neither on the front nor dominating). @higher_is_better: d flags.
 * Returns the indices of the non-dominated points, ascending. A point dominates another when it is
 * at least as good on every metric and strictly better on one; equal points are all on the front.
 * @dominated_by (optional) receives n GArrays of guint: for each point, the indices of the points
 * that dominate it (empty for front points and for points with missing values).
 * O(n log n) for d = 2; O(n² d) otherwise. */
GArray *cnc_pareto_front (const double   *values,
                          guint           n,
                          guint           d,
                          const gboolean *higher_is_better,
                          GPtrArray     **dominated_by);

G_END_DECLS
