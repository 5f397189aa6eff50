/* cnc-metric-format.h
 * Numbers shown to people: each metric value in its unit with sensible precision, one format everywhere.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/cnc-records.h"

G_BEGIN_DECLS

/* "72.8%", "19 ms", "57.3 MB", "11.2M", "—" for a missing value. */
char *cnc_metric_format_value  (const CncMetric *metric,
                                double           value);

/* A change against a parent: "+3.1 pp" for percentages, "−12%" relative otherwise,
 * "new" when the parent has no value. */
char *cnc_metric_format_change (const CncMetric *metric,
                                double           value,
                                double           parent_value);

G_END_DECLS
