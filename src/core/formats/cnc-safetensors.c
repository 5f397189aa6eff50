/* cnc-safetensors.c
 * Reading safetensors files: header validation and per-tensor statistics.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-safetensors"

#include "cnc-safetensors.h"
#include "cnc-json-depth.h"

#include "cnc-layer-stats.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

G_DEFINE_QUARK (cnc-safetensors-error-quark, cnc_safetensors_error)

/* The reference implementation refuses headers above 100 MB; so do we. */
#define MAX_HEADER_LEN (100 * 1000 * 1000)

typedef struct {
  const char *name;
  CncDtype    dtype;
} DtypeName;

static const DtypeName dtype_names[] = {
  { "F64", CNC_DTYPE_F64 },
  { "F32", CNC_DTYPE_F32 },
  { "F16", CNC_DTYPE_F16 },
  { "BF16", CNC_DTYPE_BF16 },
  { "I64", CNC_DTYPE_I64 },
  { "I32", CNC_DTYPE_I32 },
  { "I16", CNC_DTYPE_I16 },
  { "I8", CNC_DTYPE_I8 },
  { "U8", CNC_DTYPE_U8 },
  { "BOOL", CNC_DTYPE_BOOL },
};

/* One tensor as the header describes it, after validation. */
typedef struct {
  const char *name;     /* owned by the parsed JSON */
  CncDtype    dtype;
  gint64     *shape;
  guint       n_dims;
  gint64      numel;
  guint64     begin;
  guint64     end;
} Entry;

static void
entry_clear (gpointer p)
{
  Entry *e = p;

  g_free (e->shape);
}

static guint64
read_le64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

gboolean
cnc_safetensors_probe (const guint8 *head,
                       gsize         len)
{
  guint64 n;

  g_return_val_if_fail (head != NULL || len == 0, FALSE);

  if (len < 9)
    return FALSE;
  n = read_le64 (head);
  return n >= 2 && n <= MAX_HEADER_LEN && head[8] == '{';
}

static gboolean
lookup_dtype (const char *name,
              CncDtype   *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtype_names); i++)
    if (strcmp (dtype_names[i].name, name) == 0)
      {
        *out = dtype_names[i].dtype;
        return TRUE;
      }
  return FALSE;
}

/* Reads a JSON whole number >= 0. */
static gboolean
get_count (JsonNode *node,
           gint64   *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return *out >= 0;
}

