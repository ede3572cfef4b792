/* Unit tests: the Slurm executor's pure parts (worker/slurm.c): the batch
 * script it submits, what a JobState means, `scontrol show job -o`
 * fields and Slurm's durations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slurm.h"
#include "tests.h"

static const struct slurm_opts OPTS = {
	.bin_dir = "", .partition = "gpu", .account = "dcai", .qos = "",
	.gpus = "8", .gres = "", .constraint = "a100", .mem = "400G",
	.cpus_per_task = 16, .extra = "--exclusive ; --nodes=1",
	.poll_ms = 5000, .cmd_timeout_ms = 60000,
};

static char *
script(const struct slurm_opts *o, struct slurm_spec *sp, int *rc)
{
	struct buf b = BUF_INIT;
	char err[256] = "";

	*rc = slurm_script(o, sp, &b, err, sizeof(err));
	if (*rc != 0) {
		buf_free(&b);
		return strdup(err);
	}
	return buf_steal(&b, NULL);
}

void
test_slurm_script(void **state)
{
	char *argv[] = { "/opt/llava/train.sh", "--data", "it's.json", NULL };
	struct slurm_spec sp = {
		.name = "dataoptim-j1-2-train", .dir = "/shared/w/jobs/j1-2",
		.tag = "train", .output = "/shared/w/jobs/j1-2/job.log",
		.argv = argv, .extra = "--gpus=4", .timeout_ms = 3601000,
	};
	char *s;
	int rc;

	(void)state;
	s = script(&OPTS, &sp, &rc);
	assert_int_equal(rc, 0);
	assert_true(strncmp(s, "#!/bin/sh\n", 10) == 0);
	assert_non_null(strstr(s, "#SBATCH --job-name=dataoptim-j1-2-train\n"));
	assert_non_null(strstr(s, "#SBATCH --chdir=/shared/w/jobs/j1-2\n"));
	assert_non_null(strstr(s,
	    "#SBATCH --output=/shared/w/jobs/j1-2/job.log\n"
	    "#SBATCH --open-mode=append\n#SBATCH --no-requeue\n"));
	/* 3601 s: rounded up to whole minutes */
	assert_non_null(strstr(s, "#SBATCH --time=61\n"));
	assert_non_null(strstr(s, "#SBATCH --partition=gpu\n"));
	assert_non_null(strstr(s, "#SBATCH --account=dcai\n"));
	assert_null(strstr(s, "--qos"));	/* unset: no line */
	assert_null(strstr(s, "--gres"));
	assert_non_null(strstr(s, "#SBATCH --gpus=8\n"));
	assert_non_null(strstr(s, "#SBATCH --constraint=a100\n"));
	assert_non_null(strstr(s, "#SBATCH --mem=400G\n"));
	assert_non_null(strstr(s, "#SBATCH --cpus-per-task=16\n"));
	assert_non_null(strstr(s, "#SBATCH --exclusive\n#SBATCH --nodes=1\n"));
	/* the stage's own options come last: Slurm takes the last one */
	assert_true(strstr(s, "#SBATCH --gpus=4\n") > strstr(s,
	    "#SBATCH --gpus=8\n"));
	/* the command, quoted for sh, then its status kept */
	assert_non_null(strstr(s, "\n'/opt/llava/train.sh' '--data' "
	    "'it'\\''s.json'\nrc=$?\n"));
	assert_non_null(strstr(s, "printf '%s\\n' \"$rc\" >"
	    "'/shared/w/jobs/j1-2/train.exit'.tmp && mv -f "
	    "'/shared/w/jobs/j1-2/train.exit'.tmp "
	    "'/shared/w/jobs/j1-2/train.exit'\nexit \"$rc\"\n"));
	/* every #SBATCH line before the first command */
	assert_null(strstr(strstr(s, "'/opt"), "#SBATCH"));
	free(s);
}

void
test_slurm_script_minimal(void **state)
{
	char *argv[] = { "hostname", NULL };
	struct slurm_spec sp = {
		.name = "dataoptim-probe-w1", .dir = "/w/probe", .tag = "probe",
		.output = "/w/probe/probe.log", .argv = argv, .minimal = 1,
		.timeout_ms = 1,
	};
	char *s;
	int rc;

	(void)state;
	s = script(&OPTS, &sp, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(s, "#SBATCH --time=1\n"));
	assert_non_null(strstr(s, "#SBATCH --partition=gpu\n"));
	assert_null(strstr(s, "--gpus"));
	assert_null(strstr(s, "--mem"));
	assert_null(strstr(s, "--exclusive"));
	free(s);
}

