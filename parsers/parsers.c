/*
 * The table of parsers and format sniffing: every parser rates the head of
 * a file and the most confident one above a threshold takes it.
 */
#include "parsers/parser.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern const struct mmt_parser mmt_parser_kernel_log;
extern const struct mmt_parser mmt_parser_meminfo;
extern const struct mmt_parser mmt_parser_vmstat;
extern const struct mmt_parser mmt_parser_psi;
extern const struct mmt_parser mmt_parser_crash;
extern const struct mmt_parser mmt_parser_slabinfo;
extern const struct mmt_parser mmt_parser_slabtop;
extern const struct mmt_parser mmt_parser_slab_aliases;
extern const struct mmt_parser mmt_parser_interrupts;
extern const struct mmt_parser mmt_parser_free;
extern const struct mmt_parser mmt_parser_zoneinfo;
extern const struct mmt_parser mmt_parser_buddyinfo;
extern const struct mmt_parser mmt_parser_pagetypeinfo;
extern const struct mmt_parser mmt_parser_swaps;
extern const struct mmt_parser mmt_parser_trace_dat;
extern const struct mmt_parser mmt_parser_trace_text;
extern const struct mmt_parser mmt_parser_perf_script;

const struct mmt_parser *const mmt_parsers[] = {
	&mmt_parser_kernel_log,
	&mmt_parser_meminfo,
	&mmt_parser_vmstat,
	&mmt_parser_psi,
	&mmt_parser_crash,
	&mmt_parser_slabinfo,
	&mmt_parser_slabtop,
	&mmt_parser_slab_aliases,
	&mmt_parser_interrupts,
	&mmt_parser_free,
	&mmt_parser_zoneinfo,
	&mmt_parser_buddyinfo,
	&mmt_parser_pagetypeinfo,
	&mmt_parser_swaps,
	&mmt_parser_trace_dat,
	&mmt_parser_trace_text,
	&mmt_parser_perf_script,
	NULL,
};

/* Below this a file is "not recognised" rather than guessed at. */
#define SNIFF_THRESHOLD 40

static volatile sig_atomic_t interrupt_requested;

const struct mmt_parser *mmt_parser_find(const char *name)
{
	for (size_t i = 0; mmt_parsers[i]; i++)
		if (!strcmp(mmt_parsers[i]->name, name))
			return mmt_parsers[i];
	return NULL;
}

const struct mmt_parser *mmt_parser_sniff(const char *head, size_t len)
{
	const struct mmt_parser *best = NULL;
	int best_score = SNIFF_THRESHOLD - 1;

	for (size_t i = 0; mmt_parsers[i]; i++) {
		int score = mmt_parsers[i]->probe(head, len);

		if (score > best_score) {
			best = mmt_parsers[i];
			best_score = score;
		}
	}
	return best;
}

void mmt_input_vwarn(struct mmt_input *in, long line, const char *fmt, va_list ap)
{
	char msg[512];

	if (!in->warn)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	in->warn(in->hook_ctx, in->path, line, msg);
}

void mmt_input_warn(struct mmt_input *in, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmt_input_vwarn(in, line, fmt, ap);
	va_end(ap);
}

void mmt_input_progress(struct mmt_input *in, uint64_t done)
{
	if (in->progress)
		in->progress(in->hook_ctx, in->path, done, in->size);
}

bool mmt_interrupted(void)
{
	return interrupt_requested != 0;
}

void mmt_request_interrupt(void)
{
	interrupt_requested = 1;
}
