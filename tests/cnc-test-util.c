/* cnc-test-util.c
 * Shared test helpers: temporary workspaces, running python3-torch scripts, JSON equivalence.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-test"

#include "cnc-test-util.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

char *
cnc_test_tmpdir (const char *prefix)
{
  g_autofree char *tmpl = g_strdup_printf ("cnc-%s-XXXXXX", prefix);
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

void
cnc_test_rmtree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir)
    {
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            cnc_test_rmtree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

char *
cnc_test_cac_fixture (const char *name)
{
  const char *dir = g_getenv ("CNC_FIXTURES_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, "cac-json", name, NULL);
}

gboolean
cnc_test_run_python (const char         *script,
                     const char * const *args)
{
  const char *python = g_getenv ("CNC_PYTHON");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (python == NULL)
    python = "/usr/bin/python3";
  if (!g_spawn_command_line_sync ("/usr/bin/python3 -c 'import torch, numpy'", NULL, NULL, &status, NULL)
      || status != 0)
    {
      g_test_skip ("python3-torch is not installed (/usr/bin/python3 cannot import torch)");
      return FALSE;
    }
  g_ptr_array_add (argv, g_strdup (python));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("CNC_TESTS_DIR"), script, NULL));
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed:\n%s%s", script, out, err);
  return TRUE;
}

int
cnc_test_run_cli (const char * const *args,
                  char              **out,
                  char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *o = NULL, *e = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("CNC_CLI"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &status, &error);
  g_assert_no_error (error);
  if (out)
    *out = o;
  else
    g_free (o);
  if (err)
    *err = e;
  else
    g_free (e);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

JsonNode *
cnc_test_parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static gboolean
is_number (JsonNode *n)
{
  GType t;

  if (!JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  t = json_node_get_value_type (n);
  return t == G_TYPE_DOUBLE || t == G_TYPE_INT64;
}

gboolean
cnc_test_json_equivalent (JsonNode *a,
                          JsonNode *b,
                          GString  *where)
{
  if (is_number (a) && is_number (b))
    {
      if (json_node_get_double (a) == json_node_get_double (b))
        return TRUE;
      g_string_append_printf (where, ": %.17g ≠ %.17g", json_node_get_double (a), json_node_get_double (b));
      return FALSE;
    }
  if (json_node_get_node_type (a) != json_node_get_node_type (b))
    {
      g_string_append (where, ": different kinds of value");
      return FALSE;
    }
  switch (json_node_get_node_type (a))
    {
    case JSON_NODE_NULL:
      return TRUE;
    case JSON_NODE_VALUE:
      if (json_node_equal (a, b))
        return TRUE;
      g_string_append (where, ": different values");
      return FALSE;
    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);
        if (json_array_get_length (x) != json_array_get_length (y))
          {
            g_string_append_printf (where, ": %u ≠ %u elements", json_array_get_length (x), json_array_get_length (y));
            return FALSE;
          }
        for (guint i = 0; i < json_array_get_length (x); i++)
          {
            gsize len = where->len;
            g_string_append_printf (where, "[%u]", i);
            if (!cnc_test_json_equivalent (json_array_get_element (x, i), json_array_get_element (y, i), where))
              return FALSE;
            g_string_truncate (where, len);
          }
        return TRUE;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a), *y = json_node_get_object (b);
        g_autoptr(GList) members = json_object_get_members (x);
        if (json_object_get_size (x) != json_object_get_size (y))
          {
            g_string_append_printf (where, ": %u ≠ %u members", json_object_get_size (x), json_object_get_size (y));
            return FALSE;
          }
        for (GList *l = members; l; l = l->next)
          {
            gsize len = where->len;
            g_string_append_printf (where, ".%s", (char *) l->data);
            if (!json_object_has_member (y, l->data))
              {
                g_string_append (where, ": missing");
                return FALSE;
              }
            if (!cnc_test_json_equivalent (json_object_get_member (x, l->data),
                                           json_object_get_member (y, l->data), where))
              return FALSE;
            g_string_truncate (where, len);
          }
        return TRUE;
      }
    default:
      return FALSE;
    }
}

char *
cnc_test_write_file (const char *dir,
                     const char *name,
                     const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}
