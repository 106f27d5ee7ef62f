/*
 * What `mmtriage record` samples besides the trace: /proc files at an
 * interval, a copy of /sys/kernel/slab, and the kernel log as /dev/kmsg
 * gives it, written into a capture directory (docs/capture.md) so that
 * `mmtriage ingest` reads them as it reads any capture.
 */
#ifndef MMT_RECORD_SNAP_H
#define MMT_RECORD_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* The /proc series of a capture, appended to at each interval. */
struct rec_snap;

/*
 * Creates DIR/proc/ (and proc/pressure/ when the kernel has PSI) and the
 * series files, empty; the /proc files stay open until rec_snap_close.
 * proc_root is "/proc" except in tests.
 */
struct rec_snap *rec_snap_open(const char *dir, const char *proc_root, struct mmt_err *err);
/*
 * Appends one sample of every series file (meminfo, vmstat, zoneinfo,
 * buddyinfo, pagetypeinfo, slabinfo, interrupts, swaps, pressure/memory,
 * io, cpu and irq), each preceded by the time line "SECONDS.NANOSECONDS"
 * of wall (Unix time, on the trace's timeline: the caller computes it). A
 * file that cannot be read is skipped, named by rec_snap_unreadable and
 * not read again; a write that fails is an error naming the series file.
 */
int rec_snap_take(struct rec_snap *s, double wall, struct mmt_err *err);
/* Samples taken, and bytes written so far. */
uint64_t rec_snap_samples(const struct rec_snap *s);
uint64_t rec_snap_bytes(const struct rec_snap *s);
/*
 * The i-th series file that could not be read ("proc/slabinfo: Permission
 * denied"; "proc/pressure: ..." for a kernel without PSI), or NULL past
 * the last.
 */
const char *rec_snap_unreadable(const struct rec_snap *s, size_t i);
void rec_snap_close(struct rec_snap *s);

/*
 * Copies sys_root (normally /sys/kernel/slab) to DIR/sys/kernel/slab: one
 * directory per cache with the attributes mmtriage reads, each alias a
 * symlink as in sysfs. Written beside and swapped into place, replacing a
 * copy made before, so an interrupted copy never leaves a half one. Adds
 * the bytes written to *bytes.
 */
int rec_copy_slab(const char *dir, const char *sys_root, uint64_t *bytes, struct mmt_err *err);

/* The kernel log, from /dev/kmsg, into DIR/kmsg.txt. */
struct rec_kmsg;

/*
 * Opens kmsg_path (normally /dev/kmsg) non-blocking, copies what the ring
 * holds now into DIR/kmsg-before.txt, and leaves DIR/kmsg.txt for the
 * records that follow.
 */
struct rec_kmsg *rec_kmsg_open(const char *dir, const char *kmsg_path, struct mmt_err *err);
/*
 * The descriptor to poll for new records (POLLIN; POLLERR and POLLPRI
 * too when records were overwritten: pump then as well).
 */
int rec_kmsg_fd(const struct rec_kmsg *k);
/*
 * Appends every record available now, as read, in one write; returns how
 * many, or -1 on a write error (or a read error other than the ring's
 * overwrite). Records the ring overwrote before they were read are
 * counted (rec_kmsg_lost) by the jump of the sequence numbers.
 */
long rec_kmsg_pump(struct rec_kmsg *k, struct mmt_err *err);
uint64_t rec_kmsg_records(const struct rec_kmsg *k);
uint64_t rec_kmsg_lost(const struct rec_kmsg *k);
uint64_t rec_kmsg_bytes(const struct rec_kmsg *k);
void rec_kmsg_close(struct rec_kmsg *k);

#endif
