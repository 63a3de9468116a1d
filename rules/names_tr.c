/*
 * names_tr.c -- ICU transliterations for the keys of names.c, per thread,
 * with a per-character cache (see names_tr.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>

#include "rules/names.h"
#include "rules/names_tr.h"

#define TR_N NAMES_TR_N

static const char *const tr_ids[TR_N] = {
	"Traditional-Simplified",
	"Han-Latin; Latin-ASCII",
	"Cyrillic-Latin; Latin-ASCII",
	"Any-Latin; Latin-ASCII",
	"Latin-ASCII",	/* Latin script only: Any-Latin would change nothing */
};

/*
 * Per-character transliteration.  ICU's rule engine costs about 13 us a
 * character for Han-Latin (it tries its rules at every position), so each
 * thread keeps what a character became the first time it saw it and
 * assembles a name from those pieces.  That is ICU's whole-string result
 * exactly when no rule spans two characters at the name's positions:
 * tr_analyse reads the transliterator's rules (utrans_toRules) once per
 * thread and records every character that starts a rule longer than one
 * character (a "trigger") and the longest rule (`span`).  A rule can only
 * start at a trigger and match `span` characters at most, and none looks
 * back before its first character, so from a trigger on ICU is run on a
 * window of the name -- `span` characters, longer while a trigger lies in
 * its last span - 1 -- and the characters between windows come from the
 * cache.  A name holding a combining mark (the NFD/NFC and mark-stripping
 * steps work across characters), or rules this cannot vouch for, go
 * through ICU whole.  Spaces Han-Spacedhan puts
 * between Han characters are not reproduced: the keys built this way
 * (simplified, pinyin) are joined, so spaces vanish anyway.  Tests
 * compare both ways on every fixture name and a generated set.
 */
struct cp_cache {
	UChar32		*cp;		/* open addressing; 0 = free slot */
	uint32_t	*at;		/* offset << 8 | length in arena */
	size_t		 cap, n;
	UChar		*arena;
	size_t		 alen, acap;
};

struct tr_fast {
	int		 state;		/* 0 not analysed, 1 usable, -1 not */
	UChar32		*trig;		/* sorted */
	size_t		 ntrig;
	int32_t		 span;		/* longest rule, code points or more */
	struct cp_cache	 c;
};

struct tr_set {
	UTransliterator	*t[TR_N];
	struct tr_fast	 f[TR_N];
};

/* The rules analysed for per-character use: the component that holds
 * multi-character rules (Latin-ASCII's only one strips combining marks,
 * refused anyway); NULL: always whole-string. */
static const char *const tr_fast_ids[TR_N] = {
	"Traditional-Simplified",
	"Han-Latin",
	"Cyrillic-Latin",
	NULL,
	NULL,
};

static void
tr_fast_free(struct tr_fast *f)
{
	free(f->trig);
	free(f->c.cp);
	free(f->c.at);
	free(f->c.arena);
	memset(f, 0, sizeof(*f));
}

static pthread_key_t	tr_key;
static _Thread_local int tr_whole;	/* names_whole_strings() */
static pthread_once_t	tr_once = PTHREAD_ONCE_INIT;

static void
tr_set_free(void *p)
{
	struct tr_set	*s = p;
	int		 i;

	for (i = 0; i < TR_N; i++) {
		if (s->t[i] != NULL)
			utrans_close(s->t[i]);
		tr_fast_free(&s->f[i]);
	}
	free(s);
}

static void
tr_key_init(void)
{
	(void)pthread_key_create(&tr_key, tr_set_free);
}

void
names_thread_end(void)
{
	struct tr_set	*s;

	(void)pthread_once(&tr_once, tr_key_init);
	if ((s = pthread_getspecific(tr_key)) != NULL) {
		(void)pthread_setspecific(tr_key, NULL);
		tr_set_free(s);
	}
}

void
names_whole_strings(int on)
{
	tr_whole = on;
}

/* This thread's set of transliterators, made on first use. */
static struct tr_set *
tr_set_get(char *err, size_t errlen)
{
	struct tr_set	*s;

	(void)pthread_once(&tr_once, tr_key_init);
	if ((s = pthread_getspecific(tr_key)) == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL ||
		    pthread_setspecific(tr_key, s) != 0) {
			free(s);
			snprintf(err, errlen, "names: out of memory");
			return NULL;
		}
	}
	return s;
}

