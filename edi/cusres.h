/*
 * cusres.h -- the release notice as UN/EDIFACT CUSRES (edifact-rail.md
 * §3): one interchange of its own, syntax 4, UNOY, from the station's
 * customs to the railway operator.
 *
 * Writes into a caller-owned buffer from a decision document; pure, any
 * thread.
 */
#ifndef EDI_CUSRES_H
#define EDI_CUSRES_H

#include <stdint.h>

#include "manifest/decision.h"
#include "manifest/util.h"

struct cusres_options {
	const char	*notice_id;	/* BGM document number: the notice's id */
	const char	*sender;	/* the station's customs, UNB sender */
	const char	*recipient;	/* the railway operator */
	const char	*reference;	/* UNB/UNZ control reference (max 14) */
	int64_t		 issued;	/* DTM+137, Unix seconds */
};

/* GIS 7365 code for a wagon's action: 5, 7, 25, 6; NULL for released ones. */
const char *cusres_wagon_code(enum decision_action a);
/* Appends the CUSRES interchange for d to out. */
void edi_write_cusres(const struct decision *d, const struct cusres_options *o,
    struct buf *out);

#endif
