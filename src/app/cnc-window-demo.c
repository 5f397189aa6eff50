/* cnc-window-demo.c
 * Building the demo into a new default workspace from the window: jobs on its worker (listed in the Jobs panel),
 * models appearing on the map as they are made, and a progress card with a Stop button.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-window-private.h"

#include "cnc-jobs-panel.h"
#include "engine/cnc-demo.h"

static void
update_card (CncWindow *self)
{
  CncDemo *demo = self->demo;
  guint done = cnc_demo_get_n_done (demo), total = cnc_demo_get_n_models (demo);
  g_autofree char *title = g_strdup_printf ("Building the demo workspace: %u of %u models", done, total);
  const char *message = self->demo_job ? cnc_job_get_message (self->demo_job) : NULL;
  double fraction = self->demo_job ? cnc_job_get_fraction (self->demo_job) : 0;

  gtk_label_set_label (self->demo_title, title);
  gtk_label_set_label (self->demo_detail, message ? message : "Reading Fashion-MNIST");
  /* The whole demo's progress: models made, plus the running job's share. */
  gtk_progress_bar_set_fraction (self->demo_progress, (done + MAX (fraction, 0)) / MAX (total, 1));
}

static void
on_job_progress (CncJob     *job,
                 GParamSpec *pspec,
                 CncWindow  *self)
{
  if (cnc_job_get_state (job) == CNC_JOB_RUNNING)
    {
      g_set_object (&self->demo_job, job);
      update_card (self);
    }
}

static void
on_job_submitted (CncDemo   *demo,
                  CncJob    *job,
                  CncWindow *self)
{
  cnc_jobs_panel_add_job (CNC_JOBS_PANEL (self->jobs_panel), job);
  g_signal_connect_object (job, "notify::state", G_CALLBACK (on_job_progress), self, 0);
  g_signal_connect_object (job, "notify::message", G_CALLBACK (on_job_progress), self, 0);
  g_signal_connect_object (job, "notify::fraction", G_CALLBACK (on_job_progress), self, 0);
}

static void
on_demo_finished (CncDemo   *demo,
                  CncWindow *self)
{
  const GError *error = cnc_demo_get_error (demo);

  gtk_revealer_set_reveal_child (self->demo_revealer, FALSE);
  if (error == NULL)
    cnc_window_show_message (self, FALSE, "The demo workspace is ready: %u models, built in %.0f s",
                             cnc_demo_get_n_done (demo), cnc_demo_get_seconds (demo));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cnc_window_show_message (self, FALSE, "Stopped building the demo: %u of %u models were made",
                             cnc_demo_get_n_done (demo), cnc_demo_get_n_models (demo));
  else
    cnc_window_show_message (self, TRUE, "The demo could not be built: %s", error->message);
  g_clear_object (&self->demo_job);
  g_signal_handlers_disconnect_by_data (demo, self);
  g_clear_object (&self->demo);
}

static void
on_stop_clicked (GtkButton *button,
                 CncWindow *self)
{
  if (self->demo)
    cnc_demo_cancel (self->demo);
}

void
_cnc_window_build_demo (CncWindow *self)
{
  g_return_if_fail (self->worker != NULL);
  if (self->demo)
    return;

  /* CNC_DEMO_QUICK=1: the same tree with a few batches of training (tests, screenshots). */
  self->demo = cnc_demo_new (self->worker, g_strcmp0 (g_getenv ("CNC_DEMO_QUICK"), "1") == 0);
  g_signal_connect (self->demo, "job-submitted", G_CALLBACK (on_job_submitted), self);
  g_signal_connect (self->demo, "finished", G_CALLBACK (on_demo_finished), self);
  g_signal_connect (self->demo_cancel_button, "clicked", G_CALLBACK (on_stop_clicked), self);
  update_card (self);
  gtk_revealer_set_reveal_child (self->demo_revealer, TRUE);
  cnc_demo_start (self->demo);
}

void
_cnc_window_demo_dispose (CncWindow *self)
{
  if (self->demo)
    {
      g_signal_handlers_disconnect_by_data (self->demo, self);
      cnc_demo_cancel (self->demo);
      g_clear_object (&self->demo);
    }
  g_clear_object (&self->demo_job);
  if (self->demo_cancel_button)
    g_signal_handlers_disconnect_by_data (self->demo_cancel_button, self);
}
