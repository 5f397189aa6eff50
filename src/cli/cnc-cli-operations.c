/* cnc-cli-operations.c
 * Compression commands: prune, quantize, fine-tune, recalibrate, distill, train, and the demo workspace.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/formats/cnc-dataset.h"
#include "engine/cnc-demo.h"
#include "engine/cnc-operation-job.h"

#define CLI_PARSE(cmd, args, summary, entries)                                  \
  if (!cnc_cli_parse (cmd, args, summary, entries, &argc, &argv))               \
    return CNC_EXIT_USAGE

/* What every operation takes: the new model's name, notes and tags, and where it is evaluated. */
typedef struct {
  char  *name;
  char  *notes;
  char **tags;
  char  *eval_dataset;
  char  *eval_split;
  char  *device;
  int    threads;
} Common;

#define COMMON_ENTRIES(c)                                                                                          \
  { "name", 'n', 0, G_OPTION_ARG_STRING, &(c).name, "The new model's name (default: from the parent's)", "NAME" },  \
  { "notes", 0, 0, G_OPTION_ARG_STRING, &(c).notes, "Notes for the new model", "TEXT" },                         \
  { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &(c).tags, "A tag for the new model (repeatable)", "TAG" },          \
  { "eval-dataset", 0, 0, G_OPTION_ARG_STRING, &(c).eval_dataset,                                                  \
    "Evaluate the new model on this dataset (default: the parent's last evaluation's)", "NAME" },                 \
  { "eval-split", 0, 0, G_OPTION_ARG_STRING, &(c).eval_split, "… and split (default: test)", "SPLIT" },            \
  { "device", 0, 0, G_OPTION_ARG_STRING, &(c).device, "cpu (default) or cuda:N", "DEVICE" },                      \
  { "threads", 'j', 0, G_OPTION_ARG_INT, &(c).threads, "CPU threads (default: one per core)", "N" }

/* Training options (fine-tune, distill, train). */
typedef struct {
  int     epochs;
  double  lr;
  double  lr_decay;
  char   *optimizer;
  int     batch;
  int     max_batches;
  gint64  seed;
  char   *dataset;
} Training;

#define TRAINING_ENTRIES(t)                                                                                        \
  { "epochs", 'e', 0, G_OPTION_ARG_INT, &(t).epochs, "Epochs over the training split (default: 1)", "N" },        \
  { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &(t).lr, "Learning rate (default: 0.001)", "RATE" },                          \
  { "lr-decay", 0, 0, G_OPTION_ARG_DOUBLE, &(t).lr_decay, "Learning rate factor after each epoch (default: 1)", "F" }, \
  { "optimizer", 0, 0, G_OPTION_ARG_STRING, &(t).optimizer, "adam (default) or sgd", "NAME" },                    \
  { "batch-size", 'b', 0, G_OPTION_ARG_INT, &(t).batch, "Instances per batch (default: 128)", "N" },               \
  { "max-batches", 0, 0, G_OPTION_ARG_INT, &(t).max_batches, "Stop each epoch after N batches", "N" },           \
  { "seed", 0, 0, G_OPTION_ARG_INT64, &(t).seed, "Seed of the shuffling (default: 0)", "N" },                      \
  { "dataset", 'd', 0, G_OPTION_ARG_STRING, &(t).dataset, "Train on this dataset's train split (default: "       \
    CNC_DATASET_BUILTIN ")", "NAME" }

static void
common_clear (Common *c)
{
  g_free (c->name);
  g_free (c->notes);
  g_strfreev (c->tags);
  g_free (c->eval_dataset);
  g_free (c->eval_split);
  g_free (c->device);
}

static void
training_clear (Training *t)
{
  g_free (t->optimizer);
  g_free (t->dataset);
}

/* Applies the common options; a usage message and FALSE when one is out of range. */
static gboolean
apply_common (const char        *command,
              Common            *c,
              CncOperateOptions *o,
              int               *status)
{
  if (c->threads < 0 || c->threads > 1024)
    {
      *status = cnc_cli_usage (command, "--threads takes 1 to 1024");
      return FALSE;
    }
  o->notes = c->notes;
  o->tags = (const char * const *) c->tags;
  o->evaluate.dataset = c->eval_dataset;
  o->evaluate.split = c->eval_split;
  o->evaluate.device = c->device;
  o->evaluate.threads = (guint) c->threads;
  return TRUE;
}

