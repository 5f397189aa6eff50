/* cnc-cli-watch.c
 * Watching jobs from the command line: a progress bar on stderr, each job's summary when it ends, Ctrl+C.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include "cnc-cli.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

struct _CncCliWatch {
  CncWorker *worker;
  GPtrArray *jobs;          /* CncJob* */
  GPtrArray *names;         /* model name per job */
  gboolean   bar;           /* stderr is a terminal */
  guint      bar_width;     /* characters of the last bar drawn, to clear it */
  guint      interrupts;
  guint      sigint;
};

static char *
format_rate (double rate)
{
  if (rate >= 1e6)
    return g_strdup_printf ("%.1fM/s", rate / 1e6);
  if (rate >= 1e4)
    return g_strdup_printf ("%.0fk/s", rate / 1e3);
  if (rate >= 1e3)
    return g_strdup_printf ("%.1fk/s", rate / 1e3);
  return g_strdup_printf ("%.0f/s", rate);
}

char *
cnc_cli_pad (const char *text,
             guint       width)
{
  glong n = g_utf8_strlen (text, -1);
  GString *padded = g_string_new (text);

  for (glong i = n; i < (glong) width; i++)
    g_string_append_c (padded, ' ');
  return g_string_free (padded, FALSE);
}

char *
cnc_cli_format_duration (double seconds)
{
  if (seconds < 0)
    return g_strdup ("?");
  if (seconds < 60)
    return g_strdup_printf ("%.0fs", ceil (seconds));
  if (seconds < 3600)
    return g_strdup_printf ("%dm%02ds", (int) seconds / 60, (int) seconds % 60);
  return g_strdup_printf ("%dh%02dm", (int) seconds / 3600, ((int) seconds % 3600) / 60);
}

static void
clear_bar (CncCliWatch *e)
{
  if (e->bar && e->bar_width > 0)
    {
      fprintf (stderr, "\r%*s\r", e->bar_width, "");
      fflush (stderr);
      e->bar_width = 0;
    }
}

static void
draw_bar (CncJob     *job,
          GParamSpec *pspec,
          CncCliWatch *e)
{
  g_autoptr(GString) line = g_string_new (NULL);
  double fraction = cnc_job_get_fraction (job);
  const char *message = cnc_job_get_message (job);
  const guint cells = 24;

  if (!e->bar || cnc_job_get_state (job) != CNC_JOB_RUNNING)
    return;
  if (fraction >= 0)
    {
      guint full = (guint) (fraction * cells);
      /* Items per second mean something for evaluations (instances); operations report fractions. */
      g_autofree char *rate = g_str_equal (cnc_job_get_kind (job), "evaluate")
                              ? format_rate (cnc_job_get_rate (job)) : g_strdup ("");
      g_autofree char *eta = cnc_cli_format_duration (cnc_job_get_eta (job));

      g_string_append (line, "[");
      for (guint i = 0; i < cells; i++)
        g_string_append (line, i < full ? "█" : "·");
      g_string_append_printf (line, "] %3.0f%%  %s  ETA %s  ", 100 * fraction, rate, eta);
    }
  if (message)
    g_string_append (line, message);
  /* Fit the terminal's usual width; pad over what the previous bar left. */
  if (g_utf8_strlen (line->str, -1) > 100)
    g_string_truncate (line, g_utf8_offset_to_pointer (line->str, 99) - line->str);
  {
    guint width = (guint) g_utf8_strlen (line->str, -1);
    fprintf (stderr, "\r%s%*s", line->str, e->bar_width > width ? e->bar_width - width : 0, "");
    e->bar_width = width;
  }
  fflush (stderr);
}

static void
job_finished (CncJob     *job,
              CncCliWatch *e)
{
  guint i;

  clear_bar (e);
  for (i = 0; i < e->jobs->len && e->jobs->pdata[i] != job; i++)
    ;
  switch (cnc_job_get_state (job))
    {
    case CNC_JOB_DONE:
      if (e->names->pdata[i])
        printf ("%s: %s\n", (char *) e->names->pdata[i], cnc_job_get_summary (job));
      else
        printf ("%s\n", cnc_job_get_summary (job));
      fflush (stdout);
      break;
    case CNC_JOB_CANCELLED:
      if (g_str_equal (cnc_job_get_kind (job), "evaluate"))
        fprintf (stderr, "compress-compare: evaluation of %s cancelled; its previous results are kept\n",
                 e->names->pdata[i] ? (char *) e->names->pdata[i] : "a model");
      else
        fprintf (stderr, "compress-compare: %s cancelled; nothing was changed\n", cnc_job_get_kind (job));
      break;
    default:
      cnc_cli_fail (cnc_job_get_error (job));
      break;
    }
}

static gboolean
on_interrupt (gpointer data)
{
  CncCliWatch *e = data;

  if (++e->interrupts > 1)
    {
      /* A second Ctrl+C does not wait: the job is marked interrupted at the next open. */
      clear_bar (e);
      fprintf (stderr, "compress-compare: stopped\n");
      _exit (130);
    }
  clear_bar (e);
  fprintf (stderr, "compress-compare: cancelling (Ctrl+C again to stop at once)…\n");
  cnc_worker_cancel_all (e->worker);
  return G_SOURCE_CONTINUE;
}


CncCliWatch *
cnc_cli_watch_new (CncWorker *worker)
{
  CncCliWatch *e = g_new0 (CncCliWatch, 1);

  e->worker = g_object_ref (worker);
  e->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  e->names = g_ptr_array_new_with_free_func (g_free);
  e->bar = isatty (STDERR_FILENO);
  e->sigint = g_unix_signal_add (SIGINT, on_interrupt, e);
  return e;
}

void
cnc_cli_watch_add (CncCliWatch *e,
                   CncJob      *job,
                   const char  *name)
{
  g_ptr_array_add (e->jobs, g_object_ref (job));
  g_ptr_array_add (e->names, g_strdup (name));
  g_signal_connect (job, "notify::fraction", G_CALLBACK (draw_bar), e);
  g_signal_connect (job, "notify::message", G_CALLBACK (draw_bar), e);
  g_signal_connect (job, "finished", G_CALLBACK (job_finished), e);
}

gboolean
cnc_cli_watch_wait (CncCliWatch *e)
{
  cnc_worker_wait (e->worker);
  for (guint i = 0; i < e->jobs->len; i++)
    if (cnc_job_get_state (e->jobs->pdata[i]) != CNC_JOB_DONE)
      return FALSE;
  return TRUE;
}

void
cnc_cli_watch_free (CncCliWatch *e)
{
  clear_bar (e);
  g_source_remove (e->sigint);
  for (guint i = 0; i < e->jobs->len; i++)
    g_signal_handlers_disconnect_by_data (e->jobs->pdata[i], e);
  g_ptr_array_unref (e->jobs);
  g_ptr_array_unref (e->names);
  g_object_unref (e->worker);
  g_free (e);
}
