/*
 * cmd_submit.c -- `railgate submit [--token T] [--key K] URL FILE...`:
 * posts manifests to a daemon's POST /v1/manifests, as a railway
 * operator's system would, and prints each answer.
 *
 * The token comes from --token or RAILGATE_TOKEN (never a default).  One
 * request per file, in order, on libevent's HTTP client; a 2xx answer is
 * printed on stdout, anything else on stderr.  Exit: 0 when every file was
 * accepted, 65 when the daemon refused one (4xx), 69 when it could not be
 * reached or failed (5xx), 66 for a missing file, 64 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "manifest/util.h"

#include "cli/cmd.h"

#define SUBMIT_TIMEOUT_S	120

struct submit {
	struct event_base	*base;
	int			 status;	/* HTTP status; -1: no answer */
	struct buf		 body;
	char			 location[256];
};

static void
submit_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate submit [--token TOKEN] [--key KEY] URL FILE...\n"
	    "Posts each manifest to URL (e.g. http://127.0.0.1:8080) as\n"
	    "POST /v1/manifests.  The token is --token or $RAILGATE_TOKEN;\n"
	    "--key sets Idempotency-Key (one file only).\n"
	    "Exit: 0 accepted, 65 refused, 69 unreachable or failed, 66 no "
	    "file.\n");
}

/* The answer, or the connection's failure (req NULL). */
static void
submit_cb(struct evhttp_request *req, void *arg)
{
	struct submit	*s = arg;
	struct evbuffer	*in;
	const char	*loc;
	size_t		 n;

	if (req != NULL && evhttp_request_get_response_code(req) != 0) {
		s->status = evhttp_request_get_response_code(req);
		in = evhttp_request_get_input_buffer(req);
		n = evbuffer_get_length(in);
		buf_reserve(&s->body, n);
		evbuffer_remove(in, s->body.data, n);
		s->body.len = n;
		s->body.data[n] = '\0';
		loc = evhttp_find_header(evhttp_request_get_input_headers(req),
		    "Location");
		if (loc != NULL)
			snprintf(s->location, sizeof s->location, "%s", loc);
	}
	event_base_loopexit(s->base, NULL);
}

/* Posts one file; the exit status it deserves. */
static int
submit_file(struct event_base *base, struct evhttp_uri *uri, const char *token,
    const char *key, const char *file)
{
	struct evhttp_connection	*conn;
	struct evhttp_request		*req;
	struct evkeyvalq		*h;
	struct submit			 s = { base, -1, { 0 }, "" };
	char				*data, auth[600], hostport[300];
	size_t				 len;
	int				 port = evhttp_uri_get_port(uri), rc;

	if (file_read_all(file, &data, &len) < 0) {
		cmd_warnx("submit", "%s: %s", file, strerror(errno));
		return EX_NOINPUT;
	}
	if (port < 0)
		port = 80;
	conn = evhttp_connection_base_new(base, NULL, evhttp_uri_get_host(uri),
	    (unsigned short)port);
	evhttp_connection_set_timeout(conn, SUBMIT_TIMEOUT_S);
	req = evhttp_request_new(submit_cb, &s);
	h = evhttp_request_get_output_headers(req);
	snprintf(hostport, sizeof hostport, "%s:%d", evhttp_uri_get_host(uri),
	    port);
	evhttp_add_header(h, "Host", hostport);
	snprintf(auth, sizeof auth, "Bearer %s", token);
	evhttp_add_header(h, "Authorization", auth);
	evhttp_add_header(h, "Content-Type", len > 0 && data[0] == '<' ?
	    "application/xml" : "application/EDIFACT");
	if (key != NULL)
		evhttp_add_header(h, "Idempotency-Key", key);
	evbuffer_add(evhttp_request_get_output_buffer(req), data, len);
	free(data);
	if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, "/v1/manifests") == 0)
		event_base_dispatch(base);
	evhttp_connection_free(conn);

	if (s.status < 0) {
		cmd_warnx("submit", "%s: no answer from %s", file, hostport);
		rc = EX_UNAVAILABLE;
	} else if (s.status >= 200 && s.status < 300) {
		printf("%s: %d %s %s\n", file, s.status, s.location,
		    s.body.data != NULL ? s.body.data : "");
		rc = 0;
	} else {
		fprintf(stderr, "%s: %d %s\n", file, s.status,
		    s.body.data != NULL ? s.body.data : "");
		rc = s.status < 500 ? EX_DATAERR : EX_UNAVAILABLE;
	}
	buf_free(&s.body);
	return rc;
}

int
cmd_submit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "token", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*token = getenv("RAILGATE_TOKEN"), *key = NULL;
	struct event_base	*base;
	struct evhttp_uri	*uri;
	int			 ch, i, rc, status = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:k:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't': token = optarg; break;
		case 'k': key = optarg; break;
		case 'h': submit_usage(stdout); return 0;
		default: submit_usage(stderr); return EX_USAGE;
		}
	}
	if (argc - optind < 2 || (key != NULL && argc - optind != 2)) {
		submit_usage(stderr);
		return EX_USAGE;
	}
	if (token == NULL || *token == '\0') {
		cmd_warnx("submit", "no token: give --token or set RAILGATE_TOKEN");
		return EX_USAGE;
	}
	uri = evhttp_uri_parse(argv[optind]);
	if (uri == NULL || evhttp_uri_get_host(uri) == NULL ||
	    evhttp_uri_get_scheme(uri) == NULL ||
	    strcmp(evhttp_uri_get_scheme(uri), "http") != 0) {
		cmd_warnx("submit", "%s: not an http:// URL", argv[optind]);
		if (uri != NULL)
			evhttp_uri_free(uri);
		return EX_USAGE;
	}
	base = event_base_new();
	for (i = optind + 1; i < argc; i++) {
		rc = submit_file(base, uri, token, key, argv[i]);
		if (rc > status)
			status = rc;
	}
	event_base_free(base);
	evhttp_uri_free(uri);
	return status;
}
