/* cnc-model-file.c
 * Recognising a model file's format and checking it before anything loads it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-model-file"

#include "cnc-model-file.h"

#include "cnc-safetensors.h"
#include "cnc-zip.h"
#include "core/cnc-core-enums.h"
#include "core/cnc-enum-names.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (cnc-model-file-error-quark, cnc_model_file_error)

/* How much of a file detection looks at, and the largest models.json it parses. */
#define HEAD_LEN 4096
#define MAX_JSON_LEN (64 * 1024 * 1024)

/* What torch.save's legacy (pre-1.6) format writes first: the pickle (protocol 2)
 * of the magic number 0x1950a86a20f9469cfc6c. */
static const guint8 legacy_magic[] = {
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
};

CNC_DEFINE_ENUM_NAMES (CncModelFormat, CNC_TYPE_MODEL_FORMAT, cnc_model_format_name, cnc_model_format_from_name)

/* Reads up to @len bytes from the start of @path. */
static gssize
read_head (const char  *path,
           guint8      *head,
           gsize        len,
           int         *errno_out)
{
  gsize got = 0;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      *errno_out = errno;
      return -1;
    }
  while (got < len)
    {
      gssize n = read (fd, head + got, len - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *errno_out = errno;
          g_close (fd, NULL);
          return -1;
        }
      if (n == 0)
        break;
      got += n;
    }
  g_close (fd, NULL);
  return got;
}

static gboolean
has_suffix_member (GPtrArray   *members,
                   const char  *suffix,
                   char       **prefix_out)
{
  gsize suffix_len = strlen (suffix);

  for (guint i = 0; i < members->len; i++)
    {
      const char *m = g_ptr_array_index (members, i);
      gsize len = strlen (m);

      /* "data.pkl" at top level or "<prefix>/data.pkl" */
      if (len >= suffix_len && strcmp (m + len - suffix_len, suffix) == 0
          && (len == suffix_len || m[len - suffix_len - 1] == '/'))
        {
          *prefix_out = g_strndup (m, len - suffix_len);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
detect_zip (const char      *path,
            const char      *file,
            CncModelFormat  *format_out,
            GError         **error)
{
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *code_dir = NULL;
  g_autofree char *constants = NULL;

  if (!cnc_zip_verify (path, &members, error))
    return FALSE;
  if (!has_suffix_member (members, "data.pkl", &prefix))
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_NOT_A_MODEL,
                   "%s: a zip archive, but not a PyTorch model (no data.pkl)", file);
      return FALSE;
    }

  code_dir = g_strconcat (prefix, "code/", NULL);
  constants = g_strconcat (prefix, "constants.pkl", NULL);
  *format_out = CNC_MODEL_FORMAT_STATE_DICT;
  for (guint i = 0; i < members->len; i++)
    {
      const char *m = g_ptr_array_index (members, i);

      if (g_str_has_prefix (m, code_dir) || strcmp (m, constants) == 0)
        {
          *format_out = CNC_MODEL_FORMAT_TORCHSCRIPT;
          break;
        }
    }
  return TRUE;
}

/* After an optional byte order mark and white space, an opening brace. */
static gboolean
looks_like_json (const guint8 *head,
                 gsize         len)
{
  gsize i = 0;

  if (len >= 3 && memcmp (head, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < len && g_ascii_isspace (head[i]))
    i++;
  return i < len && head[i] == '{';
}

static gboolean
detect_json (const char      *path,
             const char      *file,
             goffset          size,
             CncModelFormat  *format_out,
             GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  JsonNode *root, *models;

  if (size > MAX_JSON_LEN)
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_UNKNOWN_FORMAT,
                   "%s: a JSON file too large to be a models.json (%" G_GINT64_FORMAT " MB)",
                   file, (gint64) (size >> 20));
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_UNREADABLE,
                   "%s: cannot be read: %s", file, local_error->message);
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, contents, len, &local_error))
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_NOT_A_MODEL,
                   "%s: looks like JSON but is not valid JSON: %s", file, local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || (models = json_object_get_member (json_node_get_object (root), "models")) == NULL
      || !JSON_NODE_HOLDS_ARRAY (models))
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_NOT_A_MODEL,
                   "%s: a JSON file, but not a Compress & Compare models.json (it has no "
                   "\"models\" list)", file);
      return FALSE;
    }
  *format_out = CNC_MODEL_FORMAT_CAC_JSON;
  return TRUE;
}

gboolean
cnc_model_file_detect (const char      *path,
                       CncModelFormat  *format_out,
                       GError         **error)
{
  g_autofree char *display = NULL;
  g_autofree char *file = NULL;
  CncModelFormat format;
  guint8 head[HEAD_LEN];
  GStatBuf st;
  gssize len;
  int err = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Problems finding or opening the file name the full path; problems with its
   * contents name the file alone, as the other format readers do. */
  display = g_filename_display_name (path);
  file = g_filename_display_basename (path);

  if (g_stat (path, &st) != 0)
    {
      err = errno;
      if (err == ENOENT || err == ENOTDIR)
        g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_NOT_FOUND,
                     "%s: no such file", display);
      else
        g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_UNREADABLE,
                     "%s: cannot be read: %s", display, g_strerror (err));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_IS_FOLDER,
                   "%s: is a folder, not a model file", display);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_UNREADABLE,
                   "%s: not a regular file (a device, pipe or socket)", display);
      return FALSE;
    }
  len = read_head (path, head, sizeof head, &err);
  if (len < 0)
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_UNREADABLE,
                   "%s: cannot be read: %s", display, g_strerror (err));
      return FALSE;
    }
  if (len == 0)
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_EMPTY,
                   "%s: the file is empty", file);
      return FALSE;
    }

  if (len >= 4 && (memcmp (head, "PK\3\4", 4) == 0 || memcmp (head, "PK\5\6", 4) == 0))
    {
      if (!detect_zip (path, file, &format, error))
        return FALSE;
    }
  else if (cnc_safetensors_probe (head, len) || g_str_has_suffix (file, ".safetensors"))
    {
      /* Named .safetensors but malformed: the reader says precisely what is wrong. */
      format = CNC_MODEL_FORMAT_SAFETENSORS;
    }
  else if (looks_like_json (head, len))
    {
      if (!detect_json (path, file, st.st_size, &format, error))
        return FALSE;
    }
  else if ((gsize) len >= sizeof legacy_magic
           && memcmp (head, legacy_magic, sizeof legacy_magic) == 0)
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_LEGACY_FORMAT,
                   "%s: saved in PyTorch's legacy format; re-save it with torch.save(obj, path) "
                   "from PyTorch ≥ 1.6", file);
      return FALSE;
    }
  else
    {
      g_set_error (error, CNC_MODEL_FILE_ERROR, CNC_MODEL_FILE_ERROR_UNKNOWN_FORMAT,
                   "%s: not a model file Compress & Compare can read (TorchScript, torch.save "
                   "state dict, safetensors or models.json)", file);
      return FALSE;
    }

  if (format_out != NULL)
    *format_out = format;
  return TRUE;
}
