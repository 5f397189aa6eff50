/* test-import.c
 * End-to-end tests of importing real model files through the CLI: TorchScript, state dicts and
 * safetensors made by python3-torch, lineage options, the store, every kind of bad file (which
 * must change nothing), a busy and a read-only workspace, and the CLI's exit codes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include "cnc-test-util.h"
#include "core/registry/cnc-workspace.h"

/* Made once for all tests by the two fixture scripts. */
static char *fixtures;       /* root: torch/ and formats/ below */
static JsonNode *torch_expected;
static JsonNode *format_expected;

typedef struct {
  char *dir;
  char *ws;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *args[] = { "init", NULL, NULL };

  f->dir = cnc_test_tmpdir ("import");
  f->ws = g_build_filename (f->dir, "ws", NULL);
  args[1] = f->ws;
  g_assert_cmpint (cnc_test_run_cli (args, NULL, NULL), ==, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  cnc_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->ws);
}

static char *
torch_file (const char *name)
{
  return g_build_filename (fixtures, "torch", name, NULL);
}

static char *
format_file (const char *name)
{
  return g_build_filename (fixtures, "formats", name, NULL);
}

/* Runs `compress-compare -w WS ARGS…`; returns the exit status. */
static int
cli (Fixture *f, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *a;
  va_list ap;

  g_ptr_array_add (args, (char *) "--workspace");
  g_ptr_array_add (args, f->ws);
  va_start (ap, err);
  while ((a = va_arg (ap, const char *)))
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return cnc_test_run_cli ((const char * const *) args->pdata, out, err);
}

static char *
fingerprint (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = cnc_workspace_open (f->ws, CNC_WORKSPACE_OPEN_READ_ONLY, &error);
  char *fp;

  g_assert_no_error (error);
  fp = cnc_workspace_fingerprint (ws, &error);
  g_assert_no_error (error);
  return fp;
}

static JsonObject *
show_model (Fixture *f, const char *name)
{
  g_autofree char *out = NULL, *err = NULL;
  JsonNode *doc;

  if (cli (f, &out, &err, "show", "--json", name, NULL) != 0)
    g_error ("show %s failed: %s", name, err);
  doc = cnc_test_parse_json (out);
  return json_object_ref (json_object_get_object_member (json_node_get_object (doc), "model"));
}

static void
assert_close (const char *what, double got, double want, double rel)
{
  if (!(fabs (got - want) <= rel * fabs (want) + 1e-9))
    g_error ("%s: got %.9g, expected %.9g", what, got, want);
}

/* The stored layer table equals the one numpy computed from the same file. */
static void
assert_layers_match (JsonArray *got, JsonArray *want, const char *file)
{
  if (json_array_get_length (got) != json_array_get_length (want))
    g_error ("%s: %u layers stored, %u expected", file, json_array_get_length (got), json_array_get_length (want));
  for (guint i = 0; i < json_array_get_length (want); i++)
    {
      JsonObject *w = json_array_get_object_element (want, i);
      JsonObject *g = NULL;
      const char *name = json_object_get_string_member (w, "name");
      static const char * const stats[] = { "min", "max", "mean", "std", "l1", "l2" };
      g_autoptr(GString) where = g_string_new (name);

      for (guint j = 0; j < json_array_get_length (got) && !g; j++)
        if (g_str_equal (json_object_get_string_member (json_array_get_object_element (got, j), "name"), name))
          g = json_array_get_object_element (got, j);
      if (g == NULL)
        g_error ("%s: parameter %s not stored", file, name);
      g_assert_cmpstr (json_object_get_string_member (g, "dtype"), ==, json_object_get_string_member (w, "dtype"));
      g_assert_cmpint (json_object_get_int_member (g, "numel"), ==, json_object_get_int_member (w, "numel"));
      g_assert_cmpint (json_object_get_int_member (g, "zeros"), ==, json_object_get_int_member (w, "zeros"));
      if (!cnc_test_json_equivalent (json_object_get_member (g, "shape"), json_object_get_member (w, "shape"), where))
        g_error ("%s: shape differs at %s", file, where->str);
      for (guint s = 0; s < G_N_ELEMENTS (stats); s++)
        if (json_object_has_member (w, stats[s]))
          {
            g_autofree char *what = g_strdup_printf ("%s %s %s", file, name, stats[s]);
            assert_close (what, json_object_get_double_member (g, stats[s]),
                          json_object_get_double_member (w, stats[s]), 1e-5);
          }
    }
}

