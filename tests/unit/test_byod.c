/*
 * Unit tests for the BYOD validator: one test per accept and reject rule
 * (each checking the item index, the JSON path, the byte offset and that
 * the message names the problem), hostile files, hashes and composition.
 *
 * Images are admitted through image roots here, so these tests need no
 * pool; test_example_with_pool checks the example file against a
 * synthetic pool index as well.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "byod.h"
#include "pool.h"
#include "testutil.h"
#include "util.h"
#include "vresult.h"

static const char *const roots[] = {
	"coco/", "flickr30k/", "open_images/", "ocrvqa/", "visual_genome/",
	NULL
};

/* Limits a case can pick. */
enum { L_DEFAULT, L_SHORT_STRINGS, L_THREE_ITEMS, L_SMALL_FILE };
static const struct byod_limits limits[] = {
	[L_DEFAULT] = { 0, 0, 0, roots },
	[L_SHORT_STRINGS] = { 0, 0, 100, roots },
	[L_THREE_ITEMS] = { 3, 0, 0, roots },
	[L_SMALL_FILE] = { 0, 100, 0, roots },
};

static struct vresult res;
static const char *dir;

static const char *
tdir(void)
{
	if (dir == NULL)
		dir = tu_tmpdir();
	return dir;
}

/* Validate len bytes of doc; the result is in res. */
static void
run(const char *doc, size_t len, int lim)
{
	const char *path = tu_write(tdir(), "sub.json", doc, len);
	char err[256];

	vresult_clear(&res);
	if (byod_file(NULL, path, &limits[lim], &res, err, sizeof(err)) != 0)
		fail_msg("byod_file: %s", err);
}

static void
dump_errors(void)
{
	char line[1024];
	uint64_t i;

	for (i = 0; i < res.n_errors && i < VRESULT_KEEP; i++)
		print_message("  %s\n", verror_format(&res.errors[i], line,
		    sizeof(line)));
}

static void
accept(const char *doc, size_t len, int lim)
{
	run(doc, len, lim);
	if (res.n_errors != 0) {
		dump_errors();
		fail_msg("%llu errors in a valid file",
		    (unsigned long long)res.n_errors);
	}
	assert_int_equal(strlen(res.sha256), 64);
	assert_int_equal(strlen(res.set_hash), 64);
}

/*
 * Error i must be at item, path, with needle in its message and at the
 * offset of the first occurrence of at in doc (at NULL: not checked; "":
 * no offset; "$": the end of doc).
 */
