/*
 * loopprio.c -- the daemon's event base with its priorities (see
 * loopprio.h for why).
 */
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/loopprio.h"

struct event_base *
loopprio_base_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL)
		return NULL;
	/* No time bound: a count is enough and costs no clock reads. */
	if (event_config_set_max_dispatch_interval(cfg, NULL,
	    LOOPPRIO_MAX_CALLBACKS, LOOPPRIO_DEFAULT) != 0) {
		event_config_free(cfg);
		return NULL;
	}
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base != NULL && event_base_priority_init(base,
	    LOOPPRIO_COUNT) != 0) {
		event_base_free(base);
		return NULL;
	}
	return base;
}

int
loopprio_nice_thread(int n)
{
	id_t	tid = (id_t)syscall(SYS_gettid);
	int	cur;

	if (n <= 0)
		return 0;
	errno = 0;
	cur = getpriority(PRIO_PROCESS, tid);
	if (cur == -1 && errno != 0)
		return -1;
	/* On Linux a thread's nice is its own: the workers keep theirs. */
	return setpriority(PRIO_PROCESS, tid, cur + n > 19 ? 19 : cur + n);
}
