/* cnc-model-set.h
 * The models of one workspace as every view shares them: lineage, metrics, selection, hover, filters, encodings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

/* "No model": returned by index look-ups that find nothing. */
#define CNC_MODEL_NONE G_MAXUINT

typedef enum {
  CNC_SELECT_REPLACE,   /* the selection becomes exactly these */
  CNC_SELECT_ADD,       /* Shift: add these */
  CNC_SELECT_TOGGLE,    /* Ctrl: flip each of these */
  CNC_SELECT_SUBTRACT,  /* take these off */
} CncSelectMode;

#define CNC_TYPE_MODEL_SET (cnc_model_set_get_type ())
G_DECLARE_FINAL_TYPE (CncModelSet, cnc_model_set, CNC, MODEL_SET, GObject)

/* Signals (all emitted on the main thread):
 *   "changed"            ()                 the models / lineage / metrics were (re)loaded: indices are new
 *   "load-failed"        (const GError *)   a load or reload failed; the previous data stays
 *   "selection-changed"  ()
 *   "hover-changed"      ()
 *   "filter-changed"     ()                 filters added, changed or removed (selection may change too)
 *   "encoding-changed"   ()                 colour-by or size-by metric changed
 * Properties: "workspace" (CncWorkspace, read-only), "loading" (gboolean, read-only),
 *   "color-metric" (int, -1 = none), "size-metric" (int, -1 = none), "n-selected" (uint, read-only),
 *   "hovered" (uint, CNC_MODEL_NONE = none). */

CncModelSet     *cnc_model_set_new                (void);

/* Loading: reads every model, edge, metric and value of @workspace in a GTask thread, then swaps them
 * in on the main thread and emits "changed". The selection and filters are kept by model id / metric name. */
void             cnc_model_set_load_async         (CncModelSet         *self,
                                                   CncWorkspace        *workspace,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         cnc_model_set_load_finish        (CncModelSet         *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Reloads from the same workspace asynchronously (after an import, a job, a rename); failures go to "load-failed". */
void             cnc_model_set_reload             (CncModelSet         *self);
/* Loads on the calling thread (tests, bench, the report). */
gboolean         cnc_model_set_load_sync          (CncModelSet         *self,
                                                   CncWorkspace        *workspace,
                                                   GError             **error);
CncWorkspace    *cnc_model_set_get_workspace      (CncModelSet *self);
gboolean         cnc_model_set_get_loading        (CncModelSet *self);

/* Models: indices 0 .. n-1, ordered by model id (creation). */
guint            cnc_model_set_get_n_models       (CncModelSet *self);
const CncModel  *cnc_model_set_get_model          (CncModelSet *self, guint index);
guint            cnc_model_set_find_id            (CncModelSet *self, gint64 id);          /* CNC_MODEL_NONE */
guint            cnc_model_set_find_name          (CncModelSet *self, const char *name);   /* CNC_MODEL_NONE */
/* "prune (amount 0.5, epochs 3)", "—" when the model has no operation. Free with g_free. */
char            *cnc_model_set_describe_operation (CncModelSet *self, guint index);

/* Lineage. */
const GArray    *cnc_model_set_get_edges          (CncModelSet *self);                     /* CncEdge, by model id */
guint            cnc_model_set_get_parent         (CncModelSet *self, guint index);        /* base parent or CNC_MODEL_NONE */
guint            cnc_model_set_get_teacher        (CncModelSet *self, guint index);        /* teacher or CNC_MODEL_NONE */
const guint     *cnc_model_set_get_children       (CncModelSet *self, guint index, guint *n_children); /* base + teacher */
guint            cnc_model_set_get_depth          (CncModelSet *self, guint index);        /* 0 for roots (base edges) */

/* Metrics: indices 0 .. n-1 in the workspace's order. */
guint            cnc_model_set_get_n_metrics      (CncModelSet *self);
const CncMetric *cnc_model_set_get_metric         (CncModelSet *self, guint metric);
int              cnc_model_set_find_metric        (CncModelSet *self, const char *name);   /* -1 */
double           cnc_model_set_get_value          (CncModelSet *self, guint index, guint metric); /* NAN */
const double    *cnc_model_set_get_values         (CncModelSet *self, guint metric);       /* n_models values */
/* The finite range of a metric over all models; FALSE when no model has a value. */
gboolean         cnc_model_set_get_range          (CncModelSet *self, guint metric, double *min, double *max);

/* Selection: filtered-out models are never selected (the helpers skip them). */
gboolean         cnc_model_set_is_selected        (CncModelSet *self, guint index);
guint            cnc_model_set_get_n_selected     (CncModelSet *self);
GArray          *cnc_model_set_get_selection      (CncModelSet *self);                     /* guint indices, ascending */
void             cnc_model_set_select             (CncModelSet *self, const guint *indices, guint n, CncSelectMode mode);
void             cnc_model_set_select_one         (CncModelSet *self, guint index);        /* replace with one */
void             cnc_model_set_extend             (CncModelSet *self, guint index);        /* add one */
void             cnc_model_set_toggle             (CncModelSet *self, guint index);
void             cnc_model_set_select_all         (CncModelSet *self);
void             cnc_model_set_select_none        (CncModelSet *self);
/* Grow the selection: + Parents / + Children (one step, base and teacher edges), + Ancestors / + Descendants (all). */
void             cnc_model_set_add_parents        (CncModelSet *self);
void             cnc_model_set_add_children       (CncModelSet *self);
void             cnc_model_set_add_ancestors      (CncModelSet *self);
void             cnc_model_set_add_descendants    (CncModelSet *self);

/* Hover: the model under the pointer in any view, or CNC_MODEL_NONE. */
guint            cnc_model_set_get_hovered        (CncModelSet *self);
void             cnc_model_set_set_hovered        (CncModelSet *self, guint index);

/* Filters: one range per metric, all combined with AND; a model without a value fails a filter on that metric.
 * Models that fail are faded in every view and cannot be selected (they leave the selection). */
void             cnc_model_set_set_filter         (CncModelSet *self, guint metric, double lo, double hi);
void             cnc_model_set_remove_filter      (CncModelSet *self, guint metric);
void             cnc_model_set_clear_filters      (CncModelSet *self);
gboolean         cnc_model_set_get_filter         (CncModelSet *self, guint metric, double *lo, double *hi);
GArray          *cnc_model_set_get_filter_metrics (CncModelSet *self);                     /* guint metric indices */
gboolean         cnc_model_set_passes_filters     (CncModelSet *self, guint index);
guint            cnc_model_set_get_n_passing      (CncModelSet *self);

/* Encodings shared by the map and the scatterplot: -1 for none. */
int              cnc_model_set_get_color_metric   (CncModelSet *self);
void             cnc_model_set_set_color_metric   (CncModelSet *self, int metric);
int              cnc_model_set_get_size_metric    (CncModelSet *self);
void             cnc_model_set_set_size_metric    (CncModelSet *self, int metric);

G_END_DECLS
