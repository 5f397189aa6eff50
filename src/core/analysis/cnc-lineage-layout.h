/* cnc-lineage-layout.h
 * Where each model of a lineage goes on the provenance map: columns by step or by operation, rows, headers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CNC_LINEAGE_LAYOUT_BY_STEP,       /* column = depth along base parents */
  CNC_LINEAGE_LAYOUT_BY_OPERATION,  /* columns aligned by operation kind: every "prune" step in one column */
} CncLineageLayoutMode;

/* The lineage to lay out: n nodes with their base parent (-1 for roots), optional teacher (-1 for none),
 * operation name (NULL for none) and parameters (JSON object text, may be NULL). Arrays are borrowed. */
typedef struct {
  guint              n;
  const int         *parent;
  const int         *teacher;      /* may be NULL */
  const char * const *operation;
  const char * const *parameters;  /* may be NULL */
  const gboolean    *collapsed;    /* may be NULL: nodes whose subtree is folded into them */
} CncLineageInput;

typedef struct {
  char   *label;        /* "train", "train (2nd)", "magnitude prune", "step 3" */
  char   *short_label;  /* abbreviated: "train 2", "mag. prune", "3" */
  char   *detail;       /* parameters every model of the column shares ("epochs 30"), or NULL */
  char   *kind;         /* the operation name, NULL for roots without one / by step */
  guint   n_nodes;      /* visible models in the column */
} CncLineageColumn;

typedef struct {
  guint    column;      /* index into columns */
  double   row;         /* 0 .. n_rows-1 (a parent sits on its first child's row) */
  gboolean hidden;      /* inside a collapsed subtree: not drawn */
  guint    folded;      /* for a collapsed node: how many models are folded into it, else 0 */
  guint    n_children;  /* base children (whatever their visibility) */
} CncLineageNode;

typedef struct {
  CncLineageLayoutMode mode;
  guint              n_nodes;
  CncLineageNode    *nodes;
  guint              n_columns;
  CncLineageColumn  *columns;
  guint              n_rows;
  /* Visible nodes of each column ordered by row: column_nodes[c] holds column_n_nodes[c] indices
   * (hit testing and culling by binary search). */
  guint            **column_nodes;
  guint             *column_n_nodes;
} CncLineageLayout;

/* O(n log n). Teacher edges do not change columns by step; siblings stay together; row order reduces the
 * crossings of teacher edges by barycentric sweeps. */
CncLineageLayout *cnc_lineage_layout_new  (const CncLineageInput *input,
                                           CncLineageLayoutMode   mode);
void              cnc_lineage_layout_free (CncLineageLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncLineageLayout, cnc_lineage_layout_free)

/* Visible nodes of @column whose row lies in [row_lo, row_hi]: *first index into column_nodes[column], count. */
guint             cnc_lineage_layout_rows_in_range (const CncLineageLayout *layout,
                                                    guint                   column,
                                                    double                  row_lo,
                                                    double                  row_hi,
                                                    guint                  *first);

/* Column headers that never overlap. Columns are @column_px apart (column c centred at c * column_px);
 * @measure gives a text's width in pixels. Each column gets its full label when all fit, else its short
 * label, else every k-th column is labelled (k as small as works). Headers are at least @gap px apart. */
typedef enum {
  CNC_LINEAGE_HEADER_NONE,
  CNC_LINEAGE_HEADER_FULL,
  CNC_LINEAGE_HEADER_SHORT,
} CncLineageHeaderKind;

typedef double (*CncLineageMeasureFunc) (const char *text, gpointer user_data);

/* Returns n_columns kinds. */
CncLineageHeaderKind *cnc_lineage_layout_place_headers (const CncLineageLayout *layout,
                                                        double                  column_px,
                                                        double                  gap,
                                                        CncLineageMeasureFunc   measure,
                                                        gpointer                user_data);

/* Which models to collapse so that the graph takes at most @max_rows rows: the largest subtrees fold
 * first and the top levels stay open. Returns n flags (g_free), or NULL when everything fits already.
 * O(n log n). */
gboolean         *cnc_lineage_auto_collapse (const CncLineageInput *input,
                                             guint                  max_rows);

/* Labels for the visible models of @column that say only what varies: parameters every model of the
 * column shares go to *shared ("epochs 16, frequency 1", NULL when none; all of them for a column of one
 * model), each model's label keeps the rest ("sparsity 0.7", "" when nothing else). Returns layout->column_n_nodes[column] strings in
 * column_nodes order (g_strfreev). Parses each model's parameters once: call it for what is in view. */
GStrv             cnc_lineage_column_labels (const CncLineageLayout *layout,
                                             guint                   column,
                                             const char * const     *parameters,
                                             char                  **shared);

/* "amount 0.5, epochs 3" from a parameters JSON object (NULL or "{}": empty string). */
char             *cnc_lineage_format_parameters (const char *parameters_json);

/* "2nd", "3rd", "11th". */
char             *cnc_lineage_ordinal (guint n);

G_END_DECLS
