/* cnc-test-util.h
 * Shared test helpers: temporary workspaces, running python3-torch scripts, JSON equivalence.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

/* A fresh temporary folder (removed by cnc_test_rmtree). */
char      *cnc_test_tmpdir         (const char *prefix);
void       cnc_test_rmtree         (const char *path);

/* The reference-tool fixtures folder (tests/fixtures/cac-json, CNC_FIXTURES_DIR). */
char      *cnc_test_cac_fixture    (const char *name);

/* Runs /usr/bin/python3 (CNC_PYTHON) on tests/SCRIPT with @args; skips the test when python3-torch
 * is missing; fails the test when the script fails. */
gboolean   cnc_test_run_python     (const char *script, const char * const *args);

/* Runs the CLI; returns its exit status and fills @out / @err (optional). */
int        cnc_test_run_cli        (const char * const *args, char **out, char **err);

/* Parses JSON text or fails the test. */
JsonNode  *cnc_test_parse_json     (const char *text);

/* Whether two JSON values mean the same: numbers compared as doubles (16 == 16.0),
 * objects by members whatever their order. On a difference, @where says where. */
gboolean   cnc_test_json_equivalent (JsonNode *a, JsonNode *b, GString *where);

/* Writes @text into @dir/@name and returns the path. */
char      *cnc_test_write_file     (const char *dir, const char *name, const char *text);

G_END_DECLS
