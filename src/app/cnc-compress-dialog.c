/* cnc-compress-dialog.c
 * The compress dialog: shows the fields the chosen operation takes, proposes the new model's name (until the
 * user edits it), checks what can be checked at once, and queues the operation on the worker.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-compress-dialog.h"

#include <math.h>
#include <stdlib.h>

#include "cnc-application.h"

struct _CncCompressDialog
{
  GtkWindow       parent_instance;

  /* Template children. */
  GtkButton      *cancel_button;
  GtkButton      *run_button;
  GtkBox         *error_box;
  GtkLabel       *error_label;
  GtkLabel       *model_label;
  GtkDropDown    *operation_dropdown;
  GtkLabel       *description_label;
  GtkLabel       *amount_label;
  GtkBox         *amount_box;
  GtkSpinButton  *amount_spin;
  GtkCheckButton *per_layer_check;
  GtkLabel       *bits_label;
  GtkSpinButton  *bits_spin;
  GtkLabel       *pattern_label;
  GtkEntry       *pattern_entry;
  GtkLabel       *teacher_label;
  GtkDropDown    *teacher_dropdown;
  GtkLabel       *epochs_label;
  GtkBox         *training_box;
  GtkSpinButton  *epochs_spin;
  GtkEntry       *lr_entry;
  GtkDropDown    *optimizer_dropdown;
  GtkEntry       *name_entry;

  /* State. */
  CncModelSet    *set;
  CncWorker      *worker;
  char           *model;          /* the model operated on */
  char           *proposed;       /* the name last proposed: replaced while the user has not edited it */
  GStrv           teachers;       /* model names offered as teachers */
};

G_DEFINE_FINAL_TYPE (CncCompressDialog, cnc_compress_dialog, GTK_TYPE_WINDOW)

enum {
  SUBMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const descriptions[] = {
  [CNC_OPERATION_PRUNE] = "Sets the given fraction of the weights with the smallest magnitude to exactly zero: "
                          "one threshold over all layers, or the same fraction in each.",
  [CNC_OPERATION_PRUNE_CHANNELS] = "Zeroes whole output channels of smallest L1 norm in every convolution and "
                                   "linear layer but the output layer (and the BatchNorm after them).",
  [CNC_OPERATION_QUANTIZE] = "Rounds each output channel's weights to 2^bits levels (symmetric), stored "
                             "dequantized so the model runs anywhere; sizes count the bit width.",
  [CNC_OPERATION_QUANTIZE_DYNAMIC] = "libtorch's dynamic int8 quantization of the linear layers (weights int8, "
                                     "activations quantized at run time).",
  [CNC_OPERATION_FINE_TUNE] = "Trains the model further on the dataset's train split; weights that are zero "
                              "stay zero, so pruning is kept.",
  [CNC_OPERATION_RECALIBRATE] = "Re-estimates the BatchNorm statistics on 100 batches of training data, "
                                "without training (after pruning or quantization).",
  [CNC_OPERATION_DISTILL] = "Trains this model against a teacher's softened logits (α 0.7, T 4) mixed with "
                            "the labels; the new model has both as parents.",
};

static CncOperationKind
current_kind (CncCompressDialog *self)
{
  return (CncOperationKind) gtk_drop_down_get_selected (self->operation_dropdown);
}

static void
show_error (CncCompressDialog *self,
            const char        *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_box), message != NULL);
}

/* The options the fields say (strings borrowed from the widgets and the dialog). */
static void
read_options (CncCompressDialog *self,
              CncOperateOptions *o)
{
  CncOperationKind kind = current_kind (self);
  const char *pattern = gtk_editable_get_text (GTK_EDITABLE (self->pattern_entry));
  guint teacher = gtk_drop_down_get_selected (self->teacher_dropdown);

  cnc_operate_options_init (o, kind);
  o->parent = self->model;
  o->prune.amount = gtk_spin_button_get_value (self->amount_spin) / 100;
  o->prune.scope = gtk_check_button_get_active (self->per_layer_check) ? CNC_PRUNE_PER_LAYER : CNC_PRUNE_GLOBAL;
  o->prune.pattern = o->quantize.pattern = *pattern ? pattern : NULL;
  o->quantize.bits = (guint) gtk_spin_button_get_value_as_int (self->bits_spin);
  o->train.epochs = (guint) gtk_spin_button_get_value_as_int (self->epochs_spin);
  o->train.learning_rate = g_ascii_strtod (gtk_editable_get_text (GTK_EDITABLE (self->lr_entry)), NULL);
  o->train.optimizer = gtk_drop_down_get_selected (self->optimizer_dropdown) == 1 ? CNC_OPTIMIZER_SGD
                                                                                  : CNC_OPTIMIZER_ADAM;
  if (kind == CNC_OPERATION_DISTILL)
    o->train.keep_zeros = FALSE;
  o->teacher = self->teachers && teacher < g_strv_length (self->teachers) ? self->teachers[teacher] : NULL;
}

