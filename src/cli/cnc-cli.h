/* cnc-cli.h
 * The headless command line: command table, shared options, workspace opening, errors and exit codes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "core/registry/cnc-workspace.h"
#include "engine/cnc-worker.h"

G_BEGIN_DECLS

/* Exit codes: 0 success, 1 a user error (one line on stderr), 2 a usage error. */
#define CNC_EXIT_OK 0
#define CNC_EXIT_ERROR 1
#define CNC_EXIT_USAGE 2

typedef struct {
  const char *name;
  const char *arguments;
  const char *summary;
  int       (*run) (int argc, char **argv);
} CncCliCommand;

int            cnc_cli_main            (int argc, char **argv);

/* Parses @argv with @entries plus --workspace; on a usage error prints it and returns FALSE. */
gboolean       cnc_cli_parse           (const char   *command,
                                        const char   *arguments,
                                        const char   *summary,
                                        GOptionEntry *entries,
                                        int          *argc,
                                        char       ***argv);

/* The workspace named by --workspace, else $CNC_WORKSPACE, else the default one. */
CncWorkspace  *cnc_cli_open_workspace  (gboolean      create,
                                        GError      **error);
const char    *cnc_cli_workspace_dir   (void);

int            cnc_cli_fail            (const GError *error);
int            cnc_cli_usage           (const char   *command,
                                        const char   *format,
                                        ...) G_GNUC_PRINTF (2, 3);
void           cnc_cli_print_json      (JsonNode     *root);

/* Watching jobs (cnc-cli-watch.c): a progress bar on stderr while each runs, its summary on
 * stdout (prefixed with @name when given) or its error on stderr when it ends; Ctrl+C cancels
 * them all, a second one stops at once. */
typedef struct _CncCliWatch CncCliWatch;

CncCliWatch   *cnc_cli_watch_new       (CncWorker    *worker);
void           cnc_cli_watch_add       (CncCliWatch  *watch,
                                        CncJob       *job,
                                        const char   *name);
/* @text padded with spaces to @width characters (not bytes: "→" is one). */
char          *cnc_cli_pad             (const char   *text,
                                        guint         width);
/* "42s", "3m05s", "1h02m"; "?" when negative. */
char          *cnc_cli_format_duration (double        seconds);
/* Waits for every job; TRUE when all of them are done. */
gboolean       cnc_cli_watch_wait      (CncCliWatch  *watch);
void           cnc_cli_watch_free      (CncCliWatch  *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncCliWatch, cnc_cli_watch_free)

/* Commands (cnc-cli-models.c). */
int cnc_cli_init        (int argc, char **argv);
int cnc_cli_import      (int argc, char **argv);
int cnc_cli_import_json (int argc, char **argv);
int cnc_cli_export_json (int argc, char **argv);
int cnc_cli_list        (int argc, char **argv);
int cnc_cli_show        (int argc, char **argv);
int cnc_cli_tag         (int argc, char **argv);
int cnc_cli_note        (int argc, char **argv);
int cnc_cli_rename      (int argc, char **argv);
int cnc_cli_remove      (int argc, char **argv);

/* Comparison commands (cnc-cli-compare.c). */
int cnc_cli_compare     (int argc, char **argv);
int cnc_cli_instances   (int argc, char **argv);
int cnc_cli_differs     (int argc, char **argv);
int cnc_cli_pareto      (int argc, char **argv);

/* Engine commands (cnc-cli-engine.c). */
int cnc_cli_evaluate    (int argc, char **argv);
int cnc_cli_jobs        (int argc, char **argv);
int cnc_cli_devices     (int argc, char **argv);

/* Compression commands (cnc-cli-operations.c). */
int cnc_cli_prune       (int argc, char **argv);
int cnc_cli_quantize    (int argc, char **argv);
int cnc_cli_fine_tune   (int argc, char **argv);
int cnc_cli_recalibrate (int argc, char **argv);
int cnc_cli_distill     (int argc, char **argv);
int cnc_cli_train       (int argc, char **argv);
int cnc_cli_demo        (int argc, char **argv);

/* Layer commands (cnc-cli-layers.c). */
int cnc_cli_layers      (int argc, char **argv);
int cnc_cli_cka         (int argc, char **argv);
/* Prints @model's evaluations (dataset split, top-1, top-5, device, per-class accuracy); for show. */
void cnc_cli_show_evaluations (CncWorkspace *ws, const CncModel *model);

/* Dataset commands (cnc-cli-datasets.c). */
int cnc_cli_datasets    (int argc, char **argv);
int cnc_cli_add_dataset (int argc, char **argv);

/* JSON documents of `list --json` and `show --json` (cnc-cli-json.c). */
JsonNode      *cnc_cli_json_list       (CncWorkspace *workspace, GError **error);
JsonNode      *cnc_cli_json_show       (CncWorkspace *workspace, const char *name, GError **error);

G_END_DECLS
