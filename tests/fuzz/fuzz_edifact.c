/*
 * fuzz_edifact.c -- libFuzzer target: any bytes through the EDIFACT
 * reader (tokenizer, repertoires, envelope, CUSCAR/IFCSUM mapping, the
 * model's checks and its canonical JSON).  Seeded from fixtures/edifact/.
 */
#include <stddef.h>
#include <stdint.h>

#include "edi/reader.h"
#include "manifest/json.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_train	*t = manifest_train_new();
	struct buf		 out = { 0 };
	int			 rc = edi_read((const char *)data, size, t);

	if (rc == 0)
		manifest_json_write(t, MANIFEST_JSON_DIAGNOSTICS, &out);
	fuzz_check_text(t, rc, &out);
	buf_free(&out);
	manifest_train_free(t);
	return 0;
}
