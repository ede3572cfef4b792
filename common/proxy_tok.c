/*
 * proxy_tok: the tokenizer that training and evaluation share (see
 * proxy.h for what a word is), with the proxy's small growable arrays and
 * path helpers.
 */
#include "proxy.h"
#include "proxy_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/*
 * Prompt-template text that says nothing about the question: removed
 * (exact, case-sensitive) before tokenizing, from training turns and
 * validation questions alike: the image token, the seed README's VQA and
 * A-OKVQA templates, and LLaVA's two evaluation prompts (the synthetic
 * validation set uses the first).  Captioning prompts are kept: they are
 * the whole question.
 */
static const char *const proxy_boilerplate[] = {
	"<image>",
	"Answer the question directly with a short sentence or phrase.",
	"Choose the correct option for the following question:",
	"Answer with the option's letter from the given choices directly.",
	"Answer the question using a single word or phrase.",
};

void
proxy__u32_push(struct proxy_u32v *v, uint32_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->p = util_xreallocarray(v->p, v->cap, sizeof(v->p[0]));
	}
	v->p[v->n++] = x;
}

void
proxy__u64_push(struct proxy_u64v *v, uint64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->p = util_xreallocarray(v->p, v->cap, sizeof(v->p[0]));
	}
	v->p[v->n++] = x;
}

/* ---- tokenizer ---- */

static int
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

void
proxy__tokenize(struct proxy_toks *t, const char *s, size_t n)
{
	size_t i, k;

	buf_reset(&t->buf);
	t->off.n = t->len.n = 0;
	buf_add(&t->buf, s, n);
	for (k = 0; k < sizeof(proxy_boilerplate) / sizeof(proxy_boilerplate[0]);
	    k++) {
		const char *ph = proxy_boilerplate[k], *hit;
		size_t pl = strlen(ph), at = 0;

		while (at < n && (hit = memmem(t->buf.p + at, n - at, ph,
		    pl)) != NULL) {
			memset((char *)hit, ' ', pl);
			at = (size_t)(hit - t->buf.p) + pl;
		}
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t->buf.p[i];

		if (c >= 'A' && c <= 'Z')
			t->buf.p[i] = (char)(c - 'A' + 'a');
	}
	for (i = 0; i < n;) {
		size_t start;

		if (!word_byte((unsigned char)t->buf.p[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < n && word_byte((unsigned char)t->buf.p[i]))
			i++;
		proxy__u32_push(&t->off, (uint32_t)start);
		proxy__u32_push(&t->len, (uint32_t)(i - start < PROXY_MAX_TERM ?
		    i - start : PROXY_MAX_TERM));
	}
}

void
proxy__toks_free(struct proxy_toks *t)
{
	free(t->buf.p);
	free(t->off.p);
	free(t->len.p);
}

int
proxy__cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
proxy__make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat sb;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	util_fmt(err, errlen, "cannot create directory %s: %s", dir,
	    errno == EEXIST ? "a file is in the way" : strerror(errno));
	return -1;
}

char *
proxy__path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = util_xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}
