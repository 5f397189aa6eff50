/* cnc-import.h
 * Importing model files (TorchScript, state dicts, safetensors) into a workspace, as one action.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-workspace.h"

G_BEGIN_DECLS

typedef struct {
  const char         *name;         /* only with a single file; NULL: from the file's name */
  const char         *parent;       /* NULL: a root */
  CncEdgeRole         role;
  const char         *teacher;      /* NULL: none; else a second parent, with the teacher role */
  const char         *operation;    /* NULL: none */
  const char         *parameters;   /* JSON object text of the operation's parameters, or NULL */
  const char * const *tags;
  const char         *notes;
  gboolean            link;         /* keep the file where it is; record its path, size and hash */
} CncImportOptions;

/* The model name a file gets by default: its base name without a model extension. */
char     *cnc_import_default_name (const char *path);

/* Inspects every file first (formats, CRCs, layer statistics in a helper process), then adds them
 * all in one transaction: either every file is imported or nothing changes. @imported (optional)
 * receives the new models' names. */
gboolean  cnc_import_files        (CncWorkspace            *workspace,
                                   const char * const      *paths,
                                   const CncImportOptions  *options,
                                   GPtrArray               *imported,
                                   GCancellable            *cancellable,
                                   GError                 **error);

/* A file already inspected (its layer table, hash and size known), added as one model inside the
 * caller's transaction: stored (by content), registered with @options' parent, teacher,
 * operation and parameters, its layers and weight metrics recorded. @id receives the new model's
 * id. When the caller's transaction is rolled back afterwards, it must hand @stored_out to
 * cnc_store_take_back when @created_out is TRUE (a file the store did not hold before). */
gboolean  cnc_import_add_inspected (CncWorkspace            *workspace,
                                    const char              *path,
                                    const char              *format,
                                    const char              *sha256,
                                    gint64                   size,
                                    GPtrArray               *layers,
                                    const CncImportOptions  *options,
                                    gint64                  *id,
                                    char                   **stored_out,
                                    gboolean                *created_out,
                                    GError                 **error);

/* Metrics that every imported model gets from its weights and file. */
gboolean  cnc_import_record_weight_metrics (CncWorkspace *workspace,
                                            gint64        model,
                                            GPtrArray    *layers,
                                            gint64        file_size,
                                            GError      **error);

G_END_DECLS
