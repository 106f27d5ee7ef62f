-- 002-state: memory state over time. /proc and /sys snapshots (once or as
-- series), slab caches and their SLUB aliases, interrupts, PSI, the crash
-- utility's summaries, and trees of files ingested as one unit (sosreports,
-- capture directories).
--
-- The common timeline. Every `ts` column of this file, and of the views
-- below, is Unix time in seconds (UTC wall clock):
--   - a snapshot's time comes from the `date` line printed before it
--     (`date +%s.%N`, `date`, `date -Is`, `date --rfc-3339=ns`), else from a
--     time in its file name (`vmstat.20261121T102030`, `meminfo-1795300001`),
--     else from the file's modification time (snapshots.clock = 'mtime'; a
--     tarball keeps the time each file was collected), unless the file is
--     part of a sosreport whose collection time (`date --utc`) is known and
--     the mtime cannot be it (a fresh copy): then that time ('tree'). A file
--     of several samples with none of these has ts NULL and only its order
--     (seq).
--   - a kernel log's times are on its own clock (sources.clock). When the
--     log is monotonic (seconds since boot) and its machine's boot time is
--     known (a capture directory's `btime`, or the log itself printing wall
--     time, as journalctl does), sources.t_offset holds that boot time and
--     log time + t_offset is on the common timeline; otherwise t_offset is
--     NULL and the log stays on its own clock.

-- A tree of files ingested as one unit.
CREATE TABLE trees (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL,		-- directory or tarball as given
	kind TEXT NOT NULL,		-- 'sosreport', 'capture' (docs/capture.md)
	hostname TEXT,			-- as the tree records it
	kernel TEXT,			-- uname -r as the tree records it
	btime REAL,			-- boot time, Unix seconds, when the tree shows it
	ingested_at TEXT NOT NULL	-- UTC, ISO 8601
);

-- What mmtriage looked for in a tree, and what became of each file.
CREATE TABLE tree_files (
	tree_id INTEGER NOT NULL REFERENCES trees(id) ON DELETE CASCADE,
	role TEXT NOT NULL,		-- what the file is: 'meminfo', 'kernel_log', 'slabinfo', ...
	path TEXT NOT NULL,		-- path inside the tree (for 'missing', the places looked at)
	status TEXT NOT NULL,		-- 'ingested', 'duplicate', 'missing', 'skipped', 'failed'
	source_id INTEGER,		-- sources.id when ingested or duplicate
	note TEXT			-- why skipped or failed
);
CREATE INDEX tree_files_tree ON tree_files(tree_id);

ALTER TABLE sources ADD COLUMN tree_id INTEGER REFERENCES trees(id);	-- tree the file came from, NULL if given alone
ALTER TABLE sources ADD COLUMN t_offset REAL;	-- seconds added to the source's times to reach the common timeline, NULL if unknown

-- One sample of one state file: a copy of /proc/meminfo, one of the
-- snapshots of a concatenated series, one crash `kmem -i` output.
CREATE TABLE snapshots (
	id INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,		-- meminfo, vmstat, zoneinfo, buddyinfo, pagetypeinfo, swaps, psi, free,
					-- slabinfo, slabtop, interrupts, crash_kmem_i, crash_kmem_s, crash_ps
	series TEXT NOT NULL,		-- samples of one series share it: the file's path, without the time or
					-- number that tells copies apart ('capture/proc/vmstat', 'snap/meminfo')
	seq INTEGER NOT NULL,		-- 0-based order within the source
	line INTEGER NOT NULL,		-- first line of the sample in the file
	ts REAL,			-- Unix seconds (see the top of this file), NULL when unknown
	clock TEXT			-- where ts came from: 'wall' (a date line), 'name' (the file name),
					-- 'mtime' (the file's modification time), 'tree' (when its sosreport
					-- was collected, for files whose mtime cannot be that), NULL
);
CREATE INDEX snapshots_source ON snapshots(source_id);

-- Names of values (meminfo keys, vmstat counters, zoneinfo fields, IRQs),
-- stored once.
CREATE TABLE state_keys (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,	-- 'MemFree', 'pgscan_kswapd', 'nr_free_pages', 'CAL', '24'
	counter INTEGER NOT NULL	-- 1 for counters that only grow (rates are computed), 0 for gauges
);

