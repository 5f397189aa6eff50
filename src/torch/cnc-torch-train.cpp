/* cnc-torch-train.cpp
 * Building the small CNN in libtorch, training and fine-tuning (sparsity kept), knowledge distillation.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-torch"

#include "cnc-torch-compress-private.h"
#include "cnc-torch-eval.h"
#include "cnc-torch-private.h"

#include <torch/script.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>
#include <ATen/CPUGeneratorImpl.h>

#include <math.h>

#include <memory>
#include <unordered_set>
#include <vector>

void
cnc_train_options_init (CncTrainOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (CncTrainOptions) {
    .epochs = 1,
    .optimizer = CNC_OPTIMIZER_ADAM,
    .learning_rate = 1e-3,
    .lr_decay = 1.0,
    .momentum = 0.9,
    .weight_decay = 0.0,
    .batch_size = 128,
    .shuffle = TRUE,
    .seed = 0,
    .keep_zeros = TRUE,
    .log_every = 50,
    .threads = 2,
    .max_batches = 0,
  };
}

void
cnc_loss_curve_free (CncLossCurve *curve)
{
  if (curve == NULL)
    return;
  g_clear_pointer (&curve->epoch_loss, g_array_unref);
  g_clear_pointer (&curve->step_loss, g_array_unref);
  g_free (curve);
}

static void
append_doubles (GString      *json,
                const GArray *values)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (json, '[');
  for (guint i = 0; i < values->len; i++)
    {
      double v = g_array_index (values, double, i);
      if (i > 0)
        g_string_append (json, ", ");
      if (isfinite (v))
        g_string_append (json, g_ascii_formatd (buffer, sizeof buffer, "%.6g", v));
      else
        g_string_append (json, "null");
    }
  g_string_append_c (json, ']');
}

char *
cnc_loss_curve_to_json (const CncLossCurve *curve)
{
  GString *json;

  g_return_val_if_fail (curve != NULL, NULL);

  json = g_string_new ("{\"epoch_loss\": ");
  append_doubles (json, curve->epoch_loss);
  g_string_append (json, ", \"step_loss\": ");
  append_doubles (json, curve->step_loss);
  g_string_append_printf (json, ", \"log_every\": %u, \"batches\": %u, \"seconds\": %.3f}", curve->log_every,
                          curve->batches, curve->seconds);
  return g_string_free (json, FALSE);
}

/* ---- The training loop ---- */

struct Mask
{
  at::Tensor parameter;
  at::Tensor zero;       /* bool, where the parameter was exactly 0 at the start */
};

static gboolean
check_train_options (const CncTrainOptions  *o,
                     GError                **error)
{
  if (o->epochs == 0 || o->batch_size == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Training needs at least one epoch and a batch size of at least 1");
      return FALSE;
    }
  if (!(o->learning_rate > 0.0) || !isfinite (o->learning_rate))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The learning rate must be a positive number, not %g", o->learning_rate);
      return FALSE;
    }
  if (!(o->lr_decay > 0.0 && o->lr_decay <= 1.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The learning rate decay must be in (0, 1], not %g", o->lr_decay);
      return FALSE;
    }
  if (o->optimizer != CNC_OPTIMIZER_ADAM && o->optimizer != CNC_OPTIMIZER_SGD)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown optimizer %d", (int) o->optimizer);
      return FALSE;
    }
  return TRUE;
}

/* Checks a model's output for one batch: @n × n_classes scores. */
static gboolean
check_output (const char           *path,
              const at::Tensor     &out,
              int64_t               n,
              const CncBatchSource *data,
              GError              **error)
{
  if (out.dim () == 2 && out.size (0) == n && out.size (1) == (int64_t) data->n_classes
      && out.is_floating_point ())
    return TRUE;
  g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
               "%s: the model gives %s for a batch of %" G_GINT64_FORMAT " instances of %u × %u × %u, "
               "not %" G_GINT64_FORMAT " × %u class scores", path, c10::str (out.sizes ()).c_str (),
               (gint64) n, data->channels, data->height, data->width, (gint64) n, data->n_classes);
  return FALSE;
}

