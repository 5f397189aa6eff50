/* cnc-torch-eval.cpp
 * Inference through libtorch: devices, per-thread intra-op threads, loading TorchScript models, running batches.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-eval.h"
#include "cnc-torch-private.h"

#include <torch/cuda.h>
#include <torch/script.h>
#include <ATen/Parallel.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/xnnpack_rewrite.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

G_DEFINE_QUARK (cnc-torch-eval-error-quark, cnc_torch_eval_error)

/* libtorch's warnings ("qnnpack ignores reduce_range", …) go to the debug log, not stderr. */
class DebugWarningHandler : public c10::WarningHandler
{
public:
  void
  process (const c10::SourceLocation &location,
           const std::string         &msg,
           const bool                 verbatim) override
  {
    (void) verbatim;
    g_debug ("libtorch warning (%s:%u): %s", location.file, location.line, msg.c_str ());
  }
};

static void
route_warnings (void)
{
  static gsize done = 0;
  static DebugWarningHandler handler;

  if (g_once_init_enter (&done))
    {
      c10::Warning::set_warning_handler (&handler);
      g_once_init_leave (&done, 1);
    }
}

/* One way to run the model: as saved, or rewritten by one of libtorch's inference passes. */
struct Variant
{
  const char         *name;
  torch::jit::Module  module;
};

struct _CncTorchModel
{
  char                        *path;
  torch::Device                device { torch::kCPU };
  std::vector<Variant>         variants;        /* [0]: the module as saved */
  std::map<gint64, size_t>     chosen;          /* batch size -> the fastest variant that agrees */
  gint64                       pinned = 0;      /* > 0: every batch size runs the variant chosen for it */
  bool                         batch_dependent = false;   /* dynamically quantized layers */
  gint64                       expected_channels = 0;
  gint64                       expected_features = 0;
  at::Tensor                   output;          /* the last output, float32 on the CPU, contiguous */
};

void
cnc_torch_device_free (CncTorchDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->description);
  g_free (device);
}

static CncTorchDevice *
device_new (const char *name,
            const char *description,
            gboolean    available,
            guint       cores)
{
  CncTorchDevice *d = g_new0 (CncTorchDevice, 1);

  d->name = g_strdup (name);
  d->description = g_strdup (description);
  d->available = available;
  d->cores = cores;
  return d;
}

/* Whether libtorch reports CUDA, and how many devices; never throws. */
static gboolean
cuda_devices (gint64 *count)
{
  *count = 0;
  try
    {
      if (!torch::cuda::is_available ())
        return FALSE;
      *count = (gint64) torch::cuda::device_count ();
      return *count > 0;
    }
  catch (...)
    {
      return FALSE;
    }
}

GPtrArray *
cnc_torch_list_devices (void)
{
  GPtrArray *devices = g_ptr_array_new_with_free_func ((GDestroyNotify) cnc_torch_device_free);
  guint cores = g_get_num_processors ();
  g_autofree char *cpu = g_strdup_printf ("%u core%s", cores, cores == 1 ? "" : "s");
  gint64 n_cuda = 0;

  g_ptr_array_add (devices, device_new ("cpu", cpu, TRUE, cores));
  if (cuda_devices (&n_cuda))
    {
      for (gint64 i = 0; i < n_cuda; i++)
        {
          g_autofree char *name = g_strdup_printf ("cuda:%" G_GINT64_FORMAT, i);
          g_ptr_array_add (devices, device_new (name, "CUDA device", TRUE, 0));
        }
    }
  else
    {
      /* libtorch's CUDA hooks are there only in a CUDA build: tell which of the two is missing. */
      gboolean built = FALSE;
      try
        {
          built = at::detail::getCUDAHooks ().hasCUDA ();
        }
      catch (...)
        {
        }
      g_ptr_array_add (devices,
                       device_new ("cuda",
                                   built ? "no CUDA device found on this machine"
                                         : "this libtorch was built without CUDA",
                                   FALSE, 0));
    }
  return devices;
}

