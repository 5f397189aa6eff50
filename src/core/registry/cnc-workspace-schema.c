/* cnc-workspace-schema.c
 * The registry's SQL schema and its forward migrations, versioned with PRAGMA user_version.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-workspace"

#include "cnc-workspace-private.h"

/* Migration N brings a database from user_version N-1 to N. Append, never edit. */
static const char * const migrations[] = {
  NULL,
  /* 1: the registry */
  "CREATE TABLE operations ("
  "  name        TEXT PRIMARY KEY NOT NULL,"
  "  parameters  TEXT NOT NULL DEFAULT '[]',"      /* JSON list of names, or object name -> spec */
  "  position    INTEGER NOT NULL);"
  "CREATE TABLE metrics ("
  "  name        TEXT PRIMARY KEY NOT NULL,"
  "  unit        TEXT,"
  "  format      TEXT,"
  "  min         REAL,"
  "  max         REAL,"
  "  higher_is_better INTEGER NOT NULL DEFAULT 1,"
  "  is_primary  INTEGER NOT NULL DEFAULT 0,"
  "  position    INTEGER NOT NULL);"
  "CREATE TABLE models ("
  "  id          INTEGER PRIMARY KEY,"
  "  name        TEXT NOT NULL UNIQUE CHECK (length (name) > 0),"
  "  label       TEXT,"
  "  notes       TEXT NOT NULL DEFAULT '',"
  "  created     INTEGER NOT NULL,"
  "  format      TEXT NOT NULL,"
  "  sha256      TEXT,"
  "  size        INTEGER NOT NULL DEFAULT 0,"
  "  file        TEXT,"
  "  linked      INTEGER NOT NULL DEFAULT 0,"
  "  operation   TEXT REFERENCES operations (name) ON UPDATE CASCADE,"
  "  parameters  TEXT NOT NULL DEFAULT '{}');"
  "CREATE TABLE model_tags ("
  "  model       INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  tag         TEXT NOT NULL CHECK (length (tag) > 0),"
  "  PRIMARY KEY (model, tag)) WITHOUT ROWID;"
  "CREATE TABLE lineage ("
  "  child       INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  parent      INTEGER NOT NULL REFERENCES models (id) ON DELETE RESTRICT,"
  "  role        TEXT NOT NULL CHECK (role IN ('base', 'teacher')),"
  "  PRIMARY KEY (child, parent),"
  "  CHECK (child <> parent)) WITHOUT ROWID;"
  "CREATE INDEX lineage_parent ON lineage (parent);"
  "CREATE TABLE metric_values ("
  "  model       INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  metric      TEXT NOT NULL REFERENCES metrics (name) ON UPDATE CASCADE ON DELETE CASCADE,"
  "  value       REAL,"
  "  PRIMARY KEY (model, metric)) WITHOUT ROWID;"
  "CREATE TABLE layers ("
  "  model       INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  position    INTEGER NOT NULL,"
  "  name        TEXT NOT NULL,"
  "  module      TEXT NOT NULL,"
  "  shape       TEXT NOT NULL,"                    /* JSON list of sizes */
  "  dtype       TEXT NOT NULL,"
  "  bits        INTEGER NOT NULL,"
  "  numel       INTEGER NOT NULL,"
  "  zeros       INTEGER NOT NULL,"
  "  min REAL, max REAL, mean REAL, std REAL, l1 REAL, l2 REAL,"
  "  quantized   INTEGER NOT NULL DEFAULT 0,"
  "  qscale      REAL,"
  "  qzero_point INTEGER,"
  "  PRIMARY KEY (model, name)) WITHOUT ROWID;",

  /* 2: datasets, jobs, evaluations and their stored predictions */
  "CREATE TABLE datasets ("
  "  id          INTEGER PRIMARY KEY,"
  "  name        TEXT NOT NULL UNIQUE CHECK (length (name) > 0),"
  "  kind        TEXT NOT NULL CHECK (kind IN ('idx', 'npy', 'folder', 'builtin')),"
  "  classes     TEXT NOT NULL,"                     /* JSON list of class names */
  "  preprocessing TEXT NOT NULL DEFAULT '{}',"      /* JSON: resize, channels, scale, mean, std */
  "  created     INTEGER NOT NULL);"
  "CREATE TABLE dataset_splits ("
  "  dataset     INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
  "  split       TEXT NOT NULL CHECK (length (split) > 0),"
  "  images      TEXT NOT NULL,"                     /* a file, or a folder of class folders */
  "  labels      TEXT,"                              /* a file; NULL for image folders */
  "  n           INTEGER NOT NULL,"
  "  channels    INTEGER NOT NULL,"
  "  height      INTEGER NOT NULL,"
  "  width       INTEGER NOT NULL,"
  "  PRIMARY KEY (dataset, split)) WITHOUT ROWID;"
  "CREATE TABLE jobs ("
  "  id          INTEGER PRIMARY KEY,"
  "  kind        TEXT NOT NULL,"                     /* evaluate, prune, quantize, fine-tune, ... */
  "  state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'cancelled', 'failed', 'interrupted')),"
  "  model       INTEGER REFERENCES models (id) ON DELETE SET NULL,"
  "  parameters  TEXT NOT NULL DEFAULT '{}',"
  "  message     TEXT,"
  "  error       TEXT,"
  "  created     INTEGER NOT NULL,"
  "  started     INTEGER,"
  "  finished    INTEGER,"
  "  pid         INTEGER);"
  "CREATE INDEX jobs_state ON jobs (state);"
  "CREATE TABLE evaluations ("
  "  id          INTEGER PRIMARY KEY,"
  "  model       INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  dataset     INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
  "  split       TEXT NOT NULL,"
  "  n           INTEGER NOT NULL,"
  "  classes     INTEGER NOT NULL,"
  "  device      TEXT NOT NULL,"
  "  threads     INTEGER NOT NULL,"
  "  batch       INTEGER NOT NULL,"
  "  nonfinite   INTEGER NOT NULL DEFAULT 0,"        /* instances whose outputs had NaN/Inf */
  "  created     INTEGER NOT NULL,"
  "  job         INTEGER REFERENCES jobs (id) ON DELETE SET NULL,"
  "  UNIQUE (model, dataset, split));"
  /* One packed little-endian array per evaluation and name (columnar, not a row per instance):
   * labels i2 [n], predicted i2 [n], top5 i2 [n,5], p_true f4 [n], p_max f4 [n], logits f2 [n,k]. */
  "CREATE TABLE prediction_arrays ("
  "  evaluation  INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,"
  "  name        TEXT NOT NULL,"
  "  dtype       TEXT NOT NULL CHECK (dtype IN ('i2', 'i4', 'f2', 'f4')),"
  "  shape       TEXT NOT NULL,"                     /* JSON list */
  "  data        BLOB NOT NULL,"
  "  UNIQUE (evaluation, name));",
  /* 3: the loss curve of a model made by training (fine-tuning, distillation) */
  "CREATE TABLE loss_curves ("
  "  model       INTEGER PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,"
  "  curve       TEXT NOT NULL);",                   /* JSON: epoch_loss, step_loss, log_every, batches */
  /* 4: which computation made an evaluation's predictions ("as saved", "oneDNN (optimize_for_inference)";
   * NULL for evaluations recorded before it was kept) */
  "ALTER TABLE evaluations ADD COLUMN variant TEXT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CNC_WORKSPACE_SCHEMA_VERSION + 1);

gboolean
_cnc_workspace_migrate (CncWorkspace *self,
                        GError      **error)
{
  sqlite3 *db = _cnc_workspace_get_db (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version;

  if (!(stmt = _cnc_workspace_prepare (self, "PRAGMA user_version", error)))
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return _cnc_workspace_fail (self, sqlite3_errcode (db), "read the schema version", error);
  version = sqlite3_column_int (stmt, 0);

  if (version > CNC_WORKSPACE_SCHEMA_VERSION)
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_CORRUPT,
                   "%s: made by a newer Compress & Compare (schema %d; this version reads up to %d)",
                   cnc_workspace_get_path (self), version, CNC_WORKSPACE_SCHEMA_VERSION);
      return FALSE;
    }
  if (version == CNC_WORKSPACE_SCHEMA_VERSION)
    return TRUE;
  if (cnc_workspace_is_read_only (self))
    {
      g_set_error (error, CNC_WORKSPACE_ERROR, CNC_WORKSPACE_ERROR_READ_ONLY,
                   "%s: needs an upgrade of its schema (%d to %d), but it is read-only",
                   cnc_workspace_get_path (self), version, CNC_WORKSPACE_SCHEMA_VERSION);
      return FALSE;
    }

  if (!cnc_workspace_begin (self, error))
    return FALSE;
  for (int v = version + 1; v <= CNC_WORKSPACE_SCHEMA_VERSION; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v);

      g_debug ("migrating %s to schema %d", cnc_workspace_get_path (self), v);
      if (!_cnc_workspace_exec (self, migrations[v], error)
          || !_cnc_workspace_exec (self, set_version, error))
        {
          cnc_workspace_rollback (self);
          return FALSE;
        }
    }
  return cnc_workspace_commit (self, error);
}