/* This thread's transliterator `which`, opened on first use. */
static UTransliterator *
tr_get(int which, char *err, size_t errlen)
{
	struct tr_set	*s;
	UChar		 id[64];
	UParseError	 pe;
	UErrorCode	 st = U_ZERO_ERROR;

	if ((s = tr_set_get(err, errlen)) == NULL)
		return NULL;
	if (s->t[which] == NULL) {
		u_uastrncpy(id, tr_ids[which], 63);
		id[63] = 0;
		s->t[which] = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0,
		    &pe, &st);
		if (U_FAILURE(st)) {
			s->t[which] = NULL;
			snprintf(err, errlen, "names: ICU transform \"%s\": %s",
			    tr_ids[which], u_errorName(st));
			return NULL;
		}
	}
	return s->t[which];
}

/* Runs transliterator t over u in place, growing u as the text grows. */
static int
ustr_trans(struct names_ustr *u, UTransliterator *t, char *err, size_t errlen)
{
	int32_t		 cap = u->len * 8 + 16, len, limit;
	UChar		*buf;
	UErrorCode	 st;

	for (;;) {
		if ((buf = malloc(sizeof(UChar) * (size_t)cap)) == NULL) {
			snprintf(err, errlen, "names: out of memory");
			return -1;
		}
		memcpy(buf, u->s, sizeof(UChar) * (size_t)u->len);
		len = limit = u->len;
		st = U_ZERO_ERROR;
		utrans_transUChars(t, buf, &len, cap, 0, &limit, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR)
			break;
		free(buf);
		cap *= 2;
	}
	if (U_FAILURE(st)) {
		free(buf);
		snprintf(err, errlen, "names: transliteration: %s",
		    u_errorName(st));
		return -1;
	}
	free(u->s);
	u->s = buf;
	u->len = len;
	u->cap = cap;
	return 0;
}

/* Is c rule syntax rather than a character a rule matches? */
static int
rule_syntax(UChar32 c)
{
	return c < 0x80 && !u_isalnum(c);
}

/* Is l[0..n) combining marks only (or empty)?  A rule such as "й > j"
 * (toRules prints й decomposed) matches one precomposed character of a
 * name; a name holding a combining mark itself never takes the
 * per-character path. */
static int
marks_only(const UChar *l, int32_t n)
{
	int32_t	i = 0;
	UChar32	c;

	while (i < n) {
		U16_NEXT(l, i, n, c);
		if (!(U_GET_GC_MASK(c) & U_GC_M_MASK))
			return 0;
	}
	return 1;
}

static int
cp_cmp(const void *a, const void *b)
{
	UChar32	x = *(const UChar32 *)a, y = *(const UChar32 *)b;

	return x < y ? -1 : x > y;
}

/* One line of utrans_toRules output: 0 harmless, 1 a rule longer than one
 * character starting with *trig and at most *span long, -1 anything this
 * cannot vouch for. */
static int
rule_line(const UChar *l, int32_t n, UChar32 *trig, int32_t *span)
{
	static const char *const ok[] = { "::NFD(NFC);", "::NFC(NFD);",
	    "::NFD();", "::NFC();", "::Han-Spacedhan();" };
	char	 a[32];
	int32_t	 i, lhs = -1, j = 0;
	UChar32	 c;
	size_t	 k;

	if (n == 0)
		return 0;
	if (n >= 2 && l[0] == ':' && l[1] == ':') {
		if (l[2] == '[')	/* a filter: per character by nature */
			return 0;
		if (n >= (int32_t)sizeof(a))
			return -1;
		u_austrncpy(a, l, n);
		a[n] = '\0';
		for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
			if (strcmp(a, ok[k]) == 0)
				return 0;
		return -1;
	}
	for (i = 0; i + 2 < n; i++)
		if (l[i] == ' ' && l[i + 1] == '>' && l[i + 2] == ' ') {
			lhs = i;
			break;
		}
	if (lhs <= 0)
		return -1;
	U16_NEXT(l, j, lhs, c);
	if (!rule_syntax(c) && marks_only(l + j, lhs - j))
		return 0;	/* one character (precomposed: ::NFD) */
	if (l[0] == '[') {		/* one set, nothing around it */
		for (i = 1; i < lhs && l[i] != ']' && l[i] != '['; i++)
			;
		return i == lhs - 1 ? 0 : -1;
	}
	j = l[0] == '{' ? 1 : 0;
	U16_NEXT(l, j, lhs, c);
	if (rule_syntax(c))
		return -1;
	*trig = c;
	/* Its length: the characters it names ('{', '}', '?' and quotes are
	 * syntax; an optional one counted all the same); a repetition or a
	 * variable could be any length. */
	for (*span = 0, i = 0; i < lhs; i++) {
		if (l[i] == '*' || l[i] == '+' || l[i] == '$' || l[i] == '\\')
			return -1;
		if (l[i] != '{' && l[i] != '}' && l[i] != '?' &&
		    l[i] != '\'' && !U16_IS_TRAIL(l[i]))
			(*span)++;
	}
	return 1;
}

