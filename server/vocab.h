/*
 * vocab: the words of the server's core as enums.  They become text (and
 * text becomes them) only at the database and JSON edge, through the
 * functions here; a text that names none of them is refused there.
 *
 * So far: the job states (the job state machine is db_jobstate.c).
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

#endif
