/*
 * mmtriage: explains why a Linux machine hung under memory pressure.
 * Dispatches "mmtriage COMMAND [options] [args]" to the command table.
 */
#include "cmd/cmd.h"
#include "mmt_version.h"

#include <stdio.h>
#include <string.h>

static void overview(FILE *out)
{
	fputs("usage: mmtriage [--version] [--help] COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "Explains why a Linux machine hung under memory pressure, from what is\n"
	      "left of it: kernel logs, crash-dump logs and traces.\n"
	      "\n"
	      "Commands:\n", out);
	for (const struct mmt_cmd *c = mmt_cmds; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
	fputs("\n"
	      "Start with:  mmtriage report /var/log/kern.log\n"
	      "See 'mmtriage help COMMAND' for a command's options and examples.\n", out);
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		overview(stdout);
		return MMT_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return mmt_print_usage("help");
	if (!mmt_cmd_find(argv[1]))
		return mmt_usage_error("help", "no such command: '%s'", argv[1]);
	return mmt_print_usage(argv[1]);
}

int main(int argc, char **argv)
{
	const struct mmt_cmd *c;

	if (argc < 2) {
		overview(stderr);
		return MMT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("mmtriage %s\n", MMT_VERSION);
		return MMT_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		overview(stdout);
		return MMT_EXIT_OK;
	}
	c = mmt_cmd_find(argv[1]);
	if (!c) {
		fprintf(stderr, "mmtriage: '");
		mmt_fputs_safe(argv[1], stderr);
		fprintf(stderr, "' is not a command. See 'mmtriage --help'.\n");
		return MMT_EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
