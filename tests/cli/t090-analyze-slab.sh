#!/usr/bin/env bash
# The slab analyzer on real data: the snapshot-series capture (200,000 ext4
# files grow ext4_inode_cache to its peak at about 267 s, then drop_caches),
# the machine's SLUB aliases (the capture's copy of /sys/kernel/slab, the
# sosreport's listing, and /sys/kernel/slab itself when readable), the
# captures of the captures branch when present, an OOM report that prints
# "Unreclaimable slab info:" and every slab-related file of ../shared/corpus.
. "$(dirname "$0")/lib.sh"

SERIES=$SAMPLES/snapshot-series/capture.tar.xz
CORPUS=$MMT_SOURCE_DIR/../shared/corpus

# slab_findings DB WHERE: "kind|severity|title" of the slab analyzer's findings.
slab_count() { sql "$1" "SELECT count(*) FROM findings WHERE analyzer = 'slab' AND $2"; }
no_alarm() {
	[ "$(slab_count "$1" "severity != 'info'")" = 0 ] ||
		fail "$2: slab warning/critical on healthy data: $("$MMT" sql -d "$1" --csv \
			"SELECT severity, title FROM findings WHERE analyzer = 'slab' AND severity != 'info'")"
}
# hazard_caches DB: the real caches of the merge hazards, sorted, one line.
hazard_caches() {
	"$MMT" sql -d "$1" --csv "SELECT fs.name FROM findings f JOIN finding_subjects fs
		ON fs.finding_id = f.id WHERE f.kind = 'slab_merge_hazard' AND fs.name GLOB ':*'
		ORDER BY 1" | sed 1d | tr '\n' ' '
}

# --- The snapshot-series capture: this machine's aliases and an inode burst.
DB=$T/series.db
expect_ok ingest -q -d "$DB" "$SERIES"
expect_ok analyze -d "$DB"
no_alarm "$DB" "snapshot-series"
# The groups where an I/O-path cache shares slabs with an unrelated cache;
# :0002048 (biovec-128 and sgpool-64 only) is I/O with I/O, not a hazard.
want=":0000032 :0000168 :0000256 :0000512 :0001024 :0004096 "
[ "$(hazard_caches "$DB")" = "$want" ] || fail "hazard groups: '$(hazard_caches "$DB")'"
[ "$(sql "$DB" "SELECT group_concat(name, ' ') FROM (SELECT fs.name FROM findings f
	JOIN finding_subjects fs ON fs.finding_id = f.id WHERE f.kind = 'slab_merge_hazard'
	AND f.title LIKE '%:0000256%' ORDER BY 1)")" = ":0000256 biovec-16 key_jar sgpool-8" ] ||
	fail ":0000256 subjects"
# One dominance finding: ext4_inode_cache the largest at the slab peak, the
# window from the first sample to the peak (267 s after the start).
[ "$(slab_count "$DB" "kind = 'slab_dominance'")" = 1 ] || fail "one dominance finding"
first=$(sql "$DB" "SELECT min(ts) FROM slab")
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'slab_dominance'
	AND title LIKE '%largest ext4_inode_cache%' AND abs(t_start - $first) < 0.01
	AND t_end - $first BETWEEN 255 AND 275")" = 1 ] ||
	fail "dominance window/top cache: $(sql "$DB" "SELECT title || ' ' || (t_end - $first)
		FROM findings WHERE kind = 'slab_dominance'")"
# Its figure is the slabinfo peak of the cache, and the cache is reclaimable.
peak=$(sql "$DB" "SELECT printf('%.1f', max(bytes) / 1048576.0) FROM slab
	WHERE cache = 'ext4_inode_cache'")
[ "$(sql "$DB" "SELECT count(*) FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
	WHERE f.kind = 'slab_dominance' AND e.text = 'ext4_inode_cache: $peak MiB'")" = 1 ] ||
	fail "ext4_inode_cache peak $peak MiB in the evidence"
awk -v p="$peak" 'BEGIN { exit !(p > 258 && p < 300) }' || fail "peak $peak MiB"
[ "$(slab_count "$DB" "kind = 'slab_dominance' AND summary LIKE
	'%ext4_inode_cache 292.8 MiB (% reclaimable, +257.9 MiB since the first sample, 0.97 MiB/s)%'")" = 1 ] ||
	fail "growth and reclaimability of ext4_inode_cache"

# Lower thresholds turn the same facts into warnings, and only those.
expect_ok analyze -d "$DB" --set slab.cache_share_pct=10 --set slab.growth_mib_per_s=0.5 \
	--set slab.growth_min_mib=200
[ "$(slab_count "$DB" "kind = 'slab_dominance' AND severity = 'warning'")" = 1 ] ||
	fail "dominance warns with slab.cache_share_pct=10"
[ "$(slab_count "$DB" "kind = 'slab_merge_hazard' AND severity != 'info'")" = 0 ] ||
	fail "dominance thresholds changed merge hazards"
# lsm_inode_cache (slabinfo's name for :0000032) grew from 1.2 to 8.8 MiB with
# the 200,000 inodes: sharp growth at 5 MiB, peak at about 258 s.
expect_ok analyze -d "$DB" --set slab.merge_growth_mib=5
[ "$(sql "$DB" "SELECT group_concat(title = 'ext4_io_end_vec shares slab cache :0000032 with '
	|| 'btrfs_delayed_extent_op, lsm_inode_cache') AS ok FROM findings WHERE analyzer = 'slab'
	AND severity = 'warning'")" = 1 ] ||
	fail "growth of :0000032 warns with slab.merge_growth_mib=5"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE severity = 'warning'
	AND kind = 'slab_merge_hazard' AND t_end - $first BETWEEN 240 AND 275")" = 1 ] ||
	fail "the :0000032 window ends at its peak"
