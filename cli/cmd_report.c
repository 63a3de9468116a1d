/*
 * cmd_report.c -- `railgate report TRAIN --dsn DSN --format html`: one
 * train run's clearance record for the auditor as a self-contained HTML
 * page (docs/replay.md): the timeline as an inline SVG chart (a row per
 * kind of event on one time axis), the decision with every hit, and the
 * hashes that make it verifiable (manifest, rule set, each audit record,
 * the chain's verification).  Every string from the database is escaped.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <jansson.h>

#include "db/replay.h"
#include "manifest/textw.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"

#define SVG_W		1100
#define SVG_LABEL	170	/* the rows' names on the left */
#define SVG_ROW		34
#define SVG_TOP		30

/* The timeline's rows: a kind of event each. */
static const char *const rows_names[] = {
	"manifest received", "decision (evaluator)", "decision (officer)",
	"event: position / arrived", "event: rule inputs", "officer action",
	"notice", "neighbour message",
};
enum { ROW_RECEIVED, ROW_EVAL, ROW_FINAL, ROW_MOVE, ROW_INPUT, ROW_OFFICER,
	ROW_NOTICE, ROW_PEER, ROW_COUNT };
static const char *const row_colours[] = { "#555", "#1f6fb2", "#2a8a3a",
	"#8a6d1f", "#b26b1f", "#7a2ab2", "#2a8a8a", "#b21f4f" };

/* HTML-escapes s (NULL: empty) onto out (textw_html, shared). */
static void
esc(FILE *out, const char *s)
{
	struct buf	b = { 0 };

	textw_html(&b, s);
	if (b.len > 0)
		fwrite(b.data, 1, b.len, out);
	buf_free(&b);
}

/* Escapes text, then writes the markup that follows it as is. */
static void
esc_then(FILE *out, const char *text, const char *markup)
{
	esc(out, text);
	fputs(markup, out);
}

static const char *
str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* One point on the timeline. */
struct mark {
	int		 row;
	double		 t;
	char		*label;
};

struct marks {
	struct mark	*v;
	size_t		 n;
};

static void
mark_add(struct marks *m, int row, const json_t *t, char *label)
{
	if (!json_is_number(t)) {
		free(label);
		return;
	}
	m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
	m->v[m->n].row = row;
	m->v[m->n].t = json_number_value(t);
	m->v[m->n].label = label;
	m->n++;
}

/* Everything that happened to the run, as marks on its rows. */
static void
collect_marks(const json_t *r, struct marks *m)
{
	const json_t	*x;
	const char	*type;
	size_t		 i;

	if ((x = json_object_get(r, "manifest")) != NULL)
		mark_add(m, ROW_RECEIVED, json_object_get(x, "t"),
		    xasprintf("manifest %s received (%s, %s)", str(x, "sha256"),
		    str(x, "format"), str(x, "at")));
	json_array_foreach(json_object_get(r, "decisions"), i, x) {
		mark_add(m, json_is_true(json_object_get(x, "final")) ? ROW_FINAL :
		    ROW_EVAL, json_object_get(x, "t"), xasprintf("decision %lld: "
		    "%s%s by %s at %s", (long long)json_integer_value(
		    json_object_get(x, "id")), str(x, "outcome"),
		    json_is_true(json_object_get(x, "final")) ? " (final)" : "",
		    str(x, "made_by"), str(x, "at")));
	}
	json_array_foreach(json_object_get(r, "events"), i, x) {
		type = str(x, "type");
		mark_add(m, strcmp(type, "neighbour") == 0 ? ROW_PEER :
		    strcmp(type, "position") == 0 || strcmp(type, "arrived") == 0 ?
		    ROW_MOVE : ROW_INPUT, json_object_get(x, "t"),
		    xasprintf("event %s by %s at %s", type, str(x, "principal"),
		    str(x, "at")));
	}
	json_array_foreach(json_object_get(r, "officer_actions"), i, x) {
		bool confirmed = json_is_string(json_object_get(x,
		    "confirmed_by"));

		mark_add(m, ROW_OFFICER, json_object_get(x, "t"), xasprintf(
		    "%s %s%s by %s (%s)%s%s: %s", str(x, "action"),
		    json_is_string(json_object_get(x, "wagon")) ? "wagon " : "train",
		    str(x, "wagon"), str(x, "principal"), str(x, "role"),
		    confirmed ? ", confirmed by " : "",
		    confirmed ? str(x, "confirmed_by") : "", str(x, "reason")));
	}
	json_array_foreach(json_object_get(r, "notices"), i, x) {
		mark_add(m, ROW_NOTICE, json_object_get(x, "t"), xasprintf(
		    "notice %s to %s (%s) queued", str(x, "id"),
		    str(x, "subscriber"), str(x, "format")));
		mark_add(m, ROW_NOTICE, json_object_get(x, "delivered_t"),
		    xasprintf("notice %s delivered to %s at %s", str(x, "id"),
		    str(x, "subscriber"), str(x, "delivered_at")));
	}
	json_array_foreach(json_object_get(r, "peer_in"), i, x) {
		mark_add(m, ROW_PEER, json_object_get(x, "t"), xasprintf(
		    "%s from %s at %s", str(x, "type"), str(x, "sender"),
		    str(x, "at")));
	}
	json_array_foreach(json_object_get(r, "peer_out"), i, x) {
		mark_add(m, ROW_PEER, json_object_get(x, "sent_t"), xasprintf(
		    "%s sent to %s at %s", str(x, "type"), str(x, "peer"),
		    str(x, "sent_at")));
	}
}

