/*
 * tests: the declarations of every unit test and group fixture listed in
 * test-list.h, for the files that define them and for the runner.
 */
#ifndef DO_TESTS_H
#define DO_TESTS_H

#include <stddef.h>

struct CMUnitTest;

#define GROUP(name, setup, teardown) \
	int setup(void **state); \
	int teardown(void **state);
#define TEST(fn) void fn(void **state);
#define CASES(fn) size_t fn(struct CMUnitTest *tests, size_t max);
#include "test-list.h"
#undef GROUP
#undef TEST
#undef CASES

#endif
