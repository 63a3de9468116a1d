/*
 * cmd_parse.c -- `railgate parse [--format text|json] [--validate] FILE...`
 *
 * text (the default) prints a short summary per file -- train, counts,
 * diagnostics -- and json the canonical model with its diagnostics, one
 * document per line.  Exit: 0 when every file was read as a train, 65
 * when one was not, 66 when one could not be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "manifest/json.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "engine/input.h"
#include "daemon/paths.h"

/* Prints parse usage. */
static void
parse_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate parse [--format text|json] [--validate] FILE...\n"
	    "  --format text  a summary: train, counts, diagnostics (default)\n"
	    "  --format json  the canonical train model with its diagnostics\n"
	    "  --validate     validate XML against etc/schema/manifest.xsd\n"
	    "FILE may be - for standard input.\n");
}

/* Counts containers on wagons and items over all consignments. */
static void
print_summary(FILE *out, const char *name, const struct manifest_train *t,
    int rc)
{
	char	where[VALUE_TIME_MAX];

	if (rc == 0) {
		fprintf(out, "%s: train %s (%s, %s), manifest %s (%s)", name,
		    t->id != NULL ? t->id : "?", manifest_direction_name(t->direction),
		    t->border_station != NULL ? t->border_station : "?",
		    t->manifest_ref != NULL ? t->manifest_ref : "?",
		    manifest_function_name(t->function));
		if (t->issued != MANIFEST_ABSENT)
			fprintf(out, ", issued %s", value_time_format(t->issued, where));
		fprintf(out, "\n  %zu %s, %zu %s, %zu %s, %zu %s\n", t->nwagons,
		    t->nwagons == 1 ? "wagon" : "wagons", t->ncontainers,
		    t->ncontainers == 1 ? "container" : "containers",
		    t->nconsignments, t->nconsignments == 1 ? "consignment" :
		    "consignments", t->nitems, t->nitems == 1 ? "item" :
		    "items");
	} else
		fprintf(out, "%s: not read as a manifest\n", name);
	fprintf(out, "  %zu %s, %zu %s\n", t->diags.errors,
	    t->diags.errors == 1 ? "error" : "errors", t->diags.warnings,
	    t->diags.warnings == 1 ? "warning" : "warnings");
	cmd_print_diags(out, &t->diags);
	if (t->diags.dropped != 0)
		fprintf(out, "  (%zu more %s not shown)\n", t->diags.dropped,
		    t->diags.dropped == 1 ? "diagnostic" : "diagnostics");
}

/*
 * Maps a regular file read-only: a big manifest is read in place, with no
 * copy.  0, or -1 when the file cannot be mapped (the caller reads it).
 */
static int
map_input(const char *name, char **data, size_t *len)
{
	struct stat	 st;
	void		*p;
	int		 fd;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	*data = p;
	*len = (size_t)st.st_size;
	return 0;
}

/* The part of a mapped input already given back to the kernel. */
struct mapped_input {
	char	*base;
	size_t	 dropped;
};

/*
 * The reader is done with [0, upto): drop those pages, so that a big
 * manifest is not resident twice (as bytes and as the model).  The
 * mapping is private and read-only: a page touched again is simply read
 * back from the file.
 */
static void
drop_consumed(void *arg, size_t upto)
{
	struct mapped_input	*m = arg;
	size_t			 page = (size_t)sysconf(_SC_PAGESIZE);
	size_t			 end = upto / page * page;

	/* A second pass over the bytes (the XML reader's) starts again. */
	if (upto < m->dropped)
		m->dropped = 0;
	if (end <= m->dropped)
		return;
	(void)madvise(m->base + m->dropped, end - m->dropped, MADV_DONTNEED);
	m->dropped = end;
}

/* Reads name ("-" = stdin) whole; 0 or -1 with errno.  *mapped tells how to free. */
static int
read_input(const char *name, char **data, size_t *len, bool *mapped)
{
	struct buf	b = { 0 };
	size_t		n;

	*mapped = false;
	if (strcmp(name, "-") != 0) {
		if (map_input(name, data, len) == 0) {
			*mapped = true;
			return 0;
		}
		return file_read_all(name, data, len);
	}
	for (;;) {
		buf_reserve(&b, 1 << 16);
		n = fread(b.data + b.len, 1, b.cap - b.len - 1, stdin);
		b.len += n;
		if (n == 0)
			break;
	}
	if (ferror(stdin)) {
		buf_free(&b);
		errno = EIO;
		return -1;
	}
	*data = buf_steal(&b, len);
	return 0;
}

int
cmd_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "validate", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct input_options	 opt = { .schema = RAILGATE_SCHEMA_FILE };
	bool			 json = false;
	int			 ch, i, status = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") != 0)
				return usage_error("parse", "--format", "\"%s\" is "
				    "not a format (text or json)", optarg);
			break;
		case 'v':
			opt.validate = 1;
			break;
		case 'h':
			parse_usage(stdout);
			return 0;
		default:
			return usage_bad_option("parse", ch, argv);
		}
	}
	if (optind == argc)
		return usage_error("parse", NULL, "give at least one manifest "
		    "FILE (- for standard input)");
	for (i = optind; i < argc; i++) {
		struct manifest_train	*t;
		struct mapped_input	 m;
		char			*data;
		size_t			 len;
		bool			 mapped;
		int			 rc;

		if (read_input(argv[i], &data, &len, &mapped) < 0) {
			cmd_warnx("parse", "%s: %s", argv[i], strerror(errno));
			status = EX_NOINPUT;
			continue;
		}
		m.base = data;
		m.dropped = 0;
		opt.consumed = mapped ? drop_consumed : NULL;
		opt.consumed_arg = &m;
		rc = input_parse(data, len, &opt, &t);
		if (json && rc == 0) {
			struct buf out = { 0 };

			manifest_json_write(t, MANIFEST_JSON_DIAGNOSTICS, &out);
			buf_add_char(&out, '\n');
			fwrite(out.data, 1, out.len, stdout);
			buf_free(&out);
		} else if (!json)
			print_summary(stdout, argv[i], t, rc);
		if (rc < 0) {
			if (json)
				print_summary(stderr, argv[i], t, rc);
			if (status == 0)
				status = EX_DATAERR;
		}
		manifest_train_free(t);
		if (mapped)
			munmap(data, len);
		else
			free(data);
	}
	return status;
}