static int
mark_cmp(const void *a, const void *b)
{
	const struct mark	*x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/* The timeline: a time axis, a row per kind, a dot per mark. */
static void
write_svg(FILE *out, const struct marks *m)
{
	double	 t0 = INFINITY, t1 = -INFINITY, span, x;
	int	 h = SVG_TOP + ROW_COUNT * SVG_ROW + 30, i, k;
	size_t	 j;
	time_t	 tt;
	char	 when[32];

	for (j = 0; j < m->n; j++) {
		t0 = fmin(t0, m->v[j].t);
		t1 = fmax(t1, m->v[j].t);
	}
	if (m->n == 0)
		t0 = t1 = 0;
	span = t1 - t0 > 1e-3 ? t1 - t0 : 1;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"clearance timeline\">\n", SVG_W, h, SVG_W, h);
	for (i = 0; i < ROW_COUNT; i++) {
		int y = SVG_TOP + i * SVG_ROW;

		fprintf(out, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" "
		    "fill=\"%s\"/>\n<text x=\"4\" y=\"%d\" font-size=\"12\">%s"
		    "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#ccc\"/>\n", y, SVG_W, SVG_ROW, i % 2 ? "#fafafa" :
		    "#f0f0f0", y + SVG_ROW / 2 + 4, rows_names[i], SVG_LABEL,
		    y + SVG_ROW / 2, SVG_W - 20, y + SVG_ROW / 2);
	}
	/* The axis: five ticks, UTC. */
	for (k = 0; k <= 4; k++) {
		x = SVG_LABEL + (SVG_W - 20 - SVG_LABEL) * k / 4.0;
		tt = (time_t)(t0 + span * k / 4);
		strftime(when, sizeof when, "%H:%M:%S", gmtime(&tt));
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#999\" stroke-dasharray=\"2,3\"/>\n<text x=\"%.1f\" "
		    "y=\"%d\" font-size=\"11\" text-anchor=\"%s\">%s</text>\n",
		    x, SVG_TOP, x, SVG_TOP + ROW_COUNT * SVG_ROW, x,
		    SVG_TOP + ROW_COUNT * SVG_ROW + 16, k == 4 ? "end" : "middle",
		    when);
	}
	tt = (time_t)t0;
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&tt));
	fprintf(out, "<text x=\"%d\" y=\"18\" font-size=\"12\">from %s, %.1f s "
	    "shown</text>\n", SVG_LABEL, when, t1 - t0);
	for (j = 0; j < m->n; j++) {
		x = SVG_LABEL + (SVG_W - 20 - SVG_LABEL) * (m->v[j].t - t0) / span;
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%d\" r=\"6\" fill=\"%s\" "
		    "fill-opacity=\"0.8\"><title>", x, SVG_TOP + m->v[j].row *
		    SVG_ROW + SVG_ROW / 2, row_colours[m->v[j].row]);
		esc(out, m->v[j].label);
		fputs("</title></circle>\n", out);
	}
	fputs("</svg>\n", out);
}