/* Trains @model in place (cross-entropy, or distillation from @teacher when given). */
static CncLossCurve *
run_training (const char              *path,
              torch::jit::Module      &model,
              torch::jit::Module      *teacher,
              const CncDistillOptions *distill,
              const CncBatchSource    *data,
              const CncTrainOptions   *o,
              CncProgressFunc          progress,
              gpointer                 progress_data,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(CncLossCurve) curve = g_new0 (CncLossCurve, 1);
  std::vector<at::Tensor> parameters;
  std::unordered_set<const void *> seen;
  std::vector<Mask> masks;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  at::Tensor images, labels;
  const int64_t n = data->n;
  const int64_t batch_size = o->batch_size;
  int64_t batches_per_epoch = (n + batch_size - 1) / batch_size;
  gint64 started;

  curve->epoch_loss = g_array_new (FALSE, FALSE, sizeof (double));
  curve->step_loss = g_array_new (FALSE, FALSE, sizeof (double));
  curve->log_every = o->log_every > 0 ? o->log_every : 50;
  if (o->max_batches > 0)
    batches_per_epoch = std::min (batches_per_epoch, (int64_t) o->max_batches);

  if (o->threads > 0)
    cnc_torch_set_threads (o->threads);

  for (const auto &p : model.parameters ())
    if (p.requires_grad () && p.is_floating_point () && seen.insert (p.unsafeGetTensorImpl ()).second)
      parameters.push_back (p);
  if (parameters.empty ())
    {
      g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                   "%s: the model has no trainable parameter (every one has requires_grad off, "
                   "or the model is frozen)", path);
      return NULL;
    }

  if (o->keep_zeros)
    {
      torch::NoGradGuard no_grad;
      for (const auto &p : parameters)
        {
          at::Tensor zero = p.eq (0);
          if (zero.any ().item<bool> ())
            masks.push_back ({ p, zero });
        }
    }

  if (o->optimizer == CNC_OPTIMIZER_SGD)
    optimizer = std::make_unique<torch::optim::SGD> (
      parameters, torch::optim::SGDOptions (o->learning_rate).momentum (o->momentum)
                    .weight_decay (o->weight_decay));
  else
    optimizer = std::make_unique<torch::optim::Adam> (
      parameters, torch::optim::AdamOptions (o->learning_rate).weight_decay (o->weight_decay));

  if (progress != NULL)
    progress (progress_data, 0.0, "Reading the training data");
  if (!_cnc_torch_ops_read (data, n, images, labels, cancellable, error))
    return NULL;

  auto generator = at::detail::createCPUGenerator (o->seed);
  double step_sum = 0.0;
  guint step_count = 0;
  const double total_batches = (double) o->epochs * (double) batches_per_epoch;

  started = g_get_monotonic_time ();
  if (teacher != NULL)
    teacher->eval ();
  for (guint epoch = 0; epoch < o->epochs; epoch++)
    {
      at::Tensor order = o->shuffle ? at::randperm (n, generator) : at::Tensor ();
      double epoch_sum = 0.0;

      for (auto &group : optimizer->param_groups ())
        group.options ().set_lr (o->learning_rate * pow (o->lr_decay, epoch));

      model.train (true);
      for (int64_t b = 0; b < batches_per_epoch; b++)
        {
          int64_t first = b * batch_size, last = std::min (n, first + batch_size);
          at::Tensor x, y, out, loss;
          double value;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return NULL;

          if (order.defined ())
            {
              at::Tensor index = order.slice (0, first, last);
              x = images.index_select (0, index);
              y = labels.index_select (0, index);
            }
          else
            {
              x = images.slice (0, first, last);
              y = labels.slice (0, first, last);
            }

          out = model.forward ({ x }).toTensor ();
          if (b == 0 && epoch == 0 && !check_output (path, out, last - first, data, error))
            return NULL;
          loss = at::cross_entropy_loss (out, y);

          if (teacher != NULL)
            {
              at::Tensor teacher_out;
              double t = distill->temperature;
              {
                torch::NoGradGuard no_grad;
                teacher_out = teacher->forward ({ x }).toTensor ();
              }
              if (b == 0 && epoch == 0 && !check_output ("the teacher", teacher_out, last - first, data, error))
                return NULL;
              at::Tensor log_student = at::log_softmax (out / t, 1);
              at::Tensor log_teacher = at::log_softmax (teacher_out / t, 1);
              /* KL(teacher ‖ student) summed over classes, averaged over the batch. */
              at::Tensor kl = (log_teacher.exp () * (log_teacher - log_student)).sum () / (double) (last - first);
              loss = distill->alpha * t * t * kl + (1.0 - distill->alpha) * loss;
            }

          optimizer->zero_grad ();
          loss.backward ();
          for (auto &mask : masks)
            if (mask.parameter.grad ().defined ())
              mask.parameter.mutable_grad ().masked_fill_ (mask.zero, 0);
          optimizer->step ();
          {
            torch::NoGradGuard no_grad;
            for (auto &mask : masks)
              mask.parameter.masked_fill_ (mask.zero, 0);
          }

          value = loss.item<double> ();
          if (!isfinite (value))
            {
              g_set_error (error, CNC_TORCH_ERROR, CNC_TORCH_ERROR_FAILED,
                           "%s: the training loss became %g at epoch %u, batch %" G_GINT64_FORMAT
                           ": try a smaller learning rate", path, value, epoch + 1, (gint64) b + 1);
              return NULL;
            }
          epoch_sum += value;
          step_sum += value;
          curve->batches++;
          if (++step_count == curve->log_every)
            {
              double mean = step_sum / step_count;
              g_array_append_val (curve->step_loss, mean);
              step_sum = 0.0;
              step_count = 0;
            }

          if (progress != NULL)
            {
              g_autofree char *message = g_strdup_printf ("Epoch %u of %u, batch %" G_GINT64_FORMAT
                                                          " of %" G_GINT64_FORMAT ", loss %.3f",
                                                          epoch + 1, o->epochs, (gint64) b + 1,
                                                          (gint64) batches_per_epoch, value);
              progress (progress_data, (double) curve->batches / total_batches, message);
            }
        }
      double mean = epoch_sum / (double) batches_per_epoch;
      g_array_append_val (curve->epoch_loss, mean);
    }
  if (step_count > 0)
    {
      double mean = step_sum / step_count;
      g_array_append_val (curve->step_loss, mean);
    }
  curve->seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  model.eval ();
  return (CncLossCurve *) g_steal_pointer (&curve);
}

