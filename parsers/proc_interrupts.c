/*
 * /proc/interrupts, once or as a series (parsers/series.h).
 *
 * A sample opens with the CPU header ("CPU0 CPU1 ..." or, with CPUs
 * offline, "CPU0 CPU2 CPU3"), then one row per interrupt: a label (an IRQ
 * number, or a name such as NMI, LOC, CAL, IPI0, Err), one count per CPU
 * column of the header, and a description (chip, hwirq, type, handlers).
 * The CPUs online change within a series, so every sample reads its own
 * header and maps count columns to the CPU numbers it names. Rows that do
 * not follow the header:
 *   - ERR, MIS (x86) and Err (arm): one count, no description (cpu NULL);
 *   - a single count on a machine of several CPUs (cpu NULL);
 *   - FIQ on arm: no count at all, only its handler;
 *   - named rows of old arm kernels (IPI0...) that print every present CPU
 *     while the header lists online ones only: more counts than columns,
 *     mapped to CPUs 0..n-1 with a warning.
 * Anything else (2 counts for 4 CPUs, a numbered row with too many counts,
 * a row that ends after its counts) is an error naming the line.
 *
 * Counts go to irq_counts; descriptions to irq_descriptions once per IRQ
 * and source, remembered in a bitmap of key ids so that a series does not
 * re-insert them each sample.
 */
#include "parsers/series.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char sql_insert_count[] =
	"INSERT INTO irq_counts (snapshot_id, key_id, cpu, count) VALUES (?, ?, ?, ?)";
static const char sql_insert_description[] =
	"INSERT OR IGNORE INTO irq_descriptions (source_id, key_id, description) "
	"VALUES (?, ?, ?)";

struct irq_state {
	int *cpus;		/* CPU number of each count column of the header */
	size_t ncpu, cap;
	bool have_header;	/* the current sample has read its header */
	bool warned_extra;	/* the present-CPU warning was given */
	uint64_t *counts;	/* counts of the row being read */
	size_t counts_cap;
	unsigned char *described;	/* by state_keys.id: description stored */
	size_t described_cap;
	struct mmt_sb desc;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}


/* The next blank-separated token of s[*i..n), or false at the end. */
static bool next_token(const char *s, size_t n, size_t *i, struct mmt_field *t)
{
	while (*i < n && is_blank(s[*i]))
		(*i)++;
	if (*i == n)
		return false;
	t->s = s + *i;
	while (*i < n && !is_blank(s[*i]))
		(*i)++;
	t->n = (size_t)(s + *i - t->s);
	return true;
}

/* The label of the line at p ("24", "NMI", "HI"), its length in *ln. */
static const char *row_label(const char *p, size_t n, size_t *ln)
{
	size_t b = 0, e;

	while (b < n && is_blank(p[b]))
		b++;
	for (e = b; e < n && p[e] != ':' && !is_blank(p[e]); e++)
		;
	if (e == n || p[e] != ':' || e == b)
		return NULL;
	*ln = e - b;
	return p + b;
}

/* "CPU12": the number, or -1 when the token is not a CPU column. */
static long cpu_column(const struct mmt_field *t)
{
	uint64_t v;

	if (t->n < 4 || memcmp(t->s, "CPU", 3) || !mmt_is_digits(t->s + 3, t->n - 3) ||
	    mmt_parse_u64(t->s + 3, t->n - 3, &v) != MMT_NUM_OK || v > INT_MAX)
		return -1;
	return (long)v;
}

/* Every field is CPU<digits>, and there is at least one. */
static bool header_line(const char *s, size_t n)
{
	struct mmt_field t;
	size_t i = 0, k = 0;

	while (next_token(s, n, &i, &t)) {
		if (cpu_column(&t) < 0)
			return false;
		k++;
	}
	return k > 0;
}

static void grow_counts(struct irq_state *is, size_t need)
{
	if (need <= is->counts_cap)
		return;
	is->counts_cap = need * 2;
	is->counts = xrealloc(is->counts, is->counts_cap * sizeof(*is->counts));
}