static void
test_real_files (Fixture *f, gconstpointer data)
{
  static const char * const torch_files[] = { "cnn-scripted.pt", "mlp-traced.pt", "quant-dynamic.pt",
                                              "quant-per-channel.pt", "state-dict.pt" };
  JsonObject *want = json_node_get_object (torch_expected);

  if (torch_expected == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (torch_files); i++)
    {
      g_autofree char *path = torch_file (torch_files[i]);
      g_autofree char *out = NULL, *err = NULL, *name = g_strndup (torch_files[i], strlen (torch_files[i]) - 3);
      g_autoptr(JsonObject) model = NULL;
      JsonObject *expect = json_object_get_object_member (want, torch_files[i]);

      if (cli (f, &out, &err, "import", path, NULL) != 0)
        g_error ("import %s failed: %s", torch_files[i], err);
      model = show_model (f, name);
      g_assert_cmpstr (json_object_get_string_member (model, "format"), ==,
                       json_object_get_string_member (expect, "format"));
      assert_layers_match (json_object_get_array_member (model, "layers"),
                           json_object_get_array_member (expect, "layers"), torch_files[i]);
    }

  /* safetensors, all dtypes, aligned and not */
  for (guint k = 0; k < 2; k++)
    {
      const char *file = k ? "unaligned.safetensors" : "good.safetensors";
      g_autofree char *path = format_file (file);
      g_autofree char *out = NULL, *err = NULL, *name = g_strndup (file, strlen (file) - strlen (".safetensors"));
      g_autoptr(JsonObject) model = NULL;

      if (cli (f, &out, &err, "import", path, NULL) != 0)
        g_error ("import %s failed: %s", file, err);
      model = show_model (f, name);
      g_assert_cmpstr (json_object_get_string_member (model, "format"), ==, "safetensors");
      assert_layers_match (json_object_get_array_member (model, "layers"),
                           json_object_get_array_member (json_node_get_object (format_expected), "stats"), file);
    }
}

static void
test_lineage_options (Fixture *f, gconstpointer data)
{
  g_autofree char *cnn = torch_file ("cnn-scripted.pt");
  g_autofree char *mlp = torch_file ("mlp-traced.pt");
  g_autofree char *q = torch_file ("quant-dynamic.pt");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonObject) child = NULL, student = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonArray *parents;
  JsonObject *params;

  if (torch_expected == NULL)
    return;
  g_assert_cmpint (cli (f, NULL, NULL, "import", cnn, "--name", "base", "--tag", "baseline", "--notes", "trained 5 epochs", NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, NULL, "import", q, "--name", "base-int8", "--parent", "base", "--op", "quantize",
                        "--param", "bits=8", "--param", "scheme=dynamic", "--param", "per_channel=false", NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, NULL, "import", mlp, "--name", "student", "--parent", "base-int8", NULL), ==, 0);
  /* a second parent, as teacher, through the same option with a role */
  g_assert_cmpint (cli (f, NULL, &err, "import", mlp, "--name", "student2", "--parent", "base:teacher", NULL), ==, 0);

  child = show_model (f, "base-int8");
  g_assert_cmpstr (json_object_get_string_member (child, "operation"), ==, "quantize");
  params = json_object_get_object_member (child, "parameters");
  g_assert_cmpint (json_object_get_int_member (params, "bits"), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (params, "scheme"), ==, "dynamic");
  g_assert_false (json_object_get_boolean_member (params, "per_channel"));
  parents = json_object_get_array_member (child, "parents");
  g_assert_cmpuint (json_array_get_length (parents), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parents, 0), "name"), ==, "base");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parents, 0), "role"), ==, "base");

  student = show_model (f, "student2");
  parents = json_object_get_array_member (student, "parents");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parents, 0), "role"), ==, "teacher");

  /* the tree: student under base-int8 under base */
  g_assert_cmpint (cli (f, &out, NULL, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "base\n") ? out : strstr (out, "base "));
  g_assert_nonnull (strstr (out, "└─ base-int8"));
  g_assert_nonnull (strstr (out, "   └─ student"));
  g_assert_nonnull (strstr (out, "quantize (bits 8, scheme dynamic, per_channel false)"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (f, &out, NULL, "list", "--json", NULL), ==, 0);
  list = cnc_test_parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "models")), ==, 4);
}

