/* cnc-jobs-panel.c
 * The Jobs panel: queued and running jobs with progress, speed and ETA and a cancel button; finished and
 * failed jobs with their summary or message, newest first.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-app"

#include "cnc-jobs-panel.h"

#include <json-glib/json-glib.h>

#include <math.h>

#include "cnc-application.h"
#include "session/cnc-registry-task.h"

#define HISTORY_LIMIT 40

struct _CncJobsPanel
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkLabel     *count_label;
  GtkButton    *cancel_all_button;
  GtkStack     *stack;
  GtkLabel     *empty_title;
  GtkLabel     *empty_detail;
  GtkListBox   *list;

  CncModelSet  *set;
  CncWorker    *worker;
  char         *dir;
  GPtrArray    *jobs;          /* CncJob* followed */
  guint         n_live_rows;   /* rows of jobs submitted in this session, at the top in submission order */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (CncJobsPanel, cnc_jobs_panel, GTK_TYPE_WIDGET)

enum {
  JOB_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One row's widgets, kept as object data on the row. */
typedef struct {
  GtkImage       *icon;
  GtkLabel       *title;
  GtkLabel       *detail;
  GtkProgressBar *progress;
  GtkLabel       *speed;
  GtkButton      *cancel;
} Row;

/* "Evaluate base"; for an operation, what it reads and makes: "Prune base → prune-50". */
static char *
job_title (CncJobsPanel *self,
           const char   *kind,
           gint64        model,
           const char   *model_name,
           const char   *parameters)
{
  guint index = model > 0 ? cnc_model_set_find_id (self->set, model) : CNC_MODEL_NONE;
  const char *name = index != CNC_MODEL_NONE ? cnc_model_set_get_model (self->set, index)->name : model_name;
  g_autofree char *verb = g_strdup (kind ? kind : "job");
  g_autoptr(JsonParser) parser = json_parser_new ();

  verb[0] = g_ascii_toupper (verb[0]);
  if (name == NULL && parameters && json_parser_load_from_data (parser, parameters, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      const char *output = json_object_get_string_member_with_default (o, "output", NULL);
      const char *parent = json_object_get_string_member_with_default (o, "parent", NULL);

      if (output && parent)
        return g_strdup_printf ("%s %s → %s", verb, parent, output);
      if (output)
        return g_strdup_printf ("%s → %s", verb, output);
    }
  return name ? g_strdup_printf ("%s %s", verb, name) : g_strdup (verb);
}

static char *
format_eta (double seconds)
{
  if (seconds < 0)
    return NULL;
  if (seconds < 60)
    return g_strdup_printf ("%.0f s left", MAX (seconds, 1));
  if (seconds < 3600)
    return g_strdup_printf ("%.0f min %.0f s left", floor (seconds / 60), fmod (seconds, 60));
  return g_strdup_printf ("%.0f h %.0f min left", floor (seconds / 3600), fmod (seconds, 3600) / 60);
}

static char *
format_rate (double rate)
{
  if (rate <= 0)
    return NULL;
  if (rate >= 1000)
    return g_strdup_printf ("%.1fk items/s", rate / 1000);
  return g_strdup_printf ("%.0f items/s", rate);
}

static void
update_counts (CncJobsPanel *self)
{
  guint running = 0, queued = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->jobs->len; i++)
    {
      CncJobState state = cnc_job_get_state (g_ptr_array_index (self->jobs, i));
      running += state == CNC_JOB_RUNNING;
      queued += state == CNC_JOB_QUEUED;
    }
  if (self->worker == NULL)
    g_string_append (text, "Jobs cannot run on this workspace");
  else if (running + queued == 0)
    g_string_append (text, "Nothing running");
  else
    {
      if (running)
        g_string_append_printf (text, "%u running", running);
      if (queued)
        g_string_append_printf (text, "%s%u queued", running ? " · " : "", queued);
    }
  gtk_label_set_label (self->count_label, text->str);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_all_button), running + queued > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->cancel_all_button),
                               running + queued > 0 ? "Cancel every queued and running job"
                                                    : "No job is queued or running");
  gtk_stack_set_visible_child_name (self->stack,
                                    gtk_widget_get_first_child (GTK_WIDGET (self->list)) ? "jobs" : "empty");
}

