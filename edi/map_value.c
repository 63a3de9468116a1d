/*
 * map_value.c -- element values of CUSCAR and IFCSUM segments as the
 * model takes them: unescaped and converted to UTF-8 (edi_map_view_text),
 * the item fields' recent strings (field_text() in map_int.h keeps them
 * here on a miss), lines of text joined, decimals and counts with their
 * warnings, dates in the formats of 2379, values repeated by several
 * messages.  Model strings go into the train's arena.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_int.h"

/*
 * At most 40 bytes of raw input for a message, line breaks and other
 * controls shown as spaces; out must hold 41 bytes.
 */
static const char *
clip(struct edi_view v, char *out)
{
	size_t	i;

	for (i = 0; i < v.len && i < 40; i++)
		out[i] = (unsigned char)v.p[i] < 0x20 ? ' ' : v.p[i];
	out[i] = '\0';
	return out;
}

/*
 * A view's value as UTF-8 bytes, unescaped, in (*p, *len): into the input
 * when nothing needs converting, else into m->raw or m->scratch (valid
 * until the next call).  Warns once per interchange about UTF-8 under a
 * Latin declaration and about characters outside UNOA/UNOB.
 */
static __attribute__((noinline)) void
view_utf8_convert(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, const char **p, size_t *len)
{
	unsigned	 flags;
	char		 ex[41];

	*p = v.p;
	*len = v.len;
	if (seg->escaped) {
		buf_reset(&m->raw);
		if (!edi_view_unescape(&m->lx->syntax, v, &m->raw))
			edi_map_diag(m, seg, DIAG_WARNING, "BAD_RELEASE",
			    "invalid release sequence in \"%s\": the release "
			    "character may only precede a separator or itself",
			    clip(v, ex));
		*p = m->raw.data != NULL ? m->raw.data : "";
		*len = m->raw.len;
	}
	/* UTF-8 as declared goes straight to the model, which validates it. */
	if (m->codeset == EDI_CODESET_UNOY)
		return;
	if (manifest_text_is_ascii(*p, *len))
		return;
	buf_reset(&m->scratch);
	flags = edi_codeset_to_utf8(m->codeset, *p, *len, &m->scratch);
	if ((flags & EDI_CODESET_READ_AS_UTF8) && !m->warned_utf8) {
		m->warned_utf8 = true;
		edi_map_diag(m, seg, DIAG_WARNING, "CHARSET_UTF8_UNDECLARED",
		    "UTF-8 text under a %s declaration: read as UTF-8 (declare "
		    "UNOY)", edi_codeset_name(m->codeset));
	}
	if ((flags & EDI_CODESET_OUT_OF_REPERTOIRE) && !m->warned_repertoire) {
		m->warned_repertoire = true;
		edi_map_diag(m, seg, DIAG_WARNING, "CHARSET_REPERTOIRE",
		    "characters outside the declared %s repertoire: read as "
		    "ISO 8859-1", edi_codeset_name(m->codeset));
	}
	*p = m->scratch.data;
	*len = m->scratch.len;
}

/* view_utf8_convert, with the common case inline: nothing to convert. */
static inline void
view_utf8(struct edi_map *m, const struct edi_segment *seg, struct edi_view v,
    const char **p, size_t *len)
{
	if (!seg->escaped && (m->codeset == EDI_CODESET_UNOY ||
	    manifest_text_is_ascii(v.p, v.len))) {
		*p = v.p;
		*len = v.len;
	} else
		view_utf8_convert(m, seg, v, p, len);
}

/*
 * A view's value as a model string: unescaped, in UTF-8, trimmed, NFC;
 * NULL when empty.  shared: one copy per distinct value in the train.
 */
const char *
edi_map_view_text(struct edi_map *m, const struct edi_segment *seg, struct edi_view v,
    bool shared)
{
	const char	*p;
	size_t		 len;

	if (v.len == 0)
		return NULL;
	view_utf8(m, seg, v, &p, &len);
	return shared ? manifest_str_shared(m->t, p, len) :
	    manifest_str(m->t, p, len);
}

/* A view's value as a model string never shared: one unique in the train. */
const char *
edi_map_view_unique(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v)
{
	const char	*p;
	size_t		 len;

	if (v.len == 0)
		return NULL;
	view_utf8(m, seg, v, &p, &len);
	return manifest_str_unique(m->t, p, len);
}

/* Keeps value first in set l for raw text v of key k when it is the same
 * bytes (no trim, no conversion), which is the usual case. */
void
edi_map_field_keep(struct edi_last *l, struct edi_view v, uint32_t k,
    const char *value)
{
	if (value != NULL && v.len <= UINT32_MAX &&
	    strncmp(value, v.p, v.len) == 0 && value[v.len] == '\0') {
		memmove(&l[1], &l[0], (EDI_LAST_WAYS - 1) * sizeof *l);
		l[0].value = value;
		l[0].len = (uint32_t)v.len;
		l[0].key = k;
	}
}

