/*
 * cmd_notices.c -- `railgate notices listen`: a railway operator's side of
 * the release notices, for tests, demonstrations and as a model for an
 * operator's own receiver.
 *
 *   railgate notices listen [--port P] --secret S [--public-key FILE]
 *	[--status CODE] [--count N]
 *
 * Listens on 127.0.0.1:P, checks each request's Standard Webhooks
 * signature (and timestamp, within 5 minutes) and, given the station's
 * public key, its railgate-signature (Ed25519 over the body), and prints
 * one line per request on stdout:
 *
 *   <webhook-id> <content type> signature=ok|bad|stale station=ok|bad|-
 *       first|repeat <size> bytes answer=<status>
 *
 * answering 2xx (or --status) when the signatures hold and 401 when not.
 * "repeat" marks an id already received: what a receiver deduplicates on.
 * With --count N it exits after N distinct notices.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/sign.h"

#define LISTEN_TOLERANCE_S	300

struct listener {
	struct event_base	*base;
	const char		*secret;
	struct sign_key		*key;		/* NULL: not checked */
	int			 status;
	long			 count, distinct;
	struct strmap		*seen;		/* ids received; keys in ids */
	char			**ids;
	size_t			 nids, ids_cap;
};

static void
listen_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate notices listen [--port P] --secret SECRET\n"
	    "                               [--public-key FILE] [--status CODE]"
	    " [--count N]\n"
	    "       railgate notices rotate-key --new-key FILE [-c CONFIG]"
	    " [--dsn DSN]\n"
	    "Receives release notices on 127.0.0.1:P (default 8090), checks\n"
	    "their signatures and prints a line for each.\n");
}

/* One notice: check, print, answer. */
static void
listen_request(struct evhttp_request *req, void *arg)
{
	struct listener		*l = arg;
	struct evkeyvalq	*h = evhttp_request_get_input_headers(req);
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	const char		*id, *ts, *sig, *station, *type, *s;
	size_t			 len = evbuffer_get_length(in);
	unsigned char		*body = evbuffer_pullup(in, -1);
	const char		*sig_word = "bad", *station_word = "-";
	bool			 ok, repeat = false;
	int			 rc;

	id = evhttp_find_header(h, "webhook-id");
	ts = evhttp_find_header(h, "webhook-timestamp");
	sig = evhttp_find_header(h, "webhook-signature");
	station = evhttp_find_header(h, "railgate-signature");
	type = evhttp_find_header(h, "Content-Type");
	if (id != NULL && ts != NULL && sig != NULL) {
		rc = sign_webhook_verify(l->secret, id, atoll(ts), body, len, sig,
		    (int64_t)time(NULL), LISTEN_TOLERANCE_S);
		sig_word = rc == 0 ? "ok" : rc == -2 ? "stale" : "bad";
	}
	ok = strcmp(sig_word, "ok") == 0;
	if (l->key != NULL) {
		s = station != NULL ? strstr(station, "sig=") : NULL;
		station_word = s != NULL && sign_ed25519_verify(l->key, body, len,
		    s + 4) == 0 ? "ok" : "bad";
		ok = ok && strcmp(station_word, "ok") == 0;
	}
	if (ok && id != NULL) {
		repeat = strmap_get(l->seen, id) != NULL;
		if (!repeat) {
			if (l->nids == l->ids_cap) {
				l->ids_cap = l->ids_cap == 0 ? 64 : l->ids_cap * 2;
				l->ids = xreallocarray(l->ids, l->ids_cap,
				    sizeof *l->ids);
			}
			l->ids[l->nids] = xstrdup(id);
			strmap_put(l->seen, l->ids[l->nids++], l);
			l->distinct++;
		}
	}
	printf("%s %s signature=%s station=%s %s %zu bytes answer=%d\n",
	    id != NULL ? id : "-", type != NULL ? type : "-", sig_word,
	    station_word, repeat ? "repeat" : "first", len, ok ? l->status : 401);
	fflush(stdout);
	evhttp_send_reply(req, ok ? l->status : 401, ok ? "OK" : "Unauthorized",
	    NULL);
	if (l->count > 0 && l->distinct >= l->count)
		event_base_loopexit(l->base, NULL);
}

