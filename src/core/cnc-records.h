/* cnc-records.h
 * The plain records every room shares: models, lineage edges, metrics, operations, metric values, predictions.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The registry's errors, also set by analyses of records read from it (a model that is not
 * there, a selection that is not valid, a lineage with a cycle). */
#define CNC_WORKSPACE_ERROR (cnc_workspace_error_quark ())

typedef enum {
  CNC_WORKSPACE_ERROR_NOT_FOUND,     /* no such workspace / model / metric */
  CNC_WORKSPACE_ERROR_EXISTS,        /* a model of that name exists */
  CNC_WORKSPACE_ERROR_BUSY,          /* another process is writing */
  CNC_WORKSPACE_ERROR_READ_ONLY,     /* the folder or database cannot be written */
  CNC_WORKSPACE_ERROR_INVALID,       /* bad input: cycle, bad name, ... */
  CNC_WORKSPACE_ERROR_HAS_CHILDREN,  /* removing a model others derive from */
  CNC_WORKSPACE_ERROR_CORRUPT,       /* the database is damaged or from a newer version */
  CNC_WORKSPACE_ERROR_IO,
} CncWorkspaceError;

GQuark cnc_workspace_error_quark (void);

typedef enum {
  CNC_EDGE_BASE,     /* the usual compression parent */
  CNC_EDGE_TEACHER,  /* a distillation teacher */
} CncEdgeRole;

const char *cnc_edge_role_name      (CncEdgeRole role);
gboolean    cnc_edge_role_from_name (const char *name, CncEdgeRole *role);

/* Plain records: what the registry holds. Strings owned by the record. */
typedef struct {
  gint64   id;
  char    *name;
  char    *label;          /* display label (the reference tool's "tag"), may be NULL */
  char    *notes;
  GStrv    tags;           /* sorted */
  gint64   created;        /* unix seconds */
  char    *format;         /* "torchscript", "state-dict", "safetensors", "record" */
  char    *sha256;         /* NULL for records without a file */
  gint64   size;
  char    *file;           /* store-relative path, or an absolute path when linked */
  gboolean linked;
  char    *operation;      /* NULL for a root imported as is */
  char    *parameters;     /* JSON object text, "{}" when none */
} CncModel;

typedef struct {
  gint64      child;
  gint64      parent;
  CncEdgeRole role;
} CncEdge;

typedef struct {
  char    *name;
  char    *unit;             /* may be NULL */
  char    *format;           /* a d3-format string as in models.json, may be NULL */
  double   min, max;         /* NAN when unbounded */
  gboolean higher_is_better;
  gboolean primary;
} CncMetric;

typedef struct {
  char *name;
  char *parameters;          /* JSON: a list of names, or an object name -> spec */
} CncOperation;

typedef struct {
  gint64 model;
  char  *metric;
  double value;              /* NAN for null */
} CncMetricValue;

CncModel     *cnc_model_new            (void);
void          cnc_model_free           (CncModel *model);
void          cnc_metric_free          (CncMetric *metric);
void          cnc_operation_free       (CncOperation *operation);
void          cnc_metric_value_free    (CncMetricValue *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncModel, cnc_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncMetric, cnc_metric_free)

/* One evaluation (model × dataset split) and its per-instance arrays, each NULL when not loaded
 * (see cnc_predictions_load). */
typedef struct {
  gint64   evaluation;
  gint64   model;
  gint64   dataset;
  char    *split;
  gint64   n;          /* instances */
  guint    k;          /* classes */
  gint64   nonfinite;  /* instances whose outputs had NaN or Inf */
  char    *device;
  guint    threads, batch;
  char    *variant;    /* the computation that made the predictions ("as saved", …); NULL: not recorded */
  gint16  *labels;
  gint16  *predicted;
  gint16  *top5;
  float   *p_true;
  float   *p_max;
  guint16 *logits;
} CncPredictions;

void            cnc_predictions_free   (CncPredictions *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncPredictions, cnc_predictions_free)

G_END_DECLS