/* A hit as a table row. */
static void
write_hit(FILE *out, const char *where, const json_t *h)
{
	const char	*key;
	json_t		*v;
	bool		 first = true;

	fputs("<tr><td>", out);
	esc_then(out, where, "</td><td>");
	esc_then(out, str(h, "rule"), "</td><td class=\"a\">");
	esc_then(out, str(h, "action"), "</td><td>");
	json_object_foreach(json_object_get(h, "subject"), key, v) {
		char *s = json_dumps(v, JSON_ENCODE_ANY);

		fprintf(out, "%s", first ? "" : ", ");
		esc(out, key);
		fputs(" ", out);
		esc(out, json_is_string(v) ? json_string_value(v) : s);
		free(s);
		first = false;
	}
	fputs("</td><td>", out);
	esc(out, str(h, "reason"));
	if (json_is_string(json_object_get(h, "would_pass_if"))) {
		fputs("<br><small>would pass if ", out);
		esc(out, str(h, "would_pass_if"));
		fputs("</small>", out);
	}
	fputs("</td></tr>\n", out);
}

/* The parcels set aside (docs/parcels.md): counts, then each parcel. */
static void
write_parcels(FILE *out, const json_t *p)
{
	const json_t	*c = json_object_get(p, "counts"), *e;
	size_t		 i;

	if (!json_is_object(p))
		return;
	fprintf(out, "<p>Parcels: %lld, %lld released, %lld for audit, %lld "
	    "released by an officer, %lld set aside.</p>\n<table><tr>"
	    "<th>wagon</th><th>container</th><th>tracking</th><th>action</th>"
	    "<th>rule</th><th>reason</th></tr>\n",
	    (long long)json_integer_value(json_object_get(c, "parcels")),
	    (long long)json_integer_value(json_object_get(c, "released")),
	    (long long)json_integer_value(json_object_get(c, "audit")),
	    (long long)json_integer_value(json_object_get(c, "resolved")),
	    (long long)json_integer_value(json_object_get(c, "set_aside")));
	json_array_foreach(json_object_get(p, "set_aside"), i, e) {
		fprintf(out, "<tr><td>%lld ", (long long)json_integer_value(
		    json_object_get(e, "position")));
		esc_then(out, str(e, "wagon"), "</td><td>");
		esc_then(out, str(e, "container"), "</td><td>");
		esc_then(out, str(e, "tracking"), "</td><td class=\"a\">");
		esc_then(out, str(e, "action"), "</td><td>");
		esc_then(out, str(e, "rule"), "</td><td>");
		esc_then(out, str(e, "reason"), "</td></tr>\n");
	}
	fputs("</table>\n", out);
}

/* The decision: outcome, counts, every hit. */
static void
write_decision(FILE *out, const json_t *d)
{
	const json_t	*w, *h;
	size_t		 i, k;
	char		 where[64];

	if (!json_is_object(d)) {
		fputs("<p>No decision yet.</p>\n", out);
		return;
	}
	fputs("<p>Decision: <b>", out);
	esc(out, str(d, "decision"));
	fprintf(out, "</b> (%s)</p>\n<table><tr><th>where</th><th>rule</th>"
	    "<th>action</th><th>subject</th><th>reason</th></tr>\n",
	    json_is_true(json_object_get(d, "final")) ? "final" : "provisional");
	json_array_foreach(json_object_get(d, "train_hits"), k, h) {
		write_hit(out, "train", h);
	}
	json_array_foreach(json_object_get(d, "wagons"), i, w) {
		snprintf(where, sizeof where, "wagon %lld ", (long long)
		    json_integer_value(json_object_get(w, "position")));
		json_array_foreach(json_object_get(w, "hits"), k, h) {
			char *s = xasprintf("%s%s", where, str(w, "wagon"));

			write_hit(out, s, h);
			free(s);
		}
	}
	fputs("</table>\n", out);
	write_parcels(out, json_object_get(d, "parcels"));
}

