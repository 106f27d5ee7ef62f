/*
 * /proc/meminfo, /proc/vmstat and the PSI files of /proc/pressure: name-value
 * once or as series (parsers/series.h).
 */
#include "parsers/series.h"

#include <stdio.h>
#include <string.h>

/* meminfo: "MemFree:        23494292 kB", "HugePages_Total:       0". */
static int meminfo_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct mmt_field f[4];
	size_t nf = mmt_fields_split(s, n, f, 4);
	uint64_t v;

	if (nf < 2 || nf > 3 || f[0].n < 2 || f[0].s[f[0].n - 1] != ':' ||
	    (nf == 3 && !mmt_field_is(&f[2], "kB")))
		return mmt_series_fail(sr, "not a meminfo line: '%.*s'",
				       (int)(n > 80 ? 80 : n), s);
	if (mmt_series_u64(sr, &f[1], "value", &v) < 0)
		return -1;
	return mmt_series_value(sr, f[0].s, f[0].n - 1, false, (int64_t)v);
}

static const struct mmt_series_format meminfo_format = {
	.kind = "meminfo",
	.line = meminfo_line,
};

/* "Node 0 MemTotal:" is the per-node file, another format. */
static int meminfo_probe(const char *head, size_t len)
{
	size_t n;
	const char *p = mmt_series_skip_preamble(head, len, &n);

	if (n >= 9 && !memcmp(p, "MemTotal:", 9))
		return 90;
	return 0;
}

static int meminfo_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&meminfo_format, in, st, err);
}

const struct mmt_parser mmt_parser_meminfo = {
	.name = "meminfo",
	.help = "/proc/meminfo, once or as a series",
	.probe = meminfo_probe,
	.parse = meminfo_parse,
	.hashes_input = true,
	.named_samples = true,
};

static int vmstat_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct mmt_field f[3];
	int64_t v;

	if (mmt_fields_split(s, n, f, 3) != 2)
		return mmt_series_fail(sr, "not a vmstat line: '%.*s'",
				       (int)(n > 80 ? 80 : n), s);
	/* A few gauges can be printed negative (per-CPU drift). */
	if (mmt_series_i64(sr, &f[1], "value", &v) < 0)
		return -1;
	return mmt_series_value(sr, f[0].s, f[0].n, mmt_vmstat_is_counter(f[0].s, f[0].n), v);
}

static bool name_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

static const struct mmt_series_format vmstat_format = {
	.kind = "vmstat",
	.line = vmstat_line,
};

static bool vmstat_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_'))
			return false;
	return true;
}

/* Every line of the head is "name number", and one of the known names is there. */
static int vmstat_probe(const char *head, size_t len)
{
	size_t n, lines = 0;
	const char *p = mmt_series_skip_preamble(head, len, &n), *e = p + n;
	bool known = false;

	while (p < e && lines < 40) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(e - p);
		struct mmt_field f[3];
		int64_t v;

		if (!nl)
			break;	/* the head may end inside a line */
		if (mmt_fields_split(p, ln, f, 3) != 2 || !vmstat_name(f[0].s, f[0].n) ||
		    mmt_parse_i64(f[1].s, f[1].n, &v) != MMT_NUM_OK)
			return 0;
		known |= name_is(f[0].s, f[0].n, "nr_free_pages") ||
			 name_is(f[0].s, f[0].n, "pgpgin");
		lines++;
		p = nl + 1;
	}
	return lines >= 3 && known ? 85 : 0;
}

static int vmstat_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&vmstat_format, in, st, err);
}

const struct mmt_parser mmt_parser_vmstat = {
	.name = "vmstat",
	.help = "/proc/vmstat, once or as a series",
	.probe = vmstat_probe,
	.parse = vmstat_parse,
	.hashes_input = true,
	.named_samples = true,
};

static const char sql_insert_psi[] =
	"INSERT INTO psi_values (snapshot_id, resource, kind, avg10, avg60, avg300, total) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)";

struct psi_state {
	char resource[16];
};

