/* cnc-operation-job.c
 * The operation jobs: run a compression operation in a scratch folder, inspect and evaluate the result on the
 * worker thread, then record the new model, its lineage, layers, loss curve and evaluation in one transaction.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-engine"

#include "cnc-operation-job.h"
#include "core/cnc-json-build.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cnc-evaluate-private.h"
#include "cnc-engine-enums.h"
#include "cnc-job-private.h"
#include "core/cnc-enum-names.h"
#include "core/registry/cnc-dataset-rows.h"
#include "core/registry/cnc-import.h"
#include "core/registry/cnc-store.h"
#include "torch/cnc-torch.h"
#include "torch/cnc-torch-eval.h"

CNC_DEFINE_ENUM_NAMES (CncOperationKind, CNC_TYPE_OPERATION_KIND, cnc_operation_kind_name, cnc_operation_kind_from_name)

void
cnc_operate_options_init (CncOperateOptions *o,
                          CncOperationKind   kind)
{
  memset (o, 0, sizeof *o);
  o->kind = kind;
  o->cnn = CNC_CNN_BASE;
  o->prune.amount = 0.5;
  o->prune.scope = CNC_PRUNE_GLOBAL;
  o->quantize.bits = 8;
  cnc_train_options_init (&o->train);
  o->train.keep_zeros = kind != CNC_OPERATION_TRAIN;
  o->train.threads = 0;   /* the job sets the worker thread's own */
  o->distill.alpha = 0.7;
  o->distill.temperature = 4.0;
  cnc_recalibrate_options_init (&o->recalibrate);
  o->recalibrate.threads = 0;
}

char *
cnc_operate_default_name (const CncOperateOptions *o)
{
  const char *parent = o->parent ? o->parent : "model";

  switch (o->kind)
    {
    case CNC_OPERATION_PRUNE:
      return g_strdup_printf ("%s-prune-%.4g", parent, o->prune.amount * 100);
    case CNC_OPERATION_PRUNE_CHANNELS:
      return g_strdup_printf ("%s-channels-%.4g", parent, o->prune.amount * 100);
    case CNC_OPERATION_QUANTIZE:
      return g_strdup_printf ("%s-int%u", parent, o->quantize.bits);
    case CNC_OPERATION_QUANTIZE_DYNAMIC:
      return g_strdup_printf ("%s-dynamic-int8", parent);
    case CNC_OPERATION_FINE_TUNE:
      return g_strdup_printf ("%s-ft", parent);
    case CNC_OPERATION_RECALIBRATE:
      return g_strdup_printf ("%s-bn", parent);
    case CNC_OPERATION_DISTILL:
      return g_strdup_printf ("%s-kd", parent);
    case CNC_OPERATION_TRAIN:
      return g_strdup (o->cnn == CNC_CNN_STUDENT ? "cnn-student" : "cnn-base");
    }
  return g_strdup (parent);
}

/* ---- parameters, as the registry keeps them ---- */

static void
add_optional_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value)
    cnc_json_add_string (b, name, value);
}

static void
add_training (JsonBuilder *b, const CncOperateOptions *o)
{
  const CncTrainOptions *t = &o->train;

  cnc_json_add_string (b, "dataset", o->dataset ? o->dataset : CNC_DATASET_BUILTIN);
  cnc_json_add_int (b, "epochs", t->epochs);
  cnc_json_add_string (b, "optimizer", t->optimizer == CNC_OPTIMIZER_SGD ? "sgd" : "adam");
  cnc_json_add_number (b, "learning_rate", t->learning_rate);
  if (t->lr_decay != 1.0)
    cnc_json_add_number (b, "lr_decay", t->lr_decay);
  if (t->optimizer == CNC_OPTIMIZER_SGD)
    cnc_json_add_number (b, "momentum", t->momentum);
  if (t->weight_decay != 0.0)
    cnc_json_add_number (b, "weight_decay", t->weight_decay);
  cnc_json_add_int (b, "batch_size", t->batch_size);
  if (t->max_batches)
    cnc_json_add_int (b, "max_batches", t->max_batches);
  cnc_json_add_int (b, "seed", (gint64) t->seed);
}

