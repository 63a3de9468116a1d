/*
 * cmd_gen.c -- `railgate gen`: a synthetic train, deterministic for its
 * seed, as EDIFACT (CUSCAR or IFCSUM) or XML (docs/generator.md), with
 * the shares of each kind of risk --risk asks for.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/util.h"
#include "manifest/xml.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"

/* Prints the usage text, with the kinds of risk. */
static void
gen_usage(FILE *out)
{
	struct gen_risk	def;
	int		k;

	fprintf(out,
	    "usage: railgate gen --wagons N --items N --seed S --format edifact|xml\n"
	    "                    [--risk KIND=SHARE[,KIND=SHARE...] | --clean]\n"
	    "                    [--ecommerce [--consignees N]] [--message cuscar|ifcsum]\n"
	    "                    [--syntax 3|4]\n"
	    "                    [--charset UNOA|UNOB|UNOC|UNOD|UNOE|UNOY]\n"
	    "                    [--max-items N] [-o FILE]\n"
	    "Writes a realistic synthetic train; the same options give the same\n"
	    "bytes.  Most consignments are clean: their goods carry the documents\n"
	    "the default rule set asks for.  --risk sets the share (0 to 1) that\n"
	    "draws each kind of hit (repeatable; a bare SHARE sets every kind,\n"
	    "--risk 0 or --clean: none; only the rule set's random selection\n"
	    "remains).  KIND, its default SHARE, the LANE and the RULE it draws:\n");
	gen_risk_default(&def);
	for (k = 0; k < GEN_RISK_COUNT; k++)
		fprintf(out, "  %-11s %-6g %s\n", gen_risk_name(k),
		    (double)def.share[k] / GEN_RISK_ONE, gen_risk_about(k));
	fprintf(out,
	    "--max-items caps the goods items per EDIFACT message; --consignees\n"
	    "sends the parcels to N distinct persons.  docs/generator.md.\n");
}

/* Parses a whole number from min to max; -1 when it is not one. */
static long long
number(const char *s, long long min, long long max)
{
	char		*end;
	long long	 v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || v < min || v > max ? -1 : v;
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
	struct gen_risk		 risk;
	struct edi_write_options w;
	const char		*format;
	const char		*path;
};

/* The long option of ch, for messages ("--wagons"). */
static const char *
option_name(const struct option *longopts, int ch)
{
	static char	name[40];

	for (; longopts->name != NULL; longopts++)
		if (longopts->val == ch) {
			snprintf(name, sizeof name, "--%s", longopts->name);
			return name;
		}
	snprintf(name, sizeof name, "-%c", ch);
	return name;
}

/* Takes a number option ch into a; 0, or -1: out of range. */
static int
gen_number(int ch, struct gen_args *a, const char **want)
{
	long long	v;

	switch (ch) {
	case 'w':
		*want = "a whole number from 1 to 10000";
		if ((v = number(optarg, 1, 10000)) >= 0)
			a->g.wagons = (unsigned)v;
		return v < 0 ? -1 : 0;
	case 'i':
		/* 10^8 items would take some 20 GB: refuse, not abort. */
		*want = "a whole number from 0 to 100000000";
		if ((v = number(optarg, 0, 100000000)) >= 0)
			a->g.items = (uint64_t)v;
		return v < 0 ? -1 : 0;
	case 's':
		*want = "a whole number, 0 or more";
		if ((v = number(optarg, 0, LLONG_MAX)) >= 0)
			a->g.seed = (uint64_t)v;
		return v < 0 ? -1 : 0;
	case 'C':
		*want = "a whole number from 1 to 100000000";
		if ((v = number(optarg, 1, 100000000)) >= 0)
			a->g.consignees = (uint64_t)v;
		return v < 0 ? -1 : 0;
	case 'x':
		*want = "3 or 4";
		if ((v = number(optarg, 3, 4)) >= 0)
			a->w.syntax = (int)v;
		return v < 0 ? -1 : 0;
	default:	/* 'M' */
		*want = "a whole number, 1 or more";
		if ((v = number(optarg, 1, LLONG_MAX)) >= 0)
			a->w.max_items = (size_t)v;
		return v < 0 ? -1 : 0;
	}
}

/* Takes option ch (its argument in optarg) into a; 0, or EX_USAGE said. */
static int
gen_option(const struct option *longopts, int ch, struct gen_args *a)
{
	const char	*opt = option_name(longopts, ch), *want;
	char		*cause;

	switch (ch) {
	case 'w': case 'i': case 's': case 'C': case 'x': case 'M':
		if (gen_number(ch, a, &want) < 0)
			return usage_error("gen", opt, "\"%s\" must be %s", optarg,
			    want);
		return 0;
	case 'r':
		if (gen_risk_parse(&a->risk, optarg, &cause) < 0) {
			usage_error("gen", opt, "%s", cause);
			free(cause);
			return EX_USAGE;
		}
		return 0;
	case 'K':
		gen_risk_clean(&a->risk);
		return 0;
	case 'f':
		a->format = optarg;
		if (strcmp(optarg, "edifact") != 0 && strcmp(optarg, "xml") != 0)
			return usage_error("gen", opt, "\"%s\" must be edifact or "
			    "xml", optarg);
		return 0;
	case 'e':
		a->g.ecommerce = true;
		return 0;
	case 'm':
		if (strcmp(optarg, "ifcsum") == 0)
			a->w.kind = EDI_MSG_IFCSUM;
		else if (strcmp(optarg, "cuscar") != 0)
			return usage_error("gen", opt, "\"%s\" must be cuscar or "
			    "ifcsum", optarg);
		return 0;
	case 'c':
		if (edi_codeset_from_id(optarg, strlen(optarg)) ==
		    EDI_CODESET_UNKNOWN)
			return usage_error("gen", opt, "\"%s\" must be UNOA, UNOB, "
			    "UNOC, UNOD, UNOE or UNOY", optarg);
		a->w.charset = optarg;
		return 0;
	default:	/* 'o' */
		a->path = optarg;
		return 0;
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
		{ "risk", required_argument, NULL, 'r' },
		{ "clean", no_argument, NULL, 'K' },
		{ "ecommerce", no_argument, NULL, 'e' },
		{ "consignees", required_argument, NULL, 'C' },
		{ "message", required_argument, NULL, 'm' },
		{ "syntax", required_argument, NULL, 'x' },
		{ "charset", required_argument, NULL, 'c' },
		{ "max-items", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_args		 a = { { 55, 5000, 1, false, 0, NULL }, { { 0 } },
				    { 0 }, "edifact", NULL };
	struct manifest_train	*t;
	struct buf		 out = { 0 };
	int			 ch;

	gen_risk_default(&a.risk);
	a.g.risk = &a.risk;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			gen_usage(stdout);
			return 0;
		}
		if (ch == '?' || ch == ':')
			return usage_bad_option("gen", ch, argv);
		if (gen_option(longopts, ch, &a) != 0)
			return EX_USAGE;
	}
	if (optind != argc)
		return usage_error("gen", argv[optind], "unexpected argument");
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
}