/* Parses and checks @name; fills @device. */
static gboolean
resolve_device (const char    *name,
                torch::Device &device,
                GError       **error)
{
  gint64 n_cuda = 0;

  if (name == NULL || g_str_equal (name, "cpu"))
    {
      device = torch::Device (torch::kCPU);
      return TRUE;
    }
  if (g_str_equal (name, "cuda") || g_str_has_prefix (name, "cuda:"))
    {
      gint64 index = 0;

      if (name[4] == ':')
        {
          char *end = NULL;
          index = g_ascii_strtoll (name + 5, &end, 10);
          if (end == name + 5 || *end != '\0' || index < 0 || index > 255)
            {
              g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE,
                           "“%s” is not a device: use cpu or cuda:N", name);
              return FALSE;
            }
        }
      if (!cuda_devices (&n_cuda))
        {
          g_autoptr(GPtrArray) all = cnc_torch_list_devices ();
          CncTorchDevice *cuda = (CncTorchDevice *) all->pdata[all->len - 1];
          g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE,
                       "%s is not available: %s (see `compress-compare devices`)", name, cuda->description);
          return FALSE;
        }
      if (index >= n_cuda)
        {
          g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE,
                       "%s is not available: this machine has %" G_GINT64_FORMAT " CUDA device%s "
                       "(cuda:0 … cuda:%" G_GINT64_FORMAT ")",
                       name, n_cuda, n_cuda == 1 ? "" : "s", n_cuda - 1);
          return FALSE;
        }
      device = torch::Device (torch::kCUDA, (c10::DeviceIndex) index);
      return TRUE;
    }
  g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_DEVICE,
               "“%s” is not a device: use cpu or cuda:N", name);
  return FALSE;
}

gboolean
cnc_torch_check_device (const char *name,
                        GError    **error)
{
  torch::Device device (torch::kCPU);

  return resolve_device (name, device, error);
}

void
cnc_torch_set_threads (guint n)
{
  if (n == 0)
    n = g_get_num_processors ();
  try
    {
      at::init_num_threads ();
      at::set_num_threads ((int) n);
    }
  catch (...)
    {
      g_warning ("Could not set libtorch's thread count to %u", n);
    }
}

guint
cnc_torch_get_threads (void)
{
  try
    {
      return (guint) at::get_num_threads ();
    }
  catch (...)
    {
      return 1;
    }
}

/* What the first parameters say about the input: a 4-D weight is a Conv2d's [out, in, kh, kw];
 * without any, a first 2-D weight is a Linear's [out, in]. */
static void
guess_expected_input (CncTorchModel            *model,
                      const torch::jit::Module &module)
{
  gboolean first = TRUE;

  for (const auto &p : module.named_parameters (/* recurse */ true))
    {
      if (p.value.dim () == 4)
        {
          model->expected_channels = p.value.size (1);
          model->expected_features = 0;
          return;
        }
      if (first && p.value.dim () == 2)
        model->expected_features = p.value.size (1);
      first = FALSE;
    }
}

/* Whether a block (recursively) calls a quantized operator: dynamically quantized layers compute
 * their activations' scale from each batch, so their output depends on the batch and on the
 * engine, and a rewritten variant may flip predictions even where it "agrees" on one batch. */
static bool
calls_quantized_ops (torch::jit::Block *block)
{
  for (torch::jit::Node *node : block->nodes ())
    {
      if (g_str_has_prefix (node->kind ().toQualString (), "quantized::"))
        return true;
      for (torch::jit::Block *inner : node->blocks ())
        if (calls_quantized_ops (inner))
          return true;
    }
  return false;
}

static bool
has_batch_dependent_layers (const torch::jit::Module &module)
{
  for (const auto &m : module.named_modules ())
    if (m.value.hasattr ("_packed_params"))
      return true;
  for (const auto &a : module.named_attributes ())
    if (a.name.find ("_packed_weight") != std::string::npos || a.name.find ("_packed_params") != std::string::npos)
      return true;
  try
    {
      std::shared_ptr<torch::jit::Graph> graph = module.get_method ("forward").graph ()->copy ();
      torch::jit::Inline (*graph);
      return calls_quantized_ops (graph->block ());
    }
  catch (...)
    {
      return true;   /* cannot tell: take the safe side, no rewritten variants */
    }
}

/* Adds the variants libtorch's inference passes make of the module as saved. Each runs only for
 * the batch sizes where it is faster and agrees with the module as saved (see choose_variant). */
