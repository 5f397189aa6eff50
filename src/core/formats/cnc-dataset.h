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

/* Showing instances (an instance browser's thumbnails): the images as the split stores them, before any
 * preprocessing (no resize, channel conversion, scale or mean/std). Both functions only read what the
 * split loaded when it was opened (the pixels stay in memory; no file is read again), so they may be
 * called on any thread, several calls at once and beside cnc_dataset_read_batch; never beside
 * cnc_dataset_free. */

/* Whether the instances are images that can be shown, i.e. their stored pixels have 1 or 3 channels.
 * TRUE for every split the readers open today: IDX images (N × rows × columns), .npy arrays N × H × W
 * and N × C × H × W with C 1 or 3, image folders. Other .npy shapes (feature vectors N × D, channels-last
 * N × H × W × C) are refused when the dataset is added, so no split holds them; FALSE is what a browser
 * would show as index and label only. */
gboolean      cnc_dataset_has_images  (CncDataset *dataset);

/* Instance @index's stored image as 8-bit pixels for display: row-major @height × @width × @channels,
 * channels interleaved, @channels 1 (grey) or 3 (RGB), the size as stored (each image its own in a
 * folder of mixed sizes). .npy N × C × H × W and folder images are stored as planes and come back
 * interleaved; an RGBA file's alpha was dropped when the folder was read.
 *
 * uint8 pixels are copied as stored. float32 pixels go through one linear map for the whole split, so
 * that thumbnails compare with each other: lo = 0 and hi = 1 when every finite value of the split is in
 * [0, 1] (ToTensor's range), else lo and hi are the split's smallest and largest finite values; each
 * value v becomes floor ((v − lo) × (255 / (hi − lo)) + 0.5), computed in double and clamped to 0 … 255
 * (every pixel 0 when hi = lo; NaN gives 0, +inf 255, −inf 0). The range is found on the first call for
 * a float32 split (one pass over its pixels, done once even when threads race).
 *
 * Allocates only the result (its pixels and the GBytes). Returns NULL with CNC_DATASET_ERROR_INVALID when @index is outside
 * 0 … size − 1, CNC_DATASET_ERROR_UNSUPPORTED when the split has no images; @width, @height and
 * @channels (each may be NULL) are then set to 0. */
GBytes       *cnc_dataset_read_display_image (CncDataset *dataset,
                                              gint64      index,
                                              guint      *width,
                                              guint      *height,
                                              guint      *channels,
                                              GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncDataset, cnc_dataset_free)

G_END_DECLS
