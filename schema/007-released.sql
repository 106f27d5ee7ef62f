-- 007-released: tasks reported blocked that a later crash dump shows free.
--
-- A crash session holds the machine's log, with its hung-task reports, and
-- the task table at the moment of the dump (crash_tasks: `ps`, or
-- init_task's `list` where crash's ps falls short). A task the log
-- reported blocked that the table shows in another state than UN, or not
-- at all, was no longer blocked when the dump was taken: what it showed
-- had passed (an OOM kill freed it, or its I/O completed). Its absence
-- counts only when the table is whole: the walks of the leaders' threads
-- found none that init_task's list lacks (crash.threads_unlisted = 0), or
-- ps listed at least as many tasks as the list.
CREATE VIEW whole_task_tables AS
	SELECT l.source_id FROM snapshots l WHERE l.kind = 'crash_list' AND (
		EXISTS (SELECT 1 FROM state_values v JOIN state_keys k ON k.id = v.key_id
			WHERE v.snapshot_id = l.id AND k.name = 'crash.threads_unlisted'
			AND v.value = 0) OR
		(SELECT count(*) FROM crash_tasks c JOIN snapshots p ON p.id = c.snapshot_id
		 WHERE p.source_id = l.source_id AND p.kind = 'crash_ps') >=
		(SELECT count(*) FROM crash_tasks c WHERE c.snapshot_id = l.id));

-- Tasks of hung-task reports that the same session's dump shows free.
CREATE VIEW released_tasks AS
	SELECT t.* FROM blocked_tasks t
	WHERE t.report_kind = 'hung_task' AND t.pid IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM crash_tasks c WHERE c.source_id = t.source_id
			AND c.pid = t.pid AND c.state = 'UN')
	AND (EXISTS (SELECT 1 FROM crash_tasks c WHERE c.source_id = t.source_id
		     AND c.pid = t.pid) OR
	     t.source_id IN (SELECT source_id FROM whole_task_tables));

-- The blocked tasks the input does not show freed: those a verdict rests on.
CREATE VIEW stuck_tasks AS
	SELECT t.* FROM blocked_tasks t
	WHERE NOT EXISTS (SELECT 1 FROM released_tasks r WHERE r.id = t.id);
