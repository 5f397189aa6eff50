/* cnc-torch-ops.cpp
 * Pruning, weight quantization and BatchNorm recalibration of TorchScript files; helpers shared with training.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-ops.h"
#include "cnc-torch-eval.h"
#include "cnc-torch-private.h"

#include <torch/script.h>
#include <torch/csrc/jit/passes/quantization/finalize.h>
#include <torch/csrc/jit/passes/quantization/insert_observers.h>
#include <torch/csrc/jit/passes/quantization/insert_quant_dequant.h>
#include <ATen/CPUGeneratorImpl.h>

#include <errno.h>
#include <float.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <unordered_set>
#include <vector>

/* Instances read per call of the batch source. */
#define READ_CHUNK 4096

/* ---- Helpers shared with cnc-torch-train.cpp ---- */

std::string
_cnc_torch_ops_type_name (const torch::jit::Module &module)
{
  /* name() is the last atom: "Conv2d" for "__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d". */
  const auto &qualified = module.type ()->name ();
  return qualified ? qualified->name () : std::string ();
}

gboolean
_cnc_torch_ops_load (const char          *path,
                     torch::jit::Module  &module,
                     GError             **error) noexcept
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO, "%s: cannot open the model: %s",
                   path, g_strerror (saved_errno));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO, "%s: a folder, not a model file", path);
      return FALSE;
    }
  if (st.st_size == 0)
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO, "%s: the file is empty", path);
      return FALSE;
    }

  try
    {
      module = torch::jit::load (path, torch::kCPU);
      return TRUE;
    }
  catch (const std::exception &e)
    {
      /* A torch.save archive has data.pkl but no constants.pkl: libtorch says only that. */
      if (strstr (e.what (), "constants.pkl") != NULL)
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_WRONG_FORMAT,
                       "%s: a torch.save file (weights only), not a TorchScript model: operations "
                       "need a model saved with torch.jit.script or torch.jit.trace", path);
          return FALSE;
        }
      _cnc_torch_set_error (error, path, std::current_exception ());
      return FALSE;
    }
  catch (...)
    {
      _cnc_torch_set_error (error, path, std::current_exception ());
      return FALSE;
    }
}

gboolean
_cnc_torch_ops_save (torch::jit::Module  &module,
                     const char          *out_path,
                     GError             **error) noexcept
{
  g_autofree char *dir = g_path_get_dirname (out_path);
  g_autoptr(GError) local_error = NULL;
  std::string bytes;

  if (g_access (dir, W_OK) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: cannot write the model there: %s", out_path, g_strerror (saved_errno));
      return FALSE;
    }

  try
    {
      /* Saved to memory, the archive's folder is "archive" (as torch.jit.save to a buffer): the
       * same model gives the same bytes whatever the file is called. */
      std::ostringstream stream;
      module.eval ();
      module.save (stream);
      bytes = stream.str ();
    }
  catch (...)
    {
      _cnc_torch_set_error (error, out_path, std::current_exception ());
      return FALSE;
    }

  /* Through a temporary file in the same folder, renamed over @out_path at the end. */
  if (!g_file_set_contents (out_path, bytes.data (), (gssize) bytes.size (), &local_error))
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_file_error ((GFileError) local_error->code),
                   "%s: cannot write the model: %s", out_path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cnc_torch_ops_check_source (const CncBatchSource  *data,
                             GError               **error)
{
  if (data == NULL || data->func == NULL || data->n <= 0)
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED, "No data: the dataset is empty");
      return FALSE;
    }
  if (data->channels == 0 || data->height == 0 || data->width == 0 || data->n_classes < 2)
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                   "The dataset's shape (%u × %u × %u, %u classes) cannot be used for training",
                   data->channels, data->height, data->width, data->n_classes);
      return FALSE;
    }
  return TRUE;
}

