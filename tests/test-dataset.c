/* test-dataset.c
 * Tests of evaluation datasets: IDX, .npy and image folders against NumPy / python3-torch preprocessing,
 * the built-in Fashion-MNIST against NumPy's reading of the package files, bad input, the CLI.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dataset"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cnc-test-util.h"
#include "core/registry/cnc-dataset-rows.h"

/* Bilinear resizing agrees with torch.nn.functional.interpolate to a few float32 rounding steps (the
 * order of operations differs): 4 units in the last place of 1.0 for values in [0, 1], that divided by
 * the smallest std used here (0.224) after Normalize. */
#define RESIZE_TOLERANCE (4.0 / (1 << 23))
#define RESIZE_NORMALIZED_TOLERANCE (RESIZE_TOLERANCE / 0.224)

/* Made once per run by make-dataset-fixtures.py; NULL when python3-torch is missing. */
static char *fixtures;
static gboolean fixtures_tried;

typedef struct {
  char         *dir;
  char         *ws_dir;
  CncWorkspace *ws;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = cnc_test_tmpdir ("dataset");
  f->ws_dir = g_build_filename (f->dir, "workspace", NULL);
  f->ws = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->ws);
  cnc_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->ws_dir);
}

/* The fixtures folder, made on first use; FALSE (test skipped) without python3-torch. */
static gboolean
need_fixtures (void)
{
  if (!fixtures_tried)
    {
      g_autofree char *dir = cnc_test_tmpdir ("dataset-fixtures");
      const char *args[] = { dir, NULL };

      fixtures_tried = TRUE;
      if (cnc_test_run_python ("make-dataset-fixtures.py", args))
        fixtures = g_steal_pointer (&dir);
      else
        cnc_test_rmtree (dir);
    }
  if (fixtures == NULL)
    g_test_skip ("no python3-torch: the dataset fixtures cannot be made");
  return fixtures != NULL;
}

static char *
fx (const char *relative)
{
  return g_build_filename (fixtures, relative, NULL);
}

/* A .npy file written by NumPy (np.save: format 1.0, C order), read without our reader: the data
 * starts after the header whose length is at byte 8. Returns the data; @dtype must be in the header. */
static gpointer
load_expected (const char *name,
               const char *dtype,
               gsize       item_size,
               gsize      *count)
{
  g_autofree char *file = g_strdup_printf ("%s/expect/%s.npy", fixtures, name);
  g_autofree char *bytes = NULL;
  g_autofree char *header = NULL;
  g_autofree char *descr = g_strdup_printf ("'descr': '%s'", dtype);
  g_autoptr(GError) error = NULL;
  gsize len = 0, hlen, start;

  g_file_get_contents (file, &bytes, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (bytes, 8, "\x93NUMPY\x01\x00", 8);
  hlen = (guint8) bytes[8] | (gsize) (guint8) bytes[9] << 8;
  start = 10 + hlen;
  header = g_strndup (bytes + 10, hlen);
  g_assert_nonnull (strstr (header, descr));
  g_assert_nonnull (strstr (header, "'fortran_order': False"));
  g_assert_cmpuint ((len - start) % item_size, ==, 0);
  *count = (len - start) / item_size;
  return g_memdup2 (bytes + start, MAX (len - start, 1));
}

static float *
expected_floats (const char *name, gsize *count)
{
  return load_expected (name, "<f4", 4, count);
}

static gint64 *
expected_labels (const char *name, gsize *count)
{
  return load_expected (name, "<i8", 8, count);
}

static guint8 *
expected_pixels (const char *name, gsize *count)
{
  return load_expected (name, "|u1", 1, count);
}

/* Element-wise comparison; returns the largest difference. */
static double
assert_close (const float *got,
              const float *want,
              gsize        n,
              double       tolerance,
              const char  *what)
{
  double worst = 0;
  gsize where = 0;

  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) got[i] - (double) want[i]);
      if (!(d <= worst))
        {
          worst = d;
          where = i;
        }
    }
  if (!(worst <= tolerance))
    g_error ("%s: element %" G_GSIZE_FORMAT " is %.9g, expected %.9g (difference %.3g > %.3g)",
             what, where, got[where], want[where], worst, tolerance);
  g_test_message ("%s: %" G_GSIZE_FORMAT " values, largest difference %.3g", what, n, worst);
  return worst;
}

/* Opens @name / @split, checks its shape, labels and every value against the expected arrays. */
static void
check_split (Fixture    *f,
             const char *name,
             const char *split,
             guint       c,
             guint       h,
             guint       w,
             const char *expect_values,
             const char *expect_labels,
             double      tolerance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = cnc_dataset_open (f->ws, name, split, &error);
  g_autofree float *want = NULL, *got = NULL;
  g_autofree gint64 *labels = NULL;
  gsize n_values, n_labels;
  guint dc, dh, dw;
  gint64 n;

  g_assert_no_error (error);
  n = cnc_dataset_get_size (ds);
  cnc_dataset_get_shape (ds, &dc, &dh, &dw);
  g_assert_cmpuint (dc, ==, c);
  g_assert_cmpuint (dh, ==, h);
  g_assert_cmpuint (dw, ==, w);

  want = expected_floats (expect_values, &n_values);
  g_assert_cmpuint (n_values, ==, (gsize) n * c * h * w);
  got = g_new (float, n_values);
  /* Two batches, the second one ending at the last instance. */
  g_assert_true (cnc_dataset_read_batch (ds, 0, n / 3, got, &error));
  g_assert_true (cnc_dataset_read_batch (ds, n / 3, n - n / 3, got + (n / 3) * c * h * w, &error));
  g_assert_no_error (error);
  assert_close (got, want, n_values, tolerance, expect_values);

  if (expect_labels)
    {
      const gint32 *l = cnc_dataset_get_labels (ds);
      labels = expected_labels (expect_labels, &n_labels);
      g_assert_cmpuint (n_labels, ==, (gsize) n);
      for (gsize i = 0; i < n_labels; i++)
        g_assert_cmpint (l[i], ==, labels[i]);
    }
}

static gboolean
add (Fixture                *f,
     const char             *name,
     const char             *images,
     const char             *labels,
     const char             *split,
     const char * const     *classes,
     const CncPreprocessing *pre,
     GError                **error)
{
  g_autofree char *ipath = images ? fx (images) : NULL;
  g_autofree char *lpath = labels ? fx (labels) : NULL;
  CncDatasetSource source = { ipath, lpath, split, classes, pre };

  return cnc_dataset_add (f->ws, name, &source, error);
}

