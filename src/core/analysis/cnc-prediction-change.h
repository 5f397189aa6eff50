/* cnc-prediction-change.h
 * Prediction changes between a base model B and a model M on the same instances: change matrix, confusions, flips, per-class accuracy, label transitions, per-instance change scores.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/cnc-records.h"

G_BEGIN_DECLS

#define CNC_COMPARE_ERROR (cnc_compare_error_quark ())
GQuark cnc_compare_error_quark (void);

typedef enum {
  CNC_COMPARE_ERROR_MISMATCH,  /* different class counts, instance counts or true labels */
  CNC_COMPARE_ERROR_MISSING,   /* an array the comparison needs is not there */
  CNC_COMPARE_ERROR_INVALID,   /* bad arguments: unknown names, too few models, ... */
} CncCompareError;

/* One model's outputs on n instances, as plain arrays that the caller keeps alive. */
typedef struct {
  const char    *name;       /* the model's name, for messages */
  gint64         n;          /* instances */
  guint          k;          /* classes */
  const gint16  *labels;     /* [n] true classes */
  const gint16  *predicted;  /* [n] arg-max classes */
  const float   *p_true;     /* [n] softmax probability of the true class; NULL: from the logits */
  const guint16 *logits;     /* [n × k] IEEE half floats, row-major; NULL when not stored */
} CncCompareInput;

/* Points @input at the arrays of @p (which must outlive it). */
void         cnc_compare_input_init        (CncCompareInput      *input,
                                            const CncPredictions *p,
                                            const char           *name);

/* Whether M can be compared with B: same number of classes, of instances, and the same true labels.
 * The message names both models and what differs. */
gboolean     cnc_compare_check             (const CncCompareInput *b,
                                            const CncCompareInput *m,
                                            GError               **error);

/* ---- counts ------------------------------------------------------------------------------------ */

/* How the instances fared under B and under M. An instance whose label or either prediction lies
 * outside 0 … k−1 is counted in @invalid and left out of everything else. */
typedef struct {
  guint    k;
  gint64   n;                      /* all instances */
  gint64   valid;                  /* n − invalid: the denominator of every rate */
  gint64   invalid;
  gint64  *change;                 /* k × k, [i·k + j]: B predicted i and M predicted j */
  gint64  *confusion_b;            /* k × k, [t·k + p]: true class t, B predicted p */
  gint64  *confusion_m;            /* same for M */
  gint64  *confusion_delta;        /* confusion_m − confusion_b */
  gint64   correct_b, correct_m;
  gint64   both_correct;
  gint64   both_wrong_same;        /* both wrong, with the same prediction */
  gint64   both_wrong_different;   /* both wrong, with different predictions */
  gint64   broken;                 /* B correct, M wrong: broken by compression */
  gint64   fixed;                  /* B wrong, M correct */
  gint64   agree;                  /* same prediction (the change matrix's trace) */
  double   agreement;              /* agree / valid; NAN when nothing is valid */
  double   accuracy_b, accuracy_m; /* NAN when nothing is valid */
  gint64  *class_count;            /* [k] instances of each true class */
  double  *class_accuracy_b;       /* [k] NAN for a class that never occurs: undefined, not 0 */
  double  *class_accuracy_m;
  double  *class_accuracy_delta;   /* M − B */
} CncPredictionChange;

/* One pass over the arrays (labels and predictions only). */
CncPredictionChange *cnc_prediction_change_compute (const CncCompareInput *b,
                                                    const CncCompareInput *m,
                                                    GError               **error);
void                 cnc_prediction_change_free    (CncPredictionChange *change);

/* A label transition "B ▸ M": an off-diagonal cell of the change matrix. */
typedef struct {
  guint  from;           /* B's prediction */
  guint  to;             /* M's prediction */
  gint64 count;
  double rate;           /* count / valid instances */
  double rate_of_from;   /* count / instances B predicted @from */
} CncTransition;

/* The nonzero transitions, most frequent first (ties: by from, then to); at most @limit (0: all). */
GArray              *cnc_prediction_change_transitions (const CncPredictionChange *change,
                                                        guint                      limit);

/* Kinds of instances by correctness under B and M. */
typedef enum {
  CNC_FLIP_ANY,
  CNC_FLIP_BOTH_CORRECT,
  CNC_FLIP_BOTH_WRONG_SAME,
  CNC_FLIP_BOTH_WRONG_DIFFERENT,
  CNC_FLIP_BROKEN,
  CNC_FLIP_FIXED,
  CNC_FLIP_CHANGED,          /* any instance whose prediction changed */
} CncFlip;

/* "any", "both-correct", "both-wrong-same", "both-wrong-different", "broken", "fixed", "changed". */
const char          *cnc_flip_to_string   (CncFlip flip);
gboolean             cnc_flip_from_string (const char *name, CncFlip *flip);

/* ---- per-instance scores ------------------------------------------------------------------------ */

typedef enum {
  CNC_SCORE_NONE,      /*< nick=index >*/   /* instance order */
  CNC_SCORE_KL,        /* KL(B‖M) of the softmax outputs, in bits */
  CNC_SCORE_DPROB,     /* p_M(true class) − p_B(true class) */
  CNC_SCORE_MSE,       /* mean over classes of (logit_M − logit_B)² */
  CNC_SCORE_DMARGIN,   /*< nick=margin >*/  /* margin_M − margin_B */
} CncScore;

/* "index", "kl", "dprob", "mse", "margin". */
const char          *cnc_score_to_string   (CncScore score);
gboolean             cnc_score_from_string (const char *name, CncScore *score);

/* Per-instance change scores of M against B, computed from the stored half-precision logits
 * (except dprob, which uses the stored float p_true when both models have it).
 * Margin is defined on probabilities: p(true class) − the largest probability of another class,
 * in [−1, 1], positive exactly when the prediction is right.
 * NAN: kl, mse and dmargin of an instance whose logits are not all finite (or when logits are
 * missing); dprob and dmargin of an instance whose label lies outside 0 … k−1.
 * kl is clamped at 0 (rounding can make it a hair negative). */
typedef struct {
  gint64  n;
  float  *kl;
  float  *dprob;
  float  *mse;
  float  *dmargin;
} CncChangeScores;

CncChangeScores     *cnc_change_scores_new         (gint64 n);
CncChangeScores     *cnc_change_scores_compute     (const CncCompareInput *b,
                                                    const CncCompareInput *m,
                                                    GError               **error);
/* Several models, each against @b: a GPtrArray of CncChangeScores*, in the order of @models. */
GPtrArray           *cnc_change_scores_compute_many (const CncCompareInput *b,
                                                     const CncCompareInput *models,
                                                     guint                  n_models,
                                                     GError               **error);
void                 cnc_change_scores_free        (CncChangeScores *scores);
/* The score's array (NULL for CNC_SCORE_NONE). */
const float         *cnc_change_scores_get         (const CncChangeScores *scores,
                                                    CncScore               score);

/* Mean and maximum over the instances where the score is defined; @count of those. NAN when none. */
void                 cnc_change_scores_summarize   (const CncChangeScores *scores,
                                                    CncScore               score,
                                                    double                *mean,
                                                    double                *max,
                                                    gint64                *count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncPredictionChange, cnc_prediction_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncChangeScores, cnc_change_scores_free)

G_END_DECLS
