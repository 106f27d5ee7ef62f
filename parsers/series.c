/*
 * The snapshot-series driver; see series.h. One pass over the file: a
 * `date` line closes the sample before it and gives the next one its time;
 * a line the format calls a sample start closes the current sample too.
 * Values go in through cached prepared statements, and names of values
 * through an in-memory dictionary, so that a 600-sample series costs a few
 * inserts per value and no lookups.
 */
#include "parsers/series.h"
#include "parsers/series_time.h"
#include "core/lines.h"
#include "core/strbuf.h"
#include "core/strmap.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_insert_snapshot[] =
	"INSERT INTO snapshots (source_id, kind, series, seq, line, ts, clock) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_find_key[] =
	"SELECT id FROM state_keys WHERE name = ?";
static const char sql_insert_key[] =
	"INSERT INTO state_keys (name, counter) VALUES (?, ?)";
static const char sql_insert_value[] =
	"INSERT INTO state_values (snapshot_id, key_id, value) VALUES (?, ?, ?)";
static const char sql_insert_zone_value[] =
	"INSERT INTO zone_values (snapshot_id, node, zone, key_id, value) "
	"VALUES (?, ?, ?, ?, ?)";

struct mmt_series {
	const struct mmt_series_format *f;
	struct mmt_input *in;
	struct mmt_store *st;
	struct mmt_err *err;
	void *state;
	struct mmt_strmap keys;		/* value names to state_keys ids */
	char series[4096];
	struct mmt_sb first;		/* first line of the current sample */
	struct mmt_sb plain;		/* a line with its no-break spaces made blanks */
	bool open;			/* a sample is being read */
	int64_t snapshot_id, seq;
	long lineno, sample_line;
	double pending_ts, last_ts;	/* time of the next sample, of the last one */
	const char *pending_clock;
	bool have_last_ts;
	bool zone_warned;
	int64_t page_size;
};

int64_t mmt_state_key(struct mmt_store *st, const char *name, size_t n, bool counter,
		      struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_find_key, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_textn(s, 1, name, n);
	rc = mmt_store_step(st, s, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return sqlite3_column_int64(s, 0);
	s = mmt_store_stmt(st, sql_insert_key, err);
	if (!s)
		return -1;
	mmt_bind_textn(s, 1, name, n);
	mmt_bind_int(s, 2, counter);
	if (mmt_store_run(st, s, err) < 0)
		return -1;
	return mmt_store_last_id(st);
}

int64_t mmt_series_key(struct mmt_series *sr, const char *name, size_t n, bool counter)
{
	int64_t id;

	if (mmt_strmap_get(&sr->keys, name, n, &id))
		return id;
	if (sr->keys.used >= MMT_SERIES_MAX_KEYS)
		return mmt_err_at(sr->err, sr->in->path, sr->lineno, "'%.*s': more than %u "
				  "distinct names of values in one file (MMT_SERIES_MAX_KEYS)",
				  (int)(n < 64 ? n : 64), name, MMT_SERIES_MAX_KEYS);
	id = mmt_state_key(sr->st, name, n, counter, sr->err);
	if (id >= 0)
		mmt_strmap_put(&sr->keys, name, n, id);
	return id;
}

int mmt_series_value(struct mmt_series *sr, const char *name, size_t n, bool counter,
		     int64_t value)
{
	int64_t key = mmt_series_key(sr, name, n, counter);
	sqlite3_stmt *s;

	if (key < 0)
		return -1;
	s = mmt_series_stmt(sr, sql_insert_value, true);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, sr->snapshot_id);
	sqlite3_bind_int64(s, 2, key);
	sqlite3_bind_int64(s, 3, value);
	return mmt_series_run(sr, s);
}

int mmt_series_zone_value(struct mmt_series *sr, int node, const char *zone,
			  const char *name, size_t n, bool counter, int64_t value)
{
	int64_t key = mmt_series_key(sr, name, n, counter);
	sqlite3_stmt *s;

	if (key < 0)
		return -1;
	s = mmt_series_stmt(sr, sql_insert_zone_value, true);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, sr->snapshot_id);
	sqlite3_bind_int(s, 2, node);
	mmt_bind_text(s, 3, zone);
	sqlite3_bind_int64(s, 4, key);
	sqlite3_bind_int64(s, 5, value);
	return mmt_series_run(sr, s);
}

/*
 * vmstat names that are counters although they start with nr_ (events
 * counted since boot); the other nr_ names are gauges.
 */
static const char *const vmstat_nr_counters[] = {
	"nr_dirtied", "nr_written", "nr_foll_pin_acquired", "nr_foll_pin_released",
	"nr_tlb_remote_flush", "nr_tlb_remote_flush_received",
	"nr_tlb_local_flush_all", "nr_tlb_local_flush_one", NULL,
};

bool mmt_vmstat_is_counter(const char *s, size_t n)
{
	if (n == 16 && !memcmp(s, "workingset_nodes", 16))
		return false;
	if (n < 3 || memcmp(s, "nr_", 3))
		return true;
	for (size_t i = 0; vmstat_nr_counters[i]; i++)
		if (strlen(vmstat_nr_counters[i]) == n && !memcmp(s, vmstat_nr_counters[i], n))
			return true;
	return false;
}