static gboolean
parse_entry (const char  *file,
             const char  *name,
             JsonNode    *node,
             guint64      data_len,
             Entry       *e,
             GError     **error)
{
  JsonObject *o;
  JsonNode *dtype_node, *shape_node, *offsets_node;
  JsonArray *shape, *offsets;
  const char *dtype_name;
  gint64 begin, end;
  guint64 n_bytes;

  e->name = name;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                   "%s: the header entry for tensor '%s' is not an object", file, name);
      return FALSE;
    }
  o = json_node_get_object (node);
  dtype_node = json_object_get_member (o, "dtype");
  shape_node = json_object_get_member (o, "shape");
  offsets_node = json_object_get_member (o, "data_offsets");
  if (dtype_node == NULL || shape_node == NULL || offsets_node == NULL)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                   "%s: tensor '%s' has no %s in the header", file, name,
                   dtype_node == NULL ? "dtype" : shape_node == NULL ? "shape" : "data_offsets");
      return FALSE;
    }

  /* dtype */
  if (!JSON_NODE_HOLDS_VALUE (dtype_node)
      || json_node_get_value_type (dtype_node) != G_TYPE_STRING)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                   "%s: tensor '%s' has a dtype that is not a name", file, name);
      return FALSE;
    }
  dtype_name = json_node_get_string (dtype_node);
  if (!lookup_dtype (dtype_name, &e->dtype))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_UNSUPPORTED_DTYPE,
                   "%s: tensor '%s' has element type '%s', which Compress & Compare cannot read "
                   "(F64, F32, F16, BF16, I64, I32, I16, I8, U8 or BOOL)", file, name, dtype_name);
      return FALSE;
    }

  /* shape, and the element count with overflow checks */
  if (!JSON_NODE_HOLDS_ARRAY (shape_node))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                   "%s: tensor '%s' has a shape that is not a list", file, name);
      return FALSE;
    }
  shape = json_node_get_array (shape_node);
  e->n_dims = json_array_get_length (shape);
  e->shape = g_new0 (gint64, MAX (e->n_dims, 1));
  e->numel = 1;
  for (guint i = 0; i < e->n_dims; i++)
    {
      if (!get_count (json_array_get_element (shape, i), &e->shape[i]))
        {
          g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                       "%s: tensor '%s' has a shape whose dimension %u is not a whole number ≥ 0",
                       file, name, i);
          return FALSE;
        }
      if (e->shape[i] != 0 && e->numel > G_MAXINT64 / e->shape[i])
        {
          g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                       "%s: tensor '%s' has a shape too large to count its elements",
                       file, name);
          return FALSE;
        }
      e->numel *= e->shape[i];
    }

  /* data_offsets: [begin, end) relative to the start of the data area */
  if (!JSON_NODE_HOLDS_ARRAY (offsets_node)
      || json_array_get_length (offsets = json_node_get_array (offsets_node)) != 2
      || !get_count (json_array_get_element (offsets, 0), &begin)
      || !get_count (json_array_get_element (offsets, 1), &end))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                   "%s: tensor '%s' has data_offsets that are not two whole numbers ≥ 0",
                   file, name);
      return FALSE;
    }
  e->begin = begin;
  e->end = end;
  if (e->end < e->begin)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_OFFSETS,
                   "%s: tensor '%s' ends (byte %" G_GUINT64_FORMAT ") before it begins (byte %"
                   G_GUINT64_FORMAT ")", file, name, e->end, e->begin);
      return FALSE;
    }
  if (e->end > data_len)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_OFFSETS,
                   "%s: tensor '%s' lies at bytes %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT
                   " but the data area has only %" G_GUINT64_FORMAT " bytes (the file may be cut short)",
                   file, name, e->begin, e->end, data_len);
      return FALSE;
    }
  if ((guint64) e->numel > G_MAXUINT64 / cnc_dtype_size (e->dtype))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_ENTRY,
                   "%s: tensor '%s' has a shape too large to count its bytes", file, name);
      return FALSE;
    }
  n_bytes = (guint64) e->numel * cnc_dtype_size (e->dtype);
  if (e->end - e->begin != n_bytes)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_OFFSETS,
                   "%s: tensor '%s' takes %" G_GUINT64_FORMAT " bytes but its shape and element "
                   "type need %" G_GUINT64_FORMAT, file, name, e->end - e->begin, n_bytes);
      return FALSE;
    }
  return TRUE;
}

static int
compare_by_begin (gconstpointer a,
                  gconstpointer b)
{
  const Entry *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

static gboolean
check_overlaps (const char  *file,
                GArray      *entries,
                GError     **error)
{
  g_autoptr(GArray) sorted = g_array_sized_new (FALSE, FALSE, sizeof (Entry), entries->len);
  const Entry *last = NULL;   /* the non-empty tensor reaching furthest so far */

  g_array_append_vals (sorted, entries->data, entries->len);
  g_array_sort (sorted, compare_by_begin);
  for (guint i = 0; i < sorted->len; i++)
    {
      const Entry *e = &g_array_index (sorted, Entry, i);

      if (e->end == e->begin)
        continue;
      if (last != NULL && e->begin < last->end)
        {
          g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_OVERLAP,
                       "%s: tensors '%s' and '%s' overlap (bytes %" G_GUINT64_FORMAT "–%"
                       G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT ")",
                       file, last->name, e->name, last->begin, last->end, e->begin, e->end);
          return FALSE;
        }
      if (last == NULL || e->end > last->end)
        last = e;
    }
  return TRUE;
}

