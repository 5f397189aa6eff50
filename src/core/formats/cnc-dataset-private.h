/* cnc-dataset-private.h
 * In-tree API of the dataset readers: images and labels as loaded, file sniffing, (gzip) streams, opened splits.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cnc-dataset.h"

G_BEGIN_DECLS

typedef enum {
  CNC_PIXELS_U8,
  CNC_PIXELS_F32,
} CncPixelType;

/* Images as loaded: @n instances, each @channels planes of height × width, C order, one after the
 * other. When every instance has the same size, @height and @width give it and @offsets is NULL;
 * otherwise (image folders) @sizes holds each one's height and width and @offsets (n + 1 entries)
 * where each starts, in elements. */
typedef struct {
  CncPixelType type;
  gint64       n;
  guint        channels, height, width;
  gpointer     data;
  gsize       *offsets;
  guint       *sizes;          /* n × 2: height, width */
} CncImages;

void      _cnc_images_clear    (CncImages *images);
gsize     _cnc_images_element_size (const CncImages *images);

typedef struct {
  gint64  n;
  gint32 *values;
} CncLabels;

void      _cnc_labels_clear    (CncLabels *labels);

typedef enum {
  CNC_FILE_IDX,
  CNC_FILE_NPY,
} CncFileFormat;

/* A split's files as loaded: images and labels, and for an image folder its class names. */
typedef struct {
  CncImages images;
  CncLabels labels;
  GStrv     folder_classes;
} CncSplitData;

void      _cnc_split_data_clear    (CncSplitData *data);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CncSplitData, _cnc_split_data_clear)

/* Reads images and labels (the same number of each); for folders, @classes gives the class order
 * (NULL: sorted names). Images of different sizes are refused unless @mixed_sizes. */
gboolean  _cnc_split_data_load     (const char         *images_path,
                                    const char         *labels_path,
                                    const char * const *classes,
                                    gboolean            mixed_sizes,
                                    CncSplitData       *data,
                                    GError            **error);
/* Every label in [0, n_classes); @where names the file in the message. */
gboolean  _cnc_labels_check        (const CncLabels *labels,
                                    guint            n_classes,
                                    const char      *where,
                                    GError         **error);
/* The model input shape after preprocessing. */
void      _cnc_dataset_output_shape (const CncImages        *images,
                                     const CncPreprocessing *pre,
                                     guint                  *c,
                                     guint                  *h,
                                     guint                  *w);

/* The registry's name of a file format: "idx", "npy". */
const char *_cnc_file_format_kind  (CncFileFormat format);

/* The checks every preprocessing passes (the channel count of mean/std is checked against the data). */
gboolean  _cnc_preprocessing_check (const CncPreprocessing *pre,
                                    GError                **error);
gboolean  _cnc_preprocessing_equal (const CncPreprocessing *a,
                                    const CncPreprocessing *b);

/* An opened split of the dataset @name (registry row @id, -1 when none) over the loaded @data
 * (taken: @data is left empty), with the arithmetic of @pre prepared. */
CncDataset *_cnc_dataset_new       (const char             *name,
                                    const char             *split,
                                    gint64                  id,
                                    const char * const     *classes,
                                    const CncPreprocessing *pre,
                                    CncSplitData           *data);

/* Opens @path for reading, through a gzip decompressor when it starts with the gzip magic. */
GInputStream *_cnc_dataset_open_stream (const char *path, GError **error);
/* Reads exactly @size bytes; a short read is a truncated file (@what says what was expected). */
/* Reads the @size bytes a header claims into a new buffer (g_free) that grows with what the file
 * really holds, so a short file claiming terabytes allocates nothing for them: NULL and "truncated"
 * when the file ends first. */
void     *_cnc_dataset_read_claimed (GInputStream *stream, gsize size, const char *path, const char *what,
                                     GError **error);
gboolean  _cnc_dataset_read_exact  (GInputStream *stream, void *buffer, gsize size,
                                    const char *path, const char *what, GError **error);
/* Fails when the stream holds more bytes. */
gboolean  _cnc_dataset_expect_end  (GInputStream *stream, const char *path, GError **error);
/* Whether @path (possibly gzip-compressed) is an IDX or a .npy file. */
gboolean  _cnc_dataset_sniff       (const char *path, CncFileFormat *format, GError **error);

/* cnc-dataset-idx.c: images N × rows × columns (uint8 or float32); labels N (integers). */
gboolean  _cnc_idx_read_images     (const char *path, CncImages *images, GError **error);
gboolean  _cnc_idx_read_labels     (const char *path, CncLabels *labels, GError **error);

/* cnc-dataset-npy.c: images N × H × W or N × C × H × W (uint8 or float32, C 1 or 3); labels N. */
gboolean  _cnc_npy_read_images     (const char *path, CncImages *images, GError **error);
gboolean  _cnc_npy_read_labels     (const char *path, CncLabels *labels, GError **error);

/* cnc-dataset-folder.c: one sub-folder per class. @classes (NULL: the sorted sub-folder names)
 * gives the class order; @class_names gets the list used. Images of different sizes are
 * refused unless @mixed_sizes. */
gboolean  _cnc_folder_read         (const char          *dir,
                                    const char * const  *classes,
                                    gboolean             mixed_sizes,
                                    CncImages           *images,
                                    CncLabels           *labels,
                                    GStrv               *class_names,
                                    GError             **error);

G_END_DECLS