void
test_slurm_script_bad_extra(void **state)
{
	char *argv[] = { "true", NULL };
	struct slurm_spec sp = {
		.name = "n", .dir = "/d", .tag = "train", .output = "/d/log",
		.argv = argv, .extra = "--gpus=1; exclusive",
	};
	char *s;
	int rc;

	(void)state;
	s = script(&OPTS, &sp, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(s, "\"exclusive\""));
	free(s);
}

void
test_slurm_classify(void **state)
{
	static const struct {
		const char *state;
		enum slurm_class c;
	} t[] = {
		{ "PENDING", SLURM_C_WAITING },
		{ "CONFIGURING", SLURM_C_WAITING },
		{ "REQUEUED", SLURM_C_WAITING },
		{ "RUNNING", SLURM_C_RUNNING },
		{ "COMPLETING", SLURM_C_RUNNING },
		{ "SUSPENDED", SLURM_C_RUNNING },
		{ "COMPLETED", SLURM_C_FINISHED },
		{ "FAILED", SLURM_C_FINISHED },
		{ "TIMEOUT", SLURM_C_TIMEOUT },
		{ "DEADLINE", SLURM_C_TIMEOUT },
		{ "CANCELLED", SLURM_C_CANCELLED },
		{ "NODE_FAIL", SLURM_C_FAULT },
		{ "PREEMPTED", SLURM_C_FAULT },
		{ "OUT_OF_MEMORY", SLURM_C_FAULT },
		{ "BOOT_FAIL", SLURM_C_FAULT },
		{ "SOMETHING_NEW", SLURM_C_FAULT },
		{ "", SLURM_C_FAULT },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(slurm_classify(t[i].state), t[i].c);
}

void
test_slurm_field(void **state)
{
	/* as slurm 22.05's scontrol show job -o prints a waiting job */
	const char *line = "JobId=7 JobName=dataoptim-j1-1-train "
	    "UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901753 "
	    "Nice=0 Account=(null) QOS=(null) JobState=PENDING "
	    "Reason=ReqNodeNotAvail,_UnavailableNodes:do-n1 Dependency=(null) "
	    "Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 "
	    "RunTime=00:00:00 TimeLimit=00:01:00 NodeList=(null) "
	    "OldJobState=RUNNING\n";
	char v[128];

	(void)state;
	assert_int_equal(slurm_field(line, "JobState", v, sizeof(v)), 0);
	assert_string_equal(v, "PENDING");	/* not OldJobState's */
	assert_int_equal(slurm_field(line, "Reason", v, sizeof(v)), 0);
	assert_string_equal(v, "ReqNodeNotAvail,_UnavailableNodes:do-n1");
	assert_int_equal(slurm_field(line, "JobId", v, sizeof(v)), 0);
	assert_string_equal(v, "7");
	assert_int_equal(slurm_field(line, "NodeList", v, sizeof(v)), 0);
	assert_string_equal(v, "(null)");
	assert_int_equal(slurm_field(line, "Nodes", v, sizeof(v)), -1);
	assert_int_equal(slurm_field("", "JobState", v, sizeof(v)), -1);
	/* cut to the buffer */
	assert_int_equal(slurm_field(line, "Reason", v, 8), 0);
	assert_string_equal(v, "ReqNode");
}

void
test_slurm_duration(void **state)
{
	(void)state;
	assert_int_equal(slurm_duration("00:00:00"), 0);
	assert_int_equal(slurm_duration("00:01:05"), 65);
	assert_int_equal(slurm_duration("01:00:00"), 3600);
	assert_int_equal(slurm_duration("2-03:04:05"),
	    2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	assert_int_equal(slurm_duration("05:07"), 307);	/* MM:SS */
	assert_int_equal(slurm_duration("1-02:03"), 86400 + 2 * 3600 + 180);
	assert_int_equal(slurm_duration("30"), 1800);	/* minutes */
	assert_int_equal(slurm_duration("UNLIMITED"), -1);
	assert_int_equal(slurm_duration("1:2:3:4"), -1);
	assert_int_equal(slurm_duration("-1:00"), -1);
	assert_int_equal(slurm_duration("1:-2"), -1);
	assert_int_equal(slurm_duration(""), -1);
	assert_int_equal(slurm_duration("12:"), -1);
}
