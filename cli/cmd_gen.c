/*
 * cmd_gen.c -- `railgate gen`: a synthetic train, deterministic for its
 * seed, as EDIFACT (CUSCAR or IFCSUM) or XML (docs/generator.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/util.h"
#include "manifest/xml.h"

#include "cli/cmd.h"

/* Prints the usage text. */
static void
gen_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate gen --wagons N --items N --seed S --format edifact|xml\n"
	    "                    [--ecommerce [--consignees N]] [--message cuscar|ifcsum]\n"
	    "                    [--syntax 3|4]\n"
	    "                    [--charset UNOA|UNOB|UNOC|UNOD|UNOE|UNOY]\n"
	    "                    [--max-items N] [-o FILE]\n"
	    "Writes a realistic synthetic train; the same options give the same\n"
	    "bytes.  --max-items caps the goods items per EDIFACT message;\n"
	    "--consignees sends the parcels to N distinct persons.\n");
}

/* Parses a positive number option; -1 when it is not one. */
static long long
number(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || v < 0 ? -1 : v;
}

/* Writes b to path ("-" or NULL: stdout); 0 or -1. */
static int
write_out(const char *path, const struct buf *b)
{
	FILE	*f = path == NULL || strcmp(path, "-") == 0 ? stdout :
		    fopen(path, "w");
	int	 rc;

	if (f == NULL)
		return -1;
	rc = fwrite(b->data, 1, b->len, f) == b->len ? 0 : -1;
	if (f != stdout)
		rc |= fclose(f);
	else
		rc |= fflush(f);
	return rc;
}

/* What the options of `railgate gen` ask for. */
struct gen_args {
	struct gen_options	 g;
	struct edi_write_options w;
	const char		*format;
	const char		*path;
};

/* Takes option ch (its argument in optarg) into a; 0, or -1: usage. */
static int
gen_option(int ch, struct gen_args *a)
{
	long long	v;

	switch (ch) {
	case 'w':
		if ((v = number(optarg)) < 1 || v > 10000)
			return -1;
		a->g.wagons = (unsigned)v;
		return 0;
	case 'i':
		/* 10^8 items would take some 20 GB: refuse, not abort. */
		if ((v = number(optarg)) < 0 || v > 100000000)
			return -1;
		a->g.items = (uint64_t)v;
		return 0;
	case 's':
		if ((v = number(optarg)) < 0)
			return -1;
		a->g.seed = (uint64_t)v;
		return 0;
	case 'f':
		a->format = optarg;
		return 0;
	case 'e':
		a->g.ecommerce = true;
		return 0;
	case 'C':
		if ((v = number(optarg)) <= 0 || v > 100000000)
			return -1;
		a->g.consignees = (uint64_t)v;
		return 0;
	case 'm':
		if (strcmp(optarg, "ifcsum") == 0)
			a->w.kind = EDI_MSG_IFCSUM;
		else if (strcmp(optarg, "cuscar") != 0)
			return -1;
		return 0;
	case 'x':
		a->w.syntax = atoi(optarg);
		return a->w.syntax != 3 && a->w.syntax != 4 ? -1 : 0;
	case 'c':
		if (edi_codeset_from_id(optarg, strlen(optarg)) ==
		    EDI_CODESET_UNKNOWN)
			return -1;
		a->w.charset = optarg;
		return 0;
	case 'M':
		if ((v = number(optarg)) < 1)
			return -1;
		a->w.max_items = (size_t)v;
		return 0;
	case 'o':
		a->path = optarg;
		return 0;
	default:
		return -1;
	}
}

/* railgate gen: writes one synthetic train; a sysexits code. */
int
cmd_gen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wagons", required_argument, NULL, 'w' },
		{ "items", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "ecommerce", no_argument, NULL, 'e' },
		{ "consignees", required_argument, NULL, 'C' },
		{ "message", required_argument, NULL, 'm' },
		{ "syntax", required_argument, NULL, 'x' },
		{ "charset", required_argument, NULL, 'c' },
		{ "max-items", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_args		 a = { { 55, 5000, 1, false, 0 }, { 0 }, "edifact",
				    NULL };
	struct manifest_train	*t;
	struct buf		 out = { 0 };
	int			 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			gen_usage(stdout);
			return 0;
		}
		if (gen_option(ch, &a) < 0)
			goto usage;
	}
	if (optind != argc || (strcmp(a.format, "edifact") != 0 &&
	    strcmp(a.format, "xml") != 0))
		goto usage;
	t = gen_train(&a.g);
	if (strcmp(a.format, "xml") == 0)
		xml_write_manifest(t, &out);
	else
		edi_write_manifest(t, &a.w, &out);
	manifest_train_free(t);
	if (write_out(a.path, &out) < 0) {
		cmd_warnx("gen", "%s: %s", a.path != NULL ? a.path : "stdout",
		    strerror(errno));
		buf_free(&out);
		return EX_IOERR;
	}
	buf_free(&out);
	return 0;
usage:
	gen_usage(stderr);
	return EX_USAGE;
}