/* field_text() when the set has no string for v: the full path, and keep. */
__attribute__((noinline)) const char *
edi_map_field_miss(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, struct edi_last *l, uint32_t k, bool shared)
{
	const char	*r = edi_map_view_text(m, seg, v, shared);

	edi_map_field_keep(l, v, k, r);
	return r;
}

struct edi_raw *
edi_map_raw_find(struct edi_raw *ways, int n, const char *raw, size_t len)
{
	int	w;

	for (w = 0; w < n && ways[w].raw != NULL; w++)
		if (ways[w].len == len && memcmp(ways[w].raw, raw, len) == 0)
			return &ways[w];
	return NULL;
}

/* The oldest way goes; the new one comes first. */
struct edi_raw *
edi_map_raw_keep(struct edi_raw *ways, int n, const char *raw, size_t len)
{
	free(ways[n - 1].raw);
	memmove(&ways[1], &ways[0], (size_t)(n - 1) * sizeof *ways);
	memset(&ways[0], 0, sizeof *ways);
	ways[0].raw = xmalloc(len + 1);
	memcpy(ways[0].raw, raw, len);
	ways[0].len = len;
	return &ways[0];
}

/*
 * field_text() of escaped raw text: unescaping, conversion and sharing
 * are functions of the raw bytes (and of warnings given once, which a
 * kept value had already given), so equal raw text gives the string it
 * gave before.
 */
__attribute__((noinline)) const char *
edi_map_field_escaped(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, enum edi_field f, bool shared)
{
	struct edi_raw	*r = edi_map_raw_find(m->escaped[f], EDI_RAW_WAYS, v.p,
			    v.len);
	size_t		 before = diag_total(m);
	const char	*value;

	if (r != NULL)
		return r->value[0];
	value = edi_map_view_text(m, seg, v, shared);
	if (diag_total(m) == before)
		edi_map_raw_keep(m->escaped[f], EDI_RAW_WAYS, v.p,
		    v.len)->value[0] = value;
	return value;
}

/*
 * Joining, conversion and sharing are functions of the element's raw
 * bytes: another element's release character (seg->escaped) unescapes
 * this one's bytes to themselves.
 */
const char *
edi_map_joined_kept(struct edi_map *m, const struct edi_segment *seg, int e,
    struct edi_raw *ways, int n)
{
	struct edi_view	 v = edi_element(seg, e);
	struct edi_raw	*r = edi_map_raw_find(ways, n, v.p, v.len);
	size_t		 before = diag_total(m);
	const char	*value;

	if (r != NULL)
		return r->value[0];
	value = edi_map_joined(m, seg, e, true);
	if (diag_total(m) == before)
		edi_map_raw_keep(ways, n, v.p, v.len)->value[0] = value;
	return value;
}

/* Frees the copies of raw text kept in ways[n]. */
void
edi_map_raw_clear(struct edi_raw *ways, int n)
{
	int	w;

	for (w = 0; w < n; w++) {
		free(ways[w].raw);
		ways[w].raw = NULL;
	}
}

/*
 * Components of element e joined by spaces (FTX text, party names) as a
 * model string, shared or not; NULL when all are empty.
 */
const char *
edi_map_joined(struct edi_map *m, const struct edi_segment *seg, int e, bool shared)
{
	struct buf	 b = { 0 };
	const char	*r, *part;
	size_t		 len;
	int		 c, n = edi_component_count(m->lx, seg, e);

	if (n <= 1)		/* one line of text: nothing to join */
		return n == 1 ? edi_map_view_text(m, seg,
		    edi_component(m->lx, seg, e, 0), shared) : NULL;
	for (c = 0; c < n; c++) {
		struct edi_view v = edi_component(m->lx, seg, e, c);

		if (v.len == 0)
			continue;
		view_utf8(m, seg, v, &part, &len);
		/* Each line trimmed on its own, as manifest_str would. */
		while (len > 0 && (*part == ' ' || *part == '\t' ||
		    *part == '\r' || *part == '\n'))
			part++, len--;
		while (len > 0 && (part[len - 1] == ' ' || part[len - 1] == '\t' ||
		    part[len - 1] == '\r' || part[len - 1] == '\n'))
			len--;
		if (len == 0)
			continue;
		if (b.len != 0)
			buf_add_char(&b, ' ');
		buf_add(&b, part, len);
	}
	r = b.len == 0 ? NULL : shared ? manifest_str_shared(m->t, b.data,
	    b.len) : manifest_str(m->t, b.data, b.len);
	buf_free(&b);
	return r;
}

/* Reports a decimal that was rounded or unreadable (out of line: rare). */
__attribute__((noinline)) void
edi_map_decimal_diag(struct edi_map *m, const struct edi_segment *seg,
    enum value_status st, struct edi_view v, const char *what)
{
	char	ex[41];

