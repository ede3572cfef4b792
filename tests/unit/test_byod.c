/*
 * Unit tests for the BYOD validator: one test per accept, warn and reject
 * rule (each checking the item index, the JSON path, the byte offset and
 * that the message names the problem), hostile files, hashes and
 * composition.  The cases of LLaVA fidelity (the "llava" tables) each say
 * what LLaVA's loader at the pinned commit does with the item, read from
 * llava/train/train.py, conversation.py, mm_utils.py and llava_arch.py.
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
#include "tests.h"

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
	for (i = 0; i < res.n_warnings && i < VRESULT_KEEP; i++)
		print_message("  warning: %s\n", verror_format(&res.warnings[i],
		    line, sizeof(line)));
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
 * Finding i of list (n found) must be at item, path, with needle in its
 * message and at the offset of the first occurrence of at in doc (at
 * NULL: not checked; "": no offset; "$": the end of doc).
 */
static void
check_in(const struct verror *list, uint64_t n, const char *doc, size_t len,
    uint64_t i, int64_t item, const char *path, const char *needle,
    const char *at, int delta)
{
	const struct verror *e;
	int64_t off = -1;

	assert_true(i < n);
	e = &list[i];
	if (e->item != item || strcmp(e->path, path) != 0 ||
	    strstr(e->msg, needle) == NULL) {
		dump_errors();
		fail_msg("finding %llu: want item %lld, path \"%s\", message "
		    "with \"%s\"", (unsigned long long)i, (long long)item, path,
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
		fail_msg("offset %lld, want %lld", (long long)e->offset,
		    (long long)off);
	}
}

static void
check_error(const char *doc, size_t len, uint64_t i, int64_t item,
    const char *path, const char *needle, const char *at, int delta)
{
	check_in(res.errors, res.n_errors, doc, len, i, item, path, needle, at,
	    delta);
}

static void
check_warning(const char *doc, size_t len, uint64_t i, int64_t item,
    const char *path, const char *needle, const char *at)
{
	check_in(res.warnings, res.n_warnings, doc, len, i, item, path, needle,
	    at, 0);
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

/* A case of LLaVA fidelity: what LLaVA does with it, and the case. */
struct lrcase {
	struct rcase c;
	const char *llava;
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
	    L_DEFAULT, 1, "[1]", "the item has no \"id\" (a competition rule, "
	    "not LLaVA's", "{\"conversations", 0 },
	{ "id_not_string", DOC("{\"id\":true,\"conversations\":[" H("Hi") ","
	    G("Yo") "]}"), L_DEFAULT, 1, "[1].id",
	    "\"id\" must be a string or an integer, not true", "true,", 0 },
	{ "id_empty", DOC(TEXT_ITEM("", H("Hi") "," G("Yo"))), L_DEFAULT, 1,
	    "[1].id", "the id is empty", "\"\"", 0 },
	{ "duplicate_id", DOC(TEXT_ITEM("a", H("Hi") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].id", "duplicate id: item 0 has the same id (a "
	    "competition rule, not LLaVA's, which never reads \"id\": the "
	    "server needs a handle for each item)", "", 0 },
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
	{ "starts_with_gpt_twice", DOC(TEXT_ITEM("b", G("Hi") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].conversations[1].from",
	    "turns must alternate \"human\", \"gpt\", starting with \"human\"",
	    "\"gpt\",\"value\":\"Yo", 0 },
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
	    "\"value\" contains \"[/INST] \"", "\"Hi [", 0 },
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
	    G("Yo"))), L_DEFAULT, 1, "[1].image", "names a directory",
	    "\"coco/\"", 0 },
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

/*
 * LLaVA fidelity, refused: each case is an error because LLaVA crashes on
 * the item or masks the whole sample (every label IGNORE_INDEX: it costs
 * GPU time and teaches nothing), or, marked "policy", a competition rule.
 */
#define NUM_TURN(role, v) "{\"from\":\"" role "\",\"value\":" v "}"
static const struct lrcase llava_rejects[] = {
	{ { "unk", DOC(TEXT_ITEM("b", H("Hi <unk> there") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].conversations[0].value",
	    "\"value\" contains \"<unk>\": LLaMA's tokenizer makes it the "
	    "padding id", "\"Hi <unk>", 0 },
	    "masked: the tokenizer maps <unk> to id 0, the pad id, which the "
	    "total length does not count: tokenization mismatch" },
	{ { "unk_in_answer", DOC(TEXT_ITEM("b", H("Hi") "," G("<unk>"))),
	    L_DEFAULT, 1, "[1].conversations[1].value", "contains \"<unk>\"",
	    "\"<unk>", 0 }, "masked, as in a human turn" },
	{ { "eos_in_question", DOC(TEXT_ITEM("b", H("a</s>b") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].conversations[0].value", "contains \"</s>\"",
	    "\"a</s>", 0 }, "masked: the prompt is split into rounds at </s>, "
	    "one more round than turns, the counts differ" },
	{ { "ends_with_inst", DOC(TEXT_ITEM("b", H("Hi[/INST]") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].conversations[0].value",
	    "\"value\" ends with \"[/INST]\"", "\"Hi[", 0 },
	    "masked: \"[INST] Hi[/INST] [/INST] Yo\" splits in three at "
	    "\"[/INST] \", the round loop breaks" },
	{ { "answer_ends_with_inst", DOC(TEXT_ITEM("b", H("Hi") ","
	    G("Yo [/INST]"))), L_DEFAULT, 1, "[1].conversations[1].value",
	    "ends with \"[/INST]\"", "\"Yo [", 0 },
	    "masked: the answer is followed by \" </s>\", which makes "
	    "\"[/INST] \"" },
	{ { "image_turn_stripped_to_inst", DOC(ITEM("b", "coco/2.jpg",
	    H("<image>Hi [/INST]\\n") "," G("Yo"))), L_DEFAULT, 1,
	    "[1].conversations[0].value", "ends with \"[/INST]\"",
	    "\"<image>Hi", 0 },
	    "masked: preprocess_multimodal strips the turn, so it ends in "
	    "[/INST]" },
	{ { "image_turn_joined_to_inst", DOC(ITEM("b", "coco/2.jpg",
	    H("Q [/INST]<image> more") "," G("Yo"))), L_DEFAULT, 1,
	    "[1].conversations[0].value", "contains \"[/INST] \"",
	    "\"Q [", 0 }, "masked: preprocess_multimodal removes <image>, "
	    "which leaves \"[/INST] more\"" },
	{ { "image_token_made_anew", DOC(ITEM("b", "coco/2.jpg",
	    H("<ima<image>ge>What?") "," G("Yo"))), L_DEFAULT, 1,
	    "[1].conversations[0].value", "holds \"<image>\" again", "\"<ima<",
	    0 },
	    "crash: removing <image> makes a new one, two image tokens for one "
	    "image" },
	{ { "token_in_two_turns", DOC(ITEM("b", "coco/2.jpg", H("<image>A?") ","
	    G("Yo") "," H("<image>B?") "," G("No"))), L_DEFAULT, 1,
	    "[1].conversations", "\"<image>\" appears in 2 turns",
	    "\"<image>A?", 0 }, "crash: each turn keeps one <image>, two image "
	    "tokens take two images from the batch, the last sample's index is "
	    "out of range in prepare_inputs_labels_for_multimodal" },
	{ { "number_in_answer", DOC(TEXT_ITEM("b", H("Hi") ","
	    NUM_TURN("gpt", "5"))), L_DEFAULT, 1, "[1].conversations[1].value",
	    "\"value\" is a number: LLaVA adds a \"gpt\" value to text", "5}",
	    0 },
	    "crash: get_prompt() does \" \" + message, a TypeError" },
	{ { "number_first_human", DOC(TEXT_ITEM("b", NUM_TURN("human", "5") ","
	    G("Yo"))), L_DEFAULT, 1, "[1].conversations[0].value",
	    "adds the first \"human\" value to the system prompt", "5}", 0 },
	    "crash: wrap_sys(system) + message, a TypeError" },
	{ { "number_first_human_after_drop", DOC(TEXT_ITEM("b", G("Hello") ","
	    NUM_TURN("human", "5") "," G("Yo"))), L_DEFAULT, 1,
	    "[1].conversations[1].value", "adds the first \"human\" value",
	    "5}", 0 },
	    "crash: after the leading gpt turn is dropped, this is the first "
	    "message" },
	{ { "number_with_image", "[" GOOD0 ",{\"id\":\"b\",\"conversations\":["
	    H("<image>Q") "," G("A") "," NUM_TURN("human", "5") "," G("B")
	    "],\"image\":\"coco/2.jpg\"}]", L_DEFAULT, 1,
	    "[1].conversations[2].value",
	    "\"value\" is a number in an item with an \"image\"", "5}", 0 },
	    "crash: preprocess_multimodal does '<image>' in value, a "
	    "TypeError (the image key may come after the conversation)" },
	{ { "number_zero", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo") ","
	    NUM_TURN("human", "0") "," G("B"))), L_DEFAULT, 1,
	    "[1].conversations[2].value", "\"value\" is zero", "0}", 0 },
	    "masked: get_prompt() leaves a false value out, the round "
	    "\" B </s>\" has no [/INST]" },
	{ { "number_underflows_to_zero", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo")
	    "," NUM_TURN("human", "1e-400") "," G("B"))), L_DEFAULT, 1,
	    "[1].conversations[2].value", "is zero", "1e-400", 0 },
	    "masked: json.load makes 1e-400 the float 0.0, false" },
	{ { "value_true", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo") ","
	    NUM_TURN("human", "true") "," G("B"))), L_DEFAULT, 1,
	    "[1].conversations[2].value",
	    "\"value\" must be a string, not true", "true}", 0 },
	    "policy: LLaVA would train on \"True\" here, and crash on it in "
	    "the first turn, a gpt turn or an item with an image" },
	{ { "first_human_empty", DOC(TEXT_ITEM("b", H("") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].conversations[0].value", "\"value\" is empty",
	    "\"\"}", 0 }, "crash: get_prompt() asserts the first message" },
	{ { "gpt_then_human_only", DOC(TEXT_ITEM("b", G("Hello") ","
	    H("Hi"))), L_DEFAULT, 1, "[1].conversations[1].from",
	    "the last turn must be from \"gpt\"", "}]}]", 1 },
	    "masked: the leading gpt turn is dropped, the last round has no "
	    "\"[/INST] \"" },
	{ { "id_fraction", DOC("{\"id\":1.5,\"conversations\":[" H("Hi") ","
	    G("Yo") "]}"), L_DEFAULT, 1, "[1].id", "\"id\" must be a string or "
	    "an integer, not a number with a fraction", "1.5", 0 },
	    "policy: LLaVA never reads the id" },
	{ { "id_number_duplicates_string", "[" TEXT_ITEM("7", H("x") "," G("y"))
	    ",{\"id\":7,\"conversations\":[" H("x") "," G("z") "]}]", L_DEFAULT,
	    1, "[1].id", "duplicate id: item 0 has the same id", "", 0 },
	    "policy: 7 is the id \"7\"" },
	{ { "id_minus_zero_duplicates_zero", "[{\"id\":0,\"conversations\":["
	    H("x") "," G("y") "]},{\"id\":-0,\"conversations\":[" H("x") ","
	    G("z") "]}]", L_DEFAULT, 1, "[1].id", "duplicate id", "", 0 },
	    "policy: -0 is the id \"0\"" },
	{ { "image_trailing_slash", DOC(ITEM("b", "coco/2.jpg/", H("<image>")
	    "," G("Yo"))), L_DEFAULT, 1, "[1].image", "\"coco/2.jpg/\" names a "
	    "directory", "\"coco/2.jpg/", 0 },
	    "crash: Image.open() of a path ending in '/' fails" },
	{ { "image_dot_last", DOC(ITEM("b", "coco/.", H("<image>") ","
	    G("Yo"))),
	    L_DEFAULT, 1, "[1].image", "names a directory", "\"coco/.", 0 },
	    "crash: the image folder's coco directory is not an image" },
	{ { "image_dot_only", DOC(ITEM("b", ".", H("<image>") "," G("Yo"))),
	    L_DEFAULT, 1, "[1].image", "names a directory", "\".\"", 0 },
	    "crash: the image folder itself" },
	{ { "image_dotdot_after_dot", DOC(ITEM("b", "coco/./../coco/2.jpg",
	    H("<image>") "," G("Yo"))), L_DEFAULT, 1, "[1].image",
	    "\"..\" segment", "\"coco/./", 0 },
	    "policy: it would leave the image folder" },
};

