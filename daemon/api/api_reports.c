/*
 * api_reports.c -- the auditor's reports across trains (docs/auditor.md):
 * GET /v1/reports/overrides (by principal), /v1/reports/clearance (each
 * train run's minutes to its first decision and to release, against
 * [clearance] target_minutes) and /v1/reports/hits (per rule per day), for
 * a period (?from=&to=, dates or timestamps; the last 30 days by default).
 *
 * Each report is one query (74_reports.sql) answering columns and rows,
 * written here as CSV (RFC 4180, formula cells made inert), HTML (one
 * self-contained page: inline style, inline SVG, no script, every string
 * escaped) or the JSON itself -- ?format=csv|html|json, else the Accept
 * header, else CSV.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db/store.h"
#include "manifest/textw.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/daemon.h"
#include "daemon/outcome.h"

#define REPORT_DAYS	30	/* the default period */
/*
 * The longest period one report covers: a report is drawn on the loop
 * thread, and the hits plot grows with days times rules; a year answers
 * in tens of milliseconds, years of data would hold every request.
 */
#define REPORT_MAX_DAYS	366
#define SVG_W		900
#define SVG_H		300
#define SVG_PAD		50

enum report_format { FORMAT_CSV, FORMAT_HTML, FORMAT_JSON };

/* One report asked for: what, how, and the period. */
struct report_req {
	struct http_ctx		*c;
	enum store_report_kind	 kind;
	enum report_format	 format;
	char			 from[40], to[40];
};

static const char *const report_titles[] = {
	[STORE_REPORT_OVERRIDES] = "Overrides by principal",
	[STORE_REPORT_CLEARANCE] = "Clearance times against the target",
	[STORE_REPORT_HITS] = "Hits by rule by day",
};
static const char *const report_names[] = {
	[STORE_REPORT_OVERRIDES] = "overrides",
	[STORE_REPORT_CLEARANCE] = "clearance",
	[STORE_REPORT_HITS] = "hits",
};
static const char *const colours[] = { "#1f6fb2", "#b26b1f", "#2a8a3a",
	"#7a2ab2", "#b21f4f", "#2a8a8a", "#8a6d1f", "#555" };

bool
api_time_ok(const char *s)
{
	size_t	n;

	if (s == NULL || (n = strlen(s)) < 10 || n > 35)
		return false;
	return strspn(s, "0123456789") == 4 && s[4] == '-' &&
	    strspn(s + 5, "0123456789") == 2 && s[7] == '-' &&
	    strspn(s + 8, "0123456789") == 2 &&
	    strspn(s + 10, "0123456789T:.Z+- ") == n - 10;
}

/* A cell as text (caller frees; NULL for null). */
static char *
cell_text(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v) || json_is_false(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

/* The report as CSV: the header row, then a row per row, CRLF. */
static void
write_csv(const json_t *r, struct buf *out)
{
	const json_t	*rows = json_object_get(r, "rows"), *row;
	const json_t	*cols = json_object_get(r, "columns");
	size_t		 i, j;
	char		*t;

	json_array_foreach(cols, j, row) {
		if (j > 0)
			buf_add(out, ",", 1);
		textw_csv(out, json_string_value(row));
	}
	buf_add(out, "\r\n", 2);
	json_array_foreach(rows, i, row) {
		for (j = 0; j < json_array_size(row); j++) {
			if (j > 0)
				buf_add(out, ",", 1);
			t = cell_text(json_array_get(row, j));
			textw_csv(out, t);
			free(t);
		}
		buf_add(out, "\r\n", 2);
	}
}

/* The rows as an HTML table, every cell escaped. */
static void
write_table(const json_t *r, struct buf *out)
{
	const json_t	*rows = json_object_get(r, "rows"), *row, *col;
	size_t		 i, j;
	char		*t;

	buf_add_str(out, "<table>\n<tr>");
	json_array_foreach(json_object_get(r, "columns"), j, col) {
		buf_add_str(out, "<th>");
		textw_html(out, json_string_value(col));
		buf_add_str(out, "</th>");
	}
	buf_add_str(out, "</tr>\n");
	json_array_foreach(rows, i, row) {
		buf_add_str(out, "<tr>");
		for (j = 0; j < json_array_size(row); j++) {
			t = cell_text(json_array_get(row, j));
			buf_add_str(out, "<td>");
			textw_html(out, t);
			buf_add_str(out, "</td>");
			free(t);
		}
		buf_add_str(out, "</tr>\n");
	}
	buf_add_str(out, "</table>\n");
}

static void
svg_begin(struct buf *out, const char *label)
{
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
	    SVG_W, SVG_H, SVG_W, SVG_H);
	textw_html(out, label);
	buf_printf(out, "\">\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333\"/>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333\"/>\n", SVG_PAD, SVG_H - SVG_PAD, SVG_W - 10,
	    SVG_H - SVG_PAD, SVG_PAD, 10, SVG_PAD, SVG_H - SVG_PAD);
}