static gboolean
apply_training (const char        *command,
                Training          *t,
                CncOperateOptions *o,
                int               *status)
{
  const char *why = NULL;

  if (t->epochs < 0 || t->epochs > 1000)
    why = "--epochs takes 1 to 1000";
  else if (t->lr < 0)
    why = "--lr takes a positive number";
  else if (t->lr_decay < 0 || t->lr_decay > 1)
    why = "--lr-decay takes a number in (0, 1]";
  else if (t->batch < 0 || t->batch > 65536)
    why = "--batch-size takes 1 to 65536";
  else if (t->max_batches < 0)
    why = "--max-batches takes a positive number";
  else if (t->seed < 0)
    why = "--seed takes 0 or more";
  else if (t->optimizer && !g_str_equal (t->optimizer, "adam") && !g_str_equal (t->optimizer, "sgd"))
    why = "--optimizer takes adam or sgd";
  if (why)
    {
      *status = cnc_cli_usage (command, "%s", why);
      return FALSE;
    }
  if (t->epochs)
    o->train.epochs = (guint) t->epochs;
  if (t->lr > 0)
    o->train.learning_rate = t->lr;
  if (t->lr_decay > 0)
    o->train.lr_decay = t->lr_decay;
  if (t->optimizer)
    o->train.optimizer = g_str_equal (t->optimizer, "sgd") ? CNC_OPTIMIZER_SGD : CNC_OPTIMIZER_ADAM;
  if (t->batch)
    o->train.batch_size = (guint) t->batch;
  o->train.max_batches = (guint) t->max_batches;
  o->train.seed = (guint64) t->seed;
  o->dataset = t->dataset;
  return TRUE;
}

/* Queues the operation on a worker of the workspace and shows it until it ends. */
static int
run_operation (CncOperateOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorker) worker = NULL;
  g_autoptr(CncCliWatch) watch = NULL;
  g_autoptr(CncJob) job = NULL;

  if (!(worker = cnc_worker_new (cnc_cli_workspace_dir (), NULL, &error)))
    return cnc_cli_fail (error);
  if (!(job = cnc_operate_submit (worker, o, &error)))
    return cnc_cli_fail (error);
  watch = cnc_cli_watch_new (worker);
  cnc_cli_watch_add (watch, job, NULL);
  return cnc_cli_watch_wait (watch) ? CNC_EXIT_OK : CNC_EXIT_ERROR;
}

int
cnc_cli_prune (int    argc,
               char **argv)
{
  Common c = { 0 };
  double amount = NAN;
  gboolean per_layer = FALSE, channels = FALSE;
  g_autofree char *pattern = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "amount", 'a', 0, G_OPTION_ARG_DOUBLE, &amount, "The fraction of weights (or channels) set to zero, in [0, 1)", "F" },
    { "per-layer", 0, 0, G_OPTION_ARG_NONE, &per_layer, "The same fraction in every layer (default: one global threshold)", NULL },
    { "channels", 'c', 0, G_OPTION_ARG_NONE, &channels, "Structured: zero whole output channels of smallest L1 norm", NULL },
    { "pattern", 'p', 0, G_OPTION_ARG_STRING, &pattern, "Only parameters whose name matches this regular expression", "REGEX" },
    COMMON_ENTRIES (c),
    { NULL }
  };
  CncOperateOptions o;
  int status = CNC_EXIT_OK;

  CLI_PARSE ("prune", "MODEL --amount F",
             "Magnitude pruning (unstructured, global or per layer) or L1-norm channel pruning of a model's "
             "convolution and linear weights; the pruned model is recorded as a child and evaluated.", entries);
  if (argc != 2)
    status = cnc_cli_usage ("prune", "give one model to prune");
  else if (!(amount >= 0 && amount < 1))
    status = cnc_cli_usage ("prune", "--amount takes a fraction in [0, 1), such as 0.5");
  else if (channels && per_layer)
    status = cnc_cli_usage ("prune", "channel pruning is always per layer: leave out --per-layer");
  else
    {
      cnc_operate_options_init (&o, channels ? CNC_OPERATION_PRUNE_CHANNELS : CNC_OPERATION_PRUNE);
      o.parent = argv[1];
      o.prune.amount = amount;
      o.prune.scope = per_layer ? CNC_PRUNE_PER_LAYER : CNC_PRUNE_GLOBAL;
      o.prune.pattern = pattern;
      name = c.name ? g_strdup (c.name) : cnc_operate_default_name (&o);
      o.name = name;
      if (apply_common ("prune", &c, &o, &status))
        status = run_operation (&o);
    }
  common_clear (&c);
  return status;
}