/*
 * LLaVA fidelity, accepted without a warning: LLaVA trains on each of
 * these as it would on a plain item.
 */
struct acase {
	const char *name;
	const char *doc;
	const char *llava;
};
static const struct acase llava_accepts[] = {
	{ "image_dot_slash", "[" ITEM("a", "./coco/1.jpg", H("<image>\\nQ") ","
	    G("A")) "]", "os.path.join(folder, \"./coco/1.jpg\") opens "
	    "folder/coco/1.jpg" },
	{ "image_double_slash", "[" ITEM("a", "coco//1.jpg", H("<image>\\nQ")
	    "," G("A")) "]", "the kernel reads // as /" },
	{ "image_dot_segment", "[" ITEM("a", "coco/./1.jpg", H("<image>\\nQ")
	    "," G("A")) "]", "the kernel skips a . segment" },
	{ "inst_without_space", "[" TEXT_ITEM("a", H("x[/INST]y") "," G("z"))
	    "]", "only \"[/INST] \" splits a round" },
	{ "inst_then_newline", "[" TEXT_ITEM("a", H("x [/INST]\\nmore") ","
	    G("z")) "]", "\"[/INST]\\n\" does not split; nothing strips a "
	    "turn without <image>" },
	{ "inst_open_tag", "[" TEXT_ITEM("a", H("[INST] <<SYS>> x") ","
	    G("z")) "]", "[INST] and <<SYS>> are plain text to the tokenizer" },
	{ "assistant_separator", "[" TEXT_ITEM("a", H("Hi") ","
	    G("Yo ASSISTANT: x")) "]", "\" ASSISTANT: \" separates llava_v1 "
	    "rounds, not llava_llama_2 ones" },
	{ "im_patch_text", "[" TEXT_ITEM("a", H("a <im_patch> b") "," G("z"))
	    "]", "with mm_use_im_patch_token False it is not a token" },
	{ "number_later_human", "[" TEXT_ITEM("a", H("Hi") "," G("Yo") ","
	    NUM_TURN("human", "5") "," G("B")) "]", "get_prompt() formats it "
	    "into \"[INST] 5 [/INST]\"" },
	{ "float_later_human", "[" TEXT_ITEM("a", H("Hi") "," G("Yo") ","
	    NUM_TURN("human", "-1.5e3") "," G("B")) "]", "formatted as "
	    "\"-1500.0\"" },
	{ "id_integer", "[{\"id\":7,\"conversations\":[" H("Hi") "," G("Yo")
	    "]},{\"id\":\"07\",\"conversations\":[" H("Hi") "," G("Yo") "]}]",
	    "LLaVA never reads the id; 7 is \"7\", not \"07\"" },
	{ "id_negative_integer", "[{\"id\":-12,\"conversations\":[" H("Hi") ","
	    G("Yo") "]}]", "LLaVA never reads the id" },
	{ "image_in_later_human_turn", "[" ITEM("a", "coco/2.jpg", H("Hi") ","
	    G("Yo") "," H("And this?\\n<image>") "," G("A dog")) "]",
	    "preprocess_multimodal moves <image> to the start of that turn: "
	    "one image token, one image" },
	{ "image_turn_trailing_space", "[" ITEM("a", "coco/2.jpg",
	    H("<image> ") "," G("Yo")) "]", "stripped to \"<image>\", not "
	    "empty" },
	{ "unicode_value", "[" TEXT_ITEM("a", H("caf\\u00e9 \\u65e5\\u672c") ","
	    G("\\ud83d\\ude00")) "]", "byte fallback covers any character" },
};