static void
add_ok (Fixture *f, const char *name, const char *images, const char *labels, const char *split,
        const char * const *classes, const CncPreprocessing *pre)
{
  g_autoptr(GError) error = NULL;

  add (f, name, images, labels, split, classes, pre, &error);
  g_assert_no_error (error);
}

static CncPreprocessing
pre_auto (void)
{
  CncPreprocessing pre;

  cnc_preprocessing_init_default (&pre);
  pre.scale = NAN;
  return pre;
}

/* ---- preprocessing JSON --------------------------------------------------------------------- */

static void
test_preprocessing_json (void)
{
  g_autoptr(GError) error = NULL;
  CncPreprocessing pre, back;
  g_autofree char *json = NULL, *json2 = NULL;
  static const char * const bad[] = {
    "[]", "{\"resize\": [28]}", "{\"resize\": [0, 3]}", "{\"channels\": 2}", "{\"scale\": \"x\"}",
    "{\"scale\": 0}", "{\"mean\": [0.5]}", "{\"mean\": [0.5, 0.5], \"std\": [1]}", "{\"mean\": [0], \"std\": [0]}",
    "not json",
  };

  cnc_preprocessing_init_default (&pre);
  g_assert_cmpfloat (pre.scale, ==, 1.0 / 255.0);
  g_assert_cmpuint (pre.height, ==, 0);
  g_assert_cmpuint (pre.channels, ==, 0);
  g_assert_cmpuint (pre.n_mean, ==, 0);
  json = cnc_preprocessing_to_json (&pre);
  g_assert_cmpstr (json, ==, "{\"scale\":0.0039215686274509803}");

  g_assert_true (cnc_preprocessing_from_json ("{}", &back, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (back.scale, ==, 1.0 / 255.0);

  pre.height = 32;
  pre.width = 24;
  pre.channels = 3;
  pre.scale = 0.5;
  pre.n_mean = 3;
  pre.mean[0] = 0.485; pre.mean[1] = 0.456; pre.mean[2] = 0.406;
  pre.std[0] = 0.229; pre.std[1] = 0.224; pre.std[2] = 0.225;
  g_clear_pointer (&json, g_free);
  json = cnc_preprocessing_to_json (&pre);
  g_assert_true (cnc_preprocessing_from_json (json, &back, &error));
  g_assert_no_error (error);
  json2 = cnc_preprocessing_to_json (&back);
  g_assert_cmpstr (json, ==, json2);
  g_assert_cmpuint (back.height, ==, 32);
  g_assert_cmpuint (back.width, ==, 24);
  g_assert_cmpuint (back.channels, ==, 3);
  g_assert_cmpfloat (back.scale, ==, 0.5);
  g_assert_cmpuint (back.n_mean, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpfloat (back.mean[i], ==, pre.mean[i]);
      g_assert_cmpfloat (back.std[i], ==, pre.std[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_error (&error);
      g_assert_false (cnc_preprocessing_from_json (bad[i], &back, &error));
      g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "preprocessing: "));
    }
}

/* ---- built-in Fashion-MNIST ----------------------------------------------------------------- */

static void
test_builtin_list (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *before = cnc_workspace_fingerprint (f->ws, NULL), *after = NULL;
  CncDatasetInfo *info;
  static const char * const classes[] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL
  };

  list = cnc_dataset_list (f->ws, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  info = list->pdata[0];
  g_assert_cmpstr (info->name, ==, CNC_DATASET_BUILTIN);
  g_assert_cmpstr (info->kind, ==, "builtin");
  g_assert_true (g_strv_equal ((const char * const *) info->classes, classes));
  g_assert_cmpstr (info->splits[0], ==, "test");
  g_assert_cmpint (info->split_sizes[0], ==, 10000);
  g_assert_cmpstr (info->splits[1], ==, "train");
  g_assert_cmpint (info->split_sizes[1], ==, 60000);
  g_assert_null (info->splits[2]);
  g_assert_cmpfloat (info->pre.scale, ==, 1.0 / 255.0);
  g_assert_cmpuint (info->pre.n_mean, ==, 0);
  after = cnc_workspace_fingerprint (f->ws, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_builtin_values (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = NULL, again = NULL;
  g_autofree gint64 *labels = NULL;
  g_autofree float *first = NULL, *last = NULL, *got = NULL;
  g_autofree char *fp1 = NULL, *fp2 = NULL;
  gsize n, n_first, n_last;
  guint c, h, w;

  if (!need_fixtures ())
    return;
  if (!g_file_test ("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("dataset-fashion-mnist is not installed");
      return;
    }
  ds = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnc_dataset_get_id (ds), >, 0);
  g_assert_cmpint (cnc_dataset_get_size (ds), ==, 10000);
  g_assert_cmpuint (cnc_dataset_get_n_classes (ds), ==, 10);
  g_assert_cmpstr (cnc_dataset_get_classes (ds)[0], ==, "T-shirt/top");
  g_assert_cmpstr (cnc_dataset_get_classes (ds)[9], ==, "Ankle boot");
  g_assert_cmpstr (cnc_dataset_get_split (ds), ==, "test");
  cnc_dataset_get_shape (ds, &c, &h, &w);
  g_assert_cmpuint (c, ==, 1);
  g_assert_cmpuint (h, ==, 28);
  g_assert_cmpuint (w, ==, 28);

  labels = expected_labels ("fmnist-test-labels", &n);
  g_assert_cmpuint (n, ==, 10000);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpint (cnc_dataset_get_labels (ds)[i], ==, labels[i]);

  first = expected_floats ("fmnist-test-first", &n_first);
  last = expected_floats ("fmnist-test-last", &n_last);
  g_assert_cmpuint (n_first, ==, 300 * 784);
  g_assert_cmpuint (n_last, ==, 256 * 784);
  got = g_new (float, n_first);
  g_assert_true (cnc_dataset_read_batch (ds, 0, 300, got, &error));
  g_assert_cmpfloat (assert_close (got, first, n_first, 0, "Fashion-MNIST test 0–299"), ==, 0);
  g_assert_true (cnc_dataset_read_batch (ds, 10000 - 256, 256, got, &error));
  g_assert_cmpfloat (assert_close (got, last, n_last, 0, "Fashion-MNIST test 9744–9999"), ==, 0);
  g_assert_no_error (error);

  /* The row came with the first use; opening again adds nothing. */
  fp1 = cnc_workspace_fingerprint (f->ws, NULL);
  again = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnc_dataset_get_id (again), ==, cnc_dataset_get_id (ds));
  fp2 = cnc_workspace_fingerprint (f->ws, NULL);
  g_assert_cmpstr (fp1, ==, fp2);
}

static void
test_builtin_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ro = NULL, rw = NULL;
  g_autoptr(CncDataset) ds = NULL, ds2 = NULL;
  g_autofree char *before = NULL, *after = NULL;

  if (!g_file_test ("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("dataset-fashion-mnist is not installed");
      return;
    }
  g_clear_object (&f->ws);
  ro = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  before = cnc_workspace_fingerprint (ro, NULL);
  ds = cnc_dataset_open (ro, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnc_dataset_get_id (ds), ==, -1);
  g_assert_cmpint (cnc_dataset_get_size (ds), ==, 10000);
  after = cnc_workspace_fingerprint (ro, NULL);
  g_assert_cmpstr (before, ==, after);

  /* Writable again: the first open records the row. */
  rw = cnc_workspace_open (f->ws_dir, CNC_WORKSPACE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  ds2 = cnc_dataset_open (rw, CNC_DATASET_BUILTIN, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnc_dataset_get_id (ds2), >, 0);
}

static void
test_builtin_missing (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "no-fashion-mnist", NULL);
  g_autofree char *before = cnc_workspace_fingerprint (f->ws, NULL), *after = NULL;
  g_autoptr(CncDataset) ds = NULL;

  g_setenv ("CNC_FASHION_MNIST_DIR", missing, TRUE);
  ds = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "train", &error);
  g_unsetenv ("CNC_FASHION_MNIST_DIR");
  g_assert_null (ds);
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-fashion-mnist/train-images-idx3-ubyte.gz"));
  g_assert_nonnull (strstr (error->message, "dataset-fashion-mnist"));
  after = cnc_workspace_fingerprint (f->ws, NULL);
  g_assert_cmpstr (before, ==, after);

  g_clear_error (&error);
  g_assert_null (cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "validation", &error));
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND);
}

