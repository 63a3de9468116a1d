/*
 * http_gzip.c -- the daemon's gzip bodies: answers sent gzip-compressed
 * to a client that accepts it (RFC 9110 section 12.5.3), for bodies the
 * daemon serves many times from one copy (compressed once, sent to every
 * reader), and the neighbour link's messages (peer_msg.c), in one call
 * to libdeflate.
 *
 * The train list every console polls is about 700 bytes a train, JSON
 * that gzip makes 25-30 times smaller.  Sent whole to 200 readers polling
 * as fast as they could, its copying through the sockets was a third of
 * the machine's CPU (issue 23): compressed, a reader costs a twentieth of
 * that, and a console on a slow station link gets its list sooner.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <libdeflate.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "manifest/util.h"

#include "daemon/http/http.h"
#include "daemon/http/http_int.h"

/* s past optional whitespace (OWS: spaces and tabs). */
static const char *
ows(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/*
 * The qvalue of one element's parameters [s, end) ("; q=0.5"): 0 to
 * 1000, 1000 without a q, -1 when they are not well formed (the element
 * is then not taken as acceptable).
 */
static int
element_weight(const char *s, const char *end)
{
	int	q = 1000, scale = 100;

	s = ows(s, end);
	if (s == end)
		return 1000;
	if (*s++ != ';')
		return -1;
	s = ows(s, end);
	if (end - s < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
		return -1;
	s += 2;
	if (*s != '0' && *s != '1')
		return -1;
	q = (*s++ - '0') * 1000;
	if (s < end && *s == '.')
		for (s++; s < end && *s >= '0' && *s <= '9' && scale > 0;
		    s++, scale /= 10)
			q += (*s - '0') * scale;
	s = ows(s, end);
	return s == end && q <= 1000 ? q : -1;
}

/* Whether [s, end) names the coding name (case-insensitive). */
static bool
coding_is(const char *s, const char *end, const char *name)
{
	size_t	n = strlen(name);

	return (size_t)(end - s) == n && strncasecmp(s, name, n) == 0;
}

/*
 * Folds one Accept-Encoding field value into *gzip and *any (the weight
 * of gzip, of "*"; -2: not named).
 */
static void
accept_fold(const char *v, int *gzip, int *any)
{
	const char	*end = v + strlen(v);

	while (v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *stop = comma != NULL ? comma : end;
		const char *name = ows(v, stop), *ne = name;
		int w;

		while (ne < stop && *ne != ';' && *ne != ' ' && *ne != '\t')
			ne++;
		w = element_weight(ne, stop);
		if (coding_is(name, ne, "gzip") || coding_is(name, ne, "x-gzip"))
			*gzip = w > *gzip ? w : *gzip;
		else if (coding_is(name, ne, "*"))
			*any = w > *any ? w : *any;
		v = comma != NULL ? comma + 1 : end;
	}
}

bool
http_gzip_acceptable(const char *const *values, size_t n)
{
	int	gzip = -2, any = -2;
	size_t	i;

	for (i = 0; i < n; i++)
		if (values[i] != NULL)
			accept_fold(values[i], &gzip, &any);
	/* gzip named decides, q=0 refusing it whatever "*" says. */
	return gzip != -2 ? gzip > 0 : any > 0;
}

bool
http_accepts_gzip(const struct http_ctx *c)
{
	const struct evkeyvalq	*h = evhttp_request_get_input_headers(c->req);
	const struct evkeyval	*kv;
	const char		*v[8];
	size_t			 n = 0;

	/* Every Accept-Encoding line counts, as one comma-joined list. */
	TAILQ_FOREACH(kv, h, next)
		if (strcasecmp(kv->key, "Accept-Encoding") == 0 &&
		    n < nitems(v))
			v[n++] = kv->value;
	return http_gzip_acceptable(v, n);
}

unsigned char *
http_gzip(const char *data, size_t len, int level, size_t *outlen)
{
	struct libdeflate_compressor	*z;
	unsigned char			*out;
	size_t				 cap;

	if ((z = libdeflate_alloc_compressor(level)) == NULL)
		return NULL;
	cap = libdeflate_gzip_compress_bound(z, len);
	out = xmalloc(cap);
	*outlen = libdeflate_gzip_compress(z, data, len, out, cap);
	libdeflate_free_compressor(z);
	if (*outlen == 0) {
		free(out);
		return NULL;
	}
	return out;
}

void
http_reply_json_either(struct http_ctx *c, int status, const char *json,
    size_t len, const unsigned char *gz, size_t gzlen)
{
	/* A cache between us and the client keeps the two apart. */
	http_add_header(c, "Vary", "Accept-Encoding");
	if (gz != NULL && http_accepts_gzip(c)) {
		http_add_header(c, "Content-Encoding", "gzip");
		http_reply(c, status, "application/json", (const char *)gz,
		    gzlen);
	} else
		http_reply_json(c, status, json, len);
}
