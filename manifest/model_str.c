/*
 * model_str.c -- the model's strings: every value a parser hands the
 * model is trimmed, made valid UTF-8 and NFC-normalised, and copied into
 * the train's arena; codes and other values that repeat are shared, one
 * copy per distinct value (the train's strset, a small cache of the ones
 * met last in front of it).
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "arena.h"
#include "bytes.h"
#include "model.h"
#include "model_str.h"
#include "strset.h"
#include "util.h"

/* Strings up to this length are shared (manifest_str). */
#define MODEL_SHARED_MAX 12
/* Entries of the cache of recently shared strings (a power of two). */
#define MODEL_RECENT 256
_Static_assert(MODEL_RECENT == 1 << 8, "intern() indexes with 8 bits");

/*
 * The shared strings met last, by a hash of their length and end bytes:
 * a parser asks for the same few codes (currency, package type, country,
 * equipment number) item after item, and a hit here costs a fraction of
 * a lookup in the train's map of strings.
 */
struct manifest_recent {
	const char	*s[MODEL_RECENT];	/* arena copies, NUL-terminated */
	size_t		 len[MODEL_RECENT];
};

/* The train's shared strings, empty. */
void
model_str_init(struct manifest_train *t)
{
	t->strings = strset_new();
	t->recent = arena_zalloc(t->arena, sizeof *t->recent);
}

/* Frees the set (the strings are the arena's). */
void
model_str_clear(struct manifest_train *t)
{
	strset_free(t->strings);
	t->strings = NULL;
}

/* True for the bytes manifest_str() trims. */
static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool normalise(const char *, size_t, char **, const char **, size_t *,
    bool *);

/*
 * normalise() of b, a rewrite of the input (consumed): where the result
 * is a view into b, b's bytes become *tmp for the caller to free.
 */
static bool
normalise_rewritten(struct buf *b, char **tmp, const char **out,
    size_t *outlen, bool *ascii)
{
	bool	ok = normalise(b->data, b->len, tmp, out, outlen, ascii);

	if (*tmp == NULL && ok)
		*tmp = buf_steal(b, NULL);	/* *out points into it */
	else
		buf_free(b);
	return ok;
}

/*
 * normalise() of s with every NUL byte as U+FFFD: a NUL inside a value
 * would end the C string there, and what follows it would be dropped
 * without a word.
 */
static bool
normalise_nul(const char *s, size_t len, char **tmp, const char **out,
    size_t *outlen, bool *ascii)
{
	struct buf	 b = { 0 };
	const char	*z;
	size_t		 i, k;

	for (i = 0; i < len; i = k + 1) {
		z = memchr(s + i, '\0', len - i);
		k = z != NULL ? (size_t)(z - s) : len;
		buf_add(&b, s + i, k - i);
		if (z != NULL)
			buf_add_str(&b, "\xef\xbf\xbd");
	}
	return normalise_rewritten(&b, tmp, out, outlen, ascii);
}

/*
 * The text of s, trimmed and NFC-normalised, in (*out, *outlen): a view
 * into s when it is ASCII (already NFC), else into *tmp (utf8proc's
 * malloc'd result, the caller frees it).  Invalid UTF-8 and NUL become
 * U+FFFD.  Returns false when nothing is left.  *ascii tells which case
 * it was.
 */
static bool
normalise(const char *s, size_t len, char **tmp, const char **out,
    size_t *outlen, bool *ascii)
{
	utf8proc_uint8_t	*nfc = NULL;
	utf8proc_ssize_t	 n;
	size_t			 i;
	bool			 a;

	*tmp = NULL;
	while (len > 0 && is_space((unsigned char)s[0]))
		s++, len--;
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return false;
	if (memchr(s, '\0', len) != NULL)
		return normalise_nul(s, len, tmp, out, outlen, ascii);
	/* Any high bit means UTF-8 to normalise. */
	a = manifest_text_is_ascii(s, len);
	*ascii = a;
	if (a) {	/* ASCII is already NFC: the common, fast case */
		*out = s;
		*outlen = len;
		return true;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &nfc,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		struct buf	 b = { 0 };
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		/* Invalid UTF-8: keep what decodes, U+FFFD for the rest. */
		for (i = 0; i < len; i += k > 0 ? (size_t)k : 1) {
			k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
			    (utf8proc_ssize_t)(len - i), &cp);
			if (k > 0)
				buf_add(&b, s + i, (size_t)k);
			else
				buf_add_str(&b, "\xef\xbf\xbd");
		}
		return normalise_rewritten(&b, tmp, out, outlen, ascii);
	}
	*tmp = (char *)nfc;
	*out = *tmp;
	*outlen = (size_t)n;
	return true;
}

/* The train's one copy of text (len bytes, len > 0), made on first use. */
static const char *
intern(struct manifest_train *t, const char *text, size_t len)
{
	struct manifest_recent	*rc = t->recent;
	const char		*r;
	size_t			 i;

	/* Length and end bytes, mixed by a multiply; the top bits index. */
	i = (uint32_t)(((uint32_t)len << 16 | (unsigned char)text[0] << 8 |
	    (unsigned char)text[len - 1]) * 0x9e3779b1U) >> 24;
	if (rc->len[i] == len && manifest_bytes_equal(rc->s[i], text, len))
		return rc->s[i];
	r = strset_intern(t->strings, t->arena, text, len);
	rc->s[i] = r;
	rc->len[i] = len;
	return r;
}

/* Which copies model_str() shares with equal strings of the train. */
enum model_sharing {
	MODEL_SHORT,		/* short ASCII shared, the rest copied */
	MODEL_SHARED,		/* always shared */
	MODEL_UNIQUE,		/* never shared */
};

/*
 * Trimmed, NFC-normalised arena copy; NULL if empty.  Shared (one copy per
 * distinct value) as sharing says: by default short ASCII is, since codes
 * repeat a million times in a big train.
 */
static const char *
model_str(struct manifest_train *t, const char *s, size_t len,
    enum model_sharing sharing)
{
	const char	*text, *r;
	char		*tmp;
	size_t		 n;
	bool		 ascii;

	/* ASCII with nothing to trim, the common case: the text as it is. */
	if (len > 0 && (unsigned char)s[0] > ' ' &&
	    (unsigned char)s[len - 1] > ' ' && manifest_text_is_ascii(s, len) &&
	    memchr(s, '\0', len) == NULL) {
		text = s;
		n = len;
		ascii = true;
		tmp = NULL;
	} else if (!normalise(s, len, &tmp, &text, &n, &ascii))
		return NULL;
	if (sharing == MODEL_SHARED || (sharing == MODEL_SHORT && ascii &&
	    n <= MODEL_SHARED_MAX))
		r = intern(t, text, n);
	else
		r = arena_strndup(t->arena, text, n);
	if (tmp != NULL)
		free(tmp);
	return r;
}

const char *
manifest_str(struct manifest_train *t, const char *s, size_t len)
{
	return model_str(t, s, len, MODEL_SHORT);
}

const char *
manifest_str_shared(struct manifest_train *t, const char *s, size_t len)
{
	return model_str(t, s, len, MODEL_SHARED);
}

const char *
manifest_str_unique(struct manifest_train *t, const char *s, size_t len)
{
	return model_str(t, s, len, MODEL_UNIQUE);
}