expect_ok analyze -d "$DB" --thresholds
out_has "^slab.merge_growth_mib +64 "

# --- The sosreport of the same machine: slabinfo and slabtop of one moment
# give one dominance finding; the alias listing the same hazards.
DB=$T/sos.db
expect_ok ingest -q -d "$DB" "$SAMPLES/sosreport-vm"
expect_ok analyze -d "$DB"
no_alarm "$DB" "sosreport-vm"
[ "$(slab_count "$DB" "kind = 'slab_dominance'")" = 1 ] || fail "sosreport: one dominance"
[ "$(hazard_caches "$DB")" = "$want" ] || fail "sosreport hazard groups: '$(hazard_caches "$DB")'"

# --- This machine, live: only info, and every group mixes I/O with others.
if [ -r /sys/kernel/slab ] && [ -n "$(ls /sys/kernel/slab 2>/dev/null)" ]; then
	DB=$T/live.db
	expect_ok ingest -q -d "$DB" /sys/kernel/slab
	expect_ok analyze -d "$DB"
	no_alarm "$DB" "/sys/kernel/slab"
	[ "$(slab_count "$DB" "kind = 'slab_merge_hazard' AND title NOT LIKE '% with %'")" = 0 ] ||
		fail "a live hazard without another user"
fi

# --- Captures of quiet machines: no warning or critical.
for c in capture-baseline-idle capture-baseline-load; do
	f=$SAMPLES/$c/capture.tar.xz
	[ -f "$f" ] || continue
	DB=$T/$c.db
	expect_ok ingest -q -d "$DB" "$f"
	expect_ok analyze -d "$DB"
	no_alarm "$DB" "$c"
	[ "$(slab_count "$DB" "kind = 'slab_dominance'")" = 1 ] || fail "$c: one dominance"
done

[ -d "$CORPUS" ] || { echo "no ../shared/corpus: corpus part skipped"; exit 0; }

# --- An OOM in a 256 MiB crash kernel that printed its unreclaimable slab.
DB=$T/oom.db
expect_ok ingest -q -d "$DB" "$CORPUS/lkml/kexec/ttyS0.log-crashkernel-256M-oom-4.19.57.txt"
expect_ok analyze -d "$DB"
[ "$(sql "$DB" "SELECT severity || '|' || (t_start = t_end) FROM findings
	WHERE kind = 'slab_dominance'")" = "warning|1" ] || fail "OOM unreclaimable slab warns"
[ "$(sql "$DB" "SELECT group_concat(name, ' ') FROM (SELECT fs.name FROM finding_subjects fs
	JOIN findings f ON f.id = fs.finding_id WHERE f.kind = 'slab_dominance' ORDER BY 1)")" = \
	"kernfs_node_cache kmalloc-1024 kmalloc-128 kmalloc-2048 kmalloc-4096" ] ||
	fail "OOM table's largest caches"
# The five largest by Total as awk reads the table (kmalloc-2048 59164KB first).
want=$(awk '/Unreclaimable slab info/ { t = 1; next } t && /^.*Name +Used +Total/ { next }
	t && $NF ~ /KB$/ { v = $NF; sub("KB", "", v); print v, $(NF - 2); next } { t = 0 }' \
	"$CORPUS/lkml/kexec/ttyS0.log-crashkernel-256M-oom-4.19.57.txt" | sort -rn | head -5 |
	awk '{ print $2 }' | sort | tr '\n' ' ')
[ "$want" = "kernfs_node_cache kmalloc-1024 kmalloc-128 kmalloc-2048 kmalloc-4096 " ] ||
	fail "awk reads the OOM table otherwise: $want"

# --- Every slab, OOM, crash kmem and meminfo file of the corpus, and its
# sosreport: analyze succeeds and names caches only from the data.
awk -F'\t' '$6 ~ /^(slabinfo|oom|crash_kmem|alloc_failure|meminfo)$/ { print $1 }' \
	"$CORPUS/MANIFEST.tsv" >"$T/files"
echo sosreport-coreos-master1 >>"$T/files"
n=0
while read -r f; do
	[ -e "$CORPUS/$f" ] || continue
	DB=$T/c$n.db
	n=$((n + 1))
	"$MMT" ingest -q -d "$DB" "$CORPUS/$f" >/dev/null 2>&1 || continue
	expect_ok analyze -d "$DB"
	[ "$(sql "$DB" "SELECT count(*) FROM findings f JOIN finding_subjects fs
		ON fs.finding_id = f.id WHERE f.analyzer = 'slab' AND fs.type = 'cache'
		AND fs.name NOT IN (SELECT cache FROM slab_caches UNION SELECT alias FROM slab_aliases
		UNION SELECT cache FROM slab_aliases)
		AND f.summary NOT LIKE '%Unreclaimable%' AND f.title NOT LIKE '%OOM%'")" = 0 ] ||
		fail "$f: a cache subject not in the data"
done <"$T/files"
[ "$n" -gt 30 ] || fail "only $n corpus files"
echo ok
