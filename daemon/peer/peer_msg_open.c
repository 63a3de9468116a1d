/*
 * peer_msg_open.c -- opening and verifying the messages the neighbouring
 * customs link receives (see peer_msg.h; what is signed, and how, is at
 * the top of peer_msg.c).
 *
 * Opening stops at the first failed check, in this order (status, cause):
 *  1. every header present: 400 "missing header NAME", but 401 for a
 *     missing X-Railgate-Signature (no credentials is an authentication
 *     failure, as peer_msg.h promises);
 *  2. Content-Encoding is gzip (case-insensitive): 400;
 *  3. the type is known: 400;  4. the id is a lower-case UUID: 400;
 *  5. the sender is expect_sender: 401 "sent by X, expected Y";
 *  6. the timestamp is decimal and within max_skew_s of now: 400
 *     "stale: N s old ..." or "from the future: N s ahead ...";
 *  7. the signature verifies with pub: 401;
 *  8. the body inflates (one gzip member, nothing after it) to at most
 *     max_size bytes: 413 past the limit, found without ever holding
 *     more than max_size + 1 bytes; 400 for corrupt or truncated gzip;
 *  9. the envelope is a JSON object, without duplicate keys (two parsers
 *     must not read one message two ways): 400 with line and column;
 * 10. its fields for the type: 400 naming the field ("seals[2].result").
 *     "service" and "train" always; "decision" for pre_arrival and
 *     release_ack; "manifest" and "seals", "controls" for pre_arrival;
 *     "seals", "controls" for control_results; "ack_of" for release_ack.
 *     "set_out" (the neighbour's set-out wagons) is optional on
 *     pre_arrival and control_results, checked like the others when
 *     present: [{"wagon", "position" (1..PEER_POSITION_MAX), "action"
 *     (INSPECT, HOLD, REFUSE)}].  Members not named for the type are
 *     ignored, so that a newer sender may add some.
 *     A checkpoint has no "train": "checkpoint", an object whose station
 *     is the sender, signed by the sender's key (the one that signed the
 *     message): 400 naming the member, 401 for a bad signature.
 *
 * A "printable" text field (train, equipment, seal number, sealed_by) is
 * 1..64 bytes of UTF-8 without control characters: jansson has checked
 * the UTF-8 and refuses \u0000 unless asked.
 *
 * Ownership: a peer_sealed or peer_opened owns every pointer in it; on
 * failure the output is left cleared, so clearing it again is harmless.
 * Pure functions; any thread.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <zlib.h>

#include "manifest/util.h"

#include "daemon/checkpoint.h"
#include "daemon/peer/peer_msg.h"
#include "daemon/sign.h"

#define PEER_TEXT_MAX		64
#define PEER_QUOTE_MAX		80
#define PEER_POSITION_MAX	10000	/* no train is that long */

static const char *peer_decisions[] = {
	"RELEASE", "PARTIAL_RELEASE", "HOLD", NULL
};

static const char *peer_control_results[] = {
	"inspected_clear", "scanned_clear", "scanned_suspect", "seal_broken",
	NULL
};

static const char *peer_set_out_actions[] = {
	"INSPECT", "HOLD", "REFUSE", NULL
};

