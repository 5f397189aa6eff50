/* cnc-cac-json.h
 * The reference tool's models.json (Compress and Compare, IEEE TVCG 2025): import and export.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-workspace.h"

G_BEGIN_DECLS

#define CNC_CAC_JSON_ERROR (cnc_cac_json_error_quark ())
GQuark cnc_cac_json_error_quark (void);

/* Adds every model of @path with its lineage, operation and metric values, in one transaction.
 * Models may come before their base; several roots are fine. An operation used but not declared
 * is declared without parameter specs (as the reference tool reads such files), with a note.
 * Refuses the whole file (nothing changes) on a cycle, a missing base, a duplicate id, a
 * non-numeric metric, an undeclared metric, a member of the wrong type, nesting deeper than
 * CNC_JSON_MAX_DEPTH, or a name already in the workspace. */
gboolean  cnc_cac_json_import  (CncWorkspace *workspace,
                                const char   *path,
                                guint        *n_models_out,
                                GError      **error);
/* The same, adding to @notes (strings; may be NULL) what was read leniently. */
gboolean  cnc_cac_json_import_with_notes (CncWorkspace *workspace,
                                          const char   *path,
                                          guint        *n_models_out,
                                          GPtrArray    *notes,
                                          GError      **error);

/* The workspace as a models.json document (UTF-8, indented). */
char     *cnc_cac_json_export  (CncWorkspace *workspace,
                                GError      **error);

/* Whether higher values of a metric called @name are better, guessed from its name
 * (latency, size, loss, error, time ... are lower-is-better). */
gboolean  cnc_metric_name_higher_is_better (const char *name);

G_END_DECLS
