/*
 * The Events view's filter, from what the user typed to SQL: the event
 * types it chooses (the first word: a name, or a prefix ending in '*') and
 * a condition on the rest: cpu=N pid=N comm=NAME terms, whose values are
 * bound as parameters, or an SQL expression. An expression stays an
 * expression: it may not close a parenthesis it did not open, end the
 * statement, hold comments or parameters; words naming a column are quoted
 * (a field named `order` is a keyword otherwise).
 */
#ifndef MMT_TUI_EVENTS_FILTER_H
#define MMT_TUI_EVENTS_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/tui/events_query.h"
#include "core/err.h"

#define EVF_FIRST_PARAM 10	/* the condition's values are bound from ?10 on */
#define EVF_MAX_PARAMS 8

struct evf_param {
	bool text;
	int64_t num;
	char *str;
};

struct evf_filter {
	bool *on;			/* the types chosen (ntypes of them); NULL: all */
	int non;			/* how many are */
	int single;			/* the only type chosen, or -1 */
	char *where;			/* the condition in SQL, NULL for none */
	struct evf_param params[EVF_MAX_PARAMS];
	int nparams;
};

/*
 * The types the first word of text chooses, into f; *rest receives the
 * text after it (all of text when the word names no type).
 */
int evf_types(const char *text, const struct evq_type *types, int ntypes,
	      struct evf_filter *f, const char **rest, struct mmt_err *err);
/*
 * The condition rest (may be empty) as SQL over the columns cols, of which
 * fields are the chosen type's own (they win over cpu=, pid=, comm=).
 */
int evf_condition(const char *rest, const char *const *cols, int ncols,
		  const char *const *fields, int nfields, struct evf_filter *f,
		  struct mmt_err *err);
void evf_free(struct evf_filter *f);

#endif
