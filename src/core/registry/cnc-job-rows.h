/* cnc-job-rows.h
 * Jobs in the registry: the record of each (queued … interrupted), its state names, interrupted-job detection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-workspace.h"
#include "core/cnc-core-enums.h"

G_BEGIN_DECLS

typedef enum {
  CNC_JOB_QUEUED,
  CNC_JOB_RUNNING,
  CNC_JOB_DONE,
  CNC_JOB_CANCELLED,
  CNC_JOB_FAILED,
  CNC_JOB_INTERRUPTED,   /* its process ended while it was queued or running */
} CncJobState;

/* As the jobs table spells them: the nicks of CNC_TYPE_JOB_STATE ("queued", …). */
const char  *cnc_job_state_name      (CncJobState state);
gboolean     cnc_job_state_from_name (const char *name, CncJobState *state);
gboolean     cnc_job_state_is_final  (CncJobState state);

typedef struct {
  gint64       id;
  char        *kind;         /* "evaluate", … */
  CncJobState  state;
  gint64       model;        /* 0: none (or the model was removed) */
  char        *model_name;   /* NULL when none */
  char        *parameters;   /* JSON object text */
  char        *message;      /* the summary of a finished job, or the last progress message */
  char        *error;        /* why it failed, was cancelled or interrupted */
  gint64       created, started, finished;   /* unix seconds; 0 when not yet */
  gint64       pid;          /* the process that queued and runs it */
} CncJobRecord;

void       cnc_job_record_free        (CncJobRecord *record);

/* Each of these writes inside the caller's transaction when one is open, else in one of its own. */
gint64     cnc_job_record_insert      (CncWorkspace *workspace,
                                       const char   *kind,
                                       gint64        model,
                                       const char   *parameters,
                                       GError      **error);
gboolean   cnc_job_record_set_state   (CncWorkspace *workspace,
                                       gint64        id,
                                       CncJobState   state,
                                       const char   *message,
                                       const char   *error_text,
                                       GError      **error);

/* The newest @limit jobs (0: all), newest first. */
GPtrArray *cnc_job_record_list        (CncWorkspace *workspace,
                                       guint         limit,
                                       GError      **error);   /* CncJobRecord* */
CncJobRecord *cnc_job_record_get      (CncWorkspace *workspace,
                                       gint64        id,
                                       GError      **error);

/* Marks queued and running jobs whose process has ended as interrupted; returns how many
 * (-1 on error). A read-only workspace is left as it is. Called when a worker opens a workspace
 * and before jobs are listed. */
gint       cnc_job_record_mark_interrupted (CncWorkspace *workspace,
                                            GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CncJobRecord, cnc_job_record_free)

G_END_DECLS
