/* test-pareto.c
 * Tests of the Pareto frontier against NumPy (compare_reference.py: ties, duplicates, NaN, infinities, 2 and 3 metrics) and of `pareto`.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pareto"

#include <math.h>
#include <string.h>

#include "cnc-test-util.h"
#include "core/analysis/cnc-pareto.h"

static JsonNode *reference;

static double
point_value (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return NAN;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_str_equal (json_node_get_string (node), "inf") ? INFINITY : -INFINITY;
  return json_node_get_double (node);
}

static void
assert_indices (GArray     *got,
                JsonArray  *expected,
                const char *what)
{
  if (got->len != json_array_get_length (expected))
    g_error ("%s: %u indices, expected %u", what, got->len, json_array_get_length (expected));
  for (guint i = 0; i < got->len; i++)
    if (g_array_index (got, guint, i) != json_array_get_int_element (expected, i))
      g_error ("%s[%u] = %u, expected %" G_GINT64_FORMAT, what, i, g_array_index (got, guint, i),
               json_array_get_int_element (expected, i));
}

static void
test_reference (void)
{
  JsonArray *cases = json_object_get_array_member (json_node_get_object (reference), "pareto");

  g_assert_cmpuint (json_array_get_length (cases), ==, 4);
  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *o = json_array_get_object_element (cases, c);
      JsonArray *points = json_object_get_array_member (o, "points");
      JsonArray *higher = json_object_get_array_member (o, "higher");
      JsonArray *dom = json_object_get_array_member (o, "dominated_by");
      guint n = json_array_get_length (points), d = json_array_get_length (higher);
      g_autofree double *values = g_new (double, n * d);
      g_autofree gboolean *hib = g_new (gboolean, d);
      g_autoptr(GArray) front = NULL, front_only = NULL;
      g_autoptr(GPtrArray) dominated_by = NULL;

      for (guint i = 0; i < n; i++)
        for (guint j = 0; j < d; j++)
          values[i * d + j] = point_value (json_array_get_element (json_array_get_array_element (points, i), j));
      for (guint j = 0; j < d; j++)
        hib[j] = json_array_get_boolean_element (higher, j);
      front = cnc_pareto_front (values, n, d, hib, &dominated_by);
      front_only = cnc_pareto_front (values, n, d, hib, NULL);
      assert_indices (front, json_object_get_array_member (o, "front"), "front");
      assert_indices (front_only, json_object_get_array_member (o, "front"), "front without dominators");
      g_assert_cmpuint (dominated_by->len, ==, n);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *what = g_strdup_printf ("case %u: dominators of point %u", c, i);
          assert_indices (dominated_by->pdata[i], json_array_get_array_element (dom, i), what);
        }
    }
}

static void
test_hand_made (void)
{
  /* x higher, y lower is better. 0 and 1 equal (both on the front); 2 beaten by 0 and 1 on y only;
   * 3 has a NaN; 4 is beaten by 0, 1, 2 and 5; 5 by 0 and 1 on x only. */
  const double v[] = { 5, 1,   5, 1,   5, 2,   9, NAN,   1, 9,   2, 1 };
  const gboolean higher[] = { TRUE, FALSE };
  g_autoptr(GPtrArray) dom = NULL;
  g_autoptr(GArray) front = cnc_pareto_front (v, 6, 2, higher, &dom);
  g_autoptr(GArray) empty = NULL;
  GArray *d4;

  g_assert_cmpuint (front->len, ==, 2);
  g_assert_cmpuint (g_array_index (front, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (front, guint, 1), ==, 1);
  g_assert_cmpuint (((GArray *) dom->pdata[2])->len, ==, 2);
  g_assert_cmpuint (((GArray *) dom->pdata[3])->len, ==, 0);
  d4 = dom->pdata[4];
  g_assert_cmpuint (d4->len, ==, 4);
  g_assert_cmpuint (g_array_index (d4, guint, 2), ==, 2);
  g_assert_cmpuint (g_array_index (d4, guint, 3), ==, 5);
  g_assert_cmpuint (((GArray *) dom->pdata[5])->len, ==, 2);

  empty = cnc_pareto_front (NULL, 0, 2, higher, NULL);
  g_assert_cmpuint (empty->len, ==, 0);
}