CncLossCurve *
cnc_torch_train (const char             *in_path,
                 const char             *out_path,
                 const CncBatchSource   *data,
                 const CncTrainOptions  *options,
                 CncProgressFunc         progress,
                 gpointer                progress_data,
                 GCancellable           *cancellable,
                 GError                **error)
{
  g_return_val_if_fail (in_path != NULL && out_path != NULL && options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_cnc_torch_ops_check_source (data, error) || !check_train_options (options, error))
    return NULL;

  try
    {
      torch::jit::Module model;
      g_autoptr(CncLossCurve) curve = NULL;

      if (!_cnc_torch_ops_load (in_path, model, error))
        return NULL;
      curve = run_training (in_path, model, NULL, NULL, data, options, progress, progress_data,
                            cancellable, error);
      if (curve == NULL || g_cancellable_set_error_if_cancelled (cancellable, error)
          || !_cnc_torch_ops_save (model, out_path, error))
        return NULL;
      return (CncLossCurve *) g_steal_pointer (&curve);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, in_path, std::current_exception ());
      return NULL;
    }
}

CncLossCurve *
cnc_torch_distill (const char              *teacher_path,
                   const char              *student_path,
                   const char              *out_path,
                   const CncBatchSource    *data,
                   const CncTrainOptions   *options,
                   const CncDistillOptions *distill,
                   CncProgressFunc          progress,
                   gpointer                 progress_data,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  g_return_val_if_fail (teacher_path != NULL && student_path != NULL && out_path != NULL, NULL);
  g_return_val_if_fail (options != NULL && distill != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_cnc_torch_ops_check_source (data, error) || !check_train_options (options, error))
    return NULL;
  if (!(distill->alpha >= 0.0 && distill->alpha <= 1.0) || !(distill->temperature > 0.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Distillation needs alpha in [0, 1] and a positive temperature (not %g and %g)",
                   distill->alpha, distill->temperature);
      return NULL;
    }

  try
    {
      torch::jit::Module teacher, student;
      g_autoptr(CncLossCurve) curve = NULL;

      if (!_cnc_torch_ops_load (teacher_path, teacher, error)
          || !_cnc_torch_ops_load (student_path, student, error))
        return NULL;
      curve = run_training (student_path, student, &teacher, distill, data, options, progress,
                            progress_data, cancellable, error);
      if (curve == NULL || g_cancellable_set_error_if_cancelled (cancellable, error)
          || !_cnc_torch_ops_save (student, out_path, error))
        return NULL;
      return (CncLossCurve *) g_steal_pointer (&curve);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, student_path, std::current_exception ());
      return NULL;
    }
}