static void
add_optimized_variants (CncTorchModel *model)
{
  /* oneDNN: frozen, batch norm folded, convolutions on prepacked oneDNN weights. Fast for batches. */
  try
    {
      torch::NoGradGuard no_grad;
      torch::jit::Module copy = model->variants[0].module.clone ();

      model->variants.push_back ({ "oneDNN (optimize_for_inference)", torch::jit::optimize_for_inference (copy) });
    }
  catch (...)
    {
      g_autoptr(GError) local = NULL;
      _cnc_torch_set_error (&local, model->path, std::current_exception ());
      g_debug ("optimize_for_inference failed: %s", local->message);
    }
  /* XNNPACK: prepacked convolutions and linear layers. Fast for single instances. */
  try
    {
      torch::NoGradGuard no_grad;

      model->variants.push_back ({ "XNNPACK (optimize_for_mobile)",
                                   torch::jit::optimizeForMobile (model->variants[0].module) });
    }
  catch (...)
    {
      g_autoptr(GError) local = NULL;
      _cnc_torch_set_error (&local, model->path, std::current_exception ());
      g_debug ("optimize_for_mobile failed: %s", local->message);
    }
}

CncTorchModel *
cnc_torch_model_load (const char        *path,
                      const char        *device_name,
                      CncTorchLoadFlags  flags,
                      GError           **error)
{
  torch::Device device (torch::kCPU);
  CncTorchModel *model = NULL;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_FAILED,
                   "%s: cannot open the file: %s", path, g_strerror (saved_errno));
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || st.st_size == 0)
    {
      g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_NOT_RUNNABLE,
                   "%s: %s, not a TorchScript model", path, S_ISDIR (st.st_mode) ? "a folder" : "an empty file");
      return NULL;
    }
  if (!resolve_device (device_name, device, error))
    return NULL;

  /* Dynamically quantized models load only under the engine their packed weights were made for. */
  cnc_torch_quantized_engine ();
  route_warnings ();

  try
    {
      /* Not under InferenceMode: its tensors could not go through the inference passes. */
      torch::NoGradGuard no_grad;
      torch::jit::Module module = torch::jit::load (path, device);

      module.eval ();
      model = new CncTorchModel ();
      model->path = g_strdup (path);
      model->device = device;
      guess_expected_input (model, module);
      model->variants.push_back ({ "as saved", module });
      model->batch_dependent = has_batch_dependent_layers (module);
    }
  catch (...)
    {
      g_autoptr(GError) local = NULL;

      _cnc_torch_set_error (&local, path, std::current_exception ());
      /* A torch.save archive has data.pkl but neither constants.pkl nor code/. */
      if (strstr (local->message, "constants.pkl") != NULL)
        g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_NOT_RUNNABLE,
                     "%s: a torch.save file (weights only), not a TorchScript model: it cannot be run; "
                     "save the model with torch.jit.save (torch.jit.script or torch.jit.trace)", path);
      else
        g_set_error_literal (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_FAILED, local->message);
      cnc_torch_model_free (model);
      return NULL;
    }

  /* A model whose output depends on the batch (dynamic quantization) runs only as saved, as
   * PyTorch runs it: its numbers must not depend on which variant a machine finds fastest. */
  if ((flags & CNC_TORCH_LOAD_OPTIMIZE) && device.is_cpu () && !model->batch_dependent)
    add_optimized_variants (model);
  return model;
}

void
cnc_torch_model_free (CncTorchModel *model)
{
  if (model == NULL)
    return;
  g_free (model->path);
  try
    {
      delete model;
    }
  catch (...)
    {
    }
}

const char *
cnc_torch_model_get_path (CncTorchModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->path;
}

gboolean
cnc_torch_model_is_optimized (CncTorchModel *model)
{
  g_return_val_if_fail (model != NULL, FALSE);
  return model->variants.size () > 1;
}

const char *
cnc_torch_model_get_variant (CncTorchModel *model,
                             gint64         batch)
{
  g_return_val_if_fail (model != NULL, NULL);
  auto it = model->chosen.find (model->pinned > 0 ? model->pinned : batch);
  return it == model->chosen.end () ? NULL : model->variants[it->second].name;
}

gboolean
cnc_torch_model_pin_variant (CncTorchModel *model,
                             gint64         batch)
{
  g_return_val_if_fail (model != NULL, FALSE);
  if (batch > 0 && model->chosen.find (batch) == model->chosen.end ())
    return FALSE;
  model->pinned = batch;
  return TRUE;
}

void
cnc_torch_model_get_expected_input (CncTorchModel *model,
                                    gint64        *channels,
                                    gint64        *features)
{
  g_return_if_fail (model != NULL);
  if (channels)
    *channels = model->expected_channels;
  if (features)
    *features = model->expected_features;
}

