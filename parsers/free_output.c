/*
 * The output of `free` (procps, once or as `free -s N` / a capture loop),
 * into state_values in kB so that it joins the meminfo view: columns with a
 * /proc/meminfo twin take its name (MemTotal, MemFree, Shmem, Buffers,
 * Cached, MemAvailable, SwapTotal, SwapFree), the others a 'free.' name
 * ('free.used', 'free.buff/cache', 'free.swap_used', ...). All are gauges.
 *
 * Layouts:
 *   procps-ng 3.3.10+   total used free shared buff/cache available
 *   with -w             total used free shared buffers cache available
 *   procps 3.3.9 and older, busybox: total used free shared buffers cached,
 *                       then a "-/+ buffers/cache:" row (used, free)
 *   rows Mem: (every column), Swap:, Low:/High: (-l), Total: (-t) and
 *   Comm: (--committed) with total used free.
 *
 * Units. Plain numbers are KiB unless the command said otherwise, and the
 * output does not say it: the file name does when it carries the options,
 * as sosreport names its files (free, free_-m, free_-g, free_-h): -b, -k,
 * -m, -g, --tera, --peta, --kibi... and their 1000-based twins --kilo,
 * --mega, ..., --si. A file with no such name is read as KiB; `free --si`
 * or `--kilo` output saved under a plain name is then 2.4% off, which
 * nothing in the output can reveal. Suffixed values (`free -h`: 23Gi,
 * 647Mi, 0B; old procps: 1.2G) are powers of 1024, or of 1000 when the
 * name says --si (procps-ng prints "G" without the "i" only then).
 *
 * The wide 'cache' column is Cached + SReclaimable (procps-ng 3.3.10 on),
 * so it keeps a 'free.cache' name; the old 'cached' column was meminfo's
 * Cached and takes that name.
 */
#include "parsers/series.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define FREE_MAX_COLS 12

enum free_col {
	COL_TOTAL, COL_USED, COL_FREE, COL_SHARED, COL_BUFF_CACHE, COL_BUFFERS,
	COL_CACHE, COL_CACHED, COL_AVAILABLE,
};

/* Header words and the name each takes on the Mem: row. */
static const struct {
	const char *word;
	const char *mem_name;
} columns[] = {
	[COL_TOTAL] = { "total", "MemTotal" },
	[COL_USED] = { "used", "free.used" },
	[COL_FREE] = { "free", "MemFree" },
	[COL_SHARED] = { "shared", "Shmem" },
	[COL_BUFF_CACHE] = { "buff/cache", "free.buff/cache" },
	[COL_BUFFERS] = { "buffers", "Buffers" },
	[COL_CACHE] = { "cache", "free.cache" },
	[COL_CACHED] = { "cached", "Cached" },
	[COL_AVAILABLE] = { "available", "MemAvailable" },
};

/* Rows other than Mem:, with the names of their values in order. */
static const struct {
	const char *label;
	const char *names[3];
	size_t n;
} rows[] = {
	{ "Swap:", { "SwapTotal", "free.swap_used", "SwapFree" }, 3 },
	{ "Total:", { "free.total_total", "free.total_used", "free.total_free" }, 3 },
	{ "Low:", { "free.low_total", "free.low_used", "free.low_free" }, 3 },
	{ "High:", { "free.high_total", "free.high_used", "free.high_free" }, 3 },
	{ "Comm:", { "free.comm_total", "free.comm_used", "free.comm_free" }, 3 },
	{ "buffers/cache:", { "free.used_minus_cache", "free.free_plus_cache" }, 2 },
	{ "buffers:", { "free.used_minus_buffers", "free.free_plus_buffers" }, 2 },
};

struct free_state {
	enum free_col cols[FREE_MAX_COLS];
	size_t ncols;
	bool have_header;
	bool unit_read;		/* unit and si taken from the file name */
	double unit;		/* bytes of a plain number */
	bool si;		/* suffixes are powers of 1000 */
};

