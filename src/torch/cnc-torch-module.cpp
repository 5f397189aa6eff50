/* cnc-torch-module.cpp
 * Reading TorchScript archives and torch.save state dicts through libtorch: per-parameter statistics and weights.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-private.h"

#include <torch/script.h>
#include <torch/version.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <set>
#include <string.h>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/formats/cnc-layer-stats.h"
#include "cnc-torch-weights.h"

/* The text libtorch's pickler writes for collections.OrderedDict (the GLOBAL opcode's argument). */
#define ORDERED_DICT_GLOBAL "collections\nOrderedDict"

const char *
cnc_torch_version (void)
{
  return TORCH_VERSION;
}

/* Debian's libtorch has no fbgemm. Python's quantize_dynamic under qnnpack makes packed
 * params that load under qnnpack; onednn is the fallback. */
static void
choose_quantized_engine (void)
{
  static gsize chosen = 0;

  if (g_once_init_enter (&chosen))
    {
      try
        {
          const auto &engines = at::globalContext ().supportedQEngines ();
          const at::QEngine preferred[] = { at::QEngine::QNNPACK, at::QEngine::ONEDNN,
                                            at::QEngine::FBGEMM };

          for (at::QEngine e : preferred)
            if (std::find (engines.begin (), engines.end (), e) != engines.end ())
              {
                at::globalContext ().setQEngine (e);
                break;
              }
        }
      catch (...)
        {
          g_warning ("Could not set a quantized engine: quantized models will not load");
        }
      g_once_init_leave (&chosen, 1);
    }
}

const char *
cnc_torch_quantized_engine (void)
{
  choose_quantized_engine ();
  switch (at::globalContext ().qEngine ())
    {
    case at::QEngine::QNNPACK: return "qnnpack";
    case at::QEngine::ONEDNN: return "onednn";
    case at::QEngine::FBGEMM: return "fbgemm";
    case at::QEngine::NoQEngine:
    default: return "none";
    }
}

static void
dtype_of (at::ScalarType  type,
          std::string    &name,
          guint          &bits)
{
  switch (type)
    {
    case at::kFloat: name = "float32"; break;
    case at::kDouble: name = "float64"; break;
    case at::kHalf: name = "float16"; break;
    case at::kBFloat16: name = "bfloat16"; break;
    case at::kLong: name = "int64"; break;
    case at::kInt: name = "int32"; break;
    case at::kShort: name = "int16"; break;
    case at::kChar: name = "int8"; break;
    case at::kByte: name = "uint8"; break;
    case at::kBool: name = "bool"; bits = 1; return;
    case at::kQInt8: name = "qint8"; break;
    case at::kQUInt8: name = "quint8"; break;
    case at::kQInt32: name = "qint32"; break;
    default: name = c10::toString (type); break;
    }
  bits = 8 * c10::elementSize (type);
}

/* Statistics of one tensor, or NULL for tensors that have no meaningful ones (complex, sparse). */
static CncLayerStats *
stats_of_tensor (const std::string &name,
                 const at::Tensor  &tensor)
{
  std::vector<int64_t> shape (tensor.sizes ().begin (), tensor.sizes ().end ());
  std::string dtype;
  guint bits = 0;
  at::Tensor values;
  CncLayerStats *stats;

  if (!tensor.defined () || tensor.layout () != at::kStrided || tensor.is_complex ())
    {
      g_debug ("Skipping %s: not a dense real tensor", name.c_str ());
      return NULL;
    }

  dtype_of (tensor.scalar_type (), dtype, bits);
  stats = cnc_layer_stats_new (name.c_str (), dtype.c_str (), bits,
                               (const gint64 *) shape.data (), (guint) shape.size ());

  if (tensor.is_quantized ())
    {
      stats->quantized = TRUE;
      switch (tensor.qscheme ())
        {
        case at::kPerTensorAffine:
        case at::kPerTensorSymmetric:
          stats->qscale = tensor.q_scale ();
          stats->qzero_point = tensor.q_zero_point ();
          break;
        default:
          stats->qscale = tensor.q_per_channel_scales ().to (at::kDouble).mean ().item<double> ();
          stats->qzero_point = tensor.q_per_channel_zero_points ().numel () > 0
                               ? tensor.q_per_channel_zero_points ()[0].item<int64_t> () : 0;
          break;
        }
      values = tensor.dequantize ();
    }
  else
    values = tensor;

  /* float32 holds every float16/bfloat16/float32 value exactly; the rest go through double. */
  if (values.is_floating_point () && c10::elementSize (values.scalar_type ()) <= 4)
    {
      values = values.detach ().to (at::kFloat).contiguous ();
      cnc_layer_stats_compute (stats, values.data_ptr<float> (), CNC_DTYPE_F32, values.numel ());
    }
  else
    {
      values = values.detach ().to (at::kDouble).contiguous ();
      cnc_layer_stats_compute (stats, values.data_ptr<double> (), CNC_DTYPE_F64, values.numel ());
    }
  return stats;
}