/* A y-axis label: the highest value. */
static void
svg_ymax(struct buf *out, double ymax, const char *what)
{
	buf_printf(out, "<text x=\"4\" y=\"18\" font-size=\"11\">%g %s</text>\n",
	    ymax, what);
}

/*
 * The clearance report's plot: a histogram of minutes from the clock's
 * start to release, 20 bins up to twice the target (or the longest), the
 * target marked.
 */
static void
svg_clearance(const json_t *r, struct buf *out)
{
	const json_t	*row;
	double		 target = (double)json_integer_value(json_object_get(r,
			    "target_minutes")), top = 2 * target, bw, x, v;
	int		 bins[20] = { 0 }, ymax = 1, b, h;
	size_t		 i;

	json_array_foreach(json_object_get(r, "rows"), i, row)
		if (json_is_number(json_array_get(row, 7)))
			top = fmax(top, json_number_value(json_array_get(row, 7)));
	top = top > 0 ? top : 1;
	bw = top / 20;
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		if (!json_is_number(json_array_get(row, 7)))
			continue;
		v = json_number_value(json_array_get(row, 7));
		b = (int)fmin(19, fmax(0, floor(v / bw)));
		ymax = bins[b] + 1 > ymax ? bins[b] + 1 : ymax;
		bins[b]++;
	}
	svg_begin(out, "histogram of minutes to release");
	svg_ymax(out, ymax, "trains");
	for (b = 0; b < 20; b++) {
		h = (SVG_H - SVG_PAD - 20) * bins[b] / ymax;
		x = SVG_PAD + (SVG_W - 10 - SVG_PAD) * b / 20.0;
		buf_printf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		    "height=\"%d\" fill=\"#1f6fb2\"><title>%.1f-%.1f min: %d"
		    "</title></rect>\n", x + 1, SVG_H - SVG_PAD - h,
		    (SVG_W - 10 - SVG_PAD) / 20.0 - 2, h, b * bw, (b + 1) * bw,
		    bins[b]);
	}
	x = SVG_PAD + (SVG_W - 10 - SVG_PAD) * target / top;
	buf_printf(out, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\" "
	    "stroke=\"#c00\" stroke-width=\"2\" stroke-dasharray=\"6,4\"/>\n"
	    "<text x=\"%.1f\" y=\"24\" font-size=\"12\" fill=\"#c00\">target "
	    "%g min</text>\n<text x=\"%d\" y=\"%d\" font-size=\"11\">0</text>\n"
	    "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.0f "
	    "min</text>\n<text x=\"%d\" y=\"%d\" font-size=\"11\" "
	    "text-anchor=\"middle\">minutes from the clock's start to release"
	    "</text>\n</svg>\n", x, x, SVG_H - SVG_PAD, x + 4, target,
	    SVG_PAD, SVG_H - SVG_PAD + 16, SVG_W - 10, SVG_H - SVG_PAD + 16, top,
	    (SVG_W + SVG_PAD) / 2, SVG_H - SVG_PAD + 32);
}

