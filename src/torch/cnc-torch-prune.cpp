/* cnc-torch-prune.cpp
 * Magnitude pruning (global or per layer) and L1 channel pruning of TorchScript files.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-compress-private.h"
#include "cnc-torch-eval.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include <algorithm>
#include <vector>

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

  return _cnc_torch_ops_edit_targets (in_path, out_path, options->pattern, /* channels */ false, cancellable, error,
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

  return _cnc_torch_ops_edit_targets (in_path, out_path, options->pattern, /* channels */ true, cancellable, error,
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