/*
 * LLaVA fidelity, accepted with a warning: LLaVA trains on the item but
 * wastes or ignores part of it.  The warning is warnings[0]; nwarn is how
 * many there are.
 */
struct wcase {
	const char *name;
	const char *doc;
	int64_t item;
	const char *path;
	const char *needle;
	const char *at;		/* see check_error() */
	int nwarn;
	const char *llava;
};
static const struct wcase llava_warns[] = {
	{ "token_twice_in_turn", DOC(ITEM("b", "coco/2.jpg",
	    H("<image><image>What?") "," G("Yo"))), 1,
	    "[1].conversations[0].value", "\"<image>\" appears 2 times in this "
	    "turn: LLaVA keeps one", "\"<image><image>", 1,
	    "preprocess_multimodal removes every <image> and puts one back" },
	{ "token_in_gpt_turn", DOC(ITEM("b", "coco/2.jpg", H("What?") ","
	    G("<image> Yo"))), 1, "[1].conversations[1].value",
	    "\"<image>\" is in a \"gpt\" turn", "\"<image> Yo", 1,
	    "the image goes to the start of the answer; its labels are "
	    "ignored" },
	{ "image_without_token", DOC(ITEM("b", "coco/2.jpg", H("What?") ","
	    G("Yo"))), 1, "[1].image", "no turn that LLaVA trains on holds "
	    "\"<image>\": it loads the image but never shows it",
	    "\"coco/2.jpg", 1, "no image token: "
	    "prepare_inputs_labels_for_multimodal splices in "
	    "image_features[0:0]" },
	{ "token_only_in_dropped_turn", DOC(ITEM("b", "coco/2.jpg",
	    G("<image>Look") "," H("What?") "," G("Yo"))), 1,
	    "[1].conversations[0].from", "starts with a \"gpt\" turn",
	    "\"gpt\",\"value\":\"<image>Look", 2,
	    "the turn is dropped, and the image with it" },
	{ "token_without_image", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo") ","
	    H("<image> now?") "," G("No"))), 1, "[1].conversations[2].value",
	    "\"<image>\" in an item without an \"image\": LLaVA trains on it "
	    "as plain text", "\"<image> now", 1,
	    "no preprocess_multimodal without an image; <image> is text" },
	{ "leading_gpt_turn", DOC(TEXT_ITEM("b", G("Hello") "," H("Hi") ","
	    G("Yo"))), 1, "[1].conversations[0].from", "the conversation "
	    "starts with a \"gpt\" turn: LLaVA drops it",
	    "\"gpt\",\"value\":\"Hello",
	    1, "preprocess_llama_2: source = source[1:]" },
	{ "blank_answer", DOC(TEXT_ITEM("b", H("Hi") "," G("  "))), 1,
	    "[1].conversations[1].value", "\"value\" is only whitespace",
	    "\"  \"", 1, "it is trained on, a round of \"[/INST]    </s>\"" },
	{ "blank_unicode_question", DOC(TEXT_ITEM("b", H("Hi") "," G("Yo") ","
	    H("\\u3000\\n") "," G("B"))), 1, "[1].conversations[2].value",
	    "only whitespace", "\"\\u3000", 1, "U+3000 and \\n are whitespace "
	    "to Python's strip()" },
	{ "bos", DOC(TEXT_ITEM("b", H("a <s> b") "," G("Yo"))), 1,
	    "[1].conversations[0].value", "\"value\" contains \"<s>\": LLaMA's "
	    "tokenizer reads it as the begin-of-sequence token", "\"a <s>", 1,
	    "id 1 counts in both lengths; run_llava stops an answer at "
	    "\"<s>\"" },
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

