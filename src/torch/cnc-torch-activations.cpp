/* cnc-torch-activations.cpp
 * Capturing the outputs of named submodules of a TorchScript model (scripted or traced), and Gram matrices.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-activations.h"
#include "cnc-torch-private.h"

#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <dlfcn.h>
#include <string.h>

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

using torch::jit::Node;
using torch::jit::Value;

struct _CncCapture
{
  std::string label;
  guint n_threads = 0;
  torch::jit::Module module;
  std::unique_ptr<torch::jit::GraphFunction> function;
  std::vector<std::string> modules;       /* every named submodule */
  std::vector<int> slot;                  /* per module: its element of the returned tuple, or -1 */
  std::vector<std::string> why;           /* per module: why it has no slot, or why the last run gave none */
  std::vector<at::Tensor> outputs;        /* per module: the last run's output, float32 contiguous */
  std::vector<std::vector<gint64>> shapes;
  std::vector<std::string> run_why;
};

/* The module paths a node runs in, outermost first ("layer1", "layer1.0", "layer1.0.conv1"),
 * from its inlined call stack. Calls of another method of the same module ("SELF") add no level;
 * below a call whose module is unknown nothing is attributed. */
static std::vector<std::string>
node_paths (const Node *node)
{
  std::vector<std::string> paths;
  std::string path;
  auto callstack = node->callstack ();

  if (!callstack)
    return paths;
  for (const auto &entry : (*callstack)->vec ())
    {
      const auto &instance = std::get<2> (entry);

      if (!instance)
        continue;   /* a call of a plain function (torch.nn.functional ...) */
      std::string name = instance->instance_name ();
      if (name == "SELF")
        continue;
      if (name == "INSTANCE_NAME_UNKNOWN" || name.empty ())
        break;
      path = path.empty () ? name : path + "." + name;
      paths.push_back (path);
    }
  return paths;
}

static bool
is_inside (const std::string              &path,
           const std::vector<std::string> &paths)
{
  /* @paths lists every level, so "inside" is membership. */
  for (const auto &p : paths)
    if (p == path)
      return true;
  return false;
}

/* A candidate output of a module: a value made inside the module and used outside it. */
struct Escape
{
  Value *value = nullptr;
  size_t produced_at = 0;   /* position of the producing node */
  Node *first_use = nullptr;    /* the first top-level node outside the module using it (or the return) */
  size_t first_use_at = 0;
};

/* Builds the capture graph: @capture->module's forward, inlined, returning a tuple of clones of
 * each module's output. Sets slot/why per module. */
