/* cnc-model-set-selection.c
 * The model set's selection: replace, add, toggle or subtract models (only those passing the filters), and grow
 * it along the lineage (parents, children, ancestors, descendants).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-model-set"

#include "cnc-model-set-private.h"

gboolean
cnc_model_set_is_selected (CncModelSet *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), FALSE);
  return index < _cnc_model_set_n_models (self) && self->selected[index];
}

guint
cnc_model_set_get_n_selected (CncModelSet *self)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (self), 0);
  return self->n_selected;
}

GArray *
cnc_model_set_get_selection (CncModelSet *self)
{
  GArray *out;

  g_return_val_if_fail (CNC_IS_MODEL_SET (self), NULL);
  out = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->n_selected);
  for (guint i = 0; i < _cnc_model_set_n_models (self); i++)
    if (self->selected[i])
      g_array_append_val (out, i);
  return out;
}

/* Sets one flag; TRUE when it changed. */
static gboolean
set_selected (CncModelSet *self, guint i, gboolean on)
{
  if (i >= _cnc_model_set_n_models (self) || (on && !self->passing[i]) || !!self->selected[i] == !!on)
    return FALSE;
  self->selected[i] = on;
  if (on)
    self->n_selected++;
  else
    self->n_selected--;
  return TRUE;
}

void
cnc_model_set_select (CncModelSet   *self,
                      const guint   *indices,
                      guint          n,
                      CncSelectMode  mode)
{
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MODEL_SET (self));
  g_return_if_fail (n == 0 || indices != NULL);

  if (mode == CNC_SELECT_REPLACE)
    {
      g_autofree guint8 *want = g_new0 (guint8, MAX (_cnc_model_set_n_models (self), 1));

      for (guint j = 0; j < n; j++)
        if (indices[j] < _cnc_model_set_n_models (self))
          want[indices[j]] = 1;
      for (guint i = 0; i < _cnc_model_set_n_models (self); i++)
        changed |= set_selected (self, i, want[i]);
    }
  else
    for (guint j = 0; j < n; j++)
      {
        guint i = indices[j];

        if (i >= _cnc_model_set_n_models (self))
          continue;
        switch (mode)
          {
          case CNC_SELECT_ADD:
            changed |= set_selected (self, i, TRUE);
            break;
          case CNC_SELECT_TOGGLE:
            changed |= set_selected (self, i, !self->selected[i]);
            break;
          case CNC_SELECT_SUBTRACT:
            changed |= set_selected (self, i, FALSE);
            break;
          case CNC_SELECT_REPLACE:
          default:
            g_assert_not_reached ();
          }
      }
  if (changed)
    _cnc_model_set_selection_changed (self);
}

void
cnc_model_set_select_one (CncModelSet *self, guint index)
{
  cnc_model_set_select (self, &index, 1, CNC_SELECT_REPLACE);
}

void
cnc_model_set_extend (CncModelSet *self, guint index)
{
  cnc_model_set_select (self, &index, 1, CNC_SELECT_ADD);
}

void
cnc_model_set_toggle (CncModelSet *self, guint index)
{
  cnc_model_set_select (self, &index, 1, CNC_SELECT_TOGGLE);
}

void
cnc_model_set_select_all (CncModelSet *self)
{
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MODEL_SET (self));
  for (guint i = 0; i < _cnc_model_set_n_models (self); i++)
    changed |= set_selected (self, i, TRUE);
  if (changed)
    _cnc_model_set_selection_changed (self);
}

void
cnc_model_set_select_none (CncModelSet *self)
{
  cnc_model_set_select (self, NULL, 0, CNC_SELECT_REPLACE);
}

/* Adds the neighbours of the selection one step (@steps = 1) or transitively, up or down. */
static void
grow_selection (CncModelSet *self, gboolean up, gboolean transitive)
{
  CncModelSetData *d = self->data;
  guint n = _cnc_model_set_n_models (self);
  g_autofree guint8 *seen = g_new0 (guint8, MAX (n, 1));
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) add = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < n; i++)
    if (self->selected[i])
      {
        seen[i] = 1;
        g_array_append_val (queue, i);
      }
  for (guint q = 0; q < queue->len; q++)
    {
      guint i = g_array_index (queue, guint, q);
      guint nb[2], n_nb = 0;
      const guint *list = nb;

      if (up)
        {
          if (d->parent[i] != CNC_MODEL_NONE)
            nb[n_nb++] = d->parent[i];
          if (d->teacher[i] != CNC_MODEL_NONE)
            nb[n_nb++] = d->teacher[i];
        }
      else
        {
          list = d->child_list + d->child_start[i];
          n_nb = d->child_start[i + 1] - d->child_start[i];
        }
      for (guint j = 0; j < n_nb; j++)
        {
          guint k = list[j];

          if (seen[k])
            continue;
          seen[k] = 1;
          g_array_append_val (add, k);
          if (transitive)
            g_array_append_val (queue, k);
        }
    }
  cnc_model_set_select (self, (const guint *) add->data, add->len, CNC_SELECT_ADD);
}

void
cnc_model_set_add_parents (CncModelSet *self)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  grow_selection (self, TRUE, FALSE);
}

void
cnc_model_set_add_children (CncModelSet *self)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  grow_selection (self, FALSE, FALSE);
}

void
cnc_model_set_add_ancestors (CncModelSet *self)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  grow_selection (self, TRUE, TRUE);
}

void
cnc_model_set_add_descendants (CncModelSet *self)
{
  g_return_if_fail (CNC_IS_MODEL_SET (self));
  grow_selection (self, FALSE, TRUE);
}
