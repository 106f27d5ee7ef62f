-- 001-core: sources, kernel-log lines and reports, stacks, memory dumps,
-- and the findings and diagnosis the analyzers write.
--
-- Conventions: times are seconds on the clock of the source they come from
-- (sources.clock says which); sizes are as printed, with the unit in the
-- column name or a unit column; NULL means "not shown in the input".

-- One row per ingested file.
CREATE TABLE sources (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL,		-- path as given to `mmtriage ingest`
	kind TEXT NOT NULL,		-- parser that read it, e.g. 'kernel_log'
	sha256 TEXT NOT NULL UNIQUE,	-- hex SHA-256 of the content; equal content is ingested once
	size INTEGER NOT NULL,		-- bytes
	records INTEGER NOT NULL DEFAULT 0,	-- rows the parser wrote (log lines for a kernel log)
	clock TEXT,			-- 'monotonic' (seconds since boot), 'wall' (Unix seconds), NULL if no times
	kernel TEXT,			-- kernel release the source shows ("Linux version", "Not tainted ..."), or NULL
	format TEXT,			-- variant detected, e.g. 'dmesg', 'dmesg -T', 'syslog', 'journal', 'mail'
	ingested_at TEXT NOT NULL	-- UTC time of ingestion, ISO 8601
);

