/* cnc-cka.h
 * Activation similarity maths: centered Gram matrices, linear CKA, their cache files, the sample, what runs models.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

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

/* What runs the models for cnc_cka_compare() (engine/cnc-cka-compare.h): the torch shim's
 * cnc_torch_activation_backend(). Opaque captures. */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncGram, cnc_gram_free)

G_END_DECLS