	if (st == VALUE_ROUNDED)
		edi_map_diag(m, seg, DIAG_WARNING, "DECIMAL_ROUNDED",
		    "%s \"%s\" has more than 3 decimals: rounded", what,
		    clip(v, ex));
	else
		edi_map_diag(m, seg, DIAG_WARNING, "BAD_NUMBER",
		    "%s \"%s\" is not a number", what, clip(v, ex));
}

/* Reports a count that is not a whole number (out of line: rare). */
__attribute__((noinline)) void
edi_map_count_diag(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, const char *what)
{
	char	ex[41];

	edi_map_diag(m, seg, DIAG_WARNING, "BAD_NUMBER",
	    "%s \"%s\" is not a whole number", what, clip(v, ex));
}

/* Reads n digits into *out; false when they are not all digits. */
static bool
digits(const char *p, int n, int *out)
{
	int	i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*out = *out * 10 + (p[i] - '0');
	}
	return true;
}

/*
 * A zone after the time of 303/304: "+08", "+0800", "-05:00", "Z",
 * "UTC" or "GMT"; its offset in seconds.  False if unreadable.
 */
static bool
zone_offset(const char *p, size_t n, int *off)
{
	int	h = 0, mi = 0, sign;

	*off = 0;
	if ((n == 1 && p[0] == 'Z') || (n == 3 && (memcmp(p, "UTC", 3) == 0 ||
	    memcmp(p, "GMT", 3) == 0)))
		return true;
	if (n < 3 || (p[0] != '+' && p[0] != '-') || !digits(p + 1, 2, &h))
		return false;
	sign = p[0] == '-' ? -1 : 1;
	p += 3;
	n -= 3;
	if (n > 0 && *p == ':')
		p++, n--;
	if (n == 2 && !digits(p, 2, &mi))
		return false;
	if (n != 0 && n != 2)
		return false;
	*off = sign * (h * 3600 + mi * 60);
	return true;
}

/* Parses v in 2379 format f; MANIFEST_ABSENT (with a warning) if unreadable. */
static int64_t
dtm_parse(struct edi_map *m, const struct edi_segment *seg, struct edi_view v,
    struct edi_view f)
{
	int		y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, off = 0;
	bool		ok;

	if (f.len == 0)		/* no format: judge by length */
		f.p = v.len == 8 ? "102" : v.len == 14 ? "204" : "203", f.len = 3;
	ok = v.len >= 8 && digits(v.p, 4, &y) && digits(v.p + 4, 2, &mo) &&
	    digits(v.p + 6, 2, &d);
	if (ok && edi_view_is(f, "102"))
		ok = v.len == 8;
	else if (ok && (edi_view_is(f, "203") || edi_view_is(f, "303")))
		ok = v.len >= 12 && digits(v.p + 8, 2, &h) &&
		    digits(v.p + 10, 2, &mi) && (v.len == 12 ||
		    (edi_view_is(f, "303") && zone_offset(v.p + 12, v.len - 12, &off)));
	else if (ok && (edi_view_is(f, "204") || edi_view_is(f, "304")))
		ok = v.len >= 14 && digits(v.p + 8, 2, &h) &&
		    digits(v.p + 10, 2, &mi) && digits(v.p + 12, 2, &s) &&
		    (v.len == 14 || (edi_view_is(f, "304") &&
		    zone_offset(v.p + 14, v.len - 14, &off)));
	else
		ok = false;
	if (!ok || !value_civil_valid(y, mo, d, h, mi, s)) {
		edi_map_diag(m, seg, DIAG_WARNING, "BAD_DATE",
		    "\"%.*s\" is not a date/time in format %.*s (102, 203, 204, "
		    "303 or 304)", (int)(v.len > 40 ? 40 : v.len), v.p,
		    (int)(f.len > 8 ? 8 : f.len), f.p);
		return MANIFEST_ABSENT;
	}
	return value_time_from_civil(y, mo, d, h, mi, s) - off;
}

/* DTM's C507 value in its format; a released "?+08" zone sign is unescaped. */
int64_t
edi_map_dtm_time(struct edi_map *m, const struct edi_segment *seg)
{
	struct edi_view	v = edi_component(m->lx, seg, 0, 1);
	struct edi_view	f = edi_component(m->lx, seg, 0, 2);
	struct buf	plain = { 0 };
	int64_t		t;

	if (seg->escaped) {
		edi_view_unescape(&m->lx->syntax, v, &plain);
		v.p = plain.data != NULL ? plain.data : "";
		v.len = plain.len;
	}
	t = dtm_parse(m, seg, v, f);
	buf_free(&plain);
	return t;
}

/* Stores a value that several messages repeat, warning if they differ. */
void
edi_map_set_repeated(struct edi_map *m, const struct edi_segment *seg,
    const char **slot, const char *v, const char *what)
{
	if (v == NULL)
		return;
	if (*slot == NULL)
		*slot = v;
	else if (strcmp(*slot, v) != 0)
		edi_map_diag(m, seg, DIAG_WARNING, "DETAILS_DIFFER",
		    "message %u gives %s \"%s\", an earlier one \"%s\"",
		    m->message, what, v, *slot);
}
