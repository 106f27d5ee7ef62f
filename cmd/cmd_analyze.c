/* `mmtriage analyze`: run the analyzers and write findings and the diagnosis. */
#include "cmd/cmd.h"
#include "analyzers/analyzer.h"

#include <getopt.h>

int cmd_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ "set", required_argument, NULL, 's' },
		{ "thresholds", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = mmt_default_db();
	struct mmt_err err = { 0 };
	struct mmt_store *st;
	int c, rc = MMT_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 's':
			if (mmt_threshold_override(optarg, &err) < 0)
				return mmt_usage_error("analyze", "%s", err.msg);
			break;
		case 'T': mmt_thresholds_print(stdout); return MMT_EXIT_OK;
		case 'h': return mmt_print_usage("analyze");
		default: return mmt_usage_error("analyze", "unknown option");
		}
	}
	if (optind < argc)
		return mmt_usage_error("analyze", "unexpected argument '%s'", argv[optind]);
	st = mmt_open_store(db, 0);
	if (!st)
		return MMT_EXIT_FAIL;
	if (mmt_analyze(st, &err) < 0) {
		mmt_print_err(&err);
		rc = MMT_EXIT_FAIL;
	} else {
		printf("%lld findings; diagnosis: %s\n",
		       (long long)mmt_store_query_int(st, "SELECT count(*) FROM findings"),
		       mmt_store_query_int(st, "SELECT count(*) FROM diagnosis "
					   "WHERE hang_class IS NOT NULL") > 0 ?
		       "see 'mmtriage report'" : "no hang identified");
	}
	mmt_store_close(st);
	return rc;
}