/* What the zip directory of a torch archive says, read with libzip before libtorch sees it. */
struct ArchiveSurvey
{
  bool is_zip = false;
  bool has_data_pkl = false;      /* "<archive>/data.pkl": torch.save and TorchScript */
  bool has_constants = false;     /* "<archive>/constants.pkl": TorchScript only */
  bool has_code = false;          /* "<archive>/code/...": TorchScript only */
  std::multiset<gint64> record_sizes;   /* sizes of the "<archive>/data/<key>" tensor records */
};

static ArchiveSurvey
survey_archive (const char *path)
{
  ArchiveSurvey survey;
  int zip_err = 0;
  zip_t *archive;
  zip_int64_t n;

  archive = zip_open (path, ZIP_RDONLY, &zip_err);
  if (archive == NULL)
    return survey;
  survey.is_zip = true;
  n = zip_get_num_entries (archive, 0);
  for (zip_int64_t i = 0; i < n; i++)
    {
      zip_stat_t st;
      const char *rest;

      if (zip_stat_index (archive, (zip_uint64_t) i, 0, &st) != 0
          || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
        continue;
      rest = strchr (st.name, '/');
      if (rest == NULL)
        continue;
      rest++;
      if (strcmp (rest, "data.pkl") == 0)
        survey.has_data_pkl = true;
      else if (strcmp (rest, "constants.pkl") == 0)
        survey.has_constants = true;
      else if (g_str_has_prefix (rest, "code/"))
        survey.has_code = true;
      else if (g_str_has_prefix (rest, "data/") && strchr (rest + 5, '/') == NULL)
        survey.record_sizes.insert ((gint64) st.size);
    }
  zip_close (archive);
  return survey;
}

/* libtorch sizes a loaded tensor from the pickle, not from its data record: a record cut short
 * (with a valid CRC) loads, then reads past its end. Every distinct storage must match a
 * `<archive>/data/<key>` record of exactly its size. */
static gboolean
check_records (const char                                           *path,
               const ArchiveSurvey                                  &survey,
               const std::vector<std::pair<std::string, at::Tensor>> &tensors,
               GError                                              **error)
{
  std::multiset<gint64> record_sizes = survey.record_sizes;
  std::unordered_set<const void *> seen;

  if (!survey.is_zip)
    return TRUE;   /* libtorch read it, libzip did not: nothing to compare with */

  for (const auto &[name, tensor] : tensors)
    {
      if (!tensor.defined () || tensor.layout () != at::kStrided || !tensor.has_storage ())
        continue;
      const void *impl = tensor.storage ().unsafeGetStorageImpl ();
      if (!seen.insert (impl).second)
        continue;
      auto it = record_sizes.find ((gint64) tensor.storage ().nbytes ());
      if (it == record_sizes.end ())
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_CORRUPT,
                       "%s: the data of tensor “%s” is shorter than the tensor: "
                       "the file is corrupt or truncated", path, name.c_str ());
          return FALSE;
        }
      record_sizes.erase (it);
    }
  return TRUE;
}

/* Opens @path for reading, with the user's words for the usual failures; -1 on error. */
static int
open_model_file (const char  *path,
                 GError     **error)
{
  struct stat st;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO,
                   "%s: cannot open the file: %s", path, g_strerror (saved_errno));
      return -1;
    }
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      close (fd);
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO,
                   "%s: a folder, not a model file", path);
      return -1;
    }
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0)
    {
      close (fd);
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO, "%s: the file is empty", path);
      return -1;
    }
  return fd;
}

static gboolean
read_file (const char        *path,
           std::vector<char> &bytes,
           GError           **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *contents;
  int fd;

  fd = open_model_file (path, error);
  if (fd < 0)
    return FALSE;

  /* Mapped, so that only one private copy (the one libtorch wants) is made. */
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_IO,
                   "%s: cannot read the file: %s", path, local_error->message);
      return FALSE;
    }
  contents = g_mapped_file_get_contents (mapped);
  if (contents != NULL)
    bytes.assign (contents, contents + g_mapped_file_get_length (mapped));
  return TRUE;
}

typedef std::vector<std::pair<std::string, at::Tensor>> NamedTensors;

/* Every parameter of the TorchScript archive @path, in libtorch's order, then the weight (still
 * quantized) and bias of each dynamically quantized Linear, read from its packed params. FALSE
 * with @error for files that are not what they should be; may throw libtorch's exceptions. */
