/*
 * db_result.h -- what a request's callback is handed (db.h's struct
 * db_result): shared by the pool (db.c), which fills it, and its
 * accessors (db_result.c).  Private to db/.
 */
#ifndef DB_DB_RESULT_H
#define DB_DB_RESULT_H

#include <stdbool.h>

#include <libpq-fe.h>

struct db_result {
	const PGresult	*res;
	const char	*error;
	const char	*sqlstate;
	bool		 unavailable;
};

#endif
