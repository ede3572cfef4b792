/* csv: the CSV writer (see csv.h). */
#include "csv.h"

#include <string.h>

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
	buf_reserve(&c->text, 2 * n + 4);
	p = c->text.p + c->text.len;
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
	c->text.len = (size_t)(p - c->text.p);
	c->in_row = 1;
}

void
csv_end_row(struct csv *c)
{
	buf_add(&c->text, "\r\n", 2);
	c->in_row = 0;
}

char *
csv_take(struct csv *c, size_t *len)
{
	c->in_row = 0;
	return buf_steal(&c->text, len);
}
