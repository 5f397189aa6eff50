/* cnc-workspace.h
 * A workspace: one SQLite registry of models, lineage, operations, metrics and layers, plus a file store.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/cnc-records.h"
#include "core/formats/cnc-layer-stats.h"

G_BEGIN_DECLS

typedef enum {
  CNC_WORKSPACE_OPEN_DEFAULT   = 0,
  CNC_WORKSPACE_OPEN_CREATE    = 1 << 0,  /* make the folder and database when missing */
  CNC_WORKSPACE_OPEN_READ_ONLY = 1 << 1,
} CncWorkspaceOpenFlags;

/* The schema version this build writes (PRAGMA user_version). */
#define CNC_WORKSPACE_SCHEMA_VERSION 4

#define CNC_TYPE_WORKSPACE (cnc_workspace_get_type ())
G_DECLARE_FINAL_TYPE (CncWorkspace, cnc_workspace, CNC, WORKSPACE, GObject)

CncWorkspace *cnc_workspace_open         (const char            *dir,
                                          CncWorkspaceOpenFlags  flags,
                                          GError               **error);
const char   *cnc_workspace_get_path     (CncWorkspace *self);
char         *cnc_workspace_default_path (void);
gboolean      cnc_workspace_is_read_only (CncWorkspace *self);

/* One user action is one transaction: begin (waits briefly for other writers), then commit or rollback. */
gboolean      cnc_workspace_begin        (CncWorkspace *self, GError **error);
gboolean      cnc_workspace_commit       (CncWorkspace *self, GError **error);
void          cnc_workspace_rollback     (CncWorkspace *self);

/* Models (reads work outside a transaction; writes need one). */
GPtrArray    *cnc_workspace_list_models  (CncWorkspace *self, GError **error);   /* CncModel*, by id */
CncModel     *cnc_workspace_find_model   (CncWorkspace *self, const char *name, GError **error);
CncModel     *cnc_workspace_get_model_by_id (CncWorkspace *self, gint64 id, GError **error);
gboolean      cnc_workspace_insert_model (CncWorkspace *self, CncModel *model, GError **error); /* sets model->id */
gboolean      cnc_workspace_rename_model (CncWorkspace *self, const char *name, const char *new_name, GError **error);
gboolean      cnc_workspace_set_notes    (CncWorkspace *self, const char *name, const char *notes, GError **error);
gboolean      cnc_workspace_add_tags     (CncWorkspace *self, const char *name, const char * const *tags, GError **error);
gboolean      cnc_workspace_remove_tags  (CncWorkspace *self, const char *name, const char * const *tags, GError **error);
/* Removes a model (and, with @recursive, all its descendants); @removed gets their names. */
gboolean      cnc_workspace_remove_model (CncWorkspace *self, const char *name, gboolean recursive,
                                          GPtrArray *removed, GError **error);

/* Lineage. */
GArray       *cnc_workspace_list_edges   (CncWorkspace *self, GError **error);   /* CncEdge */
gboolean      cnc_workspace_add_edge     (CncWorkspace *self, gint64 child, gint64 parent,
                                          CncEdgeRole role, GError **error);

/* Operations and metrics. */
GPtrArray    *cnc_workspace_list_operations (CncWorkspace *self, GError **error); /* CncOperation* */
gboolean      cnc_workspace_define_operation (CncWorkspace *self, const CncOperation *op, GError **error);
GPtrArray    *cnc_workspace_list_metrics (CncWorkspace *self, GError **error);     /* CncMetric*, in order */
gboolean      cnc_workspace_define_metric (CncWorkspace *self, const CncMetric *metric, GError **error);
gboolean      cnc_workspace_set_metric_value (CncWorkspace *self, gint64 model, const char *metric,
                                              double value, GError **error);
GPtrArray    *cnc_workspace_list_metric_values (CncWorkspace *self, gint64 model, GError **error); /* model < 0: all */

/* Per-layer statistics. */
gboolean      cnc_workspace_set_layers   (CncWorkspace *self, gint64 model, GPtrArray *layers, GError **error);
GPtrArray    *cnc_workspace_list_layers  (CncWorkspace *self, gint64 model, GError **error);
/* The loss curve kept with a model made by training (JSON text, as cnc_loss_curve_to_json writes
 * it); get returns NULL without an error when the model has none. */
gboolean      cnc_workspace_set_loss_curve (CncWorkspace *self, gint64 model, const char *curve, GError **error);
char         *cnc_workspace_get_loss_curve (CncWorkspace *self, gint64 model, GError **error);

/* Counts of every table and of the store: tests compare them before and after a failed action. */
char         *cnc_workspace_fingerprint  (CncWorkspace *self, GError **error);

G_END_DECLS