static GtkWidget *
make_row (Row **row_out)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *grid = gtk_grid_new ();
  Row *r = g_new0 (Row, 1);

  gtk_widget_add_css_class (row, "cnc-job-row");
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  r->icon = GTK_IMAGE (gtk_image_new ());
  r->title = GTK_LABEL (gtk_label_new (NULL));
  r->detail = GTK_LABEL (gtk_label_new (NULL));
  r->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  r->speed = GTK_LABEL (gtk_label_new (NULL));
  r->cancel = GTK_BUTTON (gtk_button_new_from_icon_name ("process-stop-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (r->icon), GTK_ALIGN_START);
  gtk_label_set_xalign (r->title, 0);
  gtk_label_set_ellipsize (r->title, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (GTK_WIDGET (r->title), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (r->title), "heading");
  gtk_label_set_xalign (r->detail, 0);
  gtk_label_set_wrap (r->detail, TRUE);
  gtk_label_set_wrap_mode (r->detail, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (r->detail, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (r->detail), "caption");
  gtk_label_set_xalign (r->speed, 1);
  gtk_widget_add_css_class (GTK_WIDGET (r->speed), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (r->speed), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (r->speed), "caption");
  gtk_widget_set_valign (GTK_WIDGET (r->cancel), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (r->cancel), "flat");
  gtk_widget_add_css_class (GTK_WIDGET (r->cancel), "circular");
  gtk_widget_set_tooltip_text (GTK_WIDGET (r->cancel), "Cancel this job: nothing of it is kept");
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (r->icon), 0, 0, 1, 2);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (r->title), 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (r->speed), 2, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (r->cancel), 3, 0, 1, 3);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (r->progress), 1, 1, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (r->detail), 1, 2, 2, 1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), grid);
  g_object_set_data_full (G_OBJECT (row), "cnc-row", r, g_free);
  *row_out = r;
  return row;
}

static void
show_state (Row         *r,
            CncJobState  state,
            const char  *message,
            const char  *error)
{
  static const char * const icons[] = {
    [CNC_JOB_QUEUED] = "content-loading-symbolic",
    [CNC_JOB_RUNNING] = "media-playback-start-symbolic",
    [CNC_JOB_DONE] = "emblem-ok-symbolic",
    [CNC_JOB_CANCELLED] = "process-stop-symbolic",
    [CNC_JOB_FAILED] = "dialog-error-symbolic",
    [CNC_JOB_INTERRUPTED] = "dialog-warning-symbolic",
  };
  gboolean active = state == CNC_JOB_QUEUED || state == CNC_JOB_RUNNING;
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (r->icon), GTK_TYPE_LIST_BOX_ROW);
  g_autofree char *detail = NULL;

  gtk_image_set_from_icon_name (r->icon, icons[state]);
  gtk_widget_set_visible (GTK_WIDGET (r->progress), state == CNC_JOB_RUNNING);
  gtk_widget_set_visible (GTK_WIDGET (r->cancel), active);
  if (!active)
    gtk_label_set_label (r->speed, "");
  for (guint s = 0; s < G_N_ELEMENTS (icons); s++)
    gtk_widget_remove_css_class (row, cnc_job_state_name (s));
  gtk_widget_add_css_class (row, cnc_job_state_name (state));

  if (state == CNC_JOB_FAILED || state == CNC_JOB_INTERRUPTED)
    detail = g_strdup_printf ("%s: %s", state == CNC_JOB_FAILED ? "Failed" : "Interrupted",
                              error ? error : "no reason was recorded");
  else if (state == CNC_JOB_CANCELLED)
    detail = g_strdup ("Cancelled: nothing was kept");
  else if (state == CNC_JOB_QUEUED)
    detail = g_strdup ("Waiting for the jobs before it");
  else
    detail = g_strdup (message ? message : state == CNC_JOB_DONE ? "Done" : "Starting…");
  gtk_label_set_label (r->detail, detail);
  if (state == CNC_JOB_FAILED || state == CNC_JOB_INTERRUPTED)
    gtk_widget_add_css_class (GTK_WIDGET (r->detail), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (r->detail), "error");
}

/* ---------------------------------------------------------------- live jobs */

