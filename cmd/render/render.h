/*
 * Report renderers (text, Markdown, email, JSON) and the model they share:
 * the diagnosis, findings with their subjects and evidence, sources, and
 * reports, read from the store. Reports are streamed one at a time, since a
 * large log holds many; findings and sources are few and loaded whole.
 */
#ifndef MMT_RENDER_H
#define MMT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/store.h"
#include "core/strbuf.h"

struct rm_source {
	int64_t id, records, size;
	char *path, *kind, *format, *sha256, *kernel, *clock;
	char *reader;			/* the program that read a dump into it, "" none */
	char *note;			/* what was lost or stands in (stack scans), "" none */
};

struct rm_evidence {
	const struct rm_source *source;
	int64_t line;			/* 0 for trace events */
	int64_t event;			/* 0 for log lines */
	char *text;
	char *kind;			/* 'log', 'event', 'sample', 'summary' */
	double ts;			/* common timeline */
	bool has_ts;
	int64_t cpu;			/* of a trace event */
	bool has_cpu;
};

struct rm_subject {
	char *type;			/* 'task', 'device', 'cache', 'cpu', 'lock' */
	int64_t pid;
	bool has_pid;
	char *name;
};

struct rm_finding {
	int64_t id, reports;
	char *analyzer, *kind, *severity, *title, *summary;
	double t_start, t_end;
	bool has_t;
	double confidence;		/* 0 to 1, negative when not stated */
	const struct rm_source *source;	/* of the first evidence, for times */
	struct rm_subject *subjects;
	size_t nsubjects;
	struct rm_evidence *evidence;
	size_t nevidence;
};

struct rm_frame {
	char *symbol, *module, *context;
	int64_t offset;
	bool has_offset, reliable;
};

/* One report, as a renderer sees it. Valid during the callback only. */
struct rm_report {
	int64_t id, pid, cpu, order, line, line_end, blocked_secs;
	bool has_pid, has_cpu, has_order, has_t, has_secs, truncated;
	double t;
	const char *kind, *title, *comm, *kernel, *culprit, *wait_class, *wait_site;
	const char *gfp_mask, *gfp_names, *state, *detail;
	const struct rm_source *source;
	struct rm_frame *frames;	/* loaded only when asked for */
	size_t nframes;
	char gfp_flags[512];		/* decoded or as printed, "" when unknown */
	const char *gfp_context;	/* NULL when unknown */
};

struct rm_alternative {
	char *hang_class, *reason;
	double confidence;
};

struct rm_missing {
	char *what, *advice;
};

struct rm_model {
	char *hang_class, *verdict;
	double confidence;		/* of the verdict; negative when none */
	struct rm_alternative *alternatives;
	size_t nalternatives;
	struct rm_missing *missing;
	size_t nmissing;
	struct rm_source *sources;
	size_t nsources;
	struct rm_finding *findings;	/* strongest first */
	size_t nfindings;
	int64_t *verdict_findings;	/* ids the verdict rests on */
	size_t nverdict;
	int64_t nreports;
};

int rm_load(struct mmt_store *st, struct rm_model *m, struct mmt_err *err);
void rm_free(struct rm_model *m);
const struct rm_source *rm_source_by_id(const struct rm_model *m, int64_t id);

typedef int (*rm_report_fn)(void *ctx, const struct rm_report *r);
/*
 * Calls fn for each report in file order (source, then line), at most limit of them (0: all),
 * with frames when with_frames. Stops when fn returns non-zero.
 */
int rm_each_report(struct mmt_store *st, const struct rm_model *m, size_t limit,
		   bool with_frames, rm_report_fn fn, void *ctx, struct mmt_err *err);

/* The same, with frames, for the reports a finding groups. */
int rm_finding_reports(struct mmt_store *st, const struct rm_model *m, int64_t finding,
		       size_t limit, rm_report_fn fn, void *ctx, struct mmt_err *err);

/*
 * The flags and context of a GFP mask as a report prints it ("0x8250"): the
 * names printed with it, else the mask decoded with the kernel release.
 * Returns the context ("atomic", "nofs", ...), or NULL with flags "" when
 * neither tells.
 */
const char *rm_gfp_decode(const char *mask, const char *names, const char *kernel,
			  char *flags, size_t n);

/* "1234.567890 s" or "2026-11-21 20:51:00" (wall clock); "" when absent. */
void rm_time(const struct rm_source *src, double t, bool has_t, char *out, size_t n);
/* The file name of a path, for compact evidence ("dmesg.txt:123"). */
const char *rm_basename(const char *path);

/* Colour of the text report: --color=auto (on a terminal, unless NO_COLOR), always, never. */
enum rm_color { RM_COLOR_AUTO, RM_COLOR_ALWAYS, RM_COLOR_NEVER };

/* How to render: the whole report, or its first lines for a ticket. */
struct rm_opts {
	bool brief;	/* the verdict and the top findings, under 15 lines */
	enum rm_color color;	/* the text format's; the others have none */
};

struct mmt_renderer {
	const char *name;
	bool can_brief;
	int (*render)(struct mmt_store *st, const struct rm_model *m, const struct rm_opts *o,
		      FILE *out, struct mmt_err *err);
};

/* The renderer for a format name, NULL if there is none. */
const struct mmt_renderer *mmt_renderer_find(const char *name);

#endif
