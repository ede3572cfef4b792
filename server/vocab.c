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

static const char *const job_faults[FAULT_NFAULTS] = {
	[FAULT_TEAM] = "team",		/* FAULT_NONE has no name */
	[FAULT_SYSTEM] = "system",
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

static const char *const board_vis[VIS_NVIS] = {
	[VIS_PUBLIC] = "public",
	[VIS_PARTICIPANTS] = "participants",
	[VIS_ORGANIZERS] = "organizers",
};

/* words[i] (n of them), or none when i is out of range or unnamed. */
static const char *
vocab_name(const char *const *words, int n, int i, const char *none)
{
	return i >= 0 && i < n && words[i] != NULL ? words[i] : none;
}

/* The index of name among words (n of them; unnamed ones never match),
 * or -1. */
static int
vocab_find(const char *const *words, int n, const char *name)
{
	int i;

	for (i = 0; name != NULL && i < n; i++)
		if (words[i] != NULL && strcmp(name, words[i]) == 0)
			return i;
	return -1;
}

const char *
job_state_name(enum job_state s)
{
	return vocab_name(job_states, JOB_NSTATES, (int)s, "?");
}

int
job_state_parse(const char *name, enum job_state *out)
{
	int i = vocab_find(job_states, JOB_NSTATES, name);

	if (i < 0)
		return -1;
	*out = (enum job_state)i;
	return 0;
}

const char *
job_fault_name(enum job_fault f)
{
	return vocab_name(job_faults, FAULT_NFAULTS, (int)f, NULL);
}

int
job_fault_parse(const char *name, enum job_fault *out)
{
	int i = vocab_find(job_faults, FAULT_NFAULTS, name);

	if (i < 0)
		return -1;
	*out = (enum job_fault)i;
	return 0;
}

const char *
who_role_name(enum who_role r)
{
	return vocab_name(who_roles, WHO_NROLES, (int)r, "?");
}

const char *
track_kind_name(enum track_kind k)
{
	return vocab_name(track_kinds, KIND_NKINDS, (int)k, "?");
}

int
track_kind_parse(const char *name, enum track_kind *out)
{
	int i = vocab_find(track_kinds, KIND_NKINDS, name);

	if (i < 0)
		return -1;
	*out = (enum track_kind)i;
	return 0;
}

int
board_vis_parse(const char *name, enum board_vis *out)
{
	int i = vocab_find(board_vis, VIS_NVIS, name);

	if (i < 0)
		return -1;
	*out = (enum board_vis)i;
	return 0;
}
