/* cnc-cka-compare.h
 * Activation similarity of two models: linear CKA and relative change per layer, on a sample, with a cache.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "core/analysis/cnc-cka.h"
#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

#define CNC_CKA_ERROR (cnc_cka_error_quark ())

typedef enum {
  CNC_CKA_ERROR_NOT_RUNNABLE,   /* a model without runnable code (state dict, safetensors, record) */
  CNC_CKA_ERROR_NO_LAYERS,      /* no layer of the two models could be compared */
  CNC_CKA_ERROR_INVALID,        /* bad options (no samples) */
} CncCkaError;

GQuark cnc_cka_error_quark (void);

#define CNC_CKA_DEFAULT_SAMPLES 512

typedef struct {
  const char *dataset;        /* NULL: the built-in fashion-mnist */
  const char *split;          /* NULL: test */
  gint64      n_samples;      /* 0: CNC_CKA_DEFAULT_SAMPLES (fewer when the split is smaller) */
  gint64      batch_size;     /* 0: 128 */
  guint       n_threads;      /* 0: every core */
  gboolean    no_cache;       /* neither read nor write <workspace>/cache/cka */
  gsize       memory_budget;  /* bytes of activations held at once; 0: 1 GiB */
} CncCkaOptions;

typedef struct {
  char   *name;               /* module path */
  gint64  features_base;      /* output size per instance */
  gint64  features_model;
  double  cka;                /* NAN: undefined (constant output on the sample) */
  double  relative_change;    /* ‖A_M − A_B‖ / ‖A_B‖ over the sample; 0 when both are 0; NAN when
                               * the widths differ or only ‖A_B‖ is 0 */
} CncCkaLayer;

typedef struct {
  char      *dataset;
  char      *split;
  gint64     n_samples;
  char      *sample_key;      /* SHA-256 of the sampled inputs: part of every cache key */
  GPtrArray *layers;          /* CncCkaLayer*, in the base model's module order */
  GPtrArray *base_only;       /* char*: modules with an output only in the base */
  GPtrArray *model_only;
  GPtrArray *not_captured;    /* char*: "module: why", modules of both without a tensor output */
  guint      grams_cached;    /* Gram matrices read from the cache */
  gboolean   pair_cached;     /* the whole result came from the cache: no model ran */
} CncCkaResult;

void          cnc_cka_result_free    (CncCkaResult *result);

/* Linear CKA and relative change of activations per matched layer of @model against @base, on
 * the sample of @options' dataset split. Caches each model's Gram per layer and sample (keyed
 * by model SHA-256, sample and layer) and the pair's result under <workspace>/cache/cka, so
 * that the next comparison with either model costs dot products. Blocks: run it off the main
 * thread. */
CncCkaResult *cnc_cka_compare        (CncWorkspace               *workspace,
                                      const CncModel             *base,
                                      const CncModel             *model,
                                      const CncCkaOptions        *options,
                                      const CncActivationBackend *backend,
                                      GCancellable               *cancellable,
                                      GError                    **error);

/* The stable JSON form (see README): adds the members dataset, split, samples, sample_key,
 * layers, base_only, model_only, not_captured, cached to the object @builder is building. */
void          cnc_cka_result_to_json (const CncCkaResult *result,
                                      JsonBuilder        *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncCkaResult, cnc_cka_result_free)

G_END_DECLS
