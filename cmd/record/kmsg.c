/*
 * The kernel log of `mmtriage record` (snap.h): /dev/kmsg records, copied
 * as read into DIR/kmsg.txt (and those already in the ring at the start
 * into DIR/kmsg-before.txt). A read of /dev/kmsg returns one whole record
 * ("PRI,SEQ,USEC,FLAGS;text\n" and any " KEY=value\n" lines the driver
 * attached), so records are never cut. The ring overwrites what no one read
 * in time: the kernel then fails one read with EPIPE and goes on at the
 * oldest record it still has, and the jump of the sequence numbers is the
 * count of records lost.
 */
#include "cmd/record/snap.h"
#include "core/io.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Twice the kernel's longest record (CONSOLE_EXT_LOG_MAX, 8 KiB). */
#define RECORD_MAX (16u << 10)
/* A pump that reads the whole ring at start writes every MiB. */
#define FLUSH_AT (1u << 20)

struct rec_kmsg {
	int in, out;
	char *out_path;
	char *buf;
	size_t len;
	uint64_t records, lost, bytes;
	uint64_t next_seq;	/* after the last record read; 0 before the first */
};

/* Opens DIR/NAME as the file records are appended to. */
static int open_out(struct rec_kmsg *k, const char *dir, const char *name,
		    struct mmt_err *err)
{
	if (k->out >= 0)
		close(k->out);
	free(k->out_path);
	k->out_path = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(k->out_path, "%s/%s", dir, name);
	k->out = open(k->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (k->out < 0)
		return mmt_err_at(err, NULL, 0, "%s: cannot create: %s", k->out_path,
				  strerror(errno));
	return 0;
}

/*
 * What the ring held before the recording goes to kmsg-before.txt, which a
 * capture's ingest leaves out: on a machine up for weeks it holds reports
 * of other days, which would be diagnosed as this recording's. Whoever
 * wants them ingests the file by name.
 */
static int save_ring(struct rec_kmsg *k, const char *dir, struct mmt_err *err)
{
	if (open_out(k, dir, "kmsg-before.txt", err) < 0 || rec_kmsg_pump(k, err) < 0)
		return -1;
	k->records = k->bytes = 0;
	return open_out(k, dir, "kmsg.txt", err);
}

struct rec_kmsg *rec_kmsg_open(const char *dir, const char *kmsg_path, struct mmt_err *err)
{
	struct rec_kmsg *k = xcalloc(1, sizeof(*k));

	k->out = -1;
	k->buf = xmalloc(FLUSH_AT + RECORD_MAX);
	k->in = open(kmsg_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->in < 0) {
		mmt_err_at(err, NULL, 0, "%s: cannot open: %s", kmsg_path, strerror(errno));
		rec_kmsg_close(k);
		return NULL;
	}
	if (save_ring(k, dir, err) < 0) {
		rec_kmsg_close(k);
		return NULL;
	}
	return k;
}

int rec_kmsg_fd(const struct rec_kmsg *k)
{
	return k->in;
}

/* The SEQ of "PRI,SEQ,...": records skipped since the last one are lost. */
static void count_gap(struct rec_kmsg *k, const char *rec, size_t n)
{
	const char *comma = memchr(rec, ',', n);
	uint64_t seq = 0;
	size_t i;

	if (!comma)
		return;
	i = (size_t)(comma - rec) + 1;
	if (i >= n || rec[i] < '0' || rec[i] > '9')
		return;
	for (; i < n && rec[i] >= '0' && rec[i] <= '9'; i++)
		seq = seq * 10 + (uint64_t)(rec[i] - '0');
	if (k->next_seq && seq > k->next_seq)
		k->lost += seq - k->next_seq;
	k->next_seq = seq + 1;
}

static int flush(struct rec_kmsg *k, struct mmt_err *err)
{
	if (!k->len)
		return 0;
	if (mmt_write_all(k->out, k->buf, k->len) < 0)
		return mmt_err_at(err, NULL, 0, "%s: cannot write: %s", k->out_path,
				  strerror(errno));
	k->bytes += k->len;
	k->len = 0;
	return 0;
}

/* One record into the buffer: 1, 0 when there is none now, -1 on error. */
static int read_record(struct rec_kmsg *k, struct mmt_err *err)
{
	for (;;) {
		ssize_t got = read(k->in, k->buf + k->len, RECORD_MAX);

		if (got > 0) {
			count_gap(k, k->buf + k->len, (size_t)got);
			k->len += (size_t)got;
			return 1;
		}
		if (got == 0 || errno == EAGAIN)
			return 0;
		/* EPIPE: overwritten records, counted by the next one's SEQ. */
		if (errno != EINTR && errno != EPIPE)
			return mmt_err_at(err, NULL, 0, "cannot read the kernel log: %s",
					  strerror(errno));
	}
}

long rec_kmsg_pump(struct rec_kmsg *k, struct mmt_err *err)
{
	long n = 0;
	int rc;

	while ((rc = read_record(k, err)) > 0) {
		n++;
		k->records++;
		if (k->len >= FLUSH_AT && flush(k, err) < 0)
			return -1;
	}
	if (flush(k, err) < 0 || rc < 0)
		return -1;
	return n;
}

uint64_t rec_kmsg_records(const struct rec_kmsg *k)
{
	return k->records;
}

uint64_t rec_kmsg_lost(const struct rec_kmsg *k)
{
	return k->lost;
}

uint64_t rec_kmsg_bytes(const struct rec_kmsg *k)
{
	return k->bytes;
}

void rec_kmsg_close(struct rec_kmsg *k)
{
	if (!k)
		return;
	if (k->in >= 0)
		close(k->in);
	if (k->out >= 0)
		close(k->out);
	free(k->out_path);
	free(k->buf);
	free(k);
}