static gboolean
collect_torchscript (const char    *path,
                     NamedTensors  &out,
                     GError       **error)
{
  NamedTensors params;

  int fd = open_model_file (path, error);
  if (fd < 0)
    return FALSE;
  close (fd);

  ArchiveSurvey survey = survey_archive (path);
  if (survey.is_zip && survey.has_data_pkl && !survey.has_constants && !survey.has_code)
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_WRONG_FORMAT,
                   "%s: a torch.save file (a state dict), not a TorchScript archive", path);
      return FALSE;
    }
  torch::jit::Module module = torch::jit::load (path, torch::kCPU);

  for (const auto &p : module.named_parameters (/* recurse */ true))
    params.emplace_back (p.name, p.value);
  for (const auto &b : module.named_buffers (/* recurse */ true))
    params.emplace_back (b.name, b.value);
  if (!check_records (path, survey, params, error))
    return FALSE;

  for (const auto &p : module.named_parameters (/* recurse */ true))
    out.emplace_back (p.name, p.value);

  /* Dynamically quantized Linear layers keep their weights in a packed-params submodule. */
  for (const auto &m : module.named_modules ())
    {
      if (!m.value.hasattr ("_packed_params"))
        continue;
      c10::IValue packed = m.value.attr ("_packed_params");
      if (!packed.isModule ())
        continue;
      torch::jit::Module packed_module = packed.toModule ();
      if (!packed_module.find_method ("_weight_bias"))
        continue;

      auto result = packed_module.run_method ("_weight_bias");
      if (!result.isTuple () || result.toTupleRef ().elements ().size () < 2)
        continue;
      const auto &elements = result.toTupleRef ().elements ();
      std::string prefix = m.name.empty () ? "" : m.name + ".";

      if (elements[0].isTensor ())
        out.emplace_back (prefix + "weight", elements[0].toTensor ());
      if (elements[1].isTensor ())
        out.emplace_back (prefix + "bias", elements[1].toTensor ());
    }

  /* libtorch's own dynamic quantization (its JIT passes, as cnc_torch_quantize_dynamic runs
   * them) freezes the model: each Linear's packed weights become an attribute of the root
   * module, "quantized_forward._jit_pass_packed_weight_N", unpacked with quantized::linear_unpack. */
  const auto &object = module._ivalue ();
  for (size_t i = 0; i < object->type ()->numAttributes (); i++)
    {
      const std::string &name = object->type ()->getAttributeName (i);
      c10::IValue value = object->getSlot (i);

      if (name.find ("_jit_pass_packed_weight_") == std::string::npos || value.isTensor () || value.isModule ())
        continue;
      auto op = c10::Dispatcher::singleton ().findSchema ({ "quantized::linear_unpack", "" });
      if (!op.has_value ())
        break;
      torch::jit::Stack stack { value };
      op->callBoxed (&stack);
      if (stack.size () >= 1 && stack[0].isTensor ())
        out.emplace_back (name + ".weight", stack[0].toTensor ());
      if (stack.size () >= 2 && stack[1].isTensor ())
        out.emplace_back (name + ".bias", stack[1].toTensor ());
    }
  return TRUE;
}

static GPtrArray *
stats_of_tensors (const NamedTensors &tensors)
{
  g_autoptr(GPtrArray) layers = cnc_layer_stats_array_new ();

  for (const auto &[name, tensor] : tensors)
    {
      CncLayerStats *stats = stats_of_tensor (name, tensor);
      if (stats != NULL)
        g_ptr_array_add (layers, stats);
    }
  return (GPtrArray *) g_steal_pointer (&layers);
}

GPtrArray *
cnc_torch_inspect_torchscript (const char  *path,
                               GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  choose_quantized_engine ();

  try
    {
      NamedTensors tensors;
      torch::NoGradGuard no_grad;

      if (!collect_torchscript (path, tensors, error))
        return NULL;
      return stats_of_tensors (tensors);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, path, std::current_exception ());
      return NULL;
    }
}

static gboolean
has_ordered_dict_global (const std::vector<char> &bytes)
{
  static const char needle[] = ORDERED_DICT_GLOBAL;

  /* data.pkl is stored uncompressed in torch.save archives. */
  return std::search (bytes.begin (), bytes.end (), needle, needle + sizeof needle - 1)
         != bytes.end ();
}

static const char *
describe_value (const c10::IValue &value)
{
  if (value.isList ())
    return "a list";
  if (value.isTuple ())
    return "a tuple";
  if (value.isTensor ())
    return "a single tensor";
  if (value.isObject ())
    return "an object";
  if (value.isString ())
    return "a string";
  if (value.isInt () || value.isDouble () || value.isBool ())
    return "a number";
  if (value.isNone ())
    return "None";
  return "something else";
}

