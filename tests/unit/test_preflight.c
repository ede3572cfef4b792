/* Unit tests: the worker's preflight (the training file parses, its item
 * count, every image usable under the image folder, checked on the thread
 * pool). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "preflight.h"
#include "testutil.h"
#include "tests.h"

#define JPEG "\xff\xd8\xff\xe0\0\x10JFIF"
#define PNG "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"

/* Write the bytes of a string literal, NULs and all. */
#define W(dir, name, lit) tu_write(dir, name, lit, sizeof(lit) - 1)

/* Run p's image checks on a loop of their own to the end. */
static int g_done;

static void
on_done(void *arg)
{
	(void)arg;
	g_done++;
}

static int
run(struct preflight *p, unsigned parallel)
{
	uv_loop_t loop;
	int started;

	g_done = 0;
	uv_loop_init(&loop);
	started = preflight_run(p, &loop, parallel, on_done, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	return started;
}

static void
mkdir_p(const char *dir, const char *sub)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* A folder with coco/ (a JPEG, a PNG, a GIF, a WebP, a BMP, an empty
 * file, a text file) and a directory named like an image. */
static const char *
image_folder(void)
{
	const char *d = tu_tmpdir();

	mkdir_p(d, "coco");
	mkdir_p(d, "coco/dir.jpg");
	W(d, "coco/a.jpg", JPEG);
	W(d, "coco/b.png", PNG);
	W(d, "coco/c.gif", "GIF89a\x01\0\x01\0");
	W(d, "coco/d.webp", "RIFF\x24\0\0\0WEBPVP8 ");
	W(d, "coco/e.bmp", "BM\x36\0\0\0");
	W(d, "coco/empty.jpg", "");
	W(d, "coco/text.jpg", "<html>not an image</html>");
	W(d, "coco/riff.webp", "RIFF\x24\0\0\0WAVEfmt ");
	return d;
}

static const char *
training_file(const char *json)
{
	return tu_writes(tu_tmpdir(), "data.json", json);
}

void
test_every_format_passes(void **state)
{
	const char *dir = image_folder();
	struct preflight *p = preflight_new(dir);
	char err[512], msg[2048];

	(void)state;
	assert_int_equal(preflight_scan(p, training_file(
	    "[{\"id\": \"1\", \"image\": \"coco/a.jpg\", \"conversations\": "
	    "[{\"from\": \"human\", \"value\": \"<image>\\nhi\"}]},"
	    " {\"id\": 2, \"image\": \"coco/b.png\"}, {\"image\": \"coco/c.gif\"},"
	    " {\"image\": \"coco/d.webp\"}, {\"image\": \"coco/e.bmp\"},"
	    " {\"image\": \"./coco//a.jpg\"}, {\"id\": \"text only\"},"
	    " {\"image\": \"coco/a.jpg\", \"x\": {\"image\": 5}}]"),
	    err, sizeof(err)), 0);
	assert_int_equal(preflight_items(p), 8);
	/* coco/a.jpg once; ./coco//a.jpg is another spelling LLaVA opens */
	assert_int_equal(preflight_images(p), 6);
	assert_int_equal(run(p, 4), 1);
	assert_int_equal(g_done, 1);
	assert_int_equal(preflight_bad(p), 0);
	assert_int_equal(preflight_result(p, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	preflight_free(p);
}

void
test_bad_images_are_named(void **state)
{
	const char *dir = image_folder();
	struct preflight *p = preflight_new(dir);
	char err[512], msg[2048];
	const char *why;

	(void)state;
	assert_int_equal(preflight_scan(p, training_file(
	    "[{\"image\": \"coco/a.jpg\"}, {\"image\": \"coco/missing.jpg\"},"
	    " {\"image\": \"coco/empty.jpg\"}, {\"image\": \"coco/text.jpg\"},"
	    " {\"image\": \"coco/dir.jpg\"}, {\"image\": \"nodir/x.jpg\"},"
	    " {\"image\": \"coco/riff.webp\"}, {\"image\": \"../etc/x.jpg\"},"
	    " {\"image\": \"coco/a.jpg/x\"}]"), err, sizeof(err)), 0);
	assert_int_equal(run(p, 2), 1);
	assert_int_equal(preflight_bad(p), 8);
	/* in path order */
	assert_string_equal(preflight_bad_image(p, 0, &why), "../etc/x.jpg");
	assert_string_equal(why, "outside the image folder");
	assert_string_equal(preflight_bad_image(p, 1, &why), "coco/a.jpg/x");
	assert_string_equal(why, "missing");
	assert_string_equal(preflight_bad_image(p, 2, &why), "coco/dir.jpg");
	assert_string_equal(why, "not a regular file");
	assert_string_equal(preflight_bad_image(p, 3, &why), "coco/empty.jpg");
	assert_string_equal(why, "empty");
	assert_string_equal(preflight_bad_image(p, 5, &why), "coco/riff.webp");
	assert_string_equal(why, "not an image");
	assert_int_equal(preflight_result(p, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "8 of 9 images are not usable under the "
	    "image folder (3 missing, 1 not a regular file, 1 empty, 2 not an "
	    "image, 1 outside the image folder): ../etc/x.jpg (outside the "
	    "image folder), coco/a.jpg/x (missing), coco/dir.jpg (not a "
	    "regular file), coco/empty.jpg (empty), coco/missing.jpg "
	    "(missing), coco/riff.webp (not an image), coco/text.jpg (not an "
	    "image), nodir/x.jpg (missing)");
	preflight_free(p);
}

/* Many images over many chunks: the first PREFLIGHT_LIST named, the
 * count of the others. */
void
test_many_chunks(void **state)
{
	const char *dir = tu_tmpdir();
	struct preflight *p = preflight_new(dir);
	size_t i, n = 3 * PREFLIGHT_CHUNK + 7, cap = n * 40 + 8, len = 0;
	char *json = test_malloc(cap), name[64], err[512], msg[4096];

	(void)state;
	json[len++] = '[';
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "img%05zu.jpg", i);
		if (i % 100 != 0)	/* every 100th is missing */
			W(dir, name, JPEG);
		len += (size_t)snprintf(json + len, cap - len,
		    "%s{\"image\": \"%s\"}", i ? "," : "", name);
	}
	json[len++] = ']';
	json[len] = '\0';
	assert_int_equal(preflight_scan(p, training_file(json), err,
	    sizeof(err)), 0);
	test_free(json);
	assert_int_equal(preflight_images(p), n);
	assert_int_equal(run(p, 3), 1);
	assert_int_equal(preflight_bad(p), 16);
	assert_int_equal(preflight_result(p, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "16 of 1543 images are not usable under "
	    "the image folder (16 missing): img00000.jpg (missing), "
	    "img00100.jpg (missing)"));
	assert_non_null(strstr(msg, "img01500.jpg (missing)"));
	preflight_free(p);
}

/* Without an image folder, or without images, nothing is checked. */
void
test_nothing_to_check(void **state)
{
	struct preflight *p = preflight_new("");
	char err[512];

	(void)state;
	assert_int_equal(preflight_scan(p, training_file(
	    "[{\"image\": \"coco/a.jpg\"}]"), err, sizeof(err)), 0);
	assert_int_equal(preflight_images(p), 1);
	assert_int_equal(run(p, 4), 0);
	assert_int_equal(g_done, 0);
	preflight_free(p);
	p = preflight_new(tu_tmpdir());
	assert_int_equal(preflight_scan(p, training_file("[{\"id\": \"a\"}]"),
	    err, sizeof(err)), 0);
	assert_int_equal(preflight_items(p), 1);
	assert_int_equal(run(p, 4), 0);
	preflight_free(p);
}

/* What json.load refuses, or LLaVA's loader crashes on, is told with
 * its byte offset. */
void
test_training_file_must_parse(void **state)
{
	static const struct {
		const char *json, *err;
	} cases[] = {
		{ "", "not valid JSON: the file ends early" },
		{ "[{\"image\": \"a.jpg\"}", "not valid JSON: the file ends "
		    "early" },
		{ "{\"image\": \"a.jpg\"}", "the training file is not a JSON "
		    "array (byte 0)" },
		{ "[{\"image\": \"a.jpg\"}] []", "not valid JSON: more after "
		    "the array (byte 21)" },
		{ "[{\"image\": \"a.jpg\"},]", "not valid JSON: a token out "
		    "of place (byte 20)" },
		{ "[{\"image\" \"a.jpg\"}]", "not valid JSON: a token out of "
		    "place (byte 10)" },
		{ "[{\"image\": \"a.jpg\"]]", "not valid JSON: a bracket that "
		    "does not match (byte 18)" },
		{ "[{\"a\": 1}, 7]", "item 1 is not an object (byte 11)" },
		{ "[{\"image\": null}]", "item 0: \"image\" is not a path "
		    "string (byte 11)" },
		{ "[{\"image\": [\"a.jpg\"]}]", "item 0: \"image\" is not a "
		    "path string (byte 11)" },
		{ "[{\"image\": \"a\xff.jpg\"}]", NULL },
	};
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct preflight *p = preflight_new("");

		err[0] = '\0';
		assert_int_equal(preflight_scan(p, training_file(cases[i].json),
		    err, sizeof(err)), -1);
		if (cases[i].err != NULL)
			assert_string_equal(err, cases[i].err);
		else
			assert_non_null(strstr(err, "not valid JSON at byte"));
		preflight_free(p);
	}
	{
		struct preflight *p = preflight_new("");

		assert_int_equal(preflight_scan(p, "/nonexistent/data.json",
		    err, sizeof(err)), -1);
		assert_non_null(strstr(err, "No such file"));
		preflight_free(p);
	}
}

int
preflight_teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}
