/*
 * cmd_replay.c -- `railgate replay`: the auditor's proof that every stored
 * decision follows from what was stored with it (docs/replay.md).
 *
 * A provisional decision is made again from its inputs: the stored
 * manifest bytes parsed again, the rule set stored under the hash the
 * decision names (compiled from its exact files, once per hash), the
 * stored events up to the last one the evaluator applied, replayed in
 * order as the daemon replays them; the document written again is
 * compared with the stored one byte for byte, "timing" aside.  A final
 * decision is rebuilt from the decision it was made from and the
 * officers' resolutions at the time, as approval builds it.  Then the
 * audit chain is verified as the daemon verifies it.
 *
 * The comparison is engine/replay.c's, the batches db/replay.c's
 * (replay_db_run), the same code the daemon's replays run
 * (daemon/replays.c).  With --url the daemon replays: the command posts
 * the replay (POST /v1/replays), polls its progress and prints the report
 * the daemon kept, in the same words and with the same exit status
 * (replay_url() below, on http_client.c like `railgate submit`: http://
 * or https:// with the certificate verified).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <event2/http.h>
#include <jansson.h>

#include "db/replay.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "cli/http_client.h"
#include "engine/replay.h"

/* Prints the report, text or JSON, and says the exit status. */
static int
print_report(const json_t *report, bool json)
{
	struct buf	b = { 0 };

	if (json) {
		json_dumpf(report, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		replay_report_text(report, &b);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	}
	return replay_report_status(report);
}

#define REPLAY_HTTP_TIMEOUT_S	60
#define REPLAY_POLL_MAX_MS	1000	/* the longest wait between polls */

/* Sends one request (body NULL: none) and waits for its answer in a. */
static void
replay_http(struct http_client *c, const char *token, int method,
    const char *path, const char *body, struct http_answer *a)
{
	static const char *const json_body[] = { "Accept", "application/json",
	    "Content-Type", "application/json", NULL };
	static const char *const no_body[] = { "Accept", "application/json",
	    NULL };

	http_client_request(c, method, path, token, body != NULL ? json_body :
	    no_body, body, body != NULL ? strlen(body) : 0, a);
}

/* The exit status for an answer that is not the one expected. */
static int
replay_http_refused(const char *what, const struct http_answer *x)
{
	if (x->status < 0) {
		cmd_warnx("replay", "%s: %s", what, x->error);
		return EX_UNAVAILABLE;
	}
	cmd_warnx("replay", "%s: %d %s", what, x->status, x->body.data != NULL ?
	    x->body.data : "");
	return x->status == 401 || x->status == 403 ? EX_NOPERM :
	    x->status < 500 ? EX_DATAERR : EX_UNAVAILABLE;
}

/* Progress on stderr: one line per change. */
static void
replay_progress_line(const json_t *r, char *last, size_t lastsz)
{
	const json_t	*p = json_object_get(r, "progress");
	char		 line[200];

	snprintf(line, sizeof line, "replay %lld: %s, %lld of %lld %s "
	    "checked, %lld different, %lld failed",
	    (long long)json_integer_value(json_object_get(r, "id")),
	    json_string_value(json_object_get(r, "state")) != NULL ?
	    json_string_value(json_object_get(r, "state")) : "?",
	    (long long)json_integer_value(json_object_get(p, "checked")),
	    (long long)json_integer_value(json_object_get(p, "total")),
	    json_integer_value(json_object_get(p, "total")) == 1 ? "decision" :
	    "decisions",
	    (long long)json_integer_value(json_object_get(p, "different")),
	    (long long)json_integer_value(json_object_get(p, "errors")));
	if (strcmp(line, last) != 0) {
		fprintf(stderr, "%s\n", line);
		snprintf(last, lastsz, "%s", line);
	}
}

/*
 * Polls the replay at path until it is done (*report: its result, new
 * reference) or failed; the exit status.
 */
static int
replay_poll(struct http_client *c, const char *token, const char *path,
    json_t **report)
{
	struct http_answer	 x = { 0 };
	json_t			*r;
	const char		*state;
	char			 last[200] = "";
	int			 wait_ms = 50, rc = -1;

	while (rc < 0) {
		replay_http(c, token, EVHTTP_REQ_GET, path, NULL, &x);
		if (x.status != 200 || (r = json_loadb(x.body.data, x.body.len,
		    0, NULL)) == NULL) {
			rc = replay_http_refused(path, &x);
			break;
		}
		replay_progress_line(r, last, sizeof last);
		state = json_string_value(json_object_get(r, "state"));
		if (state != NULL && strcmp(state, "done") == 0 &&
		    json_is_object(json_object_get(r, "result"))) {
			*report = json_incref(json_object_get(r, "result"));
			rc = 0;
		} else if (state != NULL && strcmp(state, "failed") == 0) {
			cmd_warnx("replay", "the daemon could not replay: %s",
			    json_string_value(json_object_get(r, "error")) != NULL ?
			    json_string_value(json_object_get(r, "error")) : "?");
			rc = EX_UNAVAILABLE;
		} else {
			usleep((useconds_t)wait_ms * 1000);
			wait_ms = wait_ms * 2 > REPLAY_POLL_MAX_MS ?
			    REPLAY_POLL_MAX_MS : wait_ms * 2;
		}
		json_decref(r);
		http_answer_clear(&x);
	}
	http_answer_clear(&x);
	return rc;
}

/*
 * --url: the daemon replays.  Posts the selection, polls until the replay
 * is done and hands its report back (*report, new reference); the exit
 * status (0: a report to print).
 */
static int
replay_url(const char *url, const char *cacert, const char *token,
    const json_t *selection, json_t **report)
{
	struct http_client	*c;
	struct http_answer	 x = { 0 };
	char			*body, *cause = NULL, path[300];
	int			 rc;

	if ((c = http_client_new(url, cacert, REPLAY_HTTP_TIMEOUT_S,
	    &cause)) == NULL) {
		cmd_warnx("replay", "%s", cause);
		free(cause);
		return EX_USAGE;
	}
	body = json_dumps(selection, JSON_COMPACT);
	replay_http(c, token, EVHTTP_REQ_POST, "/v1/replays", body, &x);
	free(body);
	if (x.status != 202 || strncmp(x.location, "/v1/replays/", 12) != 0)
		rc = replay_http_refused("POST /v1/replays", &x);
	else {
		snprintf(path, sizeof path, "%s", x.location);
		rc = replay_poll(c, token, path, report);
	}
	http_answer_clear(&x);
	http_client_free(c);
	return rc;
}

static void
replay_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate replay [--dsn DSN | --url URL --token TOKEN "
	    "[--cacert FILE]]\n"
	    "                       --train ID ... | --since DATE [--until DATE] "
	    "| --all\n"
	    "                       [--format text|json] [--threads N]\n"
	    "Evaluates every stored decision of the selected train runs again "
	    "from its\nstored inputs and compares it with the stored document; "
	    "verifies the audit\nchain.  ID: X8024 (every run) or X8024@2.  "
	    "DATE: 2026-01-31, or\n2026-01-31T12:00:00Z (or +05:00).  "
	    "With --url the daemon replays\n(POST /v1/replays, an auditor's "
	    "token; RAILGATE_TOKEN if --token is not\ngiven) and progress goes "
	    "to stderr.\n" CMD_DSN_HELP_ENV
	    "Exit 0 when all are identical and the chain is intact, 1 "
	    "otherwise;\n66 a train not found, 69 no database, 77 the role may "
	    "not read it.\n");
}