/* The hashes: manifest, rule set, audit records, the chain check. */
static void
write_hashes(FILE *out, const json_t *r, bool intact, long long checked,
    long long first_bad, const char *reason)
{
	const json_t	*a;
	size_t		 i;

	fputs("<table><tr><th>manifest sha256</th><td class=\"h\">", out);
	esc_then(out, str(json_object_get(r, "manifest"), "sha256"),
	    "</td></tr>\n<tr><th>rule set sha256</th><td class=\"h\">");
	esc_then(out, str(r, "ruleset_sha256"), " (");
	esc_then(out, str(r, "ruleset_name"),
	    ")</td></tr>\n<tr><th>audit chain</th><td>");
	if (intact)
		fprintf(out, "intact: %lld %s verified", checked, checked == 1 ?
		    "record" : "records");
	else {
		fprintf(out, "<b class=\"bad\">BROKEN at record %lld</b> (",
		    first_bad);
		esc(out, reason);
		fprintf(out, "); the %lld %s before it %s", checked, checked ==
		    1 ? "record" : "records", checked == 1 ? "verifies" :
		    "verify");
	}
	fputs("</td></tr></table>\n<h3>Audit records of this train</h3>\n"
	    "<table><tr><th>seq</th><th>at</th><th>actor</th><th>action</th>"
	    "<th>details</th><th>prev hash / hash</th><th>check</th></tr>\n",
	    out);
	json_array_foreach(json_object_get(r, "audit"), i, a) {
		fprintf(out, "<tr><td>%lld</td><td>", (long long)
		    json_integer_value(json_object_get(a, "seq")));
		esc_then(out, str(a, "at"), "</td><td>");
		esc_then(out, str(a, "actor"), "</td><td>");
		esc_then(out, str(a, "action"), "</td><td><code>");
		esc_then(out, str(a, "details"), "</code></td><td class=\"h\">");
		esc_then(out, str(a, "prev_hash"), "<br>");
		esc(out, str(a, "hash"));
		fprintf(out, "</td><td>%s</td></tr>\n",
		    json_is_true(json_object_get(a, "hash_ok")) ? "ok" :
		    "<b class=\"bad\">ALTERED</b>");
	}
	fputs("</table>\n", out);
}

static void
write_html(FILE *out, const json_t *r, bool intact, long long checked,
    long long first_bad, const char *reason)
{
	struct marks	m = { 0 };
	size_t		i;
	char		title[128];

	snprintf(title, sizeof title, "%s@%lld", str(r, "train"),
	    (long long)json_integer_value(json_object_get(r, "run")));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>Clearance record of train ", out);
	esc(out, title);
	fputs("</title>\n<style>body{font-family:sans-serif;margin:1.5em;"
	    "color:#222}table{border-collapse:collapse;margin:.5em 0}"
	    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;"
	    "vertical-align:top;font-size:13px}.h{font-family:monospace;"
	    "font-size:11px;word-break:break-all}.bad{color:#b00}.a{font-weight:bold}</style>"
	    "</head><body>\n<h1>Clearance record of train ", out);
	esc_then(out, title, "</h1>\n<p>State: ");
	esc_then(out, str(r, "state"), "; direction ");
	esc_then(out, str(r, "direction"), "; border station ");
	esc_then(out, str(r, "border_station"), "; arrived ");
	esc(out, json_is_string(json_object_get(r, "ata")) ? str(r, "ata") :
	    "not yet");
	/* The arrival reported and received, and where the clock ran from. */
	if (json_is_string(json_object_get(r, "arrival_at"))) {
		esc_then(out, " (reported; received ", "");
		esc_then(out, str(r, "arrival_received_at"), ")");
	}
	if (json_is_string(json_object_get(r, "clock_start"))) {
		fputs("; clearance clock from ", out);
		esc(out, str(r, "clock_start"));
	}
	fputs(".</p>\n<h2>Timeline</h2>\n", out);
	collect_marks(r, &m);
	if (m.n > 1)
		qsort(m.v, m.n, sizeof *m.v, mark_cmp);
	write_svg(out, &m);
	fputs("<ol>\n", out);
	for (i = 0; i < m.n; i++) {
		fputs("<li>", out);
		esc(out, m.v[i].label);
		fputs("</li>\n", out);
		free(m.v[i].label);
	}
	free(m.v);
	fputs("</ol>\n<h2>Decision</h2>\n", out);
	write_decision(out, json_object_get(r, "decision"));
	fputs("<h2>Verification</h2>\n", out);
	write_hashes(out, r, intact, checked, first_bad, reason);
	fputs("<p><small>Made by railgate report; `railgate replay --train ",
	    out);
	esc(out, title);
	fputs("` evaluates every decision again from the stored inputs."
	    "</small></p>\n</body></html>\n", out);
}

