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

/*
 * What one archive may hold. A sosreport unpacks to a few GB in tens of
 * thousands of files, few of them deeper than 20 directories; a capture
 * holds one trace.dat of at most a few GB. Past these an archive is a
 * decompression bomb or made to exhaust the disk, memory or time, and is
 * refused as a whole (see mmt_tar_extract) before the member that passes
 * a limit is written.
 */
/* Members (files, directories, links...): each costs a header and, when
   wanted, a file; a sosreport has some tens of thousands. */
#define MMT_TAR_MAX_MEMBERS 1000000u
/* Components of a member's path: each is a directory entered to write it. */
#define MMT_TAR_MAX_DEPTH 64u
/* Bytes of a member's normalised path: PATH_MAX less the NUL, what the
   system it was collected on could have named at all. */
#define MMT_TAR_MAX_PATH 4095u
/* Bytes of one extracted file, as its header says (checked before its data
   is read): sos cuts logs at 25 MiB by default, and a recording's
   trace.dat of a few GB is already a long one. */
#define MMT_TAR_MAX_FILE (16ull << 30)
/* Bytes of all extracted files together: what the temporary directory must
   hold. */
#define MMT_TREE_MAX_BYTES (32ull << 30)
/* Bytes of the tar stream read (after decompression), skipped members
   included: bounds the time a bomb of declined members costs. */
#define MMT_TAR_MAX_STREAM (256ull << 30)

struct mmt_tar_limits {
	uint64_t members, depth, path, file_bytes, total_bytes, stream_bytes;
};

/* The limits above, which mmt_tar_extract applies. */
extern const struct mmt_tar_limits mmt_tar_limits_default;

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
 * Refuses it too when it passes one of the limits above, naming the member and the
 * limit ("member 'x': 20000000000 bytes, more than a file may have (MMT_TAR_MAX_FILE,
 * 17179869184)").
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
/* The same with other limits (tests reach them with small archives). */
int mmt_tar_extract_limited(const char *archive, const char *dest, mmt_tar_want want,
			    void *ctx, const struct mmt_tar_limits *limits,
			    struct mmt_tar_stats *stats, struct mmt_err *err);
#endif
