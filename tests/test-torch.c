/* test-torch.c
 * Tests of the libtorch shim and of the cnc-inspect helper, against statistics numpy computed.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-torch"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cnc-torch.h"
#include "cnc-torch-private.h"
#include "core/formats/cnc-inspect-client.h"
#include "core/formats/cnc-layer-stats.h"

/* Made once by make-torch-fixtures.py; NULL when python3-torch is missing. */
static char *fixtures_dir;
static JsonObject *expected;
static JsonParser *expected_parser;

#define SKIP_WITHOUT_FIXTURES() \
  G_STMT_START { \
    if (fixtures_dir == NULL) \
      { \
        g_test_skip ("python3-torch is not installed: no fixtures"); \
        return; \
      } \
  } G_STMT_END

static char *
fixture (const char *name)
{
  return g_build_filename (fixtures_dir, name, NULL);
}

static void
assert_close (const char *layer,
              const char *what,
              double      got,
              double      want)
{
  double tolerance = 1e-5 * fabs (want) + 1e-7;

  if (!(fabs (got - want) <= tolerance))
    g_error ("%s: %s is %.17g, numpy says %.17g", layer, what, got, want);
}

static double
member_double (JsonObject *o,
               const char *name)
{
  return json_object_get_double_member (o, name);
}

/* Checks @layers against expected.json's record for @file. */
static void
assert_layers (const char *file,
               GPtrArray  *layers)
{
  JsonObject *record = json_object_get_object_member (expected, file);
  JsonArray *want = json_object_get_array_member (record, "layers");

  g_assert_nonnull (layers);
  if (layers->len != json_array_get_length (want))
    {
      for (guint i = 0; i < layers->len; i++)
        g_printerr ("  got %s\n", ((CncLayerStats *) g_ptr_array_index (layers, i))->name);
      g_error ("%s: %u layers, numpy lists %u", file, layers->len, json_array_get_length (want));
    }

  for (guint i = 0; i < layers->len; i++)
    {
      CncLayerStats *s = g_ptr_array_index (layers, i);
      JsonObject *w = json_array_get_object_element (want, i);
      JsonArray *shape = json_object_get_array_member (w, "shape");
      g_autofree char *module = cnc_layer_module_of (json_object_get_string_member (w, "name"));

      g_assert_cmpstr (s->name, ==, json_object_get_string_member (w, "name"));
      g_assert_cmpstr (s->module, ==, module);
      g_assert_cmpstr (s->dtype, ==, json_object_get_string_member (w, "dtype"));
      g_assert_cmpuint (s->bits, ==, json_object_get_int_member (w, "bits"));
      g_assert_cmpuint (s->n_dims, ==, json_array_get_length (shape));
      for (guint d = 0; d < s->n_dims; d++)
        g_assert_cmpint (s->shape[d], ==, json_array_get_int_element (shape, d));
      g_assert_cmpint (s->numel, ==, json_object_get_int_member (w, "numel"));
      g_assert_cmpint (s->zeros, ==, json_object_get_int_member (w, "zeros"));
      assert_close (s->name, "min", s->min, member_double (w, "min"));
      assert_close (s->name, "max", s->max, member_double (w, "max"));
      assert_close (s->name, "mean", s->mean, member_double (w, "mean"));
      assert_close (s->name, "std", s->std, member_double (w, "std"));
      assert_close (s->name, "l1", s->l1, member_double (w, "l1"));
      assert_close (s->name, "l2", s->l2, member_double (w, "l2"));
      g_assert_cmpint (s->quantized, ==, json_object_get_boolean_member (w, "quantized"));
      if (s->quantized)
        {
          assert_close (s->name, "qscale", s->qscale, member_double (w, "qscale"));
          g_assert_cmpint (s->qzero_point, ==, json_object_get_int_member (w, "qzero_point"));
        }
      else
        g_assert_true (isnan (s->qscale));
    }
}

/* Reads @file both in this process and through the helper; both must match numpy. */
static void
check_file (const char *file)
{
  g_autofree char *path = fixture (file);
  const char *format = json_object_get_string_member (json_object_get_object_member (expected, file),
                                                      "format");
  g_autoptr(GPtrArray) direct = NULL;
  g_autoptr(GPtrArray) helper = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (format, "torchscript") == 0)
    direct = cnc_torch_inspect_torchscript (path, &error);
  else
    direct = cnc_torch_inspect_state_dict (path, &error);
  g_assert_no_error (error);
  assert_layers (file, direct);

  helper = cnc_inspect_file (path, format, NULL, &error);
  g_assert_no_error (error);
  assert_layers (file, helper);
}

