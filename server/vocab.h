/*
 * vocab: the words of the server's core as enums.  They become text (and
 * text becomes them) only at the database and JSON edge, through the
 * functions here; a text that names none of them is refused there.
 *
 * So far: the job states (the job state machine is db_jobstate.c) and
 * a job's fault, the caller's role, a track's kind and its board's visibility, the
 * quota a submission ran into.
 */
#ifndef DO_VOCAB_H
#define DO_VOCAB_H

enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_SUCCEEDED,
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_NSTATES
};

/* What an authenticated caller is (the routes' access levels are
 * route.h's ROLE_*). */
enum who_role {
	WHO_PARTICIPANT,
	WHO_WORKER,
	WHO_ADMIN,
	WHO_NROLES
};

/* A track's (and its submissions') kind. */
enum track_kind {
	KIND_STANDARD,		/* a list of pool IDs */
	KIND_BYOD,		/* a whole dataset in LLaVA's JSON */
	KIND_NKINDS
};

/* Whose fault a failed job is. */
enum job_fault {
	FAULT_NONE,		/* not failed, or not said */
	FAULT_TEAM,		/* "team": the submission (not retried) */
	FAULT_SYSTEM,		/* "system": the platform */
	FAULT_NFAULTS
};

/* Which of a track's submission quotas a team has used up. */
enum quota_kind {
	QUOTA_NONE,
	QUOTA_PER_DAY,		/* the track's per_day */
	QUOTA_TOTAL,		/* the track's total */
	QUOTA_ACTIVE		/* queued + running jobs */
};

/* Who may see a track's leaderboard (tracks.leaderboard). */
enum board_vis {
	VIS_PUBLIC,		/* "public": anyone */
	VIS_PARTICIPANTS,	/* "participants": any participant or organizer */
	VIS_ORGANIZERS,		/* "organizers" */
	VIS_NVIS
};

/* Sets of states, for db_job_transition()'s "from". */
#define JOB_BIT(s)	(1u << (s))
#define JOB_ACTIVE	(JOB_BIT(JOB_QUEUED) | JOB_BIT(JOB_RUNNING))
#define JOB_ENDED	(JOB_BIT(JOB_SUCCEEDED) | JOB_BIT(JOB_FAILED) | \
			    JOB_BIT(JOB_CANCELLED))

/* The state's name as the database and the API spell it ("queued" ...);
 * "?" for a value out of range. */
const char *job_state_name(enum job_state s);

/* The state named name into *out: 0, or -1 (NULL or no such state). */
int job_state_parse(const char *name, enum job_state *out);

/* "standard", "byod"; "?" out of range. */
const char *track_kind_name(enum track_kind k);

/* The kind named name into *out: 0, or -1 (NULL or no such kind). */
int track_kind_parse(const char *name, enum track_kind *out);

/* "team", "system"; NULL for FAULT_NONE (the database's NULL). */
const char *job_fault_name(enum job_fault f);

/* "team" or "system" into *out: 0, or -1 (anything else, or NULL). */
int job_fault_parse(const char *name, enum job_fault *out);

/* The visibility named name into *out: 0, or -1. */
int board_vis_parse(const char *name, enum board_vis *out);

/* "participant", "worker", "admin"; "?" out of range. */
const char *who_role_name(enum who_role r);

#endif