/* Reads instances start … start+count-1 straight into @images / @labels32 (already allocated). */
static gboolean
read_range (const CncBatchSource  *data,
            gint64                 start,
            gint64                 count,
            float                 *images,
            gint32                *labels32,
            GError               **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!data->func (data->user_data, start, count, images, labels32, &local_error))
    {
      if (local_error == NULL)
        g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                     "Reading instances %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " of the dataset failed",
                     start, start + count - 1);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  for (gint64 i = 0; i < count; i++)
    if (labels32[i] < 0 || (guint) labels32[i] >= data->n_classes)
      {
        g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                     "Instance %" G_GINT64_FORMAT " of the dataset has label %d, outside 0–%u",
                     start + i, labels32[i], data->n_classes - 1);
        return FALSE;
      }
  return TRUE;
}

gboolean
_cnc_torch_ops_read (const CncBatchSource  *data,
                     gint64                 count,
                     at::Tensor            &images,
                     at::Tensor            &labels,
                     GCancellable          *cancellable,
                     GError               **error)
{
  const gint64 per_instance = (gint64) data->channels * data->height * data->width;

  images = at::empty ({ count, data->channels, data->height, data->width }, at::kFloat);
  at::Tensor labels32 = at::empty ({ count }, at::kInt);

  for (gint64 start = 0; start < count; start += READ_CHUNK)
    {
      gint64 n = MIN (READ_CHUNK, count - start);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!read_range (data, start, n, images.data_ptr<float> () + start * per_instance,
                       labels32.data_ptr<gint32> () + start, error))
        return FALSE;
    }
  labels = labels32.to (at::kLong);
  return TRUE;
}

/* ---- Targets: the weights of convolution and linear layers ---- */

struct Target
{
  std::string name;      /* "features.0.weight" */
  std::string type;      /* "Conv2d" */
  at::Tensor  weight;
  at::Tensor  bias;      /* undefined when the layer has none */
  at::Tensor  norm_weight, norm_bias;   /* channel pruning: the BatchNorm right after, if any */
};

static bool
is_target_type (const std::string &type)
{
  static const char *const types[] = {
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "Linear", "NonDynamicallyQuantizableLinear",
  };

  for (const char *t : types)
    if (type == t)
      return true;
  return false;
}

/* The weight and bias of @module's own parameters (undefined when it has none). */
static void
weight_and_bias (const torch::jit::Module &module,
                 at::Tensor               &weight,
                 at::Tensor               &bias)
{
  for (const auto &p : module.named_parameters (/* recurse */ false))
    {
      if (p.name == "weight")
        weight = p.value;
      else if (p.name == "bias")
        bias = p.value;
    }
}

static bool
is_prunable (const torch::jit::Module &module,
             const std::string        &type)
{
  at::Tensor weight, bias;

  if (!is_target_type (type))
    return false;
  weight_and_bias (module, weight, bias);
  return weight.defined () && weight.dim () >= 2 && weight.is_floating_point () && weight.numel () > 0;
}

/* The targets of an operation, sorted by name. @channels: for channel pruning, which leaves out
 * ConvTranspose layers and the output layer (the last convolution / linear layer in module order:
 * zeroing its channels would remove classes), and notes the BatchNorm that follows each layer. */
