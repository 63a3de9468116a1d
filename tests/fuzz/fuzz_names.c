/*
 * fuzz_names.c -- libFuzzer target: any bytes as two party names
 * (split at the first newline or tab) through the name keys and score
 * (rules/names.h) with a few legal forms and generic words, and as the
 * lines of a generic-word list.  The score must stay in 0..1, a name
 * against itself must score 1 or 0 (no letters), nothing may crash.
 * Seeded from fixtures/screening/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const forms_txt[] = {
	"LLC", "LLP", "CO LTD", "ТОО", "ООО", "АҚ", "有限公司", "CÔNG TY TNHH",
	"ХХК", "YOU XIAN GONG SI",
};
static const char *const generic_txt[] = {
	"Trading", "Trading House", "Import Export", "Logistics", "Торговый Дом",
	"ТД = Торговый Дом", "Impex = Import Export", "Трейд = Trade",
	"贸易", "进出口", "物流", "郑州", "Thương mại", "Urumqi = Wulumuqi",
};

static struct names_forms	forms;
static struct names_generic	generic;
static int			ready;

/* Up to 32 lines of s[0..n) as NUL-terminated strings in buf. */
static size_t
split_lines(const char *s, size_t n, char *buf, const char **line)
{
	size_t	i, k = 0;

	memcpy(buf, s, n);
	buf[n] = '\0';
	line[k++] = buf;
	for (i = 0; i < n && k < 32; i++)
		if (buf[i] == '\n') {
			buf[i] = '\0';
			line[k++] = buf + i + 1;
		}
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct names_generic	 g;
	struct names_hit	 h;
	const char		*line[32], *b;
	char			*buf, err[256];
	size_t			 n, cut;

	if (!ready) {
		if (names_forms_init(&forms, forms_txt, sizeof(forms_txt) /
		    sizeof(forms_txt[0]), err, sizeof(err)) != 0 ||
		    names_generic_init(&generic, generic_txt,
		    sizeof(generic_txt) / sizeof(generic_txt[0]), err,
		    sizeof(err)) != 0)
			abort();
		ready = 1;
	}
	if (size > 4096 || (buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	cut = strcspn(buf, "\n\t");
	b = cut < size ? buf + cut + 1 : "";
	buf[cut] = '\0';
	if (names_match(buf, b, &forms, &generic, &h, err, sizeof(err)) == 0 &&
	    (h.score < 0 || h.score > 1))
		abort();
	if (names_match(buf, buf, &forms, &generic, &h, err, sizeof(err)) ==
	    0 && h.score != 1 && h.score != 0)
		abort();
	free(buf);
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	n = split_lines((const char *)data, size, buf, line);
	if (names_generic_init(&g, line, n, err, sizeof(err)) == 0)
		names_generic_free(&g);
	free(buf);
	return 0;
}
