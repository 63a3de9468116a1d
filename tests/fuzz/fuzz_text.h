/*
 * fuzz_text.h -- what a reader's output must be whatever its input (issue
 * 15): every diagnostic printable text, the canonical JSON UTF-8, and a
 * train read a train number the API can name.  A breach aborts, which
 * libFuzzer reports as a crash.
 */
#ifndef TESTS_FUZZ_TEXT_H
#define TESTS_FUZZ_TEXT_H

#include <stdlib.h>
#include <string.h>

#include "manifest/ident.h"
#include "manifest/model.h"
#include "manifest/util.h"

/* Checks t as a reader left it (rc its result) and json, its output. */
static void
fuzz_check_text(const struct manifest_train *t, int rc, const struct buf *json)
{
	size_t	i, k;

	for (i = 0; i < t->diags.n; i++) {
		const struct diag *d = &t->diags.v[i];

		if (!text_is_printable(d->message) || (d->loc.field != NULL &&
		    !text_is_printable(d->loc.field)) || (d->loc.file != NULL &&
		    !text_is_printable(d->loc.file)))
			abort();
	}
	for (i = 0; i < json->len; i += k)
		if ((k = utf8_sequence(json->data + i, json->len - i)) == 0)
			abort();
	if (rc == 0 && t->id != NULL &&
	    ident_train_number_problem(t->id, strlen(t->id)) != NULL)
		abort();
}

#endif