static char *
shape_text (const gint64 *shape,
            guint         n_dims)
{
  GString *s = g_string_new (NULL);

  for (guint d = 0; d < n_dims; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? "×" : "", shape[d]);
  return g_string_free (s, FALSE);
}

static char *
expected_text (CncTorchModel *model,
               const gint64  *shape,
               guint          n_dims)
{
  gint64 per_instance = 1;

  for (guint d = 1; d < n_dims; d++)
    per_instance *= shape[d];
  if (model->expected_channels > 0 && n_dims == 4 && model->expected_channels != shape[1])
    return g_strdup_printf ("; the model expects %" G_GINT64_FORMAT " channel%s (its first convolution)",
                            model->expected_channels, model->expected_channels == 1 ? "" : "s");
  if (model->expected_features > 0 && model->expected_features != per_instance)
    return g_strdup_printf ("; the model expects %" G_GINT64_FORMAT " values per instance (its first Linear layer)",
                            model->expected_features);
  return g_strdup ("");
}

/* The first tensor of what forward() returned. */
static gboolean
output_tensor (const c10::IValue &value,
               at::Tensor        &tensor)
{
  if (value.isTensor ())
    {
      tensor = value.toTensor ();
      return TRUE;
    }
  if (value.isTuple ())
    {
      for (const auto &e : value.toTupleRef ().elements ())
        if (e.isTensor ())
          {
            tensor = e.toTensor ();
            return TRUE;
          }
      return FALSE;
    }
  if (value.isList ())
    {
      for (const auto &e : value.toListRef ())
        if (e.isTensor ())
          {
            tensor = e.toTensor ();
            return TRUE;
          }
    }
  return FALSE;
}

static double
seconds_now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static c10::IValue
forward (const Variant    &variant,
         const at::Tensor &x)
{
  c10::InferenceMode guard;

  return const_cast<torch::jit::Module &> (variant.module).forward ({ x });
}

/* Whether @b (a variant's output) is @a (the module's as saved) up to float32 noise: the same
 * shape, NaN and infinities in the same places, values within 1e-4 of the output's scale, and the
 * same predictions (top-1 and top-5, in order) for every instance. */
static bool
agrees (const c10::IValue &a,
        const c10::IValue &b)
{
  at::Tensor ta, tb;

  if (!output_tensor (a, ta) || !output_tensor (b, tb) || !ta.sizes ().equals (tb.sizes ()))
    return false;
  ta = ta.to (torch::kCPU, torch::kDouble);
  tb = tb.to (torch::kCPU, torch::kDouble);
  at::Tensor finite = at::isfinite (ta);
  if (!at::equal (finite, at::isfinite (tb)) || !at::equal (ta.isnan (), tb.isnan ()))
    return false;
  if (!at::equal (ta.masked_select (~finite & ~ta.isnan ()), tb.masked_select (~finite & ~tb.isnan ())))
    return false;
  if (finite.sum ().item<gint64> () == 0)
    return true;
  at::Tensor fa = ta.masked_select (finite), fb = tb.masked_select (finite);
  double scale = std::max (1.0, fa.abs ().max ().item<double> ());
  if ((fa - fb).abs ().max ().item<double> () > 1e-4 * scale)
    return false;
  if (ta.dim () == 2 && ta.size (1) > 0)
    {
      gint64 k = std::min<gint64> (5, ta.size (1));
      at::Tensor ia = std::get<1> (ta.topk (k, 1, true, true)), ib = std::get<1> (tb.topk (k, 1, true, true));
      if (!at::equal (ia, ib))
        return false;
    }
  return true;
}

/* The first run at a batch size times every variant (after warm-up: TorchScript optimizes a graph
 * on its second run) and keeps the fastest among those whose output agrees with the module as
 * saved. XNNPACK is tried for small batches only. A failing variant is never chosen; if the module
 * as saved fails, that is the error. */
