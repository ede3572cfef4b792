/* csv: the CSV writer (see csv.h). */
#include "csv.h"

#include <string.h>

#include "buf.h"

/* Room for n more bytes and the NUL, grown as a struct buf. */
static void
csv_room(struct csv *c, size_t n)
{
	struct buf b = { c->buf, c->len, c->cap };

	buf_reserve(&b, n);
	c->buf = b.p;
	c->cap = b.cap;
}

static size_t
csv_digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

int
csv_is_number(const char *s)
{
	size_t n;

	if (*s == '+' || *s == '-')
		s++;
	if ((n = csv_digits(s)) == 0)
		return 0;
	s += n;
	if (*s == '.') {
		if ((n = csv_digits(++s)) == 0)
			return 0;
		s += n;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if ((n = csv_digits(s)) == 0)
			return 0;
		s += n;
	}
	return *s == '\0';
}

void
csv_cell(struct csv *c, const char *s)
{
	size_t n, i;
	int guard, quote;
	char *p;

	if (s == NULL)
		s = "";
	n = strlen(s);
	guard = n > 0 && strchr("=+-@\t\r", s[0]) != NULL && !csv_is_number(s);
	quote = guard || strpbrk(s, ",\"\r\n") != NULL;
	csv_room(c, 2 * n + 4);
	p = c->buf + c->len;
	if (c->in_row)
		*p++ = ',';
	if (quote)
		*p++ = '"';
	if (guard)
		*p++ = '\'';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	if (quote)
		*p++ = '"';
	*p = '\0';
	c->len = (size_t)(p - c->buf);
	c->in_row = 1;
}

void
csv_end_row(struct csv *c)
{
	csv_room(c, 2);
	c->buf[c->len++] = '\r';
	c->buf[c->len++] = '\n';
	c->buf[c->len] = '\0';
	c->in_row = 0;
}

char *
csv_take(struct csv *c, size_t *len)
{
	char *b;

	csv_room(c, 0);
	b = c->buf;
	b[c->len] = '\0';
	*len = c->len;
	memset(c, 0, sizeof(*c));
	return b;
}
