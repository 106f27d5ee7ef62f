-- 005-analysis: what the analyzers of snapshots and traces add to findings
-- and the diagnosis.
--
-- Findings of log reports rest on log lines; findings of snapshots and
-- traces rest on samples (a counter at a time) and events. Every finding
-- says how sure the analyzer is, every evidence row when it happened, and
-- every run of `mmtriage analyze` which thresholds it used, so that a
-- report can say "Writeback flat for more than 30 s (analyze --set
-- writeback.stall_secs=30)". docs/findings.md describes each finding kind.

-- 0 to 1: how sure the analyzer is that the finding is what its title says
-- (not how bad it is: that is the severity). NULL for kinds that are facts
-- read from one report (an oops is an oops).
ALTER TABLE findings ADD COLUMN confidence REAL;

-- Evidence: 'log' (a log line: source_id, line), 'event' (a trace event:
-- event_id), 'sample' (a snapshot value: source_id, and the text names the
-- counter and its value), 'summary' (a figure computed over many rows, such
-- as a latency percentile; source_id when one source gave it).
ALTER TABLE finding_evidence ADD COLUMN kind TEXT;
-- Seconds on the common timeline (docs/capture.md), NULL when unknown.
ALTER TABLE finding_evidence ADD COLUMN ts REAL;

-- The thresholds of the last `mmtriage analyze`: every named threshold of
-- every analyzer, its value and whether `--set` changed it.
CREATE TABLE analysis_thresholds (
	name TEXT PRIMARY KEY,		-- 'writeback.stall_secs', ...
	analyzer TEXT NOT NULL,		-- the analyzer that reads it
	value REAL NOT NULL,		-- in force for the run
	default_value REAL NOT NULL,
	unit TEXT NOT NULL,		-- 's', 'kB', '%', 'ratio', 'count', '/s', ...
	overridden INTEGER NOT NULL,	-- 1 when given with --set
	meaning TEXT NOT NULL		-- one line
);

-- How sure the verdict is (0 to 1), NULL when there is no hang class.
ALTER TABLE diagnosis ADD COLUMN confidence REAL;

-- Other hang classes the findings also point to, weaker than the verdict's.
CREATE TABLE diagnosis_alternatives (
	rank INTEGER NOT NULL,
	hang_class TEXT NOT NULL,
	confidence REAL NOT NULL,
	reason TEXT NOT NULL		-- one sentence: what points to it
);

-- What data is missing that would confirm or refute the verdict, with the
-- way to get it.
CREATE TABLE diagnosis_missing (
	rank INTEGER NOT NULL,
	what TEXT NOT NULL,		-- 'trace', 'snapshots', 'slab_aliases', ...
	advice TEXT NOT NULL		-- e.g. "record vmscan events with `mmtriage record`"
);
