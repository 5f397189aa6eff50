/* cnc-dataset.h
 * Evaluation datasets: IDX (MNIST family), NumPy .npy arrays and image folders; preprocessing; an opened split.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNC_DATASET_ERROR (cnc_dataset_error_quark ())
GQuark cnc_dataset_error_quark (void);

typedef enum {
  CNC_DATASET_ERROR_NOT_FOUND,
  CNC_DATASET_ERROR_EXISTS,
  CNC_DATASET_ERROR_INVALID,     /* a file that is not what it claims: bad magic, truncated, ... */
  CNC_DATASET_ERROR_UNSUPPORTED, /* a dtype / layout we do not read (Fortran order, float64 ...) */
  CNC_DATASET_ERROR_IO,
} CncDatasetError;

/* The name of the dataset every workspace has: Fashion-MNIST from Debian's dataset-fashion-mnist. */
#define CNC_DATASET_BUILTIN "fashion-mnist"

/* What is done to every image before the model sees it, in this order: resize (bilinear) to
 * height × width, convert to @channels (1: luminance, 3: repeat grey), multiply by @scale,
 * then (x - mean[c]) / std[c]. The default is torchvision's ToTensor(): scale 1/255, no mean/std. */
typedef struct {
  guint  height, width;     /* 0: keep the stored size */
  guint  channels;          /* 0: keep */
  double scale;             /* 1/255 by default; NAN when adding: 1/255 for uint8 pixels, 1 for float32
                             * ones (as ToTensor). A scale of 1/k (k whole) is applied as x / k. */
  guint  n_mean;            /* 0, or the channel count: mean and std given */
  double mean[3];
  double std[3];
} CncPreprocessing;

void      cnc_preprocessing_init_default (CncPreprocessing *pre);
char     *cnc_preprocessing_to_json      (const CncPreprocessing *pre);
gboolean  cnc_preprocessing_from_json    (const char *json, CncPreprocessing *pre, GError **error);

/* An opened split, ready to read batches from (one thread at a time): cnc_dataset_open()
 * (registry/cnc-dataset-rows.h) opens a registered one. */
typedef struct _CncDataset CncDataset;

void          cnc_dataset_free        (CncDataset *dataset);
const char   *cnc_dataset_get_name    (CncDataset *dataset);
const char   *cnc_dataset_get_split   (CncDataset *dataset);
gint64        cnc_dataset_get_id      (CncDataset *dataset);    /* row in `datasets` (the builtin gets one on first open) */
gint64        cnc_dataset_get_size    (CncDataset *dataset);    /* instances */
guint         cnc_dataset_get_n_classes (CncDataset *dataset);
const char * const *cnc_dataset_get_classes (CncDataset *dataset);
/* The model's input shape per instance after preprocessing: channels × height × width. */
void          cnc_dataset_get_shape   (CncDataset *dataset, guint *channels, guint *height, guint *width);
const gint32 *cnc_dataset_get_labels  (CncDataset *dataset);    /* size entries, each in [0, n_classes) */

/* Fills @out (count × C × H × W float32, C-contiguous) with preprocessed instances start … start+count-1. */
gboolean      cnc_dataset_read_batch  (CncDataset *dataset,
                                       gint64      start,
                                       gint64      count,
                                       float      *out,
                                       GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncDataset, cnc_dataset_free)

G_END_DECLS
