/*
 * Slab caches over time: /proc/slabinfo (versions 2.0 and 2.1, SLAB and
 * SLUB, with or without the statistics columns of a debug kernel) and the
 * output of `slabtop -o`, once or as series (parsers/series.h). Both write
 * one slab_caches row per cache and sample.
 *
 * slabinfo's columns are found by name in its `# name` header, so that
 * extra columns (globalstat, cpustat, vendor additions) are skipped and a
 * header without a needed column is refused rather than misread.
 */
#include "parsers/series.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char sql_insert_cache[] =
	"INSERT INTO slab_caches (snapshot_id, cache, active_objs, num_objs, objsize, "
	"objperslab, pagesperslab, active_slabs, num_slabs, bytes, \"limit\", batchcount, "
	"sharedfactor, shared_avail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* The columns of slab_caches a slabinfo row fills, in the order of the INSERT. */
enum slab_col {
	COL_ACTIVE_OBJS, COL_NUM_OBJS, COL_OBJSIZE, COL_OBJPERSLAB, COL_PAGESPERSLAB,
	COL_ACTIVE_SLABS, COL_NUM_SLABS, COL_LIMIT, COL_BATCHCOUNT, COL_SHAREDFACTOR,
	COL_SHAREDAVAIL, NCOLS
};

static const char *const col_names[NCOLS] = {
	"active_objs", "num_objs", "objsize", "objperslab", "pagesperslab",
	"active_slabs", "num_slabs", "limit", "batchcount", "sharedfactor", "sharedavail",
};

/* One slab_caches row; a value the input does not show (slabtop has no tunables) is NULL. */
struct slab_row {
	const char *name;
	size_t name_len;
	int64_t v[NCOLS];
	bool have[NCOLS];
	int64_t bytes;
};

static int insert_row(struct mmt_series *sr, const struct slab_row *r)
{
	sqlite3_stmt *s = mmt_series_stmt(sr, sql_insert_cache, true);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, mmt_series_snapshot(sr));
	/* The line outlives the step, and every run binds anew: no copy is needed. */
	sqlite3_bind_text(s, 2, r->name, (int)r->name_len, SQLITE_STATIC);
	for (int i = 0; i < NCOLS; i++) {
		int at = i < COL_LIMIT ? 3 + i : 4 + i;	/* bytes sits between */

		if (r->have[i])
			sqlite3_bind_int64(s, at, r->v[i]);
		else
			sqlite3_bind_null(s, at);
	}
	sqlite3_bind_int64(s, 10, r->bytes);
	return mmt_series_run(sr, s);
}

static bool has_prefix(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && !memcmp(s, lit, k);
}

/* The line without its leading blanks. */
static const char *skip_blanks(const char *s, size_t n, size_t *rest)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	*rest = n;
	return s;
}

/* ---- /proc/slabinfo ------------------------------------------------------ */

#define SLABINFO_MAX_FIELDS 64
#define SLABINFO_MAX_LITERALS 16

/*
 * What the header said: where each column is in a row, and the separators
 * (":", "tunables", "slabdata", ...) a row repeats at the same places.
 */
struct slabinfo_state {
	bool have_header;
	size_t nfields;
	unsigned char col[NCOLS];
	struct {
		unsigned char at;
		unsigned char n;
		char text[15];
	} lit[SLABINFO_MAX_LITERALS];
	size_t nlit;
};

static bool is_version_line(const char *s, size_t n)
{
	return has_prefix(s, n, "slabinfo - version:");
}

static bool is_header_line(const char *s, size_t n)
{
	return has_prefix(s, n, "# name");
}

/* "slabinfo - version: 2.1" or "2.0 (statistics)": only 2.x has a header. */
static int slabinfo_version(struct mmt_series *sr, const char *s, size_t n)
{
	struct mmt_field f[6];
	size_t nf = mmt_fields_split(s, n, f, 6);

	if (nf < 4 || f[3].n < 3 || f[3].s[0] != '2' || f[3].s[1] != '.')
		return mmt_series_fail(sr, "slabinfo version '%.*s' is not supported (only 2.x "
				       "has the # name header)", nf >= 4 ? (int)f[3].n : 0,
				       nf >= 4 ? f[3].s : "");
	return 0;
}

/* A header word names a column when written "<name>" (2.6.0 printed "<limit"). */
static int column_of(const struct mmt_field *f)
{
	const char *s = f->s + 1;
	size_t n = f->n - 1;

	if (n && s[n - 1] == '>')
		n--;
	for (int i = 0; i < NCOLS; i++)
		if (strlen(col_names[i]) == n && !memcmp(col_names[i], s, n))
			return i;
	return -1;
}