static void
report_usage(FILE *out)
{
	fprintf(out, "usage: railgate report TRAIN [--dsn DSN] [--format html]\n"
	    "Writes the clearance record of a train run (X8024 = its latest "
	    "run, or\nX8024@2) as a self-contained HTML page on standard "
	    "output.\n" CMD_DSN_HELP_ENV
	    "Exit: 66 no such train, 69 no database, 77 the role may not read "
	    "it.\n");
}

/* The options into *dsn and the train; 0, -1 (help given) or EX_USAGE. */
static int
report_options(int argc, char **argv, char **dsn, const char **train)
{
	static const struct option longopts[] = {
		{ "dsn", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*dsn_opt = NULL;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dsn_opt = optarg; break;
		case 'f':
			if (strcmp(optarg, "html") != 0)
				return usage_error("report", "--format", "\"%s\" "
				    "is not a format (the only one is html)",
				    optarg);
			break;
		case 'h': report_usage(stdout); return -1;
		default: return usage_bad_option("report", ch, argv);
		}
	}
	if (optind == argc)
		return usage_error("report", NULL, "give a TRAIN (X8024: its "
		    "latest run, or X8024@2)");
	if (optind + 1 != argc)
		return usage_error("report", argv[optind + 1], "unexpected "
		    "argument: one train at a time");
	*train = argv[optind];
	if ((*dsn = usage_dsn("report", dsn_opt, NULL, false, false,
	    &rc)) == NULL)
		return rc;
	return 0;
}

/* The train's record and the chain's check, written; the exit status. */
static int
report_write(struct replay_db *db, const char *dsn, const char *train)
{
	char		*cause = NULL, *text, *reason = NULL;
	json_t		*r;
	bool		 intact = false;
	long long	 checked = 0, first_bad = 0;
	int		 rc;

	if ((text = replay_db_train_record(db, train, &cause)) == NULL) {
		/* db/replay.c's own words when the train is not there; a
		 * database's failure carries its SQLSTATE. */
		if (cause != NULL && strncmp(cause, "no train ", 9) == 0) {
			cmd_warnx("report", "%s: no such train", train);
			rc = EX_NOINPUT;
		} else
			rc = db_error("report", "cannot read the train's record",
			    dsn, cause);
		free(cause);
		return rc;
	}
	if (replay_db_audit_verify(db, &intact, &checked, &first_bad, &reason,
	    &cause) < 0) {
		rc = db_error("report", "cannot verify the audit chain", dsn,
		    cause);
		free(cause);
		free(text);
		return rc;
	}
	r = json_loads(text, 0, NULL);
	write_html(stdout, r, intact, checked, first_bad, reason);
	json_decref(r);
	free(text);
	free(reason);
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	struct replay_db	*db;
	const char		*train = NULL;
	char			*dsn = NULL, *cause = NULL;
	int			 rc;

	if ((rc = report_options(argc, argv, &dsn, &train)) != 0)
		return rc < 0 ? 0 : rc;
	if ((db = replay_db_open(dsn, &cause)) == NULL) {
		rc = db_error("report", "cannot connect", dsn, cause);
		free(cause);
		free(dsn);
		return rc;
	}
	rc = report_write(db, dsn, train);
	replay_db_close(db);
	free(dsn);
	return rc;
}