static gboolean
collect_targets (const char           *path,
                 torch::jit::Module   &root,
                 const char           *pattern,
                 bool                  channels,
                 std::vector<Target>  &targets,
                 GError              **error)
{
  g_autoptr(GRegex) regex = NULL;
  std::unordered_set<const void *> seen;
  std::vector<std::pair<std::string, torch::jit::Module>> modules;
  std::vector<std::string> types;
  bool has_parameters = false;
  size_t output_layer = SIZE_MAX;

  if (pattern != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      regex = g_regex_new (pattern, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, &local_error);
      if (regex == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a valid layer pattern: %s", pattern, local_error->message);
          return FALSE;
        }
    }

  /* In registration order (PyTorch's named_modules order: for most models, forward order). */
  for (const auto &m : root.named_modules ())
    {
      modules.emplace_back (m.name, m.value);
      types.push_back (_cnc_torch_ops_type_name (m.value));
      if (m.value.named_parameters (/* recurse */ false).size () > 0)
        has_parameters = true;
      if (is_prunable (m.value, types.back ()))
        output_layer = modules.size () - 1;
    }

  for (size_t i = 0; i < modules.size (); i++)
    {
      const auto &[path_in_model, module] = modules[i];
      const std::string &type = types[i];
      at::Tensor weight, bias;

      if (!is_prunable (module, type))
        continue;
      if (channels && (g_str_has_prefix (type.c_str (), "ConvTranspose") || i == output_layer))
        continue;
      weight_and_bias (module, weight, bias);

      std::string name = path_in_model.empty () ? "weight" : path_in_model + ".weight";
      if (regex != NULL && !g_regex_match (regex, name.c_str (), G_REGEX_MATCH_DEFAULT, NULL))
        continue;
      if (!seen.insert (weight.unsafeGetTensorImpl ()).second)
        continue;   /* a weight shared by two layers is changed once */

      Target target = { name, type, weight, bias, {}, {} };
      if (channels && i + 1 < modules.size () && types[i + 1].find ("BatchNorm") != std::string::npos)
        {
          at::Tensor norm_weight, norm_bias;
          weight_and_bias (modules[i + 1].second, norm_weight, norm_bias);
          if (norm_weight.defined () && norm_weight.dim () == 1 && norm_weight.size (0) == weight.size (0))
            target.norm_weight = norm_weight;
          if (norm_bias.defined () && norm_bias.dim () == 1 && norm_bias.size (0) == weight.size (0))
            target.norm_bias = norm_bias;
        }
      targets.push_back (target);
    }

  std::sort (targets.begin (), targets.end (),
             [] (const Target &a, const Target &b) { return a.name < b.name; });

  if (targets.empty ())
    {
      if (!has_parameters)
        g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                     "%s: the model has no parameters (a frozen model keeps its weights as "
                     "constants): there is nothing to change", path);
      else if (pattern != NULL)
        g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                     "%s: no convolution or linear weight matches “%s”%s", path, pattern,
                     channels ? " (the output layer is never channel-pruned)" : "");
      else if (channels && output_layer != SIZE_MAX)
        g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                     "%s: the model has no convolution or linear layer to prune besides its output "
                     "layer", path);
      else
        g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                     "%s: the model has no convolution or linear layer to change", path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_amount (double   amount,
              GError **error)
{
  if (!(amount >= 0.0 && amount < 1.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The pruning amount must be at least 0 and less than 1, not %g", amount);
      return FALSE;
    }
  return TRUE;
}

/* |w| of @targets, flattened and concatenated in order, in a dtype that holds them all exactly. */
static at::Tensor
magnitudes (const std::vector<Target> &targets)
{
  std::vector<at::Tensor> parts;
  at::ScalarType dtype = at::kFloat;

  for (const auto &t : targets)
    if (c10::elementSize (t.weight.scalar_type ()) > 4)
      dtype = at::kDouble;
  for (const auto &t : targets)
    parts.push_back (t.weight.detach ().abs ().reshape (-1).to (dtype));
  return parts.size () == 1 ? parts[0] : at::cat (parts);
}

/* Zeros the @k smallest entries of @magnitude (stable: ties to the lower index) across @targets,
 * whose flattened weights it concatenates. */
static void
zero_smallest (const std::vector<Target> &targets,
               const at::Tensor          &magnitude,
               int64_t                    k)
{
  at::Tensor order = std::get<1> (at::sort (magnitude, /* stable */ true, 0, /* descending */ false));
  at::Tensor prune = at::zeros ({ magnitude.numel () }, at::kBool);
  int64_t offset = 0;

  prune.index_fill_ (0, order.slice (0, 0, k), true);
  for (const auto &t : targets)
    {
      int64_t n = t.weight.numel ();
      t.weight.masked_fill_ (prune.slice (0, offset, offset + n).view (t.weight.sizes ()), 0);
      offset += n;
    }
}

static int64_t
rounded_count (double  amount,
               int64_t n)
{
  /* nearbyint() rounds half to even, as Python's round() does. */
  return std::min (n, (int64_t) nearbyint (amount * (double) n));
}

/* The skeleton every weight operation shares: loads @in_path, hands its targets to @edit (which
 * changes them in place and may fail, checking @cancellable), then saves to @out_path. libtorch's
 * exceptions become an error naming @in_path. */
template <typename Edit>
static gboolean
edit_targets (const char   *in_path,
              const char   *out_path,
              const char   *pattern,
              bool          channels,
              GCancellable *cancellable,
              GError      **error,
              Edit          edit)
{
  try
    {
      torch::jit::Module module;
      std::vector<Target> targets;
      torch::NoGradGuard no_grad;

      if (!_cnc_torch_ops_load (in_path, module, error)
          || !collect_targets (in_path, module, pattern, channels, targets, error)
          || !edit (targets)
          || g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      return _cnc_torch_ops_save (module, out_path, error);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, in_path, std::current_exception ());
      return FALSE;
    }
}

gboolean
cnc_torch_prune_magnitude (const char             *in_path,
                           const char             *out_path,
                           const CncPruneOptions  *options,
                           GCancellable           *cancellable,
                           GError                **error)
{
  g_return_val_if_fail (in_path != NULL && out_path != NULL && options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_amount (options->amount, error))
    return FALSE;

  return edit_targets (in_path, out_path, options->pattern, /* channels */ false, cancellable, error,
                       [&] (std::vector<Target> &targets) -> gboolean
    {
      if (options->scope == CNC_PRUNE_GLOBAL)
        {
          at::Tensor all = magnitudes (targets);
          zero_smallest (targets, all, rounded_count (options->amount, all.numel ()));
          return TRUE;
        }
      for (const auto &t : targets)
        {
          std::vector<Target> one = { t };
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          zero_smallest (one, magnitudes (one), rounded_count (options->amount, t.weight.numel ()));
        }
      return TRUE;
    });
}

gboolean
cnc_torch_prune_channels (const char             *in_path,
                          const char             *out_path,
                          const CncPruneOptions  *options,
                          GCancellable           *cancellable,
                          GError                **error)
{
  g_return_val_if_fail (in_path != NULL && out_path != NULL && options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_amount (options->amount, error))
    return FALSE;

  return edit_targets (in_path, out_path, options->pattern, /* channels */ true, cancellable, error,
                       [&] (std::vector<Target> &targets) -> gboolean
    {
      for (const auto &t : targets)
        {
          int64_t out = t.weight.size (0);
          at::Tensor norms = t.weight.detach ().to (at::kDouble).abs ().reshape ({ out, -1 }).sum (1);
          at::Tensor order = std::get<1> (at::sort (norms, /* stable */ true, 0, false));
          at::Tensor channels = order.slice (0, 0, rounded_count (options->amount, out));

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          t.weight.index_fill_ (0, channels, 0);
          if (t.bias.defined () && t.bias.dim () == 1 && t.bias.size (0) == out)
            t.bias.index_fill_ (0, channels, 0);
          /* The BatchNorm after it would turn the zeros into a constant: zero its scale and
           * shift too, so that the channel's output is 0, as if it were removed. */
          if (t.norm_weight.defined ())
            t.norm_weight.index_fill_ (0, channels, 0);
          if (t.norm_bias.defined ())
            t.norm_bias.index_fill_ (0, channels, 0);
        }
      return TRUE;
    });
}

/* ---- Quantization ---- */

gboolean
cnc_torch_quantize_weights (const char                *in_path,
                            const char                *out_path,
                            const CncQuantizeOptions  *options,
                            GHashTable               **out_bits,
                            GCancellable              *cancellable,
                            GError                   **error)
{
  g_return_val_if_fail (in_path != NULL && out_path != NULL && options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options->bits < 2 || options->bits > 8)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Weights can be quantized to 2–8 bits, not %u", options->bits);
      return FALSE;
    }

  g_autoptr(GHashTable) bits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const float qmax = (float) ((1 << (options->bits - 1)) - 1);
  const float qmin = -(float) (1 << (options->bits - 1));

  if (!edit_targets (in_path, out_path, options->pattern, /* channels */ false, cancellable, error,
                     [&] (std::vector<Target> &targets) -> gboolean
    {
      for (const auto &t : targets)
        {
          int64_t out = t.weight.size (0);
          at::Tensor w = t.weight.detach ().to (at::kFloat).reshape ({ out, -1 });
          at::Tensor amax = std::get<0> (w.abs ().max (1, /* keepdim */ true));
          /* Element-wise float32 divisions (not a multiplication by a reciprocal): the same
           * rounding as NumPy's float32 arithmetic. */
          at::Tensor scale = amax / at::full_like (amax, qmax);
          scale = at::where (scale == 0, at::ones_like (scale), scale);
          at::Tensor q = (w / scale).round ().clamp (qmin, qmax);

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          t.weight.copy_ ((q * scale).reshape (t.weight.sizes ()).to (t.weight.scalar_type ()));
          g_hash_table_insert (bits, g_strdup (t.name.c_str ()), GUINT_TO_POINTER (options->bits));
        }
      return TRUE;
    }))
    return FALSE;
  if (out_bits != NULL)
    *out_bits = (GHashTable *) g_steal_pointer (&bits);
  return TRUE;
}