/* ---- IDX ------------------------------------------------------------------------------------ */

static void
test_idx (Fixture *f, gconstpointer data)
{
  CncPreprocessing pre = pre_auto ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  CncDatasetInfo *info;

  if (!need_fixtures ())
    return;
  add_ok (f, "raw", "idx/images.idx", "idx/labels.idx", NULL, NULL, NULL);
  check_split (f, "raw", "test", 1, 9, 11, "idx-totensor", "idx-labels", 0);
  add_ok (f, "gz", "idx/images.idx.gz", "idx/labels-i32.idx.gz", "val", NULL, NULL);
  check_split (f, "gz", "val", 1, 9, 11, "idx-totensor", "idx-labels", 0);

  /* Default classes: 0 … max label. */
  list = cnc_dataset_list (f->ws, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  info = list->pdata[2];
  g_assert_cmpstr (info->name, ==, "raw");
  g_assert_cmpstr (info->kind, ==, "idx");
  g_assert_cmpuint (g_strv_length (info->classes), ==, 5);
  g_assert_cmpstr (info->classes[4], ==, "4");
  g_assert_cmpint (info->split_sizes[0], ==, 37);

  /* float32 IDX: scale 1 by default (ToTensor keeps floats). */
  add_ok (f, "f32", "idx/images-f32.idx", "idx/labels.idx", NULL, NULL, NULL);
  check_split (f, "f32", NULL, 1, 9, 11, "idx-f32", NULL, 0);

  /* Resize 9×11 → 14×7, grey → 3 channels, Normalize. */
  pre.height = 14;
  pre.width = 7;
  pre.channels = 3;
  pre.n_mean = 3;
  pre.mean[0] = 0.485; pre.mean[1] = 0.456; pre.mean[2] = 0.406;
  pre.std[0] = 0.229; pre.std[1] = 0.224; pre.std[2] = 0.225;
  add_ok (f, "resized", "idx/images.idx", "idx/labels.idx", NULL, NULL, &pre);
  check_split (f, "resized", NULL, 3, 14, 7, "idx-resize-3ch-norm", "idx-labels", RESIZE_NORMALIZED_TOLERANCE);

  pre = pre_auto ();
  pre.height = 5;
  pre.width = 4;
  add_ok (f, "down", "idx/images.idx", "idx/labels.idx", NULL, NULL, &pre);
  check_split (f, "down", NULL, 1, 5, 4, "idx-resize-down", NULL, RESIZE_TOLERANCE);
}

/* ---- .npy ----------------------------------------------------------------------------------- */

static void
test_npy (Fixture *f, gconstpointer data)
{
  static const char * const label_files[] = {
    "i8", "u1", "i1", "i2", "u2", "i4", "i4-be", "u4", "u8-be", "v2", "v3",
  };
  CncPreprocessing pre;

  if (!need_fixtures ())
    return;
  add_ok (f, "u8", "npy/images-u8.npy", "npy/labels-i8.npy", NULL, NULL, NULL);
  check_split (f, "u8", NULL, 1, 9, 11, "npy-u8", "npy-labels", 0);

  /* Every integer label dtype, and format versions 2 and 3 (gzip-compressed). */
  for (guint i = 0; i < G_N_ELEMENTS (label_files); i++)
    {
      g_autofree char *labels = g_strdup_printf ("npy/labels-%s.npy", label_files[i]);
      g_autofree char *split = g_strdup_printf ("labels-%s", label_files[i]);
      add_ok (f, "u8", i % 2 ? "npy/images-u8-v2.npy" : "npy/images-u8-v3.npy.gz", labels, split, NULL, NULL);
      check_split (f, "u8", split, 1, 9, 11, "npy-u8", "npy-labels", 0);
    }

  /* float32 N×3×H×W, × 0.5, luminance, Normalize with one mean. */
  cnc_preprocessing_init_default (&pre);
  pre.scale = 0.5;
  pre.channels = 1;
  pre.n_mean = 1;
  pre.mean[0] = 0.25;
  pre.std[0] = 0.5;
  add_ok (f, "lum", "npy/images-f32-nchw.npy", "npy/labels-i8.npy", NULL, NULL, &pre);
  check_split (f, "lum", NULL, 1, 9, 11, "npy-f32-lum", "npy-labels", 1e-6);

  /* Big-endian float32. */
  add_ok (f, "be", "npy/images-f32-be.npy", "npy/labels-i8.npy", NULL, NULL, NULL);
  check_split (f, "be", NULL, 1, 9, 11, "npy-f32-be", NULL, 0);

  /* uint8 RGB, resized up to 16×13 and normalized. */
  pre = pre_auto ();
  pre.height = 16;
  pre.width = 13;
  pre.n_mean = 3;
  pre.mean[0] = 0.485; pre.mean[1] = 0.456; pre.mean[2] = 0.406;
  pre.std[0] = 0.229; pre.std[1] = 0.224; pre.std[2] = 0.225;
  add_ok (f, "rgb", "npy/images-u8-rgb.npy", "npy/labels-i8.npy", NULL, NULL, &pre);
  check_split (f, "rgb", NULL, 3, 16, 13, "npy-rgb-resize-norm", "npy-labels", RESIZE_NORMALIZED_TOLERANCE);

  /* uint8 RGB to luminance (no resize: the general path). */
  pre = pre_auto ();
  pre.channels = 1;
  pre.n_mean = 1;
  pre.mean[0] = 0.5;
  pre.std[0] = 0.25;
  add_ok (f, "rgb-lum", "npy/images-u8-rgb.npy", "npy/labels-i8.npy", NULL, NULL, &pre);
  check_split (f, "rgb-lum", NULL, 1, 9, 11, "npy-rgb-lum", NULL, 1e-6);
}

/* ---- image folders -------------------------------------------------------------------------- */

static void
test_folder (Fixture *f, gconstpointer data)
{
  static const char * const order[] = { "dog", "bird", "cat", NULL };
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = NULL;
  CncPreprocessing pre = pre_auto ();
  CncDatasetInfo *info;
  g_autofree char *jpeg = NULL;

  if (!need_fixtures ())
    return;
  add_ok (f, "animals", "folder", NULL, NULL, NULL, NULL);
  check_split (f, "animals", NULL, 3, 6, 8, "folder-totensor", "folder-labels", 0);
  ds = cnc_dataset_open (f->ws, "animals", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cnc_dataset_get_n_classes (ds), ==, 3);
  g_assert_cmpstr (cnc_dataset_get_classes (ds)[0], ==, "bird");
  g_assert_cmpstr (cnc_dataset_get_classes (ds)[2], ==, "dog");
  list = cnc_dataset_list (f->ws, &error);
  info = list->pdata[1];
  g_assert_cmpstr (info->kind, ==, "folder");
  g_assert_cmpint (info->split_sizes[0], ==, 12);

  /* A class order given: the folders are matched by name. */
  add_ok (f, "ordered", "folder", NULL, NULL, order, NULL);
  check_split (f, "ordered", NULL, 3, 6, 8, "folder-dog-bird-cat", "folder-dog-bird-cat-labels", 0);

  /* Grey images: one channel. */
  add_ok (f, "grey", "folder-grey", NULL, NULL, NULL, NULL);
  check_split (f, "grey", NULL, 1, 5, 4, "folder-grey", NULL, 0);

  /* Images of different sizes, resized each on its own. */
  pre.height = 6;
  pre.width = 6;
  add_ok (f, "mixed", "folder-mixed", NULL, NULL, NULL, &pre);
  check_split (f, "mixed", NULL, 3, 6, 6, "folder-mixed-6x6", NULL, RESIZE_TOLERANCE);

  /* JPEG: the decoded pixels as ImageMagick (libjpeg) gives them, to one level of 255. */
  jpeg = fx ("expect/folder-jpeg.npy");
  if (g_file_test (jpeg, G_FILE_TEST_EXISTS))
    {
      add_ok (f, "jpeg", "folder-jpeg", NULL, NULL, NULL, NULL);
      check_split (f, "jpeg", NULL, 3, 12, 10, "folder-jpeg", NULL, 1.0 / 255 + 1e-6);
    }
  else
    g_test_message ("no ImageMagick: the JPEG case was not run");
}

/* ---- splits and names ----------------------------------------------------------------------- */

static void
test_splits (Fixture *f, gconstpointer data)
{
  static const char * const five[] = { "a", "b", "c", "d", "e", NULL };
  static const char * const four[] = { "a", "b", "c", "d", NULL };
  static const char * const renamed[] = { "a", "b", "c", "d", "z", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *before = NULL, *after = NULL;
  CncPreprocessing pre = pre_auto ();
  CncDatasetInfo *info;

  if (!need_fixtures ())
    return;
  add_ok (f, "d", "idx/images.idx", "idx/labels.idx", "test", five, NULL);
  add_ok (f, "d", "idx/images.idx.gz", "idx/labels-i32.idx.gz", "train", NULL, NULL);
  list = cnc_dataset_list (f->ws, &error);
  g_assert_no_error (error);
  info = list->pdata[1];
  g_assert_cmpstr (info->splits[0], ==, "test");
  g_assert_cmpstr (info->splits[1], ==, "train");
  g_assert_true (g_strv_equal ((const char * const *) info->classes, five));
  check_split (f, "d", "train", 1, 9, 11, "idx-totensor", "idx-labels", 0);

  before = cnc_workspace_fingerprint (f->ws, NULL);
#define REFUSED(domain, code, text, call)                                           \
  G_STMT_START {                                                                    \
    g_clear_error (&error);                                                         \
    g_assert_false (call);                                                          \
    g_assert_error (error, domain, code);                                           \
    if (!strstr (error->message, text))                                             \
      g_error ("“%s” does not name %s", error->message, text);                      \
    g_clear_pointer (&after, g_free);                                               \
    after = cnc_workspace_fingerprint (f->ws, NULL);                                \
    g_assert_cmpstr (before, ==, after);                                            \
  } G_STMT_END

  /* Duplicate split, the built-in's name. */
  REFUSED (CNC_DATASET_ERROR, CNC_DATASET_ERROR_EXISTS, "“train”",
           add (f, "d", "idx/images.idx", "idx/labels.idx", "train", NULL, NULL, &error));
  REFUSED (CNC_DATASET_ERROR, CNC_DATASET_ERROR_EXISTS, "built-in",
           add (f, CNC_DATASET_BUILTIN, "idx/images.idx", "idx/labels.idx", NULL, NULL, NULL, &error));
  /* A class list of the wrong size, or other names, for an existing dataset. */
  REFUSED (CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "labels.idx",
           add (f, "d", "idx/images.idx", "idx/labels.idx", "val", four, NULL, &error));
  REFUSED (CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "“z”",
           add (f, "d", "idx/images.idx", "idx/labels.idx", "val", renamed, NULL, &error));
  /* Another preprocessing than the dataset's. */
  pre.height = 20;
  pre.width = 20;
  REFUSED (CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "images.idx",
           add (f, "d", "idx/images.idx", "idx/labels.idx", "val", NULL, &pre, &error));
  /* Another kind of data in the same dataset. */
  REFUSED (CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "images-u8.npy",
           add (f, "d", "npy/images-u8.npy", "npy/labels-i8.npy", "val", NULL, NULL, &error));
  /* Unknown names. */
  g_clear_error (&error);
  g_assert_null (cnc_dataset_open (f->ws, "nope", NULL, &error));
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (cnc_dataset_open (f->ws, "d", "val", &error));
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "test, train"));
}