static char *
sha256sum (const char *path)
{
  g_autofree char *cmd = g_strdup_printf ("sha256sum '%s'", path);
  g_autofree char *out = NULL;

  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
  return g_strndup (out, 64);
}

static void
test_store (Fixture *f, gconstpointer data)
{
  g_autofree char *src = torch_file ("cnn-scripted.pt");
  g_autofree char *copy = g_build_filename (f->dir, "moved-away.pt", NULL);
  g_autofree char *hash = sha256sum (src);
  g_autofree char *stored = NULL, *contents = NULL, *original = NULL;
  g_autoptr(JsonObject) m = NULL, linked = NULL;
  gsize len1, len2;

  if (torch_expected == NULL)
    return;
  g_assert_true (g_file_get_contents (src, &original, &len1, NULL));
  g_assert_true (g_file_set_contents (copy, original, len1, NULL));
  g_assert_cmpint (cli (f, NULL, NULL, "import", copy, "--name", "stored", NULL), ==, 0);
  g_assert_cmpint (g_unlink (copy), ==, 0);  /* the original goes away: the workspace keeps its own */

  m = show_model (f, "stored");
  g_assert_cmpstr (json_object_get_string_member (m, "sha256"), ==, hash);
  g_assert_cmpint (json_object_get_int_member (m, "size"), ==, (gint64) len1);
  g_assert_false (json_object_get_boolean_member (m, "linked"));
  stored = g_build_filename (f->ws, "store", (char[]) { hash[0], hash[1], 0 }, hash, NULL);
  g_assert_cmpstr (json_object_get_string_member (m, "file"), ==, stored);
  g_assert_true (g_file_get_contents (stored, &contents, &len2, NULL));
  g_assert_cmpmem (contents, len2, original, len1);

  /* --link keeps the file where it is */
  g_assert_cmpint (cli (f, NULL, NULL, "import", src, "--name", "linked", "--link", NULL), ==, 0);
  linked = show_model (f, "linked");
  g_assert_true (json_object_get_boolean_member (linked, "linked"));
  g_assert_cmpstr (json_object_get_string_member (linked, "file"), ==, src);
  g_assert_cmpstr (json_object_get_string_member (linked, "sha256"), ==, hash);

  /* removing the last model that uses a stored file removes the file */
  g_assert_cmpint (cli (f, NULL, NULL, "remove", "stored", NULL), ==, 0);
  g_assert_false (g_file_test (stored, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (src, G_FILE_TEST_EXISTS));
}

/* Bad input: exit 1, one line on stderr naming the file, and the workspace exactly as before. */
static void
assert_refused (Fixture *f, const char *path, const char *contains, const char *extra)
{
  g_autofree char *before = fingerprint (f);
  g_autofree char *after = NULL, *err = NULL, *base = g_path_get_basename (path);
  int status = extra ? cli (f, NULL, &err, "import", path, extra, NULL) : cli (f, NULL, &err, "import", path, NULL);

  g_test_message ("%s → %s", base, err);
  if (status != 1)
    g_error ("import %s: exit %d, expected 1; stderr: %s", base, status, err);
  g_assert_nonnull (strstr (err, base));
  if (contains && !strstr (err, contains))
    g_error ("import %s: message lacks “%s”: %s", base, contains, err);
  g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);  /* one line */
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
}

