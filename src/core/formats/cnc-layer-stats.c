/* cnc-layer-stats.c
 * Per-parameter statistics of a model's weights, computed in one pass in double precision.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-layer-stats"

#include "cnc-layer-stats.h"
#include "core/cnc-json-build.h"

#include <math.h>
#include <string.h>

const char *
cnc_dtype_name (CncDtype dtype)
{
  switch (dtype)
    {
    case CNC_DTYPE_F64: return "float64";
    case CNC_DTYPE_F32: return "float32";
    case CNC_DTYPE_F16: return "float16";
    case CNC_DTYPE_BF16: return "bfloat16";
    case CNC_DTYPE_I64: return "int64";
    case CNC_DTYPE_I32: return "int32";
    case CNC_DTYPE_I16: return "int16";
    case CNC_DTYPE_I8: return "int8";
    case CNC_DTYPE_U8: return "uint8";
    case CNC_DTYPE_BOOL: return "bool";
    default: g_assert_not_reached ();
    }
}

guint
cnc_dtype_size (CncDtype dtype)
{
  switch (dtype)
    {
    case CNC_DTYPE_F64: case CNC_DTYPE_I64: return 8;
    case CNC_DTYPE_F32: case CNC_DTYPE_I32: return 4;
    case CNC_DTYPE_F16: case CNC_DTYPE_BF16: case CNC_DTYPE_I16: return 2;
    case CNC_DTYPE_I8: case CNC_DTYPE_U8: case CNC_DTYPE_BOOL: return 1;
    default: g_assert_not_reached ();
    }
}

guint
cnc_dtype_bits (CncDtype dtype)
{
  return dtype == CNC_DTYPE_BOOL ? 1 : 8 * cnc_dtype_size (dtype);
}

CncLayerStats *
cnc_layer_stats_new (const char   *name,
                     const char   *dtype,
                     guint         bits,
                     const gint64 *shape,
                     guint         n_dims)
{
  CncLayerStats *s = g_new0 (CncLayerStats, 1);

  s->name = g_strdup (name);
  s->module = cnc_layer_module_of (name);
  s->dtype = g_strdup (dtype);
  s->bits = bits;
  s->n_dims = n_dims;
  s->shape = g_new0 (gint64, MAX (n_dims, 1));
  if (n_dims > 0)
    memcpy (s->shape, shape, n_dims * sizeof (gint64));
  s->numel = 1;
  for (guint i = 0; i < n_dims; i++)
    s->numel *= shape[i];
  s->min = s->max = s->mean = s->std = NAN;
  s->qscale = NAN;
  return s;
}

void
cnc_layer_stats_free (CncLayerStats *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  g_free (s->module);
  g_free (s->dtype);
  g_free (s->shape);
  g_free (s);
}

CncLayerStats *
cnc_layer_stats_copy (const CncLayerStats *s)
{
  CncLayerStats *c = g_memdup2 (s, sizeof *s);

  c->name = g_strdup (s->name);
  c->module = g_strdup (s->module);
  c->dtype = g_strdup (s->dtype);
  c->shape = g_memdup2 (s->shape, MAX (s->n_dims, 1) * sizeof (gint64));
  return c;
}

GPtrArray *
cnc_layer_stats_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_layer_stats_free);
}

char *
cnc_layer_module_of (const char *param_name)
{
  const char *dot = strrchr (param_name, '.');

  return dot ? g_strndup (param_name, dot - param_name) : g_strdup ("");
}

static inline double
half_to_double (guint16 h)
{
  guint32 sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;

  if (exp == 0)
    v = ldexp ((double) mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexp ((double) (mant | 0x400), (int) exp - 25);
  return sign ? -v : v;
}

static inline double
bf16_to_double (guint16 b)
{
  guint32 bits = (guint32) b << 16;
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

static inline double
element (const guint8 *p, CncDtype dtype, gint64 i)
{
  switch (dtype)
    {
    case CNC_DTYPE_F64: { double v; memcpy (&v, p + 8 * i, 8); return v; }
    case CNC_DTYPE_F32: { float v; memcpy (&v, p + 4 * i, 4); return v; }
    case CNC_DTYPE_F16: { guint16 v; memcpy (&v, p + 2 * i, 2); return half_to_double (v); }
    case CNC_DTYPE_BF16: { guint16 v; memcpy (&v, p + 2 * i, 2); return bf16_to_double (v); }
    case CNC_DTYPE_I64: { gint64 v; memcpy (&v, p + 8 * i, 8); return (double) v; }
    case CNC_DTYPE_I32: { gint32 v; memcpy (&v, p + 4 * i, 4); return v; }
    case CNC_DTYPE_I16: { gint16 v; memcpy (&v, p + 2 * i, 2); return v; }
    case CNC_DTYPE_I8: return (gint8) p[i];
    case CNC_DTYPE_U8: return p[i];
    case CNC_DTYPE_BOOL: return p[i] != 0;
    default: g_assert_not_reached ();
    }
}

double
cnc_dtype_element (const void *data,
                   CncDtype    dtype,
                   gint64      i)
{
  return element (data, dtype, i);
}

void
cnc_layer_stats_compute (CncLayerStats *s,
                         const void    *data,
                         CncDtype       dtype,
                         gint64         n)
{
  const guint8 *p = data;
  double sum = 0, sum_sq = 0, l1 = 0, lo = INFINITY, hi = -INFINITY;
  gint64 zeros = 0;

  g_return_if_fail (s != NULL);
  g_return_if_fail (n == 0 || data != NULL);

  if (dtype == CNC_DTYPE_F32)
    {
      /* The common case: LANES independent accumulators, so the additions do not wait on each other
       * and the compiler can keep them in vector registers (each lane still sums in order, in
       * double); the lanes are added at the end. NaN never wins a comparison, so min/max skip it. */
      enum { LANES = 8 };
      const float *f = data;
      double a_sum[LANES] = { 0 }, a_sq[LANES] = { 0 }, a_l1[LANES] = { 0 };
      double a_lo[LANES], a_hi[LANES];
      gint64 a_zeros[LANES] = { 0 };
      gint64 i = 0;

      for (int j = 0; j < LANES; j++)
        {
          a_lo[j] = INFINITY;
          a_hi[j] = -INFINITY;
        }
      for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++)
          {
            double v = f[i + j];
            a_zeros[j] += v == 0.0;
            a_sum[j] += v;
            a_sq[j] += v * v;
            a_l1[j] += fabs (v);
            a_lo[j] = v < a_lo[j] ? v : a_lo[j];
            a_hi[j] = v > a_hi[j] ? v : a_hi[j];
          }
      for (int j = 0; j < LANES; j++)
        {
          zeros += a_zeros[j];
          sum += a_sum[j];
          sum_sq += a_sq[j];
          l1 += a_l1[j];
          if (a_lo[j] < lo) lo = a_lo[j];
          if (a_hi[j] > hi) hi = a_hi[j];
        }
      for (; i < n; i++)
        {
          double v = f[i];
          zeros += v == 0.0;
          sum += v;
          sum_sq += v * v;
          l1 += fabs (v);
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
    }
  else
    {
      for (gint64 i = 0; i < n; i++)
        {
          double v = element (p, dtype, i);
          zeros += v == 0.0;
          sum += v;
          sum_sq += v * v;
          l1 += fabs (v);
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
    }

  s->numel = n;
  s->zeros = zeros;
  s->l1 = l1;
  s->l2 = sqrt (sum_sq);
  if (n > 0)
    {
      double mean = sum / n;
      s->mean = mean;
      s->std = sqrt (MAX (0.0, sum_sq / n - mean * mean));
      s->min = lo;
      s->max = hi;
    }
  else
    {
      s->mean = s->std = s->min = s->max = NAN;
    }
}

