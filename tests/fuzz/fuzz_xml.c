/*
 * fuzz_xml.c -- libFuzzer target: any bytes through the hardened XML
 * reader and, when a train comes out, its canonical JSON.  Seeded from
 * fixtures/xml/ (hostile documents included).
 */
#include <stddef.h>
#include <stdint.h>

#include "manifest/json.h"
#include "manifest/xml.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_train	*t = manifest_train_new();
	struct buf		 out = { 0 };
	int			 rc = xml_parse((const char *)data, size, NULL, t);

	if (rc == 0)
		manifest_json_write(t, MANIFEST_JSON_DIAGNOSTICS, &out);
	fuzz_check_text(t, rc, &out);
	buf_free(&out);
	manifest_train_free(t);
	return 0;
}
