/*
 * runner: the one program that runs the unit tests, group by group, from
 * the list in test-list.h (cmocka; TAP with CMOCKA_MESSAGE_OUTPUT=TAP).
 *
 *   test_unit            every group
 *   test_unit GROUP...   those groups, in the order given
 *   test_unit --list     the group names, one per line
 *
 * Each group runs in a process of its own.  Exits 0 when every test
 * passed, 1 when one failed (or a group crashed), 2 for a group that is
 * not in the list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "tests.h"

struct entry {
	const char *group;		/* a group's first entry; else NULL */
	CMFixtureFunction setup, teardown;
	const char *name;		/* a test's entry */
	CMUnitTestFunction fn;
	size_t (*cases)(struct CMUnitTest *, size_t);	/* table cases */
};

static const struct entry entries[] = {
#define GROUP(n, s, t) { #n, s, t, NULL, NULL, NULL },
#define TEST(f) { NULL, NULL, NULL, #f, f, NULL },
#define CASES(f) { NULL, NULL, NULL, NULL, NULL, f },
#include "test-list.h"
#undef GROUP
#undef TEST
#undef CASES
};

#define NENTRIES (sizeof(entries) / sizeof(entries[0]))
#define RUNNER_MAX 4096		/* tests in one group, table cases included */

/* Run the group whose entry is entries[g]: cmocka's failure count. */
static int
run_group(size_t g)
{
	static struct CMUnitTest tests[RUNNER_MAX];
	size_t i, k, n = 0;

	for (i = g + 1; i < NENTRIES && entries[i].group == NULL; i++) {
		k = entries[i].cases != NULL ? entries[i].cases(tests + n,
		    RUNNER_MAX - n) : 1;
		if (k > RUNNER_MAX - n) {
			fprintf(stderr, "test_unit: group %s has more than %d "
			    "tests\n", entries[g].group, RUNNER_MAX);
			return 1;
		}
		if (entries[i].cases != NULL) {
			n += k;
			continue;
		}
		memset(&tests[n], 0, sizeof(tests[n]));
		tests[n].name = entries[i].name;
		tests[n].test_func = entries[i].fn;
		n++;
	}
	return _cmocka_run_group_tests(entries[g].group, tests, n,
	    entries[g].setup, entries[g].teardown);
}

/* Run group g in a child process of its own (as libuv's runner does), so
 * that no group sees another's state and a crash ends only its group: 0
 * if every test passed. */
static int
spawn_group(size_t g)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		perror("test_unit: fork");
		return 1;
	}
	if (pid == 0)
		_exit(run_group(g) > 0);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("test_unit: waitpid");
			return 1;
		}
	if (WIFSIGNALED(st)) {
		printf("not ok - group %s: killed by signal %d\n",
		    entries[g].group, WTERMSIG(st));
		return 1;
	}
	return WEXITSTATUS(st) != 0;
}

static int
find_group(const char *name, size_t *g)
{
	size_t i;

	for (i = 0; i < NENTRIES; i++)
		if (entries[i].group != NULL &&
		    strcmp(entries[i].group, name) == 0) {
			*g = i;
			return 0;
		}
	return -1;
}

int
main(int argc, char **argv)
{
	size_t i, g;
	int a, failed = 0;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < NENTRIES; i++)
			if (entries[i].group != NULL)
				puts(entries[i].group);
		return 0;
	}
	for (a = 1; a < argc; a++)
		if (find_group(argv[a], &g) != 0) {
			fprintf(stderr, "test_unit: no group %s (see --list)\n",
			    argv[a]);
			return 2;
		}
	if (argc == 1) {
		for (i = 0; i < NENTRIES; i++)
			if (entries[i].group != NULL)
				failed |= spawn_group(i);
	}
	for (a = 1; a < argc; a++) {
		(void)find_group(argv[a], &g);
		failed |= spawn_group(g);
	}
	return failed;
}
