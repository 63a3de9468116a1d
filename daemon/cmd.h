/*
 * cmd.h -- the subcommands of `railgate` (interfaces.md, "Command line").
 *
 * Each takes the arguments after its name (argv[0] is the command name),
 * prints data on stdout and diagnostics on stderr, and returns a
 * sysexits(3) status.  They run on the main thread of the CLI only.
 */
#ifndef DAEMON_CMD_H
#define DAEMON_CMD_H

int cmd_parse(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_gen(int argc, char **argv);

/* Prints "railgate CMD: message" on stderr. */
void cmd_warnx(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
