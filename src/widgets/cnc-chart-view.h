/* cnc-chart-view.h
 * The base of every chart view: the model set's signals, a cached static layer, the style, hover and the hover
 * card, click and rubber-band selection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "charts/cnc-chart-axis.h"
#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_CHART_VIEW (cnc_chart_view_get_type ())
G_DECLARE_DERIVABLE_TYPE (CncChartView, cnc_chart_view, CNC, CHART_VIEW, GtkWidget)

/* What a press or drag starting at a point becomes (CncChartViewClass.drag_begin). */
typedef enum {
  CNC_CHART_DRAG_NONE,   /* nothing: the press stays a click */
  CNC_CHART_DRAG_BAND,   /* the base draws a rubber band and selects the items_in_rect inside it */
  CNC_CHART_DRAG_OWN,    /* the view's own (pan, brush): it gets drag_update and drag_end */
} CncChartDrag;

/* How a click selects (CncChartViewClass.flags); the default is both. */
typedef enum {
  CNC_CHART_VIEW_CLICK_MODES  = 1 << 0,   /* Shift+click adds, Ctrl+click toggles; without: a click selects one */
  CNC_CHART_VIEW_CLICK_CLEARS = 1 << 1,   /* a plain click on empty space clears the selection */
} CncChartViewFlags;

/* Items are model indices of the set, CNC_MODEL_NONE for none. Every vfunc may be NULL.
 *
 * What the base does with them:
 *  - "model-set" (construct-only): the set's "changed", "selection-changed", "filter-changed" and
 *    "encoding-changed" call the hooks below ("changed" once more when the set is given); "hover-changed" redraws;
 *    "notify::loading" invalidates.
 *  - snapshot: the static layer from draw_static, kept as a texture until cnc_chart_view_invalidate or a change of
 *    size, scale or theme; then the rubber band; then draw_motion, every frame; then, while the pointer rests on
 *    the set's hovered item (lookup_item agrees), draw_card.
 *  - pointer: on motion, lookup_item becomes the set's hovered model and the cursor is "pointer" over an item
 *    (or what get_cursor says); leaving clears the hover. Without lookup_item the set's hover is left alone
 *    and clicks select nothing.
 *  - primary button: press calls press; unless it returns TRUE, an item is selected (CNC_CHART_VIEW_CLICK_MODES)
 *    and a press on nothing clears the selection on release (CNC_CHART_VIEW_CLICK_CLEARS) unless the press
 *    became a rubber band. Focusable views take the focus on a press.
 *  - drags (any button): drag_begin decides; the default is a rubber band for the primary button when
 *    items_in_rect is set. */
struct _CncChartViewClass
{
  GtkWidgetClass parent_class;

  /* The set's signals: "changed" (indices are new: rebuild everything), the others as named. */
  void          (*models_changed)    (CncChartView *self);
  void          (*selection_changed) (CncChartView *self);
  void          (*filter_changed)    (CncChartView *self);
  void          (*encoding_changed)  (CncChartView *self);

  /* The static layer: what does not change with the pointer, drawn into a cached image of @width × @height. */
  void          (*draw_static)       (CncChartView *self, cairo_t *cr, const CncChartStyle *style,
                                      int width, int height);
  /* Drawn fresh every frame over it: hover marks, overlays. */
  void          (*draw_motion)       (CncChartView *self, cairo_t *cr, const CncChartStyle *style,
                                      int width, int height);
  /* The hover card of @item, placed near the pointer (x, y) inside width × height. */
  void          (*draw_card)         (CncChartView *self, cairo_t *cr, const CncChartStyle *style, guint item,
                                      double x, double y, int width, int height);

  /* Hit tests: the item at (x, y); the items inside the rectangle of corners (x0, y0), (x1, y1), in any order
   * (a new GArray of guint, for the rubber band). Both answer only items that can be selected (not faded). */
  guint         (*lookup_item)       (CncChartView *self, double x, double y);
  GArray       *(*items_in_rect)     (CncChartView *self, double x0, double y0, double x1, double y1);
  /* The cursor at (x, y) over @item (NULL: the default one); without it, "pointer" over an item. */
  const char   *(*get_cursor)        (CncChartView *self, double x, double y, guint item);

  /* A primary-button press on @item (lookup_item at x, y): TRUE when the view handled it itself. */
  gboolean      (*press)             (CncChartView *self, guint item, int n_press, double x, double y,
                                      GdkModifierType state);
  /* A drag starting at (x, y) with @button: what it becomes. The view's own drags (CNC_CHART_DRAG_OWN) then get
   * the offset from the start as the pointer moves, and at the end. */
  CncChartDrag  (*drag_begin)        (CncChartView *self, guint button, double x, double y);
  void          (*drag_update)       (CncChartView *self, double dx, double dy);
  void          (*drag_end)          (CncChartView *self, double dx, double dy);

  /* Set in class_init; inherited, CNC_CHART_VIEW_CLICK_MODES | CNC_CHART_VIEW_CLICK_CLEARS by default. */
  CncChartViewFlags flags;
};

CncModelSet   *cnc_chart_view_get_model_set  (CncChartView *self);
/* Drops the static layer: it is drawn again for the next frame. */
void           cnc_chart_view_invalidate     (CncChartView *self);
guint          cnc_chart_view_lookup_item    (CncChartView *self, double x, double y);
/* Where the pointer is (or was last); FALSE when it is outside the view or a drag is under way. */
gboolean       cnc_chart_view_get_pointer    (CncChartView *self, double *x, double *y);
/* The item lookup_item found under the pointer at its last move (CNC_MODEL_NONE after the models or the
 * selection change, until it moves again). */
guint          cnc_chart_view_get_pointer_item (CncChartView *self);
/* The selection mode of a click with @state, as the class's flags say. */
CncSelectMode  cnc_chart_view_select_mode    (CncChartView *self, GdkModifierType state);

/* A group holding the view's class actions named "@prefix.NAME" as "NAME", for buttons outside the view
 * (insert it under @prefix on an ancestor of them): activating one runs the view's action and gives the view
 * the keyboard focus. Free with g_object_unref. */
GActionGroup  *cnc_chart_view_export_actions (CncChartView *self, const char *prefix);

G_END_DECLS
