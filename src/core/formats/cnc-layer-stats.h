/* cnc-layer-stats.h
 * Per-parameter statistics of a model's weights (one row of a model's layer table).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Element types of weight arrays, as the file formats name them. */
typedef enum {
  CNC_DTYPE_F64,
  CNC_DTYPE_F32,
  CNC_DTYPE_F16,
  CNC_DTYPE_BF16,
  CNC_DTYPE_I64,
  CNC_DTYPE_I32,
  CNC_DTYPE_I16,
  CNC_DTYPE_I8,
  CNC_DTYPE_U8,
  CNC_DTYPE_BOOL,
} CncDtype;

const char *cnc_dtype_name      (CncDtype dtype);   /* "float32", "int8", ... */
guint       cnc_dtype_size      (CncDtype dtype);   /* bytes per element */
guint       cnc_dtype_bits      (CncDtype dtype);
/* Element @i of an array of @dtype (native byte order), as a double (exact but for int64 beyond 2^53). */
double      cnc_dtype_element   (const void *data, CncDtype dtype, gint64 i);

typedef struct {
  char    *name;        /* parameter name: "features.0.weight" */
  char    *module;      /* module path: "features.0" ("" at top level) */
  gint64  *shape;
  guint    n_dims;
  char    *dtype;       /* "float32", "float16", "qint8", ... */
  guint    bits;        /* storage bits per element (32 for float32, 8 for qint8) */
  gint64   numel;
  gint64   zeros;       /* elements exactly equal to 0 (after dequantization) */
  double   min, max;
  double   mean;
  double   std;         /* population standard deviation (ddof = 0) */
  double   l1;          /* sum |w| */
  double   l2;          /* sqrt (sum w^2) */
  gboolean quantized;
  double   qscale;      /* per-tensor scale, or the mean of per-channel scales; NAN if not quantized */
  gint64   qzero_point;
} CncLayerStats;

CncLayerStats *cnc_layer_stats_new        (const char    *name,
                                           const char    *dtype,
                                           guint          bits,
                                           const gint64  *shape,
                                           guint          n_dims);
void           cnc_layer_stats_free       (CncLayerStats *stats);
CncLayerStats *cnc_layer_stats_copy       (const CncLayerStats *stats);

/* Fills numel..l2 from @n elements of @data, stored as @dtype (native byte order).
 * Accumulates in double; NaN elements are skipped by min/max. */
void           cnc_layer_stats_compute    (CncLayerStats *stats,
                                           const void    *data,
                                           CncDtype       dtype,
                                           gint64         n);

/* The module path of a parameter name: everything before the last dot. */
char          *cnc_layer_module_of        (const char    *param_name);

/* JSON form, used by the inspection helper process and by `show --json`. */
void           cnc_layer_stats_to_json    (const CncLayerStats *stats,
                                           JsonBuilder   *builder);
CncLayerStats *cnc_layer_stats_from_json  (JsonObject    *object,
                                           GError       **error);

/* A GPtrArray of CncLayerStats* that frees its elements. */
GPtrArray     *cnc_layer_stats_array_new  (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncLayerStats, cnc_layer_stats_free)

G_END_DECLS
