#include "vresult.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
vresult_init(struct vresult *r)
{
	memset(r, 0, sizeof(*r));
}

void
vresult_clear(struct vresult *r)
{
	if (r == NULL)
		return;
	free(r->comp);
	free(r->errors);
	free(r->warnings);
	vresult_init(r);
}

/* Count a finding in *n; keep it in *list while fewer than VRESULT_KEEP
 * are kept. */
static void
vresult_add(struct verror **list, uint64_t *n, uint64_t line, int64_t item,
    int64_t offset, const char *file, const char *path, const char *fmt,
    va_list ap)
{
	struct verror *e;

	if ((*n)++ >= VRESULT_KEEP)
		return;
	if (*list == NULL)
		*list = util_xcalloc(VRESULT_KEEP, sizeof(**list));
	e = &(*list)[*n - 1];
	e->line = line;
	e->item = item;
	e->offset = offset;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

/* the error sink */
void
vresult_set_sink(struct vresult *r, FILE *fp, uint64_t max)
{
	r->sink = fp;
	if (fp == NULL)
		return;		/* stopped: the counts stay */
	r->sink_max = max;
	r->sink_bytes = 0;
	r->sink_lines = 0;
}

static void
vresult_sink_put(struct vresult *r, uint64_t line, int64_t item,
    int64_t offset, const char *file, const char *path, const char *fmt,
    va_list ap)
{
	struct verror e;
	char buf[1024];
	size_t n;

	if (r->sink == NULL || r->sink_bytes >= r->sink_max)
		return;
	memset(&e, 0, sizeof(e));
	e.line = line;
	e.item = item;
	e.offset = offset;
	snprintf(e.file, sizeof(e.file), "%s", file ? file : "");
	snprintf(e.path, sizeof(e.path), "%s", path ? path : "");
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	verror_format(&e, buf, sizeof(buf) - 1);
	n = strlen(buf);
	buf[n++] = '\n';
	if (r->sink_bytes + n > r->sink_max ||
	    fwrite(buf, 1, n, r->sink) != n) {
		r->sink_bytes = r->sink_max;	/* full: nothing more */
		return;
	}
	r->sink_bytes += n;
	r->sink_lines++;
}

void
vresult_error(struct vresult *r, uint64_t line, int64_t item, int64_t offset,
    const char *file, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (r->sink != NULL) {
		va_start(ap, fmt);
		vresult_sink_put(r, line, item, offset, file, path, fmt, ap);
		va_end(ap);
	}
	va_start(ap, fmt);
	vresult_add(&r->errors, &r->n_errors, line, item, offset, file, path,
	    fmt, ap);
	va_end(ap);
}

void
vresult_warning(struct vresult *r, uint64_t line, int64_t item,
    int64_t offset, const char *file, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vresult_add(&r->warnings, &r->n_warnings, line, item, offset, file,
	    path, fmt, ap);
	va_end(ap);
}

void
vresult_comp_add(struct vresult *r, const char *name, uint64_t n)
{
	size_t i;

	for (i = 0; i < r->n_comp; i++)
		if (strcmp(r->comp[i].name, name) == 0) {
			r->comp[i].n += n;
			return;
		}
	r->comp = util_xreallocarray(r->comp, r->n_comp + 1, sizeof(*r->comp));
	snprintf(r->comp[r->n_comp].name, sizeof(r->comp[0].name), "%s", name);
	r->comp[r->n_comp].n = n;
	r->n_comp++;
}

static int
vresult_comp_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vcomp *)a)->name,
	    ((const struct vcomp *)b)->name);
}

void
vresult_comp_sort(struct vresult *r)
{
	if (r->n_comp > 1)
		qsort(r->comp, r->n_comp, sizeof(*r->comp), vresult_comp_cmp);
}

const char *
verror_format(const struct verror *e, char *buf, size_t bufsz)
{
	size_t n = 0;

#define VR_PUT(...) do {						\
		if (n < bufsz)						\
			n += (size_t)snprintf(buf + n, bufsz - n, __VA_ARGS__); \
	} while (0)
	buf[0] = '\0';
	if (e->file[0])
		VR_PUT("%s: ", e->file);
	if (e->line)
		VR_PUT("line %llu: ", (unsigned long long)e->line);
	if (e->item >= 0)
		VR_PUT("item %lld: ", (long long)e->item);
	if (e->path[0])
		VR_PUT("%s: ", e->path);
	if (e->offset >= 0)
		VR_PUT("(byte %lld) ", (long long)e->offset);
	VR_PUT("%s", e->msg);
