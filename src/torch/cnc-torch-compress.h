/* cnc-torch-compress.h
 * Compression operations on TorchScript files (pruning, quantization, BatchNorm recalibration, training).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every operation reads a TorchScript file and writes a new one (through a temporary name in the
 * same folder, renamed at the end: on any failure, cancellation included, @out_path is left as it
 * was). They work on any TorchScript model, scripted or traced, by parameter name and module type.
 * They block: call them from a worker thread. Long ones report progress through @progress (may be
 * NULL; called on the calling thread, as often as every batch) and stop between batches when
 * @cancellable is cancelled (G_IO_ERROR_CANCELLED). Errors are CNC_TORCH_ERROR or G_IO_ERROR
 * with a message naming the file and the problem.
 *
 * Targets: unless said otherwise, an operation changes the "weights" of convolution and linear
 * layers: the parameter named `weight`, of two dimensions or more, of a module whose type is
 * Conv1d/2d/3d, ConvTranspose1d/2d/3d, Linear or NonDynamicallyQuantizableLinear (type names are
 * compared without their mangling, so `__torch__.___torch_mangle_3.Conv2d` is a Conv2d). Biases
 * and normalization layers are left alone. A @pattern (a GRegex, searched in the full parameter
 * name, e.g. "^features\\.") restricts the targets further. Parameters are matched by name, never
 * by position. */

/* Progress: @fraction in [0, 1]; @message a short sentence ("Epoch 2 of 3, batch 120 of 469, loss 0.412"). */
typedef void     (*CncProgressFunc) (gpointer    user_data,
                                     double      fraction,
                                     const char *message);

/* Fills @images (count × channels × height × width float32, C order, preprocessed as the model
 * expects) and @labels (count class indices in [0, n_classes)) with instances start … start+count-1. */
typedef gboolean (*CncBatchFunc)    (gpointer    user_data,
                                     gint64      start,
                                     gint64      count,
                                     float      *images,
                                     gint32     *labels,
                                     GError    **error);

/* Where training data comes from. The operations read the instances they need through @func, in
 * contiguous ranges of at most a few thousand, before the first batch (the whole set when
 * shuffling: n × C × H × W × 4 bytes of memory). */
typedef struct {
  CncBatchFunc func;
  gpointer     user_data;
  gint64       n;            /* instances */
  guint        channels;
  guint        height;
  guint        width;
  guint        n_classes;
} CncBatchSource;

/* ---- Pruning ---- */

typedef enum {
  CNC_PRUNE_GLOBAL,          /* one threshold over all the targeted weights together */
  CNC_PRUNE_PER_LAYER,       /* the same fraction in every targeted weight */
} CncPruneScope;

typedef struct {
  double        amount;      /* in [0, 1): the fraction of weights (or of channels) set to zero */
  CncPruneScope scope;       /* magnitude pruning only; channel pruning is always per layer */
  const char   *pattern;     /* NULL: every target; else a GRegex searched in the parameter name */
} CncPruneOptions;

/* Unstructured magnitude pruning: the round(amount × n) weights of smallest |w| become exactly 0,
 * n being the targeted weights (global) or each targeted parameter's size (per layer). round()
 * rounds half to even, like Python's. Ties are broken by position: parameters in name order, then
 * flat index, the first ones pruned first. Weights that are already zero are among the smallest:
 * a model pruned beyond @amount stays as it is. */
gboolean   cnc_torch_prune_magnitude  (const char             *in_path,
                                       const char             *out_path,
                                       const CncPruneOptions  *options,
                                       GCancellable           *cancellable,
                                       GError                **error);

/* Structured (L1-norm) pruning: in each targeted convolution / linear weight, the round(amount ×
 * out_channels) output channels (dimension 0) of smallest Σ|w| are set to zero whole, with their
 * bias entries, and, when the next module (in module order) is a BatchNorm of as many channels,
 * its weight and bias for those channels: each pruned channel then outputs exactly 0. Ties go to
 * the lower channel index. Left out: the output layer (the last convolution / linear layer in
 * module order, whose channels are the classes) and ConvTranspose layers (their output channels
 * are not dimension 0). Channels stay in the file (zeroed, not removed). */
