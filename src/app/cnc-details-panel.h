/* cnc-details-panel.h
 * Selection details: one model's details, notes, tags and layers; or what differs between 2–16 models.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_DETAILS_PANEL (cnc_details_panel_get_type ())
G_DECLARE_FINAL_TYPE (CncDetailsPanel, cnc_details_panel, CNC, DETAILS_PANEL, GtkWidget)

GtkWidget *cnc_details_panel_new (CncModelSet *set);

G_END_DECLS