static void
build_capture_graph (CncCapture *capture)
{
  torch::jit::Method forward = capture->module.get_method ("forward");
  std::shared_ptr<torch::jit::Graph> graph = forward.graph ()->copy ();
  torch::jit::Inline (*graph);

  torch::jit::Block *top = graph->block ();
  std::map<const Node *, size_t> position;
  std::map<const Node *, std::vector<std::string>> paths;
  size_t pos = 0;

  for (Node *node : top->nodes ())
    {
      position[node] = pos++;
      paths[node] = node_paths (node);
    }
  position[graph->return_node ()] = pos;
  paths[graph->return_node ()] = {};

  /* For each module path, the values leaving it (one per call). */
  std::map<std::string, std::vector<Escape>> escapes;

  for (Node *node : top->nodes ())
    {
      const auto &node_p = paths[node];

      if (node_p.empty ())
        continue;
      for (Value *value : node->outputs ())
        for (const std::string &p : node_p)
          {
            Escape escape;

            for (const torch::jit::Use &use : value->uses ())
              {
                Node *user = use.user;

                /* A use inside an if/loop counts where that if/loop stands. */
                while (user->owningBlock () != top)
                  user = user->owningBlock ()->owningNode ();
                if (is_inside (p, paths[user]))
                  continue;
                if (escape.first_use == nullptr || position[user] < escape.first_use_at)
                  {
                    escape.first_use = user;
                    escape.first_use_at = position[user];
                  }
              }
            if (escape.first_use == nullptr)
              continue;
            escape.value = value;
            escape.produced_at = position[node];
            escapes[p].push_back (escape);
          }
    }

  /* One clone per (value, place), shared by the nested modules that return the same value there. */
  std::map<std::pair<Value *, Node *>, int> clones;   /* → element of the tuple */
  std::vector<Value *> returned;

  capture->slot.assign (capture->modules.size (), -1);
  capture->why.assign (capture->modules.size (), std::string ());
  for (size_t i = 0; i < capture->modules.size (); i++)
    {
      const std::string &name = capture->modules[i];
      auto found = escapes.find (name);
      const Escape *chosen = nullptr;
      bool non_tensor = false;

      if (found != escapes.end ())
        for (const Escape &e : found->second)
          {
            if (!e.value->type ()->isSubtypeOf (*c10::TensorType::get ()))
              {
                non_tensor = true;
                continue;
              }
            /* The last call: the value produced last. */
            if (chosen == nullptr || e.produced_at > chosen->produced_at)
              chosen = &e;
          }
      if (chosen == nullptr)
        {
          if (non_tensor)
            capture->why[i] = "its output is not a tensor (a tuple, list or number)";
          else
            capture->why[i] = "no output of its own leaves it at the top level of forward (it "
                              "returns its input unchanged, is not called, or runs inside an if "
                              "or a loop)";
          continue;
        }

      auto key = std::make_pair (chosen->value, chosen->first_use);
      auto it = clones.find (key);
      if (it == clones.end ())
        {
          torch::jit::WithInsertPoint guard (chosen->first_use);
          returned.push_back (graph->insert (c10::Symbol::fromQualString ("aten::clone"),
                                             { chosen->value }));
          it = clones.emplace (key, (int) returned.size () - 1).first;
        }
      capture->slot[i] = it->second;
    }

  /* Return the clones instead of the model's output (which is still computed). */
  {
    torch::jit::WithInsertPoint guard (graph->return_node ());
    Node *tuple = graph->insertNode (graph->createTuple (returned));
    while (graph->outputs ().size () > 0)
      graph->eraseOutput (0);
    graph->registerOutput (tuple->output ());
  }

  capture->function = std::make_unique<torch::jit::GraphFunction> (
      "cnc_capture_forward", graph, nullptr, torch::jit::ExecutorExecutionMode::SIMPLE);
}

CncCapture *
cnc_torch_capture_open (const char  *path,
                        const char  *label,
                        guint        n_threads,
                        GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (label == NULL)
    label = path;

  /* The quantized engine must be chosen before a quantized model loads. */
  cnc_torch_quantized_engine ();

  try
    {
      auto capture = std::make_unique<CncCapture> ();

      capture->label = label;
      capture->n_threads = n_threads > 0 ? n_threads : g_get_num_processors ();
      capture->module = torch::jit::load (path, torch::kCPU);
      capture->module.eval ();

      for (const auto &m : capture->module.named_modules ())
        if (!m.name.empty ())
          capture->modules.push_back (m.name);
      if (capture->modules.empty ())
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                       "%s: the model has no submodules (a model saved after torch.jit.freeze, or "
                       "quantized by TorchScript passes, keeps none): the outputs of its layers "
                       "cannot be captured; use the model as saved before freezing", label);
          return NULL;
        }
      if (!capture->module.find_method ("forward"))
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                       "%s: the model has no forward method", label);
          return NULL;
        }
      size_t n_inputs = capture->module.get_method ("forward").graph ()->inputs ().size ();
      if (n_inputs != 2)
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                       "%s: the model's forward takes %zu inputs; only models taking one input "
                       "tensor can be run", label, n_inputs - 1);
          return NULL;
        }

      build_capture_graph (capture.get ());
      bool any = false;
      for (int s : capture->slot)
        any = any || s >= 0;
      if (!any)
        {
          g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                       "%s: no submodule's output could be found in the model's code (the code "
                       "does not record which module each operation came from: a frozen or "
                       "optimized model?)", label);
          return NULL;
        }
      capture->outputs.resize (capture->modules.size ());
      capture->shapes.resize (capture->modules.size ());
      capture->run_why.assign (capture->modules.size (), "the model has not run yet");
      return capture.release ();
    }
  catch (...)
    {
      _cnc_torch_set_error (error, label, std::current_exception ());
      return NULL;
    }
}

