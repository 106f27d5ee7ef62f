-- 003-trace: trace events from trace.dat, tracefs text, trace-cmd report and
-- perf script.
--
-- Every event type has its own table of typed columns, ev_<system>_<name>,
-- made the first time the type is met: the common columns below, then one
-- column per field of the event's format (a field a later kernel adds
-- becomes a new column; rows of traces without it read NULL there). Each
-- type also gets a view named after the event (sched_switch,
-- mm_vmscan_direct_reclaim_begin, ...; system_name when the name is taken by
-- another system's event or by any table or view, e.g. test_meminfo) with
-- the columns id, ts, ts_ns, common_cpu, common_pid, common_comm,
-- common_flags, common_preempt_count, common_instance, source, then the
-- fields. The view `events` is all events of all types, one row each.
--
-- Common columns of every ev_* table:
--   id                    event id: unique across types and sources, growing with
--                         time within a source
--   common_source         sources.id
--   common_ts_ns          nanoseconds on the trace's clock (trace_sources.clock)
--   common_cpu, common_pid
--   common_comm_id        trace_comms.id: the task's name as the trace shows it
--   common_flags          irq-info flags, the kernel's trace_flag_type bits (0x01
--                         irqs off, 0x04 need-resched, 0x08 hardirq, 0x10 softirq,
--                         0x20 preempt-resched, 0x40 NMI, 0x80 bh off); NULL when
--                         the trace does not show them
--   common_preempt_count  preemption depth as the trace records it (since Linux 5.13
--                         the low 4 bits; the high 4 are the migrate-disable depth,
--                         the last column of trace-cmd report's 'd..2.'); NULL
--                         when not shown
--   common_instance_id    trace_instances.id: the ftrace buffer instance
--                         (`trace-cmd record -B NAME`, tracefs instances/NAME) the
--                         event was recorded in; NULL for the top-level buffer
-- Field columns are INTEGER for numbers (unsigned 64-bit values over 2^63,
-- kernel addresses, read as negative: printf('%x', col) shows them), TEXT
-- for strings, and TEXT of comma-separated numbers for other arrays. A
-- field is its column's name unless that name is a common column's or a
-- view column's (id, ts, ts_ns, source, common_*), starts with a digit, or is
-- taken by another field of the same type once made a column name (letters,
-- digits and '_', compared without case): then it is prefixed 'f_' and,
-- if still taken, suffixed '_2', '_3', ... (trace_fields.name says which).
-- Parsers may add fields of their own after the event's, named
-- <field>_sym (trace_fields.ctype NULL): the kernel symbol an address
-- field points to, resolved from the trace's own symbol table, as the
-- kernel prints it ('func+0x1f' for %pS, 'func' for %ps), NULL when the
-- address is in no symbol; the trace.dat parser adds them for addresses
-- printed with %pS/%ps/%pF/%pf/%pB and for fields named call_site,
-- callsite, ip or caller.
--
-- Time: ts of the views is common_ts_ns / 1e9 plus sources.t_offset. The
-- trace clocks 'local', 'global', 'mono' and 'boot' (and perf's) count from
-- boot like the printk clock, so within a tree that knows its boot time
-- (docs/capture.md) a trace gets the same t_offset as the kernel log and
-- lands on the wall clock; otherwise t_offset is NULL and ts stays on the
-- trace's clock. Text traces do not name their clock: their times are
-- taken as counted from boot when under 10^8 s (sources.clock 'monotonic',
-- trace_sources.clock NULL).

-- Event types met in traces.
CREATE TABLE trace_types (
	id INTEGER PRIMARY KEY,
	system TEXT NOT NULL,		-- 'sched', 'vmscan', 'ipi', ...
	name TEXT NOT NULL,		-- 'sched_switch', ...
	tbl TEXT NOT NULL UNIQUE,	-- table of its events: 'ev_sched_sched_switch'
	view TEXT NOT NULL UNIQUE,	-- view of its events: 'sched_switch'
	UNIQUE (system, name)
);

-- The fields of each type, as columns of its table.
CREATE TABLE trace_fields (
	type_id INTEGER NOT NULL REFERENCES trace_types(id),
	idx INTEGER NOT NULL,		-- order of the column in the table
	name TEXT NOT NULL,		-- column name (the field's name)
	sqltype TEXT NOT NULL,		-- 'INTEGER' or 'TEXT'
	ctype TEXT,			-- as the format declares it: 'unsigned long', 'char[16]',
					-- '__data_loc char[]'; NULL for text traces
	PRIMARY KEY (type_id, name)
) WITHOUT ROWID;

-- Task names, stored once.
CREATE TABLE trace_comms (
	id INTEGER PRIMARY KEY,
	comm TEXT NOT NULL UNIQUE
);

-- The buffer instances of each trace (trace-cmd record -B NAME), by name.
-- Events of the top-level buffer have no instance.
CREATE TABLE trace_instances (
	id INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	name TEXT NOT NULL,		-- the instance's name, as in tracefs instances/NAME
	UNIQUE (source_id, name)
);

-- What each trace source held.
CREATE TABLE trace_sources (
	source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
	clock TEXT,			-- trace clock: 'local', 'global', 'mono', 'boot', 'x86-tsc', ...,
					-- 'perf' for perf script; NULL when the trace does not say
	cpus INTEGER,			-- CPUs the trace covers
	events INTEGER NOT NULL,	-- events stored
	first_id INTEGER,		-- range of the source's event ids
	last_id INTEGER,
	first_ns INTEGER,		-- first and last event time on the trace's clock
	last_ns INTEGER,
	lost INTEGER,			-- events the kernel reported lost (the counts it gave), NULL when
					-- the trace says nothing of lost events
	lost_gaps INTEGER,		-- places where the trace says events were lost, with or without
					-- a count ('[EVENTS DROPPED]' of trace-cmd report)
	skipped INTEGER NOT NULL DEFAULT 0,	-- records or lines that could not be read
	first_skipped TEXT		-- the first of them: where ('line 12', 'offset 0x1f000') and why
);

-- Stacks attached to events (ftrace's <stack trace>, kernel_stack records,
-- perf call chains), in the stack model of kernel logs.
CREATE TABLE event_stacks (
	event_id INTEGER PRIMARY KEY,	-- the event's id
	stack_id INTEGER NOT NULL REFERENCES stacks(id)
);

-- All events until a type exists; `mmtriage ingest` rewrites this view as
-- the union of every ev_* table whenever a type is added.
CREATE VIEW trace_events_all AS
	SELECT NULL AS id, NULL AS source, NULL AS ts_ns, NULL AS cpu, NULL AS pid,
	       NULL AS comm_id, NULL AS type_id, NULL AS instance_id
	WHERE 0;

-- events(id, ts, cpu, pid, comm, system, name, source, ts_ns, stack_id,
-- instance): the stable surface, one row per event of every trace. ts in
-- seconds on the common timeline (see the top of this file); instance is
-- NULL for the top-level buffer.
CREATE VIEW events AS
	SELECT e.id, e.ts_ns / 1e9 + ifnull(src.t_offset, 0) AS ts, e.cpu, e.pid, c.comm,
	       t.system, t.name, e.source, e.ts_ns, st.stack_id, i.name AS instance
	FROM trace_events_all e
	JOIN trace_types t ON t.id = e.type_id
	JOIN sources src ON src.id = e.source
	LEFT JOIN trace_comms c ON c.id = e.comm_id
	LEFT JOIN event_stacks st ON st.event_id = e.id
	LEFT JOIN trace_instances i ON i.id = e.instance_id;
