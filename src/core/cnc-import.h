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

/* Metrics that every imported model gets from its weights and file. */
gboolean  cnc_import_record_weight_metrics (CncWorkspace *workspace,
                                            gint64        model,
                                            GPtrArray    *layers,
                                            gint64        file_size,
                                            GError      **error);

G_END_DECLS
