/* cnc-predictions.c
 * Stored predictions: one evaluations row per model × dataset split, its arrays packed little-endian.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-predictions"

#include "cnc-predictions.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cnc-workspace-private.h"

/* ---- half floats ------------------------------------------------------------------------ */

static inline guint32
float_bits (float f)
{
  guint32 x;

  memcpy (&x, &f, sizeof x);
  return x;
}

guint16
cnc_float_to_half (float f)
{
  guint32 x = float_bits (f);
  guint32 sign = (x >> 16) & 0x8000;
  guint32 a = x & 0x7fffffff;
  guint32 h, rest;

  if (a > 0x7f800000)
    return sign | 0x7e00;               /* NaN: a quiet one, as PyTorch makes */
  if (a >= 0x477ff000)
    return sign | 0x7c00;               /* 65520 and up round to infinity */
  if (a < 0x38800000)
    {
      /* Below 2^-14: a subnormal half (units of 2^-24), or zero. */
      guint32 e = a >> 23, m, shift, halfway;

      if (a <= 0x33000000)
        return sign;                    /* 2^-25 and below: ties to the even zero */
      m = (a & 0x7fffff) | 0x800000;
      shift = 126 - e;                  /* 14 … 24 */
      h = m >> shift;
      rest = m & ((1u << shift) - 1);
      halfway = 1u << (shift - 1);
      if (rest > halfway || (rest == halfway && (h & 1)))
        h++;
      return sign | h;
    }
  h = (a - 0x38000000) >> 13;           /* exponent rebiased from 127 to 15 */
  rest = a & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
    h++;                                /* a carry into the exponent is right */
  return sign | h;
}

float
cnc_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 e = (h >> 10) & 0x1f;
  guint32 m = h & 0x3ff;
  guint32 bits;
  float f;

  if (e == 0x1f)
    bits = sign | 0x7f800000 | (m << 13);
  else if (e == 0)
    {
      f = (float) m * (1.0f / 16777216.0f);
      return sign ? -f : f;
    }
  else
    bits = sign | ((e + 112) << 23) | (m << 13);
  memcpy (&f, &bits, sizeof f);
  return f;
}

void
cnc_floats_to_halves (const float *in,
                      guint16     *out,
                      gsize        n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = cnc_float_to_half (in[i]);
}

/* ---- packed arrays ----------------------------------------------------------------------- */

typedef struct {
  const char           *name;
  CncPredictionsArrays  flag;
  const char           *dtype;
  guint                 item;      /* bytes per element */
  guint                 width;     /* elements per instance; 0: k */
} ArraySpec;

static const ArraySpec array_specs[] = {
  { "labels",    CNC_PREDICTIONS_LABELS,    "i2", 2, 1 },
  { "predicted", CNC_PREDICTIONS_PREDICTED, "i2", 2, 1 },
  { "top5",      CNC_PREDICTIONS_TOP5,      "i2", 2, 5 },
  { "p_true",    CNC_PREDICTIONS_PROBS,     "f4", 4, 1 },
  { "p_max",     CNC_PREDICTIONS_PROBS,     "f4", 4, 1 },
  { "logits",    CNC_PREDICTIONS_LOGITS,    "f2", 2, 0 },
};

static void **
array_slot (CncPredictions *p,
            const char     *name)
{
  if (g_str_equal (name, "labels"))
    return (void **) &p->labels;
  if (g_str_equal (name, "predicted"))
    return (void **) &p->predicted;
  if (g_str_equal (name, "top5"))
    return (void **) &p->top5;
  if (g_str_equal (name, "p_true"))
    return (void **) &p->p_true;
  if (g_str_equal (name, "p_max"))
    return (void **) &p->p_max;
  if (g_str_equal (name, "logits"))
    return (void **) &p->logits;
  g_assert_not_reached ();
}

/* Stored order is little-endian; on a big-endian host every element is swapped. */
static void
swap_elements (void  *data,
               guint  item,
               gsize  n)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  guint8 *b = data;

  for (gsize i = 0; i < n; i++, b += item)
    for (guint j = 0; j < item / 2; j++)
      {
        guint8 t = b[j];
        b[j] = b[item - 1 - j];
        b[item - 1 - j] = t;
      }
#else
  (void) data;
  (void) item;
  (void) n;
#endif
}

