/*
 * peer_msg.c -- sealing the messages of the neighbouring customs link,
 * and building their envelopes (see peer_msg.h); peer_msg_open.c opens
 * and verifies what the neighbour sends.
 *
 * What is signed.  X-Railgate-Signature is the base64 (standard alphabet,
 * padded) of the sending service's Ed25519 signature of these six lines,
 * each ended by one LF, nothing before or after:
 *
 *	railgate-peer-v1
 *	<X-Railgate-Message-Id>
 *	<X-Railgate-Message-Type>
 *	<X-Railgate-Timestamp>
 *	<X-Railgate-Sender>
 *	<lower-case hex of the SHA-256 of the body as sent: the gzip bytes>
 *
 * The header values are signed as sent, and each has exactly one accepted
 * spelling, so that the receiver rebuilds the same bytes and nothing can
 * be re-spelt past the signature: the id a lower-case 8-4-4-4-12 UUID,
 * the type one of the four names, the timestamp decimal Unix seconds
 * without sign or leading zeros, the sender 1..64 printable ASCII
 * characters without spaces.  None can hold an LF, so no value can spill
 * into the next line.  The first line keeps these signatures apart from
 * anything else the station's key signs (release notices).  The signature
 * covers the compressed body rather than the envelope so that the
 * receiver verifies before it inflates or parses anything: bytes from an
 * unauthenticated sender never reach zlib or jansson.
 *
 * 1..64 bytes of UTF-8 without control characters: jansson has checked
 * the UTF-8 and refuses \u0000 unless asked.
 *
 * Ownership: a peer_sealed or peer_opened owns every pointer in it; on
 * failure the output is left cleared, so clearing it again is harmless.
 * Pure functions; any thread.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "manifest/util.h"

#include "daemon/http/http.h"

#include "daemon/peer/peer_msg.h"
#include "daemon/sign.h"

#define PEER_SIGN_VERSION	"railgate-peer-v1"
#define PEER_SENDER_MAX		64
/*
 * Level 1 rather than zlib's default 6: on a generated 50 MB XML manifest
 * zlib compressed it in 74 ms rather than 164 ms, for 2.4 MB rather than
 * 1.7 MB (bench/peer_msg.sh); libdeflate's level 1 (http_gzip) seals it
 * in 84 ms against zlib's 133-137 ms, for 2.05 MB.  The link between two
 * border stations moves the extra megabyte faster than a higher level
 * would save it; the clearance clock is the scarce thing.
 */
#define PEER_GZIP_LEVEL		1

static const char *peer_type_names[] = {
	[PEER_PRE_ARRIVAL] = "pre_arrival",
	[PEER_CONTROL_RESULTS] = "control_results",
	[PEER_RELEASE_ACK] = "release_ack",
	[PEER_CHECKPOINT] = "checkpoint",
};

static int	 peer_is_sender(const char *);

/* The header spelling of t; NULL for no type. */
const char *
peer_msg_type_name(enum peer_msg_type t)
{
	if ((size_t)t >= nitems(peer_type_names))
		return NULL;
	return peer_type_names[t];
}

/* The type named name; 0, or -1. */
int
peer_msg_type_parse(const char *name, enum peer_msg_type *t)
{
	size_t	i;

	for (i = 0; i < nitems(peer_type_names); i++) {
		if (strcmp(name, peer_type_names[i]) == 0) {
			*t = (enum peer_msg_type)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Sixteen random bytes as a version 4 UUID.  Without randomness the ids
 * could repeat, and a repeated id is a message silently dropped as a
 * duplicate by the receiver: abort, as on out of memory.
 */
void
peer_msg_new_id(char id[37])
{
	unsigned char	r[16];

	if (RAND_bytes(r, sizeof r) != 1)
		abort();
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(id, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

/* Whether s is a UUID in its lower-case 8-4-4-4-12 form. */
int
peer_msg_is_uuid(const char *s)
{
	size_t	i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isdigit((unsigned char)s[i]) &&
		    (s[i] < 'a' || s[i] > 'f'))
			return 0;
	}
	return s[36] == '\0';
}

/* Whether s can be a sender: 1..64 printable ASCII, no spaces. */
static int
peer_is_sender(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] <= 0x20 || s[n] >= 0x7f)
			return 0;
	}
	return n >= 1 && n <= PEER_SENDER_MAX;
}

