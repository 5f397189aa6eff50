/* cnc-model-set-private.h
 * What the model set's files share: the set, what one load reads, and the helpers its selection uses.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-model-set.h"

G_BEGIN_DECLS

/* What one load reads: built in a worker thread, swapped in on the main thread. */
typedef struct {
  GPtrArray  *models;        /* CncModel*, by id */
  GArray     *edges;         /* CncEdge */
  GPtrArray  *metrics;       /* CncMetric* */
  double     *values;        /* n_metrics × n_models, metric-major; NAN = none */
  guint      *parent;        /* base parent index or CNC_MODEL_NONE */
  guint      *teacher;
  guint      *child_start;   /* n_models + 1 offsets into child_list */
  guint      *child_list;
  guint      *depth;
  GHashTable *by_id;         /* gint64* -> index + 1 */
  GHashTable *by_name;       /* name -> index + 1 */
} CncModelSetData;

struct _CncModelSet
{
  GObject       parent_instance;

  CncWorkspace *workspace;
  GCancellable *cancellable;
  gboolean      loading;
  CncModelSetData         *data;

  guint8       *selected;
  guint         n_selected;
  guint         hovered;
  GArray       *filters;      /* Filter */
  guint8       *passing;
  guint         n_passing;
  int           color_metric;
  int           size_metric;
  gboolean      encodings_chosen;
};

static inline guint
_cnc_model_set_n_models (CncModelSet *self)
{
  return self->data->models->len;
}

/* cnc-model-set.c: emits "selection-changed" and notifies "n-selected". */
void             _cnc_model_set_selection_changed (CncModelSet *self);

/* cnc-model-set-data.c: what one load reads (in any thread that owns the workspace) */
CncModelSetData *_cnc_model_set_data_new_empty    (void);
CncModelSetData *_cnc_model_set_data_read         (CncWorkspace *ws, GError **error);
void             _cnc_model_set_data_free         (CncModelSetData *d);
guint            _cnc_model_set_data_index_of_id  (CncModelSetData *d, gint64 id);   /* CNC_MODEL_NONE */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncModelSetData, _cnc_model_set_data_free)

G_END_DECLS