/* ---- bad input ------------------------------------------------------------------------------ */

typedef struct {
  const char *images;
  const char *labels;
  const char * const *classes;
  int         code;
  const char *names;          /* what the message must contain */
} BadCase;

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  static const char * const two[] = { "a", "b", NULL };
  static const char * const three[] = { "x", "y", "z", NULL };
  static const char * const five[] = { "0", "1", "2", "3", "4", NULL };
  static const char * const dup[] = { "a", "a", NULL };
  static const BadCase cases[] = {
    { "bad/idx-magic.idx", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "idx-magic.idx: bad IDX magic" },
    { "bad/not-idx.bin", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "not-idx.bin: neither" },
    { "bad/idx-dims.idx", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "idx-dims.idx: IDX images need 3 dimensions" },
    { "bad/idx-labels-as-images.idx", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "idx-labels-as-images.idx" },
    { "idx/images.idx", "idx/images.idx", NULL, CNC_DATASET_ERROR_INVALID, "images.idx: IDX labels need 1 dimension" },
    { "bad/idx-truncated.idx", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "idx-truncated.idx: truncated" },
    { "bad/idx-extra.idx", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "idx-extra.idx: 10 unexpected bytes" },
    { "bad/idx-truncated.idx.gz", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "idx-truncated.idx.gz: the gzip data is damaged or truncated" },
    { "bad/npy-f8.npy", "npy/labels-i8.npy", NULL, CNC_DATASET_ERROR_UNSUPPORTED, "npy-f8.npy: images of dtype float64" },
    { "bad/npy-c16.npy", "npy/labels-i8.npy", NULL, CNC_DATASET_ERROR_UNSUPPORTED, "npy-c16.npy: images of dtype complex128" },
    { "bad/npy-fortran.npy", "npy/labels-i8.npy", NULL, CNC_DATASET_ERROR_UNSUPPORTED, "npy-fortran.npy: the array is stored in Fortran order" },
    { "bad/npy-truncated.npy", "npy/labels-i8.npy", NULL, CNC_DATASET_ERROR_INVALID, "npy-truncated.npy: truncated" },
    { "bad/npy-header.npy", "npy/labels-i8.npy", NULL, CNC_DATASET_ERROR_INVALID, "npy-header.npy: bad .npy header" },
    { "bad/npy-channels-last.npy", "npy/labels-i8.npy", NULL, CNC_DATASET_ERROR_UNSUPPORTED, "npy-channels-last.npy" },
    { "npy/images-u8.npy", "bad/npy-labels-f4.npy", NULL, CNC_DATASET_ERROR_UNSUPPORTED, "npy-labels-f4.npy: labels of dtype float32" },
    { "idx/images.idx", "bad/labels-short.idx", NULL, CNC_DATASET_ERROR_INVALID, "labels-short.idx holds 36 labels but" },
    { "idx/images.idx", "bad/labels-claim-4e9.idx", NULL, CNC_DATASET_ERROR_INVALID, "labels-claim-4e9.idx: truncated: the header claims 4000000000 bytes" },
    { "bad/npy-claim-1e12.npy", "npy/labels-i8.npy", NULL, CNC_DATASET_ERROR_INVALID, "npy-claim-1e12.npy: truncated: the header claims 1000000000000 bytes" },
    { "npy/images-u8.npy", "bad/labels-range.npy", five, CNC_DATASET_ERROR_INVALID, "labels-range.npy: label 7 of instance 11 is outside the 5 classes" },
    { "npy/images-u8.npy", "bad/labels-negative.npy", NULL, CNC_DATASET_ERROR_INVALID, "labels-negative.npy: label -1 of instance 3" },
    { "npy/images-u8.npy", "npy/labels-i8.npy", dup, CNC_DATASET_ERROR_INVALID, "labels-i8.npy: the class list names “a” twice" },
    { "folder", NULL, two, CNC_DATASET_ERROR_INVALID, "folder: the class list has 2 names but the folder has 3 class folders" },
    { "folder", NULL, three, CNC_DATASET_ERROR_INVALID, "no such class folder" },
    { "bad/folder-unreadable", NULL, NULL, CNC_DATASET_ERROR_INVALID, "folder-unreadable/a/1-broken.png: cannot read the image" },
    { "bad/folder-empty", NULL, NULL, CNC_DATASET_ERROR_INVALID, "folder-empty: no class folders" },
    { "bad/folder-empty-class", NULL, NULL, CNC_DATASET_ERROR_INVALID, "folder-empty-class/b: the class folder holds no PNG/JPEG images" },
    { "folder-mixed", NULL, NULL, CNC_DATASET_ERROR_INVALID, "folder-mixed/x/1.png: the image is 9×4" },
    { "folder", "idx/labels.idx", NULL, CNC_DATASET_ERROR_INVALID, "folder: an image folder takes its labels" },
    { "idx/images.idx", NULL, NULL, CNC_DATASET_ERROR_INVALID, "images.idx: images in a file need a labels file" },
    { "no/such/images.idx", "idx/labels.idx", NULL, CNC_DATASET_ERROR_NOT_FOUND, "no/such/images.idx: no such file or folder" },
    { "idx/images.idx", "no/such/labels.idx", NULL, CNC_DATASET_ERROR_NOT_FOUND, "no/such/labels.idx: no such file" },
  };
  g_autofree char *before = NULL;

  if (!need_fixtures ())
    return;
  add_ok (f, "existing", "idx/images.idx", "idx/labels.idx", NULL, NULL, NULL);
  before = cnc_workspace_fingerprint (f->ws, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadCase *b = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;

      g_assert_false (add (f, "new", b->images, b->labels, NULL, b->classes, NULL, &error));
      if (error == NULL || error->domain != CNC_DATASET_ERROR || error->code != b->code
          || strstr (error->message, b->names) == NULL)
        g_error ("%s: expected error %d naming “%s”, got %d “%s”", b->images, b->code, b->names,
                 error ? error->code : -1, error ? error->message : "(none)");
      g_test_message ("%s: %s", b->images, error->message);
      after = cnc_workspace_fingerprint (f->ws, NULL);
      g_assert_cmpstr (before, ==, after);
    }
}

