/* vocab: see vocab.h. */
#include <stddef.h>
#include <string.h>

#include "vocab.h"

/* The index of name in words (n of them) into *out: 0, or -1. */
static int
vocab_find(const char *const *words, int n, const char *name, int *out)
{
	int i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(name, words[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static const char *const job_states[JOB_NSTATES] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_SUCCEEDED] = "succeeded",
	[JOB_FAILED] = "failed",
	[JOB_CANCELLED] = "cancelled",
};

static const char *const who_roles[WHO_NROLES] = {
	[WHO_PARTICIPANT] = "participant",
	[WHO_WORKER] = "worker",
	[WHO_ADMIN] = "admin",
};

static const char *const track_kinds[KIND_NKINDS] = {
	[KIND_STANDARD] = "standard",
	[KIND_BYOD] = "byod",
};

const char *
track_kind_name(enum track_kind k)
{
	return (unsigned)k < KIND_NKINDS ? track_kinds[k] : "?";
}

int
track_kind_parse(const char *name, enum track_kind *out)
{
	return vocab_find(track_kinds, KIND_NKINDS, name, (int *)out);
}

static const char *const job_faults[FAULT_NFAULTS] = {
	[FAULT_NONE] = "",
	[FAULT_TEAM] = "team",
	[FAULT_SYSTEM] = "system",
};

const char *
job_fault_name(enum job_fault f)
{
	return f == FAULT_TEAM || f == FAULT_SYSTEM ? job_faults[f] : NULL;
}

int
job_fault_parse(const char *name, enum job_fault *out)
{
	if (name == NULL || name[0] == '\0')
		return -1;
	return vocab_find(job_faults, FAULT_NFAULTS, name, (int *)out);
}

static const char *const board_vis[VIS_NVIS] = {
	[VIS_PUBLIC] = "public",
	[VIS_PARTICIPANTS] = "participants",
	[VIS_ORGANIZERS] = "organizers",
};

int
board_vis_parse(const char *name, enum board_vis *out)
{
	return vocab_find(board_vis, VIS_NVIS, name, (int *)out);
}

const char *
who_role_name(enum who_role r)
{
	return (unsigned)r < WHO_NROLES ? who_roles[r] : "?";
}

const char *
job_state_name(enum job_state s)
{
	return (unsigned)s < JOB_NSTATES ? job_states[s] : "?";
}

int
job_state_parse(const char *name, enum job_state *out)
{
	return vocab_find(job_states, JOB_NSTATES, name, (int *)out);
}