static size_t
choose_variant (CncTorchModel    *model,
                const at::Tensor &x)
{
  c10::InferenceMode guard;
  gint64 batch = x.size (0);
  c10::IValue reference;
  double best = G_MAXDOUBLE;
  size_t chosen = 0;

  if (model->variants.size () < 2)
    return 0;
  for (size_t v = 0; v < model->variants.size (); v++)
    {
      const Variant &variant = model->variants[v];
      double t0, took;
      c10::IValue out;

      if (v > 0 && batch > 16 && g_str_has_prefix (variant.name, "XNNPACK"))
        continue;
      try
        {
          t0 = seconds_now ();
          out = forward (variant, x);
          took = seconds_now () - t0;
          if (v == 0)
            reference = out;
          else if (!agrees (reference, out))
            {
              g_debug ("%s: %s disagrees with the module as saved; not used", model->path, variant.name);
              continue;
            }
          /* Cheap runs are timed again, warm; an expensive one is timed once. */
          if (took < 0.25)
            {
              forward (variant, x);
              t0 = seconds_now ();
              forward (variant, x);
              took = seconds_now () - t0;
            }
        }
      catch (...)
        {
          if (v == 0)
            throw;
          continue;
        }
      g_debug ("%s: batch %" G_GINT64_FORMAT ", %s: %.3f ms", model->path, batch, variant.name, took * 1e3);
      if (took < best)
        {
          best = took;
          chosen = v;
        }
    }
  return chosen;
}

const float *
cnc_torch_model_run (CncTorchModel *model,
                     const float   *input,
                     const gint64  *shape,
                     guint          n_dims,
                     gint64        *rows,
                     gint64        *cols,
                     GError       **error)
{
  c10::IValue result;
  at::Tensor out;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (input != NULL && shape != NULL && n_dims >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  try
    {
      std::vector<int64_t> sizes (shape, shape + n_dims);
      at::Tensor x = torch::from_blob ((void *) input, sizes, torch::kFloat);
      auto it = model->chosen.find (model->pinned > 0 ? model->pinned : shape[0]);
      size_t v;

      if (!model->device.is_cpu ())
        x = x.to (model->device);
      if (it == model->chosen.end ())
        {
          v = choose_variant (model, x);
          model->chosen[shape[0]] = v;
        }
      else
        v = it->second;
      result = forward (model->variants[v], x);
    }
  catch (...)
    {
      g_autoptr(GError) local = NULL;
      g_autofree char *ours = shape_text (shape, n_dims);
      g_autofree char *theirs = expected_text (model, shape, n_dims);
      const char *why;

      _cnc_torch_set_error (&local, model->path, std::current_exception ());
      why = local->message + strlen (model->path) + 2;
      g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_INPUT_SHAPE,
                   "%s: cannot run on input of shape %s (batch × channels × height × width)%s: %s",
                   model->path, ours, theirs, why);
      return NULL;
    }

  try
    {
      c10::InferenceMode guard;

      if (!output_tensor (result, out))
        {
          g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_OUTPUT,
                       "%s: returns %s, not a tensor of class scores", model->path, result.tagKind ().c_str ());
          return NULL;
        }
      while (out.dim () > 2 && out.size (out.dim () - 1) == 1)
        out = out.squeeze (out.dim () - 1);
      if (out.dim () == 1 && shape[0] == 1)
        out = out.unsqueeze (0);
      if (out.dim () != 2 || out.size (0) != shape[0])
        {
          std::vector<gint64> got (out.sizes ().begin (), out.sizes ().end ());
          g_autofree char *text = shape_text (got.data (), (guint) got.size ());
          g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_OUTPUT,
                       "%s: returns a tensor of shape %s for a batch of %" G_GINT64_FORMAT
                       ", not batch × classes", model->path, text, shape[0]);
          return NULL;
        }
      if (out.is_complex () || !(out.is_floating_point () || out.scalar_type () == at::kInt
                                 || out.scalar_type () == at::kLong))
        {
          g_set_error (error, CNC_TORCH_EVAL_ERROR, CNC_TORCH_EVAL_ERROR_OUTPUT,
                       "%s: returns %s values, not real class scores", model->path,
                       c10::toString (out.scalar_type ()));
          return NULL;
        }
      model->output = out.to (torch::kCPU, torch::kFloat).contiguous ();
      *rows = model->output.size (0);
      *cols = model->output.size (1);
      return model->output.data_ptr<float> ();
    }
  catch (...)
    {
      _cnc_torch_set_error (error, model->path, std::current_exception ());
      if (error && *error)
        {
          (*error)->domain = CNC_TORCH_EVAL_ERROR;
          (*error)->code = CNC_TORCH_EVAL_ERROR_OUTPUT;
        }
      return NULL;
    }
}