/* ---- The small CNN, built without Python ---- */

using torch::jit::Module;
using CompilationUnitPtr = std::shared_ptr<torch::jit::CompilationUnit>;

/* A module of type @qualified_name (mangled when the name is taken, as PyTorch does). */
static Module
new_module (const CompilationUnitPtr &cu,
            const char               *qualified_name)
{
  Module m (qualified_name, cu, /* shouldMangle */ true);
  m.register_attribute ("training", c10::BoolType::get (), true);
  return m;
}

/* PyTorch's default initialization of Conv and Linear: kaiming_uniform_(a=√5) for the weight
 * and U(−1/√fan_in, 1/√fan_in) for the bias, which are the same bound. */
static void
add_weight_and_bias (Module               &m,
                     at::IntArrayRef       shape,
                     int64_t               fan_in,
                     at::Generator        &generator)
{
  double bound = 1.0 / sqrt ((double) fan_in);
  at::Tensor weight = at::empty (shape, at::kFloat).uniform_ (-bound, bound, generator);
  at::Tensor bias = at::empty ({ shape[0] }, at::kFloat).uniform_ (-bound, bound, generator);

  m.register_parameter ("weight", weight.requires_grad_ (true), false);
  m.register_parameter ("bias", bias.requires_grad_ (true), false);
}

static Module
conv2d (const CompilationUnitPtr &cu,
        int64_t                   in,
        int64_t                   out,
        at::Generator            &generator)
{
  Module m = new_module (cu, "__torch__.torch.nn.modules.conv.Conv2d");

  add_weight_and_bias (m, { out, in, 3, 3 }, in * 9, generator);
  m.define (R"(
def forward(self, input):
    return torch.conv2d(input, self.weight, self.bias, [1, 1], [0, 0], [1, 1], 1)
)");
  return m;
}

static Module
linear (const CompilationUnitPtr &cu,
        int64_t                   in,
        int64_t                   out,
        at::Generator            &generator)
{
  Module m = new_module (cu, "__torch__.torch.nn.modules.linear.Linear");

  add_weight_and_bias (m, { out, in }, in, generator);
  m.define (R"(
def forward(self, input):
    return torch.linear(input, self.weight, self.bias)
)");
  return m;
}

/* BatchNorm2d as torch.nn's, momentum 0.1 and eps 1e-5 as constants of the type. */
static Module
batch_norm2d (const CompilationUnitPtr &cu,
              int64_t                   channels)
{
  Module m = new_module (cu, "__torch__.torch.nn.modules.batchnorm.BatchNorm2d");

  m.register_parameter ("weight", at::ones ({ channels }).requires_grad_ (true), false);
  m.register_parameter ("bias", at::zeros ({ channels }).requires_grad_ (true), false);
  m.register_buffer ("running_mean", at::zeros ({ channels }));
  m.register_buffer ("running_var", at::ones ({ channels }));
  m.register_buffer ("num_batches_tracked", at::zeros ({}, at::kLong));
  m.type ()->addConstant ("momentum", c10::IValue (0.1));
  m.type ()->addConstant ("eps", c10::IValue (1e-5));
  m.define (R"(
def forward(self, input):
    if self.training:
        self.num_batches_tracked = torch.add(self.num_batches_tracked, 1)
    return torch.batch_norm(input, self.weight, self.bias, self.running_mean, self.running_var,
                            self.training, 0.1, 1e-5, True)
)");
  return m;
}

