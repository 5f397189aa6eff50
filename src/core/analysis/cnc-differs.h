/* cnc-differs.h
 * "What differs" between 2–16 selected models: the experiment variables, found in their lineage, that tell them apart.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/cnc-records.h"

G_BEGIN_DECLS

#define CNC_DIFFERS_MIN_MODELS 2
#define CNC_DIFFERS_MAX_MODELS 16

typedef enum {
  CNC_VARIABLE_BASE,       /* the root model each lineage starts from ("base model": resnet-a / resnet-b) */
  CNC_VARIABLE_PARAMETER,  /* an operation parameter ("prune amount": none / 0.3 / 0.5 / 0.7) */
  CNC_VARIABLE_PRESENCE,   /* whether a model went through an operation ("fine-tune": no / yes) */
  CNC_VARIABLE_SEQUENCE,   /* the operations themselves, in order ("none / prune / prune → fine-tune") */
} CncVariableKind;

/* "base", "parameter", "presence", "sequence". */
const char *cnc_variable_kind_to_string (CncVariableKind kind);

typedef struct {
  CncVariableKind kind;
  char   *name;          /* what a chart's axis or legend says: "prune amount", "fine-tune", "prune → fine-tune" */
  char   *operation;     /* PARAMETER, PRESENCE: the operation as it stands in the lineage, numbered from its
                          * second occurrence on a path ("train 2"); NULL otherwise */
  char   *parameter;     /* PARAMETER: the parameter's name; NULL otherwise */
  GStrv   merged;        /* the names of variables folded into this one because they imply each other
                          * (their values then read "amount 0.3 & fine-tune"); empty when none */
  GStrv   values;        /* the distinct values in display order: "none" first, "no" before "yes",
                          * numbers ascending, then text; sequences by length */
  guint  *model_values;  /* [n_models]: each model's value, as an index into @values */
} CncDiffersVariable;

typedef struct {
  guint      n_models;
  gint64    *models;     /* the selection, in the order given */
  GStrv      names;      /* their names */
  GPtrArray *variables;  /* CncDiffersVariable*: the fewest found that tell the models apart, in lineage order */
  gboolean   refine;     /* more than two variables remain: a grouped chart needs the user to pick */
  CncDiffersVariable *sequence;  /* all of it as one variable: each model's operations after those all
                                  * share, with the parameters that vary ("prune (amount 0.5) → fine-tune") */
  GPtrArray *same;       /* GStrv* groups of model names whose lineages are identical (repeat runs):
                          * no variable can tell them apart */
} CncDiffers;

/* Walks the selected models' ancestors (base edges; teachers are not followed) and derives the
 * variables:
 *  1. candidates: per operation on the paths (aligned by name and occurrence), each parameter with
 *     at least two values among the models that went through it (a model that did not reads
 *     "none", one that did without that parameter "unset"), and its presence when only some models
 *     went through it; the base model when the lineages start from different roots;
 *  2. a parameter is preferred to the presence of its operation (its "none" says the same);
 *  3. variables that imply each other (they split the models the same way) are merged into the
 *     preferred one: base, then parameters, then presences, then lineage order;
 *  4. presences that nest (every fine-tuned model was pruned) become one sequence variable;
 *  5. when models with different lineages are still not told apart (operations in another
 *     order), the sequence variable replaces the operation variables.
 * Fails (CNC_WORKSPACE_ERROR_INVALID) on fewer than 2 or more than 16 models, or a model twice.
 * @all_models (CncModel*) and @edges (CncEdge) are the records the lineage is read from: every
 * ancestor of the selected models must be among them (cnc_differs_compute reads them from a
 * workspace). Fails (CNC_WORKSPACE_ERROR_NOT_FOUND) on an id that is not among them. */
CncDiffers *cnc_differs_compute_from_records (GPtrArray     *all_models,
                                              GArray        *edges,
                                              const gint64  *models,
                                              guint          n_models,
                                              GError       **error);
void        cnc_differs_free    (CncDiffers *differs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncDiffers, cnc_differs_free)

G_END_DECLS
