/* bench-util.c
 * What the bench programs share (see bench-util.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-util.h"

char *
bench_find_script (const char *name)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : g_get_current_dir ();

  if (g_getenv ("CNC_BENCH_DIR"))
    return g_build_filename (g_getenv ("CNC_BENCH_DIR"), name, NULL);
  while (TRUE)
    {
      char *candidate = g_build_filename (dir, "bench", name, NULL);
      char *up;

      if (g_file_test (candidate, G_FILE_TEST_EXISTS))
        return candidate;
      g_free (candidate);
      up = g_path_get_dirname (dir);
      if (g_str_equal (up, dir))
        g_error ("%s not found: set CNC_BENCH_DIR to the source tree's bench folder", name);
      g_free (dir);
      dir = up;
    }
}

double
bench_now (void)
{
  return g_get_monotonic_time () / 1e6;
}

gpointer
bench_read_exact (const char *dir,
                  const char *name,
                  gsize       size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error))
    g_error ("%s", error->message);
  if (len != size)
    g_error ("%s: %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, path, len, size);
  return data;
}
