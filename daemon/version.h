/* version.h -- the release, printed by --version of both programs. */
#ifndef DAEMON_VERSION_H
#define DAEMON_VERSION_H

#define RAILGATE_VERSION "0.1.0"

#endif
