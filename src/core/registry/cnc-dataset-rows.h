/* cnc-dataset-rows.h
 * Datasets in the registry: listing, adding a split (its files checked first), opening a split by name.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/formats/cnc-dataset.h"
#include "core/registry/cnc-workspace.h"

G_BEGIN_DECLS

/* A registered dataset and its splits (for listings). */
typedef struct {
  char  *name;
  char  *kind;                 /* idx, npy, folder, builtin */
  GStrv  classes;
  GStrv  splits;
  gint64 *split_sizes;         /* one per split */
  CncPreprocessing pre;
} CncDatasetInfo;

void       cnc_dataset_info_free (CncDatasetInfo *info);
GPtrArray *cnc_dataset_list      (CncWorkspace *workspace, GError **error);   /* CncDatasetInfo*, builtin first */
/* The model input shape (channels × height × width after preprocessing) of a dataset's splits
 * (every split of a dataset has the same). */
gboolean   cnc_dataset_get_input_shape (CncWorkspace *workspace, const char *name,
                                        guint *channels, guint *height, guint *width, GError **error);

typedef struct {
  const char *images;          /* a file (idx / npy, optionally .gz) or a folder of class folders */
  const char *labels;          /* a file (idx / npy); NULL for folders */
  const char *split;           /* "test" by default */
  const char * const *classes; /* NULL: "0", "1", … (idx, npy) or the folder names (folder) */
  const CncPreprocessing *pre; /* NULL: the default */
} CncDatasetSource;

/* Validates the files completely (magic, dimensions, lengths, dtypes, readable images) and records
 * the split; adds the dataset when it is new. One transaction; nothing on failure. */
gboolean   cnc_dataset_add       (CncWorkspace *workspace,
                                  const char   *name,
                                  const CncDatasetSource *source,
                                  GError      **error);

/* Opens split @split (NULL: "test") of the dataset named @name, reading its files again and
 * checking that they have not changed since they were added. */
CncDataset   *cnc_dataset_open        (CncWorkspace *workspace,
                                       const char   *name,
                                       const char   *split,
                                       GError      **error);
/* The row id of the dataset named @name: TRUE with *@id = -1 when there is none (the built-in
 * one has a row only once it has been opened). */
gboolean      cnc_dataset_lookup      (CncWorkspace *workspace,
                                       const char   *name,
                                       gint64       *id,
                                       GError      **error);

G_END_DECLS
