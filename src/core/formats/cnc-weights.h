/* cnc-weights.h
 * A model file's weights by name, as float32 arrays (quantized ones dequantized).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNC_WEIGHTS_ERROR (cnc_weights_error_quark ())

typedef enum {
  CNC_WEIGHTS_ERROR_NO_FILE,       /* a model recorded without a weights file (from a models.json) */
  CNC_WEIGHTS_ERROR_UNSUPPORTED,   /* a format this program cannot read weights from */
  CNC_WEIGHTS_ERROR_NO_READER,     /* TorchScript / state dict asked for without a libtorch reader */
} CncWeightsError;

GQuark cnc_weights_error_quark (void);

/* One named tensor. @data holds @numel values in C order, converted to float32; quantized tensors
 * are dequantized (scale · (q − zero point)). */
typedef struct {
  char     *name;        /* "features.0.weight" */
  char     *dtype;       /* the stored element type: "float32", "float16", "qint8", ... */
  gboolean  quantized;
  gint64   *shape;
  guint     n_dims;
  gint64    numel;
  float    *data;
} CncWeight;

/* Every floating-point (or quantized) tensor of a model file, in the file's order. Tensors of
 * other element types (int64 counters, bool masks) are not compared: they are listed in
 * @skipped as "name (dtype)", never dropped silently. */
typedef struct {
  char       *source;    /* the file or model the weights came from, for messages */
  GPtrArray  *weights;   /* CncWeight* */
  GPtrArray  *skipped;   /* char* */
  GHashTable *by_name;   /* name → CncWeight*, borrowed from @weights */
} CncWeights;

CncWeights      *cnc_weights_new      (const char   *source);
void             cnc_weights_free     (CncWeights   *weights);

/* Adds a tensor; takes ownership of @data (g_malloc'd, @numel floats). A second tensor of the
 * same name replaces nothing: it is refused (returns FALSE) and @data is freed. */
gboolean         cnc_weights_add      (CncWeights   *weights,
                                       const char   *name,
                                       const char   *dtype,
                                       gboolean      quantized,
                                       const gint64 *shape,
                                       guint         n_dims,
                                       float        *data);
/* Records a tensor that is not compared, with the reason shown to the user ("int64"). */
void             cnc_weights_skip     (CncWeights   *weights,
                                       const char   *name,
                                       const char   *why);
const CncWeight *cnc_weights_lookup   (const CncWeights *weights,
                                       const char   *name);
/* Σ numel over every tensor. */
gint64           cnc_weights_numel    (const CncWeights *weights);

/* Reads the TorchScript archives and torch.save state dicts: libtorch lives outside core, so the
 * caller passes it in (the torch shim's cnc_torch_read_weights). @format is "torchscript" or
 * "state-dict". */
typedef CncWeights *(*CncWeightsReader) (const char  *path,
                                         const char  *format,
                                         GError     **error);

/* The weights of the model file @path in @format ("torchscript", "state-dict", "safetensors").
 * Safetensors files are read here; the PyTorch formats through @torch_reader (may be NULL when
 * only safetensors are expected) after their zip archive is checked in full (CRCs). */
CncWeights      *cnc_weights_read_file  (const char        *path,
                                         const char        *format,
                                         CncWeightsReader   torch_reader,
                                         GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncWeights, cnc_weights_free)

G_END_DECLS
