/*
 * Commands: git-style subcommands, each in cmd_<name>.c, listed in the
 * table of main.c. Only code under cmd/ prints or exits.
 */
#ifndef MMT_CMD_H
#define MMT_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/store.h"

#define MMT_EXIT_OK 0
#define MMT_EXIT_FAIL 1		/* input or runtime error */
#define MMT_EXIT_USAGE 2
#define MMT_EXIT_INTERRUPTED 130

struct mmt_cmd {
	const char *name;
	const char *summary;	/* one line for `mmtriage help` */
	const char *usage;	/* synopsis, options and examples */
	int (*fn)(int argc, char **argv);
};

extern const struct mmt_cmd mmt_cmds[];
const struct mmt_cmd *mmt_cmd_find(const char *name);

/* "mmtriage: PATH:LINE: message" on stderr, untrusted parts escaped. */
void mmt_print_err(const struct mmt_err *err);
/* "mmtriage NAME: message" and the usage on stderr; returns MMT_EXIT_USAGE. */
int mmt_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the usage of cmd on stdout; returns MMT_EXIT_OK. */
int mmt_print_usage(const char *cmd);
/* Default database path: $MMTRIAGE_DB or ./mmtriage.db. */
const char *mmt_default_db(void);
/* Opens the store or prints why not. */
struct mmt_store *mmt_open_store(const char *path, unsigned flags);
/* Catches SIGINT/SIGTERM so that ingests roll back instead of dying. */
void mmt_catch_interrupts(void);
/* Progress on stderr while a file is ingested, only when stderr is a terminal. */
void mmt_progress(void *ctx, const char *path, uint64_t done, uint64_t total);
void mmt_progress_done(void);
/* Warnings of parsers: "mmtriage: warning: PATH:LINE: message". */
void mmt_warn_hook(void *ctx, const char *path, long line, const char *msg);
/* Writes text escaped for a terminal. */
void mmt_fputs_safe(const char *s, FILE *out);

int cmd_ingest(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_gfp(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_record(int argc, char **argv);

/* Shared by ingest and report: ingest paths, print what each file was. */
struct mmt_ingest_opts;
int mmt_run_ingest(struct mmt_store *st, char **paths, int n,
		   const struct mmt_ingest_opts *o, bool quiet);

#endif
