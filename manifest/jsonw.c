/*
 * jsonw.c -- canonical JSON output.
 *
 * A comma is owed before every value except the first at each depth;
 * jsonw_key() pays it for object members and the value after a key owes
 * none.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "model.h"
#include "value.h"

/* Starts an empty writer. */
void
jsonw_init(struct jsonw *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

/* Writes the comma a value owes its predecessor, if any. */
static void
jsonw_value_prefix(struct jsonw *w)
{
	if (w->need_comma[w->depth])
		buf_add_char(w->out, ',');
	w->need_comma[w->depth] = true;
}

/* Opens a nesting level. */
static void
jsonw_open(struct jsonw *w, char c)
{
	jsonw_value_prefix(w);
	buf_add_char(w->out, c);
	if (w->depth < JSONW_MAX_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

/* Closes a nesting level. */
static void
jsonw_close(struct jsonw *w, char c)
{
	buf_add_char(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void jsonw_object_begin(struct jsonw *w) { jsonw_open(w, '{'); }
void jsonw_object_end(struct jsonw *w) { jsonw_close(w, '}'); }
void jsonw_array_begin(struct jsonw *w) { jsonw_open(w, '['); }
void jsonw_array_end(struct jsonw *w) { jsonw_close(w, ']'); }


/* Bytes written as they are: printable ASCII but '"' and '\\'. */
static const bool json_plain[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true,
};

/*
 * True when one of the 8 bytes at s is not json_plain: a control, a byte
 * of 0x80 or more, '"' or '\\' (the zero-byte tests of "Bit Twiddling
 * Hacks": exact as to whether there is one, which is all that is asked).
 */
static inline bool
json_word_special(const char *s)
{
	const uint64_t	ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t	w, q, bs;

	memcpy(&w, s, sizeof w);
	q = w ^ (ones * '"');
	bs = w ^ (ones * '\\');
	return ((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
	    ((bs - ones) & ~bs)) & high) != 0;
}

/* How many leading bytes of s are plain, eight at a time, then one. */
size_t
json_plain_prefix(const char *s, size_t len)
{
	size_t	i = 0;

	while (len - i >= 8 && !json_word_special(s + i))
		i += 8;
	while (i < len && json_plain[(unsigned char)s[i]])
		i++;
	return i;
}

/*
 * "key": -- the following value owes no comma.  A key is a name of the
 * model, plain ASCII: the comma, the quoted key and the colon go in with
 * one reservation (the wagons' contents hashes write a dozen keys an
 * item); any other goes through json_escape.
 */
void
jsonw_key(struct jsonw *w, const char *key)
{
	size_t	 len;
	char	*p;

	/* Its length and whether it is plain in one pass: NUL is not. */
	for (len = 0; json_plain[(unsigned char)key[len]]; len++)
		;
	if (key[len] != '\0') {
		jsonw_value_prefix(w);
		json_escape(w->out, key, strlen(key));
		buf_add_char(w->out, ':');
	} else {
		p = buf_reserve(w->out, len + 4);
		if (w->need_comma[w->depth])
			*p++ = ',';
		*p++ = '"';
		memcpy(p, key, len);
		p += len;
		*p++ = '"';
		*p++ = ':';
		*p = '\0';
		w->out->len = (size_t)(p - w->out->data);
	}
	w->need_comma[w->depth] = false;
}

void
jsonw_key_quoted(struct jsonw *w, const char *quoted, size_t len)
{
	char	*p = buf_reserve(w->out, len + 1);

	if (w->need_comma[w->depth])
		*p++ = ',';
	memcpy(p, quoted, len);
	p[len] = '\0';
	w->out->len = (size_t)(p + len - w->out->data);
	w->need_comma[w->depth] = false;
}

/*
 * Escapes only what JSON requires, copying runs of plain bytes at once.
 * A byte that is no part of valid UTF-8 becomes U+FFFD: JSON text is
 * UTF-8, and PostgreSQL refuses a json value that is not.
 */
void
json_escape(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t	 i, k, run = 0, scan = 0;
	char	*p;

	/* Most strings need no escape: one reservation, one copy.  Else
	 * the bytes before the first that may need one are plain. */
	if ((i = json_plain_prefix(s, len)) == len) {
		p = buf_reserve(b, len + 2);
		*p++ = '"';
		if (len != 0)
			memcpy(p, s, len);
		p[len] = '"';
		p[len + 1] = '\0';
		b->len += len + 2;
		return;
	}
	buf_add_char(b, '"');
	for (scan = i; i < len; i++) {
		unsigned char c;
		const char *esc = NULL;
		char u[7];

		/* Eight plain bytes at a time: most text needs no escape.  A
		 * word that does is then read byte by byte to its end. */
		if (i >= scan) {
			while (len - i >= 8 && !json_word_special(s + i))
				i += 8;
			if (i == len)
				break;
			scan = i + 8;
		}
		if (json_plain[c = (unsigned char)s[i]])
			continue;
		if (c >= 0x80 && (k = utf8_sequence(s + i, len - i)) != 0) {
			i += k - 1;
			continue;
		}
		buf_add(b, s + run, i - run);
		run = i + 1;
		if (c >= 0x80) {
			buf_add_str(b, "\\ufffd");
			continue;
		}
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 0xf];
			u[6] = '\0';
			esc = u;
			break;
		}
		buf_add_str(b, esc);
	}
	buf_add(b, s + run, len - run);
	p = buf_reserve(b, 1);
	*p = '"';
	b->len++;
	b->data[b->len] = '\0';
}

void
jsonw_string(struct jsonw *w, const char *s)
{
	jsonw_stringn(w, s, strlen(s));
}

void
jsonw_stringn(struct jsonw *w, const char *s, size_t len)
{
	jsonw_value_prefix(w);
	json_escape(w->out, s, len);
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
	char	tmp[24];
	size_t	n = 0;

	jsonw_value_prefix(w);
	if (v < 0)
		tmp[n++] = '-';
	n += value_u64_format(v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v,
	    tmp + n);
	buf_add(w->out, tmp, n);
}

void
jsonw_decimal(struct jsonw *w, int64_t milli)
{
	char	tmp[VALUE_DECIMAL_MAX];

	jsonw_value_prefix(w);
	buf_add(w->out, tmp, value_decimal_put(milli, tmp));
}

/* Timings are the one non-deterministic part of a document; 3 decimals suffice. */
void
jsonw_double(struct jsonw *w, double v)
{
	jsonw_decimal(w, (int64_t)(v * 1000.0 + (v >= 0 ? 0.5 : -0.5)));
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	jsonw_value_prefix(w);
	buf_add_str(w->out, v ? "true" : "false");
}

void
jsonw_null(struct jsonw *w)
{
	jsonw_value_prefix(w);
	buf_add_str(w->out, "null");
}

void
jsonw_time(struct jsonw *w, int64_t t)
{
	char	tmp[VALUE_TIME_MAX];

	jsonw_string(w, value_time_format(t, tmp));
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
	jsonw_value_prefix(w);
	buf_add(w->out, json, len);
}

void
jsonw_kv_string(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s != NULL ? s : "");
}

void
jsonw_kv_string_opt(struct jsonw *w, const char *key, const char *s)
{
	if (s != NULL)
		jsonw_kv_string(w, key, s);
}

void
jsonw_kv_int(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void
jsonw_kv_decimal_opt(struct jsonw *w, const char *key, int64_t milli)
{
	if (milli == MANIFEST_ABSENT)
		return;
	jsonw_key(w, key);
	jsonw_decimal(w, milli);
}

void
jsonw_kv_time_opt(struct jsonw *w, const char *key, int64_t t)
{
	if (t == MANIFEST_ABSENT)
		return;
	jsonw_key(w, key);
	jsonw_time(w, t);
}

void
jsonw_kv_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}
