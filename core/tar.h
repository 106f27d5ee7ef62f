/* A tar archive, read from a file (compressed or not) and unpacked safely. */
#ifndef MMT_TAR_H
#define MMT_TAR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/* True when the first bytes of a file (len >= 262 helps) look like a tar archive,
   or a gzip/xz/bzip2/zstd stream (the caller then checks the name ends in .tar.*, .tgz, .txz). */
bool mmt_tar_sniff(const char *head, size_t len);

/* Called for each regular file member before it is written: return true to extract it.
   name is the member's path relative to the archive root, normalised (no leading "./"). */
typedef bool (*mmt_tar_want)(void *ctx, const char *name, uint64_t size);

struct mmt_tar_stats {
	int files;		/* regular files written */
	int skipped;		/* regular files want() declined, plus devices/fifos */
	int links;		/* symlinks created (all point inside the root) */
	uint64_t bytes;		/* bytes written */
};

/*
 * Unpacks archive into dest (an existing, empty directory the caller owns and removes).
 * Refuses the whole archive, naming the member in err (path = the archive, line 0,
 * message like "member 'a/../../etc/x': path leaves the archive root"), when a member:
 * has an absolute path or a ".." component that leaves the root; is a symlink whose
 * target is absolute or resolves (lexically, relative to the link's directory) outside
 * the root; is a hard link to a name outside the root; or when the archive is truncated
 * or has a bad header checksum ("truncated at byte N" / "bad header checksum at byte N").
 * Never follows a symlink while writing: files are created with openat(O_NOFOLLOW|O_EXCL)
 * relative to directory fds, and a path component that is a symlink is refused, so an
 * archive cannot write through a link it created. Decompresses by magic number by
 * running gzip -dc / xz -dc / bzip2 -dc / zstd -dc (fork+execvp, reading a pipe; report a
 * missing decompressor clearly; reap the child; a decompressor failing is an error).
 * Returns 0, or -1 with err filled (dest may then hold partial output the caller removes).
 *
 * Details a caller may rely on:
 * - N in "at byte N" counts bytes of the tar stream, after decompression.
 * - Symlink targets are written in lexically normalised form ("a/../b" becomes "b",
 *   "./x" becomes "x"): leading ".." only, so no chain of links climbs above dest.
 * - A hard link to a regular file asks want() with the size of its target and counts
 *   in files (not bytes); one whose target was declined or is absent counts in skipped.
 * - Members of other types (GNU sparse, volume labels, ...) are skipped and counted
 *   in skipped; a later member of the same name replaces an earlier non-directory.
 * - stats (may be NULL) is filled on failure too, with what was done before it.
 */
int mmt_tar_extract(const char *archive, const char *dest, mmt_tar_want want, void *ctx,
		    struct mmt_tar_stats *stats, struct mmt_err *err);
#endif
