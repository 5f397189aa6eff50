/* cnc-torch-quantize.cpp
 * Per-channel weight quantization (stored dequantized) and libtorch's dynamic int8 of TorchScript files.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-compress-private.h"
#include "cnc-torch-eval.h"

#include <torch/csrc/jit/passes/quantization/finalize.h>
#include <torch/csrc/jit/passes/quantization/insert_observers.h>
#include <torch/csrc/jit/passes/quantization/insert_quant_dequant.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include <algorithm>
#include <vector>

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

  if (!_cnc_torch_ops_edit_targets (in_path, out_path, options->pattern, /* channels */ false, cancellable, error,
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