/* Reads the rules of tr_fast_ids[which] into f's triggers; f->state 1 when
 * the per-character path may be used, -1 when not. */
static void
tr_analyse(struct tr_fast *f, int which)
{
	UTransliterator	*t;
	UChar		 id[64], *r = NULL, *tmp;
	UParseError	 pe;
	UErrorCode	 st = U_ZERO_ERROR;
	int32_t		 n, i, b, span = 0;
	size_t		 cap = 0;
	UChar32		 c;
	int		 k;

	f->state = -1;
	u_uastrncpy(id, tr_fast_ids[which], 63);
	id[63] = 0;
	t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, &pe, &st);
	if (U_FAILURE(st))
		return;
	n = utrans_toRules(t, 0, NULL, 0, &st);
	st = U_ZERO_ERROR;
	if ((r = malloc(sizeof(UChar) * ((size_t)n + 1))) != NULL)
		utrans_toRules(t, 0, r, n + 1, &st);
	utrans_close(t);
	if (r == NULL || U_FAILURE(st))
		goto out;
	for (b = i = 0; i <= n; i++) {
		if (i < n && r[i] != '\n')
			continue;
		k = rule_line(r + b, i - b, &c, &span);
		b = i + 1;
		if (k < 0)
			goto out;
		if (k == 0)
			continue;
		if (f->ntrig == cap) {
			cap = cap ? cap * 2 : 64;
			if ((tmp = realloc(f->trig, cap * sizeof(UChar32)))
			    == NULL)
				goto out;
			f->trig = (UChar32 *)tmp;
		}
		f->trig[f->ntrig++] = c;
		if (span > f->span)
			f->span = span;
	}
	if (f->ntrig > 0)
		qsort(f->trig, f->ntrig, sizeof(UChar32), cp_cmp);
	f->state = 1;
out:
	free(r);
}