/* The two observers quantize_dynamic_jit's default_dynamic_qconfig scripts, written here so that
 * no Python is needed: activations stay float until run time (PlaceholderObserver, quint8);
 * weights get per-tensor symmetric int8 (MinMaxObserver: scale = max|w| / 127.5, zero point 0).
 * libtorch's passes read their `dtype` / `qscheme` attributes and call calculate_qparams. (Dtypes
 * are numbers here: TorchScript compiled from C++ does not resolve `torch.long`; 4 is int64.) */
static torch::jit::QConfig
dynamic_qconfig (void)
{
  auto cu = std::make_shared<torch::jit::CompilationUnit> ();
  torch::jit::Module activation ("__torch__.torch.ao.quantization.observer.PlaceholderObserver", cu, true);
  torch::jit::Module weight ("__torch__.torch.ao.quantization.observer.MinMaxObserver", cu, true);

  activation.register_attribute ("training", c10::BoolType::get (), false);
  activation.register_attribute ("dtype", c10::IntType::get (), (int64_t) at::kQUInt8);
  activation.register_attribute ("custom_op", c10::StringType::get (), std::string ());
  activation.register_attribute ("compute_dtype", c10::IntType::get (), (int64_t) at::kQUInt8);
  activation.define (R"(
def forward(self, x):
    return x
)");

  weight.register_attribute ("training", c10::BoolType::get (), false);
  weight.register_buffer ("eps", at::full ({ 1 }, FLT_EPSILON, at::kFloat));
  weight.register_buffer ("min_val", at::scalar_tensor (INFINITY, at::kFloat));
  weight.register_buffer ("max_val", at::scalar_tensor (-INFINITY, at::kFloat));
  weight.register_attribute ("dtype", c10::IntType::get (), (int64_t) at::kQInt8);
  weight.register_attribute ("qscheme", c10::IntType::get (), (int64_t) at::kPerTensorSymmetric);
  weight.register_attribute ("reduce_range", c10::BoolType::get (), false);
  weight.register_attribute ("has_customized_qrange", c10::BoolType::get (), false);
  weight.register_attribute ("quant_min", c10::IntType::get (), (int64_t) -128);
  weight.register_attribute ("quant_max", c10::IntType::get (), (int64_t) 127);
  weight.define (R"(
def forward(self, x_orig):
    min_cur, max_cur = torch.aminmax(torch.detach(x_orig))
    self.min_val.copy_(torch.min(min_cur, self.min_val))
    self.max_val.copy_(torch.max(max_cur, self.max_val))
    return x_orig

def calculate_qparams(self):
    min_neg = torch.clamp(self.min_val, max=0.0)
    max_pos = torch.clamp(self.max_val, min=0.0)
    scale = torch.max(torch.neg(min_neg), max_pos) / 127.5
    scale = torch.max(torch.reshape(scale, [1]), self.eps)
    return scale, torch.zeros([1], dtype=4)
)");
  return std::make_tuple (activation, weight);
}

