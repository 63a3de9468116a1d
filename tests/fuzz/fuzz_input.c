/*
 * fuzz_input.c -- libFuzzer target: any bytes through engine/input.c's
 * input_parse, the entry point `railgate check`, `railgate parse` and the
 * daemon's ingestion share: detection by content, the one gzip path
 * (every member, nothing after the last, gzip inside gzip refused, the
 * size limit after inflating), then the EDIFACT or the XML reader.
 *
 * Beyond the readers' own promises (fuzz_text.h), one of its own: a
 * gzip body reads exactly as the bytes it inflates to (input_decompress)
 * would read plain -- the same result, the same canonical JSON.  Seeded
 * by scripts/fuzz.sh with manifests from fixtures/edifact/ and
 * fixtures/xml/, plain and gzipped.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/input.h"
#include "manifest/detect.h"
#include "manifest/json.h"

#include "fuzz_text.h"

/* Small enough that a bomb costs little time, big enough for the seeds. */
#define FUZZ_INPUT_MAX	((size_t)4 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses data as the daemon would: the result, the JSON into out. */
static int
parse(const char *data, size_t size, struct buf *out)
{
	struct input_options	 opt = { 0 };
	struct manifest_train	*t = NULL;
	int			 rc;

	opt.max_size = FUZZ_INPUT_MAX;
	rc = input_parse(data, size, &opt, &t);
	if (t == NULL)
		abort();		/* *out is always set */
	manifest_json_write(t, MANIFEST_JSON_DIAGNOSTICS, out);
	fuzz_check_text(t, rc, out);
	manifest_train_free(t);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_train	*t;
	struct buf		 whole = { 0 }, direct = { 0 };
	char			*plain = NULL;
	size_t			 plainlen = 0;
	int			 rc;

	rc = parse((const char *)data, size, &whole);
	if (manifest_detect_format((const char *)data, size) ==
	    MANIFEST_FORMAT_GZIP) {
		t = manifest_train_new();
		if (input_decompress((const char *)data, size, FUZZ_INPUT_MAX, t,
		    &plain, &plainlen) == 0) {
			/* One gzip path: the same as the plain bytes. */
			if (parse(plain, plainlen, &direct) != rc ||
			    direct.len != whole.len ||
			    memcmp(direct.data, whole.data, whole.len) != 0)
				abort();
			free(plain);
		} else if (rc == 0)
			abort();	/* refused by one path, taken by the other */
		manifest_train_free(t);
	}
	buf_free(&whole);
	buf_free(&direct);
	return 0;
}
