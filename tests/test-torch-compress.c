/* test-torch-compress.c
 * Tests of the compression operations on TorchScript files, checked by NumPy / python3-torch on the files written.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-torch-compress"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>

#include "cnc-test-util.h"
#include "core/formats/cnc-layer-stats.h"
#include "cnc-torch.h"
#include "cnc-torch-eval.h"
#include "cnc-torch-compress.h"

#define SCRIPT "make-torch-compress-fixtures.py"
#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* Made once by make-torch-compress-fixtures.py; NULL when python3-torch is missing. */
static char *fixtures_dir;

/* ---- Fashion-MNIST, read here with a tiny IDX reader ---- */

typedef struct {
  GBytes       *images_bytes, *labels_bytes;
  const guint8 *images;      /* n × 28 × 28 */
  const guint8 *labels;
  gint64        n;
  gint64        fail_at;     /* a batch containing this instance fails (-1: none) */
  gint32        bad_label;   /* when ≥ 0, instance 0 gets this label */
} Idx;

static Idx train_set, test_set;

static GBytes *
read_gz (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) raw = g_file_read (file, NULL, &error);
  g_autoptr(GZlibDecompressor) z = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_no_error (error);
  z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  in = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (z));
  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                          NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
load_idx (const char *prefix,
          Idx        *set)
{
  g_autofree char *images = g_strdup_printf (FASHION_DIR "/%s-images-idx3-ubyte.gz", prefix);
  g_autofree char *labels = g_strdup_printf (FASHION_DIR "/%s-labels-idx1-ubyte.gz", prefix);
  gsize images_len, labels_len;
  const guint8 *ip, *lp;

  if (!g_file_test (images, G_FILE_TEST_EXISTS) || !g_file_test (labels, G_FILE_TEST_EXISTS))
    return FALSE;
  set->images_bytes = read_gz (images);
  set->labels_bytes = read_gz (labels);
  ip = g_bytes_get_data (set->images_bytes, &images_len);
  lp = g_bytes_get_data (set->labels_bytes, &labels_len);
  g_assert_cmpuint (be32 (ip), ==, 2051);
  g_assert_cmpuint (be32 (lp), ==, 2049);
  g_assert_cmpuint (be32 (ip + 8), ==, 28);
  g_assert_cmpuint (be32 (ip + 12), ==, 28);
  set->n = be32 (ip + 4);
  g_assert_cmpuint (be32 (lp + 4), ==, set->n);
  g_assert_cmpuint (images_len, ==, 16 + (gsize) set->n * 784);
  g_assert_cmpuint (labels_len, ==, 8 + (gsize) set->n);
  set->images = ip + 16;
  set->labels = lp + 8;
  set->fail_at = -1;
  set->bad_label = -1;
  return TRUE;
}

static gboolean
read_batch (gpointer  user_data,
            gint64    start,
            gint64    count,
            float    *images,
            gint32   *labels,
            GError  **error)
{
  Idx *set = user_data;

  g_assert_cmpint (start, >=, 0);
  g_assert_cmpint (start + count, <=, set->n);
  if (set->fail_at >= start && set->fail_at < start + count)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "test data: instance %" G_GINT64_FORMAT
                   " cannot be read", set->fail_at);
      return FALSE;
    }
  for (gint64 i = 0; i < count * 784; i++)
    images[i] = set->images[start * 784 + i] / 255.0f;
  for (gint64 i = 0; i < count; i++)
    labels[i] = set->labels[start + i];
  if (start == 0 && set->bad_label >= 0)
    labels[0] = set->bad_label;
  return TRUE;
}

static CncBatchSource
source_of (Idx    *set,
           gint64  n)
{
  return (CncBatchSource) {
    .func = read_batch, .user_data = set, .n = MIN (n, set->n),
    .channels = 1, .height = 28, .width = 28, .n_classes = 10,
  };
}

/* ---- Fixture per test: a folder for outputs ---- */

typedef struct {
  char *dir;
} Fixture;

