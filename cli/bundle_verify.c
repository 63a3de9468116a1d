/*
 * bundle_verify.c -- an evidence bundle checked offline (see bundle.h and
 * docs/evidence.md).  Every check runs, so that one report lists every
 * part at fault; each failure names the part ("manifests[0]: sha256
 * mismatch", "audit[17] seq 1234: hash does not follow", "checkpoint: bad
 * signature").  A bundle that is not one (not JSON, a part missing or of
 * the wrong type) is refused before any check, saying what and where.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "daemon/sign.h"

#include "cli/bundle.h"

/* Adds a failure line to r. */
void
bundle_fail(struct bundle_report *r, const char *fmt, ...)
{
	va_list	ap;
	char	line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	buf_add_str(&r->failures, line);
	buf_add_char(&r->failures, '\n');
	r->nfailures++;
}

/* Whether part is {encoding: base64|json, data: string, sha256: string}. */
static int
part_shape(json_t *part, const char *name, char **cause)
{
	const char	*enc = json_string_value(json_object_get(part, "encoding"));

	if (!json_is_object(part))
		*cause = xasprintf("part %s: not a JSON object", name);
	else if (enc == NULL || (strcmp(enc, "base64") != 0 &&
	    strcmp(enc, "json") != 0))
		*cause = xasprintf("part %s: \"encoding\" must be \"base64\" or "
		    "\"json\"", name);
	else if (!json_is_string(json_object_get(part, "data")))
		*cause = xasprintf("part %s: \"data\" missing or not a string",
		    name);
	else if (!json_is_string(json_object_get(part, "sha256")))
		*cause = xasprintf("part %s: \"sha256\" missing or not a string",
		    name);
	else
		return 0;
	return -1;
}

/* A member that must be an array of parts. */
static int
parts_shape(json_t *b, const char *key, char **cause)
{
	json_t	*a = json_object_get(b, key), *p;
	size_t	 i;
	char	 name[64];

	if (!json_is_array(a)) {
		*cause = xasprintf("part %s: %s", key, a == NULL ? "missing" :
		    "not an array");
		return -1;
	}
	json_array_foreach(a, i, p) {
		snprintf(name, sizeof name, "%s[%zu]", key, i);
		if (part_shape(p, name, cause) < 0)
			return -1;
	}
	return 0;
}

json_t *
bundle_load(const char *text, size_t len, char **cause)
{
	static const char	*single[] = { "events", "officer_actions",
				    "peer_messages", "audit", "checkpoint" };
	static const char	*arrays[] = { "manifests", "rulesets",
				    "decisions" };
	json_error_t		 err;
	json_t			*b;
	const char		*format;
	size_t			 i;

	b = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (b == NULL) {
		*cause = xasprintf("not a bundle: line %d, column %d, position "
		    "%d: %s", err.line, err.column, err.position, err.text);
		return NULL;
	}
	*cause = NULL;
	format = json_string_value(json_object_get(b, "format"));
	if (!json_is_object(b))
		*cause = xasprintf("not a bundle: the document is not a JSON "
		    "object");
	else if (format == NULL || strcmp(format, BUNDLE_FORMAT) != 0)
		*cause = xasprintf("not a bundle: \"format\" is not \"%s\"",
		    BUNDLE_FORMAT);
	else if (!json_is_integer(json_object_get(b, "train_id")))
		*cause = xasprintf("member train_id: missing or not an integer");
	for (i = 0; *cause == NULL && i < nitems(arrays); i++)
		(void)parts_shape(b, arrays[i], cause);
	for (i = 0; *cause == NULL && i < nitems(single); i++)
		(void)part_shape(json_object_get(b, single[i]), single[i], cause);
	if (*cause != NULL) {
		json_decref(b);
		return NULL;
	}
	return b;
}

int
bundle_part_bytes(json_t *part, const char *name, unsigned char **bytes,
    size_t *len, struct bundle_report *r)
{
	const char	*data = json_string_value(json_object_get(part, "data"));
	const char	*want = json_string_value(json_object_get(part, "sha256"));
	const char	*enc = json_string_value(json_object_get(part, "encoding"));
	char		 got[65];

	*bytes = NULL;
	if (strcmp(enc, "base64") == 0) {
		if ((*bytes = sign_unbase64(data, len)) == NULL && data[0] != '\0') {
			bundle_fail(r, "%s: data is not base64", name);
			return -1;
		}
		if (*bytes == NULL)
			*bytes = (unsigned char *)xstrdup("");
		(*bytes)[*len] = '\0';
	} else {
		*len = json_string_length(json_object_get(part, "data"));
		*bytes = xmalloc(*len + 1);
		memcpy(*bytes, data, *len + 1);
	}
	r->parts++;
	sha256_hex(*bytes, *len, got);
	if (strcmp(got, want) != 0)
		bundle_fail(r, "%s: sha256 mismatch (the data hash to %.16s..., "
		    "the part says %.16s...)", name, got, want);
	/* The bytes all the same: what is in them may say more. */
	return 0;
}