gboolean   cnc_torch_prune_channels   (const char             *in_path,
                                       const char             *out_path,
                                       const CncPruneOptions  *options,
                                       GCancellable           *cancellable,
                                       GError                **error);

/* ---- Quantization ---- */

typedef struct {
  guint       bits;          /* 2 … 8 (8: int8, 4: int4) */
  const char *pattern;       /* NULL: every target; else a GRegex searched in the parameter name */
} CncQuantizeOptions;

/* Per-channel symmetric quantization of the targeted weights, stored dequantized in float32 so
 * that the model runs anywhere: for each output channel c (dimension 0),
 * scale = max|w_c| / (2^(bits-1) - 1), q = clamp(round_half_even(w / scale), -2^(bits-1),
 * 2^(bits-1) - 1), w' = q × scale, computed in float32 (a channel of zeros stays zeros). Each
 * channel then holds at most 2^bits distinct values.
 * @out_bits (optional): a new hash table, parameter name (char*) → GUINT_TO_POINTER (bits),
 * with one entry per quantized parameter; the other parameters keep their own width. */
gboolean   cnc_torch_quantize_weights (const char                *in_path,
                                       const char                *out_path,
                                       const CncQuantizeOptions  *options,
                                       GHashTable               **out_bits,
                                       GCancellable              *cancellable,
                                       GError                   **error);

/* libtorch's own dynamic int8 quantization of linear layers (its TorchScript quantization passes,
 * as torch.ao.quantization.quantize_dynamic_jit does with the default dynamic qconfig: weights
 * int8 per-tensor symmetric, activations quantized at run time). Convolutions stay float. The
 * result runs with the qnnpack or onednn engine (whichever cnc_torch_quantized_engine() chose);
 * the int8 weights live in packed-params attributes of the root module, named
 * "quantized_forward._jit_pass_packed_weight_N", not in parameters. Fails when the build has no
 * quantized engine, or when the model has no linear layer. */
gboolean   cnc_torch_quantize_dynamic (const char     *in_path,
                                       const char     *out_path,
                                       GCancellable   *cancellable,
                                       GError        **error);

/* ---- BatchNorm recalibration ---- */

typedef struct {
  guint    batches;          /* K: batches to average over (capped at what the data holds) */
  guint    batch_size;
  gboolean shuffle;          /* FALSE: instances 0 … K×batch_size-1 in order; TRUE: the first
                              * K×batch_size of torch.randperm(n, generator seeded with @seed) */
  guint64  seed;
  guint    threads;          /* intra-op threads for the calling thread; 0: leave as they are */
} CncRecalibrateOptions;

/* 100 batches of 128, in order, 2 threads. */
void       cnc_recalibrate_options_init (CncRecalibrateOptions *options);

/* Re-estimates the running mean and variance of every BatchNorm (every module with
 * `running_mean` and `running_var` buffers), as PyTorch does after reset_running_stats() with
 * momentum=None: forward passes in training mode without gradients over K batches, each
 * statistic the cumulative average of the K batch statistics (variance unbiased);
 * num_batches_tracked ends at K. Fails when the model has no BatchNorm, or when its BatchNorm
 * layers do not update in training mode (a model traced in eval mode). */
gboolean   cnc_torch_recalibrate_bn   (const char                  *in_path,
                                       const char                  *out_path,
                                       const CncBatchSource        *data,
                                       const CncRecalibrateOptions *options,
                                       CncProgressFunc              progress,
                                       gpointer                     progress_data,
                                       GCancellable                *cancellable,
                                       GError                     **error);

/* ---- Training, fine-tuning, distillation (cnc-torch-train.cpp) ---- */

typedef enum {
  CNC_OPTIMIZER_ADAM,
  CNC_OPTIMIZER_SGD,
} CncOptimizer;