/* The index of s in a (appended when absent). */
static size_t
index_of(json_t *a, const char *s)
{
	const json_t	*x;
	size_t		 i;

	json_array_foreach(a, i, x)
		if (strcmp(json_string_value(x), s) == 0)
			return i;
	json_array_append_new(a, json_string(s));
	return json_array_size(a) - 1;
}

/* A dot per day of rule's line, its count as a tooltip (one day: no line). */
static void
svg_hit_marks(const json_t *r, const char *rule, json_t *days, size_t nd,
    double ymax, const char *colour, struct buf *out)
{
	const json_t	*row;
	size_t		 i;
	double		 x, y;

	json_array_foreach(json_object_get(r, "rows"), i, row) {
		if (strcmp(json_string_value(json_array_get(row, 1)), rule) != 0)
			continue;
		x = SVG_PAD + (SVG_W - 10 - SVG_PAD) * (double)index_of(days,
		    json_string_value(json_array_get(row, 0))) / nd;
		y = SVG_H - SVG_PAD - (SVG_H - SVG_PAD - 20) *
		    json_number_value(json_array_get(row, 2)) / ymax;
		buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
		    "fill=\"%s\"><title>", x, y, colour);
		textw_html(out, json_string_value(json_array_get(row, 0)));
		buf_add_str(out, " ");
		textw_html(out, rule);
		buf_printf(out, ": %lld</title></circle>\n", (long long)
		    json_integer_value(json_array_get(row, 2)));
	}
}

/* The hits report's plot: a line per rule over the days. */
static void
svg_hits(const json_t *r, struct buf *out)
{
	json_t		*days = json_array(), *rules = json_array();
	const json_t	*row, *rule;
	double		 ymax = 1, x, y;
	size_t		 i, k, nd;

	json_array_foreach(json_object_get(r, "rows"), i, row) {
		(void)index_of(days, json_string_value(json_array_get(row, 0)));
		(void)index_of(rules, json_string_value(json_array_get(row, 1)));
		ymax = fmax(ymax, json_number_value(json_array_get(row, 2)));
	}
	nd = json_array_size(days) > 1 ? json_array_size(days) - 1 : 1;
	svg_begin(out, "hits per rule per day");
	svg_ymax(out, ymax, "hits");
	json_array_foreach(rules, k, rule) {
		buf_printf(out, "<polyline fill=\"none\" stroke-width=\"2\" "
		    "stroke=\"%s\" points=\"", colours[k % 8]);
		json_array_foreach(json_object_get(r, "rows"), i, row) {
			if (strcmp(json_string_value(json_array_get(row, 1)),
			    json_string_value(rule)) != 0)
				continue;
			x = SVG_PAD + (SVG_W - 10 - SVG_PAD) * (double)index_of(
			    days, json_string_value(json_array_get(row, 0))) / nd;
			y = SVG_H - SVG_PAD - (SVG_H - SVG_PAD - 20) *
			    json_number_value(json_array_get(row, 2)) / ymax;
			buf_printf(out, "%.1f,%.1f ", x, y);
		}
		buf_add_str(out, "\"/>\n");
		svg_hit_marks(r, json_string_value(rule), days, nd, ymax,
		    colours[k % 8], out);
		buf_printf(out, "<text x=\"%d\" y=\"%zu\" font-size=\"11\" "
		    "fill=\"%s\">", SVG_W - 200, 20 + 14 * k, colours[k % 8]);
		textw_html(out, json_string_value(rule));
		buf_add_str(out, "</text>\n");
	}
	json_array_foreach(days, k, row) {
		if (k != 0 && k + 1 != json_array_size(days))
			continue;
		buf_printf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">",
		    SVG_PAD + (SVG_W - 10 - SVG_PAD) * (double)k / nd,
		    SVG_H - SVG_PAD + 16);
		textw_html(out, json_string_value(row));
		buf_add_str(out, "</text>\n");
	}
	buf_add_str(out, "</svg>\n");
	json_decref(days);
	json_decref(rules);
}

