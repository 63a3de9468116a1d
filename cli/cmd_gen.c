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
	    "                    [--ecommerce] [--message cuscar|ifcsum]\n"
	    "                    [--syntax 3|4]\n"
	    "                    [--charset UNOA|UNOB|UNOC|UNOD|UNOE|UNOY]\n"
	    "                    [--max-items N] [-o FILE]\n"
	    "Writes a realistic synthetic train; the same options give the same\n"
	    "bytes.  --max-items caps the goods items per EDIFACT message.\n");
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
		{ "message", required_argument, NULL, 'm' },
		{ "syntax", required_argument, NULL, 'x' },
		{ "charset", required_argument, NULL, 'c' },
		{ "max-items", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_options	 g = { 55, 5000, 1, false };
	struct edi_write_options w = { 0 };
	struct manifest_train	*t;
	struct buf		 out = { 0 };
	const char		*format = "edifact", *path = NULL;
	long long		 v;
	int			 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			if ((v = number(optarg)) < 1 || v > 10000)
				goto usage;
			g.wagons = (unsigned)v;
			break;
		case 'i':
			/* 10^8 items would take some 20 GB: refuse, not abort. */
			if ((v = number(optarg)) < 0 || v > 100000000)
				goto usage;
			g.items = (uint64_t)v;
			break;
		case 's':
			if ((v = number(optarg)) < 0)
				goto usage;
			g.seed = (uint64_t)v;
			break;
		case 'f':
			format = optarg;
			break;
		case 'e':
			g.ecommerce = true;
			break;
		case 'm':
			if (strcmp(optarg, "ifcsum") == 0)
				w.kind = EDI_MSG_IFCSUM;
			else if (strcmp(optarg, "cuscar") != 0)
				goto usage;
			break;
		case 'x':
			w.syntax = atoi(optarg);
			if (w.syntax != 3 && w.syntax != 4)
				goto usage;
			break;
		case 'c':
			if (edi_codeset_from_id(optarg, strlen(optarg)) ==
			    EDI_CODESET_UNKNOWN)
				goto usage;
			w.charset = optarg;
			break;
		case 'M':
			if ((v = number(optarg)) < 1)
				goto usage;
			w.max_items = (size_t)v;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			gen_usage(stdout);
			return 0;
		default:
			goto usage;
		}
	}
	if (optind != argc || (strcmp(format, "edifact") != 0 &&
	    strcmp(format, "xml") != 0))
		goto usage;
	t = gen_train(&g);
	if (strcmp(format, "xml") == 0)
		xml_write_manifest(t, &out);
	else
		edi_write_manifest(t, &w, &out);
	manifest_train_free(t);
	if (write_out(path, &out) < 0) {
		cmd_warnx("gen", "%s: %s", path != NULL ? path : "stdout",
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
