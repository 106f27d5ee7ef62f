/*
 * The TUI browser (`mmtriage tui`): views of one database (findings,
 * tasks, events, log, counters, slabs) switched with Tab or the number
 * keys, over one global time cursor that every time-based view follows.
 *
 * The frame (tui.c) owns the screen: a title line, the view's rows, a
 * help bar and a status/prompt line. A view draws its rows, takes the keys
 * it knows, and is told when the cursor moves; it reads the store itself,
 * a page at a time, since a database may hold millions of events.
 *
 * Untrusted text (task names, log lines) is drawn only through tui_put(),
 * which escapes control characters and invalid UTF-8, so nothing from the
 * input ever reaches the terminal as a control sequence.
 */
#ifndef MMT_TUI_H
#define MMT_TUI_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "cmd/render/render.h"
#include "core/store.h"

enum tui_view_id {
	TUI_FINDINGS, TUI_TASKS, TUI_EVENTS, TUI_LOG, TUI_COUNTERS, TUI_SLABS, TUI_NVIEWS
};

/* Colours (pairs) and attributes, chosen for the terminal's abilities. */
enum tui_style {
	TS_NORMAL, TS_TITLE, TS_BAR, TS_SELECTED, TS_DIM, TS_CRITICAL, TS_WARNING, TS_INFO,
	TS_HEADER, TS_MATCH, TS_CURSOR, TS_CHART, TS_CHART2, TS_CHART3, TS_CHART4, TS_NSTYLES
};

/* Where a jump lands: a view, and what to show there. */
struct tui_target {
	enum tui_view_id view;
	int64_t event;			/* Events: an event id (events view), 0 if none */
	int64_t source, line;		/* Log: a source id and line, 0 if none */
	int64_t pid;			/* Tasks: a pid, -1 if none */
	int64_t finding;		/* Findings: a finding id, 0 if none */
	double ts;			/* the time to put the cursor at */
	bool has_ts;
};

struct tui;
struct evq;

struct tui_view_ops {
	const char *name;		/* "Findings": the title line and Tab order */
	const char *bar;		/* one-line help bar of the view's own keys */
	const char *const *help;	/* "KEY\tWHAT" lines for the ? screen, NULL-ended */
	/* The view's state, loaded on first show; NULL with the status set on failure. */
	void *(*open)(struct tui *t);
	/* Draws rows [top, top + rows) of the screen, cols wide. */
	void (*draw)(struct tui *t, void *v, int top, int rows, int cols);
	/* Takes a key; returns true when the view used it. */
	bool (*key)(struct tui *t, void *v, int ch);
	/* The time cursor moved (optional). */
	void (*cursor)(struct tui *t, void *v);
	/* Show what a jump asks for (optional). */
	void (*jump)(struct tui *t, void *v, const struct tui_target *to);
	/* Re-read the store after 'R' (optional): new rows of a concurrent ingest. */
	void (*reload)(struct tui *t, void *v);
	void (*close)(void *v);
};

struct tui {
	struct mmt_store *st;
	struct rm_model m;		/* diagnosis, findings, sources */
	enum tui_view_id view;
	void *state[TUI_NVIEWS];
	/* The time cursor, on the common timeline; t0/t1 the span of the data. */
	double cursor, t0, t1;
	bool has_cursor, has_span, wall;
	bool playing;
	double speed;			/* seconds of data per second of play */
	bool utf8;			/* the locale's characters: blocks, braille, arrows */
	int colours;			/* 0 (monochrome), 8 or 256 */
	int rows, cols;
	char status[512];
	bool quit;
	struct evq *events;		/* for stepping the cursor by event, opened on first use */
};

extern const struct tui_view_ops *const tui_views[TUI_NVIEWS];

/*
 * Untrusted text at (y, x), escaped, cut to width columns (padded when pad);
 * returns the columns written.
 */
int tui_put(struct tui *t, int y, int x, int width, const char *text, enum tui_style s,
	    bool pad);
/* Our own text (labels, figures), cut to width; returns the columns written. */
int tui_text(struct tui *t, int y, int x, int width, const char *text, enum tui_style s);
/* A horizontal rule across cols columns of line y. */
void tui_hline(struct tui *t, int y, int cols);
void tui_status(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a line on the status line after label; false when cancelled with Esc. */
bool tui_prompt(struct tui *t, const char *label, char *buf, size_t n);
/* The same, calling changed after each edit (incremental search redraws its view there). */
bool tui_prompt_live(struct tui *t, const char *label, char *buf, size_t n,
		     void (*changed)(struct tui *t, void *ctx, const char *buf), void *ctx);
/* Switches to a view and shows what the target asks for. */
void tui_goto(struct tui *t, const struct tui_target *to);
/* Moves the time cursor (clamped to the data's span) and tells every open view. */
void tui_set_cursor(struct tui *t, double ts);
/* "12:04:39.250" or "9834.700" for a time on the common timeline. */
void tui_time(const struct tui *t, double ts, char *out, size_t n);
/* The style of a finding's severity: critical, warning, or else info. */
enum tui_style tui_severity_style(const char *severity);
/* The attribute of a style on this terminal. */
int tui_attr(const struct tui *t, enum tui_style s);

/*
 * A screen line written piece by piece, each piece in its own style: x
 * advances by what each piece used, nothing goes past end; on a selected
 * line every piece takes the selection's style.
 */
struct tui_line {
	struct tui *t;
	int y, x, end;
	bool selected;
};
/* Starts line y at column x, up to column end, cleared (filled when selected). */
void tui_line_start(struct tui_line *l, struct tui *t, int y, int x, int end, bool selected);
/* Untrusted text (escaped) or our own text as the next piece. */
void tui_line_put(struct tui_line *l, const char *text, enum tui_style s);
void tui_line_text(struct tui_line *l, const char *text, enum tui_style s);
void tui_line_textf(struct tui_line *l, enum tui_style s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keys every list view shares: arrows/jk, PgUp/PgDn, Home/End, g/G. */
bool tui_list_key(int ch, int64_t *sel, int64_t n, int page);
/* Keeps sel visible in a window of rows lines starting at *first. */
void tui_list_scroll(int64_t sel, int64_t *first, int rows);

/* Sets up the terminal, browses until q, and restores it. */
int tui_run(struct tui *t, struct mmt_err *err);
/* Colour pairs for the styles, when the terminal has colours. */
void tui_init_styles(struct tui *t);

#endif
