/* test-formats.c
 * Tests of model-format detection, zip verification and safetensors reading, on fixtures made at test time.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-formats"

#include "core/formats/cnc-layer-stats.h"
#include "core/formats/cnc-model-file.h"
#include "core/formats/cnc-safetensors.h"
#include "core/formats/cnc-zip.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* Made once by tests/make-format-fixtures.py, shared by all tests, removed at exit. */
static char *fixtures_dir;
static JsonObject *expected;

static char *
fixture (const char *name)
{
  return g_build_filename (fixtures_dir, name, NULL);
}

static void
assert_error_names_file (GError     *error,
                         const char *file,
                         const char *contains)
{
  g_assert_nonnull (error);
  g_test_message ("%s → %s", file, error->message);
  if (strstr (error->message, file) == NULL)
    g_error ("error for %s does not name the file: %s", file, error->message);
  if (contains != NULL && strstr (error->message, contains) == NULL)
    g_error ("error for %s lacks \"%s\": %s", file, contains, error->message);
}

static void
assert_close (const char *what,
              double      got,
              double      want)
{
  if (!(fabs (got - want) <= 1e-6 * fabs (want) + 1e-12))
    g_error ("%s: got %.17g, expected %.17g", what, got, want);
}

static void
test_format_names (void)
{
  static const char *names[] = { "torchscript", "state-dict", "safetensors", "models.json" };
  CncModelFormat f;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (cnc_model_format_from_name (names[i], &f));
      g_assert_cmpint (f, ==, (CncModelFormat) i);
      g_assert_cmpstr (cnc_model_format_name (f), ==, names[i]);
    }
  g_assert_false (cnc_model_format_from_name ("onnx", &f));
  g_assert_false (cnc_model_format_from_name ("", &f));
}

static void
test_safetensors_probe (void)
{
  guint8 head[16] = { 0 };

  g_assert_false (cnc_safetensors_probe (head, 0));
  head[0] = 40;
  memcpy (head + 8, "{\"a\":", 5);
  g_assert_true (cnc_safetensors_probe (head, sizeof head));
  g_assert_false (cnc_safetensors_probe (head, 8));          /* '{' not there yet */
  head[8] = '[';
  g_assert_false (cnc_safetensors_probe (head, sizeof head));
  head[8] = '{';
  head[7] = 1;                                               /* absurd header length */
  g_assert_false (cnc_safetensors_probe (head, sizeof head));
  memcpy (head, "PK\3\4", 4);
  g_assert_false (cnc_safetensors_probe (head, sizeof head));
}