static void
test_bad_files (Fixture *f, gconstpointer data)
{
  g_autofree char *good = torch_file ("cnn-scripted.pt");
  JsonArray *bad_st = json_object_get_array_member (json_node_get_object (format_expected), "bad_safetensors");

  if (torch_expected == NULL)
    return;
  /* something in the workspace already, so "unchanged" means something */
  g_assert_cmpint (cli (f, NULL, NULL, "import", good, "--name", "existing", NULL), ==, 0);

#define BAD_TORCH(name, contains) do { g_autofree char *p = torch_file (name); assert_refused (f, p, contains, NULL); } while (0)
#define BAD_FORMAT(name, contains) do { g_autofree char *p = format_file (name); assert_refused (f, p, contains, NULL); } while (0)
  BAD_TORCH ("empty.pt", "empty");
  BAD_TORCH ("random.pt", NULL);
  BAD_TORCH ("truncated.pt", NULL);
  BAD_TORCH ("not-a-model.zip", "not a PyTorch model");
  BAD_TORCH ("cut-record.pt", NULL);                  /* libtorch would segfault reading it */
  BAD_TORCH ("state-dict-ordered.pt", "OrderedDict");
  BAD_TORCH ("list.pt", NULL);
  BAD_FORMAT ("flipped.pt", "CRC");                   /* libtorch would load it silently */
  BAD_FORMAT ("no-data-pkl.zip", "no data.pkl");
  BAD_FORMAT ("legacy.pt", "legacy");
  BAD_FORMAT ("folder.pt", "folder");
  BAD_FORMAT ("missing.pt", "no such file");
  BAD_FORMAT ("junk.bin", "not a model file");
  BAD_FORMAT ("models.json", "import-json");
  for (guint i = 0; i < json_array_get_length (bad_st); i++)
    {
      JsonObject *b = json_array_get_object_element (bad_st, i);
      BAD_FORMAT (json_object_get_string_member (b, "file"), json_object_get_string_member (b, "contains"));
    }
#undef BAD_TORCH
#undef BAD_FORMAT

  /* a duplicate name, an unknown parent */
  assert_refused (f, good, "already exists", "--name=existing");
  {
    g_autofree char *before = fingerprint (f), *after = NULL, *err = NULL;
    g_assert_cmpint (cli (f, NULL, &err, "import", good, "--name", "x", "--parent", "ghost", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "ghost"));
    after = fingerprint (f);
    g_assert_cmpstr (before, ==, after);
  }
}