static gboolean
insert_array (CncWorkspace    *workspace,
              gint64           evaluation,
              const ArraySpec *spec,
              const void      *data,
              gint64           n,
              guint            k,
              GError         **error)
{
  guint width = spec->width ? spec->width : k;
  gsize bytes = (gsize) n * width * spec->item;
  g_autofree char *shape = width == 1 ? g_strdup_printf ("[%" G_GINT64_FORMAT "]", n)
                                      : g_strdup_printf ("[%" G_GINT64_FORMAT ", %u]", n, width);
  g_autofree void *swapped = NULL;
  sqlite3_stmt *stmt;

  if (G_BYTE_ORDER == G_BIG_ENDIAN && bytes > 0)
    {
      swapped = g_memdup2 (data, bytes);
      swap_elements (swapped, spec->item, bytes / spec->item);
      data = swapped;
    }
  stmt = _cnc_workspace_prepare (workspace,
                                 "INSERT INTO prediction_arrays (evaluation, name, dtype, shape, data)"
                                 " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, evaluation);
  sqlite3_bind_text (stmt, 2, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, spec->dtype, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, shape, -1, SQLITE_TRANSIENT);
  /* An empty blob, not NULL, for zero instances (the column is NOT NULL). */
  sqlite3_bind_blob64 (stmt, 5, bytes ? data : "", bytes, SQLITE_STATIC);
  return _cnc_workspace_step_done (workspace, stmt, "store the predictions", error);
}

gboolean
cnc_predictions_store (CncWorkspace   *workspace,
                       CncPredictions *p,
                       gint64          job,
                       GError        **error)
{
  sqlite3_stmt *stmt;
  const void *arrays[G_N_ELEMENTS (array_specs)];

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);
  g_return_val_if_fail (p != NULL && p->split != NULL && p->n >= 0 && p->k > 0, FALSE);

  if (!_cnc_workspace_in_transaction (workspace))
    {
      g_critical ("registry writes must run inside cnc_workspace_begin/commit");
      return FALSE;
    }
  arrays[0] = p->labels;
  arrays[1] = p->predicted;
  arrays[2] = p->top5;
  arrays[3] = p->p_true;
  arrays[4] = p->p_max;
  arrays[5] = p->logits;
  for (guint a = 0; a < G_N_ELEMENTS (array_specs); a++)
    g_return_val_if_fail (arrays[a] != NULL || p->n == 0, FALSE);

  /* The previous evaluation goes whole: its arrays follow through ON DELETE CASCADE. */
  stmt = _cnc_workspace_prepare (workspace,
                                 "DELETE FROM evaluations WHERE model = ? AND dataset = ? AND split = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, p->model);
  sqlite3_bind_int64 (stmt, 2, p->dataset);
  sqlite3_bind_text (stmt, 3, p->split, -1, SQLITE_TRANSIENT);
  if (!_cnc_workspace_step_done (workspace, stmt, "replace the previous evaluation", error))
    return FALSE;

  stmt = _cnc_workspace_prepare (workspace,
                                 "INSERT INTO evaluations (model, dataset, split, n, classes, device, threads,"
                                 " batch, nonfinite, created, job, variant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, p->model);
  sqlite3_bind_int64 (stmt, 2, p->dataset);
  sqlite3_bind_text (stmt, 3, p->split, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, p->n);
  sqlite3_bind_int64 (stmt, 5, p->k);
  sqlite3_bind_text (stmt, 6, p->device ? p->device : "cpu", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, p->threads);
  sqlite3_bind_int64 (stmt, 8, p->batch);
  sqlite3_bind_int64 (stmt, 9, p->nonfinite);
  sqlite3_bind_int64 (stmt, 10, g_get_real_time () / G_USEC_PER_SEC);
  if (job > 0)
    sqlite3_bind_int64 (stmt, 11, job);
  else
    sqlite3_bind_null (stmt, 11);
  if (p->variant)
    sqlite3_bind_text (stmt, 12, p->variant, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 12);
  if (!_cnc_workspace_step_done (workspace, stmt, "store the evaluation", error))
    return FALSE;
  p->evaluation = sqlite3_last_insert_rowid (_cnc_workspace_get_db (workspace));

  for (guint a = 0; a < G_N_ELEMENTS (array_specs); a++)
    if (!insert_array (workspace, p->evaluation, &array_specs[a], arrays[a], p->n, p->k, error))
      return FALSE;
  return TRUE;
}

/* ---- loading ----------------------------------------------------------------------------- */

#define EVALUATION_COLUMNS "id, model, dataset, split, n, classes, nonfinite, device, threads, batch, variant"

static gpointer
predictions_from_row (sqlite3_stmt *stmt)
{
  CncPredictions *p = g_new0 (CncPredictions, 1);

  p->evaluation = sqlite3_column_int64 (stmt, 0);
  p->model = sqlite3_column_int64 (stmt, 1);
  p->dataset = sqlite3_column_int64 (stmt, 2);
  p->split = _cnc_column_dup (stmt, 3);
  p->n = sqlite3_column_int64 (stmt, 4);
  p->k = (guint) sqlite3_column_int64 (stmt, 5);
  p->nonfinite = sqlite3_column_int64 (stmt, 6);
  p->device = _cnc_column_dup (stmt, 7);
  p->threads = (guint) sqlite3_column_int64 (stmt, 8);
  p->batch = (guint) sqlite3_column_int64 (stmt, 9);
  p->variant = _cnc_column_dup (stmt, 10);
  return p;
}

GPtrArray *
cnc_predictions_list (CncWorkspace *workspace,
                      gint64        model,
                      GError      **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_predictions_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);
  stmt = _cnc_workspace_prepare (workspace,
                                 "SELECT " EVALUATION_COLUMNS " FROM evaluations"
                                 " WHERE ?1 < 0 OR model = ?1 ORDER BY created DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, model);
  if (!_cnc_workspace_collect (workspace, g_steal_pointer (&stmt), predictions_from_row, list,
                               "read the evaluations", error))
    return NULL;
  return g_steal_pointer (&list);
}

static gboolean
load_arrays (CncWorkspace         *workspace,
             CncPredictions       *p,
             CncPredictionsArrays  wanted,
             GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint found = 0, needed = 0;

  for (guint a = 0; a < G_N_ELEMENTS (array_specs); a++)
    needed += (wanted & array_specs[a].flag) != 0;
  if (needed == 0)
    return TRUE;

  stmt = _cnc_workspace_prepare (workspace,
                                 "SELECT name, dtype, data FROM prediction_arrays WHERE evaluation = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, p->evaluation);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *dtype = (const char *) sqlite3_column_text (stmt, 1);
      const ArraySpec *spec = NULL;
      gsize bytes, want;
      void **slot;

      for (guint a = 0; a < G_N_ELEMENTS (array_specs) && spec == NULL; a++)
        if (g_strcmp0 (array_specs[a].name, name) == 0)
          spec = &array_specs[a];
      if (spec == NULL || !(wanted & spec->flag))
        continue;   /* an array a later version added, or one not asked for */

      want = (gsize) p->n * (spec->width ? spec->width : p->k) * spec->item;
      bytes = (gsize) sqlite3_column_bytes (stmt, 2);
      if (g_strcmp0 (dtype, spec->dtype) != 0 || bytes != want)
        {
          g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT,
                       "%s: the stored predictions “%s” of evaluation %" G_GINT64_FORMAT " are damaged "
                       "(%" G_GSIZE_FORMAT " bytes of %s, expected %" G_GSIZE_FORMAT " of %s); evaluate the model again",
                       cnc_workspace_get_path (workspace), name, p->evaluation, bytes, dtype, want, spec->dtype);
          return FALSE;
        }
      slot = array_slot (p, name);
      g_free (*slot);
      *slot = g_malloc (MAX (want, 1));
      if (want)
        memcpy (*slot, sqlite3_column_blob (stmt, 2), want);
      swap_elements (*slot, spec->item, want / spec->item);
      found++;
    }
  if (found != needed)
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT,
                   "%s: evaluation %" G_GINT64_FORMAT " lacks some of its stored predictions; evaluate the model again",
                   cnc_workspace_get_path (workspace), p->evaluation);
      return FALSE;
    }
  return TRUE;
}

