/*
 * Snapshot series: the driver shared by the parsers of state files
 * (/proc/meminfo, vmstat, zoneinfo, slabinfo, interrupts, ...). A file may
 * hold one sample or many: samples are separated by `date` lines, or start
 * where the format's first line repeats. The driver reads lines, finds the
 * samples and their times, writes one snapshots row per sample and hands
 * each line to the format; the format writes the sample's values.
 *
 * A format is a struct mmt_series_format; its parser's parse() is one call
 * to mmt_series_parse().
 */
#ifndef MMT_SERIES_H
#define MMT_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fields.h"
#include "parsers/parser.h"

struct mmt_series;

/*
 * Distinct names of values one snapshot file may have (vmstat has some
 * 200, /proc/interrupts of a big machine a few thousand): each is a row of
 * state_keys and an entry of the file's dictionary in memory.
 */
#define MMT_SERIES_MAX_KEYS 65536u

struct mmt_series_format {
	const char *kind;		/* snapshots.kind */
	/*
	 * Whether line s starts a new sample, given the first line of the
	 * current one (first, firstn). NULL: a line whose first field equals
	 * the first field of the sample's first line starts a new one.
	 */
	bool (*starts_sample)(const char *s, size_t n, const char *first, size_t firstn);
	/* One line of the current sample (blank lines are not passed). */
	int (*line)(struct mmt_series *sr, void *state, const char *s, size_t n);
	/* The current sample is complete; may be NULL. */
	int (*end_sample)(struct mmt_series *sr, void *state);
	size_t state_size;		/* per-file state, zeroed, kept across samples */
	void (*free_state)(void *state);
};

/* The body of a state parser's parse(). */
int mmt_series_parse(const struct mmt_series_format *f, struct mmt_input *in,
		     struct mmt_store *st, struct mmt_err *err);

/*
 * For probes: the head without the leading blank lines and `date` lines,
 * so that a series file is recognised by its first sample.
 */
const char *mmt_series_skip_preamble(const char *head, size_t len, size_t *rest);
/* True when the line is a time stamp a capture loop prints (see series.c). */
bool mmt_series_time_line(const char *s, size_t n, double *ts);

/* For the callbacks of a format: */
struct mmt_store *mmt_series_store(struct mmt_series *sr);
struct mmt_input *mmt_series_input(struct mmt_series *sr);
int64_t mmt_series_snapshot(struct mmt_series *sr);	/* snapshots.id of the sample */
int64_t mmt_series_sample_no(struct mmt_series *sr);	/* 0-based */
long mmt_series_lineno(struct mmt_series *sr);		/* line being handled */
/* An error at the current line; always returns -1. */
int mmt_series_fail(struct mmt_series *sr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mmt_series_warn(struct mmt_series *sr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A cached statement (see mmt_store_stmt; rebind keeps old bindings for a
 * statement whose every parameter is bound before each run), and running
 * it: both fail with SQLite's message at the current line.
 */
sqlite3_stmt *mmt_series_stmt(struct mmt_series *sr, const char *sql, bool rebind);
int mmt_series_run(struct mmt_series *sr, sqlite3_stmt *s);
/* state_keys.id of name, found or created (for parsers outside a series). */
int64_t mmt_state_key(struct mmt_store *st, const char *name, size_t n, bool counter,
		      struct mmt_err *err);
/* state_keys.id of name (created, counter or gauge, on first use). */
int64_t mmt_series_key(struct mmt_series *sr, const char *name, size_t n, bool counter);
/* A row of state_values for the current sample. */
int mmt_series_value(struct mmt_series *sr, const char *name, size_t n, bool counter,
		     int64_t value);
/* A row of zone_values; zone NULL for a node's own values. */
int mmt_series_zone_value(struct mmt_series *sr, int node, const char *zone,
			  const char *name, size_t n, bool counter, int64_t value);
/* The field as an unsigned 64-bit number, or a failure naming it. */
int mmt_series_u64(struct mmt_series *sr, const struct mmt_field *f, const char *what,
		   uint64_t *out);
int mmt_series_i64(struct mmt_series *sr, const struct mmt_field *f, const char *what,
		   int64_t *out);
/*
 * Whether a vmstat item (also printed by zoneinfo) counts events since
 * boot (rates apply) rather than being a gauge. Both parsers class names
 * alike, since they share state_keys.
 */
bool mmt_vmstat_is_counter(const char *s, size_t n);
/* Page size of the machine, when the input or its tree says; else 4096. */
int64_t mmt_series_page_size(struct mmt_series *sr);

#endif