-- Every line of a kernel log, without its timestamp, syslog or quote prefix.
-- (source_id is not declared a foreign key: checking it on each of millions
-- of rows costs more than deleting a source's lines explicitly.)
CREATE TABLE log_lines (
	id INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL,	-- sources.id
	line INTEGER NOT NULL,		-- 1-based line number in the file (a mail-wrapped line keeps its first line)
	t REAL,				-- seconds on the source's clock, NULL when the line shows no time
	level INTEGER,			-- printk level 0-7 when printed as <N>
	caller TEXT,			-- printk caller when printed: 'T123' (task) or 'C1' (CPU)
	origin TEXT,			-- NULL for kernel messages, else the program of a syslog/journal line
	report_id INTEGER,		-- report this line belongs to, NULL if none
	text TEXT NOT NULL		-- the message
);
-- Lines of reports, by report and line: evidence and frame lookups. Lines
-- outside reports (most of a log) are left out, which keeps ingest fast.
CREATE INDEX log_lines_report ON log_lines(report_id, line) WHERE report_id IS NOT NULL;

-- A kernel report found in a log: one hung-task message, one OOM kill, one
-- oops, one SysRq dump, and so on, with the facts the report prints.
CREATE TABLE reports (
	id INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,		-- hung_task, alloc_failure, oom_kill, soft_lockup, hard_lockup, rcu_stall,
					-- lockdep, bug, oops, warning, kasan, kmsan, kcsan, ubsan, kfence,
					-- memory_leak, panic, task_dump, fs_alloc_retry
	title TEXT NOT NULL,		-- the report's header line
	line_start INTEGER NOT NULL,	-- first line (file line number) of the report
	line_end INTEGER NOT NULL,	-- last line that belongs to it
	t REAL,				-- time of the header line
	pid INTEGER,			-- task the report is about (hung task, allocating task, current task)
	comm TEXT,			-- its command name
	cpu INTEGER,			-- CPU the report names ("CPU: 1 PID: ..." or "CPU#1")
	kernel TEXT,			-- kernel release shown by this report, else by its source
	tainted TEXT,			-- taint flags as printed ("G        W"), '' for "Not tainted"
	state TEXT,			-- task state: 'D', 'R', 'S', ... as printed
	blocked_secs INTEGER,		-- hung task: "blocked for more than N seconds"
	gfp_mask TEXT,			-- GFP mask as printed in hex ('0x8250'), NULL if none
	gfp_names TEXT,			-- names printed with it ('GFP_NOFS|__GFP_NOWARN'), NULL if bare
	alloc_order INTEGER,		-- allocation order when printed
	lock_owner_pid INTEGER,		-- "blocked on a mutex likely owned by task NAME:PID"
	lock_owner_comm TEXT,
	lock_type TEXT,			-- what the owner hint says the task waits on: 'mutex', 'semaphore', 'rw-semaphore'
	locks_held INTEGER,		-- lockdep "N locks held by" for the report's task
	detail TEXT,			-- kind-specific key fact: WARNING/BUG location, lock name, fs message
	ip TEXT,			-- function at the faulting, warning or lock-taking instruction
					-- (RIP:/PC is at/WARNING ... at/lockdep "at:"), without +off/size
	stack_id INTEGER REFERENCES stacks(id),	-- the report's main stack
	truncated INTEGER NOT NULL DEFAULT 0,	-- 1 when the log ends inside the report
	-- Written by `mmtriage analyze`:
	culprit TEXT,			-- the function a kernel developer would name
	wait_class TEXT,		-- what the report's task waits for (see tasks.wait_class)
	wait_site TEXT			-- first frame past scheduler and wait plumbing
);
CREATE INDEX reports_kind ON reports(kind);

-- Stacks, deduplicated: identical frames (ignoring addresses) are stored once.
CREATE TABLE stacks (
	id INTEGER PRIMARY KEY,
	digest TEXT NOT NULL UNIQUE,	-- SHA-256 over symbols, offsets, modules, reliability, contexts
	depth INTEGER NOT NULL		-- number of frames
);

-- The frames of a stack, innermost first.
CREATE TABLE frames (
	stack_id INTEGER NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,		-- 0 = innermost (printed first)
	symbol TEXT NOT NULL,		-- function as printed, '0x...' when unresolved
	offset INTEGER,			-- +0x.. within the function
	size INTEGER,			-- /0x.. function size
	module TEXT,			-- module in brackets, NULL for the core kernel
	address TEXT,			-- address as printed (hex), NULL when not printed
	reliable INTEGER NOT NULL,	-- 0 for '? sym' (a stale return address the unwinder found)
	context TEXT,			-- 'task', 'irq', 'softirq', 'nmi', 'exception', NULL when unmarked
	inlined INTEGER NOT NULL DEFAULT 0,	-- 1 for '[inline]' frames
	src TEXT,			-- source location when printed ('fs/ext4/inode.c:123')
	PRIMARY KEY (stack_id, idx)
) WITHOUT ROWID;

-- Tasks with a stack inside a report: the hung task itself, the lock owner
-- printed after it, each task of a SysRq dump, each CPU of an NMI backtrace.
CREATE TABLE tasks (
	id INTEGER PRIMARY KEY,
	report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	role TEXT NOT NULL,		-- 'subject', 'lock_owner', 'dump', 'cpu_backtrace'
	pid INTEGER,
	comm TEXT,
	state TEXT,			-- 'D', 'R', 'S', 'I', ... as printed
	cpu INTEGER,			-- for CPU backtraces and tasks that print it
	line INTEGER NOT NULL,		-- file line where the task's entry starts
	ip TEXT,			-- function the CPU was executing (RIP:/pc line), for CPU backtraces
	workqueue TEXT,			-- workqueue of a kworker ("Workqueue: loop1 loop_rootcg_workfn")
	work_func TEXT,			-- the work function it was running
	stack_id INTEGER REFERENCES stacks(id),
	-- Written by `mmtriage analyze`:
	wait_class TEXT,		-- page_lock, writeback_wait, io_wait, mempool, direct_reclaim, kswapd,
					-- compaction, reclaim_throttle, dirty_throttle, block_request, fs_freeze,
					-- journal, mutex, rwsem, semaphore, spinlock, cpu_hotplug, rcu,
					-- workqueue_flush, kthread_create, alloc_retry, swap_alloc, net_io, other
	wait_site TEXT,			-- first frame past scheduler and wait plumbing
	culprit TEXT,			-- the function a kernel developer would name
	in_reclaim INTEGER		-- 1 when the stack runs through direct reclaim, kswapd or compaction
);
CREATE INDEX tasks_report ON tasks(report_id);

-- Blocked tasks: those the hung-task detector reported, tasks in
-- uninterruptible sleep (D) in dumps, and tasks of crash backtraces (which
-- print no state) whose stack waits on something the rule table names.
CREATE VIEW blocked_tasks AS
	SELECT t.*, r.kind AS report_kind, r.source_id, r.t, r.line_start,
	       r.blocked_secs, r.lock_owner_pid, r.lock_owner_comm, r.lock_type
	FROM tasks t JOIN reports r ON r.id = t.report_id
	WHERE t.stack_id IS NOT NULL AND t.wait_class IS NOT NULL AND (
		(r.kind = 'hung_task' AND t.role = 'subject') OR
		(t.role IN ('dump', 'lock_owner', 'subject') AND t.state = 'D') OR
		(t.role = 'dump' AND ifnull(t.state, '') = '' AND t.wait_class != 'other'));

-- Locks listed by lockdep ("N locks held by comm/pid:").
CREATE TABLE held_locks (
	report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	pid INTEGER,			-- holder
	comm TEXT,
	idx INTEGER NOT NULL,		-- the #N of the list
	lock TEXT NOT NULL,		-- lock class name ('&sb->s_type->i_mutex_key#9')
	address TEXT,			-- lock address when printed
	at TEXT,			-- function that took it
	line INTEGER NOT NULL
);

CREATE INDEX held_locks_report ON held_locks(report_id);

-- Links of a lockdep dependency chain ("-> #1 (lock){...}:") with their stacks.
CREATE TABLE lock_chain (
	report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,		-- the #N of the link
	lock TEXT NOT NULL,
	stack_id INTEGER REFERENCES stacks(id),
	line INTEGER NOT NULL
);

CREATE INDEX lock_chain_report ON lock_chain(report_id);

-- Counters of the Mem-Info dump printed with allocation failures, OOM kills
-- and SysRq-m: global counters, per node, per zone (watermarks, free,
-- lowmem_reserve, free lists), swap and page totals.
CREATE TABLE mem_counters (
	report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	node INTEGER,			-- NULL for global counters
	zone TEXT,			-- 'DMA', 'DMA32', 'Normal', ... or NULL for node/global counters
	name TEXT NOT NULL,		-- 'free', 'min', 'low', 'high', 'active_anon', 'free_order_3', 'swap_free',
					-- 'hugepages_2048kB_total' (per huge page size, as sysfs names them), ...
	value INTEGER NOT NULL,
	unit TEXT NOT NULL		-- 'kB' or 'pages' or 'count'
);
CREATE INDEX mem_counters_report ON mem_counters(report_id);

-- The victim of an OOM kill.
CREATE TABLE oom_kills (
	report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	pid INTEGER,
	comm TEXT,
	total_vm_kb INTEGER,
	anon_rss_kb INTEGER,
	file_rss_kb INTEGER,
	shmem_rss_kb INTEGER,
	oom_score_adj INTEGER,
	constraint_kind TEXT,		-- 'CONSTRAINT_NONE', 'CONSTRAINT_MEMCG', ... when printed
	memcg TEXT,			-- memory cgroup of the OOM ("oom_memcg=/foo") when printed
	line INTEGER NOT NULL
);

CREATE INDEX oom_kills_report ON oom_kills(report_id);

-- The task table an OOM report prints ("[  pid  ]   uid  tgid total_vm ...").
CREATE TABLE oom_tasks (
	report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	pid INTEGER NOT NULL,
	uid INTEGER,
	tgid INTEGER,
	total_vm INTEGER,		-- pages
	rss INTEGER,			-- pages
	pgtables INTEGER,		-- bytes on 4.x+, pages (nr_ptes) before
	swapents INTEGER,
	oom_score_adj INTEGER,
	name TEXT
);

CREATE INDEX oom_tasks_report ON oom_tasks(report_id);

-- What the analyzers concluded. Rewritten by every `mmtriage analyze`.
CREATE TABLE findings (
	id INTEGER PRIMARY KEY,
	analyzer TEXT NOT NULL,		-- 'waits', 'allocs', ...
	kind TEXT NOT NULL,		-- 'hung_tasks', 'alloc_failure', 'oom_kill', 'lockdep', ...
	severity TEXT NOT NULL,		-- 'critical', 'warning', 'info'
	title TEXT NOT NULL,		-- one line
	summary TEXT NOT NULL,		-- a paragraph a kernel developer can act on
	t_start REAL,			-- first evidence time on the source's clock
	t_end REAL,			-- last evidence time
	score INTEGER NOT NULL DEFAULT 0	-- how strongly it explains a hang; orders findings in reports
);

-- Who and what a finding is about.
CREATE TABLE finding_subjects (
	finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
	type TEXT NOT NULL,		-- 'task', 'device', 'cache', 'cpu', 'lock'
	pid INTEGER,			-- for tasks
	name TEXT			-- comm, device, cache, CPU number or lock name
);

-- The input a finding rests on: log lines (file:line) or trace events.
CREATE TABLE finding_evidence (
	finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,		-- order of presentation
	source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,
	line INTEGER,			-- file line, NULL for events
	event_id INTEGER,		-- trace event, NULL for log lines
	report_id INTEGER,		-- report the line belongs to, if any
	text TEXT NOT NULL		-- the line or event as printed
);
CREATE INDEX finding_evidence_finding ON finding_evidence(finding_id);

-- Reports a finding groups.
CREATE TABLE finding_reports (
	finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
	report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE
);
CREATE INDEX finding_reports_finding ON finding_reports(finding_id);
CREATE INDEX finding_reports_report ON finding_reports(report_id);
CREATE INDEX finding_subjects_finding ON finding_subjects(finding_id, type, pid);

-- The verdict: which hang this is. One row, rewritten by every analyze.
CREATE TABLE diagnosis (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	hang_class TEXT,		-- 'slab_starvation', 'reclaim_livelock', 'io_path_deadlock',
					-- 'reclaim_lock_recursion', 'ipi_hotplug', or a wait-based class
					-- such as 'fs_freeze'; NULL when nothing points to a hang
	verdict TEXT NOT NULL,		-- one paragraph
	analyzed_at TEXT NOT NULL	-- UTC, ISO 8601
);

-- Findings the verdict rests on, strongest first.
CREATE TABLE diagnosis_findings (
	rank INTEGER NOT NULL,
	finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE
);