static int	 peer_reject(int *, char **, int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	 peer_quote(const char *, char *, size_t);
static int	 peer_parse_timestamp(const char *, int64_t *);
static int	 peer_gunzip(const unsigned char *, size_t, size_t, char **,
		    size_t *, int *, char **);

/* Sets *status and *cause (formatted) and returns -1. */
static int
peer_reject(int *status, char **cause, int code, const char *fmt, ...)
{
	va_list	ap;

	*status = code;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Copies an untrusted value into q for a cause, control bytes as \xNN and
 * cut short with "...": causes end up in logs and replies.
 */
static void
peer_quote(const char *s, char *q, size_t size)
{
	size_t	n = 0;

	for (; *s != '\0' && n + 8 < size; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '\\')
			n += (size_t)snprintf(q + n, size - n, "\\x%02x",
			    (unsigned char)*s);
		else
			q[n++] = *s;
	}
	if (*s != '\0')
		n += (size_t)snprintf(q + n, size - n, "...");
	q[n] = '\0';
}

/* Decimal Unix seconds, no sign or leading zero; 0, or -1. */
static int
peer_parse_timestamp(const char *s, int64_t *ts)
{
	size_t	n;

	*ts = 0;
	for (n = 0; isdigit((unsigned char)s[n]); n++) {
		if (n >= 18)
			return -1;
		*ts = *ts * 10 + (s[n] - '0');
	}
	if (n == 0 || s[n] != '\0' || (s[0] == '0' && n > 1))
		return -1;
	return 0;
}

/*
 * Inflates one gzip member into *out (caller frees, NUL-terminated),
 * never holding more than max + 1 bytes: a bomb is refused as soon as
 * its output passes the limit, after a few milliseconds of work rather
 * than after exhausting memory.  0; -1 with 413 or 400 and *cause.
 */
static int
peer_gunzip(const unsigned char *in, size_t len, size_t max, char **out,
    size_t *outlen, int *status, char **cause)
{
	z_stream	 zs;
	size_t		 limit, cap, used = 0, done = 0, step, room;
	const char	*why;
	char		*b;
	int		 rc;

	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	limit = max + 1;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return peer_reject(status, cause, 500, "body: zlib fails");
	cap = len < limit / 4 ? 4 * len + 4096 : limit;
	cap = cap < limit ? cap : limit;
	b = xmalloc(cap + 1);
	for (;;) {
		if (used == cap) {
			if (cap == limit)
				break;
			cap = cap < limit / 2 ? 2 * cap : limit;
			b = xreallocarray(b, 1, cap + 1);
		}
		step = len - done < PEER_ZCHUNK ? len - done : PEER_ZCHUNK;
		room = cap - used < PEER_ZCHUNK ? cap - used : PEER_ZCHUNK;
		zs.next_in = (Bytef *)(uintptr_t)(in + done);
		zs.avail_in = (uInt)step;
		zs.next_out = (Bytef *)b + used;
		zs.avail_out = (uInt)room;
		rc = inflate(&zs, Z_NO_FLUSH);
		done += step - zs.avail_in;
		used += room - zs.avail_out;
		if (rc != Z_OK)
			break;
	}
	why = rc == Z_BUF_ERROR ? "gzip data is truncated" :
	    rc == Z_STREAM_END ? "bytes after the gzip member" :
	    zs.msg != NULL ? zs.msg : "not gzip data";
	inflateEnd(&zs);
	if (used == limit) {
		free(b);
		return peer_reject(status, cause, 413,
		    "body: inflates to more than %zu bytes", max);
	}
	if (rc != Z_STREAM_END || done != len) {
		free(b);
		return peer_reject(status, cause, 400, "body: not valid gzip: %s",
		    why);
	}
	b[used] = '\0';
	*out = b;
	*outlen = used;
	return 0;
}

/*
 * The header checks, steps 1 to 7 at the top of this file; on success
 * fills out's type, id, timestamp and sender.
 */
static int
peer_open_headers(const struct sign_key *pub, const char *expect_sender,
    const struct peer_wire *w, int64_t now, int max_skew_s,
    struct peer_opened *out, int *status, char **cause)
{
	const char	*names[] = { PEER_HDR_ID, PEER_HDR_TYPE,
			    PEER_HDR_TIMESTAMP, PEER_HDR_SENDER,
			    "Content-Encoding", PEER_HDR_SIGNATURE };
	const char	*values[] = { w->id, w->type, w->timestamp, w->sender,
			    w->content_encoding, w->signature };
	char		 q[PEER_QUOTE_MAX], q2[PEER_QUOTE_MAX], *text;
	int64_t		 ts, age;
	size_t		 i;
	int		 ok;

	for (i = 0; i < nitems(names); i++) {
		if (values[i] == NULL)
			return peer_reject(status, cause, i ==
			    nitems(names) - 1 ? 401 : 400, "missing header %s",
			    names[i]);
	}
	peer_quote(w->content_encoding, q, sizeof q);
	if (strcasecmp(w->content_encoding, "gzip") != 0)
		return peer_reject(status, cause, 400,
		    "Content-Encoding: \"%s\", not gzip", q);
	peer_quote(w->type, q, sizeof q);
	if (peer_msg_type_parse(w->type, &out->type) == -1)
		return peer_reject(status, cause, 400,
		    "%s: unknown type \"%s\"", PEER_HDR_TYPE, q);
	peer_quote(w->id, q, sizeof q);
	if (!peer_msg_is_uuid(w->id))
		return peer_reject(status, cause, 400,
		    "%s: \"%s\" is not a lower-case UUID", PEER_HDR_ID, q);
	peer_quote(w->sender, q, sizeof q);
	peer_quote(expect_sender, q2, sizeof q2);
	if (strcmp(w->sender, expect_sender) != 0)
		return peer_reject(status, cause, 401,
		    "%s: sent by \"%s\", expected \"%s\"", PEER_HDR_SENDER, q, q2);
	peer_quote(w->timestamp, q, sizeof q);
	if (peer_parse_timestamp(w->timestamp, &ts) == -1)
		return peer_reject(status, cause, 400,
		    "%s: \"%s\" is not decimal Unix seconds", PEER_HDR_TIMESTAMP, q);
	age = now - ts;
	if (max_skew_s < 0)
		max_skew_s = 0;
	if (age > max_skew_s)
		return peer_reject(status, cause, 400, "%s: stale: %" PRId64
		    " s old, more than %d s", PEER_HDR_TIMESTAMP, age, max_skew_s);
	if (-age > max_skew_s)
		return peer_reject(status, cause, 400, "%s: from the future: %"
		    PRId64 " s ahead, more than %d s", PEER_HDR_TIMESTAMP, -age,
		    max_skew_s);
	text = peer_msg_signed_text(w->id, w->type, ts, w->sender, w->body, w->len);
	ok = text != NULL && sign_ed25519_verify(pub, text, strlen(text),
	    w->signature) == 0;
	free(text);
	if (!ok)
		return peer_reject(status, cause, 401,
		    "%s: does not verify with the key of \"%s\"",
		    PEER_HDR_SIGNATURE, q2);
	memcpy(out->id, w->id, sizeof out->id);
	out->timestamp = ts;
	out->sender = xstrdup(w->sender);
	return 0;
}

/* Whether s is 1..64 bytes without control characters. */
static int
peer_is_printable(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return 0;
	}
	return n >= 1 && n <= PEER_TEXT_MAX;
}