static void
check_error(const char *doc, size_t len, uint64_t i, int64_t item,
    const char *path, const char *needle, const char *at, int delta)
{
	const struct verror *e;
	int64_t off = -1;

	assert_true(i < res.n_errors);
	e = &res.errors[i];
	if (e->item != item || strcmp(e->path, path) != 0 ||
	    strstr(e->msg, needle) == NULL) {
		dump_errors();
		fail_msg("error %llu: want item %lld, path \"%s\", message with "
		    "\"%s\"", (unsigned long long)i, (long long)item, path,
		    needle);
	}
	/* messages stay printable ASCII */
	for (const char *p = e->msg; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	if (at == NULL)
		return;
	if (strcmp(at, "$") == 0)
		off = (int64_t)len;
	else if (at[0] != '\0') {
		const char *p = memmem(doc, len, at, strlen(at));

		assert_non_null(p);
		off = p - doc + delta;
	}
	if (e->offset != off) {
		dump_errors();
		fail_msg("error offset %lld, want %lld", (long long)e->offset,
		    (long long)off);
	}
}

struct rcase {
	const char *name;
	const char *doc;
	int lim;
	int64_t item;
	const char *path;
	const char *needle;
	const char *at;		/* see check_error() */
	int delta;		/* added to at's offset */
};

#define H(v) "{\"from\":\"human\",\"value\":\"" v "\"}"
#define G(v) "{\"from\":\"gpt\",\"value\":\"" v "\"}"
#define ITEM(id, img, turns) \
	"{\"id\":\"" id "\",\"image\":\"" img "\",\"conversations\":[" turns "]}"
#define TEXT_ITEM(id, turns) "{\"id\":\"" id "\",\"conversations\":[" turns "]}"
#define GOOD0 ITEM("a", "coco/1.jpg", H("<image>\\nWhat is it?") "," G("A cat."))
#define GOOD1 TEXT_ITEM("b", H("Hi") "," G("Hello"))
/* a document whose item 1 is x */
#define DOC(x) "[" GOOD0 ",\n" x "]"

/* One rule each: the document has exactly this one error. */
static const struct rcase rejects[] = {
	/* the file */
	{ "empty_file", "", L_DEFAULT, -1, "", "the file is empty", "$", 0 },
	{ "whitespace_file", " \n\t ", L_DEFAULT, -1, "", "the file is empty",
	    "$", 0 },
	{ "top_level_object", "{\"id\":\"a\"}", L_DEFAULT, -1, "",
	    "one JSON array of items, not an object", "{", 0 },
	{ "top_level_string", " \"x\"", L_DEFAULT, -1, "",
	    "one JSON array of items, not a string", "\"x\"", 0 },
	{ "empty_array", "[ ]", L_DEFAULT, -1, "", "the array has no items",
	    "]", 0 },
	{ "trailing_garbage", "[" GOOD1 "] x", L_DEFAULT, -1, "",
	    "unexpected character 'x'", "x", 0 },
	{ "trailing_array", "[" GOOD1 "]\n[]", L_DEFAULT, -1, "",
	    "an array after the end of the top-level array", "\n[]", 1 },
	{ "truncated_in_item", DOC("{\"id\":\"b\",\"conv"), L_DEFAULT, 1,
	    "[1]", "unexpected end of file inside a string", "$", 0 },
	{ "truncated_between_items", "[" GOOD1 ",", L_DEFAULT, -1, "",
	    "unexpected end of file (the file is truncated)", "$", 0 },
	{ "too_many_items", "[" TEXT_ITEM("1", H("x") "," G("y")) ","
	    TEXT_ITEM("2", H("x") "," G("y")) "," TEXT_ITEM("3", H("x") ","
	    G("y")) "," TEXT_ITEM("4", H("x") "," G("y")) "]",
	    L_THREE_ITEMS, 3, "[3]", "more items than the track's budget of 3",
	    "{\"id\":\"4\"", 0 },
	{ "file_too_big", "[" GOOD1 "," GOOD1 "]", L_SMALL_FILE, -1, "",
	    "over the limit of 100 bytes", "", 0 },
	/* JSON syntax */
	{ "missing_comma", "[" GOOD0 " " GOOD1 "]", L_DEFAULT, -1, "",
	    "expected ',' or ']', found an object", " {", 1 },
	{ "trailing_comma", "[" GOOD0 ",]", L_DEFAULT, -1, "",
	    "unexpected ']'", ",]", 1 },
	{ "missing_colon", DOC("{\"id\" \"b\"}"), L_DEFAULT, 1, "[1]",
	    "expected ':' after a key, found a string", " \"b\"", 1 },
	{ "number_key", DOC("{1:2}"), L_DEFAULT, 1, "[1]",
	    "expected a string key, found a number", "1:", 0 },
	{ "mismatched_bracket", "[" GOOD0 "}", L_DEFAULT, -1, "",
	    "'}' does not close", "}}", 1 },
	{ "invalid_utf8", DOC(TEXT_ITEM("b", H("caf\xc3") "," G("x"))),
	    L_DEFAULT, 1, "[1]", "invalid UTF-8", "\xc3", 0 },
	{ "overlong_utf8", DOC(TEXT_ITEM("b", H("\xc0\xaf") "," G("x"))),
	    L_DEFAULT, 1, "[1]", "invalid UTF-8 in a string: overlong",
	    "\xc0", 0 },
	{ "lone_surrogate", DOC(TEXT_ITEM("b", H("x\\ud800") "," G("x"))),
	    L_DEFAULT, 1, "[1]", "lone surrogate escape \\uD800", "\\ud800", 0 },
	{ "nul_in_id", DOC(TEXT_ITEM("b\\u0000c", H("x") "," G("y"))),
	    L_DEFAULT, 1, "[1].id", "NUL character (\\u0000)",
	    "\"b\\u0000c\"", 0 },
	{ "nul_in_value", DOC(TEXT_ITEM("b", H("x\\u0000y") "," G("z"))),
	    L_DEFAULT, 1, "[1].conversations[0].value",
	    "NUL character (\\u0000)", "\"x\\u0000y\"", 0 },
	{ "control_char", DOC(TEXT_ITEM("b", H("a\tb") "," G("x"))),
	    L_DEFAULT, 1, "[1]", "control character 0x09", "\t", 0 },
	/* items */
	{ "item_not_object", DOC("\"b\""), L_DEFAULT, 1, "[1]",
	    "an item must be an object, not a string", "\"b\"]", 0 },
	{ "item_array", DOC("[1, {\"id\": \"x\"}]"), L_DEFAULT, 1, "[1]",
	    "an item must be an object, not an array", "[1,", 0 },
	{ "missing_id", DOC("{\"conversations\":[" H("Hi") "," G("Yo") "]}"),
	    L_DEFAULT, 1, "[1]", "the item has no \"id\"",
	    "{\"conversations", 0 },
	{ "id_not_string", DOC("{\"id\":7,\"conversations\":[" H("Hi") ","
	    G("Yo") "]}"), L_DEFAULT, 1, "[1].id",
	    "\"id\" must be a string, not a number", "7,", 0 },
	{ "id_empty", DOC(TEXT_ITEM("", H("Hi") "," G("Yo"))), L_DEFAULT, 1,
	    "[1].id", "the id is empty", "\"\"", 0 },
	{ "duplicate_id", DOC(TEXT_ITEM("a", H("Hi") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].id", "duplicate id: item 0 has the same id",
	    "", 0 },
	{ "duplicate_key_id", DOC("{\"id\":\"b\",\"id\":\"c\","
	    "\"conversations\":[" H("Hi") "," G("Yo") "]}"), L_DEFAULT, 1,
	    "[1].id", "duplicate key \"id\"", "\"id\":\"c\"", 0 },
	{ "duplicate_unknown_key", DOC("{\"id\":\"b\",\"x\":1,\"x\":[2],"
	    "\"conversations\":[" H("Hi") "," G("Yo") "]}"), L_DEFAULT, 1,
	    "[1].x", "duplicate key \"x\"", "\"x\":[", 0 },
	{ "missing_conversations", DOC("{\"id\":\"b\"}"), L_DEFAULT, 1, "[1]",
	    "the item has no \"conversations\"", "{\"id\":\"b\"", 0 },
	{ "conversations_not_array", DOC("{\"id\":\"b\",\"conversations\":"
	    "{\"from\":\"human\"}}"), L_DEFAULT, 1, "[1].conversations",
	    "\"conversations\" must be an array of turns, not an object",
	    "\":{\"from\"", 2 },
	{ "one_turn", DOC(TEXT_ITEM("b", H("Hi"))), L_DEFAULT, 1,
	    "[1].conversations", "at least 2 turns, not 1", "\"}]}]", 2 },
	{ "no_turns", DOC(TEXT_ITEM("b", "")), L_DEFAULT, 1,
	    "[1].conversations", "at least 2 turns, not 0", "[]}", 1 },
	/* turns */
	{ "turn_not_object", DOC(TEXT_ITEM("b", H("Hi") ",\"Yo\"")),
	    L_DEFAULT, 1, "[1].conversations[1]", "a turn must be an object",
	    "\"Yo\"", 0 },
	{ "turn_without_from", DOC(TEXT_ITEM("b", H("Hi") ","
	    "{\"value\":\"Yo\"}")), L_DEFAULT, 1, "[1].conversations[1]",
	    "the turn has no \"from\"", "{\"value\":\"Yo", 0 },
	{ "turn_without_value", DOC(TEXT_ITEM("b", H("Hi") ","
	    "{\"from\":\"gpt\"}")), L_DEFAULT, 1, "[1].conversations[1]",
	    "the turn has no \"value\"", "{\"from\":\"gpt\"}", 0 },
	{ "duplicate_turn_key", DOC(TEXT_ITEM("b", H("Hi") ","
	    "{\"from\":\"gpt\",\"value\":\"a\",\"value\":\"b\"}")), L_DEFAULT,
	    1, "[1].conversations[1].value", "duplicate key \"value\"",
	    "\"value\":\"b\"", 0 },
	{ "from_unknown", DOC(TEXT_ITEM("b", H("Hi") ","
	    "{\"from\":\"bot\",\"value\":\"Yo\"}")), L_DEFAULT, 1,
	    "[1].conversations[1].from",
	    "\"from\" must be \"human\" or \"gpt\", not \"bot\"", "\"bot\"", 0 },
	{ "from_wrong_case", DOC(TEXT_ITEM("b", "{\"from\":\"Human\","
	    "\"value\":\"Hi\"}," G("Yo"))), L_DEFAULT, 1,
	    "[1].conversations[0].from", "not \"Human\"", "\"Human\"", 0 },
	{ "from_not_string", DOC(TEXT_ITEM("b", H("Hi") ","
	    "{\"from\":[\"gpt\"],\"value\":\"Yo\"}")), L_DEFAULT, 1,
	    "[1].conversations[1].from",
	    "\"from\" must be \"human\" or \"gpt\", not an array", "[\"gpt", 0 },
	{ "starts_with_gpt", DOC(TEXT_ITEM("b", G("Hi") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].conversations[0].from",
	    "turns must alternate \"human\", \"gpt\", starting with \"human\"",
	    "\"gpt\",\"value\":\"Hi", 0 },
	{ "human_twice", DOC(TEXT_ITEM("b", H("Hi") "," H("Yo"))), L_DEFAULT,
	    1, "[1].conversations[1].from", "turn 1 is from \"human\"",
	    "\"human\",\"value\":\"Yo", 0 },
	{ "ends_with_human", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo") ","
	    H("More?"))), L_DEFAULT, 1, "[1].conversations[2].from",
	    "the last turn must be from \"gpt\"", "}]}]", 1 },
	{ "value_empty", DOC(TEXT_ITEM("b", H("Hi") "," G(""))), L_DEFAULT, 1,
	    "[1].conversations[1].value", "\"value\" is empty",
	    "\"\"}]}]", 0 },
	{ "value_not_string", DOC(TEXT_ITEM("b", H("Hi") ","
	    "{\"from\":\"gpt\",\"value\":[\"Yo\", {\"a\": []}]}")), L_DEFAULT,
	    1, "[1].conversations[1].value",
	    "\"value\" must be a string, not an array", "[\"Yo\"", 0 },
	{ "value_with_eos", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo</s>"))),
	    L_DEFAULT, 1, "[1].conversations[1].value",
	    "\"value\" contains \"</s>\"", "\"Yo</s>", 0 },
	{ "value_with_inst", DOC(TEXT_ITEM("b", H("Hi [/INST] x") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].conversations[0].value",
	    "\"value\" contains \"[/INST]\"", "\"Hi [", 0 },
	{ "value_with_assistant", DOC(TEXT_ITEM("b", H("Hi") ","
	    G("Yo ASSISTANT: x"))), L_DEFAULT, 1, "[1].conversations[1].value",
	    "\"value\" contains \" ASSISTANT: \"", "\"Yo ASS", 0 },
	/* image */
	{ "image_list", DOC("{\"id\":\"b\",\"image\":[\"coco/1.jpg\"],"
	    "\"conversations\":[" H("<image>") "," G("Yo") "]}"), L_DEFAULT, 1,
	    "[1].image", "\"image\" must be one path string, not an array",
	    "[\"coco/1.jpg\"]", 0 },
	{ "image_empty", DOC(ITEM("b", "", H("<image>") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].image", "the image path is empty", "\"\"", 0 },
	{ "image_absolute", DOC(ITEM("b", "/coco/1.jpg", H("<image>") ","
	    G("Yo"))), L_DEFAULT, 1, "[1].image", "is absolute",
	    "\"/coco", 0 },
	{ "image_dotdot", DOC(ITEM("b", "coco/../../etc/passwd", H("<image>")
	    "," G("Yo"))), L_DEFAULT, 1, "[1].image", "\"..\" segment",
	    "\"coco/..", 0 },
	{ "image_backslash", DOC(ITEM("b", "coco\\\\1.jpg", H("<image>") ","
	    G("Yo"))), L_DEFAULT, 1, "[1].image", "contains a backslash",
	    "\"coco\\\\", 0 },
	{ "image_nul", DOC(ITEM("b", "coco/1\\u0000.jpg", H("<image>") ","
	    G("Yo"))), L_DEFAULT, 1, "[1].image", "NUL character",
	    "\"coco/1\\u", 0 },
	{ "image_unknown_root", DOC(ITEM("b", "cocoa/1.jpg", H("<image>") ","
	    G("Yo"))), L_DEFAULT, 1, "[1].image",
	    "the image \"cocoa/1.jpg\" is not in the pool nor under an allowed "
	    "image root", "\"cocoa", 0 },
	{ "image_root_itself", DOC(ITEM("b", "coco/", H("<image>") ","
	    G("Yo"))), L_DEFAULT, 1, "[1].image", "not in the pool",
	    "\"coco/\"", 0 },
	/* <image> */
	{ "image_without_token", DOC(ITEM("b", "coco/2.jpg", H("What?") ","
	    G("Yo"))), L_DEFAULT, 1, "[1].conversations",
	    "the item has an \"image\" but no turn holds \"<image>\"",
	    "{\"id\":\"b\"", 0 },
	{ "token_without_image", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo") ","
	    H("<image> now?") "," G("No"))), L_DEFAULT, 1,
	    "[1].conversations[2].value",
	    "\"<image>\" in an item without an \"image\"", "\"<image> now", 0 },
	{ "token_in_gpt_turn", DOC(ITEM("b", "coco/2.jpg", H("What?") ","
	    G("<image> Yo"))), L_DEFAULT, 1, "[1].conversations[1].value",
	    "\"<image>\" is in a \"gpt\" turn", "\"<image> Yo", 0 },
	{ "token_not_first_human", DOC(ITEM("b", "coco/2.jpg", H("Hi") ","
	    G("Yo") "," H("<image>\\nAnd this?") "," G("A dog"))), L_DEFAULT,
	    1, "[1].conversations[2].value",
	    "must be in the first \"human\" turn (turn 0), not turn 2",
	    "\"<image>\\nAnd", 0 },
	{ "token_twice_in_turn", DOC(ITEM("b", "coco/2.jpg",
	    H("<image><image>What?") "," G("Yo"))), L_DEFAULT, 1,
	    "[1].conversations[0].value", "\"<image>\" appears 2 times",
	    "\"<image><image>", 0 },
	{ "token_in_two_turns", DOC(ITEM("b", "coco/2.jpg", H("<image>A?") ","
	    G("Yo") "," H("<image>B?") "," G("No"))), L_DEFAULT, 1,
	    "[1].conversations", "\"<image>\" appears in 2 turns",
	    "\"<image>A?", 0 },
	/* nesting and bounds */
	{ "nested_value", DOC(TEXT_ITEM("b", H("Hi") ","
	    "{\"from\":\"gpt\",\"value\":{\"text\":\"Yo\"}}")), L_DEFAULT, 1,
	    "[1].conversations[1].value", "not an object", "{\"text\"", 0 },
	{ "too_deep", DOC("{\"id\":\"b\",\"x\":"
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"),
	    L_DEFAULT, 1, "[1]", "nested deeper than 64 levels",
	    "[[[[", 62 },
	{ "unknown_string_too_long", DOC("{\"id\":\"b\",\"note\":\""
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4567890123456789012345678901234567890123456789\",\"conversations\":["
	    H("Hi") "," G("Yo") "]}"), L_SHORT_STRINGS, 1, "[1].note",
	    "a string is 110 bytes long; the limit is 100", "\"0123", 0 },
	{ "nested_string_too_long", DOC("{\"id\":\"b\",\"meta\":{\"a\":"
	    "[{\"b\":\"0123456789012345678901234567890123456789012345678901234567"
	    "8901234567890123456789012345678901234567890123456789\"}]},"
	    "\"conversations\":[" H("Hi") "," G("Yo") "]}"), L_SHORT_STRINGS,
	    1, "[1].meta", "a string is 110 bytes long; the limit is 100",
	    "\"0123", 0 },
	{ "turn_extra_too_long", DOC(TEXT_ITEM("b", H("Hi") ",{\"from\":"
	    "\"gpt\",\"value\":\"Yo\",\"extra\":[{\"x\":\"012345678901234567"
	    "8901234567890123456789012345678901234567890123456789012345678901"
	    "2345678901234567890123456789\"}]}")), L_SHORT_STRINGS, 1,
	    "[1].conversations[1].extra",
	    "a string is 110 bytes long; the limit is 100", "\"0123", 0 },
};

static void
test_reject(void **state)
{
	const struct rcase *c = *state;
	size_t len = strlen(c->doc);

	run(c->doc, len, c->lim);
	if (res.n_errors != 1) {
		dump_errors();
		fail_msg("%llu errors, want 1", (unsigned long long)res.n_errors);
	}
	check_error(c->doc, len, 0, c->item, c->path, c->needle, c->at,
	    c->delta);
	assert_int_equal(res.set_hash[0], '\0');
}

/* ---- accepted files ---------------------------------------------------- */

static void
file_sha256(const char *path, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ssize_t r;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	close(fd);
	util_hex(md, 32, hex);
}

static uint64_t
comp(const char *name)
{
	size_t i;

	for (i = 0; i < res.n_comp; i++)
		if (strcmp(res.comp[i].name, name) == 0)
			return res.comp[i].n;
	return 0;
}

static void
check_example(void)
{
	char hex[65];

	if (res.n_errors != 0) {
		dump_errors();
		fail();
	}
	assert_int_equal(res.n_samples, 17);
	file_sha256(tu_shared("example-byod.json"), hex);
	assert_string_equal(res.sha256, hex);
	assert_int_equal(strlen(res.set_hash), 64);
	assert_int_equal(res.n_comp, 5);
	assert_string_equal(res.comp[0].name, "coco");	/* sorted */
	assert_int_equal(comp("coco"), 7);
	assert_int_equal(comp("flickr30k"), 2);
	assert_int_equal(comp("ocrvqa"), 1);
	assert_int_equal(comp("open_images"), 2);
	assert_int_equal(comp("visual_genome"), 5);
}

static void
test_example_file(void **state)
{
	char err[256];

	(void)state;
	vresult_clear(&res);
	assert_int_equal(byod_file(NULL, tu_shared("example-byod.json"),
	    &limits[L_DEFAULT], &res, err, sizeof(err)), 0);
	check_example();
}

/* The example file against a synthetic pool's image set (no image roots). */
static void
test_example_with_pool(void **state)
{
	const struct byod_limits lim = { 0, 0, 0, NULL };
	const char *idx;
	struct pool *pool;
	char err[256];

	(void)state;
	tu_synth_pool(0.001, &idx);
	pool = pool_open(idx, 0, err, sizeof(err));
	if (pool == NULL)
		fail_msg("pool_open: %s", err);
	vresult_clear(&res);
	assert_int_equal(byod_file(pool, tu_shared("example-byod.json"), &lim,
	    &res, err, sizeof(err)), 0);
	check_example();
	/* an image outside the pool's set is refused without roots */
	vresult_clear(&res);
	{
		static const char doc[] = "[" ITEM("a", "coco/not-in-pool.jpg",
		    H("<image>") "," G("x")) "]";
		const char *path = tu_write(tdir(), "p.json", doc,
		    sizeof(doc) - 1);

		assert_int_equal(byod_file(pool, path, &lim, &res, err,
		    sizeof(err)), 0);
		assert_int_equal(res.n_errors, 1);
		assert_non_null(strstr(res.errors[0].msg, "not in the pool"));
	}
	pool_close(pool);
}

#define ACCEPT(lit, lim) accept(lit, sizeof(lit) - 1, lim)

static void
test_text_only_item(void **state)
{
	(void)state;
	ACCEPT("[" GOOD1 "]", L_DEFAULT);
	assert_int_equal(res.n_samples, 1);
	assert_int_equal(res.n_comp, 1);
	assert_int_equal(comp("(no image)"), 1);
}

static void
test_unknown_keys_allowed(void **state)
{
	(void)state;
	ACCEPT("[{\"id\":\"a\",\"source\":\"mine\",\"meta\":{\"a\":[1,{\"b\":"
	    "null}],\"c\":\"x\",\"d\":[[[[true]]]]},\"score\":-1.5e3,"
	    "\"conversations\":[{\"from\":\"human\",\"value\":\"Hi\","
	    "\"lang\":{\"x\":\"en\"}}," G("Yo") "],\"flag\":false}]",
	    L_DEFAULT);
}

static void
test_multi_turn(void **state)
{
	(void)state;
	ACCEPT("[" ITEM("a", "visual_genome/1.jpg", H("What is this?\\n<image>")
	    "," G("A tree.") "," H("What color?") "," G("Green.") ","
	    H("And the sky?") "," G("Blue.")) "]", L_DEFAULT);
	assert_int_equal(comp("visual_genome"), 1);
}

static void
test_keys_in_any_order(void **state)
{
	(void)state;
	ACCEPT("[{\"conversations\":[{\"value\":\"<image>Q\",\"from\":\"human\"},"
	    "{\"value\":\"A\",\"from\":\"gpt\"}],\"image\":\"ocrvqa/1.jpg\","
	    "\"id\":\"z\"}]", L_DEFAULT);
	assert_int_equal(comp("ocrvqa"), 1);
}

static void
test_budget_exactly_met(void **state)
{
	(void)state;
	ACCEPT("[" GOOD0 "," GOOD1 "," TEXT_ITEM("c", H("x") "," G("y")) "]",
	    L_THREE_ITEMS);
	assert_int_equal(res.n_samples, 3);
}

static void
test_value_at_string_limit(void **state)
{
	(void)state;
	ACCEPT("[" TEXT_ITEM("b", H("Hi") "," G(
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "456789012345678901234567890123456789")) "]", L_SHORT_STRINGS);
}

static void
test_value_over_string_limit(void **state)
{
	static const char doc[] = DOC(TEXT_ITEM("b", H("Hi") "," G(
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4567890123456789012345678901234567890")));

	(void)state;
	run(doc, sizeof(doc) - 1, L_SHORT_STRINGS);
	assert_int_equal(res.n_errors, 1);
	check_error(doc, sizeof(doc) - 1, 0, 1, "[1].conversations[1].value",
	    "the value is 101 bytes long; the limit is 100", "\"0123", 0);
}

/* Whitespace, escapes and item order do not change the set hash. */
static void
test_set_hash_canonical(void **state)
{
	char sha1[65], set1[65];

	(void)state;
	ACCEPT("[" GOOD0 "," GOOD1 "]", L_DEFAULT);
	memcpy(sha1, res.sha256, 65);
	memcpy(set1, res.set_hash, 65);
	ACCEPT("[\n  {\"id\": \"\\u0062\", \"conversations\": [\n"
	    "    {\"from\": \"human\", \"value\": \"H\\u0069\"},\n"
	    "    {\"from\": \"gpt\", \"value\": \"Hel\\u006co\"}]},\n"
	    "  {\"id\":\"a\",\"image\":\"coco\\/1.jpg\",\"conversations\":["
	    "{\"from\":\"human\",\"value\":\"<image>\\u000aWhat is it?\"},"
	    "{\"from\":\"gpt\",\"value\":\"A cat.\"}]}\n]\n", L_DEFAULT);
	assert_string_not_equal(res.sha256, sha1);
	assert_string_equal(res.set_hash, set1);
	ACCEPT("[" GOOD0 "," TEXT_ITEM("b", H("Hi") "," G("Hello!")) "]",
	    L_DEFAULT);
	assert_string_not_equal(res.set_hash, set1);
}

/* Errors in one item do not stop the scan: each later item is checked. */
static void
test_errors_continue(void **state)
{
	static const char doc[] = "[" GOOD0 ","
	    TEXT_ITEM("b", H("Hi") "," H("again")) ","
	    GOOD1 ","
	    TEXT_ITEM("c", G("Hi") "," G("")) ","
	    "{\"id\":\"d\",\"conversations\":[]},"
	    TEXT_ITEM("a", H("x") "," G("y")) "]";

	(void)state;
	run(doc, sizeof(doc) - 1, L_DEFAULT);
	assert_int_equal(res.n_samples, 6);
	assert_int_equal(res.n_errors, 6);
	check_error(doc, sizeof(doc) - 1, 0, 1, "[1].conversations[1].from",
	    "turn 1 is from \"human\"", NULL, 0);
	/* item 2 is a duplicate of item 1's id "b" */
	check_error(doc, sizeof(doc) - 1, 1, 3, "[3].conversations[0].from",
	    "turn 0 is from \"gpt\"", NULL, 0);
	check_error(doc, sizeof(doc) - 1, 2, 3, "[3].conversations[1].value",
	    "\"value\" is empty", NULL, 0);
	check_error(doc, sizeof(doc) - 1, 3, 4, "[4].conversations",
	    "at least 2 turns, not 0", NULL, 0);
	/* duplicates come last, found after the scan, in hash order */
	assert_true((res.errors[4].item == 2 && res.errors[5].item == 5) ||
	    (res.errors[4].item == 5 && res.errors[5].item == 2));
	assert_string_equal(res.errors[4].path, res.errors[4].item == 2 ?
	    "[2].id" : "[5].id");
	assert_int_equal(res.errors[4].offset, -1);
}

static void
test_error_cap(void **state)
{
	const size_t n = 150;
	size_t cap = 64 + n * 128, len = 0, i;
	char *doc = malloc(cap);

	(void)state;
	doc[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s{\"id\":\"i%zu\","
		    "\"conversations\":[" H("Hi") "," G("") "]}", i ? "," : "", i);
	doc[len++] = ']';
	run(doc, len, L_DEFAULT);
	free(doc);
	assert_int_equal(res.n_errors, n);
	assert_int_equal(res.n_samples, n);
	assert_int_equal(res.errors[99].item, 99);
	assert_string_equal(res.errors[99].path, "[99].conversations[1].value");
}

/* ---- hostile files -------------------------------------------------- */

static void
test_hostile_nested_arrays(void **state)
{
	const size_t n = 10000;
	char *doc = malloc(2 * n);

	(void)state;
	memset(doc, '[', n);
	memset(doc + n, ']', n);
	run(doc, 2 * n, L_DEFAULT);
	free(doc);
	assert_int_equal(res.n_errors, 2);
	assert_int_equal(res.errors[0].item, 0);
	assert_string_equal(res.errors[0].path, "[0]");
	assert_non_null(strstr(res.errors[0].msg, "must be an object, not an "
	    "array"));
	assert_int_equal(res.errors[0].offset, 1);
	assert_int_equal(res.errors[1].item, 0);
	assert_non_null(strstr(res.errors[1].msg, "deeper than 64"));
	assert_int_equal(res.errors[1].offset, 64);
	assert_int_equal(res.sha256[0], '\0');	/* not read to the end */
}

static void
test_hostile_nested_objects(void **state)
{
	const size_t n = 10000;
	size_t len = 0, i;
	char *doc = malloc(8 * n + 16);

	(void)state;
	doc[len++] = '[';
	for (i = 0; i < n; i++) {
		memcpy(doc + len, "{\"x\":", 5);
		len += 5;
	}
	memset(doc + len, '}', n);
	len += n;
	doc[len++] = ']';
	run(doc, len, L_DEFAULT);
	free(doc);
	assert_int_equal(res.n_errors, 1);
	assert_int_equal(res.errors[0].item, 0);
	assert_non_null(strstr(res.errors[0].msg, "deeper than 64"));
}

/* A 100 MB value: reported as too long, never held in memory. */
static void
test_hostile_huge_string(void **state)
{
	static const char head[] = "[{\"id\":\"a\",\"conversations\":["
	    "{\"from\":\"human\",\"value\":\"";
	static const char tail[] = "\"}," G("x") "]}]";
	const size_t total = 100u << 20, block = 1u << 20;
	const char *path;
	char *buf = malloc(block);
	size_t i;
	FILE *fp;

	(void)state;
	memset(buf, 'y', block);
	path = tu_write(tdir(), "huge.json", head, sizeof(head) - 1);
	fp = fopen(path, "ab");
	assert_non_null(fp);
	for (i = 0; i < total / block; i++)
		assert_int_equal(fwrite(buf, 1, block, fp), block);
	assert_int_equal(fwrite(tail, 1, sizeof(tail) - 1, fp),
	    sizeof(tail) - 1);
	assert_int_equal(fclose(fp), 0);
	free(buf);
	{
		char err[256];

		vresult_clear(&res);
		assert_int_equal(byod_file(NULL, path, &limits[L_DEFAULT], &res,
		    err, sizeof(err)), 0);
	}
	unlink(path);
	assert_int_equal(res.n_errors, 1);
	assert_int_equal(res.errors[0].item, 0);
	assert_string_equal(res.errors[0].path, "[0].conversations[0].value");
	assert_non_null(strstr(res.errors[0].msg, "the value is 104857600 bytes "
	    "long; the limit is 1048576"));
	assert_int_equal(res.errors[0].offset, sizeof(head) - 2);
	assert_int_equal(strlen(res.sha256), 64);
}

static void
test_hostile_many_keys(void **state)
{
	const size_t n = 300;
	size_t cap = 64 + n * 16 + 200, len = 0, i;
	char *doc = malloc(cap);

	(void)state;
	len += (size_t)snprintf(doc, cap, "[{\"id\":\"a\"");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, ",\"k%zu\":1", i);
	len += (size_t)snprintf(doc + len, cap - len, ",\"conversations\":["
	    H("Hi") "," G("Yo") "]}]");
	run(doc, len, L_DEFAULT);
	free(doc);
	assert_int_equal(res.n_errors, 1);
	assert_string_equal(res.errors[0].path, "[0]");
	assert_non_null(strstr(res.errors[0].msg, "more than 256 different "
	    "keys"));
}

static void
test_io_errors(void **state)
{
	char err[256];

	(void)state;
	vresult_clear(&res);
	err[0] = '\0';
	assert_int_equal(byod_file(NULL, "/nonexistent/sub.json",
	    &limits[L_DEFAULT], &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	assert_int_equal(byod_file(NULL, tdir(), &limits[L_DEFAULT], &res, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(res.n_errors, 0);
}

static void
test_json_result(void **state)
{
	static const char doc[] = DOC(TEXT_ITEM("b", H("Hi") "," G("")));

	(void)state;
	run(doc, sizeof(doc) - 1, L_DEFAULT);
	assert_int_equal(res.n_errors, 1);
	assert_int_equal(res.errors[0].line, 0);
	assert_string_equal(res.errors[0].file, "");
}

static int
teardown(void **state)
{
	(void)state;
	vresult_clear(&res);
	tu_cleanup();
	return 0;
}

#define NREJECT (sizeof(rejects) / sizeof(rejects[0]))

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_example_with_pool),
		cmocka_unit_test(test_text_only_item),
		cmocka_unit_test(test_unknown_keys_allowed),
		cmocka_unit_test(test_multi_turn),
		cmocka_unit_test(test_keys_in_any_order),
		cmocka_unit_test(test_budget_exactly_met),
		cmocka_unit_test(test_value_at_string_limit),
		cmocka_unit_test(test_value_over_string_limit),
		cmocka_unit_test(test_set_hash_canonical),
		cmocka_unit_test(test_errors_continue),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_hostile_nested_arrays),
		cmocka_unit_test(test_hostile_nested_objects),
		cmocka_unit_test(test_hostile_huge_string),
		cmocka_unit_test(test_hostile_many_keys),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_json_result),
	};
	struct CMUnitTest tests[sizeof(fixed) / sizeof(fixed[0]) + NREJECT];
	char names[NREJECT][64];
	size_t i, n = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	for (i = 0; i < NREJECT; i++) {
		snprintf(names[i], sizeof(names[i]), "reject_%s",
		    rejects[i].name);
		tests[n].name = names[i];
		tests[n].test_func = test_reject;
		tests[n].setup_func = NULL;
		tests[n].teardown_func = NULL;
		tests[n].initial_state = (void *)&rejects[i];
		n++;
	}
	return cmocka_run_group_tests(tests, NULL, teardown);
}