static void read_header(struct irq_state *is, const char *s, size_t n)
{
	struct mmt_field t;
	size_t i = 0;

	is->ncpu = 0;
	while (next_token(s, n, &i, &t)) {
		if (is->ncpu == is->cap) {
			is->cap = is->cap ? is->cap * 2 : 64;
			is->cpus = xrealloc(is->cpus, is->cap * sizeof(*is->cpus));
		}
		is->cpus[is->ncpu++] = (int)cpu_column(&t);
	}
	grow_counts(is, is->ncpu);
	is->have_header = true;
}

/* ERR, MIS (x86, mips, ...), Err (arm): counters printed without per-CPU columns. */
static bool error_row(const char *label, size_t n)
{
	return n == 3 && (!memcmp(label, "ERR", 3) || !memcmp(label, "Err", 3) ||
			  !memcmp(label, "MIS", 3));
}

static bool numbered_row(const char *label, size_t n)
{
	return mmt_is_digits(label, n);
}

static int store_count(struct mmt_series *sr, int64_t key, bool has_cpu, int cpu,
		       uint64_t count)
{
	sqlite3_stmt *s = mmt_series_stmt(sr, sql_insert_count, true);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, mmt_series_snapshot(sr));
	sqlite3_bind_int64(s, 2, key);
	mmt_bind_int_opt(s, 3, cpu, has_cpu);
	sqlite3_bind_int64(s, 4, (int64_t)count);
	return mmt_series_run(sr, s);
}

/* The description once per IRQ and source, whitespace collapsed. */
static int store_description(struct mmt_series *sr, struct irq_state *is, int64_t key,
			     const char *s, size_t n)
{
	struct mmt_field t;
	sqlite3_stmt *q;
	size_t i = 0;

	if ((size_t)key < is->described_cap && is->described[key])
		return 0;
	if ((size_t)key >= is->described_cap) {
		size_t cap = ((size_t)key + 1) * 2;

		is->described = xrealloc(is->described, cap);
		memset(is->described + is->described_cap, 0, cap - is->described_cap);
		is->described_cap = cap;
	}
	mmt_sb_reset(&is->desc);
	while (next_token(s, n, &i, &t)) {
		if (is->desc.len)
			mmt_sb_addc(&is->desc, ' ');
		mmt_sb_add(&is->desc, t.s, t.n);
	}
	q = mmt_series_stmt(sr, sql_insert_description, false);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, mmt_series_input(sr)->source_id);
	sqlite3_bind_int64(q, 2, key);
	mmt_bind_textn(q, 3, is->desc.buf, is->desc.len);
	if (mmt_series_run(sr, q) < 0)
		return -1;
	is->described[key] = 1;
	return 0;
}

/*
 * The counts of the row after its label: the leading all-digit tokens.
 * *rest is where the description starts, n when there is none.
 */
static int read_counts(struct mmt_series *sr, struct irq_state *is, const char *s, size_t n,
		       size_t *k, size_t *rest)
{
	struct mmt_field t;
	size_t i = 0;

	for (*k = 0;; (*k)++) {
		size_t at = i;

		if (!next_token(s, n, &i, &t)) {
			*rest = n;
			return 0;
		}
		if (!mmt_is_digits(t.s, t.n)) {
			*rest = at;
			return 0;
		}
		grow_counts(is, *k + 1);
		if (mmt_series_u64(sr, &t, "count", &is->counts[*k]) < 0)
			return -1;
	}
}

/* Whether k counts fit the header; warns for present-CPU lists. */
static int check_shape(struct mmt_series *sr, struct irq_state *is, const char *label,
		       size_t ln, size_t k, bool described)
{
	if (error_row(label, ln) && k == 1)
		return 0;
	if (!described)
		return mmt_series_fail(sr, "row '%.*s' ends after its counts (truncated?)",
				       (int)ln, label);
	if (k == 0 || k == 1 || k == is->ncpu)
		return 0;
	if (k > is->ncpu && !numbered_row(label, ln)) {
		if (!is->warned_extra)
			mmt_series_warn(sr, "row '%.*s' has %zu counts for %zu CPUs of the "
					"header: taken as CPUs 0-%zu (every present CPU)",
					(int)ln, label, k, is->ncpu, k - 1);
		is->warned_extra = true;
		return 0;
	}
	return mmt_series_fail(sr, "row '%.*s' has %zu counts for %zu CPUs", (int)ln, label,
			       k, is->ncpu);
}