static int add_literal(struct mmt_series *sr, struct slabinfo_state *ss,
		       const struct mmt_field *f, size_t at)
{
	if (ss->nlit == SLABINFO_MAX_LITERALS || f->n >= sizeof(ss->lit[0].text))
		return mmt_series_fail(sr, "unexpected word '%.*s' in the slabinfo header",
				       (int)(f->n > 40 ? 40 : f->n), f->s);
	ss->lit[ss->nlit].at = (unsigned char)at;
	ss->lit[ss->nlit].n = (unsigned char)f->n;
	memcpy(ss->lit[ss->nlit].text, f->s, f->n);
	ss->nlit++;
	return 0;
}

/*
 * "# name <active_objs> ... : tunables <limit> ... : slabdata ...": word
 * i + 1 of the header describes field i of a row (both start with the name).
 */
static int slabinfo_header(struct mmt_series *sr, struct slabinfo_state *ss,
			   const char *s, size_t n)
{
	struct mmt_field f[SLABINFO_MAX_FIELDS + 2];
	size_t nf = mmt_fields_split(s, n, f, SLABINFO_MAX_FIELDS + 2);
	bool seen[NCOLS] = { false };

	if (nf > SLABINFO_MAX_FIELDS + 1)
		return mmt_series_fail(sr, "the slabinfo header has %zu columns, more than %d",
				       nf, SLABINFO_MAX_FIELDS);
	ss->nlit = 0;
	for (size_t i = 2; i < nf; i++) {
		int c = f[i].s[0] == '<' ? column_of(&f[i]) : -1;

		if (c >= 0 && !seen[c]) {
			ss->col[c] = (unsigned char)(i - 1);
			seen[c] = true;
		} else if (f[i].s[0] != '<' && add_literal(sr, ss, &f[i], i - 1) < 0) {
			return -1;
		}
	}
	for (int c = 0; c < NCOLS; c++)
		if (!seen[c])
			return mmt_series_fail(sr, "the slabinfo header has no <%s> column",
					       col_names[c]);
	/*
	 * Version 2.0's header names the tunables "<batchcount> <limit>", but
	 * every kernel printed limit first (the 2.1 header says so): values
	 * such as "120 60" are limit 120, batchcount 60.
	 */
	if (ss->col[COL_BATCHCOUNT] < ss->col[COL_LIMIT]) {
		unsigned char t = ss->col[COL_BATCHCOUNT];

		ss->col[COL_BATCHCOUNT] = ss->col[COL_LIMIT];
		ss->col[COL_LIMIT] = t;
	}
	ss->nfields = nf - 1;
	ss->have_header = true;
	return 0;
}

static int check_literals(struct mmt_series *sr, const struct slabinfo_state *ss,
			  const struct mmt_field *f)
{
	for (size_t i = 0; i < ss->nlit; i++) {
		const struct mmt_field *x = &f[ss->lit[i].at];

		if (x->n != ss->lit[i].n || memcmp(x->s, ss->lit[i].text, x->n))
			return mmt_series_fail(sr, "field %u of the row is '%.*s' where the "
					       "header has '%.*s'", ss->lit[i].at + 1,
					       (int)(x->n > 40 ? 40 : x->n), x->s,
					       (int)ss->lit[i].n, ss->lit[i].text);
	}
	return 0;
}

/* num_slabs x pagesperslab x page size, refused when it does not fit. */
static int slab_bytes(struct mmt_series *sr, struct slab_row *r)
{
	int64_t pages;

	if (__builtin_mul_overflow(r->v[COL_NUM_SLABS], r->v[COL_PAGESPERSLAB], &pages) ||
	    __builtin_mul_overflow(pages, mmt_series_page_size(sr), &r->bytes))
		return mmt_series_fail(sr, "the size of cache '%.*s' does not fit in 64 bits",
				       (int)r->name_len, r->name);
	return 0;
}

static int slabinfo_row(struct mmt_series *sr, const struct slabinfo_state *ss,
			const char *s, size_t n)
{
	struct mmt_field f[SLABINFO_MAX_FIELDS + 1];
	size_t nf = mmt_fields_split(s, n, f, SLABINFO_MAX_FIELDS + 1);
	struct slab_row r = { .name = f[0].s, .name_len = f[0].n };

	if (!ss->have_header)
		return mmt_series_fail(sr, "a slabinfo row before the # name header");
	if (nf != ss->nfields)
		return mmt_series_fail(sr, "the row of '%.*s' has %zu fields where the header "
				       "has %zu%s", (int)(f[0].n > 40 ? 40 : f[0].n), f[0].s,
				       nf, ss->nfields, nf < ss->nfields ? " (truncated?)" : "");
	if (check_literals(sr, ss, f) < 0)
		return -1;
	for (int c = 0; c < NCOLS; c++) {
		uint64_t v;

		if (mmt_series_u64(sr, &f[ss->col[c]], col_names[c], &v) < 0)
			return -1;
		r.v[c] = (int64_t)v;
		r.have[c] = true;
	}
	if (slab_bytes(sr, &r) < 0)
		return -1;
	return insert_row(sr, &r);
}

