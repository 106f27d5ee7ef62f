/*
 * Walking the kernel-log lines by rowid (see log_store.h): each step is
 * one or two lookups by id, each search for a line or a time a bisection
 * of a source's block, so that a page costs the same on a log of a
 * thousand lines or of millions.
 */
#include "cmd/tui/log_store.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char sql_after[] =
	"SELECT id, source_id FROM log_lines WHERE id > ? ORDER BY id LIMIT 1";
static const char sql_source_at[] = "SELECT source_id FROM log_lines WHERE id = ?";
static const char sql_line_at[] = "SELECT line FROM log_lines WHERE id = ?";
static const char sql_source[] =
	"SELECT path, t_offset, ifnull(format, ''), ifnull(clock, '') FROM sources WHERE id = ?";
static const char sql_reports[] =
	"SELECT id, line_start, line_end, kind FROM reports WHERE source_id = ? "
	"ORDER BY line_start, id";
static const char sql_row[] =
	"SELECT line, t, level, report_id, ifnull(origin, ''), text FROM log_lines WHERE id = ?";
static const char sql_timed[] =
	"SELECT id, t FROM log_lines WHERE id >= ?1 AND id <= ?2 AND t IS NOT NULL "
	"ORDER BY id LIMIT 1";
static const char sql_search_next[] =
	"SELECT id FROM log_lines WHERE id > ?1 AND text LIKE ?2 ESCAPE '\\' ORDER BY id LIMIT 1";
static const char sql_search_prev[] =
	"SELECT id FROM log_lines WHERE id < ?1 AND text LIKE ?2 ESCAPE '\\' "
	"ORDER BY id DESC LIMIT 1";

/* Times within this of each other are one time (a line's time and the cursor set from it). */
#define SAME_TIME 1e-7

