/*
 * cmd_util.c -- what the subcommands share: their error messages and
 * the printing of diagnostics.  What the daemon shares with the command
 * line (a rule set's self-test, deciding a file) is in engine/, not here:
 * the daemon never links cli/.
 */
#include <stdarg.h>
#include <stdio.h>

#include "manifest/diag.h"

#include "cli/cmd.h"

/* Each diagnostic of l on its own line, indented two spaces. */
void
cmd_print_diags(FILE *out, const struct diag_list *l)
{
	char	line[1024];
	size_t	i;

	for (i = 0; i < l->n; i++)
		fprintf(out, "  %s\n", diag_format(&l->v[i], line, sizeof line));
}

/* Message on stderr, prefixed with the command. */
void
cmd_warnx(const char *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "railgate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

