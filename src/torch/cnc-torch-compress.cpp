/* cnc-torch-compress.cpp
 * What every compression operation shares: loading and saving modules, reading training batches, the weights
 * of convolution and linear layers an operation changes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-compress-private.h"
#include "cnc-torch-eval.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
gboolean
_cnc_torch_ops_collect_targets (const char           *path,
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