gboolean
cnc_torch_quantize_dynamic (const char     *in_path,
                            const char     *out_path,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_return_val_if_fail (in_path != NULL && out_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strcmp (cnc_torch_quantized_engine (), "none") == 0)
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                   "This libtorch has no quantized engine: dynamic quantization is not available");
      return FALSE;
    }

  try
    {
      torch::jit::Module module, quantized;
      torch::jit::QConfigDict qconfig = { { "", dynamic_qconfig () } };
      size_t packed = 0;

      if (!_cnc_torch_ops_load (in_path, module, error))
        return FALSE;
      module.eval ();
      /* As quantize_dynamic_jit does: the passes' results are the modules to go on with
       * (inserting observers in place into the loaded module quantizes nothing). */
      module = torch::jit::InsertObservers (module, "forward", qconfig, /* inplace */ false,
                                            torch::jit::QuantType::DYNAMIC);
      module = torch::jit::InsertQuantDeQuant (module, "forward", /* inplace */ true, /* debug */ false,
                                               torch::jit::QuantType::DYNAMIC);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      quantized = torch::jit::Finalize (module, torch::jit::QuantType::DYNAMIC, {});

      const auto &type = quantized.type ();
      for (size_t i = 0; i < type->numAttributes (); i++)
        if (type->getAttribute (i)->str ().find ("LinearPackedParamsBase") != std::string::npos)
          packed++;
      if (packed == 0)
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                       "%s: the model has no linear layer to quantize", in_path);
          return FALSE;
        }
      g_debug ("%s: %zu linear layers quantized dynamically (%s)", in_path, packed,
               cnc_torch_quantized_engine ());

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      return _cnc_torch_ops_save (quantized, out_path, error);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, in_path, std::current_exception ());
      return FALSE;
    }
}