static gboolean
have_everything (void)
{
  if (fixtures_dir == NULL)
    {
      g_test_skip ("python3-torch is not installed: no fixtures");
      return FALSE;
    }
  if (train_set.n == 0)
    {
      g_test_skip ("dataset-fashion-mnist is not installed");
      return FALSE;
    }
  return TRUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = cnc_test_tmpdir ("ops");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cnc_test_rmtree (f->dir);
  g_free (f->dir);
}

static char *
input (const char *name)
{
  return g_build_filename (fixtures_dir, name, NULL);
}

static char *
output (Fixture    *f,
        const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
check (const char *first,
       ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  cnc_test_run_python (SCRIPT, (const char * const *) args->pdata);
}

/* The names in @dir, sorted, joined by spaces: no temporary file may be left behind. */
static char *
dir_listing (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_ascii_strcasecmp);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* One intra-op thread in tests: with OpenMP's default wait policy, two threads on a machine that is
 * busy with other tests spin at every barrier (70 % of the time in libgomp, measured). */
static void
train_options_init (CncTrainOptions *options)
{
  cnc_train_options_init (options);
  options->threads = 1;
}

static void
recalibrate_options_init (CncRecalibrateOptions *options)
{
  cnc_recalibrate_options_init (options);
  options->threads = 1;
}

/* ---- Pruning ---- */

static void
prune_and_check (Fixture       *f,
                 const char    *model,
                 double         amount,
                 CncPruneScope  scope,
                 const char    *pattern)
{
  g_autofree char *in = input (model);
  g_autofree char *out = output (f, "pruned.pt");
  g_autoptr(GError) error = NULL;
  gboolean ok;
  CncPruneOptions options = { .amount = amount, .scope = scope, .pattern = pattern };
  char amount_text[G_ASCII_DTOSTR_BUF_SIZE];

  ok = cnc_torch_prune_magnitude (in, out, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_ascii_dtostr (amount_text, sizeof amount_text, amount);
  check ("check-prune", in, out, amount_text, scope == CNC_PRUNE_GLOBAL ? "global" : "layer", pattern, NULL);
  g_unlink (out);
}

static void
test_prune_global (Fixture       *f,
                   gconstpointer  data)
{
  if (!have_everything ())
    return;
  for (guint i = 0; i < 4; i++)
    prune_and_check (f, "net.pt", (double[]) { 0.3, 0.5, 0.7, 0.9 }[i], CNC_PRUNE_GLOBAL, NULL);
  prune_and_check (f, "net.pt", 0.0, CNC_PRUNE_GLOBAL, NULL);
}

static void
test_prune_per_layer (Fixture       *f,
                      gconstpointer  data)
{
  if (!have_everything ())
    return;
  prune_and_check (f, "net.pt", 0.7, CNC_PRUNE_PER_LAYER, NULL);
  /* stem.conv.weight has 12 × 1 × 3 × 3 = 108 weights: 0.375 × 108 = 40.5, which Python's round()
   * makes 40 (half to even); NumPy's check counts the same. */
  prune_and_check (f, "net.pt", 0.375, CNC_PRUNE_PER_LAYER, NULL);
}

static void
test_prune_ties (Fixture       *f,
                 gconstpointer  data)
{
  if (!have_everything ())
    return;
  /* Weights in multiples of 0.25: most magnitudes are tied; the flat index decides. */
  prune_and_check (f, "tied.pt", 0.5, CNC_PRUNE_GLOBAL, NULL);
  prune_and_check (f, "tied.pt", 0.37, CNC_PRUNE_PER_LAYER, NULL);
}

static void
test_prune_by_name (Fixture       *f,
                    gconstpointer  data)
{
  if (!have_everything ())
    return;
  /* prune.remove moved head.1.weight after its bias; a pattern restricts to the head. */
  prune_and_check (f, "reordered.pt", 0.6, CNC_PRUNE_GLOBAL, NULL);
  prune_and_check (f, "reordered.pt", 0.6, CNC_PRUNE_GLOBAL, "^head\\.");
  prune_and_check (f, "net.pt", 0.5, CNC_PRUNE_PER_LAYER, "conv");
  /* Traced: module types without constants, names from the tracer. */
  prune_and_check (f, "traced-eval.pt", 0.5, CNC_PRUNE_GLOBAL, NULL);
}

static void
test_prune_channels (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *in = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  CncPruneOptions options = { .amount = 0.5 };

  if (!have_everything ())
    return;
  in = input ("net.pt");
  out = output (f, "channels.pt");
  ok = cnc_torch_prune_channels (in, out, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  check ("check-channels", in, out, "0.5", NULL);

  options.amount = 0.3;
  g_assert_true (cnc_torch_prune_channels (in, out, &options, NULL, &error));
  check ("check-channels", in, out, "0.3", NULL);
}

/* ---- Quantization ---- */

static void
test_quantize (Fixture       *f,
               gconstpointer  data)
{
  const char *expected[] = { "body.0.conv.weight", "head.1.weight", "head.3.weight", "stem.conv.weight" };
  g_autofree char *in = NULL;

  if (!have_everything ())
    return;
  in = input ("net.pt");
  for (guint bits = 4; bits <= 8; bits += 4)
    {
      g_autofree char *out = output (f, bits == 8 ? "int8.pt" : "int4.pt");
      g_autofree char *bits_text = g_strdup_printf ("%u", bits);
      g_autoptr(GHashTable) table = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;
      CncQuantizeOptions options = { .bits = bits };

      ok = cnc_torch_quantize_weights (in, out, &options, &table, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (g_hash_table_size (table), ==, G_N_ELEMENTS (expected));
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (table, expected[i])), ==, bits);
      check ("check-quant", in, out, bits_text, NULL);
    }
}

static void
test_quantize_dynamic (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *in = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_autoptr(GPtrArray) layers = NULL;

  if (!have_everything ())
    return;
  in = input ("net.pt");
  out = output (f, "dynamic.pt");
  ok = cnc_torch_quantize_dynamic (in, out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  check ("check-dynamic", in, out, NULL);

  /* Our inspector reads it (the float convolutions remain parameters). */
  layers = cnc_torch_inspect_torchscript (out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layers);
}

/* ---- Fine-tuning, recalibration, distillation ---- */

typedef struct {
  guint   calls;
  double  last;
  gboolean monotonic;
  GCancellable *cancel;
  guint   cancel_after;
} Progress;

static void
on_progress (gpointer    user_data,
             double      fraction,
             const char *message)
{
  Progress *p = user_data;

  g_assert_nonnull (message);
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  if (fraction < p->last)
    p->monotonic = FALSE;
  p->last = fraction;
  p->calls++;
  if (p->cancel != NULL && p->calls == p->cancel_after)
    g_cancellable_cancel (p->cancel);
}

static void
test_finetune (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *in = NULL, *pruned = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncLossCurve) curve = NULL;
  g_autofree char *json = NULL;
  CncPruneOptions prune = { .amount = 0.8, .scope = CNC_PRUNE_GLOBAL };
  CncBatchSource source = source_of (&train_set, 6000);
  CncTrainOptions options;
  Progress progress = { .monotonic = TRUE };

  if (!have_everything ())
    return;
  in = input ("net.pt");
  pruned = output (f, "pruned.pt");
  out = output (f, "tuned.pt");
  g_assert_true (cnc_torch_prune_magnitude (in, pruned, &prune, NULL, &error));

  train_options_init (&options);
  options.epochs = 2;
  options.batch_size = 64;
  options.log_every = 20;
  options.learning_rate = 2e-3;
  curve = cnc_torch_train (pruned, out, &source, &options, on_progress, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (curve);
  g_assert_cmpuint (curve->epoch_loss->len, ==, 2);
  g_assert_cmpuint (curve->batches, ==, 2 * 94);        /* ⌈6000 / 64⌉ per epoch */
  g_assert_cmpuint (curve->step_loss->len, ==, 10);     /* ⌈188 / 20⌉ */
  g_assert_cmpfloat (g_array_index (curve->epoch_loss, double, 1), <, g_array_index (curve->epoch_loss, double, 0));
  g_assert_true (progress.monotonic);
  g_assert_cmpuint (progress.calls, >=, 188);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  json = cnc_loss_curve_to_json (curve);
  g_assert_nonnull (strstr (json, "\"batches\": 188"));

  /* NumPy: every pruned weight still 0; python3-torch: the loss went down. */
  check ("check-finetune", pruned, out, "2000", NULL);

  /* SGD, in order, on the channel-pruned model. */
  g_clear_pointer (&curve, cnc_loss_curve_free);
  g_assert_true (cnc_torch_prune_channels (in, pruned, &prune, NULL, &error));
  options.optimizer = CNC_OPTIMIZER_SGD;
  options.learning_rate = 0.05;
  options.shuffle = FALSE;
  options.epochs = 1;
  curve = cnc_torch_train (pruned, out, &source, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  check ("check-finetune", pruned, out, "2000", NULL);
}

static void
test_finetune_deterministic (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *in = NULL, *a = NULL, *b = NULL;
  g_autoptr(GError) error = NULL;
  CncBatchSource source = source_of (&train_set, 2000);
  CncTrainOptions options;
  CncLossCurve *curve;

  if (!have_everything ())
    return;
  in = input ("net.pt");
  a = output (f, "a.pt");
  b = output (f, "b.pt");
  train_options_init (&options);
  options.seed = 7;
  for (guint i = 0; i < 2; i++)
    {
      curve = cnc_torch_train (in, i == 0 ? a : b, &source, &options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      cnc_loss_curve_free (curve);
    }
  /* Same seed, same threads: the same weights. */
  check ("check-same", a, b, NULL);
}

static void
recalibrate_and_check (Fixture    *f,
                       const char *model,
                       guint       batches,
                       guint       batch_size,
                       gboolean    shuffle,
                       guint64     seed)
{
  g_autofree char *in = input (model);
  g_autofree char *out = output (f, "recalibrated.pt");
  g_autofree char *b = g_strdup_printf ("%u", batches), *bs = g_strdup_printf ("%u", batch_size);
  g_autofree char *s = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  CncBatchSource source = source_of (&train_set, train_set.n);
  CncRecalibrateOptions options;
  Progress progress = { .monotonic = TRUE };

  recalibrate_options_init (&options);
  options.batches = batches;
  options.batch_size = batch_size;
  options.shuffle = shuffle;
  options.seed = seed;
  ok = cnc_torch_recalibrate_bn (in, out, &source, &options, on_progress, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (progress.monotonic);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  check ("check-recal", in, out, b, bs, shuffle ? "1" : "0", s, NULL);
}

static void
test_recalibrate (Fixture       *f,
                  gconstpointer  data)
{
  if (!have_everything ())
    return;
  recalibrate_and_check (f, "net.pt", 20, 64, FALSE, 0);
  recalibrate_and_check (f, "net.pt", 7, 100, TRUE, 42);
  /* Traced in train mode: momentum is not a constant of the type; it is measured. */
  recalibrate_and_check (f, "traced-train.pt", 10, 50, FALSE, 0);
}

static void
test_distill (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *in = NULL, *teacher = NULL, *student = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_autoptr(CncLossCurve) teacher_curve = NULL, curve = NULL;
  CncBatchSource source = source_of (&train_set, 6000);
  CncTrainOptions options;
  CncDistillOptions distill = { .alpha = 0.7, .temperature = 4.0 };

  if (!have_everything ())
    return;
  in = input ("net.pt");
  teacher = output (f, "teacher.pt");
  student = output (f, "student.pt");
  out = output (f, "distilled.pt");
  train_options_init (&options);
  options.keep_zeros = FALSE;
  teacher_curve = cnc_torch_train (in, teacher, &source, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  ok = cnc_torch_build_cnn (student, CNC_CNN_STUDENT, 1, 28, 28, 10, 3, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  options.epochs = 2;
  curve = cnc_torch_distill (teacher, student, out, &source, &options, &distill, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (curve->epoch_loss->len, ==, 2);
  g_assert_cmpfloat (g_array_index (curve->epoch_loss, double, 1), <, g_array_index (curve->epoch_loss, double, 0));
  check ("check-distill", teacher, out, "2000", NULL);
}

static void
test_build_cnn (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *a = NULL, *b = NULL, *ca = NULL, *cb = NULL;
  gsize la, lb;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!have_everything ())
    return;
  a = output (f, "a.pt");
  b = output (f, "b.pt");
  ok = cnc_torch_build_cnn (a, CNC_CNN_BASE, 1, 28, 28, 10, 5, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (cnc_torch_build_cnn (b, CNC_CNN_BASE, 1, 28, 28, 10, 5, &error));
  g_assert_true (g_file_get_contents (a, &ca, &la, NULL));
  g_assert_true (g_file_get_contents (b, &cb, &lb, NULL));
  g_assert_cmpmem (ca, la, cb, lb);           /* seeded: the same file */
  check ("check-built", a, "5", NULL);
  {
    /* Our inspector reads it: 12 parameters, PyTorch's names. */
    g_autoptr(GPtrArray) layers = cnc_torch_inspect_torchscript (a, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (layers->len, ==, 12);
    g_assert_cmpstr (((CncLayerStats *) g_ptr_array_index (layers, 0))->name, ==, "features.0.weight");
    g_assert_cmpstr (((CncLayerStats *) g_ptr_array_index (layers, 11))->name, ==, "classifier.3.bias");
  }

  g_assert_true (cnc_torch_build_cnn (b, CNC_CNN_STUDENT, 1, 28, 28, 10, 5, &error));
  check ("check-built", b, "5", NULL);
}

/* The logits of @path (cnc-torch-eval) for every instance of @set, n × 10 floats. */
static GArray *
run_model (const char *path,
           Idx        *set)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncTorchModel) model = cnc_torch_model_load (path, "cpu", CNC_TORCH_LOAD_DEFAULT, &error);
  GArray *logits = g_array_new (FALSE, FALSE, sizeof (float));
  g_autofree float *images = g_new (float, 500 * 784);
  g_autofree gint32 *labels = g_new (gint32, 500);

  g_assert_no_error (error);
  cnc_torch_set_threads (1);
  for (gint64 start = 0; start < set->n; start += 500)
    {
      gint64 shape[4] = { MIN (500, set->n - start), 1, 28, 28 };
      gint64 rows = 0, cols = 0;
      const float *out;

      g_assert_true (read_batch (set, start, shape[0], images, labels, &error));
      out = cnc_torch_model_run (model, images, shape, 4, &rows, &cols, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rows, ==, shape[0]);
      g_assert_cmpint (cols, ==, 10);
      g_array_append_vals (logits, out, (guint) (rows * cols));
    }
  return logits;
}

/* The demo's base model: built and trained here, evaluated by python3-torch on the test split. */
static void
test_train_cnn (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *built = NULL, *trained = NULL, *logits_path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_autoptr(CncLossCurve) curve = NULL;
  g_autoptr(GArray) logits = NULL;
  CncBatchSource train = source_of (&train_set, train_set.n);
  CncTrainOptions options;

  if (!have_everything ())
    return;
  built = output (f, "built.pt");
  trained = output (f, "trained.pt");
  logits_path = output (f, "logits.f32");
  ok = cnc_torch_build_cnn (built, CNC_CNN_BASE, 1, 28, 28, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  /* The demo's recipe: 2 epochs of Adam, learning rate 2e-3 then 5e-4, batches of 128. */
  train_options_init (&options);
  options.epochs = 2;
  options.batch_size = 128;
  options.learning_rate = 2e-3;
  options.lr_decay = 0.25;
  options.keep_zeros = FALSE;
  curve = cnc_torch_train (built, trained, &train, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("2 epochs in %.1f s (%.1f s per epoch), losses %.4f %.4f", curve->seconds,
                  curve->seconds / 2, g_array_index (curve->epoch_loss, double, 0),
                  g_array_index (curve->epoch_loss, double, 1));

  logits = run_model (trained, &test_set);
  g_assert_true (g_file_set_contents (logits_path, logits->data, logits->len * sizeof (float), &error));
  /* python3-torch: its own accuracy on the 10,000 test images ≥ 0.88, and the same logits. */
  check ("check-cnn", trained, logits_path, "0.88", NULL);
}

/* ---- Failures: one message, and no output file ---- */

static void
assert_fails (Fixture    *f,
              gboolean    ok,
              GError     *error,
              GQuark      domain,
              int         code,
              const char *words)
{
  g_autofree char *listing = NULL;

  g_assert_false (ok);
  g_assert_error (error, domain, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  listing = dir_listing (f->dir);
  g_assert_cmpstr (listing, ==, "out.pt");   /* the old output, untouched; no temporary left */
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *out = NULL, *missing = NULL, *empty = NULL, *garbage = NULL, *state = NULL;
  g_autofree char *frozen = NULL, *net = NULL, *traced = NULL, *content = NULL;
  CncPruneOptions prune = { .amount = 0.5 };
  CncQuantizeOptions quant = { .bits = 8 };
  CncRecalibrateOptions recal;
  CncTrainOptions train;
  CncBatchSource source = source_of (&train_set, 1000);
  GError *error = NULL;

  if (!have_everything ())
    return;
  recalibrate_options_init (&recal);
  recal.batches = 2;
  train_options_init (&train);
  out = cnc_test_write_file (f->dir, "out.pt", "old");
  missing = output (f, "missing.pt");
  empty = cnc_test_write_file (fixtures_dir, "empty.pt", "");
  garbage = input ("garbage.pt");
  state = input ("state-dict.pt");
  frozen = input ("frozen.pt");
  net = input ("net.pt");
  traced = input ("traced-eval.pt");

#define FAILS(call, domain, code, words) \
  G_STMT_START { \
    gboolean ok_ = (call); \
    assert_fails (f, ok_, error, domain, code, words); \
    g_test_message ("%s", error->message); \
    g_clear_error (&error); \
  } G_STMT_END

  FAILS (cnc_torch_prune_magnitude (missing, out, &prune, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO, "missing.pt: cannot open the model");
  FAILS (cnc_torch_prune_magnitude (f->dir, out, &prune, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO, "a folder, not a model file");
  FAILS (cnc_torch_prune_magnitude (empty, out, &prune, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO, "empty.pt: the file is empty");
  FAILS (cnc_torch_prune_magnitude (garbage, out, &prune, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "garbage.pt");
  FAILS (cnc_torch_quantize_weights (state, out, &quant, NULL, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_WRONG_FORMAT, "not a TorchScript model");
  FAILS (cnc_torch_prune_channels (frozen, out, &prune, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "frozen");
  prune.pattern = "^nothing";
  FAILS (cnc_torch_prune_magnitude (net, out, &prune, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "no convolution or linear weight matches “^nothing”");
  prune.pattern = "head[";
  FAILS (cnc_torch_prune_magnitude (net, out, &prune, NULL, &error),
         G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a valid layer pattern");
  prune.pattern = NULL;
  prune.amount = 1.0;
  FAILS (cnc_torch_prune_magnitude (net, out, &prune, NULL, &error),
         G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "less than 1");
  prune.amount = 0.5;
  quant.bits = 9;
  FAILS (cnc_torch_quantize_weights (net, out, &quant, NULL, NULL, &error),
         G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "2–8 bits");
  FAILS (cnc_torch_recalibrate_bn (traced, out, &source, &recal, NULL, NULL, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "does not update its statistics");

  train.lr_decay = 0;
  FAILS (cnc_torch_train (net, out, &source, &train, NULL, NULL, NULL, &error) != NULL,
         G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "learning rate decay must be in (0, 1]");
  train.lr_decay = 1;

  /* Data problems. */
  train_set.fail_at = 10;
  FAILS (cnc_torch_train (net, out, &source, &train, NULL, NULL, NULL, &error) != NULL,
         G_IO_ERROR, G_IO_ERROR_FAILED, "instance 10 cannot be read");
  train_set.fail_at = -1;
  train_set.bad_label = 12;
  FAILS (cnc_torch_recalibrate_bn (net, out, &source, &recal, NULL, NULL, NULL, &error),
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "has label 12, outside 0–9");
  train_set.bad_label = -1;
  source.n_classes = 5;
  FAILS (cnc_torch_train (net, out, &source, &train, NULL, NULL, NULL, &error) != NULL,
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "has label 9, outside 0–4");
  source.n_classes = 12;
  FAILS (cnc_torch_train (net, out, &source, &train, NULL, NULL, NULL, &error) != NULL,
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "gives [128, 10] for a batch of 128 instances of 1 × 28 × 28, "
         "not 128 × 12 class scores");
  source.n_classes = 10;
  source.n = 0;
  FAILS (cnc_torch_train (net, out, &source, &train, NULL, NULL, NULL, &error) != NULL,
         CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "the dataset is empty");
  source.n = 1000;

  /* Cancelled before the start, and in the middle of training. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Progress progress = { .monotonic = TRUE, .cancel = cancellable, .cancel_after = 3 };

    FAILS (cnc_torch_train (net, out, &source, &train, on_progress, &progress, cancellable, &error) != NULL,
           G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
    g_assert_cmpuint (progress.calls, ==, 3);
    FAILS (cnc_torch_prune_magnitude (net, out, &prune, cancellable, &error),
           G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
    FAILS (cnc_torch_quantize_dynamic (net, out, cancellable, &error),
           G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
    FAILS (cnc_torch_recalibrate_bn (net, out, &source, &recal, NULL, NULL, cancellable, &error),
           G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
  }

  /* An output folder that does not exist. */
  {
    g_autofree char *nowhere = g_build_filename (f->dir, "no-such-folder", "x.pt", NULL);
    FAILS (cnc_torch_prune_magnitude (net, nowhere, &prune, NULL, &error),
           G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "cannot write the model there");
  }
#undef FAILS

  g_assert_true (g_file_get_contents (out, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "old");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* As the app does (FACTS): otherwise glibc gives libtorch's batch buffers back to the kernel
   * after every batch, and training spends its time in page faults. */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 512 * 1024 * 1024);

  if (load_idx ("train", &train_set))
    load_idx ("t10k", &test_set);
  dir = cnc_test_tmpdir ("ops-fixtures");
  {
    const char *args[] = { "models", dir, NULL };
    if (cnc_test_run_python (SCRIPT, args))
      fixtures_dir = g_strdup (dir);
  }

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ops/prune/global", test_prune_global);
  ADD ("/ops/prune/per-layer", test_prune_per_layer);
  ADD ("/ops/prune/ties", test_prune_ties);
  ADD ("/ops/prune/by-name", test_prune_by_name);
  ADD ("/ops/prune/channels", test_prune_channels);
  ADD ("/ops/quantize/weights", test_quantize);
  ADD ("/ops/quantize/dynamic", test_quantize_dynamic);
  ADD ("/ops/train/fine-tune", test_finetune);
  ADD ("/ops/train/deterministic", test_finetune_deterministic);
  ADD ("/ops/recalibrate", test_recalibrate);
  ADD ("/ops/train/distill", test_distill);
  ADD ("/ops/cnn/build", test_build_cnn);
  ADD ("/ops/cnn/train", test_train_cnn);
  ADD ("/ops/errors", test_errors);
#undef ADD

  status = g_test_run ();
  cnc_test_rmtree (dir);
  g_free (fixtures_dir);
  if (train_set.n > 0)
    {
      g_bytes_unref (train_set.images_bytes);
      g_bytes_unref (train_set.labels_bytes);
      g_bytes_unref (test_set.images_bytes);
      g_bytes_unref (test_set.labels_bytes);
    }
  return status;
}
