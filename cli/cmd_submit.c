/*
 * cmd_submit.c -- `railgate submit [--token T] [--key K] URL FILE...`:
 * posts manifests to a daemon's POST /v1/manifests, as a railway
 * operator's system would, and prints each answer.
 *
 * The token comes from --token or RAILGATE_TOKEN (never a default).  One
 * request per file, in order, on the command line's HTTP client
 * (http_client.c: http:// or https://, the certificate verified against
 * --cacert or the system's CAs); a 2xx answer is printed on stdout,
 * anything else on stderr.  Exit: 0 when every file was accepted, 65 when
 * the daemon refused one (4xx), 69 when it could not be reached, its
 * certificate was refused or it failed (5xx), 66 for a missing file, 64
 * usage (a URL that is not http:// or https://, a --cacert unusable).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/http.h>

#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "cli/http_client.h"

#define SUBMIT_TIMEOUT_S	120

static void
submit_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate submit [--token TOKEN] [--key KEY] [--cacert FILE] "
	    "URL FILE...\n"
	    "Posts each manifest to URL (e.g. https://railgate.example:8443 or "
	    "http://127.0.0.1:8080)\nas POST /v1/manifests.  The token is "
	    "--token or $RAILGATE_TOKEN;\n--key sets Idempotency-Key (one file "
	    "only); --cacert (or $RAILGATE_CACERT)\nis the CA that signed an "
	    "https:// daemon's certificate, else the system's CAs.\n"
	    "Exit: 0 accepted, 65 refused, 69 unreachable, refused certificate "
	    "or failed,\n66 no file.\n");
}

/* Posts one file; the exit status it deserves. */
static int
submit_file(struct http_client *c, const char *token, const char *key,
    const char *file)
{
	struct http_answer	 a;
	const char		*headers[5];
	char			*data;
	size_t			 len;
	int			 rc;

	if (file_read_all(file, &data, &len) < 0) {
		cmd_warnx("submit", "%s: %s", file, strerror(errno));
		return EX_NOINPUT;
	}
	headers[0] = "Content-Type";
	headers[1] = len > 0 && data[0] == '<' ? "application/xml" :
	    "application/EDIFACT";
	headers[2] = key != NULL ? "Idempotency-Key" : NULL;
	headers[3] = key;
	headers[4] = NULL;
	http_client_request(c, EVHTTP_REQ_POST, "/v1/manifests", token, headers,
	    data, len, &a);
	free(data);

	if (a.status < 0) {
		cmd_warnx("submit", "%s: %s", file, a.error);
		rc = EX_UNAVAILABLE;
	} else if (a.status >= 200 && a.status < 300) {
		printf("%s: %d %s %s\n", file, a.status, a.location,
		    a.body.data != NULL ? a.body.data : "");
		rc = 0;
	} else {
		fprintf(stderr, "%s: %d %s\n", file, a.status,
		    a.body.data != NULL ? a.body.data : "");
		rc = a.status < 500 ? EX_DATAERR : EX_UNAVAILABLE;
	}
	http_answer_clear(&a);
	return rc;
}

int
cmd_submit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "token", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*token = getenv("RAILGATE_TOKEN"), *key = NULL;
	const char		*cacert = NULL;
	struct http_client	*c;
	char			*cause = NULL;
	int			 ch, i, rc, status = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":t:k:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't': token = optarg; break;
		case 'k': key = optarg; break;
		case 'c': cacert = optarg; break;
		case 'h': submit_usage(stdout); return 0;
		default: return usage_bad_option("submit", ch, argv);
		}
	}
	if (argc - optind < 2)
		return usage_error("submit", NULL, argc == optind ? "give the "
		    "daemon's URL and at least one FILE" : "give at least one "
		    "FILE after the URL");
	if (key != NULL && argc - optind != 2)
		return usage_error("submit", "--key", "one Idempotency-Key is "
		    "for one file only");
	if (token == NULL || *token == '\0')
		return usage_error("submit", NULL, "no token: give --token or "
		    "set RAILGATE_TOKEN");
	if ((c = http_client_new(argv[optind], cacert, SUBMIT_TIMEOUT_S,
	    &cause)) == NULL) {
		rc = usage_error("submit", NULL, "%s", cause);
		free(cause);
		return rc;
	}
	for (i = optind + 1; i < argc; i++) {
		rc = submit_file(c, token, key, argv[i]);
		if (rc > status)
			status = rc;
	}
	http_client_free(c);
	return status;
}
