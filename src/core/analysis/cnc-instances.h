/* cnc-instances.h
 * Instance queries over a B-vs-M comparison: filter by change-matrix cell, flip kind or class, sort by a change score, page.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-prediction-change.h"

G_BEGIN_DECLS

/* All conditions hold together; −1 / CNC_FLIP_ANY: no condition. A change-matrix cell (i, j) is
 * base_predicted = i and model_predicted = j. As in the counts, an instance whose label or a
 * prediction lies outside 0 … k−1 passes only a filter without any condition. */
typedef struct {
  gint     true_class;
  gint     base_predicted;
  gint     model_predicted;
  CncFlip  flip;
} CncInstanceFilter;

void cnc_instance_filter_init (CncInstanceFilter *filter);

typedef enum {
  CNC_SORT_DEFAULT,      /* the score's natural order: kl and mse descending (largest change first),
                          * dprob and margin ascending (largest loss first), index ascending */
  CNC_SORT_ASCENDING,
  CNC_SORT_DESCENDING,
} CncSortOrder;

/* The order a score sorts in by default. */
CncSortOrder cnc_score_default_order (CncScore score);

/* The instances that pass a filter, in score order (ties by instance index; instances whose score
 * is NAN come last, by index). Pages are computed lazily: a page only orders the instances up to
 * its end (partial selection), keeping what it ordered for the next page, so that the first pages
 * over a million instances cost one pass. Keeps pointers to the inputs and scores: they must
 * outlive the query. */
typedef struct _CncInstanceQuery CncInstanceQuery;

CncInstanceQuery *cnc_instance_query_new       (const CncCompareInput   *b,
                                                const CncCompareInput   *m,
                                                const CncChangeScores   *scores,
                                                const CncInstanceFilter *filter,
                                                CncScore                 sort,
                                                CncSortOrder             order,
                                                GError                 **error);
void              cnc_instance_query_free      (CncInstanceQuery *query);

/* Instances that pass the filter. */
gint64            cnc_instance_query_get_count (CncInstanceQuery *query);
/* The order actually used (never CNC_SORT_DEFAULT). */
CncSortOrder      cnc_instance_query_get_order (CncInstanceQuery *query);

/* Fills @indices with the instance indices at positions @offset … @offset + @limit − 1 of the
 * ordered result; returns how many there were (fewer at the end). */
guint             cnc_instance_query_get_page  (CncInstanceQuery *query,
                                                gint64            offset,
                                                guint             limit,
                                                gint64           *indices);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncInstanceQuery, cnc_instance_query_free)

G_END_DECLS
