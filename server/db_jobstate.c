/*
 * db_jobstate: the job state machine.  Every change of jobs.state -- a
 * claim, a lease that expired, a result, a hand-back, a cancel, an
 * organizer's fail or re-run -- is one db_job_transition() along an edge
 * of the table below; the columns a change sets follow from the state it
 * enters (and, entering "queued", from whether the job had ended).
 */
#include <stddef.h>
#include <stdio.h>

#include "db_int.h"

/* The edges: from a state (row) into a state (column). */
static const unsigned char db_job_edges[JOB_NSTATES][JOB_NSTATES] = {
	/* a worker claims it; an organizer fails it; it is cancelled */
	[JOB_QUEUED] = { [JOB_RUNNING] = 1, [JOB_FAILED] = 1,
	    [JOB_CANCELLED] = 1 },
	/* its lease expires (attempts left) or its worker hands it back;
	 * its result; its last lease expires or an organizer fails it; it
	 * is cancelled */
	[JOB_RUNNING] = { [JOB_QUEUED] = 1, [JOB_SUCCEEDED] = 1,
	    [JOB_FAILED] = 1, [JOB_CANCELLED] = 1 },
	/* an organizer re-runs it */
	[JOB_SUCCEEDED] = { [JOB_QUEUED] = 1 },
	[JOB_FAILED] = { [JOB_QUEUED] = 1 },
	[JOB_CANCELLED] = { [JOB_QUEUED] = 1 },
};

int
db_job_edge(enum job_state from, enum job_state to)
{
	return (unsigned)from < JOB_NSTATES && (unsigned)to < JOB_NSTATES &&
	    db_job_edges[from][to];
}

/* What entering each state sets.  Entering "queued" from an ended state
 * (a re-run) also clears the ended run; from "running" the run's start,
 * log and fault stay for the next attempt to show. */
#define DB_JOB_ENDS \
	"UPDATE jobs SET state = :to, " \
	"progress = IIF(:to = 'succeeded', 1.0, progress), " \
	"error = :error, fault = :fault, result = COALESCE(:result, result), " \
	"finished_at = :now, updated_at = :now, lease_expires_at = NULL " \
	"WHERE id = :id AND state = :from"
static const char *const db_job_enter[JOB_NSTATES] = {
	[JOB_QUEUED] = "UPDATE jobs SET state = 'queued', stage = NULL, "
	    "progress = 0, worker = NULL, lease_expires_at = NULL, "
	    "error = :error, "
	    "fault = IIF(state = 'running', fault, NULL), "
	    "result = IIF(state = 'running', result, NULL), "
	    "log_tail = IIF(state = 'running', log_tail, ''), "
	    "started_at = IIF(state = 'running', started_at, NULL), "
	    "finished_at = NULL, updated_at = :now "
	    "WHERE id = :id AND state = :from",
	[JOB_RUNNING] = "UPDATE jobs SET state = 'running', "
	    "stage = 'materialize', progress = 0, attempt = attempt + 1, "
	    "worker = :worker, lease_expires_at = :lease, "
	    "started_at = COALESCE(started_at, :now), updated_at = :now, "
	    "claim_token = NULLIF(:token, 0) "
	    "WHERE id = :id AND state = :from",
	[JOB_SUCCEEDED] = DB_JOB_ENDS,
	[JOB_FAILED] = DB_JOB_ENDS,
	[JOB_CANCELLED] = DB_JOB_ENDS,
};

/* Bind text or a number to the statement's parameter name, if it has
 * one. */
static void
db_job_bind_text(sqlite3_stmt *st, const char *name, const char *s)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		db__text(st, i, s);
}

static void
db_job_bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		db__int(st, i, v);
}

int
db__job_state(sqlite3_stmt *st, int i, enum job_state *out)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	if (job_state_parse(s, out) == 0)
		return DB_OK;
	fprintf(stderr, "db: a job in an unknown state '%s'\n", s ? s : "");
	return DB_ERR;
}

int
db_job_state(struct db *db, const char *id, enum job_state *out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT state FROM jobs WHERE id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = db__job_state(st, 0, out);
	else
		rc = rc == SQLITE_DONE ? DB_NOTFOUND :
		    db__fail(db, "job state");
	db__done(st);
	return rc;
}

int
db_job_transition(struct db *db, const char *id, unsigned from,
    enum job_state to, const struct db_job_change *ch, int64_t now)
{
	static const struct db_job_change none;
	enum job_state cur;
	sqlite3_stmt *st;
	int rc, n = 0;

	if (ch == NULL)
		ch = &none;
	if ((rc = db_job_state(db, id, &cur)) != DB_OK)
		return rc;
	if (!(from & JOB_BIT(cur)) || !db_job_edge(cur, to))
		return DB_CONFLICT;
	if ((st = db__stmt(db, db_job_enter[to])) == NULL)
		return DB_ERR;
	db_job_bind_text(st, ":id", id);
	db_job_bind_text(st, ":from", job_state_name(cur));
	db_job_bind_text(st, ":to", job_state_name(to));
	db_job_bind_int(st, ":now", now);
	db_job_bind_text(st, ":error", ch->error);
	db_job_bind_text(st, ":fault", job_fault_name(ch->fault));
	db_job_bind_text(st, ":result", ch->result);
	db_job_bind_text(st, ":worker", ch->worker);
	db_job_bind_int(st, ":lease", ch->lease_until);
	db_job_bind_int(st, ":token", ch->token);
	if ((rc = db__exec(db, st, &n, "job transition")) != DB_OK)
		return rc;
	return n == 1 ? DB_OK : DB_CONFLICT;
}