void
cnc_torch_capture_free (CncCapture *capture)
{
  delete capture;
}

guint
cnc_torch_capture_get_n_modules (CncCapture *capture)
{
  g_return_val_if_fail (capture != NULL, 0);

  return (guint) capture->modules.size ();
}

const char *
cnc_torch_capture_get_module (CncCapture *capture,
                              guint       i)
{
  g_return_val_if_fail (capture != NULL && i < capture->modules.size (), NULL);

  return capture->modules[i].c_str ();
}

gboolean
cnc_torch_capture_run (CncCapture   *capture,
                       const float  *input,
                       gint64        count,
                       const gint64 *instance_shape,
                       guint         n_dims,
                       GError      **error)
{
  g_return_val_if_fail (capture != NULL && input != NULL && count > 0, FALSE);
  g_return_val_if_fail (n_dims == 0 || instance_shape != NULL, FALSE);

  try
    {
      torch::NoGradGuard no_grad;
      std::vector<int64_t> sizes { count };

      at::set_num_threads ((int) capture->n_threads);
      for (guint k = 0; k < n_dims; k++)
        sizes.push_back (instance_shape[k]);
      at::Tensor x = torch::from_blob (const_cast<float *> (input), sizes, at::kFloat).clone ();

      torch::jit::Stack stack { capture->module._ivalue (), x };
      capture->function->run (stack);
      c10::IValue result = stack.back ();
      const auto &elements = result.toTupleRef ().elements ();

      for (size_t i = 0; i < capture->modules.size (); i++)
        {
          int s = capture->slot[i];

          capture->outputs[i] = at::Tensor ();
          capture->shapes[i].clear ();
          if (s < 0)
            {
              capture->run_why[i] = capture->why[i];
              continue;
            }
          at::Tensor t = elements[s].toTensor ();
          if (t.dim () < 1 || t.size (0) != count)
            {
              capture->run_why[i] = "its output is not one row per instance (shape "
                                    + c10::str (t.sizes ()) + ")";
              continue;
            }
          if (t.is_quantized ())
            t = t.dequantize ();
          capture->outputs[i] = t.to (at::kFloat).contiguous ();
          capture->shapes[i].assign (t.sizes ().begin () + 1, t.sizes ().end ());
          capture->run_why[i].clear ();
        }
      return TRUE;
    }
  catch (...)
    {
      _cnc_torch_set_error (error, capture->label.c_str (), std::current_exception ());
      return FALSE;
    }
}

const float *
cnc_torch_capture_get_output (CncCapture   *capture,
                              guint         i,
                              gint64       *features,
                              const char  **why)
{
  g_return_val_if_fail (capture != NULL && i < capture->modules.size (), NULL);

  const at::Tensor &t = capture->outputs[i];
  if (!t.defined ())
    {
      if (why != NULL)
        *why = capture->run_why[i].c_str ();
      if (features != NULL)
        *features = 0;
      return NULL;
    }
  if (features != NULL)
    *features = t.size (0) > 0 ? t.numel () / t.size (0) : 0;
  if (why != NULL)
    *why = NULL;
  return t.data_ptr<float> ();
}

