#!/usr/bin/env bash
# The command line: help for every command, version, and usage errors (exit 2).
. "$(dirname "$0")/lib.sh"

expect_ok --version
out_has '^mmtriage [0-9]+\.[0-9]+\.[0-9]+$'
expect_ok help
for cmd in ingest analyze report sql schema gfp help tui record; do
	out_has "^  $cmd "
done
for cmd in ingest analyze report sql schema gfp help tui record; do
	expect_ok help "$cmd"
	out_has "^usage: mmtriage $cmd"
	out_has '^Example'
	expect_ok "$cmd" --help
	out_has "^usage: mmtriage $cmd"
done
expect_ok help ingest
out_has 'kernel_log'			# kinds come from the parser table
expect_ok help analyze
out_has '^  waits '			# analyzers from their table

run 2
err_has '^usage: mmtriage'
run 2 frobnicate
err_has "'frobnicate' is not a command"
run 2 help frobnicate
run 2 ingest
err_has 'no file to ingest'
run 2 ingest --bogus x
run 2 report -f pdf "$SAMPLE"
err_has "no format 'pdf'"
run 2 gfp
run 2 gfp nothex
run 2 sql
run 2 ingest --as nosuchkind "$SAMPLE"
err_has "no parser for kind 'nosuchkind'"
echo ok