/* The resource is in the file's name: pressure/memory, pressure-io, cpu.pressure. */
static void psi_resource(const char *path, char *out, size_t cap)
{
	static const char *const names[] = { "memory", "io", "cpu", "irq", NULL };
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	snprintf(out, cap, "%s", base);
	for (size_t i = 0; names[i]; i++) {
		const char *hit = strstr(base, names[i]);
		size_t k = strlen(names[i]);

		while (hit) {
			bool left = hit == base || strchr("-_.", hit[-1]);
			bool right = !hit[k] || strchr("-_.", hit[k]);

			if (left && right) {
				snprintf(out, cap, "%s", names[i]);
				return;
			}
			hit = strstr(hit + 1, names[i]);
		}
	}
}

/* "avg10=0.00": the number after name=. */
static int psi_field(struct mmt_series *sr, const struct mmt_field *f, const char *name,
		     double *out)
{
	size_t k = strlen(name);

	if (f->n <= k + 1 || memcmp(f->s, name, k) || f->s[k] != '=' ||
	    mmt_parse_double(f->s + k + 1, f->n - k - 1, out) != MMT_NUM_OK)
		return mmt_series_fail(sr, "expected %s=NUMBER, found '%.*s'", name,
				       (int)(f->n > 40 ? 40 : f->n), f->s);
	return 0;
}

static int psi_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct psi_state *ps = state;
	struct mmt_field f[6], total;
	double avg[3];
	uint64_t t;
	sqlite3_stmt *st;

	if (mmt_fields_split(s, n, f, 6) != 5 ||
	    !(mmt_field_is(&f[0], "some") || mmt_field_is(&f[0], "full")))
		return mmt_series_fail(sr, "not a pressure line: '%.*s'",
				       (int)(n > 80 ? 80 : n), s);
	if (psi_field(sr, &f[1], "avg10", &avg[0]) < 0 ||
	    psi_field(sr, &f[2], "avg60", &avg[1]) < 0 ||
	    psi_field(sr, &f[3], "avg300", &avg[2]) < 0)
		return -1;
	if (f[4].n < 7 || memcmp(f[4].s, "total=", 6))
		return mmt_series_fail(sr, "expected total=NUMBER");
	total.s = f[4].s + 6;
	total.n = f[4].n - 6;
	if (mmt_series_u64(sr, &total, "total", &t) < 0)
		return -1;
	if (!ps->resource[0])
		psi_resource(mmt_series_input(sr)->path, ps->resource, sizeof(ps->resource));
	st = mmt_series_stmt(sr, sql_insert_psi, false);
	if (!st)
		return -1;
	mmt_bind_int(st, 1, mmt_series_snapshot(sr));
	mmt_bind_text(st, 2, ps->resource);
	mmt_bind_textn(st, 3, f[0].s, f[0].n);
	for (int i = 0; i < 3; i++)
		sqlite3_bind_double(st, 4 + i, avg[i]);
	mmt_bind_int(st, 7, (int64_t)t);
	return mmt_series_run(sr, st);
}

/* "some" opens every sample; "full" follows it (memory, io; cpu since 5.13). */
static bool psi_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	return n >= 5 && !memcmp(s, "some ", 5);
}

static const struct mmt_series_format psi_format = {
	.kind = "psi",
	.starts_sample = psi_starts,
	.line = psi_line,
	.state_size = sizeof(struct psi_state),
};

static int psi_probe(const char *head, size_t len)
{
	size_t n;
	const char *p = mmt_series_skip_preamble(head, len, &n);

	if ((n >= 12 && !memcmp(p, "some avg10=", 11)) ||
	    (n >= 12 && !memcmp(p, "full avg10=", 11)))
		return 95;
	return 0;
}

static int psi_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&psi_format, in, st, err);
}

const struct mmt_parser mmt_parser_psi = {
	.name = "psi",
	.help = "/proc/pressure/{memory,io,cpu,irq} (resource from the file name)",
	.probe = psi_probe,
	.parse = psi_parse,
	.hashes_input = true,
	.named_samples = true,
};