static void
test_read_batch_bounds (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = NULL;
  float out[2 * 99];

  if (!need_fixtures ())
    return;
  add_ok (f, "d", "idx/images.idx", "idx/labels.idx", NULL, NULL, NULL);
  ds = cnc_dataset_open (f->ws, "d", "test", &error);
  g_assert_no_error (error);
  g_assert_true (cnc_dataset_read_batch (ds, 35, 2, out, &error));
  g_assert_true (cnc_dataset_read_batch (ds, 37, 0, out, &error));
  g_assert_no_error (error);
  g_assert_false (cnc_dataset_read_batch (ds, 36, 2, out, &error));
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cnc_dataset_read_batch (ds, -1, 1, out, &error));
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID);
}

/* The recorded files changed after the split was added. */
static void
test_changed_files (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = NULL;
  g_autofree char *src = NULL, *copy = NULL, *labels = NULL, *short_copy = NULL;
  g_autofree char *bytes = NULL;
  gsize len;
  CncDatasetSource source = { 0 };

  if (!need_fixtures ())
    return;
  src = fx ("idx/images.idx");
  labels = fx ("idx/labels.idx");
  copy = g_build_filename (f->dir, "images.idx", NULL);
  g_file_get_contents (src, &bytes, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, bytes, len, &error);
  g_assert_no_error (error);
  source.images = copy;
  source.labels = labels;
  g_assert_true (cnc_dataset_add (f->ws, "d", &source, &error));
  g_assert_no_error (error);

  /* Truncated now: opening says so. */
  g_file_set_contents (copy, bytes, len - 99, &error);
  g_assert_no_error (error);
  ds = cnc_dataset_open (f->ws, "d", NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, copy));
  g_clear_error (&error);
  g_unlink (copy);
  g_assert_null (cnc_dataset_open (f->ws, "d", NULL, &error));
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, copy));
}