/* Whether s is one of the NULL-terminated list. */
static int
peer_is_one_of(const char *s, const char **list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

/*
 * Member key of o as a string.  what says what else it must be: "text"
 * (printable, see the top), "uuid", or NULL (any string).  NULL with a
 * cause naming the field as path.key.
 */
static const char *
peer_field(json_t *o, const char *path, const char *key, const char *what,
    char **cause)
{
	json_t		*v = json_object_get(o, key);
	const char	*s = json_string_value(v);

	if (v == NULL)
		*cause = xasprintf("envelope: field \"%s%s\" is missing", path, key);
	else if (s == NULL)
		*cause = xasprintf("envelope: field \"%s%s\" must be a string",
		    path, key);
	else if (what != NULL && strcmp(what, "text") == 0 &&
	    !peer_is_printable(s))
		*cause = xasprintf("envelope: field \"%s%s\" must be 1 to %d "
		    "characters without control characters", path, key,
		    PEER_TEXT_MAX);
	else if (what != NULL && strcmp(what, "uuid") == 0 && !peer_msg_is_uuid(s))
		*cause = xasprintf("envelope: field \"%s%s\" must be a lower-case "
		    "UUID", path, key);
	else
		return s;
	return NULL;
}

/* As peer_field, then one of list (described by names). */
static const char *
peer_field_enum(json_t *o, const char *path, const char *key,
    const char **list, const char *names, char **cause)
{
	const char	*s = peer_field(o, path, key, NULL, cause);

	if (s != NULL && !peer_is_one_of(s, list)) {
		*cause = xasprintf("envelope: field \"%s%s\" must be one of %s",
		    path, key, names);
		return NULL;
	}
	return s;
}

/*
 * One element of "seals" or "controls" checked and copied with only the
 * members the neighbour file knows; NULL with *cause.
 */
static json_t *
peer_entry(json_t *o, const char *path, int is_seal, char **cause)
{
	const char	*eq, *v, *by = NULL;
	char		 p[72];

	if (!json_is_object(o)) {
		*cause = xasprintf("envelope: field \"%s\" must be an object",
		    path);
		return NULL;
	}
	snprintf(p, sizeof p, "%s.", path);
	if ((eq = peer_field(o, p, "equipment", "text", cause)) == NULL)
		return NULL;
	if (!is_seal) {
		v = peer_field_enum(o, p, "result", peer_control_results,
		    "inspected_clear, scanned_clear, scanned_suspect, "
		    "seal_broken", cause);
		return v == NULL ? NULL :
		    json_pack("{s:s, s:s}", "equipment", eq, "result", v);
	}
	if ((v = peer_field(o, p, "number", "text", cause)) == NULL)
		return NULL;
	if (json_object_get(o, "sealed_by") != NULL &&
	    (by = peer_field(o, p, "sealed_by", "text", cause)) == NULL)
		return NULL;
	if (by == NULL)
		return json_pack("{s:s, s:s}", "equipment", eq, "number", v);
	return json_pack("{s:s, s:s, s:s}", "equipment", eq, "number", v,
	    "sealed_by", by);
}

/*
 * One element of "set_out": a wagon the neighbour set out, its position
 * in the train and the action, copied with only those members; NULL with
 * *cause.
 */
static json_t *
peer_set_out_entry(json_t *o, const char *path, char **cause)
{
	const char	*wagon, *action;
	json_t		*pos;
	char		 p[72];

	if (!json_is_object(o)) {
		*cause = xasprintf("envelope: field \"%s\" must be an object",
		    path);
		return NULL;
	}
	snprintf(p, sizeof p, "%s.", path);
	if ((wagon = peer_field(o, p, "wagon", "text", cause)) == NULL)
		return NULL;
	pos = json_object_get(o, "position");
	if (!json_is_integer(pos) || json_integer_value(pos) < 1 ||
	    json_integer_value(pos) > PEER_POSITION_MAX) {
		*cause = xasprintf("envelope: field \"%sposition\" must be an "
		    "integer from 1 to %d", p, PEER_POSITION_MAX);
		return NULL;
	}
	if ((action = peer_field_enum(o, p, "action", peer_set_out_actions,
	    "INSPECT, HOLD, REFUSE", cause)) == NULL)
		return NULL;
	return json_pack("{s:s, s:I, s:s}", "wagon", wagon, "position",
	    json_integer_value(pos), "action", action);
}

/*
 * The checked copy of env's array key ("seals", "controls" or "set_out");
 * NULL with *cause.
 */
static json_t *
peer_entries(json_t *env, const char *key, char **cause)
{
	json_t	*a = json_object_get(env, key), *copy, *e, *o;
	char	 path[64];
	size_t	 i;

	if (!json_is_array(a)) {
		*cause = xasprintf("envelope: field \"%s\" %s", key, a == NULL ?
		    "is missing" : "must be an array");
		return NULL;
	}
	copy = json_array();
	json_array_foreach(a, i, e) {
		snprintf(path, sizeof path, "%s[%zu]", key, i);
		o = strcmp(key, "set_out") == 0 ?
		    peer_set_out_entry(e, path, cause) :
		    peer_entry(e, path, strcmp(key, "seals") == 0, cause);
		if (o == NULL) {
			json_decref(copy);
			return NULL;
		}
		json_array_append_new(copy, o);
	}
	return copy;
}

/*
 * The neighbour file text of an opened message (caller frees); set_out
 * only when the message had one, so that a message without it is stored
 * as before.
 */
static char *
peer_neighbour(const struct peer_opened *m, json_t *seals, json_t *controls,
    json_t *set_out)
{
	json_t	*o = json_pack("{s:s, s:s}", "service", m->sender, "train",
		    m->train);
	char	*text;

	if (m->decision != NULL)
		json_object_set_new(o, "decision", json_string(m->decision));
	json_object_set(o, "seals", seals);
	json_object_set(o, "controls", controls);
	if (set_out != NULL)
		json_object_set(o, "set_out", set_out);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/*
 * The members every type has, then the type's own (step 10 at the top);
 * fills out's train, decision, manifest, ack_of and neighbour.  0, or -1
 * with *cause.
 */
static int
peer_open_fields(json_t *env, struct peer_opened *out, char **cause)
{
	json_t		*seals = NULL, *controls = NULL, *set_out = NULL;
	const char	*service, *train, *decision = NULL, *ack_of = NULL;
	const char	*manifest = NULL;
	char		 q[PEER_QUOTE_MAX];
	int		 rc = -1;

	if ((service = peer_field(env, "", "service", NULL, cause)) == NULL ||
	    (train = peer_field(env, "", "train", "text", cause)) == NULL)
		return -1;
	if (strcmp(service, out->sender) != 0) {
		peer_quote(service, q, sizeof q);
		*cause = xasprintf("envelope: field \"service\" is \"%s\", not "
		    "the sender", q);
		return -1;
	}
	if (out->type != PEER_CONTROL_RESULTS && (decision = peer_field_enum(
	    env, "", "decision", peer_decisions, "RELEASE, PARTIAL_RELEASE, "
	    "HOLD", cause)) == NULL)
		return -1;
	if (out->type == PEER_PRE_ARRIVAL && (manifest = peer_field(env, "",
	    "manifest", NULL, cause)) == NULL)
		return -1;
	if (out->type == PEER_RELEASE_ACK && (ack_of = peer_field(env, "",
	    "ack_of", "uuid", cause)) == NULL)
		return -1;
	if (out->type != PEER_RELEASE_ACK &&
	    ((seals = peer_entries(env, "seals", cause)) == NULL ||
	    (controls = peer_entries(env, "controls", cause)) == NULL))
		goto done;
	if (out->type != PEER_RELEASE_ACK &&
	    json_object_get(env, "set_out") != NULL &&
	    (set_out = peer_entries(env, "set_out", cause)) == NULL)
		goto done;
	out->train = xstrdup(train);
	out->decision = decision != NULL ? xstrdup(decision) : NULL;
	out->ack_of = ack_of != NULL ? xstrdup(ack_of) : NULL;
	if (manifest != NULL) {
		out->manifest_len = json_string_length(json_object_get(env,
		    "manifest"));
		out->manifest = xmalloc(out->manifest_len + 1);
		memcpy(out->manifest, manifest, out->manifest_len + 1);
	}
	if (seals != NULL)
		out->neighbour = peer_neighbour(out, seals, controls, set_out);
	rc = 0;
done:
	json_decref(seals);
	json_decref(controls);
	json_decref(set_out);
	return rc;
}

/*
 * A checkpoint's envelope: {service, checkpoint}, the checkpoint of the
 * sender's chain and signed with its key pub.  0, or -1 with *cause and
 * *status.
 */
static int
peer_open_checkpoint(json_t *env, const struct sign_key *pub,
    struct peer_opened *out, int *status, char **cause)
{
	const char	*service, *why;

	*status = 400;
	if ((service = peer_field(env, "", "service", NULL, cause)) == NULL)
		return -1;
	if (strcmp(service, out->sender) != 0) {
		*cause = xasprintf("envelope: field \"service\" is not the "
		    "sender");
		return -1;
	}
	out->checkpoint = xcalloc(1, sizeof *out->checkpoint);
	if (checkpoint_from_json(json_object_get(env, "checkpoint"),
	    "envelope: checkpoint", out->checkpoint, cause) < 0)
		return -1;
	if (strcmp(out->checkpoint->station, out->sender) != 0) {
		*cause = xasprintf("envelope: checkpoint.station is not the "
		    "sender");
		return -1;
	}
	if (checkpoint_verify(out->checkpoint, pub, &why) < 0) {
		*status = 401;
		*cause = xasprintf("envelope: checkpoint: %s", why);
		return -1;
	}
	return 0;
}

/* Parses the inflated envelope and checks its fields; 0, or -1 with *cause. */
static int
peer_open_envelope(const struct sign_key *pub, struct peer_opened *out,
    int *status, char **cause)
{
	json_error_t	 err;
	json_t		*env;
	int		 rc;

	*status = 400;
	env = json_loadb(out->envelope, out->envelope_len,
	    JSON_REJECT_DUPLICATES, &err);
	if (env == NULL) {
		*cause = xasprintf("envelope: line %d, column %d: %s", err.line,
		    err.column, err.text);
		return -1;
	}
	if (!json_is_object(env)) {
		*cause = xasprintf("envelope: not a JSON object");
		rc = -1;
	} else if (out->type == PEER_CHECKPOINT)
		rc = peer_open_checkpoint(env, pub, out, status, cause);
	else
		rc = peer_open_fields(env, out, cause);
	json_decref(env);
	return rc;
}

/* Headers and signature, then the body, then the envelope. */
int
peer_msg_open(const struct sign_key *pub, const char *expect_sender,
    const struct peer_wire *w, int64_t now, int max_skew_s, size_t max_size,
    struct peer_opened *out, int *status, char **cause)
{
	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (peer_open_headers(pub, expect_sender, w, now, max_skew_s, out,
	    status, cause) == -1 ||
	    peer_gunzip(w->body, w->len, max_size, &out->envelope,
	    &out->envelope_len, status, cause) == -1)
		goto fail;
	if (peer_open_envelope(pub, out, status, cause) == -1)
		goto fail;
	return 0;
fail:
	peer_opened_clear(out);
	return -1;
}

/* Frees what m owns; m is left empty. */
void
peer_opened_clear(struct peer_opened *m)
{
	free(m->sender);
	free(m->train);
	free(m->decision);
	free(m->manifest);
	free(m->ack_of);
	free(m->neighbour);
	free(m->envelope);
	if (m->checkpoint != NULL) {
		checkpoint_clear(m->checkpoint);
		free(m->checkpoint);
	}
	memset(m, 0, sizeof *m);
}
