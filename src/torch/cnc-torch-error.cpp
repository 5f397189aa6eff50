/* cnc-torch-error.cpp
 * The libtorch shim's error domain, and the translation of C++ exceptions into GErrors.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-private.h"

#include <c10/util/Exception.h>

#include <new>
#include <string.h>

G_DEFINE_QUARK (cnc-torch-error-quark, cnc_torch_error)

/* A line of only '~' and '^' (and an optional "<--- HERE"): TorchScript's pointer at the code. */
static gboolean
is_marker_line (const char *line)
{
  gboolean has_mark = FALSE;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (*p == '~' || *p == '^')
        has_mark = TRUE;
      else if (g_str_has_prefix (p, "<--- HERE"))
        return TRUE;
      else if (!g_ascii_isspace (*p))
        return FALSE;
    }
  return has_mark;
}

static gboolean
is_blank (const char *line)
{
  for (const char *p = line; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* libtorch's words for the common ways a file is not what it should be, in the user's words. */
static char *
translate (char *message)
{
  const char *p;
  char *translated = NULL;

  /* "[enforce fail at inline_container.cc:129] . file in archive is not in a subdirectory: x" */
  if (g_str_has_prefix (message, "[enforce fail at ") && (p = strstr (message, "] ")) != NULL)
    {
      p += 2;
      if (g_str_has_prefix (p, ". "))
        p += 2;
      translated = g_strdup (p);
      g_free (message);
      message = translated;
    }

  if ((p = strstr (message, "failed reading zip archive: ")) != NULL)
    translated = g_strdup_printf ("not a PyTorch file, or it is truncated (%s)",
                                  p + strlen ("failed reading zip archive: "));
  else if (strstr (message, "file in archive is not in a subdirectory") != NULL)
    translated = g_strdup ("a zip archive, but not a PyTorch file");
  else
    return message;

  g_free (message);
  return translated;
}

char *
_cnc_torch_clean_message (const char *what)
{
  g_auto(GStrv) lines = NULL;
  gboolean traceback = FALSE, marker = FALSE;
  const char *first = NULL, *last = NULL;
  const char *chosen;
  char *message;

  if (what == NULL || *what == '\0')
    return g_strdup ("unknown error in libtorch");

  lines = g_strsplit (what, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "Exception raised from "))
        break;   /* libtorch's C++ backtrace follows */
      if (strstr (line, "Traceback of TorchScript") != NULL
          || g_str_has_prefix (line, "Traceback (most recent call last)"))
        traceback = TRUE;
      if (is_marker_line (line))
        {
          marker = TRUE;
          continue;
        }
      if (is_blank (line))
        continue;
      if (first == NULL)
        first = line;
      last = line;
    }

  if (first == NULL)
    return g_strdup ("unknown error in libtorch");

  /* A compile error (torch::jit::ErrorReport) puts its message first, then the code it points
   * at; an interpreter traceback ends with the error. */
  chosen = (marker && !traceback) ? first : last;
  message = g_strstrip (g_strdup (chosen));
  if (marker && !traceback && g_str_has_suffix (message, ":"))
    message[strlen (message) - 1] = '\0';
  return translate (message);
}

void
_cnc_torch_set_error (GError           **error,
                      const char        *path,
                      std::exception_ptr ep) noexcept
{
  g_autofree char *message = NULL;

  try
    {
      std::rethrow_exception (ep);
    }
  catch (const c10::Error &e)
    {
      message = _cnc_torch_clean_message (e.what_without_backtrace ());
    }
  catch (const std::bad_alloc &e)
    {
      message = g_strdup ("out of memory while reading this file");
    }
  catch (const std::exception &e)
    {
      message = _cnc_torch_clean_message (e.what ());
    }
  catch (...)
    {
      message = g_strdup ("unknown error in libtorch");
    }

  g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "%s: %s", path, message);
}