void
cnc_layer_stats_to_json (const CncLayerStats *s,
                         JsonBuilder         *b)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, s->name);
  json_builder_set_member_name (b, "module");
  json_builder_add_string_value (b, s->module);
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->n_dims; i++)
    json_builder_add_int_value (b, s->shape[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, s->dtype);
  json_builder_set_member_name (b, "bits");
  json_builder_add_int_value (b, s->bits);
  json_builder_set_member_name (b, "numel");
  json_builder_add_int_value (b, s->numel);
  json_builder_set_member_name (b, "zeros");
  json_builder_add_int_value (b, s->zeros);
  cnc_json_add_number (b, "min", s->min);
  cnc_json_add_number (b, "max", s->max);
  cnc_json_add_number (b, "mean", s->mean);
  cnc_json_add_number (b, "std", s->std);
  cnc_json_add_number (b, "l1", s->l1);
  cnc_json_add_number (b, "l2", s->l2);
  json_builder_set_member_name (b, "quantized");
  json_builder_add_boolean_value (b, s->quantized);
  if (s->quantized)
    {
      cnc_json_add_number (b, "qscale", s->qscale);
      json_builder_set_member_name (b, "qzero_point");
      json_builder_add_int_value (b, s->qzero_point);
    }
  json_builder_end_object (b);
}

static double
get_double (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NAN;
  return json_node_get_double (n);
}

CncLayerStats *
cnc_layer_stats_from_json (JsonObject *o,
                           GError    **error)
{
  g_autofree gint64 *shape = NULL;
  JsonArray *shape_array;
  CncLayerStats *s;
  guint n_dims;

  if (!json_object_has_member (o, "name") || !json_object_has_member (o, "dtype")
      || !json_object_has_member (o, "shape")
      || (shape_array = json_object_get_array_member (o, "shape")) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "layer record lacks name, dtype or shape");
      return NULL;
    }
  n_dims = json_array_get_length (shape_array);
  shape = g_new0 (gint64, MAX (n_dims, 1));
  for (guint i = 0; i < n_dims; i++)
    shape[i] = json_array_get_int_element (shape_array, i);

  s = cnc_layer_stats_new (json_object_get_string_member (o, "name"),
                           json_object_get_string_member (o, "dtype"),
                           (guint) json_object_get_int_member_with_default (o, "bits", 32),
                           shape, n_dims);
  if (json_object_has_member (o, "module"))
    {
      g_free (s->module);
      s->module = g_strdup (json_object_get_string_member (o, "module"));
    }
  s->numel = json_object_get_int_member_with_default (o, "numel", s->numel);
  s->zeros = json_object_get_int_member_with_default (o, "zeros", 0);
  s->min = get_double (o, "min");
  s->max = get_double (o, "max");
  s->mean = get_double (o, "mean");
  s->std = get_double (o, "std");
  s->l1 = get_double (o, "l1");
  s->l2 = get_double (o, "l2");
  s->quantized = json_object_get_boolean_member_with_default (o, "quantized", FALSE);
  s->qscale = get_double (o, "qscale");
  s->qzero_point = json_object_get_int_member_with_default (o, "qzero_point", 0);
  return s;
}
