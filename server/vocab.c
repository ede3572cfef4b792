/* vocab: see vocab.h. */
#include <stddef.h>
#include <string.h>

#include "vocab.h"

static const char *const job_states[JOB_NSTATES] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_SUCCEEDED] = "succeeded",
	[JOB_FAILED] = "failed",
	[JOB_CANCELLED] = "cancelled",
};

const char *
job_state_name(enum job_state s)
{
	return (unsigned)s < JOB_NSTATES ? job_states[s] : "?";
}

int
job_state_parse(const char *name, enum job_state *out)
{
	int i;

	for (i = 0; name != NULL && i < JOB_NSTATES; i++)
		if (strcmp(name, job_states[i]) == 0) {
			*out = (enum job_state)i;
			return 0;
		}
	return -1;
}