static void
test_llava_reject(void **state)
{
	const struct lrcase *c = *state;
	void *rc = (void *)&c->c;

	print_message("# LLaVA: %s\n", c->llava);
	test_reject(&rc);
}

static void
test_llava_accept(void **state)
{
	const struct acase *c = *state;

	print_message("# LLaVA: %s\n", c->llava);
	run(c->doc, strlen(c->doc), L_DEFAULT);
	if (res.n_errors != 0 || res.n_warnings != 0) {
		dump_errors();
		fail_msg("%llu errors, %llu warnings, want none",
		    (unsigned long long)res.n_errors,
		    (unsigned long long)res.n_warnings);
	}
	assert_int_equal(strlen(res.set_hash), 64);
}

static void
test_llava_warn(void **state)
{
	const struct wcase *c = *state;
	size_t len = strlen(c->doc);

	print_message("# LLaVA: %s\n", c->llava);
	run(c->doc, len, L_DEFAULT);
	if (res.n_errors != 0 || res.n_warnings != (uint64_t)c->nwarn) {
		dump_errors();
		fail_msg("%llu errors, %llu warnings, want 0 and %d",
		    (unsigned long long)res.n_errors,
		    (unsigned long long)res.n_warnings, c->nwarn);
	}
	check_warning(c->doc, len, 0, c->item, c->path, c->needle, c->at);
	assert_int_equal(strlen(res.set_hash), 64);	/* valid */
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

	if (res.n_errors != 0 || res.n_warnings != 0) {
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

void
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
void
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
	/* the loader joins these paths fine: normalised before the lookup */
	{
		static const char doc[] = "["
		    ITEM("a", "./coco/COCO_train2014_000000318556.jpg",
		    H("<image>") "," G("x")) ","
		    ITEM("b", "coco//COCO_train2014_000000318556.jpg",
		    H("<image>") "," G("x")) ","
		    ITEM("c", "coco/./COCO_train2014_000000318556.jpg",
		    H("<image>") "," G("x")) "]";
		const char *path = tu_write(tdir(), "n.json", doc,
		    sizeof(doc) - 1);

		vresult_clear(&res);
		assert_int_equal(byod_file(pool, path, &lim, &res, err,
		    sizeof(err)), 0);
		assert_int_equal(res.n_errors, 0);
		assert_int_equal(res.n_comp, 1);
		assert_int_equal(comp("coco"), 3);
	}
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

void
test_text_only_item(void **state)
{
	(void)state;
	ACCEPT("[" GOOD1 "]", L_DEFAULT);
	assert_int_equal(res.n_samples, 1);
	assert_int_equal(res.n_comp, 1);
	assert_int_equal(comp("(no image)"), 1);
}

void
test_unknown_keys_allowed(void **state)
{
	(void)state;
	ACCEPT("[{\"id\":\"a\",\"source\":\"mine\",\"meta\":{\"a\":[1,{\"b\":"
	    "null}],\"c\":\"x\",\"d\":[[[[true]]]]},\"score\":-1.5e3,"
	    "\"conversations\":[{\"from\":\"human\",\"value\":\"Hi\","
	    "\"lang\":{\"x\":\"en\"}}," G("Yo") "],\"flag\":false}]",
	    L_DEFAULT);
}

void
test_multi_turn(void **state)
{
	(void)state;
	ACCEPT("[" ITEM("a", "visual_genome/1.jpg", H("What is this?\\n<image>")
	    "," G("A tree.") "," H("What color?") "," G("Green.") ","
	    H("And the sky?") "," G("Blue.")) "]", L_DEFAULT);
	assert_int_equal(comp("visual_genome"), 1);
}

void
test_keys_in_any_order(void **state)
{
	(void)state;
	ACCEPT("[{\"conversations\":[{\"value\":\"<image>Q\",\"from\":\"human\"},"
	    "{\"value\":\"A\",\"from\":\"gpt\"}],\"image\":\"ocrvqa/1.jpg\","
	    "\"id\":\"z\"}]", L_DEFAULT);
	assert_int_equal(comp("ocrvqa"), 1);
}

void
test_budget_exactly_met(void **state)
{
	(void)state;
	ACCEPT("[" GOOD0 "," GOOD1 "," TEXT_ITEM("c", H("x") "," G("y")) "]",
	    L_THREE_ITEMS);
	assert_int_equal(res.n_samples, 3);
}

void
test_value_at_string_limit(void **state)
{
	(void)state;
	ACCEPT("[" TEXT_ITEM("b", H("Hi") "," G(
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "456789012345678901234567890123456789")) "]", L_SHORT_STRINGS);
}

void
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
void
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
void
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
	/* item 2 is a duplicate of item 1's id "b"; item 3's turn 0 is
	 * dropped (a warning), so turn 1 should be from "human" */
	check_error(doc, sizeof(doc) - 1, 1, 3, "[3].conversations[1].from",
	    "turn 1 is from \"gpt\"", NULL, 0);
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

void
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

/* ---- estimated tokens and truncation ---------------------------------- */

void
test_tokens_estimate(void **state)
{
	(void)state;
	assert_int_equal(byod_tokens("", 0), 0);
	assert_int_equal(byod_tokens("cat", 3), 1);
	assert_int_equal(byod_tokens("hello", 5), 2);	/* 4 letters a token */
	assert_int_equal(byod_tokens("The cat.", 8), 3);	/* " cat" */
	assert_int_equal(byod_tokens("a  b", 4), 3);	/* 2nd space: 1 */
	assert_int_equal(byod_tokens(" 2023", 5), 5);	/* "▁" + 4 digits */
	assert_int_equal(byod_tokens("x\n", 2), 2);
	assert_int_equal(byod_tokens("caf\xc3\xa9", 5), 2);	/* 2 bytes: 1 */
	assert_int_equal(byod_tokens("\xe6\x97\xa5", 3), 3);	/* 1 a byte */
	assert_int_equal(byod_tokens("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(byod_tokens("<image>", 7), 4);	/* more than 1 + \n */
}

/*
 * One text-only item of turns turns (human, gpt, ...): a human value of
 * hw words, a gpt value of gw, each word "abcd" (one estimated token).
 * Returns the document (malloc'd) and its length in *len.
 */
static char *
long_doc(size_t turns, size_t hw, size_t gw, size_t *len)
{
	size_t cap = 64 + turns * (40 + 5 * (hw > gw ? hw : gw)), n = 0, i, w;
	char *doc = malloc(cap);

	n += (size_t)snprintf(doc, cap, "[{\"id\":\"a\",\"conversations\":[");
	for (i = 0; i < turns; i++) {
		n += (size_t)snprintf(doc + n, cap - n, "%s{\"from\":\"%s\","
		    "\"value\":\"", i ? "," : "", i % 2 ? "gpt" : "human");
		for (w = 0; w < (i % 2 ? gw : hw); w++)
			n += (size_t)snprintf(doc + n, cap - n, "%sabcd",
			    w ? " " : "");
		n += (size_t)snprintf(doc + n, cap - n, "\"}");
	}
	n += (size_t)snprintf(doc + n, cap - n, "]}]");
	*len = n;
	return doc;
}

/* LLaVA cuts at 2048 tokens: a first human turn past it leaves no answer
 * token, the sample teaches nothing. */
void
test_truncation_first_turn(void **state)
{
	size_t len;
	char *doc;

	(void)state;
	doc = long_doc(2, 1900, 5, &len);
	run(doc, len, L_DEFAULT);
	free(doc);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(res.n_warnings, 0);
	doc = long_doc(2, 2048, 5, &len);
	run(doc, len, L_DEFAULT);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(res.n_warnings, 1);
	check_warning(doc, len, 0, 0, "[0].conversations[0].value",
	    "the first \"human\" turn is about ", "\"abcd");
	assert_non_null(strstr(res.warnings[0].msg, "LLaVA cuts a sample at "
	    "2048 tokens, so no answer token is left and it teaches nothing"));
	free(doc);
}

/* 60 rounds of about 150 tokens: LLaVA trains on the first 2048 tokens,
 * the tail is cut silently. */
void
test_truncation_conversation(void **state)
{
	size_t len;
	char *doc;

	(void)state;
	doc = long_doc(20, 20, 130, &len);	/* about 1,600 tokens */
	run(doc, len, L_DEFAULT);
	free(doc);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(res.n_warnings, 0);
	doc = long_doc(120, 20, 130, &len);	/* about 9,600 */
	run(doc, len, L_DEFAULT);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(res.n_warnings, 1);
	check_warning(doc, len, 0, 0, "[0].conversations", "the conversation "
	    "is about ", "[{\"from");
	assert_non_null(strstr(res.warnings[0].msg, "so it does not train on "
	    "the rest from inside turn 25 on"));
	free(doc);
}

/* ---- more LLaVA fidelity ----------------------------------------------- */

/*
 * Python's json.load, which LLaVA reads the file with, refuses an integer
 * of more than 4300 digits (ValueError: Exceeds the limit), wherever it is;
 * a long number with a fraction is a float and loads.
 */
void
test_integer_digit_limit(void **state)
{
	static const char conv[] = "\"conversations\":[" H("Hi") "," G("Yo")
	    "]}]";
	size_t cap = 5200 + sizeof(conv), n;
	char *doc = malloc(cap), digits[4302];

	(void)state;
	memset(digits, '7', sizeof(digits) - 1);
	digits[sizeof(digits) - 1] = '\0';
	n = (size_t)snprintf(doc, cap, "[{\"id\":\"a\",\"n\":%.4300s,%s",
	    digits, conv);
	accept(doc, n, L_DEFAULT);
	n = (size_t)snprintf(doc, cap, "[{\"id\":\"a\",\"n\":%s.5,%s", digits,
	    conv);
	accept(doc, n, L_DEFAULT);
	n = (size_t)snprintf(doc, cap, "[{\"id\":\"a\",\"n\":-%s,%s", digits,
	    conv);
	run(doc, n, L_DEFAULT);
	assert_int_equal(res.n_errors, 1);
	check_error(doc, n, 0, 0, "[0].n", "an integer of 4301 digits: "
	    "Python's json.load()", "-777", 0);
	n = (size_t)snprintf(doc, cap, "[{\"id\":\"a\",\"m\":[{\"x\":%s}],%s",
	    digits, conv);
	run(doc, n, L_DEFAULT);
	assert_int_equal(res.n_errors, 1);
	check_error(doc, n, 0, 0, "[0].m", "an integer of 4301 digits", "777",
	    0);
	n = (size_t)snprintf(doc, cap, "[{\"id\":%s,%s", digits, conv);
	run(doc, n, L_DEFAULT);
	assert_int_equal(res.n_errors, 1);
	check_error(doc, n, 0, 0, "[0].id", "an integer of 4301 digits", "777",
	    0);
	free(doc);
}

/* open() refuses a path of PATH_MAX (4096) bytes or more: LLaVA crashes. */
void
test_image_path_too_long(void **state)
{
	char path[4200], doc[4400];
	size_t n;

	(void)state;
	memcpy(path, "coco/", 5);
	memset(path + 5, 'a', 4090);
	path[4095] = '\0';	/* 4095 bytes: the longest that can open */
	n = (size_t)snprintf(doc, sizeof(doc), "[" ITEM("a", "%s",
	    H("<image>Q") "," G("A")) "]", path);
	accept(doc, n, L_DEFAULT);
	memcpy(path + 4095, "a", 2);
	n = (size_t)snprintf(doc, sizeof(doc), "[" ITEM("a", "%s",
	    H("<image>Q") "," G("A")) "]", path);
	run(doc, n, L_DEFAULT);
	assert_int_equal(res.n_errors, 1);
	check_error(doc, n, 0, 0, "[0].image", "the image path is 4096 bytes "
	    "long: open() refuses 4096 or more", "\"coco/", 0);
}

/* LLaVA never reads "id": a number is its decimal string, for the
 * duplicate check and the set hash alike. */
void
test_id_number_canonical(void **state)
{
	char set[65];

	(void)state;
	ACCEPT("[{\"id\":7,\"conversations\":[" H("Hi") "," G("Yo") "]}]",
	    L_DEFAULT);
	memcpy(set, res.set_hash, 65);
	ACCEPT("[{\"id\":\"7\",\"conversations\":[" H("Hi") "," G("Yo") "]}]",
	    L_DEFAULT);
	assert_string_equal(res.set_hash, set);
	ACCEPT("[{\"id\":\"07\",\"conversations\":[" H("Hi") "," G("Yo")
	    "]}]", L_DEFAULT);
	assert_string_not_equal(res.set_hash, set);
	ACCEPT("[{\"id\":-0,\"conversations\":[" H("Hi") "," G("Yo") "]}]",
	    L_DEFAULT);
	memcpy(set, res.set_hash, 65);
	ACCEPT("[{\"id\":\"0\",\"conversations\":[" H("Hi") "," G("Yo") "]}]",
	    L_DEFAULT);
	assert_string_equal(res.set_hash, set);
}

/* A turn's keys in either order: the role decides after the value. */
void
test_number_value_before_from(void **state)
{
	static const char doc[] = "[" TEXT_ITEM("a", H("Hi") ","
	    "{\"value\":5,\"from\":\"gpt\"}") "]";

	(void)state;
	run(doc, sizeof(doc) - 1, L_DEFAULT);
	assert_int_equal(res.n_errors, 1);
	check_error(doc, sizeof(doc) - 1, 0, 0, "[0].conversations[1].value",
	    "adds a \"gpt\" value to text", "5,", 0);
}

/* Warnings are bounded like errors: 150 found, 100 kept, file valid. */
void
test_warning_cap(void **state)
{
	const size_t n = 150;
	size_t cap = 64 + n * 96, len = 0, i;
	char *doc = malloc(cap);

	(void)state;
	doc[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len,
		    "%s{\"id\":\"i%zu\",\"conversations\":[" H("Hi") ","
		    G(" ") "]}", i ? "," : "", i);
	doc[len++] = ']';
	run(doc, len, L_DEFAULT);
	free(doc);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(res.n_warnings, n);
	assert_int_equal(res.warnings[99].item, 99);
	assert_string_equal(res.warnings[99].path,
	    "[99].conversations[1].value");
	assert_int_equal(strlen(res.set_hash), 64);
}

/* ---- hostile files -------------------------------------------------- */

void
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

void
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
void
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

void
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

/*
 * 4,000 turns, without a value and then with one byte each: the values
 * set aside for the token estimate stay bounded (and the estimate passes
 * 2048 tokens by the prompt around the turns alone).
 */
void
test_hostile_many_turns(void **state)
{
	const size_t n = 4000;
	size_t cap = 64 + n * 40, len, i, pass;
	char *doc = malloc(cap);

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		len = (size_t)snprintf(doc, cap, "[{\"id\":\"a\","
		    "\"conversations\":[");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(doc + len, cap - len,
			    "%s{\"from\":\"%s\"%s}", i ? "," : "",
			    i % 2 ? "gpt" : "human", pass ? ",\"value\":\"a\"" :
			    "");
		len += (size_t)snprintf(doc + len, cap - len, "]}]");
		run(doc, len, L_DEFAULT);
		assert_int_equal(res.n_errors, pass ? 0 : n);
		assert_int_equal(res.n_warnings, 1);
		assert_non_null(strstr(res.warnings[0].msg, "the conversation "
		    "is about "));
	}
	free(doc);
}

void
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

void
test_json_result(void **state)
{
	static const char doc[] = DOC(TEXT_ITEM("b", H("Hi") "," G("")));

	(void)state;
	run(doc, sizeof(doc) - 1, L_DEFAULT);
	assert_int_equal(res.n_errors, 1);
	assert_int_equal(res.errors[0].line, 0);
	assert_string_equal(res.errors[0].file, "");
}

int
byod_teardown(void **state)
{
	(void)state;
	vresult_clear(&res);
	tu_cleanup();
	return 0;
}

#define NREJECT (sizeof(rejects) / sizeof(rejects[0]))
#define NLREJECT (sizeof(llava_rejects) / sizeof(llava_rejects[0]))
#define NLACCEPT (sizeof(llava_accepts) / sizeof(llava_accepts[0]))
#define NLWARN (sizeof(llava_warns) / sizeof(llava_warns[0]))
#define NTABLED (NREJECT + NLREJECT + NLACCEPT + NLWARN)

/* Append a table case as test n, named prefix + name. */
static void
add_case(struct CMUnitTest *tests, char (*names)[64], size_t *n,
    const char *prefix, const char *name, CMUnitTestFunction fn,
    const void *c)
{
	snprintf(names[*n], sizeof(names[0]), "%s%s", prefix, name);
	tests[*n].name = names[*n];
	tests[*n].test_func = fn;
	tests[*n].setup_func = NULL;
	tests[*n].teardown_func = NULL;
	tests[*n].initial_state = (void *)c;
	(*n)++;
}


/* The table cases (test-list.h's CASES line): when max allows, each
 * into tests, named in static storage.  Returns how many there are. */
size_t
byod_cases(struct CMUnitTest *tests, size_t max)
{
	static char names[NTABLED][64];
	size_t i, n = 0;

	if (max < NTABLED)
		return NTABLED;
	for (i = 0; i < NREJECT; i++)
		add_case(tests, names, &n, "reject_", rejects[i].name,
		    test_reject, &rejects[i]);
	for (i = 0; i < NLREJECT; i++)
		add_case(tests, names, &n, "llava_reject_",
		    llava_rejects[i].c.name, test_llava_reject,
		    &llava_rejects[i]);
	for (i = 0; i < NLACCEPT; i++)
		add_case(tests, names, &n, "llava_accept_",
		    llava_accepts[i].name, test_llava_accept,
		    &llava_accepts[i]);
	for (i = 0; i < NLWARN; i++)
		add_case(tests, names, &n, "llava_warn_", llava_warns[i].name,
		    test_llava_warn, &llava_warns[i]);
	return n;
}
