/* cnc-inspect-client.c
 * Runs the cnc-inspect helper on a PyTorch file and parses its JSON into layer statistics.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-inspect-client"

#include "cnc-inspect-client.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cnc-config.h"
#include "cnc-layer-stats.h"

#define HELPER_NAME "cnc-inspect"

G_DEFINE_QUARK (cnc-inspect-error-quark, cnc_inspect_error)

char *
cnc_inspect_find_helper (GError **error)
{
  const char *env = g_getenv ("CNC_INSPECT_HELPER");
  g_autofree char *exe = NULL;
  g_autofree char *beside = NULL;
  const char *installed = CNC_LIBEXECDIR "/compress-compare/" HELPER_NAME;

  if (env != NULL && *env != '\0')
    {
      if (!g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) || g_file_test (env, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_NO_HELPER,
                       "The inspection helper %s (set by CNC_INSPECT_HELPER) is not an executable file",
                       env);
          return NULL;
        }
      return g_strdup (env);
    }

  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);

      beside = g_build_filename (dir, HELPER_NAME, NULL);
      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE)
          && !g_file_test (beside, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&beside);
    }

  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (installed);

  if (beside != NULL)
    g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_NO_HELPER,
                 "Cannot find the inspection helper " HELPER_NAME ": looked for %s and %s "
                 "(set CNC_INSPECT_HELPER to its path)", beside, installed);
  else
    g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_NO_HELPER,
                 "Cannot find the inspection helper " HELPER_NAME ": looked for %s "
                 "(set CNC_INSPECT_HELPER to its path)", installed);
  return NULL;
}

/* The last non-empty line of @text (libtorch may log warnings before the error line). */
static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      g_strstrip (lines[i - 1]);
      if (lines[i - 1][0] != '\0')
        return g_strdup (lines[i - 1]);
    }
  return NULL;
}

typedef struct {
  GSubprocess  *process;
  GAsyncResult *result;
  gboolean      timed_out;
} Wait;

static void
communicate_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
time_out (gpointer user_data)
{
  Wait *wait = user_data;

  wait->timed_out = TRUE;
  g_subprocess_force_exit (wait->process);
  return G_SOURCE_REMOVE;
}

/* Runs @process to its end, collecting stdout and stderr, killing it after @timeout_seconds
 * or on cancellation. Works on any thread: it iterates a context of its own. */
static gboolean
communicate (GSubprocess   *process,
             guint          timeout_seconds,
             gboolean      *timed_out,
             char         **stdout_text,
             char         **stderr_text,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = NULL;
  Wait wait = { process, NULL, FALSE };
  gboolean ok;

  g_main_context_push_thread_default (context);

  g_subprocess_communicate_utf8_async (process, NULL, cancellable, communicate_done, &wait);
  if (timeout_seconds > 0)
    {
      timeout = g_timeout_source_new_seconds (timeout_seconds);
      g_source_set_callback (timeout, time_out, &wait, NULL);
      g_source_attach (timeout, context);
    }

  while (wait.result == NULL)
    g_main_context_iteration (context, TRUE);

  if (timeout != NULL)
    g_source_destroy (timeout);

  ok = g_subprocess_communicate_utf8_finish (process, wait.result, stdout_text, stderr_text, error);
  g_clear_object (&wait.result);

  if (!ok)
    {
      /* Cancelled, or a pipe failed: do not leave the helper running. */
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
    }

  g_main_context_pop_thread_default (context);
  *timed_out = wait.timed_out;
  return ok;
}

static GPtrArray *
parse_output (const char  *path,
              const char  *text,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) layers = cnc_layer_stats_array_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonArray *array;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_BAD_OUTPUT,
                   "%s: the inspection helper's output is not valid JSON (%s)", path,
                   local_error != NULL ? local_error->message : "no output");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || (object = json_node_get_object (root)) == NULL
      || !json_object_has_member (object, "layers")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "layers")))
    {
      g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_BAD_OUTPUT,
                   "%s: the inspection helper's output is not valid JSON (no \"layers\" array)", path);
      return NULL;
    }

  array = json_object_get_array_member (object, "layers");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      CncLayerStats *stats;

      if (!JSON_NODE_HOLDS_OBJECT (node)
          || (stats = cnc_layer_stats_from_json (json_node_get_object (node), &local_error)) == NULL)
        {
          g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_BAD_OUTPUT,
                       "%s: the inspection helper's output is not valid JSON (layer %u: %s)",
                       path, i, local_error != NULL ? local_error->message : "not an object");
          return NULL;
        }
      g_ptr_array_add (layers, stats);
    }
  return g_steal_pointer (&layers);
}

GPtrArray *
cnc_inspect_file_with_timeout (const char    *path,
                               const char    *format,
                               guint          timeout_seconds,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *helper = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autofree char *message = NULL;
  gboolean timed_out = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (g_strcmp0 (format, "torchscript") == 0
                        || g_strcmp0 (format, "state-dict") == 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  helper = cnc_inspect_find_helper (error);
  if (helper == NULL)
    return NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &local_error,
                              helper, "--format", format, "--", path, NULL);
  if (process == NULL)
    {
      g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_NO_HELPER,
                   "Cannot start the inspection helper %s: %s", helper, local_error->message);
      return NULL;
    }

  if (!communicate (process, timeout_seconds, &timed_out, &stdout_text, &stderr_text,
                    cancellable, error))
    return NULL;

  if (timed_out)
    {
      g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_TIMED_OUT,
                   "%s: reading this file took longer than %u seconds and was stopped",
                   path, timeout_seconds);
      return NULL;
    }

  if (g_subprocess_get_if_signaled (process))
    {
      int sig = g_subprocess_get_term_sig (process);

      g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_CRASHED,
                   "%s: libtorch crashed while reading this file (signal %d, %s): "
                   "it is corrupt or truncated", path, sig, g_strsignal (sig));
      return NULL;
    }

  message = last_line (stderr_text);
  switch (g_subprocess_get_exit_status (process))
    {
    case 0:
      return parse_output (path, stdout_text, error);
    case 1:
      /* The helper's message already names the file. */
      if (message != NULL)
        g_set_error_literal (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_FAILED, message);
      else
        g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_FAILED,
                     "%s: the inspection helper could not read this file", path);
      return NULL;
    default:
      g_set_error (error, CNC_INSPECT_ERROR, CNC_INSPECT_ERROR_FAILED,
                   "%s: the inspection helper %s failed (exit status %d): %s", path, helper,
                   g_subprocess_get_exit_status (process), message != NULL ? message : "no message");
      return NULL;
    }
}

GPtrArray *
cnc_inspect_file (const char    *path,
                  const char    *format,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return cnc_inspect_file_with_timeout (path, format, CNC_INSPECT_TIMEOUT_SECONDS,
                                        cancellable, error);
}