typedef struct {
  guint        epochs;
  CncOptimizer optimizer;
  double       learning_rate;
  double       lr_decay;      /* the learning rate is multiplied by this after each epoch (1: constant) */
  double       momentum;      /* SGD only */
  double       weight_decay;
  guint        batch_size;    /* the last, smaller batch of an epoch is kept */
  gboolean     shuffle;       /* each epoch in the order of torch.randperm (generator seeded with
                               * @seed, drawn once per epoch); FALSE: in order */
  guint64      seed;
  gboolean     keep_zeros;    /* fine-tuning: every trainable parameter entry that is exactly 0 at
                               * the start stays exactly 0 (off to train a new model: BatchNorm
                               * biases start at 0) */
  guint        log_every;     /* one loss point per this many batches (0: 50) */
  guint        threads;       /* intra-op threads for the calling thread; 0: leave as they are */
  guint        max_batches;   /* stop each epoch after this many batches (0: the whole data) */
} CncTrainOptions;

/* 1 epoch, Adam, learning rate 1e-3 (no decay), batch 128, shuffled, seed 0, keep zeros, a loss
 * point every 50 batches, 2 threads. */
void       cnc_train_options_init   (CncTrainOptions *options);

typedef struct {
  GArray *epoch_loss;        /* double: the mean training loss of each epoch */
  GArray *step_loss;         /* double: the mean loss of each run of log_every batches (the
                              * last point may average fewer) */
  guint   log_every;
  guint   batches;           /* batches run in all */
  double  seconds;           /* wall time of the training loop (data reading excluded) */
} CncLossCurve;

void       cnc_loss_curve_free      (CncLossCurve *curve);
/* {"epoch_loss": [...], "step_loss": [...], "log_every": N, "batches": N, "seconds": S}, to keep with a model. */
char      *cnc_loss_curve_to_json   (const CncLossCurve *curve);

/* Trains the model of @in_path on @data with cross-entropy and writes it to @out_path in eval
 * mode. Fine-tuning a pruned model is this with keep_zeros (sparsity is kept exactly: the
 * gradients of those weights are zeroed before every step and the weights reset to 0 after).
 * Parameters with requires_grad off stay as they are. Returns the loss curve. */
CncLossCurve *cnc_torch_train       (const char             *in_path,
                                     const char             *out_path,
                                     const CncBatchSource   *data,
                                     const CncTrainOptions  *options,
                                     CncProgressFunc         progress,
                                     gpointer                progress_data,
                                     GCancellable           *cancellable,
                                     GError                **error);

typedef struct {
  double alpha;              /* weight of the distillation term, in [0, 1] */
  double temperature;        /* T > 0 */
} CncDistillOptions;

/* Knowledge distillation: trains the student of @student_path with
 * loss = alpha × T² × KL(softmax(teacher / T) ‖ softmax(student / T)) + (1 − alpha) × CE(student, y)
 * (KL summed over classes, averaged over the batch, as F.kl_div(..., reduction="batchmean")),
 * the teacher in eval mode without gradients. Both must give n_classes logits. */
CncLossCurve *cnc_torch_distill     (const char              *teacher_path,
                                     const char              *student_path,
                                     const char              *out_path,
                                     const CncBatchSource    *data,
                                     const CncTrainOptions   *options,
                                     const CncDistillOptions *distill,
                                     CncProgressFunc          progress,
                                     gpointer                 progress_data,
                                     GCancellable            *cancellable,
                                     GError                 **error);

typedef enum {
  CNC_CNN_BASE,     /* conv 3×3 (C→16) BN ReLU maxpool 2, conv 3×3 (16→32) BN ReLU maxpool 2,
                     * linear (32·h·w → 128) ReLU, linear (128 → classes): 108,714 parameters at
                     * 1×28×28 and 10 classes */
  CNC_CNN_STUDENT,  /* the same with 8 and 16 channels and 32 hidden units: 14,458 parameters */
} CncCnnSize;

/* Writes a new, untrained small CNN for channels × height × width inputs (at least 10 × 10) and
 * n_classes outputs, built in libtorch (no Python), with PyTorch's module layout and names
 * (features.0.weight, features.1.running_mean, …, classifier.3.bias) and PyTorch's default
 * initialization drawn from a generator seeded with @seed (deterministic). Train it with
 * cnc_torch_train (keep_zeros off). */
gboolean   cnc_torch_build_cnn      (const char  *out_path,
                                     CncCnnSize   size,
                                     guint        channels,
                                     guint        height,
                                     guint        width,
                                     guint        n_classes,
                                     guint64      seed,
                                     GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncLossCurve, cnc_loss_curve_free)

G_END_DECLS
