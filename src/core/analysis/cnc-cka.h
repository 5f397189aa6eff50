/* cnc-cka.h
 * Activation similarity: linear CKA per layer between a base model and a model, with a cache of Gram matrices.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

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

/* A layer's centered Gram matrix on a sample of n instances: K = Xc·Xcᵀ, where Xc is the
 * n × d matrix of the layer's outputs (one flattened output per row) minus its column means.
 * Linear CKA between two layers is then ⟨K, L⟩ / (‖K‖ ‖L‖): a dot product. */
typedef struct {
  gint64  n;          /* instances */
  gint64  d;          /* features per instance */
  float  *k;          /* n × n, row-major, symmetric */
  double  sq_norm;    /* ‖K‖²_F, accumulated in double */
} CncGram;

/* Writes X·Xᵀ (n × n, row-major) of the n × d row-major @x into @out: the BLAS the caller has
 * (libtorch's, through the torch shim), with @n_threads threads (0: as the calling thread is set).
 * Must be callable from two threads at once. */
typedef gboolean (*CncGramProduct) (const float *x,
                                    gint64       n,
                                    gint64       d,
                                    float       *out,
                                    guint        n_threads,
                                    GError     **error);

/* Centers @x (n × d, row-major) in place (column means accumulated in double), then computes
 * its Gram matrix with @product. Outputs whose spread is at float32 rounding level
 * (‖Xc‖ ≤ 1e-5 ‖X‖) are constant: K = 0, and CKA with them is undefined. */
CncGram  *cnc_gram_new_centering  (float          *x,
                                   gint64          n,
                                   gint64          d,
                                   CncGramProduct  product,
                                   GError        **error);

/* The same for two matrices of the same n at once (@y may have another width): on a machine with
 * two cores or more, the two products run side by side, one BLAS thread each (a BLAS's own
 * threads scale poorly on few cores). */
gboolean  cnc_gram_new_pair       (float          *x,
                                   gint64          dx,
                                   float          *y,
                                   gint64          dy,
                                   gint64          n,
                                   CncGramProduct  product,
                                   CncGram       **gram_x,
                                   CncGram       **gram_y,
                                   GError        **error);
void      cnc_gram_free           (CncGram        *gram);

/* Linear CKA of two Grams on the same sample: ⟨K, L⟩ / √(‖K‖² ‖L‖²), exactly 1 for equal
 * matrices; NAN when either is all zero (a layer whose output is constant on the sample). */
double    cnc_cka_linear          (const CncGram  *a,
                                   const CncGram  *b);

/* The cache file format: a header naming @key (checked on load), n, d, ‖K‖², then K. */
gboolean  cnc_gram_save           (const CncGram  *gram,
                                   const char     *path,
                                   const char     *key,
                                   GError        **error);
/* NULL without an error when the file is absent, or holds another key or a damaged matrix. */
CncGram  *cnc_gram_load           (const char     *path,
                                   const char     *key,
                                   GError        **error);

/* The deterministic sample of @n of @size instances: instance ⌊i · size / n⌋ for i = 0 … n−1
 * (spread evenly over the split, in order). */
void      cnc_cka_sample_indices  (gint64          size,
                                   gint64          n,
                                   gint64         *out);

/* What runs the models: the torch shim's cnc_torch_activation_backend(). Opaque captures. */
typedef struct _CncCapture CncCapture;

typedef struct {
  /* Loads the TorchScript model @path, ready to capture the output of each named submodule;
   * @n_threads 0: every core. Errors begin with @label ("model “name”") and say why (a
   * frozen model keeps no submodules). */
  CncCapture  *(*open)          (const char   *path,
                                 const char   *label,
                                 guint         n_threads,
                                 GError      **error);
  void         (*free)          (CncCapture   *capture);
  /* Every named submodule, in the model's order ("features", "features.0", ...). */
  guint        (*get_n_modules) (CncCapture   *capture);
  const char  *(*get_module)    (CncCapture   *capture,
                                 guint         i);
  /* Runs @count instances (@count × instance_shape, float32, C order). */
  gboolean     (*run)           (CncCapture   *capture,
                                 const float  *input,
                                 gint64        count,
                                 const gint64 *instance_shape,
                                 guint         n_dims,
                                 GError      **error);
  /* Module @i's output in the last run: @count rows of *@features floats (valid until the
   * next run), or NULL with *@why saying why there is none ("returns a tuple", ...). */
  const float *(*get_output)    (CncCapture   *capture,
                                 guint         i,
                                 gint64       *features,
                                 const char  **why);
  CncGramProduct gram;
} CncActivationBackend;

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncGram, cnc_gram_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncCkaResult, cnc_cka_result_free)

G_END_DECLS