static void
job_changed (CncJob     *job,
             GParamSpec *pspec,
             GtkWidget  *row)
{
  Row *r = g_object_get_data (G_OBJECT (row), "cnc-row");
  CncJobsPanel *self = g_object_get_data (G_OBJECT (row), "cnc-panel");
  CncJobState state = cnc_job_get_state (job);
  const GError *error = cnc_job_get_error (job);
  const char *message = state == CNC_JOB_DONE && cnc_job_get_summary (job) ? cnc_job_get_summary (job)
                                                                           : cnc_job_get_message (job);
  double fraction = cnc_job_get_fraction (job);
  g_autofree char *title = NULL;

  if (r == NULL || self == NULL)
    return;
  /* The model may have reached the set only after the job was queued. */
  title = job_title (self, cnc_job_get_kind (job), cnc_job_get_model (job), NULL, cnc_job_get_parameters (job));
  gtk_label_set_label (r->title, title);
  show_state (r, state, message, error ? error->message : NULL);
  if (state == CNC_JOB_RUNNING)
    {
      g_autofree char *rate = format_rate (cnc_job_get_rate (job));
      g_autofree char *eta = format_eta (cnc_job_get_eta (job));
      g_autofree char *speed = g_strjoin (" · ", rate ? rate : "", eta ? eta : "", NULL);

      if (fraction >= 0)
        gtk_progress_bar_set_fraction (r->progress, fraction);
      else
        gtk_progress_bar_pulse (r->progress);
      gtk_label_set_label (r->speed, rate && eta ? speed : rate ? rate : eta ? eta : "");
    }
  update_counts (self);
}

static void
job_finished (CncJob    *job,
              GtkWidget *row)
{
  CncJobsPanel *self = g_object_get_data (G_OBJECT (row), "cnc-panel");

  if (self == NULL)
    return;
  job_changed (job, NULL, row);
  g_ptr_array_remove (self->jobs, job);
  update_counts (self);
  g_signal_emit (self, signals[JOB_FINISHED], 0, job);
}

static void
on_cancel_clicked (GtkButton *button,
                   CncJob    *job)
{
  cnc_job_cancel (job);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
}

void
cnc_jobs_panel_add_job (CncJobsPanel *self,
                        CncJob       *job)
{
  Row *r;
  GtkWidget *row;
  g_autofree char *title = NULL;

  g_return_if_fail (CNC_IS_JOBS_PANEL (self));
  g_return_if_fail (CNC_IS_JOB (job));

  row = make_row (&r);
  title = job_title (self, cnc_job_get_kind (job), cnc_job_get_model (job), NULL, cnc_job_get_parameters (job));
  gtk_label_set_label (r->title, title);
  g_object_set_data (G_OBJECT (row), "cnc-panel", self);
  g_object_set_data_full (G_OBJECT (row), "cnc-job", g_object_ref (job), g_object_unref);
  g_signal_connect_object (job, "notify", G_CALLBACK (job_changed), row, 0);
  g_signal_connect_object (job, "finished", G_CALLBACK (job_finished), row, 0);
  g_signal_connect_object (r->cancel, "clicked", G_CALLBACK (on_cancel_clicked), job, 0);
  /* Live jobs in the order they run, above the history. */
  gtk_list_box_insert (self->list, row, self->n_live_rows++);
  if (!cnc_job_state_is_final (cnc_job_get_state (job)))
    g_ptr_array_add (self->jobs, g_object_ref (job));
  job_changed (job, NULL, row);
}

/* ---------------------------------------------------------------- history */

static gboolean
history_job (CncWorkspace    *workspace,
             gpointer         data,
             gpointer        *result_out,
             GDestroyNotify  *result_free,
             GCancellable    *cancellable,
             GError         **error)
{
  GPtrArray *records = cnc_job_record_list (workspace, HISTORY_LIMIT, error);

  if (records == NULL)
    return FALSE;
  *result_out = records;
  *result_free = (GDestroyNotify) g_ptr_array_unref;
  return TRUE;
}

static void
history_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(CncJobsPanel) self = data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  if (!cnc_registry_task_finish (result, (gpointer *) &records, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->list)
        {
          g_autofree char *text = g_strdup_printf ("The job history could not be read: %s", error->message);
          gtk_label_set_label (self->empty_detail, text);
        }
      return;
    }
  if (self->list == NULL)
    return;
  /* Newest first; live jobs are already at the top. */
  for (guint i = 0; i < records->len; i++)
    {
      CncJobRecord *record = g_ptr_array_index (records, i);
      g_autofree char *title = NULL;
      gboolean live = FALSE;
      Row *r;
      GtkWidget *row;

      for (guint j = 0; j < self->jobs->len && !live; j++)
        live = cnc_job_get_id (g_ptr_array_index (self->jobs, j)) == record->id;
      if (live || !cnc_job_state_is_final (record->state))
        continue;
      row = make_row (&r);
      title = job_title (self, record->kind, record->model, record->model_name, record->parameters);
      gtk_label_set_label (r->title, title);
      show_state (r, record->state, record->message, record->error);
      gtk_list_box_append (self->list, row);
    }
  update_counts (self);
}

