/*
 * The schema files (schema/NNN-name.sql), embedded at build time. File i
 * migrates the database from user_version i to i + 1.
 */
#ifndef MMT_SCHEMA_H
#define MMT_SCHEMA_H

struct mmt_schema_file {
	const char *name;	/* "001-core.sql" */
	const char *sql;
};

extern const struct mmt_schema_file mmt_schema_files[];
extern const int mmt_schema_file_count;

#endif