/* A unit option of free: bytes per plain number, 0 for others. */
static double option_unit(const char *s, size_t n, bool *si)
{
	static const struct {
		const char *opt;
		double bytes;
	} opts[] = {
		{ "--bytes", 1 }, { "--kibi", 1024.0 }, { "--mebi", 1048576.0 },
		{ "--gibi", 1073741824.0 }, { "--tebi", 1099511627776.0 },
		{ "--pebi", 1125899906842624.0 }, { "--kilo", 1e3 }, { "--mega", 1e6 },
		{ "--giga", 1e9 }, { "--tera", 1e12 }, { "--peta", 1e15 },
	};
	double u = 0;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].opt) == n && !memcmp(s, opts[i].opt, n))
			return opts[i].bytes;
	if (n == 4 && !memcmp(s, "--si", 4))
		*si = true;
	if (n < 2 || s[0] != '-' || s[1] == '-')
		return 0;
	/* Short options, possibly grouped: -m, -mt, -bw. */
	for (size_t i = 1; i < n; i++) {
		switch (s[i]) {
		case 'b': u = 1; break;
		case 'k': u = 1024.0; break;
		case 'm': u = 1048576.0; break;
		case 'g': u = 1073741824.0; break;
		default: break;
		}
	}
	return u;
}

/* The unit the file name says (sosreport: free_-m), else KiB. */
static void unit_from_name(struct free_state *fs, const char *path)
{
	const char *base = strrchr(path, '/'), *p;
	double unit = 0;

	base = base ? base + 1 : path;
	fs->si = false;
	for (p = base; *p;) {
		size_t n = strcspn(p, "_ ");
		double u = n ? option_unit(p, n, &fs->si) : 0;

		if (u > 0)
			unit = u;
		p += n;
		p += *p ? 1 : 0;
	}
	if (unit == 0)
		unit = 1024.0;
	/* --si turns the 1024-based -k, -m, -g into kilo, mega, giga. */
	for (int k = 1; fs->si && k <= 5; k++)
		if (unit == pow(1024, k))
			unit = pow(1000, k);
	fs->unit = unit;
	fs->unit_read = true;
}

static bool has_suffix(const struct mmt_field *f)
{
	char c = f->s[f->n - 1];

	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* bytes of a value printed with a suffix; 1000-based under --si. */
static double suffix_bytes(const struct free_state *fs, const struct mmt_field *f,
			   double bytes)
{
	size_t n = f->n;

	if (!fs->si)
		return bytes;
	if (n > 1 && (f->s[n - 1] == 'B' || f->s[n - 1] == 'b'))
		n--;
	switch (f->s[n - 1]) {	/* "Gi" and "512B" stay as they are */
	case 'K': case 'k': return bytes / 1024.0 * 1e3;
	case 'M': return bytes / 1048576.0 * 1e6;
	case 'G': return bytes / 1073741824.0 * 1e9;
	case 'T': return bytes / 1099511627776.0 * 1e12;
	default: return bytes;
	}
}

/* One value in kB. */
static int value_kb(struct mmt_series *sr, const struct free_state *fs,
		    const struct mmt_field *f, int64_t *kb)
{
	double bytes;
	uint64_t v;

	if (!has_suffix(f)) {
		if (mmt_series_u64(sr, f, "value", &v) < 0)
			return -1;
		if (fs->unit == 1024.0) {
			*kb = (int64_t)v;
			return 0;
		}
		bytes = (double)v * fs->unit;
	} else if (mmt_parse_size(f->s, f->n, &bytes) != MMT_NUM_OK) {
		return mmt_series_fail(sr, "value '%.*s' is not a size",
				       (int)(f->n > 40 ? 40 : f->n), f->s);
	} else {
		bytes = suffix_bytes(fs, f, bytes);
	}
	if (!(bytes >= 0) || bytes / 1024.0 >= 9.2e18)
		return mmt_series_fail(sr, "value '%.*s' does not fit in 64 bits",
				       (int)(f->n > 40 ? 40 : f->n), f->s);
	*kb = (int64_t)(bytes / 1024.0 + 0.5);
	return 0;
}

static int read_header(struct mmt_series *sr, struct free_state *fs, const char *s,
		       size_t n)
{
	struct mmt_field f[FREE_MAX_COLS + 1];
	size_t nf = mmt_fields_split(s, n, f, FREE_MAX_COLS + 1);

	if (nf > FREE_MAX_COLS)
		return mmt_series_fail(sr, "free header with %zu columns", nf);
	for (size_t i = 0; i < nf; i++) {
		size_t c = 0;

		while (c < sizeof(columns) / sizeof(columns[0]) &&
		       !mmt_field_is(&f[i], columns[c].word))
			c++;
		if (c == sizeof(columns) / sizeof(columns[0]))
			return mmt_series_fail(sr, "unknown free column '%.*s'",
					       (int)(f[i].n > 40 ? 40 : f[i].n), f[i].s);
		fs->cols[i] = (enum free_col)c;
	}
	if (nf < 3 || fs->cols[0] != COL_TOTAL || fs->cols[1] != COL_USED ||
	    fs->cols[2] != COL_FREE)
		return mmt_series_fail(sr, "free header does not start with total used free");
	fs->ncols = nf;
	fs->have_header = true;
	return 0;
}

static int store(struct mmt_series *sr, const struct free_state *fs,
		 const struct mmt_field *f, const char *name)
{
	int64_t kb = 0;

	if (value_kb(sr, fs, f, &kb) < 0)
		return -1;
	return mmt_series_value(sr, name, strlen(name), false, kb);
}

static int read_mem(struct mmt_series *sr, const struct free_state *fs,
		    const struct mmt_field *f, size_t nv)
{
	if (nv != fs->ncols)
		return mmt_series_fail(sr, "Mem: row has %zu values for %zu columns", nv,
				       fs->ncols);
	for (size_t i = 0; i < nv; i++)
		if (store(sr, fs, &f[i], columns[fs->cols[i]].mem_name) < 0)
			return -1;
	return 0;
}

static int read_other(struct mmt_series *sr, const struct free_state *fs,
		      const struct mmt_field *label, const struct mmt_field *f, size_t nv)
{
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		if (!mmt_field_is(label, rows[r].label))
			continue;
		if (nv != rows[r].n)
			return mmt_series_fail(sr, "%s row has %zu values, expected %zu",
					       rows[r].label, nv, rows[r].n);
		for (size_t i = 0; i < nv; i++)
			if (store(sr, fs, &f[i], rows[r].names[i]) < 0)
				return -1;
		return 0;
	}
	return mmt_series_fail(sr, "unknown free row '%.*s'",
			       (int)(label->n > 40 ? 40 : label->n), label->s);
}

