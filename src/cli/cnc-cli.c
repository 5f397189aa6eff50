/* cnc-cli.c
 * The headless command line: the command table, shared options, errors and exit codes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cnc-config.h"
#include "app/cnc-application.h"

static char *workspace_option;

static const CncCliCommand commands[] = {
  { "init", "[DIR]", "Create a workspace (default: --workspace, $CNC_WORKSPACE or the default one)", cnc_cli_init },
  { "import", "FILE…", "Import model files (TorchScript, torch.save state dict, safetensors)", cnc_cli_import },
  { "import-json", "FILE", "Import the reference tool's models.json (models, lineage, metrics)", cnc_cli_import_json },
  { "export-json", "", "Write the workspace as a models.json", cnc_cli_export_json },
  { "list", "", "The lineage as a tree with the primary metrics", cnc_cli_list },
  { "show", "MODEL", "A model's details and its layer table", cnc_cli_show },
  { "tag", "MODEL TAG…", "Add tags to a model (--remove to take them off)", cnc_cli_tag },
  { "note", "MODEL TEXT", "Set a model's notes", cnc_cli_note },
  { "rename", "MODEL NEW-NAME", "Rename a model", cnc_cli_rename },
  { "remove", "MODEL", "Remove a model (--recursive: with everything derived from it)", cnc_cli_remove },
  { "compare", "BASE MODEL…", "How models' predictions differ from a base model's (--json)", cnc_cli_compare },
  { "instances", "BASE MODEL", "Instances of a comparison by cell, flip or class, sorted by a change score", cnc_cli_instances },
  { "differs", "MODEL…", "The experiment variables that tell 2–16 models apart", cnc_cli_differs },
  { "pareto", "--x M --y M", "The Pareto front of the models over two metrics", cnc_cli_pareto },
  { "datasets", "", "The evaluation datasets (built-in Fashion-MNIST first), their splits and preprocessing", cnc_cli_datasets },
  { "add-dataset", "NAME", "Add a dataset split: IDX, .npy (+ --labels) or a folder of class folders", cnc_cli_add_dataset },
  { "evaluate", "MODEL…|--all", "Evaluate models on a dataset split: every prediction, accuracy, latency, sizes", cnc_cli_evaluate },
  { "jobs", "", "The workspace's jobs (evaluations, operations) and their states (--json)", cnc_cli_jobs },
  { "devices", "", "The devices libtorch can evaluate on (CPU, CUDA) (--json)", cnc_cli_devices },
  { "prune", "MODEL --amount F", "Prune a model's weights (magnitude, or --channels) into a new, evaluated model", cnc_cli_prune },
  { "quantize", "MODEL", "Quantize a model's weights (int8, int4 per channel; --dynamic int8)", cnc_cli_quantize },
  { "fine-tune", "MODEL", "Train a model further, keeping pruned weights at zero", cnc_cli_fine_tune },
  { "recalibrate", "MODEL", "Re-estimate a model's BatchNorm statistics on training data", cnc_cli_recalibrate },
  { "distill", "STUDENT --teacher M", "Knowledge distillation into a student model", cnc_cli_distill },
  { "train", "--name NAME", "Train a small CNN from scratch on a dataset (a new root model)", cnc_cli_train },
  { "demo", "[DIR]", "Build the demo workspace: a trained CNN and 18 compressed variants, evaluated", cnc_cli_demo },
  { "layers", "BASE MODEL…", "How models' weights differ from a base model's, per layer and module (--json)", cnc_cli_layers },
  { "cka", "BASE MODEL", "Linear CKA of two models' layer outputs on a dataset sample (--json)", cnc_cli_cka },
};

static void
print_help (FILE *out)
{
  fprintf (out,
           "Usage: compress-compare [COMMAND] [OPTIONS…]\n\n"
           "Track, compare and compress neural-network models.\n"
           "Without a command: opens the window on the workspace (lists it when there is no display).\n\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *head = g_strdup_printf ("%s %s", commands[i].name, commands[i].arguments);
      g_autofree char *padded = cnc_cli_pad (head, 28);
      fprintf (out, "  %s %s\n", padded, commands[i].summary);
    }
  fprintf (out,
           "\nEvery command takes --workspace DIR (or $CNC_WORKSPACE); the default workspace is\n"
           "%s.\n"
           "Run `compress-compare COMMAND --help` for a command's options.\n"
           "Exit status: 0 success, 1 error (one line on stderr), 2 usage error.\n",
           cnc_cli_workspace_dir ());
}

const char *
cnc_cli_workspace_dir (void)
{
  static char *default_dir;

  if (workspace_option)
    return workspace_option;
  if (g_getenv ("CNC_WORKSPACE") && *g_getenv ("CNC_WORKSPACE"))
    return g_getenv ("CNC_WORKSPACE");
  if (default_dir == NULL)
    default_dir = cnc_workspace_default_path ();
  return default_dir;
}

CncWorkspace *
cnc_cli_open_workspace (gboolean create,
                        GError **error)
{
  return cnc_workspace_open (cnc_cli_workspace_dir (),
                             create ? CNC_WORKSPACE_OPEN_CREATE : CNC_WORKSPACE_OPEN_DEFAULT, error);
}

int
cnc_cli_fail (const GError *error)
{
  g_autofree char *one_line = g_strdup (error->message);

  g_strdelimit (one_line, "\n", ' ');
  fprintf (stderr, "compress-compare: %s\n", one_line);
  return CNC_EXIT_ERROR;
}

int
cnc_cli_usage (const char *command,
               const char *format,
               ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "compress-compare %s: %s (see `compress-compare %s --help`)\n",
           command, msg, command);
  return CNC_EXIT_USAGE;
}

gboolean
cnc_cli_parse (const char   *command,
               const char   *arguments,
               const char   *summary,
               GOptionEntry *entries,
               int          *argc,
               char       ***argv)
{
  GOptionEntry common[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_option,
      "The workspace folder (default: $CNC_WORKSPACE, else the default workspace)", "DIR" },
    { NULL }
  };
  g_autofree char *title = g_strdup_printf ("%s %s", command, arguments);
  g_autoptr(GOptionContext) context = g_option_context_new (title);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, common, NULL);
  if (entries)
    g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cnc_cli_usage (command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

void
cnc_cli_print_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}

/* No command: the main job, the window on the workspace; without a display, its listing. */
static int
run_main_job (char *argv0)
{
  char *list_argv[] = { argv0, NULL };

  if (cnc_application_can_run ())
    return cnc_application_run_gui (cnc_cli_workspace_dir ());
  fprintf (stderr, "compress-compare: no display to open the window on; listing the workspace instead\n");
  /* The default workspace starts as the demo, here as in the window. */
  if (workspace_option == NULL && !(g_getenv ("CNC_WORKSPACE") && *g_getenv ("CNC_WORKSPACE")))
    {
      g_autofree char *registry = g_build_filename (cnc_cli_workspace_dir (), "registry.sqlite", NULL);

      if (!g_file_test (registry, G_FILE_TEST_EXISTS))
        {
          gboolean quick = g_strcmp0 (g_getenv ("CNC_DEMO_QUICK"), "1") == 0;
          char *demo_argv[] = { (char *) "demo", quick ? (char *) "--quick" : NULL, NULL };
          int status = cnc_cli_demo (quick ? 2 : 1, demo_argv);

          if (status != CNC_EXIT_OK)
            return status;
        }
    }
  return cnc_cli_list (1, list_argv);
}

int
cnc_cli_main (int    argc,
              char **argv)
{
  if (argc < 2)
    return run_main_job (argv[0]);
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_help (stdout);
      return CNC_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("compress-compare %s\n", CNC_VERSION);
      return CNC_EXIT_OK;
    }
  /* --workspace DIR may also come before the command. */
  while (argc >= 2 && argv[1][0] == '-')
    {
      if ((g_str_equal (argv[1], "-w") || g_str_equal (argv[1], "--workspace")) && argc >= 3)
        {
          workspace_option = g_strdup (argv[2]);
          argv[2] = argv[0];
          argc -= 2;
          argv += 2;
        }
      else if (g_str_has_prefix (argv[1], "--workspace="))
        {
          workspace_option = g_strdup (argv[1] + strlen ("--workspace="));
          argv[1] = argv[0];
          argc -= 1;
          argv += 1;
        }
      else
        return cnc_cli_list (argc, argv);  /* other options: the main job's */
    }
  if (argc < 2)
    return run_main_job (argv[0]);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, "compress-compare: unknown command “%s”\n\n", argv[1]);
  print_help (stderr);
  return CNC_EXIT_USAGE;
}