CncPredictions *
cnc_predictions_load (CncWorkspace         *workspace,
                      gint64                model,
                      gint64                dataset,
                      const char           *split,
                      CncPredictionsArrays  arrays,
                      GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CncPredictions) p = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), NULL);
  stmt = _cnc_workspace_prepare (workspace,
                                 "SELECT " EVALUATION_COLUMNS " FROM evaluations"
                                 " WHERE model = ?1 AND (?2 < 0 OR dataset = ?2) AND (?3 IS NULL OR split = ?3)"
                                 " ORDER BY created DESC, id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, model);
  sqlite3_bind_int64 (stmt, 2, dataset);
  _cnc_bind_text_or_null (stmt, 3, dataset < 0 ? NULL : split);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                   "model %" G_GINT64_FORMAT " has not been evaluated%s%s", model,
                   dataset >= 0 && split ? " on split " : "", dataset >= 0 && split ? split : "");
      return NULL;
    }
  p = predictions_from_row (stmt);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!load_arrays (workspace, p, arrays, error))
    return NULL;
  return g_steal_pointer (&p);
}

gboolean
cnc_predictions_get_dataset (CncWorkspace *workspace,
                             gint64        dataset,
                             char        **name,
                             GStrv        *classes,
                             GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CNC_IS_WORKSPACE (workspace), FALSE);
  stmt = _cnc_workspace_prepare (workspace, "SELECT name, classes FROM datasets WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, dataset);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND,
                   "%s: no dataset %" G_GINT64_FORMAT, cnc_workspace_get_path (workspace), dataset);
      return FALSE;
    }
  if (name)
    *name = _cnc_column_dup (stmt, 0);
  if (classes)
    {
      g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 1), NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      if (node && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *a = json_node_get_array (node);
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              const char *s = json_node_get_string (json_array_get_element (a, i));
              g_ptr_array_add (names, g_strdup (s ? s : ""));
            }
        }
      g_ptr_array_add (names, NULL);
      *classes = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
    }
  return TRUE;
}