-- Single values of a sample: meminfo (kB, or a count for HugePages_*),
-- vmstat, free (as meminfo names where one matches), crash `kmem -i`.
-- (snapshot_id is not a foreign key, for the speed of long series; rows go
-- with their snapshots explicitly.)
CREATE TABLE state_values (
	snapshot_id INTEGER NOT NULL,	-- snapshots.id
	key_id INTEGER NOT NULL,	-- state_keys.id
	value INTEGER NOT NULL
);
CREATE INDEX state_values_snapshot ON state_values(snapshot_id);

-- Per node and zone values of /proc/zoneinfo: free, min, low, high,
-- spanned, present, managed, protection_N, every nr_* counter, and the
-- node's own counters (zone NULL); of /proc/pagetypeinfo: blocks_<type>.
CREATE TABLE zone_values (
	snapshot_id INTEGER NOT NULL,	-- snapshots.id
	node INTEGER NOT NULL,
	zone TEXT,			-- 'DMA', 'DMA32', 'Normal', 'Movable', NULL for per-node values
	key_id INTEGER NOT NULL,	-- state_keys.id
	value INTEGER NOT NULL		-- pages, except where the name says otherwise
);
CREATE INDEX zone_values_snapshot ON zone_values(snapshot_id);

-- Free blocks per order: /proc/buddyinfo (migratetype NULL) and the free
-- lists of /proc/pagetypeinfo (per migratetype).
CREATE TABLE free_areas (
	snapshot_id INTEGER NOT NULL,	-- snapshots.id
	node INTEGER NOT NULL,
	zone TEXT NOT NULL,
	migratetype TEXT,		-- 'Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', ...; NULL for buddyinfo
	"order" INTEGER NOT NULL,
	count INTEGER NOT NULL,		-- free blocks of 2^order pages
	capped INTEGER NOT NULL DEFAULT 0	-- 1 when pagetypeinfo printed '>100000': kernels from 5.6
					-- stop counting a free list there, so count is a lower bound
);
CREATE INDEX free_areas_snapshot ON free_areas(snapshot_id);

-- /proc/swaps.
CREATE TABLE swap_devices (
	snapshot_id INTEGER NOT NULL,	-- snapshots.id
	filename TEXT NOT NULL,
	type TEXT,			-- 'partition', 'file'
	size_kb INTEGER,
	used_kb INTEGER,
	priority INTEGER
);
CREATE INDEX swap_devices_snapshot ON swap_devices(snapshot_id);

-- /proc/pressure/{memory,io,cpu,irq}.
CREATE TABLE psi_values (
	snapshot_id INTEGER NOT NULL,	-- snapshots.id
	resource TEXT NOT NULL,		-- 'memory', 'io', 'cpu', 'irq' (from the file name)
	kind TEXT NOT NULL,		-- 'some' or 'full'
	avg10 REAL,			-- percent of time stalled over the last 10, 60, 300 s
	avg60 REAL,
	avg300 REAL,
	total INTEGER			-- microseconds stalled since boot (a counter)
);
CREATE INDEX psi_values_snapshot ON psi_values(snapshot_id);

-- Slab caches: /proc/slabinfo (2.0 and 2.1), slabtop, crash `kmem -s`/`-S`.
CREATE TABLE slab_caches (
	snapshot_id INTEGER NOT NULL,	-- snapshots.id
	cache TEXT NOT NULL,
	active_objs INTEGER,
	num_objs INTEGER,
	objsize INTEGER,		-- bytes per object
	objperslab INTEGER,
	pagesperslab INTEGER,
	active_slabs INTEGER,
	num_slabs INTEGER,
	bytes INTEGER,			-- memory of the cache: num_slabs x pagesperslab x page size, or as
					-- printed (slabtop CACHE SIZE, crash SLABS x SSIZE)
	"limit" INTEGER,		-- SLAB tunables (0 under SLUB)
	batchcount INTEGER,
	sharedfactor INTEGER,
	shared_avail INTEGER
);
CREATE INDEX slab_caches_snapshot ON slab_caches(snapshot_id);