void
cnc_jobs_panel_set_worker (CncJobsPanel *self,
                           const char   *dir,
                           CncWorker    *worker,
                           const GError *why)
{
  g_return_if_fail (CNC_IS_JOBS_PANEL (self));

  g_set_object (&self->worker, worker);
  g_free (self->dir);
  self->dir = g_strdup (dir);
  if (worker == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Evaluations cannot run here: %s",
                                               why ? why->message : "the worker did not start");
      gtk_label_set_label (self->empty_title, "Jobs cannot run");
      gtk_label_set_label (self->empty_detail, text);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (dir)
    cnc_registry_task_run (dir, CNC_WORKSPACE_OPEN_READ_ONLY, history_job, NULL, NULL, self->cancellable,
                           history_done, g_object_ref (self));
  update_counts (self);
}

CncWorker *
cnc_jobs_panel_get_worker (CncJobsPanel *self)
{
  g_return_val_if_fail (CNC_IS_JOBS_PANEL (self), NULL);
  return self->worker;
}

guint
cnc_jobs_panel_get_n_active (CncJobsPanel *self)
{
  g_return_val_if_fail (CNC_IS_JOBS_PANEL (self), 0);
  return self->jobs->len;
}

/* Names come from the model set: rows of models it learned of since get theirs now. */
static void
on_set_changed (CncModelSet  *set,
                CncJobsPanel *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      CncJob *job = g_object_get_data (G_OBJECT (row), "cnc-job");
      Row *r = g_object_get_data (G_OBJECT (row), "cnc-row");
      g_autofree char *title = NULL;

      if (job == NULL || r == NULL)
        continue;
      title = job_title (self, cnc_job_get_kind (job), cnc_job_get_model (job), NULL, cnc_job_get_parameters (job));
      gtk_label_set_label (r->title, title);
    }
}

static void
on_cancel_all (GtkButton    *button,
               CncJobsPanel *self)
{
  if (self->worker)
    cnc_worker_cancel_all (self->worker);
}

/* ---------------------------------------------------------------- object */

static void
cnc_jobs_panel_dispose (GObject *object)
{
  CncJobsPanel *self = CNC_JOBS_PANEL (object);
  GtkWidget *row;

  g_cancellable_cancel (self->cancellable);
  /* Rows outlive nothing: make late job signals find no panel. */
  while (self->list && (row = gtk_widget_get_first_child (GTK_WIDGET (self->list))))
    {
      g_object_set_data (G_OBJECT (row), "cnc-panel", NULL);
      gtk_list_box_remove (self->list, row);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), CNC_TYPE_JOBS_PANEL);
  G_OBJECT_CLASS (cnc_jobs_panel_parent_class)->dispose (object);
}

static void
cnc_jobs_panel_finalize (GObject *object)
{
  CncJobsPanel *self = CNC_JOBS_PANEL (object);

  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_object (&self->worker);
  g_clear_object (&self->set);
  g_clear_object (&self->cancellable);
  g_free (self->dir);
  G_OBJECT_CLASS (cnc_jobs_panel_parent_class)->finalize (object);
}

static void
cnc_jobs_panel_class_init (CncJobsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_jobs_panel_dispose;
  object_class->finalize = cnc_jobs_panel_finalize;

  signals[JOB_FINISHED] = g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, CNC_TYPE_JOB);

  cnc_application_ensure_ui ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cncjobspanel");
  gtk_widget_class_set_template_from_resource (widget_class, CNC_RESOURCE_PATH "/cnc-jobs-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CncJobsPanel, box);
  gtk_widget_class_bind_template_child (widget_class, CncJobsPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, CncJobsPanel, cancel_all_button);
  gtk_widget_class_bind_template_child (widget_class, CncJobsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CncJobsPanel, empty_title);
  gtk_widget_class_bind_template_child (widget_class, CncJobsPanel, empty_detail);
  gtk_widget_class_bind_template_child (widget_class, CncJobsPanel, list);
}

static void
cnc_jobs_panel_init (CncJobsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (self->cancel_all_button, "clicked", G_CALLBACK (on_cancel_all), self);
}

GtkWidget *
cnc_jobs_panel_new (CncModelSet *set)
{
  CncJobsPanel *self;

  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);

  self = g_object_new (CNC_TYPE_JOBS_PANEL, NULL);
  self->set = g_object_ref (set);
  g_signal_connect_object (set, "changed", G_CALLBACK (on_set_changed), self, 0);
  update_counts (self);
  return GTK_WIDGET (self);
}