static void
update_fields (CncCompressDialog *self)
{
  CncOperationKind kind = current_kind (self);
  gboolean prune = kind == CNC_OPERATION_PRUNE || kind == CNC_OPERATION_PRUNE_CHANNELS;
  gboolean train = kind == CNC_OPERATION_FINE_TUNE || kind == CNC_OPERATION_DISTILL;
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *title = NULL;
  CncOperateOptions o;

  gtk_label_set_label (self->description_label, descriptions[kind]);
  gtk_widget_set_visible (GTK_WIDGET (self->amount_label), prune);
  gtk_widget_set_visible (GTK_WIDGET (self->amount_box), prune);
  gtk_widget_set_visible (GTK_WIDGET (self->per_layer_check), kind == CNC_OPERATION_PRUNE);
  gtk_widget_set_visible (GTK_WIDGET (self->bits_label), kind == CNC_OPERATION_QUANTIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->bits_spin), kind == CNC_OPERATION_QUANTIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->pattern_label), prune || kind == CNC_OPERATION_QUANTIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->pattern_entry), prune || kind == CNC_OPERATION_QUANTIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->teacher_label), kind == CNC_OPERATION_DISTILL);
  gtk_widget_set_visible (GTK_WIDGET (self->teacher_dropdown), kind == CNC_OPERATION_DISTILL);
  gtk_widget_set_visible (GTK_WIDGET (self->epochs_label), train);
  gtk_widget_set_visible (GTK_WIDGET (self->training_box), train);

  /* Propose a name, unless the user typed one of their own. */
  if (*typed == '\0' || g_strcmp0 (typed, self->proposed) == 0)
    {
      read_options (self, &o);
      g_free (self->proposed);
      self->proposed = cnc_operate_default_name (&o);
      gtk_editable_set_text (GTK_EDITABLE (self->name_entry), self->proposed);
    }
  title = g_strdup_printf ("Compress %s", self->model);
  gtk_window_set_title (GTK_WINDOW (self), title);
  show_error (self, NULL);
}

gboolean
cnc_compress_dialog_run (CncCompressDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autoptr(GError) error = NULL;
  g_autoptr(CncJob) job = NULL;
  GSettings *settings = cnc_application_get_settings ();
  g_autofree char *device = settings ? g_settings_get_string (settings, "device") : NULL;
  CncOperateOptions o;

  g_return_val_if_fail (CNC_IS_COMPRESS_DIALOG (self), FALSE);
  read_options (self, &o);
  o.name = name;
  o.evaluate.device = device;
  o.evaluate.threads = settings ? (guint) g_settings_get_int (settings, "cpu-threads") : 0;
  if (*name == '\0')
    show_error (self, "Give the new model a name.");
  else if (cnc_model_set_find_name (self->set, name) != CNC_MODEL_NONE)
    {
      g_autofree char *message = g_strdup_printf ("A model named “%s” already exists: choose another name.", name);
      show_error (self, message);
    }
  else if ((o.kind == CNC_OPERATION_FINE_TUNE || o.kind == CNC_OPERATION_DISTILL)
           && !(o.train.learning_rate > 0 && o.train.learning_rate < 10))
    show_error (self, "The learning rate must be a positive number, such as 0.001.");
  else if (o.kind == CNC_OPERATION_DISTILL && (o.teacher == NULL || g_strcmp0 (o.teacher, self->model) == 0))
    show_error (self, "Choose a teacher other than the model itself.");
  else if (!(job = cnc_operate_submit (self->worker, &o, &error)))
    show_error (self, error->message);
  else
    {
      g_signal_emit (self, signals[SUBMITTED], 0, job);
      gtk_window_destroy (GTK_WINDOW (self));
      return TRUE;
    }
  return FALSE;
}

static void
on_run_clicked (GtkButton         *button,
                CncCompressDialog *self)
{
  cnc_compress_dialog_run (self);
}