/* What to replay, from the options. */
struct replay_opts {
	const char	*url, *token, *cacert, *since, *until, *dsn_opt;
	char		*dsn;		/* found (usage_dsn) when no --url */
	json_t		*trains;	/* the --train ids */
	bool		 all, json;
	long		 threads;
};

/* A train id as the daemon takes it (api_replays.c): X8024 or X8024@2. */
static bool
train_id_ok(const char *s)
{
	const char	*at = strchr(s, '@');
	size_t		 n = at != NULL ? (size_t)(at - s) : strlen(s);

	if (n == 0 || strlen(s) > 64 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.") != n)
		return false;
	return at == NULL || (at[1] != '\0' && at[1] != '0' &&
	    strspn(at + 1, "0123456789") == strlen(at + 1) &&
	    strlen(at + 1) <= 9);
}

/* --since / --until: a date or an RFC 3339 time; 0 or EX_USAGE. */
static int
replay_time(const char *opt, const char *s)
{
	int64_t	t;

	if (value_time_parse(s, strlen(s), &t) == 0)
		return 0;
	return usage_error("replay", opt, "\"%s\" is not a date or time "
	    "(2026-01-31, 2026-01-31T12:00:00Z or 2026-01-31T17:00:00+05:00)", s);
}

/* The selection as POST /v1/replays takes it (new reference). */
static json_t *
selection_json(const struct replay_opts *o)
{
	if (json_array_size(o->trains) > 0)
		return json_pack("{s:O}", "trains", o->trains);
	if (o->since != NULL)
		return json_pack("{s:s, s:s?}", "since", o->since, "until",
		    o->until);
	return json_pack("{s:b}", "all", true);
}

/*
 * Every train named exists with a decision stored; else EX_NOINPUT
 * after naming the first that does not, or a database's status.
 */
static int
replay_trains_known(struct replay_db *db, const struct replay_opts *o)
{
	const json_t	*t;
	char		*cause = NULL;
	long long	 n;
	size_t		 i;
	int		 rc;

	json_array_foreach(o->trains, i, t) {
		if (replay_db_count(db, REPLAY_TRAIN, json_string_value(t), &n,
		    &cause) < 0) {
			rc = db_error("replay", "cannot read the stored "
			    "decisions", o->dsn, cause);
			free(cause);
			return rc;
		}
		if (n == 0) {
			cmd_warnx("replay", "--train %s: no such train, or none "
			    "of its decisions stored", json_string_value(t));
			return EX_NOINPUT;
		}
	}
	return 0;
}

/* The replay itself, on db; the exit status. */
static int
replay_run(struct replay_db *db, const struct replay_opts *o,
    enum replay_select sel, const char *arg)
{
	struct replay_check	*check;
	struct timespec		 t0, t1;
	json_t			*report;
	char			*cause = NULL, *reason = NULL;
	bool			 intact = false;
	long long		 checked = 0, first_bad = 0;
	int			 rc;

	check = replay_check_new((unsigned)o->threads, replay_db_ruleset_fetch,
	    db);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = replay_db_run(db, sel, arg, check, NULL, NULL, &cause);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0 && (rc = replay_db_audit_verify(db, &intact, &checked,
	    &first_bad, &reason, &cause)) < 0)
		rc = db_error("replay", "cannot verify the audit chain", o->dsn,
		    cause);
	else if (rc < 0)
		rc = db_error("replay", "cannot read the stored decisions",
		    o->dsn, cause);
	else {
		report = replay_check_report(check, (double)(t1.tv_sec -
		    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, intact,
		    checked, first_bad, reason);
		rc = print_report(report, o->json);
		json_decref(report);
	}
	free(cause);
	free(reason);
	replay_check_free(check);
	return rc;
}

/* A DSN: the replay run here, on a connection of the command's own. */
static int
replay_dsn(const struct replay_opts *o, const json_t *selection)
{
	struct replay_db	*db;
	enum replay_select	 sel = REPLAY_ALL;
	char			*cause = NULL, *arg = NULL;
	int			 rc;

	if (json_array_size(o->trains) == 1) {
		sel = REPLAY_TRAIN;
		arg = xstrdup(json_string_value(json_array_get(o->trains, 0)));
	} else if (json_array_size(o->trains) > 1) {
		sel = REPLAY_TRAINS;
		arg = json_dumps(o->trains, JSON_COMPACT);
	} else if (o->since != NULL && o->until == NULL) {
		sel = REPLAY_SINCE;
		arg = xstrdup(o->since);
	} else if (o->since != NULL) {
		sel = REPLAY_PERIOD;
		arg = json_dumps(selection, JSON_COMPACT);
	}
	if ((db = replay_db_open(o->dsn, &cause)) == NULL) {
		rc = db_error("replay", "cannot connect", o->dsn, cause);
		free(cause);
		free(arg);
		return rc;
	}
	if ((rc = replay_trains_known(db, o)) == 0)
		rc = replay_run(db, o, sel, arg);
	free(arg);
	replay_db_close(db);
	return rc;
}

/* One option into o; 0, -1 (help given) or EX_USAGE. */
static int
replay_option(int ch, struct replay_opts *o, int *nsel, char **argv)
{
	switch (ch) {
	case 'd': o->dsn_opt = optarg; break;
	case 'u': o->url = optarg; break;
	case 'k': o->token = optarg; break;
	case 'c': o->cacert = optarg; break;
	case 't':
		if (!train_id_ok(optarg))
			return usage_error("replay", "--train", "\"%s\" is not a "
			    "train id (X8024: every run, X8024@2: one run)",
			    optarg);
		if (json_array_size(o->trains) == 0)
			(*nsel)++;
		json_array_append_new(o->trains, json_string(optarg));
		break;
	case 's': o->since = optarg; (*nsel)++; return replay_time("--since",
	    optarg);
	case 'e': o->until = optarg; return replay_time("--until", optarg);
	case 'a': o->all = true; (*nsel)++; break;
	case 'f':
		if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
			return usage_error("replay", "--format", "\"%s\" is not "
			    "a format (text or json)", optarg);
		o->json = strcmp(optarg, "json") == 0;
		break;
	case 'j':
		return usage_number("replay", "--threads", optarg, 0, 1024,
		    &o->threads);
	case 'h': replay_usage(stdout); return -1;
	default: return usage_bad_option("replay", ch, argv);
	}
	return 0;
}

/*
 * Reads the options into o, and the DSN when the replay runs here: 0,
 * -1 (help given) or the exit status, after saying why -- before any
 * connection is tried.
 */
static int
replay_options(int argc, char **argv, struct replay_opts *o)
{
	static const struct option longopts[] = {
		{ "dsn", required_argument, NULL, 'd' },
		{ "url", required_argument, NULL, 'u' },
		{ "token", required_argument, NULL, 'k' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "train", required_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'e' },
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch, nsel = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:u:k:c:t:s:e:af:j:h", longopts,
	    NULL)) != -1)
		if ((rc = replay_option(ch, o, &nsel, argv)) != 0)
			return rc;
	if (o->token == NULL)
		o->token = getenv("RAILGATE_TOKEN");
	if (optind != argc)
		return usage_error("replay", argv[optind], "unexpected argument");
	if (o->dsn_opt != NULL && o->url != NULL)
		return usage_error("replay", NULL, "give one of --dsn or --url");
	if (nsel != 1)
		return usage_error("replay", NULL, "give one of --train, --since "
		    "(with --until if you like) or --all");
	if (o->until != NULL && o->since == NULL)
		return usage_error("replay", "--until", "goes with --since");
	if (o->url != NULL && o->token == NULL)
		return usage_error("replay", "--url", "needs --token or "
		    "RAILGATE_TOKEN");
	if (o->url == NULL && (o->dsn = usage_dsn("replay", o->dsn_opt, NULL,
	    false, false, &rc)) == NULL)
		return rc;
	return 0;
}

