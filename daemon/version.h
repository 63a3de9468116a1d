/* version.h -- the release, printed by --version of both programs. */
#ifndef DAEMON_VERSION_H
#define DAEMON_VERSION_H

#define RAILGATE_VERSION "0.1.0"

/*
 * The commit built, for railgate_build_info (daemon/metrics.c): the
 * Makefile passes it in a generated header (-include), "unknown" when the
 * tree is not a git checkout or the file is compiled some other way.
 */
#ifndef RAILGATE_COMMIT
#define RAILGATE_COMMIT "unknown"
#endif

#endif
