/* cnc-metric-dropdown.h
 * A GtkDropDown listing a model set's metrics (optionally after "None"), for every metric choice on screen.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/cnc-model-set.h"

G_BEGIN_DECLS

/* Gives @dropdown a button that ellipsizes long metric names (so toolbars can shrink) and a plain list. */
void  cnc_metric_dropdown_init (GtkDropDown *dropdown);

/* Refills @dropdown with the set's metrics, keeping the metric chosen before (by name) when it is still
 * there; "None" first when @with_none. Emits no notify::selected while it refills. */
void  cnc_metric_dropdown_fill (GtkDropDown *dropdown,
                                CncModelSet *set,
                                gboolean     with_none);
/* The chosen metric's index in the set, or -1 ("None" or nothing). */
int   cnc_metric_dropdown_get  (GtkDropDown *dropdown);
void  cnc_metric_dropdown_set  (GtkDropDown *dropdown,
                                int          metric);

G_END_DECLS