char *
cnc_operate_parameters_json (const CncOperateOptions *o)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  switch (o->kind)
    {
    case CNC_OPERATION_PRUNE:
      cnc_json_add_number (b, "amount", o->prune.amount);
      cnc_json_add_string (b, "scope", o->prune.scope == CNC_PRUNE_GLOBAL ? "global" : "per-layer");
      add_optional_string (b, "pattern", o->prune.pattern);
      break;
    case CNC_OPERATION_PRUNE_CHANNELS:
      cnc_json_add_number (b, "amount", o->prune.amount);
      cnc_json_add_string (b, "norm", "L1");
      add_optional_string (b, "pattern", o->prune.pattern);
      break;
    case CNC_OPERATION_QUANTIZE:
      cnc_json_add_int (b, "bits", o->quantize.bits);
      cnc_json_add_string (b, "scheme", "per-channel symmetric");
      add_optional_string (b, "pattern", o->quantize.pattern);
      break;
    case CNC_OPERATION_QUANTIZE_DYNAMIC:
      cnc_json_add_int (b, "bits", 8);
      cnc_json_add_string (b, "scheme", "dynamic (Linear)");
      cnc_json_add_string (b, "engine", cnc_torch_quantized_engine ());
      break;
    case CNC_OPERATION_FINE_TUNE:
      add_training (b, o);
      break;
    case CNC_OPERATION_RECALIBRATE:
      cnc_json_add_string (b, "dataset", o->dataset ? o->dataset : CNC_DATASET_BUILTIN);
      cnc_json_add_int (b, "batches", o->recalibrate.batches);
      cnc_json_add_int (b, "batch_size", o->recalibrate.batch_size);
      break;
    case CNC_OPERATION_DISTILL:
      cnc_json_add_string (b, "teacher", o->teacher);
      cnc_json_add_number (b, "alpha", o->distill.alpha);
      cnc_json_add_number (b, "temperature", o->distill.temperature);
      add_training (b, o);
      break;
    case CNC_OPERATION_TRAIN:
      cnc_json_add_string (b, "architecture", o->cnn == CNC_CNN_STUDENT ? "cnn-student" : "cnn-base");
      add_training (b, o);
      break;
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* ---- the job's data ---- */

typedef struct {
  CncOperateOptions  o;            /* strings point into the fields below */
  char              *name, *parent, *teacher, *dataset, *notes, *prune_pattern, *quantize_pattern;
  char              *eval_dataset, *eval_split, *eval_device;
  GStrv              tags;
  char              *parameters;

  /* made by run */
  char              *scratch;      /* the scratch folder, removed with the data */
  char              *out_path;
  GPtrArray         *layers;
  char              *sha256;
  gint64             size;
  char              *curve;        /* loss curve JSON, training operations only */
  char              *what;         /* "pruned 50% of base", for the summary */
  CncEvaluation     *ev;
} Operation;

static void
operation_free (Operation *op)
{
  if (op->out_path)
    g_unlink (op->out_path);
  if (op->scratch)
    g_rmdir (op->scratch);
  g_free (op->name);
  g_free (op->parent);
  g_free (op->teacher);
  g_free (op->dataset);
  g_free (op->notes);
  g_free (op->prune_pattern);
  g_free (op->quantize_pattern);
  g_free (op->eval_dataset);
  g_free (op->eval_split);
  g_free (op->eval_device);
  g_strfreev (op->tags);
  g_free (op->parameters);
  g_free (op->scratch);
  g_free (op->out_path);
  g_clear_pointer (&op->layers, g_ptr_array_unref);
  g_free (op->sha256);
  g_free (op->curve);
  g_free (op->what);
  g_clear_pointer (&op->ev, _cnc_evaluation_free);
  g_free (op);
}

/* Progress from the shim (a fraction) as the job's progress, in thousandths. */
static void
report (gpointer    data,
        double      fraction,
        const char *message)
{
  cnc_job_context_progress (data, (gint64) llround (CLAMP (fraction, 0, 1) * 1000), 1000, message);
}

static gboolean
read_instances (gpointer  data,
                gint64    start,
                gint64    count,
                float    *images,
                gint32   *labels,
                GError  **error)
{
  CncDataset *dataset = data;

  if (!cnc_dataset_read_batch (dataset, start, count, images, error))
    return FALSE;
  memcpy (labels, cnc_dataset_get_labels (dataset) + start, (gsize) count * sizeof (gint32));
  return TRUE;
}

/* A model the operation reads: it must exist, be TorchScript and be the file imported. */
static CncModel *
runnable_model (CncWorkspace *ws,
                const char   *name,
                const char   *role,
                char        **path,
                GCancellable *cancellable,
                GError      **error)
{
  g_autoptr(CncModel) model = cnc_workspace_find_model (ws, name, error);
  gint64 size;

  if (model == NULL)
    {
      g_prefix_error (error, "the %s: ", role);
      return NULL;
    }
  if (!_cnc_evaluation_check_file (ws, model, path, &size, cancellable, error))
    return NULL;
  return g_steal_pointer (&model);
}

/* The evaluation of the new model: on the parent's most recent dataset split unless told. */
static gboolean
choose_evaluation (Operation      *op,
                   CncWorkspace   *ws,
                   const CncModel *parent,
                   GError        **error)
{
  CncEvaluateOptions e = op->o.evaluate;
  g_autofree char *dataset = NULL;
  g_autofree char *split = NULL;

  if (e.dataset == NULL && parent != NULL)
    {
      g_autoptr(GPtrArray) evaluations = cnc_predictions_list (ws, parent->id, error);

      if (evaluations == NULL)
        return FALSE;
      if (evaluations->len > 0)
        {
          CncPredictions *newest = evaluations->pdata[0];
          if (!cnc_predictions_get_dataset (ws, newest->dataset, &dataset, NULL, error))
            return FALSE;
          split = g_strdup (newest->split);
        }
    }
  if (e.dataset == NULL && dataset == NULL)
    dataset = g_strdup (op->dataset ? op->dataset : CNC_DATASET_BUILTIN);
  if (dataset)
    {
      e.dataset = dataset;
      if (e.split == NULL)
        e.split = split ? split : "test";
    }
  op->ev = _cnc_evaluation_new (0, &e);
  return TRUE;
}

static const char *
percent (double amount, char *buffer, gsize size)
{
  g_snprintf (buffer, size, "%.4g%%", amount * 100);
  return buffer;
}

/* libtorch's dynamic quantization freezes the model: its convolutions and BatchNorm layers become
 * unnamed constants (their values those of the parent) and each Linear's packed weights an
 * attribute "…_jit_pass_packed_weight_N". The new model's layer table is the parent's, with each
 * Linear weight and bias replaced by its quantized counterpart (matched in order, by shape). */
static GPtrArray *
dynamic_layers (GPtrArray *parent_layers,
                GPtrArray *packed)
{
  GPtrArray *layers = cnc_layer_stats_array_new ();
  g_autoptr(GHashTable) replaced = g_hash_table_new (g_str_hash, g_str_equal);   /* name → packed stats */
  guint from = 0;

  for (guint k = 0; k < packed->len; k++)
    {
      CncLayerStats *w = packed->pdata[k];
      CncLayerStats *b = k + 1 < packed->len ? packed->pdata[k + 1] : NULL;

      if (!g_str_has_suffix (w->name, ".weight") || w->n_dims != 2)
        continue;
      for (guint i = from; i < parent_layers->len; i++)
        {
          CncLayerStats *p = parent_layers->pdata[i];
          g_autofree char *bias_name = NULL;

          if (!g_str_has_suffix (p->name, ".weight") || p->n_dims != 2 || p->shape[0] != w->shape[0]
              || p->shape[1] != w->shape[1])
            continue;
          g_hash_table_insert (replaced, p->name, w);
          bias_name = g_strdup_printf ("%.*s.bias", (int) (strlen (p->name) - strlen (".weight")), p->name);
          if (b && g_str_has_suffix (b->name, ".bias"))
            for (guint j = 0; j < parent_layers->len; j++)
              if (g_str_equal (((CncLayerStats *) parent_layers->pdata[j])->name, bias_name))
                g_hash_table_insert (replaced, ((CncLayerStats *) parent_layers->pdata[j])->name, b);
          from = i + 1;
          break;
        }
    }
  for (guint i = 0; i < parent_layers->len; i++)
    {
      CncLayerStats *p = parent_layers->pdata[i];
      CncLayerStats *q = g_hash_table_lookup (replaced, p->name);
      CncLayerStats *copy = cnc_layer_stats_copy (q ? q : p);

      if (q)
        {
          g_free (copy->name);
          copy->name = g_strdup (p->name);
          g_free (copy->module);
          copy->module = g_strdup (p->module);
        }
      g_ptr_array_add (layers, copy);
    }
  return layers;
}

static gboolean
operate_run (CncJobContext *context,
             gpointer       data,
             GError       **error)
{
  Operation *op = data;
  CncOperateOptions *o = &op->o;
  CncWorkspace *ws = cnc_job_context_get_workspace (context);
  GCancellable *cancellable = cnc_job_context_get_cancellable (context);
  g_autoptr(CncModel) parent = NULL, teacher = NULL, existing = NULL;
  g_autoptr(CncDataset) train = NULL;
  g_autoptr(GHashTable) bits = NULL;
  g_autoptr(CncLossCurve) curve = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *parent_path = NULL, *teacher_path = NULL, *start = NULL, *summary = NULL;
  CncBatchSource source = { 0 };
  char pct[32];
  gboolean ok = FALSE;

  /* The name must be free, the parents runnable. */
  if ((existing = cnc_workspace_find_model (ws, op->name, &local)))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_EXISTS,
                   "a model named “%s” already exists: give the new model another name", op->name);
      return FALSE;
    }
  if (!g_error_matches (local, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  cnc_job_context_progress (context, 0, 0, "Checking the models");
  if (o->kind != CNC_OPERATION_TRAIN
      && !(parent = runnable_model (ws, op->parent, "model to operate on", &parent_path, cancellable, error)))
    return FALSE;
  if (o->kind == CNC_OPERATION_DISTILL
      && !(teacher = runnable_model (ws, op->teacher, "teacher", &teacher_path, cancellable, error)))
    return FALSE;

  /* Training data, for the operations that learn or calibrate. */
  if (o->kind == CNC_OPERATION_FINE_TUNE || o->kind == CNC_OPERATION_DISTILL
      || o->kind == CNC_OPERATION_TRAIN || o->kind == CNC_OPERATION_RECALIBRATE)
    {
      cnc_job_context_progress (context, 0, 0, "Reading the training data");
      if (!(train = cnc_dataset_open (ws, op->dataset ? op->dataset : CNC_DATASET_BUILTIN, "train", error)))
        return FALSE;
      source.func = read_instances;
      source.user_data = train;
      source.n = cnc_dataset_get_size (train);
      source.n_classes = cnc_dataset_get_n_classes (train);
      cnc_dataset_get_shape (train, &source.channels, &source.height, &source.width);
    }

  if (!choose_evaluation (op, ws, parent, error))
    return FALSE;
  if (!cnc_torch_check_device (op->ev->device, error))
    return FALSE;
  cnc_torch_set_threads (op->ev->threads);

  op->scratch = g_dir_make_tmp ("cnc-operation-XXXXXX", error);
  if (op->scratch == NULL)
    return FALSE;
  op->out_path = g_build_filename (op->scratch, "model.pt", NULL);

  switch (o->kind)
    {
    case CNC_OPERATION_PRUNE:
      cnc_job_context_progress (context, 0, 0, "Pruning");
      ok = cnc_torch_prune_magnitude (parent_path, op->out_path, &o->prune, cancellable, error);
      op->what = g_strdup_printf ("%s of the weights pruned (%s)", percent (o->prune.amount, pct, sizeof pct),
                                  o->prune.scope == CNC_PRUNE_GLOBAL ? "global" : "per layer");
      break;
    case CNC_OPERATION_PRUNE_CHANNELS:
      cnc_job_context_progress (context, 0, 0, "Pruning channels");
      ok = cnc_torch_prune_channels (parent_path, op->out_path, &o->prune, cancellable, error);
      op->what = g_strdup_printf ("%s of the output channels pruned", percent (o->prune.amount, pct, sizeof pct));
      break;
    case CNC_OPERATION_QUANTIZE:
      cnc_job_context_progress (context, 0, 0, "Quantizing");
      ok = cnc_torch_quantize_weights (parent_path, op->out_path, &o->quantize, &bits, cancellable, error);
      op->what = g_strdup_printf ("weights quantized to int%u per channel", o->quantize.bits);
      break;
    case CNC_OPERATION_QUANTIZE_DYNAMIC:
      cnc_job_context_progress (context, 0, 0, "Quantizing");
      ok = cnc_torch_quantize_dynamic (parent_path, op->out_path, cancellable, error);
      op->what = g_strdup ("linear layers quantized to dynamic int8");
      break;
    case CNC_OPERATION_FINE_TUNE:
      curve = cnc_torch_train (parent_path, op->out_path, &source, &o->train, report, context, cancellable, error);
      ok = curve != NULL;
      op->what = g_strdup_printf ("fine-tuned %u epoch%s", o->train.epochs, o->train.epochs == 1 ? "" : "s");
      break;
    case CNC_OPERATION_RECALIBRATE:
      ok = cnc_torch_recalibrate_bn (parent_path, op->out_path, &source, &o->recalibrate, report, context,
                                     cancellable, error);
      op->what = g_strdup ("BatchNorm statistics recalibrated");
      break;
    case CNC_OPERATION_DISTILL:
      curve = cnc_torch_distill (teacher_path, parent_path, op->out_path, &source, &o->train, &o->distill,
                                 report, context, cancellable, error);
      ok = curve != NULL;
      op->what = g_strdup_printf ("distilled from %s for %u epoch%s", op->teacher, o->train.epochs,
                                  o->train.epochs == 1 ? "" : "s");
      break;
    case CNC_OPERATION_TRAIN:
      start = g_build_filename (op->scratch, "initial.pt", NULL);
      cnc_job_context_progress (context, 0, 0, "Building the network");
      ok = cnc_torch_build_cnn (start, o->cnn, source.channels, source.height, source.width, source.n_classes,
                                o->train.seed, error);
      if (ok)
        {
          curve = cnc_torch_train (start, op->out_path, &source, &o->train, report, context, cancellable, error);
          ok = curve != NULL;
        }
      g_unlink (start);
      op->what = g_strdup_printf ("trained from scratch for %u epoch%s", o->train.epochs,
                                  o->train.epochs == 1 ? "" : "s");
      break;
    }
  if (!ok)
    return FALSE;
  if (curve)
    op->curve = cnc_loss_curve_to_json (curve);

  /* What the new file holds: its layer table (with the bit width quantization gave it). */
  cnc_job_context_progress (context, 0, 0, "Measuring the new model's weights");
  if (!(op->layers = cnc_torch_inspect_torchscript (op->out_path, error)))
    return FALSE;
  if (o->kind == CNC_OPERATION_QUANTIZE_DYNAMIC)
    {
      g_autoptr(GPtrArray) packed = g_steal_pointer (&op->layers);
      g_autoptr(GPtrArray) parent_layers = cnc_workspace_list_layers (ws, parent->id, error);

      if (parent_layers == NULL)
        return FALSE;
      op->layers = dynamic_layers (parent_layers, packed);
    }
  if (bits)
    for (guint i = 0; i < op->layers->len; i++)
      {
        CncLayerStats *s = op->layers->pdata[i];
        gpointer b;

        if (g_hash_table_lookup_extended (bits, s->name, NULL, &b))
          s->bits = GPOINTER_TO_UINT (b);
      }
  if (!cnc_store_hash_file (op->out_path, &op->sha256, &op->size, cancellable, error))
    return FALSE;

  if (!_cnc_evaluation_measure (op->ev, context, op->out_path, op->name, op->size, error))
    return FALSE;
  summary = g_strdup_printf ("%s: %s; %s", op->name, op->what, context->summary ? context->summary : "");
  cnc_job_context_set_summary (context, summary);
  return TRUE;
}

static gboolean
operate_commit (CncJobContext *context,
                gpointer       data,
                GError       **error)
{
  Operation *op = data;
  CncWorkspace *ws = cnc_job_context_get_workspace (context);
  CncImportOptions import = {
    .name = op->name,
    .parent = op->parent,
    .role = CNC_EDGE_BASE,
    .teacher = op->teacher,
    .operation = cnc_operation_kind_name (op->o.kind),
    .parameters = op->parameters,
    .tags = (const char * const *) op->tags,
    .notes = op->notes,
  };
  g_autofree char *stored = NULL;
  gboolean created = FALSE;
  gint64 id = 0;

  if (cnc_import_add_inspected (ws, op->out_path, "torchscript", op->sha256, op->size, op->layers, &import, &id,
                                &stored, &created, error)
      && (op->curve == NULL || cnc_workspace_set_loss_curve (ws, id, op->curve, error))
      && _cnc_evaluation_write (op->ev, ws, id, op->layers, cnc_job_context_get_id (context), error))
    return TRUE;
  /* The worker rolls the rows back; the stored file is this job's to take back. */
  if (created)
    cnc_store_take_back (ws, stored);
  return FALSE;
}

#define N_OPERATION_KINDS (CNC_OPERATION_TRAIN + 1)   /* the last kind, plus one */

static CncJobKind job_kinds[N_OPERATION_KINDS];

const CncJobKind *
cnc_operate_job_kind (CncOperationKind kind)
{
  static gsize once = 0;

  g_return_val_if_fail ((guint) kind < N_OPERATION_KINDS, NULL);
  if (g_once_init_enter (&once))
    {
      for (guint k = 0; k < N_OPERATION_KINDS; k++)
        job_kinds[k] = (CncJobKind) { .name = cnc_operation_kind_name (k), .run = operate_run,
                                      .commit = operate_commit };
      g_once_init_leave (&once, 1);
    }
  return &job_kinds[kind];
}

CncJob *
cnc_operate_submit (CncWorker               *worker,
                    const CncOperateOptions *options,
                    GError                 **error)
{
  Operation *op;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *job_parameters = NULL;
  JsonObject *params;
  JsonNode *root;

  g_return_val_if_fail (CNC_IS_WORKER (worker), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (options->name == NULL || options->name[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the new model needs a name");
      return NULL;
    }
  if (options->kind != CNC_OPERATION_TRAIN && options->parent == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s needs a model to operate on",
                   cnc_operation_kind_name (options->kind));
      return NULL;
    }
  if (options->kind == CNC_OPERATION_DISTILL && options->teacher == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "distillation needs a teacher");
      return NULL;
    }

  op = g_new0 (Operation, 1);
  op->o = *options;
  op->o.name = op->name = g_strdup (options->name);
  op->o.parent = op->parent = options->kind == CNC_OPERATION_TRAIN ? NULL : g_strdup (options->parent);
  op->o.teacher = op->teacher = options->kind == CNC_OPERATION_DISTILL ? g_strdup (options->teacher) : NULL;
  op->o.dataset = op->dataset = g_strdup (options->dataset);
  op->o.notes = op->notes = g_strdup (options->notes);
  op->o.prune.pattern = op->prune_pattern = g_strdup (options->prune.pattern);
  op->o.quantize.pattern = op->quantize_pattern = g_strdup (options->quantize.pattern);
  op->o.evaluate.dataset = op->eval_dataset = g_strdup (options->evaluate.dataset);
  op->o.evaluate.split = op->eval_split = g_strdup (options->evaluate.split);
  op->o.evaluate.device = op->eval_device = g_strdup (options->evaluate.device);
  op->tags = g_strdupv ((char **) options->tags);
  op->o.tags = (const char * const *) op->tags;
  op->parameters = cnc_operate_parameters_json (&op->o);

  /* The jobs table keeps the operation's parameters with the models it reads and makes. */
  json_parser_load_from_data (parser, op->parameters, -1, NULL);
  root = json_node_copy (json_parser_get_root (parser));
  params = json_node_get_object (root);
  json_object_set_string_member (params, "output", op->name);
  if (op->parent)
    json_object_set_string_member (params, "parent", op->parent);
  job_parameters = json_to_string (root, FALSE);
  json_node_unref (root);

  return cnc_worker_submit (worker, cnc_operate_job_kind (options->kind), 0, job_parameters, op,
                            (GDestroyNotify) operation_free, error);
}