/* ---- images for display -------------------------------------------------------------------- */

/* Instance @index's display image is @c × @h × @w and equals @want (h × w × c, interleaved). */
static void
check_display_image (CncDataset   *ds,
                     gint64        index,
                     guint         c,
                     guint         h,
                     guint         w,
                     const guint8 *want,
                     const char   *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint gw = 99, gh = 99, gc = 99;
  const guint8 *got;
  gsize size;

  bytes = cnc_dataset_read_display_image (ds, index, &gw, &gh, &gc, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  if (gc != c || gh != h || gw != w)
    g_error ("%s instance %" G_GINT64_FORMAT ": %u × %u × %u (h × w × c), expected %u × %u × %u",
             what, index, gh, gw, gc, h, w, c);
  got = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, (gsize) h * w * c);
  for (gsize i = 0; i < size; i++)
    if (got[i] != want[i])
      g_error ("%s instance %" G_GINT64_FORMAT ": pixel (y %" G_GSIZE_FORMAT ", x %" G_GSIZE_FORMAT
               ", channel %" G_GSIZE_FORMAT ") is %u, expected %u", what, index, i / c / w, i / c % w,
               i % c, got[i], want[i]);
}

/* Every instance of @name / @split, last to first, against the expected N × @h × @w × @c uint8 array. */
static void
check_display (Fixture    *f,
               const char *name,
               const char *split,
               guint       c,
               guint       h,
               guint       w,
               const char *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = cnc_dataset_open (f->ws, name, split, &error);
  g_autofree guint8 *want = NULL;
  gsize count, size = (gsize) c * h * w;
  gint64 n;

  g_assert_no_error (error);
  g_assert_true (cnc_dataset_has_images (ds));
  n = cnc_dataset_get_size (ds);
  want = expected_pixels (expect, &count);
  g_assert_cmpuint (count, ==, (gsize) n * size);
  for (gint64 i = n - 1; i >= 0; i--)
    check_display_image (ds, i, c, h, w, want + i * size, expect);
  g_test_message ("%s: %" G_GINT64_FORMAT " images of %u × %u × %u as expected", expect, n, h, w, c);
}

