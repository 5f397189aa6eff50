/* cnc-cka.c
 * Activation similarity maths: centered Gram matrices (one product, or two side by side), linear CKA, cache files.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-cka"

#include "cnc-cka.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define GRAM_MAGIC "CNCGRAM1"
/* ‖Xc‖ / ‖X‖ at or below which a layer's outputs count as constant on the sample. */
#define CONSTANT_SPREAD 1e-5

/* Σ x[i]·y[i] in double, four accumulators (the same order for every call: ‖K‖² and ⟨K, K⟩ come
 * out bitwise equal, so CKA of a matrix with itself is exactly 1). */
static double
dot_f32 (const float *x,
         const float *y,
         gint64       n)
{
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  gint64 i = 0;

  for (; i + 3 < n; i += 4)
    {
      s0 += (double) x[i] * y[i];
      s1 += (double) x[i + 1] * y[i + 1];
      s2 += (double) x[i + 2] * y[i + 2];
      s3 += (double) x[i + 3] * y[i + 3];
    }
  for (; i < n; i++)
    s0 += (double) x[i] * y[i];
  return (s0 + s1) + (s2 + s3);
}

void
cnc_gram_free (CncGram *gram)
{
  if (gram == NULL)
    return;
  g_free (gram->k);
  g_free (gram);
}

/* Subtracts the column means (accumulated in double) from @x; returns n·‖mean‖², what centering
 * took away from ‖X‖² (‖X‖² = ‖Xc‖² + n‖mean‖²). */
static double
center (float  *x,
        gint64  n,
        gint64  d)
{
  g_autofree double *mean = g_new0 (double, d);
  g_autofree float *meanf = g_new (float, d);
  double taken = 0;

  for (gint64 r = 0; r < n; r++)
    {
      const float *row = x + r * d;
      for (gint64 c = 0; c < d; c++)
        mean[c] += row[c];
    }
  for (gint64 c = 0; c < d; c++)
    {
      meanf[c] = (float) (mean[c] / n);
      taken += (double) meanf[c] * meanf[c];
    }
  for (gint64 r = 0; r < n; r++)
    {
      float *row = x + r * d;
      for (gint64 c = 0; c < d; c++)
        row[c] -= meanf[c];
    }
  return taken * n;
}

static CncGram *
gram_alloc (gint64   n,
            gint64   d,
            GError **error)
{
  CncGram *gram = g_new0 (CncGram, 1);

  gram->n = n;
  gram->d = d;
  gram->k = g_try_new (float, n * n);
  if (gram->k == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "not enough memory for a %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT
                   " Gram matrix", n, n);
      cnc_gram_free (gram);
      return NULL;
    }
  return gram;
}

/* After the product: ‖Xc‖² is the trace of K. Outputs equal up to float32 rounding are constant
 * (what is left after centering is noise): K = 0. */
static void
gram_finish (CncGram *gram,
             double   taken)
{
  double trace = 0;

  for (gint64 i = 0; i < gram->n; i++)
    trace += gram->k[i * gram->n + i];
  if (trace <= CONSTANT_SPREAD * CONSTANT_SPREAD * (trace + taken))
    memset (gram->k, 0, (gsize) (gram->n * gram->n) * sizeof (float));
  gram->sq_norm = dot_f32 (gram->k, gram->k, gram->n * gram->n);
}

CncGram *
cnc_gram_new_centering (float          *x,
                        gint64          n,
                        gint64          d,
                        CncGramProduct  product,
                        GError        **error)
{
  g_autoptr(CncGram) gram = NULL;
  double taken;

  g_return_val_if_fail (n > 0 && d > 0 && x != NULL && product != NULL, NULL);

  taken = center (x, n, d);
  if (!(gram = gram_alloc (n, d, error)) || !product (x, n, d, gram->k, 0, error))
    return NULL;
  gram_finish (gram, taken);
  return g_steal_pointer (&gram);
}

/* The second Gram of a pair, on its own thread. */
typedef struct {
  float          *x;
  gint64          n, d;
  CncGramProduct  product;
  CncGram        *gram;
  double          taken;
  GError         *error;
} PairJob;

static gpointer
pair_job (gpointer data)
{
  PairJob *job = data;

  job->taken = center (job->x, job->n, job->d);
  if (!job->product (job->x, job->n, job->d, job->gram->k, 1, &job->error))
    return NULL;
  gram_finish (job->gram, job->taken);
  return job;
}

