/* cnc-inspect.c
 * The inspection helper: reads one model file through libtorch and prints its layer statistics as JSON.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-inspect"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cnc-torch.h"
#include "core/formats/cnc-layer-stats.h"

/* Runs as a separate process so that a crash inside libtorch (a corrupt file can make it read
 * past a buffer) ends this process, not the application. Protocol:
 *   cnc-inspect --format torchscript|state-dict [--] FILE
 *   exit 0: stdout holds {"format": "...", "layers": [ {layer}, ... ]}
 *   exit 1: stderr's last line is the error, naming the file
 *   exit 2: usage error */

static int
usage (const char *message)
{
  if (message != NULL)
    fprintf (stderr, "cnc-inspect: %s\n", message);
  fprintf (stderr, "Usage: cnc-inspect --format torchscript|state-dict FILE\n");
  return 2;
}

static void
print_error (const char *message)
{
  g_autofree char *line = g_strdup (message);

  /* One line, always: the caller reads the last line of stderr. */
  g_strdelimit (line, "\r\n", ' ');
  fflush (stdout);
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  const char *format = NULL;
  const char *path = NULL;

  /* Keep libtorch's large buffers instead of returning them to the kernel after each use. */
  mallopt (M_MMAP_THRESHOLD, 256 << 20);
  mallopt (M_TRIM_THRESHOLD, 512 << 20);

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0 && i + 2 == argc && path == NULL)
        path = argv[++i];
      else if (strcmp (argv[i], "--format") == 0)
        {
          if (i + 1 >= argc)
            return usage ("--format needs a value");
          format = argv[++i];
        }
      else if (g_str_has_prefix (argv[i], "--format="))
        format = argv[i] + strlen ("--format=");
      else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          usage (NULL);
          return 0;
        }
      else if (strcmp (argv[i], "--version") == 0)
        {
          printf ("cnc-inspect (libtorch %s)\n", cnc_torch_version ());
          return 0;
        }
      else if (argv[i][0] == '-' && argv[i][1] != '\0' && path == NULL)
        return usage ("unknown option");
      else if (path == NULL)
        path = argv[i];
      else
        return usage ("only one file at a time");
    }

  if (format == NULL || path == NULL)
    return usage (NULL);

  if (strcmp (format, "torchscript") == 0)
    layers = cnc_torch_inspect_torchscript (path, &error);
  else if (strcmp (format, "state-dict") == 0)
    layers = cnc_torch_inspect_state_dict (path, &error);
  else
    return usage ("the format is torchscript or state-dict");

  if (layers == NULL)
    {
      print_error (error != NULL ? error->message : "unknown error");
      return 1;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, format);
  json_builder_set_member_name (builder, "layers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < layers->len; i++)
    cnc_layer_stats_to_json (g_ptr_array_index (layers, i), builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  if (fputs (json, stdout) == EOF || fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
    {
      print_error ("cannot write the result to standard output");
      return 1;
    }
  return 0;
}