static void
on_cancel_clicked (GtkButton         *button,
                   CncCompressDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cnc_compress_dialog_finalize (GObject *object)
{
  CncCompressDialog *self = CNC_COMPRESS_DIALOG (object);

  g_clear_object (&self->set);
  g_clear_object (&self->worker);
  g_free (self->model);
  g_free (self->proposed);
  g_strfreev (self->teachers);
  G_OBJECT_CLASS (cnc_compress_dialog_parent_class)->finalize (object);
}

static void
cnc_compress_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CNC_TYPE_COMPRESS_DIALOG);
  G_OBJECT_CLASS (cnc_compress_dialog_parent_class)->dispose (object);
}

static void
cnc_compress_dialog_class_init (CncCompressDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_compress_dialog_dispose;
  object_class->finalize = cnc_compress_dialog_finalize;

  signals[SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 1, CNC_TYPE_JOB);

  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-compress-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, run_button);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, model_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, operation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, description_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, amount_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, amount_box);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, amount_spin);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, per_layer_check);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, bits_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, bits_spin);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, pattern_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, pattern_entry);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, teacher_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, teacher_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, epochs_label);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, training_box);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, lr_entry);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, optimizer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CncCompressDialog, name_entry);
}

static void
cnc_compress_dialog_init (CncCompressDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->run_button, "clicked", G_CALLBACK (on_run_clicked), self);
  g_signal_connect (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->run_button));
}

GtkWindow *
cnc_compress_dialog_new (GtkWindow   *parent_window,
                         CncModelSet *set,
                         CncWorker   *worker,
                         guint        model)
{
  CncCompressDialog *self;
  g_autoptr(GStrvBuilder) teachers = g_strv_builder_new ();
  g_autoptr(GtkStringList) teacher_names = gtk_string_list_new (NULL);

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  g_return_val_if_fail (CNC_IS_WORKER (worker), NULL);
  g_return_val_if_fail (model < cnc_model_set_get_n_models (set), NULL);

  self = g_object_new (CNC_TYPE_COMPRESS_DIALOG, "transient-for", parent_window, NULL);
  self->set = g_object_ref (set);
  self->worker = g_object_ref (worker);
  self->model = g_strdup (cnc_model_set_get_model (set, model)->name);
  gtk_label_set_label (self->model_label, self->model);

  /* Teachers: the other runnable models, the base models (roots) first as they usually teach. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < cnc_model_set_get_n_models (set); i++)
      {
        const CncModel *m = cnc_model_set_get_model (set, i);
        gboolean root = cnc_model_set_get_parent (set, i) == CNC_MODEL_NONE;

        if (i == model || g_strcmp0 (m->format, "torchscript") != 0 || root != (pass == 0))
          continue;
        g_strv_builder_add (teachers, m->name);
        gtk_string_list_append (teacher_names, m->name);
      }
  self->teachers = g_strv_builder_end (teachers);
  gtk_drop_down_set_model (self->teacher_dropdown, G_LIST_MODEL (teacher_names));

  g_signal_connect_swapped (self->operation_dropdown, "notify::selected", G_CALLBACK (update_fields), self);
  g_signal_connect_swapped (self->amount_spin, "value-changed", G_CALLBACK (update_fields), self);
  g_signal_connect_swapped (self->bits_spin, "value-changed", G_CALLBACK (update_fields), self);
  update_fields (self);
  return GTK_WINDOW (self);
}

void
cnc_compress_dialog_set_operation (CncCompressDialog *self,
                                   CncOperationKind   kind)
{
  g_return_if_fail (CNC_IS_COMPRESS_DIALOG (self));
  g_return_if_fail (kind <= CNC_OPERATION_DISTILL);
  gtk_drop_down_set_selected (self->operation_dropdown, kind);
}

void
cnc_compress_dialog_set_amount (CncCompressDialog *self,
                                double             percent)
{
  g_return_if_fail (CNC_IS_COMPRESS_DIALOG (self));
  gtk_spin_button_set_value (self->amount_spin, percent);
}

const char *
cnc_compress_dialog_get_name (CncCompressDialog *self)
{
  g_return_val_if_fail (CNC_IS_COMPRESS_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
}

const char *
cnc_compress_dialog_get_error (CncCompressDialog *self)
{
  g_return_val_if_fail (CNC_IS_COMPRESS_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_box)) ? gtk_label_get_label (self->error_label) : NULL;
}