/* The cache's slot for c (free or holding c). */
static size_t
cache_slot(const struct cp_cache *c, UChar32 cp)
{
	size_t	i = ((uint32_t)cp * 2654435761u) & (c->cap - 1);

	while (c->cp[i] != 0 && c->cp[i] != cp)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int
cache_grow(struct cp_cache *c)
{
	struct cp_cache	 o = *c;
	size_t		 i, j;

	c->cap = o.cap ? o.cap * 2 : 1024;
	c->cp = calloc(c->cap, sizeof(*c->cp));
	c->at = calloc(c->cap, sizeof(*c->at));
	if (c->cp == NULL || c->at == NULL) {
		free(c->cp);
		free(c->at);
		*c = o;
		return -1;
	}
	for (i = 0; i < o.cap; i++)
		if (o.cp[i] != 0) {
			j = cache_slot(c, o.cp[i]);
			c->cp[j] = o.cp[i];
			c->at[j] = o.at[i];
		}
	free(o.cp);
	free(o.at);
	return 0;
}

/* What ICU's transliterator t makes of cp alone, cached: *out points into
 * the arena (valid until the next call); length or -1. */
static int32_t
cache_get(struct cp_cache *c, UTransliterator *t, UChar32 cp,
    const UChar **out)
{
	UChar		 buf[64], *a;
	int32_t		 len = 0, limit;
	UErrorCode	 st = U_ZERO_ERROR;
	size_t		 i;

	if (c->cap != 0) {
		i = cache_slot(c, cp);
		if (c->cp[i] == cp) {
			*out = c->arena + (c->at[i] >> 8);
			return (int32_t)(c->at[i] & 0xff);
		}
	}
	U16_APPEND_UNSAFE(buf, len, cp);
	limit = len;
	utrans_transUChars(t, buf, &len, 64, 0, &limit, &st);
	if (U_FAILURE(st) || len > 255 || c->alen + 64 >= (1u << 24))
		return -1;
	if ((c->n + 1) * 2 > c->cap && cache_grow(c) != 0)
		return -1;
	if (c->alen + (size_t)len > c->acap) {
		if ((a = realloc(c->arena, sizeof(UChar) * (c->acap * 2 +
		    64))) == NULL)
			return -1;
		c->arena = a;
		c->acap = c->acap * 2 + 64;
	}
	i = cache_slot(c, cp);
	c->cp[i] = cp;
	c->at[i] = (uint32_t)c->alen << 8 | (uint32_t)len;
	c->n++;
	memcpy(c->arena + c->alen, buf, sizeof(UChar) * (size_t)len);
	c->alen += (size_t)len;
	*out = c->arena + (c->at[i] >> 8);
	return len;
}

/* Can u go through a character (or window) at a time?  No mark. */
static int
fast_ok(const struct names_ustr *u)
{
	int32_t	i = 0;
	UChar32	c;

	while (i < u->len) {
		U16_NEXT(u->s, i, u->len, c);
		if (c == 0 || (U_GET_GC_MASK(c) & U_GC_M_MASK))
			return 0;
	}
	return 1;
}

static int
is_trigger(const struct tr_fast *f, UChar32 c)
{
	return f->ntrig > 0 && bsearch(&c, f->trig, f->ntrig,
	    sizeof(UChar32), cp_cmp) != NULL;
}

/* The end (UTF-16 index) of the window of u starting at trigger `at`. */
static int32_t
window_end(const struct tr_fast *f, const struct names_ustr *u, int32_t at)
{
	int32_t	i = at, k = 0, end = f->span;
	UChar32	c;

	while (i < u->len && k < end) {
		U16_NEXT(u->s, i, u->len, c);
		if (is_trigger(f, c) && k + f->span > end)
			end = k + f->span;
		k++;
	}
	return i;
}

/* ICU's t over u->s[from..to) into *p (a buffer the caller frees); its
 * length or -1. */
static int32_t
window_trans(UTransliterator *t, const struct names_ustr *u, int32_t from,
    int32_t to, UChar **p)
{
	int32_t		cap = (to - from) * 8 + 16, len, limit;
	UErrorCode	st = U_ZERO_ERROR;

	for (;;) {
		if ((*p = malloc(sizeof(UChar) * (size_t)cap)) == NULL)
			return -1;
		memcpy(*p, u->s + from, sizeof(UChar) * (size_t)(to - from));
		len = limit = to - from;
		st = U_ZERO_ERROR;
		utrans_transUChars(t, *p, &len, cap, 0, &limit, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR)
			break;
		free(*p);
		cap *= 2;
	}
	return U_FAILURE(st) ? -1 : len;
}

/* u through transliterator `which` a character at a time from this
 * thread's cache: 1 done, 0 not possible here (use ICU whole), -1 error. */
static int
ustr_trans_fast(struct names_ustr *u, int which, char *err, size_t errlen)
{
	struct tr_set	*s;
	struct tr_fast	*f;
	UTransliterator	*t;
	const UChar	*p;
	UChar		*o, *tmp, *w = NULL;
	int32_t		 i = 0, at, olen = 0, ocap, n;
	UChar32		 c;

	if (tr_fast_ids[which] == NULL ||
	    (s = tr_set_get(err, errlen)) == NULL)
		return tr_fast_ids[which] == NULL ? 0 : -1;
	f = &s->f[which];
	if (f->state == 0)
		tr_analyse(f, which);
	if (f->state < 0 || !fast_ok(u))
		return 0;
	if ((t = tr_get(which, err, errlen)) == NULL)
		return -1;
	ocap = u->len * 4 + 16;
	if ((o = malloc(sizeof(UChar) * (size_t)ocap)) == NULL)
		goto nomem;
	while (i < u->len) {
		at = i;
		U16_NEXT(u->s, i, u->len, c);
		free(w);
		w = NULL;
		if (is_trigger(f, c)) {
			i = window_end(f, u, at);
			n = window_trans(t, u, at, i, &w);
			p = w;
		} else
			n = cache_get(&f->c, t, c, &p);
		if (n < 0) {
			free(w);
			free(o);
			return 0;
		}
		if (olen + n > ocap) {
			ocap = (olen + n) * 2;
			if ((tmp = realloc(o, sizeof(UChar) * (size_t)ocap))
			    == NULL)
				goto nomem;
			o = tmp;
		}
		memcpy(o + olen, p, sizeof(UChar) * (size_t)n);
		olen += n;
	}
	free(w);
	free(u->s);
	u->s = o;
	u->len = olen;
	u->cap = ocap;
	return 1;
nomem:
	free(w);
	free(o);
	snprintf(err, errlen, "names: out of memory");
	return -1;
}

int
names_tr_run(struct names_ustr *u, enum names_tr which, char *err,
    size_t errlen)
{
	UTransliterator	*t;
	int		 fast = tr_whole ? 0 : ustr_trans_fast(u, (int)which, err,
	    errlen);

	if (fast != 0)
		return fast > 0 ? 0 : -1;
	if ((t = tr_get((int)which, err, errlen)) == NULL)
		return -1;
	return ustr_trans(u, t, err, errlen);
}
