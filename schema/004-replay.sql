-- 004-replay: the traced machine's state over time, for `mmtriage replay
-- --at T`, and the names tasks had over a trace.
--
-- `replay --at T` says what each task was doing at T (running on which
-- CPU, runnable, sleeping, in D), who was in reclaim or compaction,
-- whether kswapd was awake, which block requests were in flight. Replaying
-- a whole trace for every question takes seconds on a large one, so the
-- stateful events of a trace (sched_switch, wakeups, exits, reclaim and
-- compaction begin/end, kswapd and kcompactd wake/sleep, block request
-- issue/complete, writeback start/written) are streamed once, in id order,
-- and the whole state is stored every so many events: a checkpoint. A
-- question is then answered from the checkpoint at or before T and the
-- events after it (cmd/replay_build.c). They are built by the first
-- `replay --at` on a trace and rebuilt when replay_builds.version is older
-- than the running mmtriage's state machine.
--
-- Times ending in _ns are nanoseconds on the trace's own clock, like
-- ev_*.common_ts_ns; add sources.t_offset (seconds) to reach the common
-- timeline. since_ns NULL means "before the trace": the state held from
-- before the first event, no transition into it was seen.

-- The names each task (thread) had over a trace: one row per run of
-- events that showed the pid with the same name, from every event's
-- common_comm and from the names events carry in their fields
-- (sched_switch prev_comm/next_comm, sched_wakeup comm,
-- sched_process_fork child_comm/parent_comm, task_rename
-- oldcomm/newcomm). The idle tasks (pid 0, 'swapper/N') are left out, and
-- so is '<...>', what text traces print for a name they did not know.
CREATE TABLE trace_tasks (
	source INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	pid INTEGER NOT NULL,		-- the task's pid (a thread id for threads)
	comm TEXT NOT NULL,		-- the name
	first_ns INTEGER NOT NULL,	-- first and last event that showed the pid with it
	last_ns INTEGER NOT NULL,
	PRIMARY KEY (source, pid, first_ns, comm)
) WITHOUT ROWID;

-- One row per trace whose checkpoints are built.
CREATE TABLE replay_builds (
	source INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
	version INTEGER NOT NULL,	-- of the state machine that built them; a newer one rebuilds
	events INTEGER NOT NULL,	-- stateful events streamed
	checkpoints INTEGER NOT NULL,	-- rows of replay_checkpoints
	every INTEGER NOT NULL,		-- a checkpoint every this many stateful events
	built_at TEXT NOT NULL		-- UTC, ISO 8601
);

-- The state after every event of the source up to event_id.
CREATE TABLE replay_checkpoints (
	id INTEGER PRIMARY KEY,
	source INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	event_id INTEGER NOT NULL,	-- the last event applied (first_id - 1 for the state before any)
	ts_ns INTEGER NOT NULL,		-- its time (the trace's first time for the first checkpoint)
	UNIQUE (source, event_id)
);
CREATE INDEX replay_checkpoints_time ON replay_checkpoints(source, ts_ns);

-- Tasks at a checkpoint (exited tasks are left out).
CREATE TABLE replay_cp_tasks (
	checkpoint INTEGER NOT NULL REFERENCES replay_checkpoints(id) ON DELETE CASCADE,
	pid INTEGER NOT NULL,
	state TEXT NOT NULL,		-- 'running', 'runnable', 'S' (sleeping), 'D' (uninterruptible),
					-- or another state as the trace printed it ('T', 't', 'Z', 'X',
					-- 'I', 'P'; 'W' and 'X' are how trace-cmd's sched plugin prints
					-- I and Z of kernels from 4.14)
	cpu INTEGER,			-- the CPU it runs on or last ran on, NULL if none was seen
	since_ns INTEGER,		-- when it entered the state; NULL: before the trace
	PRIMARY KEY (checkpoint, pid)
) WITHOUT ROWID;

-- What each CPU ran at a checkpoint (CPUs that switched at least once).
CREATE TABLE replay_cp_cpus (
	checkpoint INTEGER NOT NULL REFERENCES replay_checkpoints(id) ON DELETE CASCADE,
	cpu INTEGER NOT NULL,
	pid INTEGER,			-- the task on it, 0 for idle, NULL when not known
	since_ns INTEGER,		-- since when; NULL: before the trace
	PRIMARY KEY (checkpoint, cpu)
) WITHOUT ROWID;

-- Tasks inside reclaim or compaction at a checkpoint.
CREATE TABLE replay_cp_reclaim (
	checkpoint INTEGER NOT NULL REFERENCES replay_checkpoints(id) ON DELETE CASCADE,
	pid INTEGER NOT NULL,
	kind TEXT NOT NULL,		-- 'direct' (mm_vmscan_direct_reclaim_begin), 'memcg'
					-- (mm_vmscan_memcg_reclaim_begin), 'memcg_softlimit'
					-- (mm_vmscan_memcg_softlimit_reclaim_begin), 'compaction'
					-- (mm_compaction_begin)
	since_ns INTEGER NOT NULL,	-- the begin event's time
	"order" INTEGER,		-- the begin event's order, NULL when it has none
	gfp,				-- its gfp_flags: INTEGER mask (decode with gfp_flags(gfp, kernel))
					-- or TEXT names as a text trace printed them; NULL when none
	PRIMARY KEY (checkpoint, pid, kind)
) WITHOUT ROWID;

-- kswapd and kcompactd per NUMA node at a checkpoint (nodes seen in events).
CREATE TABLE replay_cp_daemons (
	checkpoint INTEGER NOT NULL REFERENCES replay_checkpoints(id) ON DELETE CASCADE,
	daemon TEXT NOT NULL,		-- 'kswapd' (mm_vmscan_kswapd_wake/_sleep) or 'kcompactd'
					-- (mm_compaction_kcompactd_wake/_sleep)
	nid INTEGER NOT NULL,		-- the node
	awake INTEGER NOT NULL,		-- 1 after a wake, 0 after a sleep
	since_ns INTEGER NOT NULL,	-- the time of that event
	"order" INTEGER,		-- the wake's order, NULL when asleep
	PRIMARY KEY (checkpoint, daemon, nid)
) WITHOUT ROWID;

-- Block requests issued to the device and not completed at a checkpoint
-- (block_rq_issue not yet followed by block_rq_complete or block_rq_requeue
-- of the same device and sector).
CREATE TABLE replay_cp_io (
	checkpoint INTEGER NOT NULL REFERENCES replay_checkpoints(id) ON DELETE CASCADE,
	dev TEXT NOT NULL,		-- 'MAJOR,MINOR' as block events print it
	sector INTEGER NOT NULL,
	nr_sector INTEGER,
	rwbs TEXT,			-- 'W', 'RA', 'WS', ... as printed
	issue_ns INTEGER NOT NULL,	-- when it was issued
	PRIMARY KEY (checkpoint, dev, sector)
) WITHOUT ROWID;

-- Writeback work in progress per backing device at a checkpoint
-- (writeback_start not yet followed by writeback_written).
CREATE TABLE replay_cp_writeback (
	checkpoint INTEGER NOT NULL REFERENCES replay_checkpoints(id) ON DELETE CASCADE,
	bdi TEXT NOT NULL,		-- the bdi's name, 'MAJOR:MINOR'
	depth INTEGER NOT NULL,		-- writeback_start events not yet matched
	since_ns INTEGER NOT NULL,	-- the start that opened the oldest of them
	PRIMARY KEY (checkpoint, bdi)
) WITHOUT ROWID;

-- What each task was doing before its first event of the trace, as that
-- event shows it: 'running' (it switched out first, or exited), 'runnable'
-- (it switched in first, in a trace that records wakeups), 'asleep' (it
-- was woken first: sleeping, S or D). replay --at T adds these tasks, with
-- since "before the trace", when T precedes first_ns.
CREATE TABLE replay_first_tasks (
	source INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	pid INTEGER NOT NULL,
	first_ns INTEGER NOT NULL,	-- the time of its first event
	state TEXT NOT NULL,		-- 'running', 'runnable', 'asleep'
	cpu INTEGER,			-- for 'running': the CPU it ran on
	PRIMARY KEY (source, pid)
) WITHOUT ROWID;

-- What each CPU ran before its first sched_switch: that switch's prev task,
-- from the CPU's first event on (a trace's per-CPU buffers need not start
-- together: before its first event nothing is known of a CPU).
CREATE TABLE replay_first_cpus (
	source INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	cpu INTEGER NOT NULL,
	pid INTEGER NOT NULL,		-- 0 for idle
	first_ns INTEGER NOT NULL,	-- the time of that first switch
	seen_ns INTEGER NOT NULL,	-- the time of the CPU's first stateful event
	PRIMARY KEY (source, cpu)
) WITHOUT ROWID;