gboolean
cnc_gram_new_pair (float          *x,
                   gint64          dx,
                   float          *y,
                   gint64          dy,
                   gint64          n,
                   CncGramProduct  product,
                   CncGram       **gram_x,
                   CncGram       **gram_y,
                   GError        **error)
{
  g_autoptr(CncGram) gx = NULL;
  g_autoptr(CncGram) gy = NULL;
  g_autoptr(GThread) thread = NULL;
  PairJob job = { 0 };
  gboolean ok;
  double taken;

  g_return_val_if_fail (n > 0 && dx > 0 && dy > 0 && x != NULL && y != NULL, FALSE);
  g_return_val_if_fail (gram_x != NULL && gram_y != NULL, FALSE);

  if (g_get_num_processors () < 2)
    {
      if (!(gx = cnc_gram_new_centering (x, n, dx, product, error))
          || !(gy = cnc_gram_new_centering (y, n, dy, product, error)))
        return FALSE;
      *gram_x = g_steal_pointer (&gx);
      *gram_y = g_steal_pointer (&gy);
      return TRUE;
    }

  if (!(gx = gram_alloc (n, dx, error)) || !(gy = gram_alloc (n, dy, error)))
    return FALSE;
  job.x = y;
  job.n = n;
  job.d = dy;
  job.product = product;
  job.gram = gy;
  thread = g_thread_try_new ("cnc-gram", pair_job, &job, NULL);
  if (thread == NULL)
    pair_job (&job);

  taken = center (x, n, dx);
  ok = product (x, n, dx, gx->k, thread != NULL ? 1 : 0, error);
  if (ok)
    gram_finish (gx, taken);
  if (thread != NULL)
    g_thread_join (g_steal_pointer (&thread));
  if (!ok)
    {
      g_clear_error (&job.error);
      return FALSE;
    }
  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }
  *gram_x = g_steal_pointer (&gx);
  *gram_y = g_steal_pointer (&gy);
  return TRUE;
}

double
cnc_cka_linear (const CncGram *a,
                const CncGram *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, NAN);

  if (a->n != b->n || !(a->sq_norm > 0) || !(b->sq_norm > 0)
      || !isfinite (a->sq_norm) || !isfinite (b->sq_norm))
    return NAN;
  return dot_f32 (a->k, b->k, a->n * a->n) / sqrt (a->sq_norm * b->sq_norm);
}

/* Gram cache files: magic, key length (guint32), key, n, d (gint64), ‖K‖² (double), K. */

gboolean
cnc_gram_save (const CncGram *gram,
               const char    *path,
               const char    *key,
               GError       **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *dir = g_path_get_dirname (path);
  guint32 key_len = (guint32) strlen (key);

  g_return_val_if_fail (gram != NULL && path != NULL && key != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   "cannot make the cache folder %s: %s", dir, g_strerror (err));
      return FALSE;
    }
  g_byte_array_append (bytes, (const guint8 *) GRAM_MAGIC, 8);
  g_byte_array_append (bytes, (const guint8 *) &key_len, sizeof key_len);
  g_byte_array_append (bytes, (const guint8 *) key, key_len);
  g_byte_array_append (bytes, (const guint8 *) &gram->n, sizeof gram->n);
  g_byte_array_append (bytes, (const guint8 *) &gram->d, sizeof gram->d);
  g_byte_array_append (bytes, (const guint8 *) &gram->sq_norm, sizeof gram->sq_norm);
  g_byte_array_append (bytes, (const guint8 *) gram->k, (guint) (gram->n * gram->n * sizeof (float)));
  return g_file_set_contents (path, (const char *) bytes->data, bytes->len, error);
}

CncGram *
cnc_gram_load (const char *path,
               const char *key,
               GError    **error)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(CncGram) gram = NULL;
  const guint8 *p;
  gsize len, at;
  guint32 key_len;

  g_return_val_if_fail (path != NULL && key != NULL, NULL);

  map = g_mapped_file_new (path, FALSE, NULL);
  if (map == NULL)
    return NULL;   /* absent (or unreadable): computed again */
  p = (const guint8 *) g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);

  if (len < 8 + 4 || memcmp (p, GRAM_MAGIC, 8) != 0)
    return NULL;
  memcpy (&key_len, p + 8, 4);
  at = 12;
  if (key_len != strlen (key) || len - at < (gsize) key_len + 24 || memcmp (p + at, key, key_len) != 0)
    return NULL;
  at += key_len;

  gram = g_new0 (CncGram, 1);
  memcpy (&gram->n, p + at, 8);
  memcpy (&gram->d, p + at + 8, 8);
  memcpy (&gram->sq_norm, p + at + 16, 8);
  at += 24;
  if (gram->n <= 0 || gram->d <= 0 || gram->n > G_MAXINT32
      || (len - at) != (gsize) gram->n * gram->n * sizeof (float))
    return NULL;
  gram->k = g_new (float, gram->n * gram->n);
  memcpy (gram->k, p + at, len - at);
  /* A damaged file must not pass for a matrix: its norm is recomputed and compared. */
  if (dot_f32 (gram->k, gram->k, gram->n * gram->n) != gram->sq_norm)
    return NULL;
  return g_steal_pointer (&gram);
}

void
cnc_cka_sample_indices (gint64  size,
                        gint64  n,
                        gint64 *out)
{
  g_return_if_fail (n <= size && out != NULL);

  for (gint64 i = 0; i < n; i++)
    out[i] = (gint64) (((__int128) i * size) / n);
}