/* Several files are one action: one bad file and none is imported. */
static void
test_all_or_nothing (Fixture *f, gconstpointer data)
{
  g_autofree char *a = torch_file ("cnn-scripted.pt");
  g_autofree char *b = format_file ("good.safetensors");
  g_autofree char *bad = torch_file ("cut-record.pt");
  g_autofree char *before = NULL, *after = NULL, *err = NULL, *out = NULL;

  if (torch_expected == NULL)
    return;
  before = fingerprint (f);
  g_assert_cmpint (cli (f, NULL, &err, "import", a, b, bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "cut-record.pt"));
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);

  g_assert_cmpint (cli (f, &out, NULL, "import", a, b, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Imported cnn-scripted"));
  g_assert_nonnull (strstr (out, "Imported good"));
}

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { .rlim_cur = GPOINTER_TO_UINT (data), .rlim_max = GPOINTER_TO_UINT (data) };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* Store files (not the registry) left in the workspace. */
static guint
count_store_files (Fixture *f)
{
  g_autofree char *store = g_build_filename (f->ws, "store", NULL);
  g_autoptr(GDir) dir = g_dir_open (store, 0, NULL);
  const char *sub;
  guint n = 0;

  while (dir && (sub = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (store, sub, NULL);
      g_autoptr(GDir) inner = g_dir_open (path, 0, NULL);
      while (inner && g_dir_read_name (inner))
        n++;
    }
  return n;
}

/* Past a file size limit (ulimit -f) the command says so and changes nothing; it is not killed by
 * SIGXFSZ (exit 153, no message) and leaves no partial file. */
static void
test_file_size_limit (Fixture *f, gconstpointer data)
{
  g_autofree char *model = torch_file ("cnn-scripted.pt");
  g_autofree char *before = NULL, *after = NULL, *out = NULL, *err = NULL;
  const char *argv[] = { g_getenv ("CNC_CLI"), "--workspace", f->ws, "import", model, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (torch_expected == NULL)
    return;
  before = fingerprint (f);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, limit_file_size, GUINT_TO_POINTER (16 * 1024),
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_true (strstr (err, "file size limit") != NULL || strstr (err, "File too large") != NULL);
  g_assert_null (strchr (strchr (err, '\n') + 1, '\n'));   /* one line */
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (count_store_files (f), ==, 0);
  /* Without the limit the same import works. */
  g_assert_cmpint (cli (f, NULL, NULL, "import", model, NULL), ==, 0);
  g_assert_cmpuint (count_store_files (f), ==, 1);
}

static void
test_edits_and_exit_codes (Fixture *f, gconstpointer data)
{
  g_autofree char *json = cnc_test_cac_fixture ("celeba_models.json");
  g_autofree char *err = NULL, *out = NULL;
  g_autoptr(JsonObject) m = NULL;

  g_assert_cmpint (cli (f, NULL, NULL, "import-json", json, NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, NULL, "tag", "magnitudepruning90", "paper", "worst", NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, NULL, "tag", "--remove", "magnitudepruning90", "worst", NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, NULL, "note", "magnitudepruning90", "drops 7 pp", NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, NULL, "rename", "magnitudepruning90", "prune-90", NULL), ==, 0);
  m = show_model (f, "prune-90");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (m, "tags")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (m, "notes"), ==, "drops 7 pp");
  g_assert_cmpstr (json_object_get_string_member (m, "label"), ==,
                   "Iterative Magnitude Prune (epochs: 16, sparsity: 0.9, frequency: 1)");
  assert_close ("Top-1", json_object_get_double_member (json_object_get_object_member (m, "metrics"), "Top-1 Accuracy"),
                0.8743111912634005, 1e-15);

  /* removing a model with children needs --recursive */
  g_assert_cmpint (cli (f, NULL, &err, "remove", "resnet18trained", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--recursive"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (f, &out, NULL, "remove", "--recursive", "resnet18trained", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Removed resnet18trained"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (f, &out, NULL, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, ": 0 models"));

  /* usage errors exit 2; user errors exit 1 with one line */
  g_assert_cmpint (cli (f, NULL, NULL, "frobnicate", NULL), ==, 2);
  g_assert_cmpint (cli (f, NULL, NULL, "show", NULL), ==, 2);
  g_assert_cmpint (cli (f, NULL, NULL, "import", "--bogus", NULL), ==, 2);
  g_assert_cmpint (cli (f, NULL, &err, "show", "ghost", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "ghost"));
  {
    const char *args[] = { "--workspace", "/nonexistent/place", "list", NULL };
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (cnc_test_run_cli (args, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "no workspace here"));
  }
}

/* Another process writes: the CLI waits briefly, then says so, and changes nothing. */
static void
test_busy_workspace (Fixture *f, gconstpointer data)
{
  g_autofree char *db = g_build_filename (f->ws, "registry.sqlite", NULL);
  const char *argv[] = { "/usr/bin/python3", "-c",
                         "import sqlite3, sys\n"
                         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                         "c.execute('BEGIN IMMEDIATE')\n"
                         "print('locked', flush=True)\n"
                         "sys.stdin.read()\n", db, NULL };
  g_autofree char *json = cnc_test_cac_fixture ("celeba_models.json");
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL, *err = NULL, *before = fingerprint (f), *after = NULL;

  holder = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_cmpstr (line, ==, "locked");

  g_setenv ("CNC_BUSY_TIMEOUT_MS", "500", TRUE);
  g_assert_cmpint (cli (f, NULL, &err, "import-json", json, NULL), ==, 1);
  g_unsetenv ("CNC_BUSY_TIMEOUT_MS");
  g_assert_nonnull (strstr (err, "another process is writing"));
  g_output_stream_close (g_subprocess_get_stdin_pipe (holder), NULL, NULL);
  g_subprocess_wait (holder, NULL, NULL);
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (cli (f, NULL, NULL, "import-json", json, NULL), ==, 0);
}

/* A workspace the user cannot write: reading works, writing says why. Root can write anywhere,
 * so as root the CLI runs as `nobody` through setpriv. */
static void
test_read_only_workspace (Fixture *f, gconstpointer data)
{
  g_autofree char *json = cnc_test_cac_fixture ("celeba_models.json");
  g_autofree char *model = format_file ("good.safetensors");
  g_autofree char *chmod_ro = g_strdup_printf ("chmod -R a+rX,a-w '%s'", f->dir);
  g_autofree char *chmod_rw = g_strdup_printf ("chmod -R u+w '%s'", f->dir);
  g_autofree char *before = NULL, *after = NULL;
  const char *runner[] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups" };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  g_assert_cmpint (cli (f, NULL, NULL, "import-json", json, NULL), ==, 0);
  before = fingerprint (f);
  g_assert_true (g_spawn_command_line_sync (chmod_ro, NULL, NULL, NULL, NULL));
  if (getuid () == 0)
    {
      if (!g_file_test (runner[0], G_FILE_TEST_IS_EXECUTABLE))
        {
          g_test_skip ("running as root without setpriv: cannot make a read-only workspace");
          return;
        }
      for (guint i = 0; i < G_N_ELEMENTS (runner); i++)
        g_ptr_array_add (argv, (char *) runner[i]);
    }
  g_ptr_array_add (argv, (char *) g_getenv ("CNC_CLI"));
  g_ptr_array_add (argv, "--workspace");
  g_ptr_array_add (argv, f->ws);

  /* listing works */
  g_ptr_array_add (argv, "list");
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync ("/", (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("list on a read-only workspace failed: %s", err);
  g_assert_nonnull (strstr (out, "magnitudepruning90"));

  /* importing says read-only */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_ptr_array_set_size (argv, argv->len - 2);
  g_ptr_array_add (argv, "import");
  g_ptr_array_add (argv, model);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync ("/", (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_test_message ("read-only → %s", err);
  g_assert_nonnull (strstr (err, "read-only"));

  g_assert_true (g_spawn_command_line_sync (chmod_rw, NULL, NULL, NULL, NULL));
  after = fingerprint (f);
  g_assert_cmpstr (before, ==, after);
}

static gboolean
make_fixtures (void)
{
  g_autofree char *torch_dir = NULL, *format_dir = NULL, *text = NULL;
  const char *args[2] = { NULL, NULL };

  fixtures = cnc_test_tmpdir ("import-fixtures");
  torch_dir = g_build_filename (fixtures, "torch", NULL);
  format_dir = g_build_filename (fixtures, "formats", NULL);
  g_mkdir (torch_dir, 0755);
  g_mkdir (format_dir, 0755);
  args[0] = torch_dir;
  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
      || !g_spawn_command_line_sync ("/usr/bin/python3 -c 'import torch, numpy'", NULL, NULL, NULL, NULL))
    return FALSE;
  {
    int status = 0;
    g_spawn_command_line_sync ("/usr/bin/python3 -c 'import torch, numpy'", NULL, NULL, &status, NULL);
    if (status != 0)
      return FALSE;
  }
  cnc_test_run_python ("make-torch-fixtures.py", args);
  args[0] = format_dir;
  cnc_test_run_python ("make-format-fixtures.py", args);

  {
    g_autofree char *p = g_build_filename (torch_dir, "expected.json", NULL);
    g_assert_true (g_file_get_contents (p, &text, NULL, NULL));
    torch_expected = cnc_test_parse_json (text);
    g_clear_pointer (&text, g_free);
  }
  {
    g_autofree char *p = g_build_filename (format_dir, "expected.json", NULL);
    g_assert_true (g_file_get_contents (p, &text, NULL, NULL));
    format_expected = cnc_test_parse_json (text);
  }
  /* the read-only test runs the CLI as nobody: let it read the fixtures */
  {
    g_autofree char *cmd = g_strdup_printf ("chmod -R a+rX '%s'", fixtures);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  int status;
  gboolean have_fixtures;

  g_test_init (&argc, &argv, NULL);
  have_fixtures = make_fixtures ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  if (have_fixtures)
    {
      ADD ("/import/real-files", test_real_files);
      ADD ("/import/lineage-options", test_lineage_options);
      ADD ("/import/store", test_store);
      ADD ("/import/bad-files", test_bad_files);
      ADD ("/import/all-or-nothing", test_all_or_nothing);
      ADD ("/import/read-only-workspace", test_read_only_workspace);
      ADD ("/import/file-size-limit", test_file_size_limit);
    }
  ADD ("/cli/edits-and-exit-codes", test_edits_and_exit_codes);
  ADD ("/cli/busy-workspace", test_busy_workspace);
#undef ADD

  status = g_test_run ();
  cnc_test_rmtree (fixtures);
  return status;
}