#undef VR_PUT
	return buf;
}

/* Print the first kept of n findings under a heading. */
static void
vresult_print_list(const struct verror *v, uint64_t n, FILE *fp)
{
	char line[1024];
	size_t i, kept = n < VRESULT_KEEP ? (size_t)n : VRESULT_KEEP;

	if (kept < n)
		fprintf(fp, " (the first %zu shown)", kept);
	fputs("\n", fp);
	for (i = 0; i < kept; i++)
		fprintf(fp, "  %s\n", verror_format(&v[i], line, sizeof(line)));
}

void
vresult_print(const struct vresult *r, const char *kind, FILE *fp)
{
	size_t i;

	if (r->n_errors == 0) {
		fprintf(fp, "valid %s submission: %llu samples\n", kind,
		    (unsigned long long)r->n_samples);
		if (r->sha256[0])
			fprintf(fp, "  sha256:   %s\n", r->sha256);
		fprintf(fp, "  set hash: %s\n", r->set_hash);
		fprintf(fp, "  composition:\n");
		for (i = 0; i < r->n_comp; i++)
			fprintf(fp, "    %-24s %10llu\n", r->comp[i].name,
			    (unsigned long long)r->comp[i].n);
	} else {
		fprintf(fp, "invalid %s submission: %llu error%s", kind,
		    (unsigned long long)r->n_errors,
		    r->n_errors == 1 ? "" : "s");
		vresult_print_list(r->errors, r->n_errors, fp);
	}
	if (r->n_warnings == 0)
		return;
	fprintf(fp, "%llu warning%s (a warning does not reject the file)",
	    (unsigned long long)r->n_warnings, r->n_warnings == 1 ? "" : "s");
	vresult_print_list(r->warnings, r->n_warnings, fp);
}

/* The first kept of n findings as a jansson array. */
static json_t *
vresult_list_json(const struct verror *v, uint64_t n)
{
	json_t *arr = json_array();
	size_t i, kept = n < VRESULT_KEEP ? (size_t)n : VRESULT_KEEP;

	for (i = 0; i < kept; i++) {
		const struct verror *e = &v[i];
		json_t *je = json_object();

		if (e->file[0])
			json_object_set_new(je, "file", json_string(e->file));
		if (e->line)
			json_object_set_new(je, "line",
			    json_integer((json_int_t)e->line));
		if (e->item >= 0)
			json_object_set_new(je, "item", json_integer(e->item));
		if (e->path[0])
			json_object_set_new(je, "path", json_string(e->path));
		if (e->offset >= 0)
			json_object_set_new(je, "offset", json_integer(e->offset));
		/* messages may quote user bytes; jansson needs valid UTF-8 */
		json_object_set_new(je, "message",
		    json_stringn_nocheck(e->msg, strlen(e->msg)));
		json_array_append_new(arr, je);
	}
	return arr;
}

void *
vresult_errors_json(const struct vresult *r)
{
	return vresult_list_json(r->errors, r->n_errors);
}

void *
vresult_warnings_json(const struct vresult *r)
{
	return vresult_list_json(r->warnings, r->n_warnings);
}

void *
vresult_to_json(const struct vresult *r)
{
	json_t *o = json_object(), *comp = json_object();
	size_t i;

	json_object_set_new(o, "valid", json_boolean(r->n_errors == 0));
	json_object_set_new(o, "n_samples", json_integer((json_int_t)r->n_samples));
	if (r->sha256[0])
		json_object_set_new(o, "sha256", json_string(r->sha256));
	if (r->set_hash[0] && r->n_errors == 0)
		json_object_set_new(o, "set_hash", json_string(r->set_hash));
	for (i = 0; i < r->n_comp; i++)
		json_object_set_new(comp, r->comp[i].name,
		    json_integer((json_int_t)r->comp[i].n));
	json_object_set_new(o, "composition", comp);
	json_object_set_new(o, "errors", vresult_errors_json(r));
	json_object_set_new(o, "n_errors", json_integer((json_int_t)r->n_errors));
	json_object_set_new(o, "warnings", vresult_warnings_json(r));
	json_object_set_new(o, "n_warnings",
	    json_integer((json_int_t)r->n_warnings));
	return o;
}
