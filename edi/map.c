/*
 * map.c -- CUSCAR and IFCSUM segments onto the train model.
 *
 * One function per segment tag.  Qualifiers and codes are compared on
 * the raw views; only values that go into the model are unescaped,
 * converted to UTF-8 and copied (into the train's arena).  A wagon or
 * container listed again by a later message of the same interchange is
 * the same object: its details are compared, not added twice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/bytes.h"
#include "manifest/ident.h"
#include "manifest/strmap.h"
#include "manifest/value.h"

#include "map.h"

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

/* Location of seg for diagnostics and model objects. */
static struct manifest_src
seg_src(const struct edi_segment *seg)
{
	struct manifest_src	src;

	src.offset = seg->offset;
	src.index = seg->ordinal;
	memcpy(src.tag, seg->tag, 4);
	return src;
}

void
edi_map_diag(struct edi_map *m, const struct edi_segment *seg,
    enum diag_severity sev, const char *code, const char *fmt, ...)
{
	struct diag_loc	loc = diag_loc_segment(seg->ordinal, seg->tag,
			    seg->offset);
	va_list		ap;

	va_start(ap, fmt);
	diag_addv(&m->t->diags, sev, code, &loc, fmt, ap);
	va_end(ap);
}

void
edi_map_init(struct edi_map *m, struct manifest_train *t,
    const struct edi_lexer *lx, enum edi_codeset cs)
{
	memset(m, 0, sizeof *m);
	m->t = t;
	m->lx = lx;
	m->codeset = cs;
	m->msg_equipment = strmap_new();
	m->details_seen = strmap_new();
}