/* The integer a one-row query of one id answers, or fallback. */
static int64_t int_at(struct log_store *l, const char *sql, int64_t id, int64_t fallback)
{
	sqlite3_stmt *q = mmt_store_stmt(l->st, sql, NULL);
	int64_t v = fallback;

	if (!q)
		return fallback;
	mmt_bind_int(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW && !mmt_col_null(q, 0))
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

static int64_t line_at(struct log_store *l, int64_t id)
{
	return int_at(l, sql_line_at, id, -1);
}

/* The last id of the block of source src that starts at lo: gallop, then bisect. */
static int64_t block_end(struct log_store *l, int64_t lo, int64_t src)
{
	int64_t good = lo, step = 1, bad;

	while (int_at(l, sql_source_at, good + step, -1) == src) {
		good += step;
		step *= 2;
	}
	bad = good + step;
	while (bad - good > 1) {
		int64_t mid = good + (bad - good) / 2;

		if (int_at(l, sql_source_at, mid, -1) == src)
			good = mid;
		else
			bad = mid;
	}
	return good;
}

static int load_reports(struct log_store *l, struct log_source *s, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(l->st, sql_reports, err);
	size_t cap = 0;
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, s->id);
	while ((rc = mmt_store_step(l->st, q, err)) > 0) {
		struct log_report *r;

		xgrow((void **)&s->reports, &cap, s->nreports + 1, sizeof(*r));
		r = &s->reports[s->nreports++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(q, 0);
		r->start = sqlite3_column_int64(q, 1);
		r->end = sqlite3_column_int64(q, 2);
		strncpy(r->kind, mmt_col_text(q, 3), sizeof(r->kind) - 1);
	}
	sqlite3_reset(q);
	return rc;
}

static int add_source(struct log_store *l, int64_t id, int64_t lo, int64_t hi, size_t *cap,
		      struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(l->st, sql_source, err);
	struct log_source *s;

	if (!q)
		return -1;
	xgrow((void **)&l->src, cap, l->nsrc + 1, sizeof(*s));
	s = &l->src[l->nsrc++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->lo = lo;
	s->hi = hi;
	mmt_bind_int(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		s->path = xstrdup(mmt_col_text(q, 0));
		s->has_offset = !mmt_col_null(q, 1);
		s->offset = sqlite3_column_double(q, 1);
		s->format = xstrdup(mmt_col_text(q, 2));
		s->clock = xstrdup(mmt_col_text(q, 3));
	}
	sqlite3_reset(q);
	if (!s->path) {
		s->path = xstrdup("?");
		s->format = xstrdup("");
		s->clock = xstrdup("");
	}
	return load_reports(l, s, err);
}

int log_store_open(struct log_store *l, struct mmt_store *st, struct mmt_err *err)
{
	int64_t from = 0;
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	l->st = st;
	for (;;) {
		sqlite3_stmt *q = mmt_store_stmt(st, sql_after, err);
		int64_t lo, src;

		if (!q)
			return -1;
		mmt_bind_int(q, 1, from);
		if (sqlite3_step(q) != SQLITE_ROW) {
			sqlite3_reset(q);
			return 0;
		}
		lo = sqlite3_column_int64(q, 0);
		src = sqlite3_column_int64(q, 1);
		sqlite3_reset(q);
		from = block_end(l, lo, src);
		if (add_source(l, src, lo, from, &cap, err) < 0)
			return -1;
	}
}

void log_store_free(struct log_store *l)
{
	for (size_t i = 0; i < l->nsrc; i++) {
		free(l->src[i].path);
		free(l->src[i].format);
		free(l->src[i].clock);
		free(l->src[i].reports);
	}
	free(l->src);
	mmt_sb_free(&l->text);
	mmt_sb_free(&l->origin);
	memset(l, 0, sizeof(*l));
}

int log_pos_cmp(struct log_pos a, struct log_pos b)
{
	if (a.src != b.src)
		return a.src < b.src ? -1 : 1;
	return a.id < b.id ? -1 : a.id > b.id;
}

static void copy_col(struct mmt_sb *sb, sqlite3_stmt *q, int i)
{
	mmt_sb_reset(sb);
	mmt_sb_add(sb, mmt_col_text(q, i), (size_t)sqlite3_column_bytes(q, i));
}

bool log_row(struct log_store *l, int64_t id, struct log_row *r)
{
	sqlite3_stmt *q = mmt_store_stmt(l->st, sql_row, NULL);
	size_t s = log_source_of(l, id);
	bool found;

	if (!q || s >= l->nsrc)
		return false;
	mmt_bind_int(q, 1, id);
	if ((found = (sqlite3_step(q) == SQLITE_ROW))) {
		r->id = id;
		r->line = sqlite3_column_int64(q, 0);
		r->has_t = !mmt_col_null(q, 1);
		r->t = sqlite3_column_double(q, 1) + l->src[s].offset;
		r->has_level = !mmt_col_null(q, 2);
		r->level = sqlite3_column_int64(q, 2);
		r->report = mmt_col_null(q, 3) ? 0 : sqlite3_column_int64(q, 3);
		copy_col(&l->origin, q, 4);
		copy_col(&l->text, q, 5);
		r->origin = mmt_sb_str(&l->origin);
		r->text = mmt_sb_str(&l->text);
	}
	sqlite3_reset(q);
	return found;
}

struct log_report *log_report_at(struct log_store *l, size_t s, int64_t line)
{
	struct log_source *src = &l->src[s];
	size_t a = 0, b = src->nreports;

	/* The last report starting at or before line. */
	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (src->reports[mid].start <= line)
			a = mid + 1;
		else
			b = mid;
	}
	if (a == 0 || src->reports[a - 1].end < line)
		return NULL;
	return &src->reports[a - 1];
}

int64_t log_line_id(struct log_store *l, size_t s, int64_t line)
{
	int64_t a = l->src[s].lo, b = l->src[s].hi + 1;

	while (a < b) {
		int64_t mid = a + (b - a) / 2;

		if (line_at(l, mid) < line)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

int64_t log_report_hidden(struct log_store *l, size_t s, struct log_report *r)
{
	if (!r->start_id) {
		r->start_id = log_line_id(l, s, r->start);
		r->end_id = log_line_id(l, s, r->end + 1) - 1;
	}
	return r->end_id - r->start_id;
}

/* The folded report that hides the line at id, NULL when it is shown. */
static struct log_report *hidden_by(struct log_store *l, size_t s, int64_t id)
{
	int64_t line = line_at(l, id);
	struct log_report *r = log_report_at(l, s, line);

	if (!r || r->open || line <= r->start)
		return NULL;
	log_report_hidden(l, s, r);
	return r;
}

bool log_next(struct log_store *l, struct log_pos *p)
{
	int64_t id;

	if (p->src >= l->nsrc)
		return false;
	id = p->id ? p->id + 1 : l->src[p->src].lo;
	for (;;) {
		struct log_report *r;

		if (id > l->src[p->src].hi) {
			if (p->src + 1 >= l->nsrc)
				return false;
			*p = (struct log_pos){ p->src + 1, 0 };
			return true;
		}
		if (!(r = hidden_by(l, p->src, id)))
			break;
		id = r->end_id + 1;
	}
	p->id = id;
	return true;
}

struct log_pos log_shown(struct log_store *l, struct log_pos p)
{
	struct log_report *r;

	if (p.id && p.src < l->nsrc && (r = hidden_by(l, p.src, p.id)))
		p.id = r->start_id;
	return p;
}

bool log_prev(struct log_store *l, struct log_pos *p)
{
	if (p->src >= l->nsrc)
		return false;
	if (!p->id) {
		if (!p->src)
			return false;
		*p = log_shown(l, (struct log_pos){ p->src - 1, l->src[p->src - 1].hi });
		return true;
	}
	if (p->id == l->src[p->src].lo)
		p->id = 0;
	else
		*p = log_shown(l, (struct log_pos){ p->src, p->id - 1 });
	return true;
}

struct log_pos log_first(void)
{
	return (struct log_pos){ 0, 0 };
}

struct log_pos log_last(struct log_store *l)
{
	if (!l->nsrc)
		return log_first();
	return log_shown(l, (struct log_pos){ l->nsrc - 1, l->src[l->nsrc - 1].hi });
}

size_t log_source_of(const struct log_store *l, int64_t id)
{
	size_t a = 0, b = l->nsrc;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (l->src[mid].hi < id)
			a = mid + 1;
		else
			b = mid;
	}
	return a < l->nsrc && l->src[a].lo <= id ? a : l->nsrc;
}

/* The first line at or after id (up to hi) that has a time. */
static bool timed_from(struct log_store *l, int64_t id, int64_t hi, int64_t *found, double *t)
{
	sqlite3_stmt *q = mmt_store_stmt(l->st, sql_timed, NULL);
	bool ok;

	if (!q)
		return false;
	mmt_bind_int(q, 1, id);
	mmt_bind_int(q, 2, hi);
	if ((ok = (sqlite3_step(q) == SQLITE_ROW))) {
		*found = sqlite3_column_int64(q, 0);
		*t = sqlite3_column_double(q, 1);
	}
	sqlite3_reset(q);
	return ok;
}

/*
 * Bisects on "the first timed line at or after mid is at or after ts": a
 * log's times only grow, but for a reboot inside it, where this finds one
 * of the lines where they cross ts.
 */
bool log_at_time(struct log_store *l, size_t s, double ts, int64_t *id)
{
	const struct log_source *src = &l->src[s];
	int64_t a = src->lo, b = src->hi + 1, found;
	double t;

	ts -= src->offset + SAME_TIME;
	while (a < b) {
		int64_t mid = a + (b - a) / 2;

		if (!timed_from(l, mid, src->hi, &found, &t) || t >= ts)
			b = mid;
		else
			a = found + 1;
	}
	if (!timed_from(l, a, src->hi, &found, &t))
		return false;
	*id = found;
	return true;
}

/* '%what%' with LIKE's own characters taken literally. */
static void like_pattern(struct mmt_sb *sb, const char *what)
{
	mmt_sb_addc(sb, '%');
	for (; *what; what++) {
		if (*what == '%' || *what == '_' || *what == '\\')
			mmt_sb_addc(sb, '\\');
		mmt_sb_addc(sb, *what);
	}
	mmt_sb_addc(sb, '%');
}

bool log_search(struct log_store *l, int64_t id, int dir, const char *what, int64_t *found)
{
	sqlite3_stmt *q = mmt_store_stmt(l->st, dir > 0 ? sql_search_next : sql_search_prev, NULL);
	struct mmt_sb pat = MMT_SB_INIT;
	bool ok;

	if (!q)
		return false;
	like_pattern(&pat, what);
	mmt_bind_int(q, 1, id);
	sqlite3_bind_text(q, 2, mmt_sb_str(&pat), -1, SQLITE_TRANSIENT);
	if ((ok = (sqlite3_step(q) == SQLITE_ROW)))
		*found = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	mmt_sb_free(&pat);
	return ok && log_source_of(l, *found) < l->nsrc;
}