int
cnc_cli_quantize (int    argc,
                  char **argv)
{
  Common c = { 0 };
  int bits = 8;
  gboolean dynamic = FALSE;
  g_autofree char *pattern = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "bits", 'B', 0, G_OPTION_ARG_INT, &bits, "Bit width of the weights, 2 to 8 (default: 8)", "N" },
    { "dynamic", 0, 0, G_OPTION_ARG_NONE, &dynamic, "libtorch's dynamic int8 quantization of Linear layers instead", NULL },
    { "pattern", 'p', 0, G_OPTION_ARG_STRING, &pattern, "Only parameters whose name matches this regular expression", "REGEX" },
    COMMON_ENTRIES (c),
    { NULL }
  };
  CncOperateOptions o;
  int status = CNC_EXIT_OK;

  CLI_PARSE ("quantize", "MODEL",
             "Per-channel symmetric quantization of a model's convolution and linear weights (stored dequantized, "
             "so the model runs anywhere; the bit width is recorded for the size metrics), or --dynamic int8.",
             entries);
  if (argc != 2)
    status = cnc_cli_usage ("quantize", "give one model to quantize");
  else if (bits < 2 || bits > 8)
    status = cnc_cli_usage ("quantize", "--bits takes 2 to 8");
  else if (dynamic && (bits != 8 || pattern))
    status = cnc_cli_usage ("quantize", "--dynamic is int8 on every Linear layer: leave out --bits and --pattern");
  else
    {
      cnc_operate_options_init (&o, dynamic ? CNC_OPERATION_QUANTIZE_DYNAMIC : CNC_OPERATION_QUANTIZE);
      o.parent = argv[1];
      o.quantize.bits = (guint) bits;
      o.quantize.pattern = pattern;
      name = c.name ? g_strdup (c.name) : cnc_operate_default_name (&o);
      o.name = name;
      if (apply_common ("quantize", &c, &o, &status))
        status = run_operation (&o);
    }
  common_clear (&c);
  return status;
}

int
cnc_cli_fine_tune (int    argc,
                   char **argv)
{
  Common c = { 0 };
  Training t = { 0 };
  gboolean free_zeros = FALSE;
  g_autofree char *name = NULL;
  GOptionEntry entries[] = {
    TRAINING_ENTRIES (t),
    { "free-zeros", 0, 0, G_OPTION_ARG_NONE, &free_zeros, "Let zero weights change (default: they stay zero)", NULL },
    COMMON_ENTRIES (c),
    { NULL }
  };
  CncOperateOptions o;
  int status = CNC_EXIT_OK;

  CLI_PARSE ("fine-tune", "MODEL",
             "Train a model further on a dataset's train split (cross-entropy); weights that are zero stay zero, "
             "so a pruned model keeps its sparsity. The loss curve is kept with the new model.", entries);
  if (argc != 2)
    status = cnc_cli_usage ("fine-tune", "give one model to fine-tune");
  else
    {
      cnc_operate_options_init (&o, CNC_OPERATION_FINE_TUNE);
      o.parent = argv[1];
      o.train.keep_zeros = !free_zeros;
      name = c.name ? g_strdup (c.name) : cnc_operate_default_name (&o);
      o.name = name;
      if (apply_training ("fine-tune", &t, &o, &status) && apply_common ("fine-tune", &c, &o, &status))
        status = run_operation (&o);
    }
  training_clear (&t);
  common_clear (&c);
  return status;
}