/* One metric: the best value(s) only. */
static void
test_one_metric (void)
{
  const double v[] = { 3, 7, 7, NAN, 1 };
  const gboolean higher[] = { TRUE };
  g_autoptr(GArray) front = cnc_pareto_front (v, 5, 1, higher, NULL);

  g_assert_cmpuint (front->len, ==, 2);
  g_assert_cmpuint (g_array_index (front, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (front, guint, 1), ==, 2);
}

static void
test_cli (void)
{
  g_autofree char *dir = cnc_test_tmpdir ("pareto");
  g_autofree char *ws = g_build_filename (dir, "ws", NULL);
  /* Accuracy higher is better, Latency lower (guessed from the name on import). */
  g_autofree char *path = cnc_test_write_file (dir, "models.json",
    "{\"metrics\": [{\"name\": \"Accuracy\", \"format\": \".1%\"}, {\"name\": \"Latency\", \"unit\": \"ms\"}],"
    " \"operations\": [],"
    " \"models\": [{\"id\": \"a\", \"metrics\": {\"Accuracy\": 0.9, \"Latency\": 20}},"
    "  {\"id\": \"b\", \"metrics\": {\"Accuracy\": 0.8, \"Latency\": 10}},"
    "  {\"id\": \"c\", \"metrics\": {\"Accuracy\": 0.7, \"Latency\": 15}},"
    "  {\"id\": \"d\", \"metrics\": {\"Accuracy\": 0.95, \"Latency\": null}},"
    "  {\"id\": \"e\", \"metrics\": {\"Accuracy\": 0.6, \"Latency\": 25}}]}");
  const char *init[] = { "init", ws, NULL };
  const char *import[] = { "-w", ws, "import-json", path, NULL };
  const char *json_args[] = { "-w", ws, "pareto", "--x", "Latency", "--y", "Accuracy", "--json", NULL };
  const char *text_args[] = { "-w", ws, "pareto", "--x", "Latency", "--y", "Accuracy", NULL };
  const char *unknown[] = { "-w", ws, "pareto", "--x", "Latency", "--y", "Loss", NULL };
  const char *missing[] = { "-w", ws, "pareto", "--x", "Latency", NULL };
  const char *expected =
    "{\"x\": {\"metric\": \"Latency\", \"higher_is_better\": false},"
    " \"y\": {\"metric\": \"Accuracy\", \"higher_is_better\": true},"
    " \"front\": [\"b\", \"a\"],"
    " \"models\": [{\"name\": \"a\", \"x\": 20, \"y\": 0.9, \"on_front\": true, \"dominated_by\": []},"
    "  {\"name\": \"b\", \"x\": 10, \"y\": 0.8, \"on_front\": true, \"dominated_by\": []},"
    "  {\"name\": \"c\", \"x\": 15, \"y\": 0.7, \"on_front\": false, \"dominated_by\": [\"b\"]},"
    "  {\"name\": \"e\", \"x\": 25, \"y\": 0.6, \"on_front\": false, \"dominated_by\": [\"a\", \"b\", \"c\"]}],"
    " \"missing\": [\"d\"]}";
  g_autofree char *out = NULL, *text = NULL, *err = NULL;
  g_autoptr(JsonNode) got = NULL, want = NULL;
  g_autoptr(GString) where = g_string_new ("pareto --json");

  g_assert_cmpint (cnc_test_run_cli (init, NULL, NULL), ==, 0);
  g_assert_cmpint (cnc_test_run_cli (import, NULL, NULL), ==, 0);
  g_assert_cmpint (cnc_test_run_cli (json_args, &out, NULL), ==, 0);
  got = cnc_test_parse_json (out);
  want = cnc_test_parse_json (expected);
  if (!cnc_test_json_equivalent (got, want, where))
    g_error ("%s\n%s", where->str, out);
  g_assert_cmpint (cnc_test_run_cli (text_args, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "2 models"));
  g_assert_nonnull (strstr (text, "  b  10 ms, 80.0%"));
  g_assert_nonnull (strstr (text, "e is beaten by a, b, c"));
  g_assert_nonnull (strstr (text, "1 model without both values left out"));
  g_assert_cmpint (cnc_test_run_cli (unknown, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "No metric named “Loss” (the workspace has: "));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cnc_test_run_cli (missing, NULL, &err), ==, 2);
  cnc_test_rmtree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *fixtures = NULL, *ref_path = NULL, *text = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fixtures = cnc_test_tmpdir ("pareto-fixtures");
  {
    const char *make_args[] = { fixtures, "7", NULL };
    const char *ref_args[] = { fixtures, NULL };
    if (!cnc_test_run_python ("make-compare-fixtures.py", make_args)
        || !cnc_test_run_python ("compare_reference.py", ref_args))
      {
        cnc_test_rmtree (fixtures);
        return 77;
      }
  }
  ref_path = g_build_filename (fixtures, "reference.json", NULL);
  g_assert_true (g_file_get_contents (ref_path, &text, NULL, NULL));
  reference = cnc_test_parse_json (text);
  cnc_test_rmtree (fixtures);

  g_test_add_func ("/pareto/reference", test_reference);
  g_test_add_func ("/pareto/hand-made", test_hand_made);
  g_test_add_func ("/pareto/one-metric", test_one_metric);
  g_test_add_func ("/pareto/cli", test_cli);
  status = g_test_run ();
  json_node_unref (reference);
  return status;
}
