/*
 * fuzz_edifact.c -- libFuzzer target: any bytes through the EDIFACT
 * reader (tokenizer, repertoires, envelope, CUSCAR/IFCSUM mapping, the
 * model's checks and its canonical JSON).  Seeded from fixtures/edifact/.
 * One input in four is also read with the lexer on a second thread
 * (edi_read_options.threads 2), which must give the same return, model
 * and diagnostics.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edi/reader.h"
#include "manifest/json.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The two-thread read of data gives rc, t's diagnostics and json again. */
static void
same_on_two_threads(const uint8_t *data, size_t size, int rc,
    const struct manifest_train *t, const struct buf *json)
{
	struct edi_read_options	 ro = { NULL, NULL, 2 };
	struct manifest_train	*t2 = manifest_train_new();
	struct buf		 out = { 0 };
	int			 rc2 = edi_read_with((const char *)data, size, &ro, t2);

	if (rc2 == 0)
		manifest_json_write(t2, MANIFEST_JSON_DIAGNOSTICS, &out);
	if (rc2 != rc || out.len != json->len || (out.len != 0 &&
	    memcmp(out.data, json->data, out.len) != 0) ||
	    t2->diags.n != t->diags.n || t2->diags.errors != t->diags.errors ||
	    t2->diags.dropped != t->diags.dropped)
		abort();
	for (size_t i = 0; i < t->diags.n; i++)
		if (strcmp(t->diags.v[i].message, t2->diags.v[i].message) != 0 ||
		    t->diags.v[i].loc.offset != t2->diags.v[i].loc.offset)
			abort();
	buf_free(&out);
	manifest_train_free(t2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_train	*t = manifest_train_new();
	struct buf		 out = { 0 };
	int			 rc = edi_read((const char *)data, size, t);

	if (rc == 0)
		manifest_json_write(t, MANIFEST_JSON_DIAGNOSTICS, &out);
	fuzz_check_text(t, rc, &out);
	if (size % 4 == 0)
		same_on_two_threads(data, size, rc, t, &out);
	buf_free(&out);
	manifest_train_free(t);
	return 0;
}
