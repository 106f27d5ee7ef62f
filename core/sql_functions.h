/* SQL functions of every connection (see sql_functions.c). */
#ifndef MMT_SQL_FUNCTIONS_H
#define MMT_SQL_FUNCTIONS_H

#include <sqlite3.h>

/* Returns 0, or -1 when SQLite refused one. */
int mmt_sql_functions_register(sqlite3 *db);

#endif