-- SLUB caches as /sys/kernel/slab (or a listing of it, or `slabinfo -a`)
-- shows them. A merged cache appears under a ':'-prefixed name such as
-- ':A-0000144' with every cache created into it as an alias.
CREATE TABLE slab_attrs (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	cache TEXT NOT NULL,		-- directory name ('kmalloc-64', ':A-0000144')
	object_size INTEGER,
	slab_size INTEGER,
	"order" INTEGER,
	objects INTEGER,
	slabs INTEGER,
	aliases INTEGER,		-- number of caches merged into this one
	reclaim_account INTEGER,	-- 1 for SLAB_RECLAIM_ACCOUNT caches
	ctor TEXT,			-- constructor function, when it has one
	align INTEGER
);
CREATE INDEX slab_attrs_source ON slab_attrs(source_id);

CREATE TABLE slab_aliases (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	alias TEXT NOT NULL,		-- name a subsystem created ('biovec-16')
	cache TEXT NOT NULL		-- the cache it shares ('kmalloc-256' or ':A-0000144')
);
CREATE INDEX slab_aliases_source ON slab_aliases(source_id);

-- /proc/interrupts. A CPU that is offline in a sample has no row there.
CREATE TABLE irq_counts (
	snapshot_id INTEGER NOT NULL,	-- snapshots.id
	key_id INTEGER NOT NULL,	-- state_keys.id of the IRQ: '24', 'NMI', 'CAL', 'TLB', 'RES', 'ERR'
	cpu INTEGER,			-- NULL for lines without per-CPU columns (ERR, MIS)
	count INTEGER NOT NULL
);
CREATE INDEX irq_counts_snapshot ON irq_counts(snapshot_id);

CREATE TABLE irq_descriptions (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	key_id INTEGER NOT NULL,	-- state_keys.id
	description TEXT NOT NULL,	-- what follows the counts: 'Function call interrupts', 'IO-APIC 2-edge timer'
	PRIMARY KEY (source_id, key_id)
) WITHOUT ROWID;

-- Tasks of the crash utility's `ps`. (`ps -S` state counts are state_values
-- named 'crash.tasks_RU', 'crash.tasks_UN', ... of a crash_ps snapshot.)
CREATE TABLE crash_tasks (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	snapshot_id INTEGER,		-- snapshots.id of the `ps` listing (kind crash_ps) the row is part of:
					-- a session may list tasks several times (`ps`, `ps -k`, `ps bash`)
	pid INTEGER NOT NULL,
	ppid INTEGER,
	cpu INTEGER,
	task TEXT,			-- task_struct address
	state TEXT NOT NULL,		-- 'RU', 'IN', 'UN', 'ZO', 'ID', ... as printed
	active INTEGER NOT NULL,	-- 1 for the '>' rows (running on a CPU)
	pct_mem REAL,
	vsz_kb INTEGER,
	rss_kb INTEGER,
	comm TEXT NOT NULL,
	line INTEGER NOT NULL
);
CREATE INDEX crash_tasks_source ON crash_tasks(source_id);

-- ------------------------------------------------------------------
-- The stable SQL surface. Scripts may rely on these views and columns
-- across versions; the tables above may change. `source` is sources.id,
-- `ts` Unix seconds on the common timeline. Rates are per second between a
-- sample and the previous one of the same series; NULL for the first
-- sample, for gauges, when the time did not advance, and where a counter
-- went down (a reboot or a counter reset between the two samples).
-- ------------------------------------------------------------------

-- meminfo(source, ts, key, kb): /proc/meminfo, `free`, crash `kmem -i`.
CREATE VIEW meminfo AS
	SELECT s.source_id AS source, s.ts, k.name AS key, v.value AS kb
	FROM snapshots s JOIN state_values v ON v.snapshot_id = s.id
	JOIN state_keys k ON k.id = v.key_id
	WHERE s.kind IN ('meminfo', 'free', 'crash_kmem_i');

-- vmstat(source, ts, key, value, rate)
CREATE VIEW vmstat AS
	SELECT source, ts, key, value,
	       CASE WHEN counter AND prev_value <= value AND ts > prev_ts
		    THEN (value - prev_value) / (ts - prev_ts) END AS rate
	FROM (SELECT s.source_id AS source, s.ts, k.name AS key, v.value, k.counter,
		     lag(v.value) OVER w AS prev_value, lag(s.ts) OVER w AS prev_ts
	      FROM snapshots s JOIN state_values v ON v.snapshot_id = s.id
	      JOIN state_keys k ON k.id = v.key_id
	      WHERE s.kind = 'vmstat'
	      WINDOW w AS (PARTITION BY s.series, v.key_id ORDER BY s.ts, s.seq));