static int slabinfo_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct slabinfo_state *ss = state;

	if (is_version_line(s, n))
		return slabinfo_version(sr, s, n);
	if (is_header_line(s, n))
		return slabinfo_header(sr, ss, s, n);
	return slabinfo_row(sr, ss, s, n);
}

static int slabinfo_end(struct mmt_series *sr, void *state)
{
	struct slabinfo_state *ss = state;

	if (!ss->have_header)
		return mmt_series_fail(sr, "a slabinfo sample without its # name header");
	ss->have_header = false;	/* every sample prints its own */
	return 0;
}

/* The version line opens a sample; in a file without one, the header does. */
static bool slabinfo_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	return is_version_line(s, n) ||
	       (is_header_line(s, n) && is_header_line(first, firstn));
}

static const struct mmt_series_format slabinfo_format = {
	.kind = "slabinfo",
	.starts_sample = slabinfo_starts,
	.line = slabinfo_line,
	.end_sample = slabinfo_end,
	.state_size = sizeof(struct slabinfo_state),
};

static int slabinfo_probe(const char *head, size_t len)
{
	size_t n;
	const char *p = mmt_series_skip_preamble(head, len, &n);

	if (has_prefix(p, n, "slabinfo - version: 2."))
		return 95;
	if (has_prefix(p, n, "# name ") && memmem(p, n, "<active_objs>", 13))
		return 80;
	return 0;
}

static int slabinfo_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&slabinfo_format, in, st, err);
}

const struct mmt_parser mmt_parser_slabinfo = {
	.name = "slabinfo",
	.help = "/proc/slabinfo (2.0, 2.1; SLAB or SLUB), once or as a series",
	.probe = slabinfo_probe,
	.parse = slabinfo_parse,
	.hashes_input = true,
	.named_samples = true,
};

/* ---- slabtop -o ---------------------------------------------------------- */

struct slabtop_state {
	bool in_table;		/* the column header of the sample was seen */
};

static const char *const slabtop_columns[] = {
	"OBJS", "ACTIVE", "USE", "OBJ", "SIZE", "SLABS", "OBJ/SLAB", "CACHE", "SIZE", "NAME",
};
#define SLABTOP_NCOLUMNS (sizeof(slabtop_columns) / sizeof(slabtop_columns[0]))

/* "  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME" */
static bool is_table_header(const char *s, size_t n)
{
	struct mmt_field f[SLABTOP_NCOLUMNS + 1];

	if (mmt_fields_split(s, n, f, SLABTOP_NCOLUMNS + 1) != SLABTOP_NCOLUMNS)
		return false;
	for (size_t i = 0; i < SLABTOP_NCOLUMNS; i++)
		if (!mmt_field_is(&f[i], slabtop_columns[i]))
			return false;
	return true;
}

static bool is_objects_line(const char *s, size_t n)
{
	s = skip_blanks(s, n, &n);
	return has_prefix(s, n, "Active / Total Objects");
}

/*
 * " Active / Total Size (% used)       : 340309.62K / 356458.30K (95.5%)",
 * "Minimum / Average / Maximum Object : 0.01K / 0.37K / 50.28K": what the
 * table shows, summed; checked for shape and not stored.
 */
static bool is_summary_line(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);

	s = skip_blanks(s, n, &n);
	return colon && (has_prefix(s, n, "Active / Total ") ||
			 has_prefix(s, n, "Minimum / Average / Maximum"));
}

/* A size as slabtop prints it ("0.19K", "11675968K", "28Gi"), in whole bytes. */
static int slabtop_size(struct mmt_series *sr, const struct mmt_field *f, const char *what,
			int64_t *out)
{
	double bytes;
	int rc = mmt_parse_size(f->s, f->n, &bytes);

	if (rc == MMT_NUM_OK && (bytes < 0 || bytes >= 9.2e18))
		rc = MMT_NUM_OVERFLOW;
	if (rc == MMT_NUM_OVERFLOW)
		return mmt_series_fail(sr, "%s '%.*s' does not fit in 64 bits", what,
				       (int)(f->n > 40 ? 40 : f->n), f->s);
	if (rc != MMT_NUM_OK)
		return mmt_series_fail(sr, "%s '%.*s' is not a size", what,
				       (int)(f->n > 40 ? 40 : f->n), f->s);
	*out = llround(bytes);
	return 0;
}