static void
test_version (void)
{
  g_assert_true (g_str_has_prefix (cnc_torch_version (), "1."));
  g_assert_cmpstr (cnc_torch_quantized_engine (), !=, "none");
  g_test_message ("libtorch %s, quantized engine %s",
                  cnc_torch_version (), cnc_torch_quantized_engine ());
}

static void
test_clean_message (void)
{
  static const struct {
    const char *what;
    const char *message;
  } cases[] = {
    { "PytorchStreamReader failed reading zip archive: failed finding central directory\n"
      "Exception raised from valid at ../caffe2/serialize/inline_container.cc:184 (most recent call first):\n"
      "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x7e (0x7f in /usr/lib/libc10.so)\n",
      "not a PyTorch file, or it is truncated (failed finding central directory)" },
    { "The following operation failed in the TorchScript interpreter.\n"
      "Traceback of TorchScript (most recent call last):\n"
      "  File \"code/__torch__.py\", line 10, in forward\n"
      "    x = torch.linear(input, weight)\n"
      "        ~~~~~~~~~~~~ <--- HERE\n"
      "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)\n\n",
      "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)" },
    { "Unknown type name 'Foo':\n"
      "  File \"code/__torch__.py\", line 3\n"
      "  def forward(self, x: Foo) -> Tensor:\n"
      "                       ~~~ <--- HERE\n",
      "Unknown type name 'Foo'" },
    { "PytorchStreamReader failed reading zip archive: failed finding central directory",
      "not a PyTorch file, or it is truncated (failed finding central directory)" },
    { "[enforce fail at inline_container.cc:129] . file in archive is not in a subdirectory: readme.txt",
      "a zip archive, but not a PyTorch file" },
    { "[enforce fail at inline_container.cc:222] . file not found: archive/constants.pkl",
      "file not found: archive/constants.pkl" },
    { "   \n", "unknown error in libtorch" },
    { "", "unknown error in libtorch" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = _cnc_torch_clean_message (cases[i].what);
      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

static void
test_scripted (void)
{
  SKIP_WITHOUT_FIXTURES ();
  check_file ("cnn-scripted.pt");
}

static void
test_traced (void)
{
  SKIP_WITHOUT_FIXTURES ();
  check_file ("mlp-traced.pt");
}

static void
test_quantized (void)
{
  SKIP_WITHOUT_FIXTURES ();
  check_file ("quant-dynamic.pt");
}

static void
test_quantized_per_channel (void)
{
  SKIP_WITHOUT_FIXTURES ();
  check_file ("quant-per-channel.pt");
}

static void
test_state_dict (void)
{
  SKIP_WITHOUT_FIXTURES ();
  check_file ("state-dict.pt");
}

static void
test_ordered_dict (void)
{
  g_autofree char *path = NULL;
  g_autofree char *want = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_FIXTURES ();
  path = fixture ("state-dict-ordered.pt");
  want = g_strdup_printf ("%s: saved as an OrderedDict (torch.save(model.state_dict())): "
                          "re-save it as a plain dict: torch.save(dict(model.state_dict()), path)",
                          path);

  layers = cnc_torch_inspect_state_dict (path, &error);
  g_assert_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_ORDERED_DICT);
  g_assert_null (layers);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);

  layers = cnc_inspect_file (path, "state-dict", NULL, &error);
  g_assert_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_FAILED);
  g_assert_null (layers);
  g_assert_cmpstr (error->message, ==, want);
}

static void
test_not_a_dict (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_FIXTURES ();
  path = fixture ("list.pt");
  layers = cnc_torch_inspect_state_dict (path, &error);
  g_assert_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_NOT_A_DICT);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_test_message ("%s", error->message);
  g_assert_null (layers);
}

