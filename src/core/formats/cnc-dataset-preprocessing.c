/* cnc-dataset-preprocessing.c
 * What is done to every image of a dataset before a model sees it: defaults, checks, the JSON the registry keeps.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dataset"

#include "cnc-dataset-private.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (cnc-dataset-error-quark, cnc_dataset_error)

void
cnc_preprocessing_init_default (CncPreprocessing *pre)
{
  g_return_if_fail (pre != NULL);

  memset (pre, 0, sizeof *pre);
  pre->scale = 1.0 / 255.0;
  for (guint i = 0; i < 3; i++)
    pre->std[i] = 1.0;
}

char *
cnc_preprocessing_to_json (const CncPreprocessing *pre)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (pre != NULL, NULL);

  json_builder_begin_object (b);
  if (pre->height > 0 || pre->width > 0)
    {
      json_builder_set_member_name (b, "resize");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, pre->height);
      json_builder_add_int_value (b, pre->width);
      json_builder_end_array (b);
    }
  if (pre->channels > 0)
    {
      json_builder_set_member_name (b, "channels");
      json_builder_add_int_value (b, pre->channels);
    }
  if (!isnan (pre->scale))
    {
      json_builder_set_member_name (b, "scale");
      json_builder_add_double_value (b, pre->scale);
    }
  if (pre->n_mean > 0)
    {
      json_builder_set_member_name (b, "mean");
      json_builder_begin_array (b);
      for (guint i = 0; i < pre->n_mean && i < 3; i++)
        json_builder_add_double_value (b, pre->mean[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "std");
      json_builder_begin_array (b);
      for (guint i = 0; i < pre->n_mean && i < 3; i++)
        json_builder_add_double_value (b, pre->std[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
node_is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node)
         && (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

/* Reads a JSON list of 1 to @max numbers into @values. */
static gboolean
read_numbers (JsonObject *o,
              const char *member,
              guint       max,
              double     *values,
              guint      *n)
{
  JsonNode *node = json_object_get_member (o, member);
  JsonArray *a;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  a = json_node_get_array (node);
  *n = json_array_get_length (a);
  if (*n == 0 || *n > max)
    return FALSE;
  for (guint i = 0; i < *n; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!node_is_number (e))
        return FALSE;
      values[i] = json_node_get_double (e);
    }
  return TRUE;
}

/* The checks every preprocessing passes (the channel count of mean/std is checked against the data). */
gboolean
_cnc_preprocessing_check (const CncPreprocessing *pre,
                          GError                **error)
{
  const char *problem = NULL;

  if ((pre->height == 0) != (pre->width == 0) || pre->height > 65536 || pre->width > 65536)
    problem = "a resize needs a height and a width, each 1 to 65536";
  else if (pre->channels != 0 && pre->channels != 1 && pre->channels != 3)
    problem = "channels must be 1 or 3";
  else if (!isnan (pre->scale) && (!isfinite (pre->scale) || pre->scale == 0))
    problem = "the scale must be a finite number other than 0";
  else if (pre->n_mean != 0 && pre->n_mean != 1 && pre->n_mean != 3)
    problem = "mean and std need 1 or 3 values (one per channel)";
  for (guint i = 0; problem == NULL && i < pre->n_mean; i++)
    if (!isfinite (pre->mean[i]) || !isfinite (pre->std[i]) || pre->std[i] == 0)
      problem = "mean and std must be finite numbers and std other than 0";
  if (problem)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "preprocessing: %s", problem);
      return FALSE;
    }
  return TRUE;
}

gboolean
cnc_preprocessing_from_json (const char       *json,
                             CncPreprocessing *pre,
                             GError          **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  CncPreprocessing p;
  JsonObject *o;
  JsonNode *node;
  const char *problem = NULL;

  g_return_val_if_fail (json != NULL && pre != NULL, FALSE);

  cnc_preprocessing_init_default (&p);
  root = json_from_string (json, &local);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID,
                   "preprocessing: not a JSON object%s%s", local ? ": " : "", local ? local->message : "");
      return FALSE;
    }
  o = json_node_get_object (root);
  if ((node = json_object_get_member (o, "resize")))
    {
      double hw[2];
      guint n = 0;
      if (!read_numbers (o, "resize", 2, hw, &n) || n != 2 || hw[0] < 1 || hw[1] < 1
          || hw[0] > 65536 || hw[1] > 65536 || hw[0] != floor (hw[0]) || hw[1] != floor (hw[1]))
        problem = "“resize” must be [height, width]";
      else
        {
          p.height = (guint) hw[0];
          p.width = (guint) hw[1];
        }
    }
  if (problem == NULL && (node = json_object_get_member (o, "channels")))
    {
      if (!node_is_number (node) || (json_node_get_double (node) != 1 && json_node_get_double (node) != 3))
        problem = "“channels” must be 1 or 3";
      else
        p.channels = (guint) json_node_get_double (node);
    }
  if (problem == NULL && (node = json_object_get_member (o, "scale")))
    {
      if (JSON_NODE_HOLDS_NULL (node))
        p.scale = NAN;
      else if (!node_is_number (node))
        problem = "“scale” must be a number";
      else
        p.scale = json_node_get_double (node);
    }
  if (problem == NULL && (json_object_has_member (o, "mean") || json_object_has_member (o, "std")))
    {
      guint n_mean = 0, n_std = 0;
      if (!read_numbers (o, "mean", 3, p.mean, &n_mean) || !read_numbers (o, "std", 3, p.std, &n_std)
          || n_mean != n_std)
        problem = "“mean” and “std” must be lists of as many numbers (1 or 3)";
      p.n_mean = n_mean;
    }
  if (problem)
    {
      g_set_error (error, CNC_DATASET_ERROR, CNC_DATASET_ERROR_INVALID, "preprocessing: %s", problem);
      return FALSE;
    }
  if (!_cnc_preprocessing_check (&p, error))
    return FALSE;
  *pre = p;
  return TRUE;
}

gboolean
_cnc_preprocessing_equal (const CncPreprocessing *a,
                          const CncPreprocessing *b)
{
  if (a->height != b->height || a->width != b->width || a->channels != b->channels
      || a->scale != b->scale || a->n_mean != b->n_mean)
    return FALSE;
  for (guint i = 0; i < a->n_mean; i++)
    if (a->mean[i] != b->mean[i] || a->std[i] != b->std[i])
      return FALSE;
  return TRUE;
}
