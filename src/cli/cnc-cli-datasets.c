/* cnc-cli-datasets.c
 * Dataset commands: datasets (the list), add-dataset (IDX, .npy or an image folder).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/registry/cnc-dataset-rows.h"

#define CLI_PARSE(cmd, args, summary, entries)                                  \
  if (!cnc_cli_parse (cmd, args, summary, entries, &argc, &argv))               \
    return CNC_EXIT_USAGE

/* "÷255", "resize 32×32, 3 channels, ÷255, mean (0.5, 0.5, 0.5) std (0.25, 0.25, 0.25)". */
static char *
describe_preprocessing (const CncPreprocessing *pre)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  double k = 1.0 / pre->scale;

  if (pre->height > 0)
    g_ptr_array_add (parts, g_strdup_printf ("resize %u×%u", pre->height, pre->width));
  if (pre->channels > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%u channel%s", pre->channels, pre->channels == 1 ? "" : "s"));
  if (k == floor (k) && 1.0 / k == pre->scale && k > 1)
    g_ptr_array_add (parts, g_strdup_printf ("÷%g", k));
  else if (pre->scale != 1.0)
    g_ptr_array_add (parts, g_strdup_printf ("×%g", pre->scale));
  if (pre->n_mean > 0)
    {
      GString *s = g_string_new ("mean (");
      for (guint i = 0; i < pre->n_mean; i++)
        g_string_append_printf (s, "%s%g", i ? ", " : "", pre->mean[i]);
      g_string_append (s, ") std (");
      for (guint i = 0; i < pre->n_mean; i++)
        g_string_append_printf (s, "%s%g", i ? ", " : "", pre->std[i]);
      g_string_append (s, ")");
      g_ptr_array_add (parts, g_string_free (s, FALSE));
    }
  if (parts->len == 0)
    return g_strdup ("none");
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

static JsonNode *
datasets_json (CncWorkspace *ws,
               GPtrArray    *list,
               GError      **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      CncDatasetInfo *info = list->pdata[i];
      g_autofree char *pre_json = cnc_preprocessing_to_json (&info->pre);
      guint c = 0, h = 0, w = 0;

      if (!cnc_dataset_get_input_shape (ws, info->name, &c, &h, &w, error))
        return NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, info->name);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, info->kind);
      json_builder_set_member_name (b, "classes");
      json_builder_begin_array (b);
      for (guint k = 0; info->classes[k]; k++)
        json_builder_add_string_value (b, info->classes[k]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "splits");
      json_builder_begin_array (b);
      for (guint s = 0; info->splits[s]; s++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, info->splits[s]);
          json_builder_set_member_name (b, "size");
          json_builder_add_int_value (b, info->split_sizes[s]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "input");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, c);
      json_builder_add_int_value (b, h);
      json_builder_add_int_value (b, w);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "preprocessing");
      json_builder_add_value (b, json_from_string (pre_json, NULL));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

int
cnc_cli_datasets (int    argc,
                  char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON: name, kind, classes, splits and sizes, input shape, "
      "preprocessing", NULL },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  CLI_PARSE ("datasets", "", "The evaluation datasets of the workspace (the built-in Fashion-MNIST first): "
             "kind, classes, splits with their sizes, the model input shape and the preprocessing.", entries);
  if (argc != 1)
    return cnc_cli_usage ("datasets", "unexpected argument “%s”", argv[1]);
  if (!(ws = cnc_cli_open_workspace (FALSE, &error)) || !(list = cnc_dataset_list (ws, &error)))
    return cnc_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonNode) root = datasets_json (ws, list, &error);
      if (root == NULL)
        return cnc_cli_fail (error);
      cnc_cli_print_json (root);
      return CNC_EXIT_OK;
    }

  printf ("%-20s %-8s %7s  %-12s %-28s %s\n", "NAME", "KIND", "CLASSES", "INPUT", "SPLITS", "PREPROCESSING");
  for (guint i = 0; i < list->len; i++)
    {
      CncDatasetInfo *info = list->pdata[i];
      g_autoptr(GString) splits = g_string_new (NULL);
      g_autofree char *pre = describe_preprocessing (&info->pre);
      g_autofree char *input = NULL;
      guint c = 0, h = 0, w = 0;

      if (!cnc_dataset_get_input_shape (ws, info->name, &c, &h, &w, &error))
        return cnc_cli_fail (error);
      input = g_strdup_printf ("%u×%u×%u", c, h, w);
      for (guint s = 0; info->splits[s]; s++)
        g_string_append_printf (splits, "%s%s %" G_GINT64_FORMAT, s ? ", " : "", info->splits[s],
                                info->split_sizes[s]);
      /* %-Ns counts bytes: pad "×" (2 bytes) by hand. */
      printf ("%-20s %-8s %7u  %s%*s %-28s %s\n", info->name, info->kind, g_strv_length (info->classes),
              input, (int) (12 - g_utf8_strlen (input, -1)), "", splits->str, pre);
    }
  return CNC_EXIT_OK;
}