static int slabtop_count(struct mmt_series *sr, const struct mmt_field *f, const char *what,
			 struct slab_row *r, enum slab_col c)
{
	uint64_t v;

	if (mmt_series_u64(sr, f, what, &v) < 0)
		return -1;
	r->v[c] = (int64_t)v;
	r->have[c] = true;
	return 0;
}

/* "237184 236529  99%    0.03K   1853      128      7412K lsm_inode_cache" */
static int slabtop_row(struct mmt_series *sr, const char *s, size_t n)
{
	struct mmt_field f[9];
	size_t nf = mmt_fields_split(s, n, f, 9);
	struct slab_row r = { 0 };

	if (nf != 8)
		return mmt_series_fail(sr, "a slabtop row has 8 columns, this one %zu: '%.*s'",
				       nf, (int)(n > 80 ? 80 : n), s);
	if (f[2].n < 2 || f[2].s[f[2].n - 1] != '%')
		return mmt_series_fail(sr, "USE '%.*s' is not a percentage",
				       (int)(f[2].n > 40 ? 40 : f[2].n), f[2].s);
	r.name = f[7].s;
	r.name_len = f[7].n;
	if (slabtop_count(sr, &f[0], "OBJS", &r, COL_NUM_OBJS) < 0 ||
	    slabtop_count(sr, &f[1], "ACTIVE", &r, COL_ACTIVE_OBJS) < 0 ||
	    slabtop_count(sr, &f[4], "SLABS", &r, COL_NUM_SLABS) < 0 ||
	    slabtop_count(sr, &f[5], "OBJ/SLAB", &r, COL_OBJPERSLAB) < 0 ||
	    slabtop_size(sr, &f[3], "OBJ SIZE", &r.v[COL_OBJSIZE]) < 0 ||
	    slabtop_size(sr, &f[6], "CACHE SIZE", &r.bytes) < 0)
		return -1;
	r.have[COL_OBJSIZE] = true;
	return insert_row(sr, &r);
}

static int slabtop_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct slabtop_state *ts = state;

	if (ts->in_table)
		return slabtop_row(sr, s, n);
	if (is_table_header(s, n)) {
		ts->in_table = true;
		return 0;
	}
	if (is_summary_line(s, n))
		return 0;
	return mmt_series_fail(sr, "not a line of slabtop's summary: '%.*s'",
			       (int)(n > 80 ? 80 : n), s);
}

static int slabtop_end(struct mmt_series *sr, void *state)
{
	struct slabtop_state *ts = state;

	if (!ts->in_table)
		return mmt_series_fail(sr, "a slabtop sample without its table");
	ts->in_table = false;
	return 0;
}

/* A sample opens at its summary; in a file of bare tables, at the header. */
static bool slabtop_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	return is_objects_line(s, n) ||
	       (is_table_header(s, n) && is_table_header(first, firstn));
}

static const struct mmt_series_format slabtop_format = {
	.kind = "slabtop",
	.starts_sample = slabtop_starts,
	.line = slabtop_line,
	.end_sample = slabtop_end,
	.state_size = sizeof(struct slabtop_state),
};

/* Whether one of the first lines of p is the table header. */
static bool head_has_table(const char *p, size_t n)
{
	const char *e = p + n;

	for (int lines = 0; p < e && lines < 12; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));

		if (!nl)
			return false;
		if (is_table_header(p, (size_t)(nl - p)))
			return true;
		p = nl + 1;
	}
	return false;
}

/*
 * Only the summary followed by an intact table header: a table a mail
 * client wrapped cannot be read.
 */
static int slabtop_probe(const char *head, size_t len)
{
	size_t n;
	const char *p = mmt_series_skip_preamble(head, len, &n);
	const char *nl = memchr(p, '\n', n);

	if (nl && is_table_header(p, (size_t)(nl - p)))
		return 85;
	if (nl && is_objects_line(p, (size_t)(nl - p)) && head_has_table(p, n))
		return 90;
	return 0;
}

static int slabtop_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&slabtop_format, in, st, err);
}

const struct mmt_parser mmt_parser_slabtop = {
	.name = "slabtop",
	.help = "slabtop -o output, once or as a series",
	.probe = slabtop_probe,
	.parse = slabtop_parse,
	.hashes_input = true,
	.named_samples = true,
};
