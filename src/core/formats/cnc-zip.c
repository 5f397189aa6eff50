/* cnc-zip.c
 * Checking zip archives (PyTorch's file container) member by member, CRCs included.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-zip"

#include "cnc-zip.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zip.h>

G_DEFINE_QUARK (cnc-zip-error-quark, cnc_zip_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_t, zip_discard)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_file_t, zip_fclose)

/* Whether the file begins with a zip member header, i.e. was meant to be a zip. */
static gboolean
starts_like_zip (const char *path)
{
  guint8 head[4] = { 0 };
  gboolean result = FALSE;
  FILE *f = g_fopen (path, "rb");

  if (f != NULL)
    {
      result = fread (head, 1, 4, f) == 4 && memcmp (head, "PK\3\4", 4) == 0;
      fclose (f);
    }
  return result;
}

static void
set_open_error (const char  *path,
                const char  *file,
                int          code,
                GError     **error)
{
  zip_error_t ze;

  zip_error_init_with_code (&ze, code);
  switch (code)
    {
    case ZIP_ER_NOENT:
      g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_READ, "%s: no such file", file);
      break;
    case ZIP_ER_OPEN:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
    case ZIP_ER_MEMORY:
      g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_READ, "%s: cannot be read: %s",
                   file, zip_error_strerror (&ze));
      break;
    case ZIP_ER_NOZIP:
      if (starts_like_zip (path))
        g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_TRUNCATED,
                     "%s: truncated archive: it starts like a zip archive but its end (the list "
                     "of members) is missing; the file was cut short", file);
      else
        g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_NOT_ZIP, "%s: not a zip archive", file);
      break;
    default:
      g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_CORRUPT,
                   "%s: corrupt archive: %s (the file was damaged or cut short)",
                   file, zip_error_strerror (&ze));
      break;
    }
  zip_error_fini (&ze);
}

static gboolean
read_member (zip_t       *za,
             zip_uint64_t index,
             const char  *file,
             const char  *member,
             zip_uint64_t size,
             guint8      *buf,
             gsize        buf_len,
             GError     **error)
{
  g_autoptr(zip_file_t) zf = zip_fopen_index (za, index, 0);
  zip_uint64_t total = 0;
  zip_int64_t n;

  if (zf == NULL)
    {
      g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_CORRUPT,
                   "%s: corrupt archive: member '%s' cannot be opened: %s",
                   file, member, zip_strerror (za));
      return FALSE;
    }
  while ((n = zip_fread (zf, buf, buf_len)) > 0)
    total += n;
  if (n < 0)
    {
      zip_error_t *ze = zip_file_get_error (zf);

      if (zip_error_code_zip (ze) == ZIP_ER_CRC)
        g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_CRC,
                     "%s: corrupt archive: member '%s' fails its CRC check (the file was damaged)",
                     file, member);
      else
        g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_CORRUPT,
                     "%s: corrupt archive: member '%s' cannot be read: %s (the file was damaged "
                     "or cut short)", file, member, zip_error_strerror (ze));
      return FALSE;
    }
  if (total != size)
    {
      g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_CORRUPT,
                   "%s: corrupt archive: member '%s' should hold %" G_GUINT64_FORMAT
                   " bytes but has %" G_GUINT64_FORMAT, file, member,
                   (guint64) size, (guint64) total);
      return FALSE;
    }
  return TRUE;
}

gboolean
cnc_zip_verify (const char  *path,
                GPtrArray  **members_out,
                GError     **error)
{
  enum { BUF_LEN = 1 << 20 };
  g_autoptr(zip_t) za = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autofree guint8 *buf = NULL;
  g_autofree char *file = NULL;
  zip_int64_t n_entries;
  int code = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  file = g_filename_display_basename (path);
  za = zip_open (path, ZIP_CHECKCONS | ZIP_RDONLY, &code);
  if (za == NULL)
    {
      set_open_error (path, file, code, error);
      return FALSE;
    }

  n_entries = zip_get_num_entries (za, 0);
  members = g_ptr_array_new_full (MAX (n_entries, 0), g_free);
  buf = g_malloc (BUF_LEN);
  for (zip_int64_t i = 0; i < n_entries; i++)
    {
      zip_stat_t st;

      zip_stat_init (&st);
      if (zip_stat_index (za, i, 0, &st) != 0
          || (st.valid & (ZIP_STAT_NAME | ZIP_STAT_SIZE)) != (ZIP_STAT_NAME | ZIP_STAT_SIZE))
        {
          g_set_error (error, CNC_ZIP_ERROR, CNC_ZIP_ERROR_CORRUPT,
                       "%s: corrupt archive: member %" G_GINT64_FORMAT " has no readable "
                       "directory entry: %s", file, (gint64) i, zip_strerror (za));
          return FALSE;
        }
      if (!read_member (za, i, file, st.name, st.size, buf, BUF_LEN, error))
        return FALSE;
      g_ptr_array_add (members, g_strdup (st.name));
    }

  if (members_out != NULL)
    *members_out = g_steal_pointer (&members);
  return TRUE;
}