int
cnc_cli_recalibrate (int    argc,
                     char **argv)
{
  Common c = { 0 };
  int batches = 0, batch = 0;
  g_autofree char *dataset = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "batches", 0, 0, G_OPTION_ARG_INT, &batches, "Batches to average over (default: 100)", "N" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, "Instances per batch (default: 128)", "N" },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, "Its train split (default: " CNC_DATASET_BUILTIN ")", "NAME" },
    COMMON_ENTRIES (c),
    { NULL }
  };
  CncOperateOptions o;
  int status = CNC_EXIT_OK;

  CLI_PARSE ("recalibrate", "MODEL",
             "Re-estimate the running statistics of every BatchNorm layer on training data (after pruning or "
             "quantization), without training.", entries);
  if (argc != 2)
    status = cnc_cli_usage ("recalibrate", "give one model");
  else if (batches < 0 || batch < 0 || batch > 65536)
    status = cnc_cli_usage ("recalibrate", "--batches and --batch-size take positive numbers");
  else
    {
      cnc_operate_options_init (&o, CNC_OPERATION_RECALIBRATE);
      o.parent = argv[1];
      o.dataset = dataset;
      if (batches)
        o.recalibrate.batches = (guint) batches;
      if (batch)
        o.recalibrate.batch_size = (guint) batch;
      name = c.name ? g_strdup (c.name) : cnc_operate_default_name (&o);
      o.name = name;
      if (apply_common ("recalibrate", &c, &o, &status))
        status = run_operation (&o);
    }
  common_clear (&c);
  return status;
}

int
cnc_cli_distill (int    argc,
                 char **argv)
{
  Common c = { 0 };
  Training t = { 0 };
  double alpha = NAN, temperature = NAN;
  g_autofree char *teacher = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "teacher", 'T', 0, G_OPTION_ARG_STRING, &teacher, "The teacher model (required)", "MODEL" },
    { "alpha", 0, 0, G_OPTION_ARG_DOUBLE, &alpha, "Weight of the distillation term, in [0, 1] (default: 0.7)", "F" },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &temperature, "Softening temperature, > 0 (default: 4)", "T" },
    TRAINING_ENTRIES (t),
    COMMON_ENTRIES (c),
    { NULL }
  };
  CncOperateOptions o;
  int status = CNC_EXIT_OK;

  CLI_PARSE ("distill", "STUDENT --teacher MODEL",
             "Knowledge distillation: train the student against the teacher's temperature-softened logits mixed "
             "with the labels. The new model has two parents: the student (base) and the teacher.", entries);
  if (argc != 2)
    status = cnc_cli_usage ("distill", "give one student model");
  else if (teacher == NULL)
    status = cnc_cli_usage ("distill", "give the teacher with --teacher");
  else if (!isnan (alpha) && !(alpha >= 0 && alpha <= 1))
    status = cnc_cli_usage ("distill", "--alpha takes a number in [0, 1]");
  else if (!isnan (temperature) && !(temperature > 0))
    status = cnc_cli_usage ("distill", "--temperature takes a positive number");
  else
    {
      cnc_operate_options_init (&o, CNC_OPERATION_DISTILL);
      o.parent = argv[1];
      o.teacher = teacher;
      o.train.keep_zeros = FALSE;
      if (!isnan (alpha))
        o.distill.alpha = alpha;
      if (!isnan (temperature))
        o.distill.temperature = temperature;
      name = c.name ? g_strdup (c.name) : cnc_operate_default_name (&o);
      o.name = name;
      if (apply_training ("distill", &t, &o, &status) && apply_common ("distill", &c, &o, &status))
        status = run_operation (&o);
    }
  training_clear (&t);
  common_clear (&c);
  return status;
}