/* A part whose data is JSON text, parsed; NULL after a failure. */
json_t *
bundle_part_json(json_t *part, const char *name, struct bundle_report *r)
{
	unsigned char	*bytes;
	size_t		 len;
	json_error_t	 err;
	json_t		*j;

	if (bundle_part_bytes(part, name, &bytes, &len, r) < 0)
		return NULL;
	if ((j = json_loadb((char *)bytes, len, JSON_DECODE_ANY, &err)) == NULL)
		bundle_fail(r, "%s: data is not JSON (line %d, column %d: %s)", name,
		    err.line, err.column, err.text);
	free(bytes);
	return j;
}

char *
bundle_audit_text(json_t *rec)
{
	json_t		*tid = json_object_get(rec, "train_id");
	json_t		*rs = json_object_get(rec, "ruleset_sha256");
	const char	*at = json_string_value(json_object_get(rec, "at"));
	const char	*actor = json_string_value(json_object_get(rec, "actor"));
	const char	*action = json_string_value(json_object_get(rec, "action"));
	const char	*details = json_string_value(json_object_get(rec,
			    "details"));
	char		 tbuf[24] = "";

	if (!json_is_integer(json_object_get(rec, "seq")) || at == NULL ||
	    actor == NULL || action == NULL || details == NULL ||
	    !(json_is_null(tid) || json_is_integer(tid)) ||
	    !(json_is_null(rs) || json_is_string(rs)))
		return NULL;
	if (json_is_integer(tid))
		snprintf(tbuf, sizeof tbuf, "%lld",
		    (long long)json_integer_value(tid));
	return xasprintf("%lld\n%s\n%s\n%s\n%s\n%s\n%s",
	    (long long)json_integer_value(json_object_get(rec, "seq")), at,
	    actor, action, tbuf, details, json_is_string(rs) ?
	    json_string_value(rs) : "");
}

/* One record against the one before it (prev NULL: the first). */
static void
audit_link(json_t *rec, json_t *prev, size_t k, struct bundle_report *r)
{
	const char	*ph = json_string_value(json_object_get(rec, "prev_hash"));
	const char	*h = json_string_value(json_object_get(rec, "hash"));
	long long	 seq = json_integer_value(json_object_get(rec, "seq"));
	char		*text = bundle_audit_text(rec), *full, got[65];

	if (text == NULL || ph == NULL || h == NULL) {
		bundle_fail(r, "audit[%zu]: a member is missing or of the wrong type",
		    k);
		free(text);
		return;
	}
	if (prev != NULL && seq != json_integer_value(json_object_get(prev,
	    "seq")) + 1)
		bundle_fail(r, "audit[%zu] seq %lld: does not follow seq %lld", k, seq,
		    (long long)json_integer_value(json_object_get(prev, "seq")));
	else if (prev != NULL && strcmp(ph, json_string_value(json_object_get(
	    prev, "hash"))) != 0)
		bundle_fail(r, "audit[%zu] seq %lld: prev_hash does not link to seq "
		    "%lld", k, seq, seq - 1);
	full = xasprintf("%s\n%s", ph, text);
	sha256_hex(full, strlen(full), got);
	if (strcmp(got, h) != 0)
		bundle_fail(r, "audit[%zu] seq %lld: hash does not follow", k, seq);
	else
		r->records++;
	free(full);
	free(text);
}

void
bundle_audit_check(json_t *records, long long cp_seq, const char *cp_hash,
    struct bundle_report *r)
{
	json_t	*rec, *last;
	size_t	 k, n = json_array_size(records);

	if (!json_is_array(records) || n == 0) {
		bundle_fail(r, "audit: no records");
		return;
	}
	json_array_foreach(records, k, rec) {
		audit_link(rec, k > 0 ? json_array_get(records, k - 1) : NULL, k,
		    r);
	}
	if (cp_hash == NULL)
		return;
	last = json_array_get(records, n - 1);
	if (json_integer_value(json_object_get(last, "seq")) != cp_seq ||
	    json_string_value(json_object_get(last, "hash")) == NULL ||
	    strcmp(json_string_value(json_object_get(last, "hash")), cp_hash) != 0)
		bundle_fail(r, "checkpoint: seq %lld is not the last audit record's "
		    "(audit[%zu] seq %lld)", cp_seq, n - 1,
		    (long long)json_integer_value(json_object_get(last, "seq")));
}

void
bundle_report_clear(struct bundle_report *r)
{
	buf_free(&r->failures);
	memset(r, 0, sizeof *r);
}
