/* The Events view's filter as SQL (see events_filter.h). */
#include "cmd/tui/events_filter.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void evf_free(struct evf_filter *f)
{
	free(f->on);
	free(f->where);
	for (int i = 0; i < f->nparams; i++)
		free(f->params[i].str);
	memset(f, 0, sizeof(*f));
	f->single = -1;
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Whether type t is chosen by word (len bytes; a prefix when it ends in '*'). */
static bool type_matches(const struct evq_type *t, const char *word, size_t len)
{
	if (len && word[len - 1] == '*')
		return !strncmp(t->name, word, len - 1) || !strncmp(t->view, word, len - 1);
	return (strlen(t->name) == len && !strncmp(t->name, word, len)) ||
	       (strlen(t->view) == len && !strncmp(t->view, word, len));
}

/* Letters, digits and '_' (what event names are made of), maybe a final '*'. */
static bool type_word(const char *w, size_t len)
{
	if (w[len - 1] == '*')
		len--;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)w[i]) && w[i] != '_')
			return false;
	return true;
}

int evf_types(const char *text, const struct evq_type *types, int ntypes,
	      struct evf_filter *f, const char **rest, struct mmt_err *err)
{
	const char *word = skip_space(text);
	size_t len = strcspn(word, " \t");

	f->single = -1;
	*rest = word;
	if (!len || !type_word(word, len))
		return 0;
	f->on = xcalloc((size_t)ntypes + 1, sizeof(*f->on));
	for (int i = 0; i < ntypes; i++) {
		f->on[i] = type_matches(&types[i], word, len);
		f->non += f->on[i];
		if (f->on[i])
			f->single = f->non == 1 ? i : -1;
	}
	if (f->non) {
		*rest = skip_space(word + len);
		return 0;
	}
	free(f->on);
	f->on = NULL;
	if (word[len - 1] == '*')
		return mmt_err_set(err, "No event type starts with %.*s.", (int)len - 1, word);
	return 0;
}

static int find_name(const char *word, size_t len, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && !strncasecmp(names[i], word, len))
			return i;
	return -1;
}

/* "cpu=N", "pid=N", "comm=NAME" (a glob with * or ?): one term of f. */
static bool simple_term(const char *w, size_t len, const char *const *fields, int nfields,
			struct mmt_sb *sql, struct evf_filter *f)
{
	static const char *const names[] = { "cpu", "pid", "comm" };
	const char *eq = memchr(w, '=', len);
	struct evf_param *p = &f->params[f->nparams];
	int k = eq ? find_name(w, (size_t)(eq - w), names, 3) : -1;
	size_t vlen = eq ? len - (size_t)(eq - w) - 1 : 0;
	bool glob;
	char *end;

	if (k < 0 || !vlen || f->nparams == EVF_MAX_PARAMS)
		return false;
	p->str = xstrndup(eq + 1, vlen);
	p->text = k == 2;
	if (!p->text) {
		p->num = strtoll(p->str, &end, 10);
		if (*end) {
			free(p->str);
			p->str = NULL;
			return false;
		}
	}
	glob = p->text && strpbrk(p->str, "*?[");
	/* The chosen type's own field of that name wins, as in an expression. */
	if (find_name(names[k], strlen(names[k]), fields, nfields) >= 0)
		mmt_sb_addf(sql, "%s\"%s\" %s ?%d", sql->len ? " AND " : "", names[k],
			    glob ? "GLOB" : "=", EVF_FIRST_PARAM + f->nparams);
	else
		mmt_sb_addf(sql, "%scommon_%s %s ?%d", sql->len ? " AND " : "", names[k],
			    glob ? "GLOB" : "=", EVF_FIRST_PARAM + f->nparams);
	f->nparams++;
	return true;
}

/* Every word of rest a simple term: their conjunction in f->where. */
static bool simple_terms(const char *rest, const char *const *fields, int nfields,
			 struct evf_filter *f)
{
	struct mmt_sb sql = MMT_SB_INIT;

	for (const char *w = skip_space(rest); *w; w = skip_space(w)) {
		size_t len = strcspn(w, " \t");

		if (!simple_term(w, len, fields, nfields, &sql, f)) {
			for (int i = 0; i < f->nparams; i++)
				free(f->params[i].str);
			memset(f->params, 0, sizeof(f->params));
			f->nparams = 0;
			mmt_sb_free(&sql);
			return false;
		}
		w += len;
	}
	f->where = mmt_sb_detach(&sql);
	return true;
}

/* The end of the quoted token at p ('...', "...", `...`, [...]); NULL if open. */
static const char *quoted_end(const char *p)
{
	char close = (char)(*p == '[' ? ']' : *p);

	for (p++; *p; p++) {
		if (*p != close)
			continue;
		if (close != ']' && p[1] == close) {
			p++;
			continue;
		}
		return p + 1;
	}
	return NULL;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* A bare word: quoted when it names a column and is not a function's name. */
static const char *add_word(const char *p, const char *const *cols, int ncols, struct mmt_sb *out)
{
	const char *e = p;
	int col;

	while (word_char(*e))
		e++;
	col = find_name(p, (size_t)(e - p), cols, ncols);
	if (col >= 0 && *skip_space(e) != '(')
		mmt_sb_addf(out, "\"%s\"", cols[col]);
	else
		mmt_sb_add(out, p, (size_t)(e - p));
	return e;
}

/* One token of an expression copied to out; NULL (err set) for what is refused. */
static const char *expr_token(const char *p, const char *const *cols, int ncols, int *depth,
			      struct mmt_sb *out, struct mmt_err *err)
{
	const char *e;

	if (strchr("'\"`[", *p)) {
		if (!(e = quoted_end(p)))
			return mmt_err_set(err, "A quote is not closed."), NULL;
		mmt_sb_add(out, p, (size_t)(e - p));
		return e;
	}
	if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*'))
		return mmt_err_set(err, "No comments in a filter."), NULL;
	if (strchr(";?:@$", *p))
		return mmt_err_set(err, "'%c' is not allowed in a filter.", *p), NULL;
	if (*p == '(' || *p == ')') {
		*depth += *p == '(' ? 1 : -1;
		if (*depth < 0)
			return mmt_err_set(err, "A ')' without its '('."), NULL;
	}
	if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
		/* A number, hex and exponents included: not a word. */
		for (e = p + 1; word_char(*e) || *e == '.'; e++)
			;
		mmt_sb_add(out, p, (size_t)(e - p));
		return e;
	}
	if (isalpha((unsigned char)*p) || *p == '_')
		return add_word(p, cols, ncols, out);
	mmt_sb_addc(out, *p);
	return p + 1;
}

static int expression(const char *expr, const char *const *cols, int ncols,
		      struct evf_filter *f, struct mmt_err *err)
{
	struct mmt_sb out = MMT_SB_INIT;
	int depth = 0;

	for (const char *p = expr; *p;) {
		if (!(p = expr_token(p, cols, ncols, &depth, &out, err))) {
			mmt_sb_free(&out);
			return -1;
		}
	}
	if (depth) {
		mmt_sb_free(&out);
		return mmt_err_set(err, "A '(' is not closed.");
	}
	f->where = mmt_sb_detach(&out);
	return 0;
}

int evf_condition(const char *rest, const char *const *cols, int ncols,
		  const char *const *fields, int nfields, struct evf_filter *f,
		  struct mmt_err *err)
{
	rest = skip_space(rest);
	if (!*rest || simple_terms(rest, fields, nfields, f))
		return 0;
	return expression(rest, cols, ncols, f, err);
}