static int free_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct free_state *fs = state;
	struct mmt_field f[FREE_MAX_COLS + 2];
	size_t nf = mmt_fields_split(s, n, f, FREE_MAX_COLS + 2), skip = 1;

	if (!fs->unit_read)
		unit_from_name(fs, mmt_series_input(sr)->path);
	if (nf && mmt_field_is(&f[0], "total"))
		return read_header(sr, fs, s, n);
	if (!fs->have_header)
		return mmt_series_fail(sr, "free row before the header line");
	if (nf > FREE_MAX_COLS + 1)
		return mmt_series_fail(sr, "free row with %zu fields", nf);
	/* "-/+ buffers/cache:" is the one label of two fields. */
	if (nf >= 2 && mmt_field_is(&f[0], "-/+"))
		skip = 2;
	if (nf < skip || f[skip - 1].s[f[skip - 1].n - 1] != ':')
		return mmt_series_fail(sr, "not a free line: '%.*s'",
				       (int)(n > 80 ? 80 : n), s);
	if (mmt_field_is(&f[0], "Mem:"))
		return read_mem(sr, fs, f + 1, nf - 1);
	return read_other(sr, fs, &f[skip - 1], f + skip, nf - skip);
}

static int free_end_sample(struct mmt_series *sr, void *state)
{
	struct free_state *fs = state;

	fs->have_header = false;
	(void)sr;
	return 0;
}

static bool free_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	struct mmt_field f[1];

	(void)first;
	(void)firstn;
	return mmt_fields_split(s, n, f, 1) >= 1 && mmt_field_is(&f[0], "total");
}

static const struct mmt_series_format free_format = {
	.kind = "free",
	.starts_sample = free_starts,
	.line = free_line,
	.end_sample = free_end_sample,
	.state_size = sizeof(struct free_state),
};

/* The header "total used free ...", then (most often) "Mem:". */
static int free_probe(const char *head, size_t len)
{
	size_t n, ln;
	const char *p = mmt_series_skip_preamble(head, len, &n);
	const char *nl = memchr(p, '\n', n);
	struct mmt_field f[4];

	ln = nl ? (size_t)(nl - p) : n;
	if (mmt_fields_split(p, ln, f, 4) < 3 || !mmt_field_is(&f[0], "total") ||
	    !mmt_field_is(&f[1], "used") || !mmt_field_is(&f[2], "free"))
		return 0;
	if (nl && mmt_fields_split(nl + 1, n - ln - 1, f, 1) >= 1 && f[0].n >= 4 &&
	    !memcmp(f[0].s, "Mem:", 4))
		return 95;
	return 70;
}

static int free_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&free_format, in, st, err);
}

const struct mmt_parser mmt_parser_free = {
	.name = "free",
	.help = "output of free (procps, old and new; units from -h suffixes or the file "
		"name: free_-m)",
	.probe = free_probe,
	.parse = free_parse,
	.hashes_input = true,
	.named_samples = true,
};
