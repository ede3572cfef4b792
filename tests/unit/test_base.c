/* Unit tests: the base library (buf, util_xreallocarray). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

/* ---- helpers ---- */

/* Run fn in a child with stderr on /dev/null; 1 if it died of SIGABRT. */
static int
aborts(void (*fn)(void))
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	if ((pid = fork()) < 0)
		fail_msg("fork failed");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 2);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		fail_msg("waitpid failed");
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

/* ---- buf ---- */

static void
test_buf_add(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *s;

	buf_add(&b, NULL, 0);
	assert_non_null(b.p);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	buf_add(&b, "ab\0cd", 5);
	buf_adds(&b, "ef");
	buf_addc(&b, 'g');
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.p, "ab\0cdefg", 9);	/* and the NUL */
	buf_printf(&b, "[%d %s]", 42, "x");
	assert_int_equal(b.len, 14);
	assert_string_equal(b.p + 3, "cdefg[42 x]");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	assert_true(b.cap >= 15);	/* the memory is kept */
	buf_adds(&b, "tail");
	s = buf_steal(&b, &len);
	assert_string_equal(s, "tail");
	assert_int_equal(len, 4);
	assert_null(b.p);
	assert_int_equal(b.len + b.cap, 0);
	free(s);
	s = buf_steal(&b, NULL);	/* nothing added: "" */
	assert_string_equal(s, "");
	free(s);
	buf_free(&b);
	buf_free(NULL);
}

/* Growth across many sizes keeps every byte; printf larger than the room
 * left takes the second pass. */
static void
test_buf_growth(void **state)
{
	struct buf b = BUF_INIT;
	char big[3000];
	size_t i, want = 0;

	for (i = 0; i < 20000; i++) {
		buf_addc(&b, (char)('a' + i % 26));
		want++;
		assert_true(b.cap > b.len);
	}
	for (i = 0; i < 20000; i++)
		assert_int_equal(b.p[i], 'a' + i % 26);
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(b.p[0], '<');
	assert_int_equal(b.p[b.len - 1], '>');
	assert_int_equal(b.p[b.len], '\0');
	buf_free(&b);
	buf_printf(&b, "%s", "");	/* empty text into an empty buffer */
	assert_non_null(b.p);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
buf_overflow_child(void)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "xy");
	buf_reserve(&b, SIZE_MAX - 2);	/* len + n + 1 wraps */
}

static void
test_buf_overflow(void **state)
{
	assert_true(aborts(buf_overflow_child));
}

/* ---- util_xreallocarray ---- */

static void
xra_overflow_child(void)
{
	(void)util_xreallocarray(NULL, SIZE_MAX / 2 + 1, 2);
}

static void
xra_overflow_keep_child(void)
{
	uint64_t *p = util_xreallocarray(NULL, 4, sizeof(*p));

	(void)util_xreallocarray(p, SIZE_MAX / 4, sizeof(*p));
}

static void
test_xreallocarray(void **state)
{
	uint64_t *p = util_xreallocarray(NULL, 16, sizeof(*p));
	size_t i;

	for (i = 0; i < 16; i++)
		p[i] = i * 3;
	p = util_xreallocarray(p, 100000, sizeof(*p));
	for (i = 0; i < 16; i++)
		assert_int_equal(p[i], i * 3);
	p[99999] = 7;
	free(p);
	p = util_xreallocarray(NULL, 0, sizeof(*p));	/* never NULL */
	assert_non_null(p);
	free(p);
	assert_true(aborts(xra_overflow_child));
	assert_true(aborts(xra_overflow_keep_child));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_add),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_buf_overflow),
		cmocka_unit_test(test_xreallocarray),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