struct mmt_store *mmt_series_store(struct mmt_series *sr) { return sr->st; }
struct mmt_input *mmt_series_input(struct mmt_series *sr) { return sr->in; }
int64_t mmt_series_snapshot(struct mmt_series *sr) { return sr->snapshot_id; }
int64_t mmt_series_sample_no(struct mmt_series *sr) { return sr->seq; }
long mmt_series_lineno(struct mmt_series *sr) { return sr->lineno; }
int64_t mmt_series_page_size(struct mmt_series *sr) { return sr->page_size; }

int mmt_series_fail(struct mmt_series *sr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmt_err_vat(sr->err, sr->in->path, sr->lineno, fmt, ap);
	va_end(ap);
	return -1;
}

void mmt_series_warn(struct mmt_series *sr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmt_input_vwarn(sr->in, sr->lineno, fmt, ap);
	va_end(ap);
}

/* An error of the store, placed at the line being read. */
static void place_error(struct mmt_series *sr)
{
	sr->err->path = sr->in->path;
	sr->err->line = sr->lineno;
}

sqlite3_stmt *mmt_series_stmt(struct mmt_series *sr, const char *sql, bool rebind)
{
	sqlite3_stmt *s = rebind ? mmt_store_stmt_rebind(sr->st, sql, sr->err)
				 : mmt_store_stmt(sr->st, sql, sr->err);

	if (!s)
		place_error(sr);
	return s;
}

int mmt_series_run(struct mmt_series *sr, sqlite3_stmt *s)
{
	if (mmt_store_run(sr->st, s, sr->err) < 0) {
		place_error(sr);
		return -1;
	}
	return 0;
}

int mmt_series_u64(struct mmt_series *sr, const struct mmt_field *f, const char *what,
		   uint64_t *out)
{
	return mmt_field_u64(sr->err, sr->in->path, sr->lineno, f, what, out);
}

int mmt_series_i64(struct mmt_series *sr, const struct mmt_field *f, const char *what,
		   int64_t *out)
{
	int rc = mmt_parse_i64(f->s, f->n, out);

	return rc == MMT_NUM_OK ? 0 :
	       mmt_field_number_error(sr->err, sr->in->path, sr->lineno, rc, f, what);
}

static bool blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

bool mmt_series_time_line(const char *s, size_t n, double *ts)
{
	bool zone_known;

	return mmt_time_line(s, n, ts, &zone_known);
}

const char *mmt_series_skip_preamble(const char *head, size_t len, size_t *rest)
{
	const char *p = head, *e = head + len;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		double ts;

		if (n && p[n - 1] == '\r')
			n--;
		if (!blank_line(p, n) && !mmt_series_time_line(p, n, &ts))
			break;
		if (!nl) {
			p = e;
			break;
		}
		p = nl + 1;
	}
	*rest = (size_t)(e - p);
	return p;
}

static size_t first_field_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

static bool same_first_field(const char *s, size_t n, const char *first, size_t firstn)
{
	size_t a = first_field_len(s, n), b = first_field_len(first, firstn);

	return a == b && !memcmp(s, first, a);
}

static int open_sample(struct mmt_series *sr, const char *s, size_t n)
{
	sqlite3_stmt *st = mmt_store_stmt(sr->st, sql_insert_snapshot, sr->err);
	bool have_ts = sr->pending_clock != NULL;

	if (!st)
		return -1;
	if (have_ts && sr->have_last_ts && sr->pending_ts <= sr->last_ts)
		mmt_series_warn(sr, "sample %lld has %s the time of the sample before it",
				(long long)sr->seq + 1,
				sr->pending_ts == sr->last_ts ? "the same time as" : "a time before");
	mmt_bind_int(st, 1, sr->in->source_id);
	mmt_bind_text(st, 2, sr->f->kind);
	mmt_bind_text(st, 3, sr->series);
	mmt_bind_int(st, 4, sr->seq);
	mmt_bind_int(st, 5, sr->lineno);
	mmt_bind_double_opt(st, 6, sr->pending_ts, have_ts);
	mmt_bind_text(st, 7, sr->pending_clock);
	if (mmt_store_run(sr->st, st, sr->err) < 0)
		return -1;
	sr->snapshot_id = mmt_store_last_id(sr->st);
	sr->sample_line = sr->lineno;
	if (have_ts) {
		sr->last_ts = sr->pending_ts;
		sr->have_last_ts = true;
	}
	sr->pending_clock = NULL;
	mmt_sb_reset(&sr->first);
	mmt_sb_add(&sr->first, s, n);
	sr->open = true;
	return 0;
}

static int close_sample(struct mmt_series *sr)
{
	if (!sr->open)
		return 0;
	sr->open = false;
	if (sr->f->end_sample && sr->f->end_sample(sr, sr->state) < 0)
		return -1;
	sr->seq++;
	return 0;
}