-- zoneinfo(source, ts, node, zone, key, value)
CREATE VIEW zoneinfo AS
	SELECT s.source_id AS source, s.ts, z.node, z.zone, k.name AS key, z.value
	FROM snapshots s JOIN zone_values z ON z.snapshot_id = s.id
	JOIN state_keys k ON k.id = z.key_id;

-- buddyinfo(source, ts, node, zone, migratetype, order, count, capped):
-- capped 1 where count is a lower bound (pagetypeinfo's '>100000').
CREATE VIEW buddyinfo AS
	SELECT s.source_id AS source, s.ts, f.node, f.zone, f.migratetype, f."order", f.count,
	       f.capped
	FROM snapshots s JOIN free_areas f ON f.snapshot_id = s.id;

-- slab(source, ts, cache, active_objs, num_objs, objsize, bytes, num_slabs,
-- pagesperslab, share): share is bytes over MemTotal, as a meminfo (or
-- crash kmem -i) sample of the same tree shows it; files ingested outside
-- trees are taken as one machine when their MemTotals agree. NULL without
-- one.
CREATE VIEW slab AS
	SELECT s.source_id AS source, s.ts, c.cache, c.active_objs, c.num_objs, c.objsize,
	       c.bytes, c.num_slabs, c.pagesperslab, c.bytes / (1024.0 * mt.kb) AS share
	FROM snapshots s JOIN slab_caches c ON c.snapshot_id = s.id
	JOIN sources src ON src.id = s.source_id
	LEFT JOIN (SELECT ifnull(so.tree_id, 0) AS owner,
			  CASE WHEN so.tree_id IS NOT NULL OR min(v.value) = max(v.value)
			       THEN max(v.value) END AS kb
		   FROM snapshots ms JOIN state_values v ON v.snapshot_id = ms.id
		   JOIN sources so ON so.id = ms.source_id
		   WHERE ms.kind IN ('meminfo', 'crash_kmem_i')
		     AND v.key_id = (SELECT id FROM state_keys WHERE name = 'MemTotal')
		   GROUP BY owner) mt ON mt.owner = ifnull(src.tree_id, 0);

-- slab_alias(source, alias, cache)
CREATE VIEW slab_alias AS
	SELECT source_id AS source, alias, cache FROM slab_aliases;

-- interrupts(source, ts, irq, cpu, count, rate, description)
CREATE VIEW interrupts AS
	SELECT source, ts, irq, cpu, count,
	       CASE WHEN prev_count <= count AND ts > prev_ts
		    THEN (count - prev_count) / (ts - prev_ts) END AS rate,
	       description
	FROM (SELECT s.source_id AS source, s.ts, k.name AS irq, i.cpu, i.count,
		     lag(i.count) OVER w AS prev_count, lag(s.ts) OVER w AS prev_ts,
		     d.description
	      FROM snapshots s JOIN irq_counts i ON i.snapshot_id = s.id
	      JOIN state_keys k ON k.id = i.key_id
	      LEFT JOIN irq_descriptions d ON d.source_id = s.source_id AND d.key_id = i.key_id
	      WHERE s.kind = 'interrupts'
	      WINDOW w AS (PARTITION BY s.series, i.key_id, i.cpu ORDER BY s.ts, s.seq));

-- psi(source, ts, resource, kind, avg10, avg60, avg300, total, rate):
-- rate is microseconds stalled per second (1e6 = stalled all the time).
CREATE VIEW psi AS
	SELECT source, ts, resource, kind, avg10, avg60, avg300, total,
	       CASE WHEN prev_total <= total AND ts > prev_ts
		    THEN (total - prev_total) / (ts - prev_ts) END AS rate
	FROM (SELECT s.source_id AS source, s.ts, p.resource, p.kind, p.avg10, p.avg60,
		     p.avg300, p.total,
		     lag(p.total) OVER w AS prev_total, lag(s.ts) OVER w AS prev_ts
	      FROM snapshots s JOIN psi_values p ON p.snapshot_id = s.id
	      WINDOW w AS (PARTITION BY s.series, p.resource, p.kind ORDER BY s.ts, s.seq));

-- swaps(source, ts, filename, type, size_kb, used_kb, priority)
CREATE VIEW swaps AS
	SELECT s.source_id AS source, s.ts, w.filename, w.type, w.size_kb, w.used_kb, w.priority
	FROM snapshots s JOIN swap_devices w ON w.snapshot_id = s.id;