/* The bytes the signature covers (see the top of this file); caller frees. */
char *
peer_msg_signed_text(const char *id, const char *type, int64_t timestamp,
    const char *sender, const void *body, size_t len)
{
	unsigned char	md[32];
	unsigned int	mdlen = sizeof md;
	char		hex[65];

	if (EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return NULL;
	hex_encode(md, sizeof md, hex);
	return xasprintf("%s\n%s\n%s\n%" PRId64 "\n%s\n%s\n", PEER_SIGN_VERSION,
	    id, type, timestamp, sender, hex);
}

/* Compresses, then signs through peer_msg_reseal. */
int
peer_msg_seal(const struct sign_key *k, const char *sender,
    enum peer_msg_type type, const char *id, int64_t timestamp,
    const char *json, size_t len, struct peer_sealed *out)
{
	const char	*name = peer_msg_type_name(type);

	memset(out, 0, sizeof *out);
	if (name == NULL || !peer_msg_is_uuid(id) || !peer_is_sender(sender) ||
	    timestamp < 0)
		return -1;
	if ((out->body = http_gzip(json, len, PEER_GZIP_LEVEL,
	    &out->len)) == NULL)
		return -1;
	memcpy(out->id, id, sizeof out->id);
	snprintf(out->type, sizeof out->type, "%s", name);
	out->sender = xstrdup(sender);
	if (peer_msg_reseal(k, timestamp, out) == -1) {
		peer_sealed_clear(out);
		return -1;
	}
	return 0;
}

/* Signs m as sent at timestamp; the old signature is kept on failure. */
int
peer_msg_reseal(const struct sign_key *k, int64_t timestamp,
    struct peer_sealed *m)
{
	char	*text, *sig;

	if (timestamp < 0)
		return -1;
	text = peer_msg_signed_text(m->id, m->type, timestamp, m->sender, m->body,
	    m->len);
	if (text == NULL)
		return -1;
	sig = sign_ed25519(k, text, strlen(text));
	free(text);
	if (sig == NULL)
		return -1;
	free(m->signature);
	m->signature = sig;
	m->timestamp = timestamp;
	return 0;
}

/* Frees what m owns; m is left empty. */
void
peer_sealed_clear(struct peer_sealed *m)
{
	free(m->sender);
	free(m->signature);
	free(m->body);
	memset(m, 0, sizeof *m);
}

/* JSON text that must be an array, parsed; NULL otherwise. */
static json_t *
peer_array(const char *text)
{
	json_t	*a = text != NULL ? json_loads(text, JSON_REJECT_DUPLICATES,
		    NULL) : NULL;

	if (a != NULL && !json_is_array(a)) {
		json_decref(a);
		a = NULL;
	}
	return a;
}

/* o as compact JSON text (caller frees), o released; NULL for NULL. */
static char *
peer_dump(json_t *o)
{
	char	*text;

	if (o == NULL)
		return NULL;
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* {service, train, decision, manifest, seals, controls}. */
char *
peer_msg_pre_arrival(const char *service, const char *train,
    const char *decision, const char *manifest_xml, size_t manifest_len,
    const char *seals, const char *controls)
{
	json_t	*s = peer_array(seals), *c = peer_array(controls), *m = NULL;

	if (manifest_xml != NULL)
		m = json_stringn(manifest_xml, manifest_len);
	if (service == NULL || train == NULL || decision == NULL || s == NULL ||
	    c == NULL || m == NULL) {
		json_decref(s);
		json_decref(c);
		json_decref(m);
		return NULL;
	}
	/* "o" hands each reference to the object, even on failure. */
	return peer_dump(json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
	    "service", service, "train", train, "decision", decision,
	    "manifest", m, "seals", s, "controls", c));
}

/* {service, train, seals, controls}. */
char *
peer_msg_control_results(const char *service, const char *train,
    const char *seals, const char *controls)
{
	json_t	*s = peer_array(seals), *c = peer_array(controls);

	if (service == NULL || train == NULL || s == NULL || c == NULL) {
		json_decref(s);
		json_decref(c);
		return NULL;
	}
	return peer_dump(json_pack("{s:s, s:s, s:o, s:o}", "service", service,
	    "train", train, "seals", s, "controls", c));
}

/* {service, train, ack_of, decision}. */
char *
peer_msg_release_ack(const char *service, const char *train,
    const char *ack_of, const char *decision)
{
	if (service == NULL || train == NULL || ack_of == NULL ||
	    decision == NULL)
		return NULL;
	return peer_dump(json_pack("{s:s, s:s, s:s, s:s}", "service", service,
	    "train", train, "ack_of", ack_of, "decision", decision));
}

/* {service, checkpoint}. */
char *
peer_msg_checkpoint(const char *service, const char *checkpoint)
{
	json_t	*o = checkpoint != NULL ? json_loads(checkpoint,
		    JSON_REJECT_DUPLICATES, NULL) : NULL;

	if (service == NULL || !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return peer_dump(json_pack("{s:s, s:o}", "service", service,
	    "checkpoint", o));
}
