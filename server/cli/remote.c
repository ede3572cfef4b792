/* remote: the participant commands' shared options and printing. */
#include "remote.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cred.h"
#include "table.h"
#include "util.h"

int
remote_connect(const struct remote_opts *o, int need_token,
    struct client **out)
{
	struct cred c = { NULL, NULL };
	char err[1024];
	int rc = CLI_OK;

	*out = NULL;
	if (cred_resolve(o->server, o->token, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: %s\n", err);
		return CLI_AUTH;
	}
	if (c.server == NULL) {
		fprintf(stderr, "dataoptim: no server: give --server URL, set "
		    "DATAOPTIM_SERVER or run dataoptim login --server URL\n");
		rc = CLI_ERROR;
	} else if ((*out = client_new(c.server, c.token)) == NULL)
		rc = CLI_ERROR;
	else if (need_token && c.token == NULL) {
		fprintf(stderr, "dataoptim: not logged in to %s: run dataoptim "
		    "login --server %s, or give --token / DATAOPTIM_TOKEN\n",
		    client_base(*out), client_base(*out));
		client_free(*out);
		*out = NULL;
		rc = CLI_AUTH;
	}
	if (*out != NULL)
		client_json_errors(*out, o->json);
	cred_clear(&c);
	return rc;
}

json_t *
remote_want(struct client *c, const json_t *o, const char *key,
    json_type type)
{
	json_t *v = json_object_get(o, key);
	char what[128];

	if (v != NULL && json_typeof(v) == type)
		return v;
	util_fmt(what, sizeof(what), "no \"%s\" %s", key, type == JSON_ARRAY ?
	    "array" : "object");
	client_bad_answer(c, what);
	return NULL;
}

void
remote_json(const json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

void
remote_json_own(json_t *o)
{
	remote_json(o);
	json_decref(o);
}

void
remote_text(FILE *fp, const char *s, int multiline)
{
	const char *p;

	if (s == NULL) {
		fputc('-', fp);
		return;
	}
	if (!multiline) {
		char *c = table_cell(s, 0);

		fputs(c, fp);
		free(c);
		return;
	}
	/* line by line, each made safe; tabs as spaces */
	while (*s != '\0') {
		size_t n;
		char *line, *c;

		p = strchr(s, '\n');
		n = p ? (size_t)(p - s) : strlen(s);
		line = util_xmalloc(n + 1);
		memcpy(line, s, n);
		line[n] = '\0';
		util_replace_all(line, "\t", " ");
		util_replace_all(line, "\r", "");
		c = table_cell(line, 0);
		fputs(c, fp);
		free(c);
		free(line);
		if (p == NULL)
			break;
		fputc('\n', fp);
		s = p + 1;
	}
}

void
remote_score(const json_t *v, char *out, size_t outlen)
{
	if (json_is_number(v))
		util_fmt(out, outlen, "%.4f", json_number_value(v));
	else
		util_fmt(out, outlen, "-");
}

static int
remote_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
remote_scores(FILE *fp, const json_t *scores)
{
	static const char *const hdr[] = { "task", "score" };
	const char **keys;
	const char *k;
	struct table *t;
	json_t *v;
	size_t n = 0, i;

	if (!json_is_object(scores) || json_object_size(scores) == 0) {
		fputs("(no scores)\n", fp);
		return;
	}
	keys = util_xcalloc(json_object_size(scores), sizeof(*keys));
	json_object_foreach((json_t *)scores, k, v)
		if (strcmp(k, "overall") != 0)
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), remote_cmp);
	t = table_new(2, hdr);
	table_col(t, 0, 40, 0);
	table_col(t, 1, 0, 1);
	for (i = 0; i <= n; i++) {
		const char *name = i == 0 ? "overall" : keys[i - 1];
		const char *row[2];
		char s[64];

		if (i == 0 && (v = json_object_get(scores, "overall")) == NULL)
			continue;
		remote_score(json_object_get(scores, name), s, sizeof(s));
		row[0] = name;
		row[1] = s;
		table_add(t, row);
	}
	table_print(t, fp);
	table_free(t);
	free(keys);
}