/* A bad file must give a one-line error naming it, in this process and through the helper. */
static void
assert_bad_file (const char *file,
                 const char *format,
                 gboolean    in_process)
{
  g_autofree char *path = fixture (file);
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  if (in_process)
    {
      if (strcmp (format, "torchscript") == 0)
        layers = cnc_torch_inspect_torchscript (path, &error);
      else
        layers = cnc_torch_inspect_state_dict (path, &error);
      g_assert_nonnull (error);
      g_assert_true (error->domain == CNC_TORCH_ERROR);
      g_assert_null (layers);
      g_test_message ("in process, %s: %s", format, error->message);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_null (strchr (error->message, '\n'));
      g_assert_null (strstr (error->message, "Exception raised from"));
      g_clear_error (&error);
    }

  layers = cnc_inspect_file (path, format, NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CNC_INSPECT_ERROR);
  g_assert_null (layers);
  g_test_message ("helper, %s: %s", format, error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_bad_files (void)
{
  static const char *const files[] = { "empty.pt", "random.pt", "truncated.pt", "not-a-model.zip" };

  SKIP_WITHOUT_FIXTURES ();
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      assert_bad_file (files[i], "torchscript", TRUE);
      assert_bad_file (files[i], "state-dict", TRUE);
    }
  /* Each reader given the other's files. */
  assert_bad_file ("cnn-scripted.pt", "state-dict", TRUE);
  assert_bad_file ("state-dict.pt", "torchscript", TRUE);
}

static void
test_wrong_format (void)
{
  g_autofree char *scripted = NULL;
  g_autofree char *state_dict = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_FIXTURES ();
  scripted = fixture ("cnn-scripted.pt");
  state_dict = fixture ("state-dict.pt");

  layers = cnc_torch_inspect_state_dict (scripted, &error);
  g_assert_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_WRONG_FORMAT);
  g_assert_null (layers);
  g_assert_nonnull (strstr (error->message, "a TorchScript archive, not a state dict"));
  g_clear_error (&error);

  layers = cnc_torch_inspect_torchscript (state_dict, &error);
  g_assert_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_WRONG_FORMAT);
  g_assert_null (layers);
  g_assert_nonnull (strstr (error->message, "not a TorchScript archive"));
}

/* A tensor record cut short with a valid CRC: libtorch loads it and then reads past the data.
 * Only through the helper, so that a crash cannot take this test down. */
static void
assert_cut_record (const char *file,
                   const char *format)
{
  g_autofree char *path = fixture (file);
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  layers = cnc_inspect_file (path, format, NULL, &error);
  g_assert_nonnull (error);
  g_assert_null (layers);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_true (g_error_matches (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_CRASHED)
                 || strstr (error->message, "corrupt or truncated") != NULL);
}

static void
test_cut_record (void)
{
  SKIP_WITHOUT_FIXTURES ();
  assert_cut_record ("cut-record.pt", "torchscript");
  assert_cut_record ("cut-state-dict.pt", "state-dict");
}

/* Runs cnc_inspect_file with CNC_INSPECT_HELPER pointing at a shell script saying @script. */
static GPtrArray *
inspect_with_fake_helper (const char  *script,
                          guint        timeout_seconds,
                          GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("test-torch-helper-XXXXXX", NULL);
  g_autofree char *helper = g_build_filename (dir, "cnc-inspect", NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", script);
  g_autofree char *saved = g_strdup (g_getenv ("CNC_INSPECT_HELPER"));
  GPtrArray *layers;

  g_assert_true (g_file_set_contents (helper, text, -1, NULL));
  g_assert_cmpint (g_chmod (helper, 0755), ==, 0);
  g_setenv ("CNC_INSPECT_HELPER", helper, TRUE);
  layers = cnc_inspect_file_with_timeout ("/models/net.pt", "torchscript", timeout_seconds,
                                          NULL, error);
  if (saved != NULL)
    g_setenv ("CNC_INSPECT_HELPER", saved, TRUE);
  else
    g_unsetenv ("CNC_INSPECT_HELPER");
  g_unlink (helper);
  g_rmdir (dir);
  return layers;
}

static void
test_helper_crash (void)
{
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  layers = inspect_with_fake_helper ("kill -SEGV $$", 0, &error);
  g_assert_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_CRASHED);
  g_assert_null (layers);
  g_assert_cmpstr (error->message, ==,
                   "/models/net.pt: libtorch crashed while reading this file "
                   "(signal 11, Segmentation fault): it is corrupt or truncated");
}

static void
test_helper_bad_output (void)
{
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  layers = inspect_with_fake_helper ("echo '{\"format\": \"torchscript\", \"layers\": [}'", 0, &error);
  g_assert_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_BAD_OUTPUT);
  g_assert_null (layers);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
  g_clear_error (&error);

  layers = inspect_with_fake_helper ("echo '[1, 2]'", 0, &error);
  g_assert_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_BAD_OUTPUT);
  g_assert_null (layers);
}