/* ---- BatchNorm recalibration ---- */

void
cnc_recalibrate_options_init (CncRecalibrateOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (CncRecalibrateOptions) {
    .batches = 100,
    .batch_size = 128,
    .shuffle = FALSE,
    .seed = 0,
    .threads = 2,
  };
}

struct BatchNorm
{
  std::string name;
  at::Tensor  running_mean, running_var, num_batches_tracked;
  double      factor;       /* how much of a batch's statistic one update takes; < 0: unknown */
  at::Tensor  mean, var;    /* the cumulative averages */
};

static void
reset_for_batch (std::vector<BatchNorm> &bns,
                 double                  mean_value,
                 double                  var_value)
{
  for (auto &bn : bns)
    {
      bn.running_mean.fill_ (mean_value);
      bn.running_var.fill_ (var_value);
      if (bn.num_batches_tracked.defined ())
        bn.num_batches_tracked.zero_ ();
    }
}

gboolean
cnc_torch_recalibrate_bn (const char                  *in_path,
                          const char                  *out_path,
                          const CncBatchSource        *data,
                          const CncRecalibrateOptions *options,
                          CncProgressFunc              progress,
                          gpointer                     progress_data,
                          GCancellable                *cancellable,
                          GError                     **error)
{
  g_return_val_if_fail (in_path != NULL && out_path != NULL && options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cnc_torch_ops_check_source (data, error))
    return FALSE;
  if (options->batches == 0 || options->batch_size == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Recalibration needs at least one batch of at least one instance");
      return FALSE;
    }

  try
    {
      torch::jit::Module module;
      std::vector<BatchNorm> bns;
      at::Tensor images, labels;
      torch::NoGradGuard no_grad;
      gint64 wanted = MIN (data->n, (gint64) options->batches * options->batch_size);
      guint n_batches = (guint) ((wanted + options->batch_size - 1) / options->batch_size);

      if (options->threads > 0)
        cnc_torch_set_threads (options->threads);
      if (!_cnc_torch_ops_load (in_path, module, error))
        return FALSE;

      for (const auto &m : module.named_modules ())
        {
          BatchNorm bn;

          for (const auto &b : m.value.named_buffers (/* recurse */ false))
            {
              if (b.name == "running_mean")
                bn.running_mean = b.value;
              else if (b.name == "running_var")
                bn.running_var = b.value;
              else if (b.name == "num_batches_tracked")
                bn.num_batches_tracked = b.value;
            }
          if (!bn.running_mean.defined () || !bn.running_var.defined ())
            continue;

          bn.name = m.name;
          bn.factor = -1;
          if (m.value.type ()->hasConstant ("momentum"))
            {
              c10::IValue momentum = m.value.type ()->getConstant ("momentum");
              if (momentum.isNone ())
                bn.factor = 1.0;   /* 1 / num_batches_tracked, which we reset to 0 before each batch */
              else if (momentum.isDouble ())
                bn.factor = momentum.toDouble ();
            }
          bns.push_back (bn);
        }
      if (bns.empty ())
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                       "%s: the model has no BatchNorm layer to recalibrate", in_path);
          return FALSE;
        }

      if (progress != NULL)
        progress (progress_data, 0.0, "Reading the data");
      if (options->shuffle)
        {
          auto generator = at::detail::createCPUGenerator (options->seed);
          at::Tensor order = at::randperm (data->n, generator).slice (0, 0, wanted);

          if (!_cnc_torch_ops_read (data, data->n, images, labels, cancellable, error))
            return FALSE;
          images = images.index_select (0, order);
        }
      else if (!_cnc_torch_ops_read (data, wanted, images, labels, cancellable, error))
        return FALSE;

      module.train (true);
      for (guint k = 1; k <= n_batches; k++)
        {
          at::Tensor x = images.slice (0, (int64_t) (k - 1) * options->batch_size,
                                       std::min ((int64_t) k * options->batch_size, (int64_t) wanted));
          g_autofree char *message = NULL;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;

          /* Each batch's statistics alone: running = factor × batch statistic from zero. */
          reset_for_batch (bns, 0.0, 0.0);
          module.forward ({ x });

          std::vector<at::Tensor> first_mean;
          bool probe = false;
          for (const auto &bn : bns)
            {
              first_mean.push_back (bn.running_mean.clone ());
              probe = probe || bn.factor < 0;
            }
          if (probe)
            {
              /* A layer whose momentum the type does not say (traced, or not torch.nn's):
               * running statistics do not change training-mode outputs, so the same batch from
               * a running mean of 1 gives 1 − factor + factor × mean. */
              std::vector<at::Tensor> first_var;
              for (const auto &bn : bns)
                first_var.push_back (bn.running_var.clone ());
              reset_for_batch (bns, 1.0, 0.0);
              module.forward ({ x });
              for (size_t i = 0; i < bns.size (); i++)
                {
                  if (bns[i].factor < 0)
                    bns[i].factor = 1.0 - (bns[i].running_mean.to (at::kDouble)
                                           - first_mean[i].to (at::kDouble)).mean ().item<double> ();
                  bns[i].running_var.copy_ (first_var[i]);
                }
            }

          for (size_t i = 0; i < bns.size (); i++)
            {
              auto &bn = bns[i];
              if (!(bn.factor > 1e-6) || (bn.running_var == 0).all ().item<bool> ())
                {
                  g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                               "%s: BatchNorm “%s” does not update its statistics in training mode "
                               "(a model traced in eval mode keeps that mode, or the layer is never run): "
                               "it cannot be recalibrated",
                               in_path, bn.name.c_str ());
                  return FALSE;
                }
              at::Tensor batch_mean = first_mean[i] / bn.factor;
              at::Tensor batch_var = bn.running_var / bn.factor;
              /* PyTorch's cumulative average: running = (1 − 1/k) running + (1/k) batch. */
              if (k == 1)
                {
                  bn.mean = batch_mean.clone ();
                  bn.var = batch_var.clone ();
                }
              else
                {
                  double f = 1.0 / k;
                  bn.mean = bn.mean * (1.0 - f) + batch_mean * f;
                  bn.var = bn.var * (1.0 - f) + batch_var * f;
                }
            }

          message = g_strdup_printf ("Batch %u of %u", k, n_batches);
          if (progress != NULL)
            progress (progress_data, (double) k / n_batches, message);
        }

      for (auto &bn : bns)
        {
          bn.running_mean.copy_ (bn.mean);
          bn.running_var.copy_ (bn.var);
          if (bn.num_batches_tracked.defined ())
            bn.num_batches_tracked.fill_ ((int64_t) n_batches);
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      return _cnc_torch_ops_save (module, out_path, error);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, in_path, std::current_exception ());
      return FALSE;
    }
}