static Module
simple (const CompilationUnitPtr &cu,
        const char               *qualified_name,
        const char               *body)
{
  Module m = new_module (cu, qualified_name);
  g_autofree char *source = g_strdup_printf ("def forward(self, input):\n    return %s\n", body);

  m.define (source);
  return m;
}

static Module
sequential (const CompilationUnitPtr  &cu,
            const std::vector<Module> &children)
{
  Module m = new_module (cu, "__torch__.torch.nn.modules.container.Sequential");
  g_autoptr(GString) source = g_string_new ("def forward(self, input):\n");

  for (size_t i = 0; i < children.size (); i++)
    {
      std::string name = std::to_string (i);
      m.register_module (name, children[i]);
      g_string_append_printf (source, "    input = getattr(self, \"%s\").forward(input)\n", name.c_str ());
    }
  g_string_append (source, "    return input\n");
  m.define (source->str);
  return m;
}

gboolean
cnc_torch_build_cnn (const char  *out_path,
                     CncCnnSize   size,
                     guint        channels,
                     guint        height,
                     guint        width,
                     guint        n_classes,
                     guint64      seed,
                     GError     **error)
{
  g_return_val_if_fail (out_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (channels == 0 || channels > 64 || height < 10 || width < 10 || height > 4096 || width > 4096
      || n_classes < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The small CNN takes 1–64 channels of at least 10 × 10 pixels and 2 classes or more "
                   "(not %u × %u × %u, %u classes)", channels, height, width, n_classes);
      return FALSE;
    }

  try
    {
      const bool student = size == CNC_CNN_STUDENT;
      const int64_t c1 = student ? 8 : 16, c2 = student ? 16 : 32, hidden = student ? 32 : 128;
      /* 3×3 convolution without padding, then 2×2 max pooling, twice. */
      const int64_t h = ((height - 2) / 2 - 2) / 2, w = ((width - 2) / 2 - 2) / 2;
      auto cu = std::make_shared<torch::jit::CompilationUnit> ();
      at::Generator generator = at::detail::createCPUGenerator (seed);
      const char *relu = "__torch__.torch.nn.modules.activation.ReLU";
      const char *pool = "__torch__.torch.nn.modules.pooling.MaxPool2d";
      const char *pool_body = "torch.max_pool2d(input, [2, 2], [2, 2], [0, 0], [1, 1], False)";

      Module features = sequential (cu, {
        conv2d (cu, channels, c1, generator),
        batch_norm2d (cu, c1),
        simple (cu, relu, "torch.relu(input)"),
        simple (cu, pool, pool_body),
        conv2d (cu, c1, c2, generator),
        batch_norm2d (cu, c2),
        simple (cu, relu, "torch.relu(input)"),
        simple (cu, pool, pool_body),
      });
      Module classifier = sequential (cu, {
        simple (cu, "__torch__.torch.nn.modules.flatten.Flatten", "torch.flatten(input, 1)"),
        linear (cu, c2 * h * w, hidden, generator),
        simple (cu, relu, "torch.relu(input)"),
        linear (cu, hidden, n_classes, generator),
      });
      Module root = new_module (cu, student ? "__torch__.compress_compare.StudentCNN"
                                            : "__torch__.compress_compare.SmallCNN");
      root.register_module ("features", features);
      root.register_module ("classifier", classifier);
      root.define (R"(
def forward(self, x):
    return self.classifier.forward(self.features.forward(x))
)");
      return _cnc_torch_ops_save (root, out_path, error);
    }
  catch (...)
    {
      _cnc_torch_set_error (error, out_path, std::current_exception ());
      return FALSE;
    }
}