static void
test_display_idx (Fixture *f, gconstpointer data)
{
  static const gint64 fmnist[] = { 0, 1, 4321, 9999 };   /* as in make-dataset-fixtures.py */
  CncPreprocessing pre = pre_auto ();
  g_autoptr(CncDataset) ds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *want = NULL;
  gsize count;

  if (!need_fixtures ())
    return;
  add_ok (f, "raw", "idx/images.idx.gz", "idx/labels.idx", NULL, NULL, NULL);
  check_display (f, "raw", NULL, 1, 9, 11, "display-idx-u8");
  add_ok (f, "f32", "idx/images-f32.idx", "idx/labels.idx", NULL, NULL, NULL);
  check_display (f, "f32", NULL, 1, 9, 11, "display-idx-f32");

  /* The preprocessing (resize to 14×7, 3 channels, Normalize) is not applied: the stored pixels. */
  pre.height = 14;
  pre.width = 7;
  pre.channels = 3;
  pre.n_mean = 3;
  pre.mean[0] = 0.485; pre.mean[1] = 0.456; pre.mean[2] = 0.406;
  pre.std[0] = 0.229; pre.std[1] = 0.224; pre.std[2] = 0.225;
  add_ok (f, "resized", "idx/images.idx", "idx/labels.idx", NULL, NULL, &pre);
  check_display (f, "resized", NULL, 1, 9, 11, "display-idx-u8");

  /* The built-in Fashion-MNIST test split against NumPy's reading of the package's gzip file. */
  if (!g_file_test ("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS))
    {
      g_test_message ("dataset-fashion-mnist is not installed: the built-in split was not checked");
      return;
    }
  ds = cnc_dataset_open (f->ws, CNC_DATASET_BUILTIN, "test", &error);
  g_assert_no_error (error);
  g_assert_true (cnc_dataset_has_images (ds));
  want = expected_pixels ("fmnist-test-display", &count);
  g_assert_cmpuint (count, ==, G_N_ELEMENTS (fmnist) * 28 * 28);
  for (guint i = 0; i < G_N_ELEMENTS (fmnist); i++)
    check_display_image (ds, fmnist[i], 1, 28, 28, want + i * 28 * 28, "Fashion-MNIST test");
}

static void
test_display_npy (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *images;
    gboolean    luminance;   /* preprocessed to one channel for the model */
    guint       channels;
    const char *expect;
  } cases[] = {
    /* uint8: N × H × W, N × 1 × H × W, N × 3 × H × W (stored as planes, shown interleaved). */
    { "npy/images-u8-v3.npy.gz", FALSE, 1, "display-npy-u8" },
    { "npy/images-u8-n1hw.npy", FALSE, 1, "display-npy-u8-n1hw" },
    { "npy/images-u8-rgb.npy", FALSE, 3, "display-npy-u8-rgb" },
    /* Luminance for the model, colour as stored. */
    { "npy/images-u8-rgb.npy", TRUE, 3, "display-npy-u8-rgb" },
    /* float32 in [0, 1]: × 255. */
    { "npy/images-f32-unit.npy", FALSE, 1, "display-npy-f32-unit" },
    { "npy/images-f32-unit-nchw.npy", FALSE, 3, "display-npy-f32-unit-nchw" },
    /* float32 outside [0, 1]: the split's min … max; big-endian; NaN and ±inf; one value throughout. */
    { "npy/images-f32-nchw.npy", FALSE, 3, "display-npy-f32-nchw" },
    { "npy/images-f32-be.npy", FALSE, 1, "display-npy-f32-be" },
    { "npy/images-f32-special.npy", FALSE, 1, "display-npy-f32-special" },
    { "npy/images-f32-const.npy", FALSE, 1, "display-npy-f32-const" },
  };

  if (!need_fixtures ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("npy-%u", i);
      CncPreprocessing pre = pre_auto ();

      pre.channels = cases[i].luminance ? 1 : 0;
      add_ok (f, name, cases[i].images, "npy/labels-i8.npy", NULL, NULL, &pre);
      check_display (f, name, NULL, cases[i].channels, 9, 11, cases[i].expect);
    }
}

static void
test_display_folder (Fixture *f, gconstpointer data)
{
  CncPreprocessing pre = pre_auto ();
  g_autoptr(CncDataset) ds = NULL;
  g_autoptr(GError) error = NULL;
  static const guint sizes[4][2] = { { 5, 7 }, { 9, 4 }, { 6, 6 }, { 3, 12 } };   /* as in the script */

  if (!need_fixtures ())
    return;
  add_ok (f, "animals", "folder", NULL, NULL, NULL, NULL);
  check_display (f, "animals", NULL, 3, 6, 8, "display-folder");
  add_ok (f, "grey", "folder-grey", NULL, NULL, NULL, NULL);
  check_display (f, "grey", NULL, 1, 5, 4, "display-folder-grey");

  /* Mixed sizes, resized to 6×6 for the model: each image shown at its own stored size. */
  pre.height = 6;
  pre.width = 6;
  add_ok (f, "mixed", "folder-mixed", NULL, NULL, NULL, &pre);
  ds = cnc_dataset_open (f->ws, "mixed", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnc_dataset_get_size (ds), ==, 4);
  for (gint64 i = 3; i >= 0; i--)
    {
      g_autofree char *name = g_strdup_printf ("display-folder-mixed-%d", (int) i);
      g_autofree guint8 *want = NULL;
      gsize count;

      want = expected_pixels (name, &count);
      g_assert_cmpuint (count, ==, sizes[i][0] * sizes[i][1] * 3);
      check_display_image (ds, i, 3, sizes[i][0], sizes[i][1], want, name);
    }
}

static void
test_display_errors (Fixture *f, gconstpointer data)
{
  static const gint64 outside[] = { -1, 37, 38, G_MAXINT64, G_MININT64 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = NULL;
  g_autofree char *before = NULL, *after = NULL;

  if (!need_fixtures ())
    return;
  add_ok (f, "d", "idx/images.idx", "idx/labels.idx", NULL, NULL, NULL);
  ds = cnc_dataset_open (f->ws, "d", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    {
      g_autofree char *index = g_strdup_printf ("instance %" G_GINT64_FORMAT " is outside its 37 instances",
                                                outside[i]);
      guint w = 99, h = 99, c = 99;

      g_clear_error (&error);
      g_assert_null (cnc_dataset_read_display_image (ds, outside[i], &w, &h, &c, &error));
      g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID);
      if (!strstr (error->message, "dataset “d” split “test”") || !strstr (error->message, index))
        g_error ("“%s” does not name the split and “%s”", error->message, index);
      g_assert_cmpuint (w, ==, 0);
      g_assert_cmpuint (h, ==, 0);
      g_assert_cmpuint (c, ==, 0);
    }
  /* The edges are inside; the out-arguments may be NULL. */
  g_clear_error (&error);
  for (gint64 i = 0; i < 37; i += 36)
    {
      g_autoptr(GBytes) bytes = cnc_dataset_read_display_image (ds, i, NULL, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (bytes), ==, 9 * 11);
    }

  /* Feature vectors (N × D) are not images: no split holds them, they are refused when added. */
  before = cnc_workspace_fingerprint (f->ws, NULL);
  g_assert_false (add (f, "features", "bad/npy-features.npy", "npy/labels-i8.npy", NULL, NULL, NULL, &error));
  g_assert_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID);
  if (!strstr (error->message, "npy-features.npy: images need shape N × H × W or N × C × H × W")
      || !strstr (error->message, "(37, 20)"))
    g_error ("“%s” does not name the file, the shapes taken and its shape", error->message);
  after = cnc_workspace_fingerprint (f->ws, NULL);
  g_assert_cmpstr (before, ==, after);
}

typedef struct {
  CncDataset   *ds;
  const guint8 *want;
  gint64        first;   /* each thread starts elsewhere and goes round */
} DisplayThread;

static gpointer
display_thread (gpointer data)
{
  DisplayThread *t = data;
  gint64 n = cnc_dataset_get_size (t->ds);

  for (gint64 k = 0; k < n; k++)
    {
      gint64 i = (t->first + k) % n;
      check_display_image (t->ds, i, 3, 9, 11, t->want + i * 3 * 9 * 11, "display-npy-f32-nchw (threads)");
    }
  return NULL;
}

/* Several threads at once on one freshly opened float32 split: the first calls race to find the range. */
static void
test_display_threads (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncDataset) ds = NULL;
  g_autofree guint8 *want = NULL;
  DisplayThread t[4];
  GThread *threads[4];
  gsize count;

  if (!need_fixtures ())
    return;
  add_ok (f, "f32", "npy/images-f32-nchw.npy", "npy/labels-i8.npy", NULL, NULL, NULL);
  ds = cnc_dataset_open (f->ws, "f32", NULL, &error);
  g_assert_no_error (error);
  want = expected_pixels ("display-npy-f32-nchw", &count);
  g_assert_cmpuint (count, ==, 37 * 3 * 9 * 11);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      t[i] = (DisplayThread) { ds, want, 10 * i };
      threads[i] = g_thread_new ("display", display_thread, &t[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

/* ---- the CLI -------------------------------------------------------------------------------- */

static void
test_cli (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL, *images = NULL, *labels = NULL, *bad = NULL, *classes = NULL;
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr(JsonNode) root = NULL, want = NULL;
  g_autoptr(GString) where = g_string_new ("datasets --json");
  int status;

  if (!need_fixtures ())
    return;
  images = fx ("idx/images.idx.gz");
  labels = fx ("idx/labels.idx");
  bad = fx ("bad/npy-fortran.npy");
  classes = cnc_test_write_file (f->dir, "classes.txt", "zero\none\ntwo\r\nthree\n\nfour\n");
  g_clear_object (&f->ws);   /* the CLI writes */

  {
    const char *args[] = { "add-dataset", "--workspace", f->ws_dir, "small", "--images", images, "--labels", labels,
                           "--split", "val", "--classes-file", classes, "--resize", "14x7", "--channels", "3",
                           "--scale", "1/255", "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225", NULL };
    status = cnc_test_run_cli (args, &out, &err);
    g_assert_cmpstr (err, ==, "");
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, "Added dataset small, split val: 37 images of 3×14×7, 5 classes\n");
  }
  {
    const char *args[] = { "datasets", "--workspace", f->ws_dir, "--json", NULL };
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    status = cnc_test_run_cli (args, &out, &err);
    g_assert_cmpint (status, ==, 0);
    root = cnc_test_parse_json (out);
    want = cnc_test_parse_json (
      "[{\"name\": \"fashion-mnist\", \"kind\": \"builtin\", \"classes\": [\"T-shirt/top\", \"Trouser\", "
      "\"Pullover\", \"Dress\", \"Coat\", \"Sandal\", \"Shirt\", \"Sneaker\", \"Bag\", \"Ankle boot\"], "
      "\"splits\": [{\"name\": \"test\", \"size\": 10000}, {\"name\": \"train\", \"size\": 60000}], "
      "\"input\": [1, 28, 28], \"preprocessing\": {\"scale\": 0.0039215686274509803}},"
      " {\"name\": \"small\", \"kind\": \"idx\", \"classes\": [\"zero\", \"one\", \"two\", \"three\", \"four\"], "
      "\"splits\": [{\"name\": \"val\", \"size\": 37}], \"input\": [3, 14, 7], "
      "\"preprocessing\": {\"resize\": [14, 7], \"channels\": 3, \"scale\": 0.0039215686274509803, "
      "\"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]}}]");
    if (!cnc_test_json_equivalent (root, want, where))
      g_error ("%s\n%s", where->str, out);
  }
  {
    const char *args[] = { "datasets", "--workspace", f->ws_dir, NULL };
    g_clear_pointer (&out, g_free);
    status = cnc_test_run_cli (args, &out, NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_str_has_prefix (out, "NAME"));
    g_assert_nonnull (strstr (out, "\nfashion-mnist "));
    g_assert_nonnull (strstr (out, "resize 14×7, 3 channels, ÷255, mean (0.485, 0.456, 0.406)"));
  }

  /* Bad input: exit 1, one line naming the file, nothing changed. */
  {
    g_autoptr(CncWorkspace) ws = cnc_workspace_open (f->ws_dir, 0, NULL);
    before = cnc_workspace_fingerprint (ws, NULL);
  }
  {
    const char *args[] = { "add-dataset", "--workspace", f->ws_dir, "other", "--images", bad, "--labels", labels, NULL };
    g_clear_pointer (&err, g_free);
    status = cnc_test_run_cli (args, NULL, &err);
    g_assert_cmpint (status, ==, 1);
    g_assert_true (g_str_has_prefix (err, "compress-compare: "));
    g_assert_nonnull (strstr (err, "npy-fortran.npy: the array is stored in Fortran order"));
    g_assert_cmpint (strchr (err, '\n') - err, ==, (int) strlen (err) - 1);
  }
  {
    const char *args[] = { "add-dataset", "--workspace", f->ws_dir, "other", "--images", images, "--resize", "big", NULL };
    status = cnc_test_run_cli (args, NULL, NULL);
    g_assert_cmpint (status, ==, 2);
  }
  {
    const char *args[] = { "add-dataset", "--workspace", f->ws_dir, "other", "--labels", labels, NULL };
    status = cnc_test_run_cli (args, NULL, NULL);
    g_assert_cmpint (status, ==, 2);
  }
  {
    g_autoptr(CncWorkspace) ws = cnc_workspace_open (f->ws_dir, 0, NULL);
    after = cnc_workspace_fingerprint (ws, NULL);
    g_assert_cmpstr (before, ==, after);
  }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/dataset/preprocessing-json", test_preprocessing_json);
  ADD ("/dataset/builtin/list", test_builtin_list);
  ADD ("/dataset/builtin/values", test_builtin_values);
  ADD ("/dataset/builtin/read-only", test_builtin_read_only);
  ADD ("/dataset/builtin/missing", test_builtin_missing);
  ADD ("/dataset/idx", test_idx);
  ADD ("/dataset/npy", test_npy);
  ADD ("/dataset/folder", test_folder);
  ADD ("/dataset/splits", test_splits);
  ADD ("/dataset/bad-input", test_bad_input);
  ADD ("/dataset/read-batch-bounds", test_read_batch_bounds);
  ADD ("/dataset/changed-files", test_changed_files);
  ADD ("/dataset/display/idx", test_display_idx);
  ADD ("/dataset/display/npy", test_display_npy);
  ADD ("/dataset/display/folder", test_display_folder);
  ADD ("/dataset/display/errors", test_display_errors);
  ADD ("/dataset/display/threads", test_display_threads);
  ADD ("/dataset/cli", test_cli);

  status = g_test_run ();
  if (fixtures)
    cnc_test_rmtree (fixtures);
  return status;
}