static bool starts_new_sample(struct mmt_series *sr, const char *s, size_t n)
{
	const char *first = mmt_sb_str(&sr->first);
	size_t firstn = sr->first.len;

	if (!sr->open)
		return false;
	if (sr->f->starts_sample)
		return sr->f->starts_sample(s, n, first, firstn);
	return same_first_field(s, n, first, firstn);
}

static void take_time_line(struct mmt_series *sr, const char *s, size_t n, double ts,
			   bool zone_known)
{
	if (!zone_known && !sr->zone_warned) {
		mmt_series_warn(sr, "the time zone of '%.*s' is taken as UTC", (int)n, s);
		sr->zone_warned = true;
	}
	sr->pending_ts = ts;
	sr->pending_clock = "wall";
}

/*
 * The line with its no-break spaces (U+00A0, which mail clients and web
 * pages put in pasted tables) turned into two blanks, so that fields split
 * as in the original.
 */
static const char *plain_blanks(struct mmt_series *sr, const char *s, size_t n)
{
	if (!memchr(s, 0xc2, n) || !memmem(s, n, "\xc2\xa0", 2))
		return s;
	mmt_sb_reset(&sr->plain);
	mmt_sb_add(&sr->plain, s, n);
	for (size_t i = 0; i + 1 < n; i++)
		if (sr->plain.buf[i] == '\xc2' && sr->plain.buf[i + 1] == '\xa0')
			sr->plain.buf[i] = sr->plain.buf[i + 1] = ' ';
	return sr->plain.buf;
}

static int feed_line(struct mmt_series *sr, const char *s, size_t n)
{
	double ts;
	bool zone_known;

	s = plain_blanks(sr, s, n);
	if (blank_line(s, n))
		return 0;
	if (mmt_time_line(s, n, &ts, &zone_known)) {
		take_time_line(sr, s, n, ts, zone_known);
		return close_sample(sr);
	}
	if (starts_new_sample(sr, s, n) && close_sample(sr) < 0)
		return -1;
	if (!sr->open && open_sample(sr, s, n) < 0)
		return -1;
	return sr->f->line(sr, sr->state, s, n);
}

/*
 * Whether a file's modification time can be when it was collected: in a
 * tree whose collection time is known, only if it falls in the hour after
 * it (a sosreport copied or checked out anew has fresh mtimes).
 */
static bool mtime_plausible(const struct mmt_input *in)
{
	if (in->mtime <= 0)
		return false;
	return in->tree_time <= 0 ||
	       (in->mtime >= in->tree_time - 60 && in->mtime <= in->tree_time + 3600);
}

/* The time of a file that prints none: its name, its mtime, its tree's time. */
static void file_time(struct mmt_series *sr)
{
	const char *base = strrchr(sr->in->path, '/');
	double ts;

	if (mmt_time_in_name(base ? base + 1 : sr->in->path, &ts)) {
		sr->pending_ts = ts;
		sr->pending_clock = "name";
	} else if (!mtime_plausible(sr->in) && sr->in->tree_time > 0) {
		sr->pending_ts = sr->in->tree_time;
		sr->pending_clock = "tree";
	} else if (sr->in->mtime > 0) {
		sr->pending_ts = sr->in->mtime;
		sr->pending_clock = "mtime";
	}
}

static int read_samples(struct mmt_series *sr, struct mmt_lines *lr)
{
	const char *s;
	size_t n;
	int rc;

	while ((rc = mmt_lines_next(lr, &s, &n, sr->err)) > 0) {
		sr->lineno = lr->lineno;
		/* The file's own time applies to its first sample only. */
		if (sr->seq == 0 && !sr->open && !sr->pending_clock)
			file_time(sr);
		if (feed_line(sr, s, n) < 0)
			return -1;
		if ((lr->lineno & 0xfff) == 0) {
			mmt_input_progress(sr->in, lr->consumed);
			if (mmt_interrupted())
				return mmt_series_fail(sr, "interrupted");
		}
	}
	if (rc < 0)
		return -1;
	if (close_sample(sr) < 0)
		return -1;
	if (sr->seq == 0)
		return mmt_err_at(sr->err, sr->in->path, lr->lineno,
				  "no %s sample in the file", sr->f->kind);
	return 0;
}

int mmt_series_parse(const struct mmt_series_format *f, struct mmt_input *in,
		     struct mmt_store *st, struct mmt_err *err)
{
	struct mmt_series sr = { .f = f, .in = in, .st = st, .err = err };
	struct mmt_lines lr;
	int rc;

	sr.state = f->state_size ? xcalloc(1, f->state_size) : NULL;
	sr.page_size = in->page_size > 0 ? in->page_size : 4096;
	mmt_series_name(in->path, sr.series, sizeof(sr.series));
	mmt_lines_init(&lr, in->fd, in->path, 0);
	lr.hash = in->hash;
	rc = read_samples(&sr, &lr);
	in->records = sr.seq;
	in->format = f->kind;
	in->clock = "wall";
	mmt_lines_free(&lr);
	if (f->free_state)
		f->free_state(sr.state);
	free(sr.state);
	mmt_strmap_free(&sr.keys);
	mmt_sb_free(&sr.first);
	mmt_sb_free(&sr.plain);
	return rc;
}