/* --url: a train named that the daemon did not find; EX_NOINPUT, said. */
static int
replay_url_trains(const struct replay_opts *o, const json_t *report)
{
	if (json_array_size(o->trains) == 0 || json_integer_value(
	    json_object_get(report, "trains")) > 0)
		return 0;
	cmd_warnx("replay", "--train %s%s: no such train, or none of its "
	    "decisions stored", json_string_value(json_array_get(o->trains,
	    0)), json_array_size(o->trains) > 1 ? " (and the others named)" :
	    "");
	return EX_NOINPUT;
}

int
cmd_replay(int argc, char **argv)
{
	struct replay_opts	 o = { 0 };
	json_t			*sel, *report = NULL;
	int			 rc;

	o.trains = json_array();
	if ((rc = replay_options(argc, argv, &o)) != 0) {
		json_decref(o.trains);
		free(o.dsn);
		return rc < 0 ? 0 : rc;
	}
	sel = selection_json(&o);
	if (o.url == NULL)
		rc = replay_dsn(&o, sel);
	else {
		rc = replay_url(o.url, o.cacert, o.token, sel, &report);
		if (rc == 0 && (rc = replay_url_trains(&o, report)) == 0)
			rc = print_report(report, o.json);
		json_decref(report);
	}
	json_decref(sel);
	json_decref(o.trains);
	free(o.dsn);
	return rc;
}