/* float32 data whose address is not 4-aligned (the header length is not a multiple
 * of 4): the stats code reads floats directly, so feed it aligned chunks and merge. */
static void
compute_unaligned_f32 (CncLayerStats *stats,
                       const guint8  *data,
                       gint64         n)
{
  enum { CHUNK = 1 << 16 };
  g_autofree float *buf = g_new (float, CHUNK);
  g_autoptr(CncLayerStats) part = cnc_layer_stats_new ("", "float32", 32, NULL, 0);
  double sum = 0, sum_sq = 0, l1 = 0, lo = INFINITY, hi = -INFINITY;
  gint64 zeros = 0;

  for (gint64 i = 0; i < n; i += CHUNK)
    {
      gint64 m = MIN (CHUNK, n - i);

      memcpy (buf, data + 4 * i, 4 * m);
      cnc_layer_stats_compute (part, buf, CNC_DTYPE_F32, m);
      zeros += part->zeros;
      sum += part->mean * m;
      sum_sq += part->l2 * part->l2;
      l1 += part->l1;
      if (part->min < lo) lo = part->min;
      if (part->max > hi) hi = part->max;
    }

  stats->numel = n;
  stats->zeros = zeros;
  stats->l1 = l1;
  stats->l2 = sqrt (sum_sq);
  if (n > 0)
    {
      stats->mean = sum / n;
      stats->std = sqrt (MAX (0.0, sum_sq / n - stats->mean * stats->mean));
      stats->min = lo;
      stats->max = hi;
    }
  else
    {
      stats->mean = stats->std = stats->min = stats->max = NAN;
    }
}

/* A validated file: its mapping, parsed header and tensor entries (names owned by @parser). */
typedef struct {
  char         *file;      /* display name, for messages */
  GMappedFile  *map;
  JsonParser   *parser;
  GArray       *entries;   /* Entry, in header order */
  const guint8 *data;      /* start of the data area */
} Parsed;

static void
parsed_clear (Parsed *p)
{
  g_clear_pointer (&p->entries, g_array_unref);
  g_clear_object (&p->parser);
  g_clear_pointer (&p->map, g_mapped_file_unref);
  g_clear_pointer (&p->file, g_free);
  p->data = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parsed, parsed_clear)

