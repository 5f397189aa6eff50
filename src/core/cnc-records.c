/* cnc-records.c
 * The plain records every room shares: their constructors, destructors and names.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-records"

#include "cnc-records.h"

#include "cnc-core-enums.h"
#include "cnc-enum-names.h"

G_DEFINE_QUARK (cnc-workspace-error-quark, cnc_workspace_error)

/* Anything but a teacher reads "base", as the registry has always written it. */
const char *
cnc_edge_role_name (CncEdgeRole role)
{
  const char *nick = cnc_enum_get_nick (CNC_TYPE_EDGE_ROLE, role);

  return nick ? nick : cnc_enum_get_nick (CNC_TYPE_EDGE_ROLE, CNC_EDGE_BASE);
}

CNC_DEFINE_ENUM_FROM_NAME (CncEdgeRole, CNC_TYPE_EDGE_ROLE, cnc_edge_role_from_name)

CncModel *
cnc_model_new (void)
{
  CncModel *m = g_new0 (CncModel, 1);

  m->id = -1;
  m->notes = g_strdup ("");
  m->tags = g_new0 (char *, 1);
  m->parameters = g_strdup ("{}");
  m->format = g_strdup ("record");
  return m;
}

void
cnc_model_free (CncModel *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m->label);
  g_free (m->notes);
  g_strfreev (m->tags);
  g_free (m->format);
  g_free (m->sha256);
  g_free (m->file);
  g_free (m->operation);
  g_free (m->parameters);
  g_free (m);
}

void
cnc_metric_free (CncMetric *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m->unit);
  g_free (m->format);
  g_free (m);
}

void
cnc_operation_free (CncOperation *op)
{
  if (op == NULL)
    return;
  g_free (op->name);
  g_free (op->parameters);
  g_free (op);
}

void
cnc_metric_value_free (CncMetricValue *v)
{
  if (v == NULL)
    return;
  g_free (v->metric);
  g_free (v);
}

void
cnc_predictions_free (CncPredictions *p)
{
  if (p == NULL)
    return;
  g_free (p->split);
  g_free (p->device);
  g_free (p->variant);
  g_free (p->labels);
  g_free (p->predicted);
  g_free (p->top5);
  g_free (p->p_true);
  g_free (p->p_max);
  g_free (p->logits);
  g_free (p);
}
