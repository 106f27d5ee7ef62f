/*
 * The slab caches that I/O completion, writeback and swap-out allocate
 * from. When SLUB merges one of them with an unrelated high-volume cache,
 * that cache's users can take every free object while the I/O path needs
 * one (PRIMER class 1). Each entry says which path allocates from the
 * cache and in what context, so that a finding can tell the user why
 * sharing it matters. Names are those of kmem_cache_create() in mainline
 * kernels from 2.6 to 6.x; a trailing '*' covers the per-size or
 * per-device variants (biovec-16 ... biovec-max, raid5-md0, bio-0, ...).
 */
#include "analyzers/slab_critical.h"

#include <stddef.h>
#include <string.h>

const struct mmt_slab_critical mmt_slab_critical_caches[] = {
	/* Block layer: every bio written back or swapped out. */
	{ "bio-*", "block", "bios of a bio_set (fs_bio_set, dm, md, bcache clones): "
	  "bio_alloc() for every write-back and swap-out bio, GFP_NOIO from the "
	  "submitter or a block worker, backed by the bio_set's mempool" },
	{ "biovec-*", "block", "bio_vec arrays of bios with many segments: bvec_alloc() "
	  "for large write-back and swap-out bios, GFP_NOIO, backed by the bio_set's "
	  "bvec mempool" },
	{ "bio_integrity_payload", "block", "integrity metadata of every bio to a "
	  "device with protection information: bio_integrity_alloc(), GFP_NOIO in "
	  "the submission path, mempool-backed" },
	{ "bip-*", "block", "integrity vectors of bios (bio_integrity_alloc()), GFP_NOIO, "
	  "mempool-backed" },
	{ "blkdev_requests", "block", "requests of the single-queue block layer (kernels "
	  "before 5.0): one per submitted bio, mempool_alloc() of the queue's request "
	  "list, GFP_NOIO, GFP_ATOMIC for atomic submitters" },
	{ "request_queue", "block", "queues of block devices (blk_alloc_queue()): "
	  "allocated when a device appears, not per I/O; a stacked device (dm, loop, "
	  "nbd) set up under pressure needs one" },
	{ "blkdev_queue", "block", "request_queue under its name of kernels before 5.0: "
	  "allocated when a device appears, not per I/O" },
	/* SCSI: the dispatch of every request to a disk. */
	{ "sgpool-*", "scsi", "scatter-gather tables of SCSI commands: "
	  "sg_alloc_table_chained() from scsi_alloc_sgtables(), GFP_ATOMIC in the "
	  "dispatch of every request (queue run, possibly from softirq), mempool-backed" },
	{ "scsi_sense_cache", "scsi", "sense buffers of SCSI commands: with every "
	  "request on the legacy request path (before 5.0, from the request mempool's "
	  "init, GFP_NOIO or GFP_ATOMIC), per tag at queue setup under blk-mq" },
	{ "scsi_cmd_cache", "scsi", "SCSI commands of kernels before 3.17 "
	  "(scsi_get_command(), GFP_ATOMIC in the request prep path; one reserved "
	  "command per host is the only fallback)" },
	{ "scsi_data_buffer", "scsi", "bidirectional data buffers of SCSI commands "
	  "(old kernels), GFP_ATOMIC at command prep" },
	{ "sd_ext_cdb", "scsi", "extended CDBs of sd for DIF type 2 disks: "
	  "mempool_alloc(), GFP_ATOMIC in sd_setup_read_write_cmnd()" },
	/* Device mapper and md: stacked devices complete I/O by allocating. */
	{ "dm_io", "dm", "per-bio state of device mapper (alloc_io() in the submit "
	  "path), GFP_NOIO, mempool-backed" },
	{ "dm_rq_target_io", "dm", "per-request state of request-based dm (multipath), "
	  "GFP_ATOMIC in the map path, mempool-backed" },
	{ "kcopyd_job", "dm", "dm-kcopyd copy jobs of snapshot, mirror, thin and cache "
	  "targets, GFP_NOIO from kcopyd workers, mempool-backed" },
	{ "dm_bufio_*", "dm", "dm-bufio metadata buffers (thin, cache, verity): "
	  "GFP_NOWAIT then GFP_NOIO with a reserve, needed to complete writes" },
	{ "dm_snap_pending_exception", "dm", "dm-snapshot pending exceptions: the first "
	  "write to a chunk, GFP_NOIO, mempool-backed" },
	{ "raid4-*", "md", "md RAID4 stripe heads: writes wait for one; grown with GFP_NOIO" },
	{ "raid5-*", "md", "md RAID5 stripe heads: writes wait for one; grown with GFP_NOIO" },
	{ "raid6-*", "md", "md RAID6 stripe heads: writes wait for one; grown with GFP_NOIO" },
	/* Network filesystems and FUSE: write-back goes through the network. */
	{ "nfs_write_data", "nfs", "NFS WRITE headers: nfs_writehdr_alloc() in write-back "
	  "and swap-out to NFS swap files, GFP_NOIO, mempool-backed" },
	{ "nfs_commit_data", "nfs", "NFS COMMITs that make unstable writes stable: "
	  "GFP_NOIO in write-back, mempool-backed; the pages stay pinned until it ends" },
	{ "nfs_page", "nfs", "one per page request written to NFS (nfs_create_request()), "
	  "GFP_NOIO in write-back and swap-out over NFS" },
	{ "nfs_read_data", "nfs", "NFS READ headers: swap-in from an NFS swap file "
	  "needs one, mempool-backed" },
	{ "rpc_tasks", "sunrpc", "every RPC of NFS write-back and commit "
	  "(rpc_new_task()), GFP_NOIO, mempool-backed" },
	{ "rpc_buffers", "sunrpc", "RPC call and reply buffers (rpc_malloc()), GFP_NOIO, "
	  "GFP_NOWAIT for swap-over-NFS tasks, mempool-backed" },
	{ "fuse_request", "fuse", "FUSE requests: write-back of a FUSE file sends one to "
	  "the user-space server, GFP_NOFS (with __GFP_NOFAIL in write-back)" },
	/* Compressed swap: swap-out itself allocates. */
	{ "zswap_entry", "zswap", "one per page zswap stores at swap-out, allocated in "
	  "reclaim; a failure sends the page to the backing swap device" },
	{ "zs_handle*", "zsmalloc", "zsmalloc handles of zram and zswap: one per "
	  "compressed page stored at swap-out, in reclaim, without direct reclaim first" },
	{ "zspage*", "zsmalloc", "zsmalloc page descriptors of zram and zswap, allocated "
	  "at swap-out in reclaim" },
	/* Local filesystems: write-back completion. */
	{ "ext4_io_end", "ext4", "ext4 write-back: one per writepages run "
	  "(ext4_init_io_end(), GFP_NOFS); unwritten-extent conversion at I/O "
	  "completion needs it" },
	{ "ext4_io_end_vec", "ext4", "ext4 write-back: one per bio (ext4_alloc_io_end_vec(), "
	  "GFP_NOFS | __GFP_NOFAIL)" },
	{ "jbd2_journal_head", "jbd2", "journal heads of every buffer a transaction "
	  "touches: GFP_NOFS, retried forever on failure ('ENOMEM in "
	  "journal_alloc_journal_head, retrying'); commits and write-back wait on it" },
	{ "xfs_ioend", "xfs", "XFS write-back completion of kernels before 4.10, GFP_NOFS, "
	  "mempool-backed" },
	{ NULL, NULL, NULL },
};

static int matches(const char *pattern, const char *cache)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return !strncmp(pattern, cache, n - 1);
	return !strcmp(pattern, cache);
}

const struct mmt_slab_critical *mmt_slab_critical_match(const char *cache)
{
	for (const struct mmt_slab_critical *c = mmt_slab_critical_caches; c->pattern; c++)
		if (matches(c->pattern, cache))
			return c;
	return NULL;
}