/* "1,2.5,3" → up to 3 numbers. */
static gboolean
parse_numbers (const char *text,
               double     *values,
               guint      *n)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  *n = g_strv_length (parts);
  if (*n == 0 || *n > 3)
    return FALSE;
  for (guint i = 0; i < *n; i++)
    {
      char *end = NULL;
      g_strstrip (parts[i]);
      values[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (values[i]))
        return FALSE;
    }
  return TRUE;
}

/* "0.5" or "1/255". */
static gboolean
parse_scale (const char *text,
             double     *scale)
{
  char *end = NULL;
  double num = g_ascii_strtod (text, &end), den = 1.0;

  if (end == text)
    return FALSE;
  if (*end == '/')
    {
      const char *d = end + 1;
      den = g_ascii_strtod (d, &end);
      if (end == d || den == 0)
        return FALSE;
    }
  if (*end != '\0')
    return FALSE;
  *scale = num / den;
  return isfinite (*scale) && *scale != 0;
}

static GStrv
read_classes_file (const char *path,
                   GError    **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_strchomp (lines[i]);
      if (lines[i][0] != '\0')
        g_strv_builder_add (b, lines[i]);
    }
  return g_strv_builder_end (b);
}

int
cnc_cli_add_dataset (int    argc,
                     char **argv)
{
  g_autofree char *images = NULL, *labels = NULL, *classes_file = NULL;
  g_autofree char *split = NULL, *classes_text = NULL, *resize = NULL, *scale = NULL, *mean = NULL, *std = NULL;
  int channels = 0;
  GOptionEntry entries[] = {
    { "images", 'i', 0, G_OPTION_ARG_FILENAME, &images, "The images: an IDX or .npy file (optionally .gz), or a "
      "folder with one sub-folder of PNG/JPEG images per class", "FILE|DIR" },
    { "labels", 'l', 0, G_OPTION_ARG_FILENAME, &labels, "The labels (IDX or .npy); not for image folders", "FILE" },
    { "split", 's', 0, G_OPTION_ARG_STRING, &split, "The split's name (default: test)", "SPLIT" },
    { "classes", 'c', 0, G_OPTION_ARG_STRING, &classes_text, "Class names in label order (default: 0, 1, … or "
      "the sorted sub-folder names)", "A,B,C" },
    { "classes-file", 0, 0, G_OPTION_ARG_FILENAME, &classes_file, "Class names, one per line", "FILE" },
    { "resize", 0, 0, G_OPTION_ARG_STRING, &resize, "Resize every image (bilinear)", "HxW" },
    { "channels", 0, 0, G_OPTION_ARG_INT, &channels, "Convert to 1 (luminance) or 3 (grey repeated) channels", "1|3" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "Multiply pixels by X (default: 1/255 for uint8 pixels, "
      "1 for float32 ones, as ToTensor)", "X" },
    { "mean", 0, 0, G_OPTION_ARG_STRING, &mean, "Normalize: subtract a mean per channel (with --std)", "A,B,C" },
    { "std", 0, 0, G_OPTION_ARG_STRING, &std, "Normalize: divide by a standard deviation per channel", "A,B,C" },
    { NULL }
  };
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_auto(GStrv) classes = NULL;
  CncPreprocessing pre;
  CncDatasetSource source = { 0 };
  gboolean have_pre = FALSE;
  const char *name;

  CLI_PARSE ("add-dataset", "NAME --images FILE|DIR [--labels FILE]",
             "Add an evaluation dataset split: IDX files (the MNIST family, raw or .gz), NumPy .npy arrays "
             "(images N×H×W or N×C×H×W, uint8 or float32, plus a labels .npy) or an image folder (one sub-folder "
             "per class, PNG/JPEG). The files stay where they are; the workspace records their paths. All is "
             "checked before anything is recorded.", entries);
  if (argc != 2)
    return cnc_cli_usage ("add-dataset", argc < 2 ? "no dataset name given" : "one dataset name only");
  name = argv[1];
  if (images == NULL)
    return cnc_cli_usage ("add-dataset", "--images is required");
  if (classes_text && classes_file)
    return cnc_cli_usage ("add-dataset", "give --classes or --classes-file, not both");
  if ((mean == NULL) != (std == NULL))
    return cnc_cli_usage ("add-dataset", "--mean and --std go together");

  cnc_preprocessing_init_default (&pre);
  pre.scale = NAN;
  if (resize)
    {
      guint64 h = 0, w = 0;
      g_auto(GStrv) hw = g_strsplit_set (resize, "x×X", -1);
      if (g_strv_length (hw) != 2 || !g_ascii_string_to_unsigned (hw[0], 10, 1, 65536, &h, NULL)
          || !g_ascii_string_to_unsigned (hw[1], 10, 1, 65536, &w, NULL))
        return cnc_cli_usage ("add-dataset", "--resize needs HEIGHTxWIDTH, like 32x32; got “%s”", resize);
      pre.height = (guint) h;
      pre.width = (guint) w;
      have_pre = TRUE;
    }
  if (channels != 0)
    {
      if (channels != 1 && channels != 3)
        return cnc_cli_usage ("add-dataset", "--channels must be 1 or 3");
      pre.channels = channels;
      have_pre = TRUE;
    }
  if (scale)
    {
      if (!parse_scale (scale, &pre.scale))
        return cnc_cli_usage ("add-dataset", "--scale needs a number other than 0, like 0.5 or 1/255; got “%s”",
                              scale);
      have_pre = TRUE;
    }
  if (mean)
    {
      guint n_mean = 0, n_std = 0;
      if (!parse_numbers (mean, pre.mean, &n_mean) || !parse_numbers (std, pre.std, &n_std) || n_mean != n_std)
        return cnc_cli_usage ("add-dataset", "--mean and --std need as many numbers (1 or 3), like 0.5,0.5,0.5");
      for (guint i = 0; i < n_std; i++)
        if (pre.std[i] == 0)
          return cnc_cli_usage ("add-dataset", "--std values must not be 0");
      pre.n_mean = n_mean;
      have_pre = TRUE;
    }
  if (classes_text)
    {
      classes = g_strsplit (classes_text, ",", -1);
      for (guint i = 0; classes[i]; i++)
        g_strstrip (classes[i]);
    }
  else if (classes_file && !(classes = read_classes_file (classes_file, &error)))
    return cnc_cli_fail (error);

  source.images = images;
  source.labels = labels;
  source.split = split;
  source.classes = (const char * const *) classes;
  source.pre = have_pre ? &pre : NULL;

  if (!(ws = cnc_cli_open_workspace (FALSE, &error))
      || !cnc_dataset_add (ws, name, &source, &error)
      || !(list = cnc_dataset_list (ws, &error)))
    return cnc_cli_fail (error);

  for (guint i = 0; i < list->len; i++)
    {
      CncDatasetInfo *info = list->pdata[i];
      guint c = 0, h = 0, w = 0;

      if (!g_str_equal (info->name, name))
        continue;
      if (!cnc_dataset_get_input_shape (ws, name, &c, &h, &w, &error))
        return cnc_cli_fail (error);
      for (guint s = 0; info->splits[s]; s++)
        if (g_str_equal (info->splits[s], split ? split : "test"))
          printf ("Added dataset %s, split %s: %" G_GINT64_FORMAT " images of %u×%u×%u, %u classes\n",
                  name, info->splits[s], info->split_sizes[s], c, h, w, g_strv_length (info->classes));
    }
  return CNC_EXIT_OK;
}