/* ERR and MIS stay without a CPU even when one CPU is online. */
static int store_row(struct mmt_series *sr, struct irq_state *is, int64_t key, size_t k,
		     bool error)
{
	if (k == 1 && (error || is->ncpu != 1))
		return store_count(sr, key, false, 0, is->counts[0]);
	for (size_t c = 0; c < k; c++) {
		int cpu = k <= is->ncpu ? is->cpus[c] : (int)c;

		if (store_count(sr, key, true, cpu, is->counts[c]) < 0)
			return -1;
	}
	return 0;
}

static int read_row(struct mmt_series *sr, struct irq_state *is, const char *s, size_t n)
{
	size_t ln, k, rest, after;
	const char *label = row_label(s, n, &ln);
	bool described;
	int64_t key;

	if (!label)
		return mmt_series_fail(sr, "not an interrupts line: '%.*s'",
				       (int)(n > 80 ? 80 : n), s);
	if (!is->have_header)
		return mmt_series_fail(sr, "row before the CPU header line");
	after = (size_t)(label - s) + ln + 1;
	if (read_counts(sr, is, s + after, n - after, &k, &rest) < 0)
		return -1;
	rest += after;
	described = rest < n;	/* read_counts stopped at a token */
	if (check_shape(sr, is, label, ln, k, described) < 0)
		return -1;
	key = mmt_series_key(sr, label, ln, true);
	if (key < 0)
		return -1;
	if (described && store_description(sr, is, key, s + rest, n - rest) < 0)
		return -1;
	return store_row(sr, is, key, k, error_row(label, ln));
}

static int irq_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct irq_state *is = state;

	if (header_line(s, n)) {
		read_header(is, s, n);
		return 0;
	}
	return read_row(sr, is, s, n);
}

/* Each sample reads its own header: CPUs come and go within a series. */
static int irq_end_sample(struct mmt_series *sr, void *state)
{
	struct irq_state *is = state;

	is->have_header = false;
	(void)sr;
	return 0;
}

static bool irq_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	(void)first;
	(void)firstn;
	return header_line(s, n);
}

static void irq_free_state(void *state)
{
	struct irq_state *is = state;

	free(is->cpus);
	free(is->counts);
	free(is->described);
	mmt_sb_free(&is->desc);
}

static const struct mmt_series_format irq_format = {
	.kind = "interrupts",
	.starts_sample = irq_starts,
	.line = irq_line,
	.end_sample = irq_end_sample,
	.state_size = sizeof(struct irq_state),
	.free_state = irq_free_state,
};

/* The rows of /proc/softirqs, whose header is the same as ours. */
static bool softirq_label(const char *s, size_t n)
{
	static const char *const names[] = {
		"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "BLOCK_IOPOLL", "IRQ_POLL",
		"TASKLET", "SCHED", "HRTIMER", "RCU", NULL,
	};

	for (size_t i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !memcmp(s, names[i], n))
			return true;
	return false;
}

/* A CPU header, then a first row that is not one of /proc/softirqs. */
static int irq_probe(const char *head, size_t len)
{
	size_t n, ln, ln2;
	const char *p = mmt_series_skip_preamble(head, len, &n), *e = p + n;
	const char *nl = memchr(p, '\n', n), *row, *label;

	if (!nl)
		return 0;
	ln = (size_t)(nl - p);
	if (ln && p[ln - 1] == '\r')
		ln--;
	if (!header_line(p, ln))
		return 0;
	row = nl + 1;
	nl = memchr(row, '\n', (size_t)(e - row));
	label = row_label(row, nl ? (size_t)(nl - row) : (size_t)(e - row), &ln2);
	if (!label || softirq_label(label, ln2))
		return 0;
	return 90;
}

static int irq_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&irq_format, in, st, err);
}

const struct mmt_parser mmt_parser_interrupts = {
	.name = "interrupts",
	.help = "/proc/interrupts, once or as a series (CPUs may go offline and return)",
	.probe = irq_probe,
	.parse = irq_parse,
	.hashes_input = true,
	.named_samples = true,
};