static void
check_stats (const char          *file,
             const CncLayerStats *s,
             JsonObject          *want)
{
  g_autofree char *what = g_strdup_printf ("%s: %s", file, s->name);
  JsonArray *shape = json_object_get_array_member (want, "shape");
  char key[128];

  g_assert_cmpstr (s->name, ==, json_object_get_string_member (want, "name"));
  g_assert_cmpstr (s->dtype, ==, json_object_get_string_member (want, "dtype"));
  g_assert_cmpuint (s->bits, ==, json_object_get_int_member (want, "bits"));
  g_assert_cmpuint (s->n_dims, ==, json_array_get_length (shape));
  for (guint i = 0; i < s->n_dims; i++)
    g_assert_cmpint (s->shape[i], ==, json_array_get_int_element (shape, i));
  g_assert_cmpint (s->numel, ==, json_object_get_int_member (want, "numel"));
  g_assert_cmpint (s->zeros, ==, json_object_get_int_member (want, "zeros"));
  g_assert_false (s->quantized);

  if (s->numel == 0)
    {
      g_assert_true (isnan (s->mean) && isnan (s->min) && isnan (s->max));
      return;
    }
#define CHECK(field) \
  g_snprintf (key, sizeof key, "%s %s", what, #field); \
  assert_close (key, s->field, json_object_get_double_member (want, #field))
  CHECK (min);
  CHECK (max);
  CHECK (mean);
  CHECK (std);
  CHECK (l1);
  CHECK (l2);
#undef CHECK
}

static void
test_safetensors_stats (void)
{
  JsonArray *files = json_object_get_array_member (expected, "good");
  JsonArray *want = json_object_get_array_member (expected, "stats");
  g_autofree char *empty = fixture ("no-tensors.safetensors");
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;

  for (guint f = 0; f < json_array_get_length (files); f++)
    {
      const char *file = json_array_get_string_element (files, f);
      g_autofree char *path = fixture (file);
      g_autoptr(GPtrArray) layers = cnc_safetensors_inspect (path, &error);

      g_assert_no_error (error);
      g_assert_nonnull (layers);
      g_assert_cmpuint (layers->len, ==, json_array_get_length (want));
      for (guint i = 0; i < layers->len; i++)
        check_stats (file, g_ptr_array_index (layers, i), json_array_get_object_element (want, i));
    }

  none = cnc_safetensors_inspect (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_safetensors_bad (void)
{
  JsonArray *cases = json_object_get_array_member (expected, "bad_safetensors");
  const char *more[] = { "missing.safetensors", "folder.pt", "empty.pt", "model-ts.pt" };

  g_assert_cmpuint (json_array_get_length (cases), >, 20);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *file = json_object_get_string_member (c, "file");
      g_autofree char *path = fixture (file);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) layers = cnc_safetensors_inspect (path, &error);

      g_assert_null (layers);
      g_assert_error (error, CNC_SAFETENSORS_ERROR, error->code);
      assert_error_names_file (error, file, json_object_get_string_member (c, "contains"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (more); i++)
    {
      g_autofree char *path = fixture (more[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) layers = cnc_safetensors_inspect (path, &error);

      g_assert_null (layers);
      assert_error_names_file (error, more[i], NULL);
    }
}

static void
test_zip_verify (void)
{
  JsonArray *cases = json_object_get_array_member (expected, "zip");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *file = json_object_get_string_member (c, "file");
      g_autofree char *path = fixture (file);
      g_autoptr(GPtrArray) members = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = cnc_zip_verify (path, &members, &error);

      if (json_object_has_member (c, "member"))
        {
          const char *member = json_object_get_string_member (c, "member");
          gboolean found = FALSE;

          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_nonnull (members);
          for (guint m = 0; m < members->len; m++)
            found |= g_str_has_suffix (g_ptr_array_index (members, m), member);
          g_assert_true (found);
        }
      else
        {
          g_assert_false (ok);
          g_assert_null (members);
          g_assert_error (error, CNC_ZIP_ERROR, error->code);
          assert_error_names_file (error, file, json_object_get_string_member (c, "error"));
        }
    }
}

static void
test_detect (void)
{
  JsonArray *cases = json_object_get_array_member (expected, "detect");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *file = json_object_get_string_member (c, "file");
      g_autofree char *path = fixture (file);
      g_autoptr(GError) error = NULL;
      CncModelFormat format = (CncModelFormat) -1;
      gboolean ok = cnc_model_file_detect (path, &format, &error);

      if (json_object_has_member (c, "format"))
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (cnc_model_format_name (format), ==,
                           json_object_get_string_member (c, "format"));
        }
      else
        {
          g_assert_false (ok);
          g_assert_cmpint (format, ==, (CncModelFormat) -1);
          assert_error_names_file (error, file, json_object_get_string_member (c, "error"));
        }
    }
}

static void
test_detect_unreadable (void)
{
  g_autofree char *path = fixture ("unreadable.pt");
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "PK\3\4 whatever", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  if (access (path, R_OK) == 0)
    {
      g_test_skip ("running with privileges that read any file");
      return;
    }
  g_assert_false (cnc_model_file_detect (path, NULL, &error));
  g_assert_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_UNREADABLE);
  assert_error_names_file (error, "unreadable.pt", "cannot be read");
}

static gboolean
make_fixtures (void)
{
  const char *python = g_getenv ("CNC_PYTHON");
  const char *tests_dir = g_getenv ("CNC_TESTS_DIR");
  g_autofree char *script = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *err_out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (python == NULL)
    python = "/usr/bin/python3";
  script = g_build_filename (tests_dir, "make-format-fixtures.py", NULL);
  fixtures_dir = g_dir_make_tmp ("cnc-test-formats-XXXXXX", &error);
  g_assert_no_error (error);

  {
    const char *argv[] = { python, script, fixtures_dir, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                       NULL, &err_out, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      {
        g_printerr ("make-format-fixtures.py failed: %s\n%s", error->message,
                    err_out ? err_out : "");
        return FALSE;
      }
  }

  json_path = fixture ("expected.json");
  if (!json_parser_load_from_file (parser, json_path, &error))
    {
      g_printerr ("%s: %s\n", json_path, error->message);
      return FALSE;
    }
  expected = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* A safetensors header nested 100,000 levels deep: refused before the JSON parser recurses into it. */
static void
test_safetensors_deep_header (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cnc-formats-deep-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "deep.safetensors", NULL);
  GString *header = g_string_new ("{\"t\": ");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  GString *file = g_string_new (NULL);
  guint64 len;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (header, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (header, ']');
  g_string_append_c (header, '}');
  len = GUINT64_TO_LE (header->len);
  g_string_append_len (file, (const char *) &len, 8);
  g_string_append_len (file, header->str, header->len);
  g_assert_true (g_file_set_contents (path, file->str, file->len, NULL));
  layers = cnc_safetensors_inspect (path, &error);
  g_assert_null (layers);
  g_assert_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER);
  g_assert_nonnull (strstr (error->message, "deep.safetensors"));
  g_assert_nonnull (strstr (error->message, "nests deeper"));
  g_string_free (header, TRUE);
  g_string_free (file, TRUE);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CNC_TESTS_DIR") == NULL)
    {
      g_printerr ("CNC_TESTS_DIR is not set (run through `meson test`)\n");
      return 77;
    }
  if (!make_fixtures ())
    {
      if (fixtures_dir != NULL)
        remove_tree (fixtures_dir);
      return 1;
    }

  g_test_add_func ("/formats/names", test_format_names);
  g_test_add_func ("/formats/safetensors/probe", test_safetensors_probe);
  g_test_add_func ("/formats/safetensors/stats", test_safetensors_stats);
  g_test_add_func ("/formats/safetensors/bad", test_safetensors_bad);
  g_test_add_func ("/formats/safetensors/deep-header", test_safetensors_deep_header);
  g_test_add_func ("/formats/zip/verify", test_zip_verify);
  g_test_add_func ("/formats/detect/all", test_detect);
  g_test_add_func ("/formats/detect/unreadable", test_detect_unreadable);

  result = g_test_run ();

  g_clear_pointer (&expected, json_object_unref);
  remove_tree (fixtures_dir);
  g_free (fixtures_dir);
  return result;
}