static void
listen_stop(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

/* The options into l, *port and *keyfile; 0, -1 (help given) or 64. */
static int
listen_options(int argc, char **argv, struct listener *l, long *port,
    const char **keyfile)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "secret", required_argument, NULL, 's' },
		{ "public-key", required_argument, NULL, 'k' },
		{ "status", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long	v;
	int	ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":p:s:k:S:n:h", longopts,
	    NULL)) != -1) {
		rc = 0;
		switch (ch) {
		case 'p':
			rc = usage_number("notices listen", "--port", optarg, 1,
			    65535, port);
			break;
		case 's': l->secret = optarg; break;
		case 'k': *keyfile = optarg; break;
		case 'S':
			if ((rc = usage_number("notices listen", "--status",
			    optarg, 200, 599, &v)) == 0)
				l->status = (int)v;
			break;
		case 'n':
			rc = usage_number("notices listen", "--count", optarg, 1,
			    1000000000, &l->count);
			break;
		case 'h': listen_usage(stdout); return -1;
		default: return usage_bad_option("notices listen", ch, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (optind != argc)
		return usage_error("notices listen", argv[optind], "unexpected "
		    "argument");
	if (l->secret == NULL)
		return usage_error("notices listen", NULL, "--secret SECRET is "
		    "required");
	return 0;
}

static int
notices_listen(int argc, char **argv)
{
	struct listener	 l = { 0 };
	struct evhttp	*http;
	struct event	*sigint, *sigterm;
	const char	*keyfile = NULL;
	char		*cause = NULL;
	long		 port = 8090;
	int		 rc;

	l.status = 200;
	if ((rc = listen_options(argc, argv, &l, &port, &keyfile)) != 0)
		return rc < 0 ? 0 : rc;
	if (keyfile != NULL &&
	    (l.key = sign_key_load_public(keyfile, &cause)) == NULL) {
		cmd_warnx("notices", "%s", cause);
		free(cause);
		return EX_NOINPUT;
	}
	l.base = event_base_new();
	l.seen = strmap_new();
	http = evhttp_new(l.base);
	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)port) != 0) {
		cmd_warnx("notices", "cannot listen on 127.0.0.1:%ld", port);
		evhttp_free(http);
		event_base_free(l.base);
		sign_key_free(l.key);
		return EX_UNAVAILABLE;
	}
	evhttp_set_gencb(http, listen_request, &l);
	sigint = evsignal_new(l.base, SIGINT, listen_stop, l.base);
	sigterm = evsignal_new(l.base, SIGTERM, listen_stop, l.base);
	event_add(sigint, NULL);
	event_add(sigterm, NULL);
	fprintf(stderr, "railgate notices: listening on http://127.0.0.1:%ld/\n",
	    port);
	event_base_dispatch(l.base);
	event_free(sigint);
	event_free(sigterm);
	evhttp_free(http);
	event_base_free(l.base);
	strmap_free(l.seen);
	while (l.nids > 0)
		free(l.ids[--l.nids]);
	free(l.ids);
	sign_key_free(l.key);
	return 0;
}

/* railgate notices listen ... | rotate-key ... */
int
cmd_notices(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("notices", NULL, "give a sub-command: listen "
		    "or rotate-key");
	if (strcmp(argv[1], "listen") == 0)
		return notices_listen(argc - 1, argv + 1);
	if (strcmp(argv[1], "rotate-key") == 0)
		return cmd_notices_rotate_key(argc - 1, argv + 1);
	if (usage_is_help(argv[1])) {
		listen_usage(stdout);
		return 0;
	}
	return usage_error("notices", argv[1], "not a sub-command (listen or "
	    "rotate-key)");
}
