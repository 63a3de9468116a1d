/*
 * cmd_lists.c -- `railgate lists import FILE.xml [-o OUT]`: the UN
 * Security Council Consolidated List as an edition-3 list file
 * (docs/screening.md, "Importing the UN list").
 *
 * The conversion is rules/unlist.c's; this file reads the input, prints
 * a refusal as FILE:LINE: message (exit 65), and writes the list to
 * standard output or, with -o, to OUT atomically: a temporary file in
 * OUT's directory, flushed to disk, then renamed over OUT, so a rule set
 * directory never holds half a list.  With -o the counts are printed on
 * standard output.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "manifest/util.h"
#include "rules/unlist.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"

/* Prints lists usage. */
static void
lists_usage(FILE *out)
{
	fprintf(out, "usage: railgate lists import FILE.xml [-o OUT]\n"
	    "  reads the UN Security Council Consolidated List (XML) and\n"
	    "  writes it as an edition-3 list file (docs/screening.md)\n"
	    "  -o OUT    write to OUT (atomically) instead of standard output\n");
}

/* Writes len bytes of text to fd; 0 or -1 with errno. */
static int
write_all(int fd, const char *text, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, text, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes text to path through a temporary file and rename; a sysexits status. */
static int
write_atomic(const char *path, const char *text, size_t len)
{
	char	*tmp = xasprintf("%s.tmp.XXXXXX", path);
	int	 fd, saved;

	if ((fd = mkstemp(tmp)) < 0) {
		cmd_warnx("lists", "%s: %s", path, strerror(errno));
		free(tmp);
		return EX_CANTCREAT;
	}
	/* mkstemp makes it 0600; a list file is read by the daemon's user. */
	if (fchmod(fd, 0644) < 0 || write_all(fd, text, len) < 0 ||
	    fsync(fd) < 0) {
		saved = errno;
		(void)close(fd);
	} else
		saved = close(fd) < 0 || rename(tmp, path) < 0 ? errno : 0;
	if (saved != 0) {
		(void)unlink(tmp);
		cmd_warnx("lists", "%s: %s", path, strerror(saved));
		free(tmp);
		return EX_IOERR;
	}
	free(tmp);
	return 0;
}

/* What was written, each count with its noun in the right number. */
static void
lists_print_counts(const char *out, const struct unlist_counts *c)
{
	char	n[8][64];

	printf("%s: %s (%s, %s read), %s, %s, %s; %s in other scripts "
	    "skipped\n", out,
	    plural(n[0], sizeof n[0], c->entries, "entry", "entries"),
	    plural(n[1], sizeof n[1], c->individuals, "individual",
	    "individuals"),
	    plural(n[2], sizeof n[2], c->entities, "entity", "entities"),
	    plural(n[3], sizeof n[3], c->aliases, "alias", "aliases"),
	    plural(n[4], sizeof n[4], c->countries, "country", "countries"),
	    plural(n[5], sizeof n[5], c->ids, "identifier", "identifiers"),
	    plural(n[6], sizeof n[6], c->names_skipped, "name", "names"));
}

/* railgate lists import FILE [-o OUT]: the exit status. */
static int
lists_import(const char *in, const char *out)
{
	struct unlist_counts	 c;
	struct unlist_error	 err;
	struct stat		 st;
	char			*data, *text;
	size_t			 len, tlen;
	int			 rc;

	if (stat(in, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size > UNLIST_MAX_BYTES) {
		fprintf(stderr, "%s: larger than %zu MB: not the UN list\n", in,
		    UNLIST_MAX_BYTES >> 20);
		return EX_DATAERR;
	}
	if (file_read_all(in, &data, &len) < 0) {
		cmd_warnx("lists", "%s: %s", in, strerror(errno));
		return errno == ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	rc = unlist_convert(data, len, in, &text, &tlen, &c, &err);
	free(data);
	if (rc < 0) {
		if (err.line > 0)
			fprintf(stderr, "%s:%u: %s\n", in, err.line, err.msg);
		else
			fprintf(stderr, "%s: %s\n", in, err.msg);
		return EX_DATAERR;
	}
	if (out == NULL) {
		rc = fwrite(text, 1, tlen, stdout) == tlen && fflush(stdout) == 0 ?
		    0 : EX_IOERR;
		if (rc != 0)
			cmd_warnx("lists", "standard output: %s", strerror(errno));
	} else if ((rc = write_atomic(out, text, tlen)) == 0)
		lists_print_counts(out, &c);
	free(text);
	return rc;
}

/* railgate lists import FILE.xml [-o OUT] */
int
cmd_lists(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*out = NULL;
	int		 ch;

	if (argc < 2)
		return usage_error("lists", NULL, "give a sub-command: import");
	if (usage_is_help(argv[1])) {
		lists_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "import") != 0)
		return usage_error("lists", argv[1], "not a sub-command (import)");
	optind = 1;
	while ((ch = getopt_long(argc - 1, argv + 1, ":o:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'h':
			lists_usage(stdout);
			return 0;
		default:
			return usage_bad_option("lists import", ch, argv + 1);
		}
	}
	if (argc - 1 == optind)
		return usage_error("lists import", NULL, "give the list's "
		    "FILE.xml");
	if (argc - 1 - optind != 1)
		return usage_error("lists import", argv[2 + optind],
		    "unexpected argument: one FILE.xml");
	return lists_import(argv[1 + optind], out);
}
