/* cnc-torch-recalibrate.cpp
 * BatchNorm recalibration: running statistics estimated again on training batches.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-compress-private.h"
#include "cnc-torch-eval.h"

#include <ATen/CPUGeneratorImpl.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include <algorithm>
#include <vector>

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
