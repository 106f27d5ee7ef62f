/*
 * /proc/swaps, once or as a series (parsers/series.h): one swap_devices row
 * per device. Every sample starts with the header line, so a machine
 * without swap still gives one sample (with no device) per capture.
 */
#include "parsers/series.h"

#include <string.h>

static const char sql_insert_swap[] =
	"INSERT INTO swap_devices (snapshot_id, filename, type, size_kb, used_kb, priority) "
	"VALUES (?, ?, ?, ?, ?, ?)";

#define SWAP_FIELDS 16

/* "Filename				Type		Size		Used		Priority" */
static bool swaps_header(const char *s, size_t n)
{
	static const char *const names[] = { "Filename", "Type", "Size", "Used", "Priority" };
	struct mmt_field f[6];

	if (mmt_fields_split(s, n, f, 6) != 5)
		return false;
	for (size_t i = 0; i < 5; i++)
		if (!mmt_field_is(&f[i], names[i]))
			return false;
	return true;
}

static int store_swap(struct mmt_series *sr, const char *name, size_t namelen,
		      const struct mmt_field *type, uint64_t size, uint64_t used,
		      int64_t prio)
{
	sqlite3_stmt *s = mmt_series_stmt(sr, sql_insert_swap, false);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, mmt_series_snapshot(sr));
	mmt_bind_textn(s, 2, name, namelen);
	mmt_bind_textn(s, 3, type->s, type->n);
	mmt_bind_int(s, 4, (int64_t)size);
	mmt_bind_int(s, 5, (int64_t)used);
	mmt_bind_int(s, 6, prio);
	return mmt_series_run(sr, s);
}

/*
 * "/dev/dm-1   partition	8388604	0	-2": the last four fields are type,
 * size and used (kB) and priority (negative when the kernel chose it); the
 * file name is all before them, kept as printed (the kernel escapes blanks
 * in it as \040).
 */
static int swaps_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct mmt_field f[SWAP_FIELDS];
	size_t nf = mmt_fields_split(s, n, f, SWAP_FIELDS), namelen;
	bool *have_header = state;
	uint64_t size, used;
	int64_t prio;

	if (swaps_header(s, n)) {
		*have_header = true;
		return 0;
	}
	if (!*have_header)
		return mmt_series_fail(sr, "expected the header 'Filename Type Size Used "
				       "Priority', found '%.*s'", (int)(n > 80 ? 80 : n), s);
	if (nf < 5 || nf > SWAP_FIELDS)
		return mmt_series_fail(sr, "not a swaps line (want FILENAME TYPE SIZE USED "
				       "PRIORITY): '%.*s'", (int)(n > 80 ? 80 : n), s);
	if (mmt_series_u64(sr, &f[nf - 3], "size", &size) < 0 ||
	    mmt_series_u64(sr, &f[nf - 2], "used", &used) < 0 ||
	    mmt_series_i64(sr, &f[nf - 1], "priority", &prio) < 0)
		return -1;
	namelen = (size_t)(f[nf - 5].s + f[nf - 5].n - f[0].s);
	return store_swap(sr, f[0].s, namelen, &f[nf - 4], size, used, prio);
}

static int swaps_end(struct mmt_series *sr, void *state)
{
	bool *have_header = state;

	*have_header = false;
	return 0;
}

/* The header line repeats at every sample. */
static bool swaps_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	return swaps_header(s, n);
}

static const struct mmt_series_format swaps_format = {
	.kind = "swaps",
	.starts_sample = swaps_starts,
	.line = swaps_line,
	.end_sample = swaps_end,
	.state_size = sizeof(bool),	/* the sample's header was seen */
};

static int swaps_probe(const char *head, size_t len)
{
	size_t n;
	const char *p = mmt_series_skip_preamble(head, len, &n);
	const char *nl = memchr(p, '\n', n);

	return swaps_header(p, nl ? (size_t)(nl - p) : n) ? 95 : 0;
}

static int swaps_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&swaps_format, in, st, err);
}

const struct mmt_parser mmt_parser_swaps = {
	.name = "swaps",
	.help = "/proc/swaps, once or as a series",
	.probe = swaps_probe,
	.parse = swaps_parse,
	.hashes_input = true,
	.named_samples = true,
};