static void
test_helper_error_line (void)
{
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  layers = inspect_with_fake_helper ("echo 'W1128 warning from libtorch' >&2\n"
                                     "echo '/models/net.pt: bad file' >&2\nexit 1", 0, &error);
  g_assert_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_FAILED);
  g_assert_null (layers);
  g_assert_cmpstr (error->message, ==, "/models/net.pt: bad file");
}

static void
test_helper_timeout (void)
{
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* The helper would sleep 300 s: an answer well before proves it was stopped at its 1 s limit,
   * however loaded the machine (the bound is not a speed). */
  layers = inspect_with_fake_helper ("exec sleep 300", 1, &error);
  g_assert_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_TIMED_OUT);
  g_assert_null (layers);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 200 * G_USEC_PER_SEC);
}

static void
test_helper_missing (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("CNC_INSPECT_HELPER"));
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("CNC_INSPECT_HELPER", "/nonexistent/cnc-inspect", TRUE);
  layers = cnc_inspect_file ("/models/net.pt", "torchscript", NULL, &error);
  if (saved != NULL)
    g_setenv ("CNC_INSPECT_HELPER", saved, TRUE);
  else
    g_unsetenv ("CNC_INSPECT_HELPER");
  g_assert_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_NO_HELPER);
  g_assert_null (layers);
  g_assert_nonnull (strstr (error->message, "/nonexistent/cnc-inspect"));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

/* Runs make-torch-fixtures.py into a temporary directory; FALSE when python3-torch is missing. */
static gboolean
make_fixtures (void)
{
  const char *python = g_getenv ("CNC_PYTHON");
  const char *tests_dir = g_getenv ("CNC_TESTS_DIR");
  g_autofree char *script = NULL;
  g_autofree char *expected_path = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (python == NULL)
    python = "/usr/bin/python3";
  if (tests_dir == NULL)
    tests_dir = ".";

  {
    const char *check[] = { python, "-c", "import torch, numpy", NULL };
    if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL)
        || !g_spawn_check_wait_status (status, NULL))
      return FALSE;
  }

  fixtures_dir = g_dir_make_tmp ("test-torch-XXXXXX", &error);
  g_assert_no_error (error);
  script = g_build_filename (tests_dir, "make-torch-fixtures.py", NULL);
  {
    const char *argv[] = { python, script, fixtures_dir, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                       NULL, &err, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      g_error ("make-torch-fixtures.py failed: %s\n%s", error->message, err != NULL ? err : "");
  }

  expected_path = g_build_filename (fixtures_dir, "expected.json", NULL);
  expected_parser = json_parser_new ();
  json_parser_load_from_file (expected_parser, expected_path, &error);
  g_assert_no_error (error);
  expected = json_node_get_object (json_parser_get_root (expected_parser));
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);

  if (!make_fixtures ())
    g_test_message ("python3-torch is not installed: skipping the tests that need fixtures");

  g_test_add_func ("/torch/version", test_version);
  g_test_add_func ("/torch/clean-message", test_clean_message);
  g_test_add_func ("/torch/torchscript/scripted", test_scripted);
  g_test_add_func ("/torch/torchscript/traced", test_traced);
  g_test_add_func ("/torch/torchscript/quantized", test_quantized);
  g_test_add_func ("/torch/torchscript/quantized-per-channel", test_quantized_per_channel);
  g_test_add_func ("/torch/state-dict/plain", test_state_dict);
  g_test_add_func ("/torch/state-dict/ordered-dict", test_ordered_dict);
  g_test_add_func ("/torch/state-dict/not-a-dict", test_not_a_dict);
  g_test_add_func ("/torch/bad-files", test_bad_files);
  g_test_add_func ("/torch/wrong-format", test_wrong_format);
  g_test_add_func ("/torch/cut-record", test_cut_record);
  g_test_add_func ("/torch/helper/crash", test_helper_crash);
  g_test_add_func ("/torch/helper/bad-output", test_helper_bad_output);
  g_test_add_func ("/torch/helper/error-line", test_helper_error_line);
  g_test_add_func ("/torch/helper/timeout", test_helper_timeout);
  g_test_add_func ("/torch/helper/missing", test_helper_missing);

  result = g_test_run ();

  if (fixtures_dir != NULL)
    remove_tree (fixtures_dir);
  g_clear_object (&expected_parser);
  g_free (fixtures_dir);
  return result;
}
