/* cnc-store.c
 * The workspace's content-addressed store of model files (by SHA-256): reflink, hard link or copy.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-store"

#include "cnc-store.h"
#include "cnc-workspace-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

gboolean
cnc_store_hash_file (const char    *path,
                     char         **sha256_out,
                     gint64        *size_out,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (1 << 20);
  gint64 total = 0;
  gssize n;

  if (!(in = g_file_read (file, cancellable, error)))
    return FALSE;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 1 << 20, cancellable, error)) > 0)
    {
      g_checksum_update (sum, buf, n);
      total += n;
    }
  if (n < 0)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  *sha256_out = g_strdup (g_checksum_get_string (sum));
  if (size_out)
    *size_out = total;
  return TRUE;
}

/* A copy-on-write clone shares blocks but not the inode: the original can then change freely. */
static gboolean
try_reflink (const char *src,
             const char *dest)
{
  gboolean cloned = FALSE;
  int in_fd, out_fd;

  if ((in_fd = open (src, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  if ((out_fd = open (dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) >= 0)
    {
      cloned = ioctl (out_fd, FICLONE, in_fd) == 0;
      close (out_fd);
      if (!cloned)
        g_unlink (dest);
    }
  close (in_fd);
  return cloned;
}

static gboolean
copy_file (const char *src,
           const char *dest,
           GError    **error)
{
  g_autoptr(GFile) from = g_file_new_for_path (src);
  g_autoptr(GFile) to = g_file_new_for_path (dest);

  return g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

gboolean
cnc_store_add (CncWorkspace *workspace,
               const char   *path,
               const char   *sha256,
               char        **relpath_out,
               gboolean     *created_out,
               GError      **error)
{
  const char *store = _cnc_workspace_get_store_dir (workspace);
  g_autofree char *prefix = g_strndup (sha256, 2);
  g_autofree char *dir = g_build_filename (store, prefix, NULL);
  g_autofree char *dest = g_build_filename (dir, sha256, NULL);
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-%d", dest, getpid ());

  *created_out = FALSE;
  if (g_file_test (dest, G_FILE_TEST_IS_REGULAR))
    {
      *relpath_out = g_build_filename (prefix, sha256, NULL);
      return TRUE;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "%s: cannot write the workspace's store: %s", cnc_workspace_get_path (workspace),
                   g_strerror (errsv));
      return FALSE;
    }

  /* A reflink first (independent of the original), then a hard link (same filesystem), then a
   * copy; the last two through a temporary name so the store never holds a partial file. */
  if (!try_reflink (path, tmp) && link (path, tmp) != 0 && !copy_file (path, tmp, error))
    {
      g_unlink (tmp);
      g_prefix_error (error, "%s: cannot copy into the workspace's store: ", path);
      return FALSE;
    }
  if (g_rename (tmp, dest) != 0)
    {
      int errsv = errno;
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "%s: cannot write the workspace's store: %s", cnc_workspace_get_path (workspace),
                   g_strerror (errsv));
      return FALSE;
    }
  *created_out = TRUE;
  *relpath_out = g_build_filename (prefix, sha256, NULL);
  return TRUE;
}

void
cnc_store_take_back (CncWorkspace *workspace,
                     const char   *relpath)
{
  g_autofree char *path = g_build_filename (_cnc_workspace_get_store_dir (workspace), relpath, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);  /* only when empty */
}

char *
cnc_store_model_path (CncWorkspace   *workspace,
                      const CncModel *model)
{
  if (model->file == NULL)
    return NULL;
  if (model->linked || g_path_is_absolute (model->file))
    return g_strdup (model->file);
  return g_build_filename (_cnc_workspace_get_store_dir (workspace), model->file, NULL);
}

guint
cnc_store_collect_garbage (CncWorkspace *workspace,
                           GError      **error)
{
  const char *store = _cnc_workspace_get_store_dir (workspace);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GDir) top = NULL;
  const char *sub;
  guint removed = 0;

  if (!(stmt = _cnc_workspace_prepare (workspace, "SELECT file FROM models WHERE linked = 0 AND file IS NOT NULL",
                                       error)))
    return 0;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_add (used, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));

  if (!(top = g_dir_open (store, 0, NULL)))
    return 0;
  while ((sub = g_dir_read_name (top)))
    {
      g_autofree char *subdir = g_build_filename (store, sub, NULL);
      g_autoptr(GDir) d = g_dir_open (subdir, 0, NULL);
      const char *f;

      if (d == NULL)
        continue;
      while ((f = g_dir_read_name (d)))
        {
          g_autofree char *rel = g_build_filename (sub, f, NULL);
          if (!g_hash_table_contains (used, rel))
            {
              g_autofree char *full = g_build_filename (subdir, f, NULL);
              if (g_unlink (full) == 0)
                removed++;
            }
        }
      g_rmdir (subdir);
    }
  return removed;
}