/* The overrides report's plot: a bar per principal (overrides, confirmations). */
static void
svg_overrides(const json_t *r, struct buf *out)
{
	const json_t	*rows = json_object_get(r, "rows"), *row;
	double		 ymax = 1, bw, x;
	int		 h, k;
	size_t		 i, n = json_array_size(rows) > 0 ? json_array_size(rows) : 1;

	json_array_foreach(rows, i, row)
		for (k = 1; k <= 2; k++)
			ymax = fmax(ymax, json_number_value(json_array_get(row, k)));
	bw = (SVG_W - 10 - SVG_PAD) / (double)n;
	svg_begin(out, "overrides and confirmations by principal");
	svg_ymax(out, ymax, "");
	json_array_foreach(rows, i, row) {
		for (k = 1; k <= 2; k++) {
			h = (int)((SVG_H - SVG_PAD - 20) * json_number_value(
			    json_array_get(row, k)) / ymax);
			x = SVG_PAD + bw * (double)i + (k - 1) * bw / 2;
			buf_printf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			    "height=\"%d\" fill=\"%s\"/>\n", x + 1,
			    SVG_H - SVG_PAD - h, bw / 2 - 2, h, colours[k - 1]);
		}
		buf_printf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">",
		    SVG_PAD + bw * (double)i + 2, SVG_H - SVG_PAD + 16);
		textw_html(out, json_string_value(json_array_get(row, 0)));
		buf_add_str(out, "</text>\n");
	}
	buf_printf(out, "<text x=\"%d\" y=\"18\" font-size=\"11\" fill=\"%s\">"
	    "overrides</text><text x=\"%d\" y=\"32\" font-size=\"11\" "
	    "fill=\"%s\">confirmations</text>\n</svg>\n", SVG_W - 150,
	    colours[0], SVG_W - 150, colours[1]);
}

/* The report as one self-contained HTML page. */
static void
write_html(const struct report_req *q, const json_t *r, struct buf *out)
{
	buf_add_str(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>");
	textw_html(out, report_titles[q->kind]);
	buf_add_str(out, "</title><style>body{font-family:sans-serif;margin:2em}"
	    "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
	    "padding:2px 6px;font-size:13px}</style></head><body>\n<h1>");
	textw_html(out, report_titles[q->kind]);
	buf_add_str(out, "</h1>\n<p>From ");
	textw_html(out, q->from);
	buf_add_str(out, " to ");
	textw_html(out, q->to);
	buf_printf(out, ": %zu rows.</p>\n",
	    json_array_size(json_object_get(r, "rows")));
	if (q->kind == STORE_REPORT_CLEARANCE)
		svg_clearance(r, out);
	else if (q->kind == STORE_REPORT_HITS)
		svg_hits(r, out);
	else
		svg_overrides(r, out);
	write_table(r, out);
	buf_add_str(out, "</body></html>\n");
}

/* The report's rows arrived: written in the format asked for. */
static void
report_cb(int status, const char *text, size_t len, void *arg)
{
	struct report_req	*q = arg;
	struct http_ctx		*c = q->c;
	struct buf		 b = { 0 };
	json_t			*r;
	char			 disp[80];

	if (status <= 0 || (r = json_loadb(text, len, 0, NULL)) == NULL) {
		outcome_reply_store_failure(c, status < 0 ? status :
		    STORE_FAILED);
		free(q);
		return;
	}
	if (q->format == FORMAT_JSON)
		http_reply_json(c, 200, text, len);
	else if (q->format == FORMAT_CSV) {
		write_csv(r, &b);
		snprintf(disp, sizeof disp, "inline; filename=\"%s.csv\"",
		    report_names[q->kind]);
		http_add_header(c, "Content-Disposition", disp);
		http_reply(c, 200, "text/csv; charset=utf-8; header=present",
		    b.data, b.len);
	} else {
		write_html(q, r, &b);
		http_add_header(c, "Content-Security-Policy", "default-src "
		    "'none'; style-src 'unsafe-inline'");
		http_reply(c, 200, "text/html; charset=utf-8", b.data, b.len);
	}
	json_decref(r);
	buf_free(&b);
	free(q);
}

/* The format: ?format= first, then Accept; 0, or -1 when unknown. */
static int
report_format(struct http_ctx *c, enum report_format *f)
{
	const char	*v = http_query(c, "format"), *accept;

	if (v != NULL) {
		if (strcmp(v, "csv") == 0)
			*f = FORMAT_CSV;
		else if (strcmp(v, "html") == 0)
			*f = FORMAT_HTML;
		else if (strcmp(v, "json") == 0)
			*f = FORMAT_JSON;
		else
			return -1;
		return 0;
	}
	accept = http_header(c, "Accept");
	*f = FORMAT_CSV;
	if (accept != NULL && strstr(accept, "text/html") != NULL)
		*f = FORMAT_HTML;
	else if (accept != NULL && strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/csv") == NULL)
		*f = FORMAT_JSON;
	return 0;
}

/* The Unix time of the date a period end begins with (YYYY-MM-DD), or 0. */
static time_t
report_date(const char *s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday) != 3)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	return timegm(&tm);
}