int
cnc_cli_train (int    argc,
               char **argv)
{
  Common c = { 0 };
  Training t = { 0 };
  g_autofree char *architecture = NULL;
  GOptionEntry entries[] = {
    { "architecture", 'A', 0, G_OPTION_ARG_STRING, &architecture,
      "cnn-base (default: 108k parameters) or cnn-student (14k)", "NAME" },
    TRAINING_ENTRIES (t),
    COMMON_ENTRIES (c),
    { NULL }
  };
  CncOperateOptions o;
  int status = CNC_EXIT_OK;

  CLI_PARSE ("train", "--name NAME",
             "Train a small CNN from scratch on a dataset's train split (built in libtorch, no Python) and record "
             "it as a new root model, evaluated on the dataset's test split.", entries);
  if (argc != 1)
    status = cnc_cli_usage ("train", "train takes no model: name the new one with --name");
  else if (c.name == NULL)
    status = cnc_cli_usage ("train", "name the new model with --name");
  else if (architecture && !g_str_equal (architecture, "cnn-base") && !g_str_equal (architecture, "cnn-student"))
    status = cnc_cli_usage ("train", "--architecture takes cnn-base or cnn-student");
  else
    {
      cnc_operate_options_init (&o, CNC_OPERATION_TRAIN);
      o.name = c.name;
      o.cnn = architecture && g_str_equal (architecture, "cnn-student") ? CNC_CNN_STUDENT : CNC_CNN_BASE;
      if (apply_training ("train", &t, &o, &status) && apply_common ("train", &c, &o, &status))
        status = run_operation (&o);
    }
  training_clear (&t);
  common_clear (&c);
  return status;
}

/* ---- demo ---- */

static void
on_demo_job (CncDemo     *demo,
             CncJob      *job,
             CncCliWatch *watch)
{
  cnc_cli_watch_add (watch, job, NULL);
}

int
cnc_cli_demo (int    argc,
              char **argv)
{
  gboolean quick = FALSE;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A few batches of training per model (for tests: the same tree, "
      "models not well trained)", NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CncWorkspace) ws = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(CncWorker) worker = NULL;
  g_autoptr(CncCliWatch) watch = NULL;
  g_autoptr(CncDemo) demo = NULL;
  g_autofree char *dir = NULL;
  const GError *failed;

  CLI_PARSE ("demo", "[DIR]",
             "Build the demo workspace from the Fashion-MNIST package: a CNN trained by the app, then pruned, "
             "fine-tuned, quantized, recalibrated and distilled (19 models, all evaluated). DIR defaults to "
             "--workspace, $CNC_WORKSPACE or the default workspace, and must be new or empty.", entries);
  if (argc > 2)
    return cnc_cli_usage ("demo", "give at most one folder");
  dir = g_strdup (argc == 2 ? argv[1] : cnc_cli_workspace_dir ());

  if (!(ws = cnc_workspace_open (dir, CNC_WORKSPACE_OPEN_CREATE, &error)))
    return cnc_cli_fail (error);
  if (!(models = cnc_workspace_list_models (ws, &error)))
    return cnc_cli_fail (error);
  if (models->len > 0)
    {
      fprintf (stderr, "compress-compare: %s already holds %u model%s; the demo is built into a new workspace: "
               "give another folder (`compress-compare demo DIR`)\n", dir, models->len, models->len == 1 ? "" : "s");
      return CNC_EXIT_ERROR;
    }
  g_clear_object (&ws);

  if (!(worker = cnc_worker_new (dir, NULL, &error)))
    return cnc_cli_fail (error);
  watch = cnc_cli_watch_new (worker);
  demo = cnc_demo_new (worker, quick);
  g_signal_connect (demo, "job-submitted", G_CALLBACK (on_demo_job), watch);
  printf ("Building the %sdemo workspace in %s (%u models)…\n", quick ? "quick " : "", dir,
          cnc_demo_get_n_models (demo));
  fflush (stdout);
  cnc_demo_start (demo);
  while (!cnc_demo_is_finished (demo))
    g_main_context_iteration (NULL, TRUE);
  cnc_worker_wait (worker);

  if ((failed = cnc_demo_get_error (demo)))
    {
      fprintf (stderr, "compress-compare: the demo stopped after %u of %u models (%.0f s): %s\n",
               cnc_demo_get_n_done (demo), cnc_demo_get_n_models (demo), cnc_demo_get_seconds (demo),
               failed->message);
      return CNC_EXIT_ERROR;
    }
  printf ("Built %u models in %.1f s. Open it with: compress-compare -w %s\n", cnc_demo_get_n_done (demo),
          cnc_demo_get_seconds (demo), dir);
  return CNC_EXIT_OK;
}
