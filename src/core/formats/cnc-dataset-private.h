/* cnc-dataset-private.h
 * In-tree API of the dataset readers: images and labels as loaded, file sniffing, (gzip) streams.
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

/* Opens @path for reading, through a gzip decompressor when it starts with the gzip magic. */
GInputStream *_cnc_dataset_open_stream (const char *path, GError **error);
/* Reads exactly @size bytes; a short read is a truncated file (@what says what was expected). */
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