/*
 * Days from one period end to the other, by their dates (YYYY-MM-DD, the
 * first ten characters api_time_ok checked; a time of day or an offset
 * moves it by less than two days, well inside the cap's purpose).
 */
static long
report_period_days(const char *from, const char *to)
{
	return (long)((report_date(to) - report_date(from)) / 86400);
}

/* Reads the period and format, then asks the database. */
static void
report_start(struct http_ctx *c, enum store_report_kind kind)
{
	struct report_req	*q = xcalloc(1, sizeof *q);
	const char		*from = http_query(c, "from");
	const char		*to = http_query(c, "to");
	time_t			 now = time(NULL), then;
	long			 days;

	q->c = c;
	q->kind = kind;
	if (report_format(c, &q->format) < 0 || (from != NULL &&
	    !api_time_ok(from)) || (to != NULL && !api_time_ok(to))) {
		free(q);
		http_reply_problem(c, 400, "Bad Request", "format is csv, html "
		    "or json; from and to are dates or timestamps (2026-01-31, "
		    "2026-01-31T12:00:00Z)", NULL, 0);
		return;
	}
	/* The default period: the 30 days before its end. */
	then = (to != NULL ? report_date(to) : now) - REPORT_DAYS * 86400;
	if (to != NULL)
		snprintf(q->to, sizeof q->to, "%s", to);
	else
		strftime(q->to, sizeof q->to, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (from != NULL)
		snprintf(q->from, sizeof q->from, "%s", from);
	else
		strftime(q->from, sizeof q->from, "%Y-%m-%dT%H:%M:%SZ",
		    gmtime(&then));
	days = report_period_days(q->from, q->to);
	if (days < 0 || days > REPORT_MAX_DAYS) {
		free(q);
		http_reply_problem(c, 422, "Unprocessable Content", days < 0 ?
		    "from is after to" : "a report covers at most 366 days: "
		    "ask for each year on its own", NULL, 0);
		return;
	}
	store_report(c->d->db, kind, q->from, q->to, c->d->cfg.target_minutes,
	    report_cb, q);
}

void
api_report_overrides(struct http_ctx *c)
{
	report_start(c, STORE_REPORT_OVERRIDES);
}

void
api_report_clearance(struct http_ctx *c)
{
	report_start(c, STORE_REPORT_CLEARANCE);
}

void
api_report_hits(struct http_ctx *c)
{
	report_start(c, STORE_REPORT_HITS);
}