/* Maps @path and validates its header strictly: on success @out holds every tensor entry. */
static gboolean
parse_file (const char  *path,
            Parsed      *out,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  const guint8 *bytes;
  const char *header;
  const char *file;
  JsonNode *root;
  JsonObject *object;
  GStatBuf st;
  gsize len;
  guint64 header_len, data_len;

  out->file = g_filename_display_basename (path);
  file = out->file;
  if (g_stat (path, &st) != 0)
    {
      int err = errno;

      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_READ,
                   "%s: %s", file, err == ENOENT ? "no such file" : g_strerror (err));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_READ,
                   "%s: %s", file, S_ISDIR (st.st_mode) ? "is a folder, not a model file"
                                                       : "not a regular file");
      return FALSE;
    }
  out->map = g_mapped_file_new (path, FALSE, &local_error);
  if (out->map == NULL)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_READ,
                   "%s: cannot be read: %s", file, local_error->message);
      return FALSE;
    }
  bytes = (const guint8 *) g_mapped_file_get_contents (out->map);
  len = g_mapped_file_get_length (out->map);

  if (len < 8)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_TOO_SHORT,
                   "%s: the file has %" G_GSIZE_FORMAT " bytes, too short to be a safetensors "
                   "file (its header length alone takes 8)", file, len);
      return FALSE;
    }
  header_len = read_le64 (bytes);
  if (header_len > len - 8)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER,
                   "%s: header says %" G_GUINT64_FORMAT " bytes but the file has %" G_GSIZE_FORMAT,
                   file, header_len, len);
      return FALSE;
    }
  if (header_len > MAX_HEADER_LEN)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER,
                   "%s: header says %" G_GUINT64_FORMAT " bytes, more than the 100 MB safetensors "
                   "allows", file, header_len);
      return FALSE;
    }
  header = (const char *) bytes + 8;
  out->data = bytes + 8 + header_len;
  data_len = len - 8 - header_len;

  if (!g_utf8_validate_len (header, header_len, NULL))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER,
                   "%s: the header is not UTF-8 text", file);
      return FALSE;
    }
  if (cnc_json_depth (header, header_len, CNC_JSON_MAX_DEPTH) > CNC_JSON_MAX_DEPTH)
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER,
                   "%s: the header nests deeper than %d levels: not a safetensors header", file,
                   CNC_JSON_MAX_DEPTH);
      return FALSE;
    }
  out->parser = json_parser_new_immutable ();
  if (header_len == 0 || !json_parser_load_from_data (out->parser, header, header_len, &local_error))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER,
                   "%s: the header is not valid JSON: %s", file,
                   local_error ? local_error->message : "it is empty");
      return FALSE;
    }
  root = json_parser_get_root (out->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER,
                   "%s: the header is JSON but not an object of tensors", file);
      return FALSE;
    }
  object = json_node_get_object (root);

  out->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (out->entries, entry_clear);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (object, name);
      Entry e = { 0 };

      if (strcmp (name, "__metadata__") == 0)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, CNC_SAFETENSORS_ERROR, CNC_SAFETENSORS_ERROR_BAD_HEADER,
                           "%s: the header's __metadata__ is not an object", file);
              return FALSE;
            }
          continue;
        }
      if (!parse_entry (file, name, node, data_len, &e, error))
        {
          entry_clear (&e);
          return FALSE;
        }
      g_array_append_val (out->entries, e);
    }
  return check_overlaps (file, out->entries, error);
}

GPtrArray *
cnc_safetensors_inspect (const char  *path,
                         GError     **error)
{
  g_auto(Parsed) parsed = { 0 };
  g_autoptr(GPtrArray) result = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_file (path, &parsed, error))
    return NULL;

  result = cnc_layer_stats_array_new ();
  for (guint i = 0; i < parsed.entries->len; i++)
    {
      const Entry *e = &g_array_index (parsed.entries, Entry, i);
      const guint8 *p = parsed.data + e->begin;
      CncLayerStats *stats = cnc_layer_stats_new (e->name, cnc_dtype_name (e->dtype),
                                                  cnc_dtype_bits (e->dtype),
                                                  e->shape, e->n_dims);

      if (e->dtype == CNC_DTYPE_F32 && ((uintptr_t) p % G_ALIGNOF (float)) != 0)
        compute_unaligned_f32 (stats, p, e->numel);
      else
        cnc_layer_stats_compute (stats, p, e->dtype, e->numel);
      g_ptr_array_add (result, stats);
    }
  return g_steal_pointer (&result);
}

gboolean
cnc_safetensors_foreach (const char             *path,
                         CncSafetensorsTensorFunc func,
                         gpointer                 user_data,
                         GError                 **error)
{
  g_auto(Parsed) parsed = { 0 };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_file (path, &parsed, error))
    return FALSE;

  for (guint i = 0; i < parsed.entries->len; i++)
    {
      const Entry *e = &g_array_index (parsed.entries, Entry, i);

      func (e->name, e->dtype, e->shape, e->n_dims, e->numel, parsed.data + e->begin, user_data);
    }
  return TRUE;
}

void
cnc_safetensors_to_f32 (const void *data,
                        CncDtype    dtype,
                        gint64      n,
                        float      *out)
{
  const guint8 *p = data;

  g_return_if_fail (n == 0 || (data != NULL && out != NULL));

  if (dtype == CNC_DTYPE_F32)
    memcpy (out, p, (gsize) n * 4);
  else
    for (gint64 i = 0; i < n; i++)
      out[i] = (float) cnc_dtype_element (p, dtype, i);
}
