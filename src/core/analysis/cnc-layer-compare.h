/* cnc-layer-compare.h
 * Layer changes between a base model B and a model M: parameters matched by name, per layer and per module.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "core/formats/cnc-weights.h"

G_BEGIN_DECLS

/* The 2-D histogram of weight value × relative change (the reference tool's layer chart).
 * Value axis: the model's (dequantized) weight w_M in CNC_LAYER_VALUE_BINS equal bins over
 * [−a, a], a the comparison's value limit: bin = ⌊(w_M + a) · (VALUE_BINS / 2a)⌋ clamped to
 * [0, VALUE_BINS − 1] (a = 0: the middle bin). The bin count is odd, so 0 (pruned weights) falls
 * in the middle bin. Change axis: r = |w_M − w_B| / |w_B| against the edges 0, 0.2, 0.4, 0.6,
 * 0.8, 1, ∞ (bin = how many of 0.2 … 1 are ≤ r); r = 0 when w_M = w_B (0/0 included) and
 * r = ∞ when w_B = 0 ≠ w_M. Elements where either value is NaN or infinite are counted in
 * `nonfinite` and left out of the histogram. */
#define CNC_LAYER_VALUE_BINS 31
#define CNC_LAYER_CHANGE_BINS 6

/* The finite upper edges of the change bins: 0.2, 0.4, 0.6, 0.8, 1. */
extern const double cnc_layer_change_edges[CNC_LAYER_CHANGE_BINS - 1];

/* Sums over the elements of one parameter, or of every parameter under a module (double
 * accumulators). Every metric is derived from these, so module rows are exact aggregates. */
typedef struct {
  gint64 numel;
  gint64 zeros_base;
  gint64 zeros_model;
  gint64 zeros_both;
  gint64 nonfinite;
  double sum_sq_base;     /* ‖W_B‖² */
  double sum_sq_model;    /* ‖W_M‖² */
  double dot;             /* ⟨W_B, W_M⟩ */
  double sum_sq_diff;     /* ‖W_M − W_B‖² */
  double sum_abs_diff;    /* Σ |w_M − w_B| */
  gint64 histogram[CNC_LAYER_VALUE_BINS][CNC_LAYER_CHANGE_BINS];
} CncLayerDelta;

/* What people read. NAN means "undefined" (null in JSON, "—" in text). */
typedef struct {
  double   sparsity_base;     /* zeros / numel */
  double   sparsity_model;
  gint64   zero_both;         /* mask overlap: zero in both */
  gint64   zero_only_model;   /* pruned by the compression */
  gint64   zero_only_base;    /* revived */
  double   relative_l2;       /* ‖W_M − W_B‖ / ‖W_B‖; 0 when both are 0; NAN when only ‖W_B‖ is 0 */
  double   cosine;            /* ⟨W_B, W_M⟩ / (‖W_B‖ ‖W_M‖); NAN when either norm is 0 */
  double   sqnr_db;           /* 10·log10(‖W_B‖² / ‖W_M − W_B‖²): +∞ when identical, −∞ when W_B = 0 ≠ W_M */
  gboolean identical;         /* W_M = W_B element for element */
  double   mean_abs_change;   /* Σ|Δw| / numel; NAN when numel = 0 */
} CncLayerMetrics;

void cnc_layer_delta_metrics (const CncLayerDelta *delta,
                              CncLayerMetrics     *metrics);

/* Adds @src's sums and histogram into @dst. */
void cnc_layer_delta_add     (CncLayerDelta       *dst,
                              const CncLayerDelta *src);

/* One parameter present in both models. */
typedef struct {
  char         *name;            /* "features.0.weight" */
  char         *module;          /* "features.0" */
  char         *dtype_base;
  char         *dtype_model;
  gboolean      quantized_base;
  gboolean      quantized_model;
  gint64       *shape_base;
  guint         n_dims_base;
  gint64       *shape_model;
  guint         n_dims_model;
  gboolean      shape_mismatch;  /* shapes differ: no delta, reported as such */
  CncLayerDelta delta;
} CncLayerPair;

/* A node of the module tree: the aggregate of every compared parameter under it. */
typedef struct {
  char         *name;            /* module path; "" is the whole model */
  guint         depth;           /* 0 for the whole model, 1 for "features", 2 for "features.0" */
  guint         n_parameters;    /* compared parameters under it */
  CncLayerDelta delta;
} CncModuleDelta;

typedef struct {
  double     value_limit;        /* a: the value axis spans [−a, a] */
  GPtrArray *parameters;         /* CncLayerPair*, in the base model's order */
  GPtrArray *modules;            /* CncModuleDelta*, the tree in pre-order (the whole model first,
                                  * children in order of first appearance) */
  GPtrArray *base_only;          /* char*: parameters only the base has */
  GPtrArray *model_only;         /* char*: parameters only the model has */
  GPtrArray *base_skipped;       /* char*: "name (dtype)" tensors not compared (not floating point) */
  GPtrArray *model_skipped;
} CncLayerComparison;

/* The largest |w| over every finite weight of @weights (0 when there is none). */
double              cnc_layer_value_limit          (const CncWeights *weights);

/* The left edge of value bin @i (i = VALUE_BINS gives the right edge of the last): −a + i·2a/BINS. */
double              cnc_layer_value_edge           (double value_limit,
                                                    guint  i);

/* Compares @model against @base. @value_limit ≤ 0 (or NAN): the largest |w| of both (pass the
 * same limit to several comparisons to draw them on one scale). @n_threads 0: every core. One
 * fused pass per parameter pair; results do not depend on the thread count. */
CncLayerComparison *cnc_layer_compare              (const CncWeights *base,
                                                    const CncWeights *model,
                                                    double            value_limit,
                                                    guint             n_threads);
void                cnc_layer_comparison_free      (CncLayerComparison *comparison);

/* The stable JSON form: adds the members value_limit, bins, parameters, modules, base_only,
 * model_only, base_skipped, model_skipped (see README) to the object @builder is building. */
void                cnc_layer_comparison_to_json   (const CncLayerComparison *comparison,
                                                    JsonBuilder              *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncLayerComparison, cnc_layer_comparison_free)

G_END_DECLS
