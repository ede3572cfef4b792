/*
 * Unit tests for vresult: errors and warnings are two bounded lists with
 * the same locators (the first VRESULT_KEEP kept, all counted), a file
 * with only warnings is valid, and the report and the JSON carry both.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vresult.h"
#include "tests.h"

/* The report of r, as text (malloc'd). */
static char *
report(const struct vresult *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	vresult_print(r, "byod", fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

void
test_warnings_bounded(void **state)
{
	struct vresult r;
	uint64_t i;

	(void)state;
	vresult_init(&r);
	for (i = 0; i < 150; i++)
		vresult_warning(&r, 0, (int64_t)i, 10 + (int64_t)i, NULL,
		    "[0].conversations", "warning %llu", (unsigned long long)i);
	assert_int_equal(r.n_warnings, 150);
	assert_int_equal(r.n_errors, 0);
	assert_null(r.errors);
	assert_int_equal(r.warnings[99].item, 99);
	assert_int_equal(r.warnings[99].offset, 109);
	assert_string_equal(r.warnings[99].path, "[0].conversations");
	assert_string_equal(r.warnings[99].msg, "warning 99");
	vresult_clear(&r);
	assert_int_equal(r.n_warnings, 0);
	assert_null(r.warnings);
	vresult_clear(NULL);
}

/* Only warnings: valid, in the report and in the JSON. */
void
test_valid_with_warnings(void **state)
{
	struct vresult r;
	json_t *o, *w;
	char *text;

	(void)state;
	vresult_init(&r);
	r.n_samples = 2;
	vresult_comp_add(&r, "coco", 2);
	vresult_warning(&r, 0, 1, 42, NULL, "[1].conversations[0].value",
	    "the first human turn is long");
	text = report(&r);
	assert_non_null(strstr(text, "valid byod submission: 2 samples\n"));
	assert_non_null(strstr(text, "1 warning (a warning does not reject "
	    "the file)\n  item 1: [1].conversations[0].value: (byte 42) the "
	    "first human turn is long\n"));
	free(text);
	o = vresult_to_json(&r);
	assert_true(json_is_true(json_object_get(o, "valid")));
	assert_int_equal(json_integer_value(json_object_get(o, "n_errors")), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "n_warnings")),
	    1);
	w = json_array_get(json_object_get(o, "warnings"), 0);
	assert_int_equal(json_integer_value(json_object_get(w, "item")), 1);
	assert_int_equal(json_integer_value(json_object_get(w, "offset")), 42);
	assert_string_equal(json_string_value(json_object_get(w, "path")),
	    "[1].conversations[0].value");
	assert_null(json_object_get(w, "line"));
	json_decref(o);
	vresult_clear(&r);
}

/* Errors and warnings together: invalid; each list in its own place. */
void
test_errors_and_warnings(void **state)
{
	struct vresult r;
	json_t *e, *w;
	char *text;
	uint64_t i;

	(void)state;
	vresult_init(&r);
	vresult_error(&r, 3, -1, -1, NULL, NULL, "unknown ID");
	for (i = 0; i < 120; i++)
		vresult_warning(&r, 0, 7, -1, NULL, NULL, "w%llu",
		    (unsigned long long)i);
	text = report(&r);
	assert_non_null(strstr(text, "invalid byod submission: 1 error\n"
	    "  line 3: unknown ID\n120 warnings (a warning does not reject the "
	    "file) (the first 100 shown)\n  item 7: w0\n"));
	assert_non_null(strstr(text, "  item 7: w99\n"));
	assert_null(strstr(text, "w100"));
	free(text);
	e = vresult_errors_json(&r);
	w = vresult_warnings_json(&r);
	assert_int_equal(json_array_size(e), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e,
	    0), "line")), 3);
	assert_int_equal(json_array_size(w), 100);
	assert_string_equal(json_string_value(json_object_get(json_array_get(w,
	    99), "message")), "w99");
	json_decref(e);
	json_decref(w);
	vresult_clear(&r);
}

/* every error to the sink, one line each, bounded; warnings
 * and the kept lists as before. */
void
test_error_sink(void **state)
{
	struct vresult r;
	char *buf = NULL, line[64];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	uint64_t i;

	(void)state;
	assert_non_null(fp);
	vresult_init(&r);
	vresult_set_sink(&r, fp, 1 << 20);
	for (i = 0; i < 250; i++)
		vresult_error(&r, i + 1, -1, -1, NULL, NULL, "bad %llu",
		    (unsigned long long)i);
	vresult_error(&r, 0, 7, 1234, NULL, "[7].id", "an item");
	vresult_warning(&r, 3, -1, -1, NULL, NULL, "a warning");
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(r.n_errors, 251);
	assert_int_equal(r.sink_lines, 251);
	assert_non_null(strstr(buf, "line 1: bad 0\n"));
	assert_non_null(strstr(buf, "line 250: bad 249\n"));
	assert_non_null(strstr(buf, "item 7: [7].id: (byte 1234) an item\n"));
	assert_null(strstr(buf, "a warning"));
	assert_int_equal(r.sink_bytes, strlen(buf));
	free(buf);
	vresult_clear(&r);

	/* bounded: whole lines only, then nothing */
	buf = NULL;
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	vresult_init(&r);
	vresult_set_sink(&r, fp, 100);
	for (i = 0; i < 50; i++)
		vresult_error(&r, i + 1, -1, -1, NULL, NULL, "bad");
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(r.n_errors, 50);
	assert_true(r.sink_lines > 0 && r.sink_lines < 50);
	assert_true(strlen(buf) <= 100);
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	snprintf(line, sizeof(line), "line %llu: bad\n",
	    (unsigned long long)r.sink_lines);
	assert_non_null(strstr(buf, line));
	free(buf);
	vresult_clear(&r);
}
