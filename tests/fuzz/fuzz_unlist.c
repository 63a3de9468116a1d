/*
 * fuzz_unlist.c -- libFuzzer target: any bytes through the UN list
 * importer (rules/unlist.c).  Whatever the input, a refusal's message is
 * printable text, and a list written is printable UTF-8 lines, each
 * ending in a newline, every id line's value one rules/ident.c accepts.
 * A breach aborts.  Seeded from fixtures/screening/un/ (scripts/fuzz.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"
#include "rules/ident.h"
#include "rules/unlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless the id line at p (after its indentation) holds a value its scheme accepts. */
static void
check_id(const char *p, const char *nl)
{
	char		 line[128], *sp;
	size_t		 n = (size_t)(nl - p);

	if (n >= sizeof(line))
		abort();
	memcpy(line, p, n);
	line[n] = '\0';
	if ((sp = strchr(line + 3, ' ')) == NULL)
		abort();
	*sp = '\0';
	if (ident_check(line + 3, sp + 1, NULL, 0) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unlist_counts	 c;
	struct unlist_error	 err;
	char			*text = NULL, *p, *nl;
	size_t			 len;

	if (unlist_convert((const char *)data, size, "fuzz.xml", &text, &len,
	    &c, &err) < 0) {
		if (!text_is_printable(err.msg))
			abort();
		return 0;
	}
	if (strlen(text) != len || len == 0 || text[len - 1] != '\n')
		abort();
	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		if (!text_is_printable(p))
			abort();
		*nl = '\n';
		if (strncmp(p, "    id ", 7) == 0)
			check_id(p + 4, nl);
	}
	free(text);
	return 0;
}