void
edi_map_clear(struct edi_map *m)
{
	buf_free(&m->scratch);
	buf_free(&m->raw);
	strmap_free(m->msg_equipment);
	strmap_free(m->details_seen);
	m->msg_equipment = NULL;
	m->details_seen = NULL;
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
static const char *
view_text(struct edi_map *m, const struct edi_segment *seg, struct edi_view v,
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

/* Component c of element e as a model string. */
static const char *
text(struct edi_map *m, const struct edi_segment *seg, int e, int c)
{
	return view_text(m, seg, edi_component(m->lx, seg, e, c), false);
}

_Static_assert(EDI_LAST_SETS == 1 << 3, "field_set() indexes with 3 bits");

/* The length and first, middle and last bytes of v (v.len > 0). */
static inline uint32_t
field_key(struct edi_view v)
{
	return (uint32_t)v.len << 24 | (unsigned char)v.p[0] << 16 |
	    (unsigned char)v.p[v.len >> 1] << 8 | (unsigned char)v.p[v.len - 1];
}

/* The set of field f where text of key k is kept. */
static inline struct edi_last *
field_set(struct edi_map *m, enum edi_field f, uint32_t k)
{
	return m->last[f][(k * 0x9e3779b1U) >> 29];
}

/* The string of set l equal to raw text v of key k, or NULL. */
static inline const char *
field_find(const struct edi_last *l, struct edi_view v, uint32_t k)
{
	int	w;

	for (w = 0; w < EDI_LAST_WAYS; w++)
		if (l[w].key == k && l[w].len == v.len &&
		    manifest_bytes_equal(v.p, l[w].value, v.len))
			return l[w].value;
	return NULL;
}

/* Keeps value first in set l for raw text v of key k when it is the same
 * bytes (no trim, no conversion), which is the usual case. */
static void
field_keep(struct edi_last *l, struct edi_view v, uint32_t k,
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
static __attribute__((noinline)) const char *
field_miss(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, struct edi_last *l, uint32_t k, bool shared)
{
	const char	*r = view_text(m, seg, v, shared);

	field_keep(l, v, k, r);
	return r;
}

/*
 * The model string of v, a value of item field f, shared when asked.
 * Raw text without a release character that equals a string the field
 * had recently gives that string without a look at the model: the
 * conversion is a function of the raw bytes, and any warning it gives
 * was given the first time.  Inline: most calls are hits.
 */
static inline __attribute__((always_inline)) const char *
field_text(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, enum edi_field f, bool shared)
{
	struct edi_last	*l;
	const char	*r;
	uint32_t	 k;

	if (seg->escaped || v.len == 0)
		return view_text(m, seg, v, shared);
	k = field_key(v);
	l = field_set(m, f, k);
	if ((r = field_find(l, v, k)) != NULL)
		return r;
	return field_miss(m, seg, v, l, k, shared);
}

/* Component c of element e, a value of item field f, as a model string. */
static inline __attribute__((always_inline)) const char *
field(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    enum edi_field f)
{
	return field_text(m, seg, edi_component(m->lx, seg, e, c), f, false);
}

/*
 * Components of element e joined by spaces (FTX text, party names) as a
 * model string, shared or not; NULL when all are empty.
 */
static const char *
joined(struct edi_map *m, const struct edi_segment *seg, int e, bool shared)
{
	struct buf	 b = { 0 };
	const char	*r, *part;
	size_t		 len;
	int		 c, n = edi_component_count(m->lx, seg, e);

	if (n <= 1)		/* one line of text: nothing to join */
		return n == 1 ? view_text(m, seg,
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

/* True when component c of element e is exactly code (a literal: inlined,
 * the comparison is a load or two). */
static inline __attribute__((always_inline)) bool
is_code(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    const char *code)
{
	return edi_view_is(edi_component(m->lx, seg, e, c), code);
}

/* Reports a decimal that was rounded or unreadable (out of line: rare). */
static __attribute__((noinline)) void
decimal_diag(struct edi_map *m, const struct edi_segment *seg,
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

/* A decimal from raw text v; MANIFEST_ABSENT if empty or bad. */
static inline __attribute__((always_inline)) int64_t
decimal_view(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, const char *what)
{
	int64_t			out;
	enum value_status	st;

	if (v.len == 0)
		return MANIFEST_ABSENT;
	if ((st = value_decimal_parse(v.p, v.len, &out)) == VALUE_OK)
		return out;
	decimal_diag(m, seg, st, v, what);
	return st == VALUE_ROUNDED ? out : MANIFEST_ABSENT;
}

/* A decimal from component c of element e; MANIFEST_ABSENT if empty or bad. */
static int64_t
decimal(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    const char *what)
{
	return decimal_view(m, seg, edi_component(m->lx, seg, e, c), what);
}

/* A mass in kg from MEA's C174 (element 2): KGM or TNE. */
static int64_t
mass_kg(struct edi_map *m, const struct edi_segment *seg)
{
	struct edi_view	unit = edi_component(m->lx, seg, 2, 0);
	struct edi_view	tv = edi_component(m->lx, seg, 2, 1);
	int64_t		v;

	if (edi_view_is(unit, "TNE")) {
		/* Tonnes keep three more decimals: exact to the gram. */
		if (tv.len == 0)
			return MANIFEST_ABSENT;
		if (value_decimal_parse_scaled(tv.p, tv.len, 3, &v) != VALUE_INVALID)
			return v;
		edi_map_diag(m, seg, DIAG_WARNING, "BAD_NUMBER",
		    "mass is not a number");
		return MANIFEST_ABSENT;
	}
	v = decimal_view(m, seg, tv, "mass");
	if (v == MANIFEST_ABSENT)
		return v;
	if (!edi_view_is(unit, "KGM")) {
		edi_map_diag(m, seg, DIAG_WARNING, "BAD_UNIT",
		    "a mass must be in KGM or TNE");
		return MANIFEST_ABSENT;
	}
	return v;
}

/* Reports a count that is not a whole number (out of line: rare). */
static __attribute__((noinline)) void
count_diag(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, const char *what)
{
	char	ex[41];

	edi_map_diag(m, seg, DIAG_WARNING, "BAD_NUMBER",
	    "%s \"%s\" is not a whole number", what, clip(v, ex));
}

/* A whole count from component c of element e; -1 if absent or bad. */
static inline __attribute__((always_inline)) int64_t
count(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    const char *what)
{
	struct edi_view	v = edi_component(m->lx, seg, e, c);
	int64_t		out;

	if (v.len == 0)
		return MANIFEST_ABSENT;
	if (value_count_parse(v.p, v.len, &out) == 0)
		return out;
	count_diag(m, seg, v, what);
	return MANIFEST_ABSENT;
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
static int64_t
dtm_time(struct edi_map *m, const struct edi_segment *seg)
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
static void
set_repeated(struct edi_map *m, const struct edi_segment *seg,
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

/* BGM: document name, manifest reference, message function. */
static void
map_bgm(struct edi_map *m, const struct edi_segment *seg)
{
	enum manifest_function	f = MANIFEST_ORIGINAL;
	struct edi_view		fn = edi_component(m->lx, seg, 2, 0);

	if (m->bgm_seen) {
		edi_map_diag(m, seg, DIAG_ERROR, "STRUCTURE",
		    "BGM is repeated: a message has exactly one");
		return;
	}
	m->bgm_seen = true;
	if (!is_code(m, seg, 0, 0, "85") && !is_code(m, seg, 0, 0, "785"))
		edi_map_diag(m, seg, DIAG_WARNING, "DOCUMENT_CODE",
		    "BGM document name code should be 85 or 785");
	set_repeated(m, seg, &m->t->manifest_ref, text(m, seg, 1, 0),
	    "manifest reference");
	if (edi_view_is(fn, "5"))
		f = MANIFEST_REPLACE;
	else if (edi_view_is(fn, "1"))
		f = MANIFEST_CANCEL;
	else if (fn.len != 0 && !edi_view_is(fn, "9"))
		edi_map_diag(m, seg, DIAG_WARNING, "MESSAGE_FUNCTION",
		    "message function \"%.*s\" is not 9, 5 or 1: read as original",
		    (int)(fn.len > 8 ? 8 : fn.len), fn.p);
	if (m->message > 1 && f != m->t->function)
		edi_map_diag(m, seg, DIAG_ERROR, "DETAILS_DIFFER",
		    "message %u has another message function than the first",
		    m->message);
	else
		m->t->function = f;
}

/* DTM: issue time, ETA, ATA. */
static void
map_dtm(struct edi_map *m, const struct edi_segment *seg)
{
	int64_t		*slot = NULL;

	if (is_code(m, seg, 0, 0, "137") && m->zone == EDI_ZONE_HEADER)
		slot = &m->t->issued;
	else if (is_code(m, seg, 0, 0, "132") && m->zone <= EDI_ZONE_TRANSPORT)
		slot = &m->t->eta;
	else if (is_code(m, seg, 0, 0, "178") && m->zone <= EDI_ZONE_TRANSPORT)
		slot = &m->t->ata;
	if (slot != NULL)
		*slot = dtm_time(m, seg);
}

/* Fills a party from NAD. */
static void
read_party(struct edi_map *m, const struct edi_segment *seg,
    struct manifest_party *p)
{
	const char	*name = joined(m, seg, 3, true);

	p->id = text(m, seg, 1, 0);
	p->name = name != NULL ? name : joined(m, seg, 2, true);
	p->country = text(m, seg, 8, 0);
}

/* NAD: the carrier in the header; consignor, consignee, declarant in a consignment. */
static void
map_nad(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_party	*p = NULL;

	if (m->zone <= EDI_ZONE_TRANSPORT) {
		m->party = NULL;
		if (is_code(m, seg, 0, 0, "CA") && m->message == 1) {
			read_party(m, seg, &m->t->carrier);
			m->party = &m->t->carrier;
		}
		return;
	}
	if (m->zone < EDI_ZONE_CONSIGNMENT || m->consignment == NULL)
		return;
	m->zone = EDI_ZONE_PARTY;
	if (is_code(m, seg, 0, 0, "CZ"))
		p = &m->consignment->consignor;
	else if (is_code(m, seg, 0, 0, "CN"))
		p = &m->consignment->consignee;
	else if (is_code(m, seg, 0, 0, "DT"))
		p = &m->consignment->declarant;
	m->party = p;
	if (p != NULL)
		read_party(m, seg, p);
}

/* TDT: the train (conveyance reference) and its mode of transport. */
static void
map_tdt(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*train;

	if (m->zone > EDI_ZONE_TRANSPORT)
		return;		/* a consignment's own transport: not the train */
	m->zone = EDI_ZONE_TRANSPORT;
	m->party = NULL;
	train = text(m, seg, 1, 0);
	if (!is_code(m, seg, 2, 0, "2"))
		edi_map_diag(m, seg, DIAG_ERROR, "TRANSPORT_MODE",
		    "transport mode \"%.*s\" is not 2 (rail): this is not a "
		    "train manifest", (int)edi_component(m->lx, seg, 2, 0).len,
		    edi_component(m->lx, seg, 2, 0).p);
	if (train == NULL) {
		edi_map_diag(m, seg, DIAG_ERROR, "TRAIN_ID_MISSING",
		    "TDT gives no conveyance reference (train number)");
		return;
	}
	m->msg_train = train;
	if (m->t->id == NULL) {
		m->t->id = train;
		m->t->id_src = seg_src(seg);
	} else if (strcmp(m->t->id, train) != 0) {
		m->multiple_trains = true;
		edi_map_diag(m, seg, DIAG_ERROR, "MULTIPLE_TRAINS",
		    "message %u is for train %s, the interchange's first for %s: "
		    "one interchange carries one train", m->message, train,
		    m->t->id);
	}
}

/* LOC: stations in the header; an item's origin. */
static void
map_loc(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*v;

	if (m->zone >= EDI_ZONE_ITEM) {
		if (is_code(m, seg, 0, 0, "27") && m->item != NULL)
			m->item->origin = field(m, seg, 1, 0, EDI_FIELD_ORIGIN);
		return;
	}
	if (m->zone > EDI_ZONE_TRANSPORT)
		return;
	v = text(m, seg, 1, 0);
	if (is_code(m, seg, 0, 0, "22")) {
		set_repeated(m, seg, &m->t->border_station, v, "border station");
		m->have_border_22 = true;
	} else if (is_code(m, seg, 0, 0, "60") && !m->have_border_22 &&
	    m->t->border_station == NULL)
		m->t->border_station = v;
	else if (is_code(m, seg, 0, 0, "5"))
		set_repeated(m, seg, &m->t->departure_station, v,
		    "departure station");
	else if (is_code(m, seg, 0, 0, "8"))
		set_repeated(m, seg, &m->t->destination_station, v,
		    "destination station");
}

/* GIS: direction (header), procedure (consignment), item documents follow. */
static void
map_gis(struct edi_map *m, const struct edi_segment *seg)
{
	struct edi_view	v = edi_component(m->lx, seg, 0, 0);
	int		code = -1;

	if (edi_view_is(v, "23"))
		code = MANIFEST_PROC_IMPORT;
	else if (edi_view_is(v, "22"))
		code = MANIFEST_PROC_EXPORT;
	else if (edi_view_is(v, "24"))
		code = MANIFEST_PROC_TRANSIT;
	else if (edi_view_is(v, "ECO"))
		code = MANIFEST_PROC_ECOMMERCE;
	switch (m->zone) {
	case EDI_ZONE_HEADER:
	case EDI_ZONE_TRANSPORT:
		if (code < 0 || code == MANIFEST_PROC_ECOMMERCE) {
			edi_map_diag(m, seg, DIAG_WARNING, "DIRECTION",
			    "GIS %.*s is not 23, 22 or 24: the direction stays %s",
			    (int)(v.len > 8 ? 8 : v.len), v.p,
			    manifest_direction_name(m->t->direction));
			break;
		}
		m->t->direction = code == MANIFEST_PROC_IMPORT ? MANIFEST_IMPORT :
		    code == MANIFEST_PROC_EXPORT ? MANIFEST_EXPORT :
		    MANIFEST_TRANSIT;
		break;
	case EDI_ZONE_CONSIGNMENT:
	case EDI_ZONE_PARTY:
		if (code >= 0 && m->consignment != NULL)
			m->consignment->procedure = (enum manifest_procedure)code;
		break;
	case EDI_ZONE_ITEM:
	case EDI_ZONE_ITEM_DOCS:
		m->zone = EDI_ZONE_ITEM_DOCS;
		break;
	default:
		break;
	}
}

/* Registers number as seen in this message; true if it already was. */
static bool
seen_in_message(struct edi_map *m, const char *number)
{
	if (strmap_get(m->msg_equipment, number) != NULL)
		return true;
	strmap_put(m->msg_equipment, number, (void *)number);
	return false;
}

/* EQD+RR: a wagon, new or listed again by a later message. */
static void
map_wagon(struct edi_map *m, const struct edi_segment *seg, const char *num)
{
	struct manifest_wagon	*w = manifest_train_find_wagon(m->t, num);
	const char		*type = text(m, seg, 2, 0);

	m->equipment_repeat = false;
	if (w != NULL && seen_in_message(m, num)) {
		edi_map_diag(m, seg, DIAG_ERROR, "DUPLICATE_WAGON",
		    "wagon %s is listed twice in message %u", num, m->message);
		m->equipment_repeat = true;
	} else if (w != NULL) {
		m->equipment_repeat = true;	/* a later message lists it again */
		set_repeated(m, seg, &w->type, type, "wagon type");
	} else {
		seen_in_message(m, num);
		w = manifest_wagon_add(m->t, num);
		w->type = type;
		w->src = seg_src(seg);
	}
	m->wagon = w;
	m->container = NULL;
	m->equipment_is_wagon = true;
}

/* EQD+CN: a container (CUSCAR: on the last wagon; IFCSUM: details only). */
static void
map_container(struct edi_map *m, const struct edi_segment *seg,
    const char *num)
{
	struct manifest_container	*c = manifest_train_find_container(m->t, num);
	struct edi_view			 fe = edi_component(m->lx, seg, 5, 0);
	bool				 listed_by_eqa;

	m->equipment_repeat = false;
	listed_by_eqa = c != NULL && m->kind == EDI_MSG_IFCSUM &&
	    !seen_in_message(m, num);
	/* IFCSUM: a container described by an earlier message is a repeat. */
	if (m->kind == EDI_MSG_IFCSUM && c != NULL &&
	    strmap_get(m->details_seen, c->number) != NULL)
		m->equipment_repeat = true;
	if (c != NULL && !listed_by_eqa && m->kind != EDI_MSG_IFCSUM &&
	    seen_in_message(m, num)) {
		edi_map_diag(m, seg, DIAG_ERROR, "DUPLICATE_CONTAINER",
		    "container %s is listed twice in message %u", num, m->message);
		m->equipment_repeat = true;
	} else if (c != NULL && !listed_by_eqa && m->kind != EDI_MSG_IFCSUM) {
		m->equipment_repeat = true;
		if (c->wagon != m->wagon)
			edi_map_diag(m, seg, DIAG_WARNING, "DETAILS_DIFFER",
			    "message %u puts container %s on another wagon than "
			    "an earlier message", m->message, num);
	} else if (c == NULL) {
		if (m->kind != EDI_MSG_IFCSUM)
			seen_in_message(m, num);
		c = manifest_container_add(m->t, m->kind == EDI_MSG_IFCSUM ?
		    NULL : m->wagon, num);
		c->src = seg_src(seg);
	}
	if (m->kind == EDI_MSG_IFCSUM)
		strmap_put(m->details_seen, c->number, c);
	if (!m->equipment_repeat) {
		if (c->size_type == NULL)
			c->size_type = text(m, seg, 2, 0);
		if (edi_view_is(fe, "4"))
			c->full = false;
		else if (fe.len != 0 && !edi_view_is(fe, "5") &&
		    !edi_view_is(fe, "7") && !edi_view_is(fe, "8"))
			edi_map_diag(m, seg, DIAG_WARNING, "FULL_EMPTY",
			    "full/empty indicator \"%.*s\" is not 4, 5, 7 or 8: "
			    "read as full", (int)(fe.len > 4 ? 4 : fe.len), fe.p);
	}
	m->container = c;
	m->equipment_is_wagon = false;
}

/* EQD: opens an equipment group. */
static void
map_eqd(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*num = text(m, seg, 1, 0);

	m->zone = EDI_ZONE_EQUIPMENT;
	m->container = NULL;
	if (num == NULL) {
		edi_map_diag(m, seg, DIAG_ERROR, "EQUIPMENT_NUMBER",
		    "EQD gives no equipment number");
		m->wagon = NULL;
		return;
	}
	if (is_code(m, seg, 0, 0, "RR"))
		map_wagon(m, seg, num);
	else if (is_code(m, seg, 0, 0, "CN"))
		map_container(m, seg, num);
	else {
		edi_map_diag(m, seg, DIAG_WARNING, "EQUIPMENT_TYPE",
		    "equipment %s has qualifier \"%.*s\", neither a wagon (RR) nor "
		    "a container (CN): ignored", num,
		    (int)edi_component(m->lx, seg, 0, 0).len,
		    edi_component(m->lx, seg, 0, 0).p);
		m->wagon = NULL;
		m->equipment_is_wagon = true;	/* absorbs its MEA and SEL */
		m->equipment_repeat = true;
	}
}

/* EQA+CN (IFCSUM): a container carried by the current wagon. */
static void
map_eqa(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_container	*c;
	const char			*num = text(m, seg, 1, 0);

	if (num == NULL || !is_code(m, seg, 0, 0, "CN"))
		return;
	if (m->wagon == NULL || !m->equipment_is_wagon) {
		edi_map_diag(m, seg, DIAG_ERROR, "STRUCTURE",
		    "EQA attaches container %s to no wagon", num);
		return;
	}
	c = manifest_train_find_container(m->t, num);
	if (c == NULL) {
		c = manifest_container_add(m->t, m->wagon, num);
		c->src = seg_src(seg);
	} else if (c->wagon == NULL)
		manifest_container_attach(m->t, c, m->wagon);
	else if (c->wagon != m->wagon)
		edi_map_diag(m, seg, DIAG_WARNING, "DETAILS_DIFFER",
		    "container %s is attached to wagons %s and %s", num,
		    c->wagon->number, m->wagon->number);
}

/* MEA: tare of a wagon, gross of a container, masses of an item. */
static void
map_mea(struct edi_map *m, const struct edi_segment *seg)
{
	struct edi_view	q = edi_component(m->lx, seg, 0, 0);
	struct edi_view	what = edi_component(m->lx, seg, 1, 0);
	bool		g, n, tare;

	if (!edi_view_is(q, "WT") && !edi_view_is(q, "AAE"))
		return;
	g = edi_view_is(what, "G");
	n = edi_view_is(what, "N");
	tare = edi_view_is(what, "T");
	if (m->zone == EDI_ZONE_EQUIPMENT && !m->equipment_repeat) {
		if (m->equipment_is_wagon && m->wagon != NULL && tare)
			m->wagon->tare_kg = mass_kg(m, seg);
		else if (!m->equipment_is_wagon && m->container != NULL && g)
			m->container->gross_kg = mass_kg(m, seg);
	} else if (m->zone >= EDI_ZONE_ITEM && m->item != NULL) {
		if (g)
			m->item->gross_kg = mass_kg(m, seg);
		else if (n)
			m->item->net_kg = mass_kg(m, seg);
	}
}

/* SEL: a seal on the current wagon or container. */
static void
map_sel(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_seal	*s;
	struct edi_view		 cond = edi_component(m->lx, seg, 2, 0);

	if (m->zone != EDI_ZONE_EQUIPMENT || m->equipment_repeat)
		return;
	if (m->equipment_is_wagon && m->wagon != NULL)
		s = manifest_wagon_add_seal(m->t, m->wagon);
	else if (!m->equipment_is_wagon && m->container != NULL)
		s = manifest_container_add_seal(m->t, m->container);
	else
		return;
	s->number = text(m, seg, 0, 0);
	if (s->number == NULL)
		edi_map_diag(m, seg, DIAG_WARNING, "SEAL_NUMBER",
		    "SEL gives no seal number");
	if (is_code(m, seg, 1, 0, "CA"))
		s->sealed_by = MANIFEST_SEALER_CARRIER;
	else if (is_code(m, seg, 1, 0, "CU"))
		s->sealed_by = MANIFEST_SEALER_CUSTOMS;
	else if (is_code(m, seg, 1, 0, "SH"))
		s->sealed_by = MANIFEST_SEALER_SHIPPER;
	else if (edi_component(m->lx, seg, 1, 0).len != 0)
		s->sealed_by = MANIFEST_SEALER_OTHER;
	if (edi_view_is(cond, "2"))
		s->condition = MANIFEST_SEAL_DAMAGED;
	else if (cond.len != 0 && !edi_view_is(cond, "1"))
		edi_map_diag(m, seg, DIAG_WARNING, "SEAL_CONDITION",
		    "seal condition \"%.*s\" is not 1 (intact) or 2 (damaged)",
		    (int)(cond.len > 4 ? 4 : cond.len), cond.p);
}

/* CNI: a new consignment. */
static void
map_cni(struct edi_map *m, const struct edi_segment *seg)
{
	m->zone = EDI_ZONE_CONSIGNMENT;
	m->consignment = manifest_consignment_add(m->t);
	m->consignment->ref = text(m, seg, 1, 0);
	m->consignment->src = seg_src(seg);
	m->party = NULL;
	m->item = NULL;
}

/* RFF: a consignment's reference; a party's AEO certificate. */
static void
map_rff(struct edi_map *m, const struct edi_segment *seg)
{
	if ((m->zone == EDI_ZONE_PARTY || m->zone <= EDI_ZONE_TRANSPORT) &&
	    m->party != NULL && is_code(m, seg, 0, 0, "ZZZ")) {
		m->party->aeo = text(m, seg, 0, 1);
		return;
	}
	if ((m->zone == EDI_ZONE_CONSIGNMENT || m->zone == EDI_ZONE_PARTY) &&
	    m->consignment != NULL && m->consignment->ref == NULL &&
	    (is_code(m, seg, 0, 0, "AAM") || is_code(m, seg, 0, 0, "BM") ||
	    is_code(m, seg, 0, 0, "AAS")))
		m->consignment->ref = text(m, seg, 0, 1);
}

/* MOA: a consignment's or an item's value. */
static void
map_moa(struct edi_map *m, const struct edi_segment *seg)
{
	bool	q38 = is_code(m, seg, 0, 0, "38"), q40 = is_code(m, seg, 0, 0, "40");

	if (m->zone >= EDI_ZONE_ITEM && m->item != NULL && (q38 || q40)) {
		m->item->value = decimal(m, seg, 0, 1, "value");
		m->item->currency = field(m, seg, 0, 2, EDI_FIELD_CURRENCY);
	} else if ((m->zone == EDI_ZONE_CONSIGNMENT ||
	    m->zone == EDI_ZONE_PARTY) && m->consignment != NULL && q40) {
		const char *cur = text(m, seg, 0, 2);

		m->consignment->value = decimal(m, seg, 0, 1, "value");
		if (cur != NULL)
			m->consignment->currency = cur;
	}
}

/* CUX: a consignment's currency. */
static void
map_cux(struct edi_map *m, const struct edi_segment *seg)
{
	if ((m->zone == EDI_ZONE_CONSIGNMENT || m->zone == EDI_ZONE_PARTY) &&
	    m->consignment != NULL && m->consignment->currency == NULL)
		m->consignment->currency = text(m, seg, 0, 1);
}

/* GID: a new goods item of the current consignment. */
static void
map_gid(struct edi_map *m, const struct edi_segment *seg)
{
	int64_t	seq;

	if (m->consignment == NULL) {
		edi_map_diag(m, seg, DIAG_ERROR, "STRUCTURE",
		    "goods item outside any consignment (no CNI before GID)");
		m->consignment = manifest_consignment_add(m->t);
		m->consignment->src = seg_src(seg);
	}
	m->zone = EDI_ZONE_ITEM;
	m->party = NULL;
	m->item = manifest_item_add(m->t, m->consignment);
	m->item->src = seg_src(seg);
	seq = count(m, seg, 0, 0, "goods item number");
	m->item->seq = seq != MANIFEST_ABSENT && seq <= UINT32_MAX ?
	    (uint32_t)seq : (uint32_t)m->consignment->nitems;
	m->item->packages = count(m, seg, 1, 0, "package count");
	m->item->package_type = field(m, seg, 1, 1, EDI_FIELD_PACKAGE_TYPE);
}

/* An HS code from a view, normalised; warns when it is not one. */
static void
set_hs(struct edi_map *m, const struct edi_segment *seg, int e, int c)
{
	struct edi_view	 v = edi_component(m->lx, seg, e, c);
	struct edi_last	*l;
	const char	*r;
	char		 hs[IDENT_HS_MAX + 1];
	size_t		 i;
	uint32_t	 k;

	if (m->item == NULL || v.len == 0)
		return;
	k = field_key(v);
	l = field_set(m, EDI_FIELD_HS, k);
	if ((r = field_find(l, v, k)) != NULL) {
		m->item->hs = r;	/* as before: valid */
		return;
	}
	/* Digits alone, the usual form, are already normal. */
	for (i = 0; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++)
		;
	if (i == v.len && v.len >= 6 && v.len <= IDENT_HS_MAX)
		m->item->hs = manifest_str(m->t, v.p, v.len);
	else if (ident_hs_normalise(v.p, v.len, hs) == 0)
		m->item->hs = manifest_str(m->t, hs, strlen(hs));
	else {
		edi_map_diag(m, seg, DIAG_WARNING, "HS_CODE",
		    "\"%.*s\" is not an HS code of 6 to 10 digits",
		    (int)(v.len > 20 ? 20 : v.len), v.p);
		return;
	}
	field_keep(l, v, k, m->item->hs);
}

/* FTX+AAA: the item's description (several are joined). */
static void
map_ftx(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*t;

	if (m->zone < EDI_ZONE_ITEM || m->item == NULL ||
	    !is_code(m, seg, 0, 0, "AAA"))
		return;
	/* One line, the first: as joined() would, through the field's last. */
	if (m->item->description == NULL && edi_component_count(m->lx, seg, 3) == 1)
		t = field_text(m, seg, edi_component(m->lx, seg, 3, 0),
		    EDI_FIELD_DESCRIPTION, true);
	else
		t = joined(m, seg, 3, m->item->description == NULL);
	if (t == NULL)
		return;
	if (m->item->description == NULL)
		m->item->description = t;
	else {
		char *both = xasprintf("%s %s", m->item->description, t);

		m->item->description = manifest_str(m->t, both, strlen(both));
		free(both);
	}
}

/* SGP: where the item's packages are loaded. */
static void
map_sgp(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_placement	*p;

	if (m->zone < EDI_ZONE_ITEM || m->item == NULL)
		return;
	p = manifest_item_add_placement(m->t, m->item);
	p->equipment = field(m, seg, 0, 0, EDI_FIELD_EQUIPMENT);
	p->packages = count(m, seg, 1, 0, "package count");
	p->src = seg_src(seg);
}

/* DOC: a document of the item. */
static void
map_doc(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_document	*d;
	const char			*type = field(m, seg, 0, 0,
					    EDI_FIELD_DOCUMENT_TYPE);

	if (m->zone < EDI_ZONE_ITEM || m->item == NULL || type == NULL)
		return;
	d = manifest_item_add_document(m->t, m->item);
	d->type = type;
	d->id = text(m, seg, 1, 0);
}

/* Segments of D.96B CUSCAR and IFCSUM, sorted by code for bsearch. */
static const uint32_t cuscar_segments[] = {
	EDI_TAG('A','U','T'), EDI_TAG('B','G','M'), EDI_TAG('C','N','I'),
	EDI_TAG('C','N','T'), EDI_TAG('C','O','M'), EDI_TAG('C','P','I'),
	EDI_TAG('C','S','T'), EDI_TAG('C','T','A'), EDI_TAG('C','U','X'),
	EDI_TAG('D','G','S'), EDI_TAG('D','I','M'), EDI_TAG('D','O','C'),
	EDI_TAG('D','T','M'), EDI_TAG('E','Q','D'), EDI_TAG('F','T','X'),
	EDI_TAG('G','I','D'), EDI_TAG('G','I','S'), EDI_TAG('H','A','N'),
	EDI_TAG('L','O','C'), EDI_TAG('M','E','A'), EDI_TAG('M','O','A'),
	EDI_TAG('N','A','D'), EDI_TAG('P','A','C'), EDI_TAG('P','C','I'),
	EDI_TAG('Q','T','Y'), EDI_TAG('R','F','F'), EDI_TAG('R','N','G'),
	EDI_TAG('S','E','L'), EDI_TAG('S','G','P'), EDI_TAG('T','D','T'),
	EDI_TAG('T','M','P'), EDI_TAG('T','S','R'),
};
/* IFCSUM's, with GIS and CST, which railgate accepts there too. */
static const uint32_t ifcsum_segments[] = {
	EDI_TAG('B','G','M'), EDI_TAG('C','N','I'), EDI_TAG('C','N','T'),
	EDI_TAG('C','O','M'), EDI_TAG('C','P','I'), EDI_TAG('C','S','T'),
	EDI_TAG('C','T','A'), EDI_TAG('C','U','X'), EDI_TAG('D','G','S'),
	EDI_TAG('D','I','M'), EDI_TAG('D','O','C'), EDI_TAG('D','T','M'),
	EDI_TAG('E','Q','A'), EDI_TAG('E','Q','D'), EDI_TAG('E','Q','N'),
	EDI_TAG('F','T','X'), EDI_TAG('G','D','S'), EDI_TAG('G','I','D'),
	EDI_TAG('G','I','N'), EDI_TAG('G','I','S'), EDI_TAG('G','O','R'),
	EDI_TAG('H','A','N'), EDI_TAG('L','O','C'), EDI_TAG('M','E','A'),
	EDI_TAG('M','O','A'), EDI_TAG('N','A','D'), EDI_TAG('P','C','D'),
	EDI_TAG('P','C','I'), EDI_TAG('P','I','A'), EDI_TAG('P','R','I'),
	EDI_TAG('Q','T','Y'), EDI_TAG('R','F','F'), EDI_TAG('R','N','G'),
	EDI_TAG('S','E','L'), EDI_TAG('S','E','Q'), EDI_TAG('S','G','P'),
	EDI_TAG('T','C','C'), EDI_TAG('T','D','T'), EDI_TAG('T','M','D'),
	EDI_TAG('T','M','P'), EDI_TAG('T','O','D'), EDI_TAG('T','P','L'),
	EDI_TAG('T','S','R'),
};

/* True when code is a segment of the message kind. */
static bool
segment_in_list(enum edi_message_kind kind, uint32_t code)
{
	const uint32_t	*v = kind == EDI_MSG_IFCSUM ? ifcsum_segments :
			    cuscar_segments;
	size_t		 lo = 0, hi = kind == EDI_MSG_IFCSUM ?
			    nitems(ifcsum_segments) : nitems(cuscar_segments);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] == code)
			return true;
		if (v[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void
edi_map_begin_message(struct edi_map *m, enum edi_message_kind kind,
    unsigned number)
{
	m->kind = kind;
	m->message = number;
	m->zone = EDI_ZONE_HEADER;
	memset(m->known, 0, sizeof m->known);
	m->bgm_seen = false;
	m->msg_train = NULL;
	m->wagon = NULL;
	m->container = NULL;
	m->consignment = NULL;
	m->party = NULL;
	m->item = NULL;
	m->have_border_22 = false;
	strmap_free(m->msg_equipment);
	m->msg_equipment = strmap_new();
}

/* CST and PIA: the item's HS code. */
static void
map_hs(struct edi_map *m, const struct edi_segment *seg)
{
	set_hs(m, seg, 1, 0);
}

/* DGS: the item's UN number. */
static void
map_dgs(struct edi_map *m, const struct edi_segment *seg)
{
	if (m->item != NULL)
		m->item->un_number = text(m, seg, 2, 0);
}

/* The function mapping segments of code; NULL for those railgate skips. */
static edi_map_fn
segment_fn(uint32_t code)
{
	switch (code) {
	case EDI_TAG('B', 'G', 'M'): return map_bgm;
	case EDI_TAG('D', 'T', 'M'): return map_dtm;
	case EDI_TAG('N', 'A', 'D'): return map_nad;
	case EDI_TAG('T', 'D', 'T'): return map_tdt;
	case EDI_TAG('L', 'O', 'C'): return map_loc;
	case EDI_TAG('G', 'I', 'S'): return map_gis;
	case EDI_TAG('E', 'Q', 'D'): return map_eqd;
	case EDI_TAG('E', 'Q', 'A'): return map_eqa;
	case EDI_TAG('M', 'E', 'A'): return map_mea;
	case EDI_TAG('S', 'E', 'L'): return map_sel;
	case EDI_TAG('C', 'N', 'I'): return map_cni;
	case EDI_TAG('R', 'F', 'F'): return map_rff;
	case EDI_TAG('M', 'O', 'A'): return map_moa;
	case EDI_TAG('C', 'U', 'X'): return map_cux;
	case EDI_TAG('G', 'I', 'D'): return map_gid;
	case EDI_TAG('F', 'T', 'X'): return map_ftx;
	case EDI_TAG('S', 'G', 'P'): return map_sgp;
	case EDI_TAG('D', 'O', 'C'): return map_doc;
	case EDI_TAG('C', 'S', 'T'): return map_hs;
	case EDI_TAG('P', 'I', 'A'): return map_hs;
	case EDI_TAG('D', 'G', 'S'): return map_dgs;
	default: return NULL;	/* a segment railgate does not need */
	}
}

_Static_assert(nitems(((struct edi_map *)0)->known) == 1 << 7,
    "edi_map_segment() indexes with 7 bits");

void
edi_map_segment(struct edi_map *m, const struct edi_segment *seg)
{
	uint32_t		 code = seg->code;
	/* 0x42d87209: each list's tags (32 and 43) take distinct slots. */
	struct edi_map_known	*k = &m->known[(code * 0x42d87209U) >> 25];

	if (k->code != code) {
		if (!segment_in_list(m->kind, code)) {
			edi_map_diag(m, seg, DIAG_WARNING, "UNKNOWN_SEGMENT",
			    "%s is not a segment of %s (D.96B): skipped", seg->tag,
			    m->kind == EDI_MSG_IFCSUM ? "IFCSUM" : "CUSCAR");
			return;
		}
		k->code = code;
		k->fn = segment_fn(code);
	}
	if (k->fn != NULL)
		k->fn(m, seg);
}

void
edi_map_end_message(struct edi_map *m, const struct edi_segment *at)
{
	if (m->kind == EDI_MSG_OTHER)
		return;
	if (!m->bgm_seen)
		edi_map_diag(m, at, DIAG_ERROR, "STRUCTURE",
		    "message %u has no BGM (beginning of message)", m->message);
	if (m->msg_train == NULL)
		edi_map_diag(m, at, DIAG_ERROR, "TRAIN_ID_MISSING",
		    "message %u has no TDT naming the train", m->message);
}