const gint64 *
cnc_torch_capture_get_output_shape (CncCapture *capture,
                                    guint       i,
                                    guint      *n_dims)
{
  g_return_val_if_fail (capture != NULL && i < capture->modules.size (), NULL);

  if (n_dims != NULL)
    *n_dims = (guint) capture->shapes[i].size ();
  return capture->shapes[i].data ();
}

/* CBLAS's SYRK, found in the BLAS libtorch loaded (OpenBLAS here), when it exports one. */
typedef void (*SsyrkFunc) (int order, int uplo, int trans, int n, int k, float alpha,
                           const float *a, int lda, float beta, float *c, int ldc);
typedef void (*SetThreadsFunc) (int n);

static SsyrkFunc ssyrk_func;
/* OpenBLAS keeps one process-wide thread count, and once a call from a thread limited to one
 * OpenMP thread has set it to 1 it stays 1: it is set back after such calls. */
static SetThreadsFunc openblas_set_threads;

static SsyrkFunc
find_ssyrk (void)
{
  static gsize found = 0;

  if (g_once_init_enter (&found))
    {
      ssyrk_func = (SsyrkFunc) dlsym (RTLD_DEFAULT, "cblas_ssyrk");
      openblas_set_threads = (SetThreadsFunc) dlsym (RTLD_DEFAULT, "openblas_set_num_threads");
      g_debug ("Gram matrices through %s", ssyrk_func ? "cblas_ssyrk" : "torch::mm");
      g_once_init_leave (&found, 1);
    }
  return ssyrk_func;
}

gboolean
cnc_torch_gram (const float  *x,
                gint64        n,
                gint64        d,
                float        *out,
                guint         n_threads,
                GError      **error)
{
  enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_UPPER = 121, BLOCK = 64 };
  SsyrkFunc ssyrk = find_ssyrk ();

  g_return_val_if_fail (x != NULL && out != NULL && n > 0 && d > 0, FALSE);

  int previous = at::get_num_threads ();
  gboolean ok = TRUE;

  try
    {
      /* The thread count is the calling thread's (OpenMP's, which OpenBLAS follows too). */
      if (n_threads > 0)
        at::set_num_threads ((int) n_threads);
      if (ssyrk != NULL && n <= std::numeric_limits<int>::max () && d <= std::numeric_limits<int>::max ())
        {
          ssyrk (CBLAS_ROW_MAJOR, CBLAS_UPPER, CBLAS_NO_TRANS, (int) n, (int) d, 1.0f, x, (int) d,
                 0.0f, out, (int) n);
          /* SYRK fills the upper triangle: mirror it, block by block. */
          for (gint64 bi = 0; bi < n; bi += BLOCK)
            for (gint64 bj = bi; bj < n; bj += BLOCK)
              for (gint64 i = bi; i < MIN (bi + BLOCK, n); i++)
                for (gint64 j = MAX (bj, i + 1); j < MIN (bj + BLOCK, n); j++)
                  out[j * n + i] = out[i * n + j];
        }
      else
        {
          at::Tensor a = torch::from_blob (const_cast<float *> (x), { n, d }, at::kFloat);
          at::Tensor c = torch::from_blob (out, { n, n }, at::kFloat);
          at::mm_out (c, a, a.t ());
        }
    }
  catch (...)
    {
      _cnc_torch_set_error (error, "Gram matrix", std::current_exception ());
      ok = FALSE;
    }
  if (n_threads > 0 && previous != (int) n_threads)
    {
      at::set_num_threads (previous);
      if (openblas_set_threads != NULL)
        openblas_set_threads (previous);
    }
  return ok;
}

const CncActivationBackend *
cnc_torch_activation_backend (void)
{
  static const CncActivationBackend backend = {
    cnc_torch_capture_open,
    cnc_torch_capture_free,
    cnc_torch_capture_get_n_modules,
    cnc_torch_capture_get_module,
    cnc_torch_capture_run,
    cnc_torch_capture_get_output,
    cnc_torch_gram,
  };

  return &backend;
}
