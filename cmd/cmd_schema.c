/* `mmtriage schema`: print the schema files compiled into the binary. */
#include "cmd/cmd.h"
#include "core/schema.h"

#include <string.h>

int cmd_schema(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return mmt_print_usage("schema");
	if (argc > 1)
		return mmt_usage_error("schema", "unexpected argument '%s'", argv[1]);
	for (int i = 0; i < mmt_schema_file_count; i++) {
		printf("-- schema/%s (user_version %d)\n\n", mmt_schema_files[i].name, i + 1);
		fputs(mmt_schema_files[i].sql, stdout);
		if (i + 1 < mmt_schema_file_count)
			fputc('\n', stdout);
	}
	return MMT_EXIT_OK;
}