static void
set_ordered_dict_error (GError     **error,
                        const char  *path)
{
  g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_ORDERED_DICT,
               "%s: saved as an OrderedDict (torch.save(model.state_dict())): "
               "re-save it as a plain dict: torch.save(dict(model.state_dict()), path)", path);
}

/* Every tensor value of the torch.save'd plain dict @path, in the dict's order. FALSE with @error
 * for files that are not what they should be; may throw libtorch's exceptions. */
static gboolean
collect_state_dict (const char    *path,
                    NamedTensors  &out,
                    GError       **error)
{
  std::vector<char> bytes;
  c10::IValue value;

  ArchiveSurvey survey = survey_archive (path);
  if (survey.is_zip && (survey.has_constants || survey.has_code))
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_WRONG_FORMAT,
                   "%s: a TorchScript archive, not a state dict: open it as TorchScript", path);
      return FALSE;
    }

  if (!read_file (path, bytes, error))
    return FALSE;
  if (bytes.empty ())
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                   "%s: the file is empty", path);
      return FALSE;
    }

  try
    {
      value = torch::jit::pickle_load (bytes);
    }
  catch (...)
    {
      /* libtorch fails on OrderedDict with an internal assert: say what to do instead.
       * (Not a TorchScript archive, whose data.pkl names OrderedDict too: checked above.) */
      if (survey.is_zip && survey.has_data_pkl && has_ordered_dict_global (bytes))
        {
          set_ordered_dict_error (error, path);
          return FALSE;
        }
      throw;
    }
  bytes.clear ();
  bytes.shrink_to_fit ();

  if (!value.isGenericDict ())
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_NOT_A_DICT,
                   "%s: holds %s, not a state dict (a dict of parameter names to tensors)",
                   path, describe_value (value));
      return FALSE;
    }

  for (const auto &entry : value.toGenericDict ())
    {
      if (!entry.value ().isTensor ())
        continue;
      std::string key = entry.key ().isString () ? entry.key ().toStringRef ()
                                                 : c10::str (entry.key ());
      out.emplace_back (key, entry.value ().toTensor ());
    }
  return check_records (path, survey, out, error);
}

GPtrArray *
cnc_torch_inspect_state_dict (const char  *path,
                              GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  choose_quantized_engine ();

  try
    {
      NamedTensors tensors;
      torch::NoGradGuard no_grad;

      if (!collect_state_dict (path, tensors, error))
        return NULL;
      return stats_of_tensors (tensors);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, path, std::current_exception ());
      return NULL;
    }
}

/* Weights as float32 arrays (cnc-torch-weights.h) */

CncWeights *
cnc_torch_read_weights (const char  *path,
                        const char  *format,
                        GError     **error)
{
  g_return_val_if_fail (path != NULL && format != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  choose_quantized_engine ();

  try
    {
      g_autoptr(CncWeights) weights = cnc_weights_new (path);
      NamedTensors tensors;
      torch::NoGradGuard no_grad;
      gboolean ok;

      if (strcmp (format, "torchscript") == 0)
        ok = collect_torchscript (path, tensors, error);
      else if (strcmp (format, "state-dict") == 0)
        ok = collect_state_dict (path, tensors, error);
      else
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_WRONG_FORMAT,
                       "%s: libtorch reads TorchScript archives and state dicts, not “%s” files",
                       path, format);
          return NULL;
        }
      if (!ok)
        return NULL;

      for (const auto &[name, tensor] : tensors)
        {
          std::string dtype;
          guint bits = 0;

          if (!tensor.defined () || tensor.layout () != at::kStrided || tensor.is_complex ())
            {
              cnc_weights_skip (weights, name.c_str (), "not a dense real tensor");
              continue;
            }
          dtype_of (tensor.scalar_type (), dtype, bits);
          if (!tensor.is_quantized () && !tensor.is_floating_point ())
            {
              cnc_weights_skip (weights, name.c_str (), dtype.c_str ());
              continue;
            }

          at::Tensor values = tensor.is_quantized () ? tensor.dequantize () : tensor;
          values = values.detach ().to (at::kFloat).contiguous ();
          std::vector<gint64> shape (tensor.sizes ().begin (), tensor.sizes ().end ());
          gint64 numel = values.numel ();
          float *data = g_new (float, MAX (numel, 1));

          if (numel > 0)
            memcpy (data, values.data_ptr<float> (), numel * sizeof (float));
          if (!cnc_weights_add (weights, name.c_str (), dtype.c_str (), tensor.is_quantized (),
                                shape.data (), (guint) shape.size (), data))
            cnc_weights_skip (weights, name.c_str (), "a second tensor of the same name");
        }
      return (CncWeights *) g_steal_pointer (&weights);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, path, std::current_exception ());
      return NULL;
    }
}
