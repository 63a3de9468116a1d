/*
 * cmd_util.c -- what the subcommands share: their error messages.
 *
 * Separate from railgate.c (the command table and main) so that the
 * daemon can link the pieces of subcommands it reuses, such as a rule
 * set's self-test on reload.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli/cmd.h"

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

