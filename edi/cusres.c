/*
 * cusres.c -- CUSRES D.96B in the segment order of its table: header
 * (BGM, DTM, FTX, TDT, LOC, GIS, EQD), SG3 reference to the manifest,
 * then one SG6 group per wagon that is not released: DOC naming the
 * manifest, FTX+AAO with the reasons, GIS with the wagon's status and
 * EQD+RR tying the group to the wagon.
 *
 * GIS (7365) codes: 4 goods released, 5 examination required, 6 documents
 * to be produced, 7 detained, 8 may move under customs transit, 25
 * prohibited or restricted goods.  A partial release is GIS+4 for the
 * train with the wagons held listed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/model.h"
#include "manifest/value.h"

#include "cusres.h"

struct cw {
	struct buf	*out;
	unsigned	 segments;
};

/* Text with every separator and the release character released. */
static void
text(struct cw *w, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == ':' || *s == '+' || *s == '?' || *s == '\'' || *s == '*')
			buf_add_char(w->out, '?');
		buf_add_char(w->out, *s);
	}
}

/* A whole segment from a format of raw parts ('\'' added). */
static void
segf(struct cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
segf(struct cw *w, const char *fmt, ...)
{
	va_list	ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_add_str(w->out, s);
	buf_add_str(w->out, "'\n");
	free(s);
	w->segments++;
}

/* The wagon's GIS code, NULL when released. */
const char *
cusres_wagon_code(enum decision_action a)
{
	switch (a) {
	case DECISION_DOC_CHECK:
		return "6";
	case DECISION_INSPECT:
		return "5";
	case DECISION_HOLD:
		return "7";
	case DECISION_REFUSE:
		return "25";
	default:
		return NULL;
	}
}

/* The train's GIS: released (or transit), else why it stays. */
static const char *
train_code(const struct decision *d)
{
	size_t			i;
	enum decision_action	worst = DECISION_RELEASE;

	if (d->outcome != DECISION_OUTCOME_HOLD)
		return d->transit ? "8" : "4";
	for (i = 0; i < d->ntrain_hits; i++)
		if (d->train_hits[i].action > worst)
			worst = d->train_hits[i].action;
	for (i = 0; i < d->nwagons; i++)
		if (d->wagons[i].action > worst)
			worst = d->wagons[i].action;
	return worst == DECISION_REFUSE ? "25" : worst == DECISION_INSPECT ? "5" :
	    worst == DECISION_DOC_CHECK ? "6" : "7";
}

/* FTX+AAO: a wagon's (or the train's) reasons, one per component. */
static void
reasons(struct cw *w, const struct decision_hit *h, size_t n)
{
	size_t	i;

	if (n == 0)
		return;
	buf_add_str(w->out, "FTX+AAO+++");
	for (i = 0; i < n && i < 5; i++) {
		if (i > 0)
			buf_add_char(w->out, ':');
		text(w, h[i].rule);
		text(w, ": ");
		text(w, h[i].reason);
	}
	buf_add_str(w->out, "'\n");
	w->segments++;
}

/* Header segments up to the list of wagons not released. */
static void
header(struct cw *w, const struct decision *d, const struct cusres_options *o)
{
	char		iso[VALUE_TIME_MAX];
	size_t		i;
	unsigned	listed = 0;

	value_time_format(o->issued, iso);
	buf_add_str(w->out, "BGM+961+");
	text(w, o->notice_id);
	buf_add_str(w->out, "+9'\n");
	w->segments++;
	segf(w, "DTM+137:%.4s%.2s%.2s%.2s%.2s%.2s:204", iso, iso + 5, iso + 8,
	    iso + 11, iso + 14, iso + 17);
	reasons(w, d->train_hits, d->ntrain_hits);
	buf_add_str(w->out, "TDT+20+");
	text(w, d->train);
	buf_add_str(w->out, "+2'\n");
	w->segments++;
	if (d->border_station != NULL) {
		buf_add_str(w->out, "LOC+22+");
		text(w, d->border_station);
		buf_add_str(w->out, "'\n");
		w->segments++;
	}
	segf(w, "GIS+%s", train_code(d));
	for (i = 0; i < d->nwagons; i++) {
		/* The header's EQD repeats at most 999 times (D.96B table). */
		if (cusres_wagon_code(d->wagons[i].action) == NULL ||
		    ++listed > 999)
			continue;
		buf_add_str(w->out, "EQD+RR+");
		text(w, d->wagons[i].wagon);
		buf_add_str(w->out, "'\n");
		w->segments++;
	}
	if (d->manifest_ref != NULL) {
		buf_add_str(w->out, "RFF+AFB:");
		text(w, d->manifest_ref);
		buf_add_str(w->out, "'\n");
		w->segments++;
	}
}

/* The CUSRES interchange for d. */
void
edi_write_cusres(const struct decision *d, const struct cusres_options *o,
    struct buf *out)
{
	struct cw	 w = { out, 0 };
	char		 iso[VALUE_TIME_MAX], ref[15];
	size_t		 i;

	/* UNB/UNZ 0020 is an..14: one reference, cut the same in both. */
	snprintf(ref, sizeof ref, "%s", o->reference != NULL ? o->reference : "1");
	value_time_format(o->issued, iso);
	buf_add_str(out, "UNA:+.?*'\n");
	buf_add_str(out, "UNB+UNOY:4+");
	text(&w, o->sender != NULL ? o->sender : "CUSTOMS");
	buf_add_char(out, '+');
	text(&w, o->recipient != NULL ? o->recipient : "OPERATOR");
	buf_printf(out, "+%.4s%.2s%.2s:%.2s%.2s+", iso, iso + 5, iso + 8,
	    iso + 11, iso + 14);
	text(&w, ref);
	buf_add_str(out, "'\n");
	w.segments = 0;
	segf(&w, "UNH+1+CUSRES:D:96B:UN");
	header(&w, d, o);
	for (i = 0; i < d->nwagons; i++) {
		const struct decision_wagon *wg = &d->wagons[i];
		const char *code = cusres_wagon_code(wg->action);

		if (code == NULL)
			continue;
		buf_add_str(out, "DOC+85+");
		text(&w, d->manifest_ref != NULL ? d->manifest_ref : d->train);
		buf_add_str(out, "'\n");
		w.segments++;
		reasons(&w, wg->hits, wg->nhits);
		segf(&w, "GIS+%s", code);
		buf_add_str(out, "EQD+RR+");
		text(&w, wg->wagon);
		buf_add_str(out, "'\n");
		w.segments++;
	}
	segf(&w, "UNT+%u+1", w.segments + 1);
	buf_add_str(out, "UNZ+1+");
	text(&w, ref);
	buf_add_str(out, "'\n");
}
