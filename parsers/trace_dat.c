/*
 * trace-cmd's binary traces (trace.dat, file versions 6 and 7, compressed
 * or not, with buffer instances), read through libtracecmd and
 * libtraceevent into the trace sink (trace_sink.h).
 *
 * The file's layout is read first (trace_dat_layout.c): libtracecmd gets
 * the file itself when it is whole, or a repaired copy describing only
 * the data present when it was cut short, since libtracecmd refuses (or
 * crashes on) such files. Events of all buffers come out merged by time,
 * in the order tracecmd_iterate_events_multi() gives them, from a merge of
 * our own that can stop: libtracecmd 3.1.6 keeps all the data it has
 * decompressed (and its mappings of uncompressed data) until the file is
 * closed, so the trace is read in windows of TDAT_WINDOW record bytes,
 * each ending with the file closed and opened again where every CPU of
 * every buffer stood (trace_dat.h). Each event type is declared to the sink
 * once, with one column per field of its format and a companion
 * <field>_sym for addresses the kernel prints as symbols; kernel_stack
 * records become the stack of the event before them on their CPU, as
 * `trace-cmd report` shows them.
 */
#include "parsers/parser.h"
#include "parsers/trace_dat.h"
#include "parsers/trace_dat_layout.h"
#include "parsers/trace_dat_decode.h"
#include "parsers/trace_sink.h"
#include "core/io.h"
#include "core/stack.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <trace-cmd.h>

/* gcc says ASan is on with a macro, clang with a feature test. */
#if !defined(__SANITIZE_ADDRESS__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

#ifdef __SANITIZE_ADDRESS__
void __sanitizer_set_death_callback(void (*callback)(void));
#endif

#define CHECK_EVERY 4096	/* records between progress reports */
/*
 * Record bytes read between two reopenings of the file. libtracecmd's
 * memory grows by about as much (decompressed chunks, or resident pages of
 * its mappings); opening costs about 40 ms for a trace with a whole
 * kallsyms (5 MB), as long as storing 2 MB of records takes. On
 * bench/trace.sh's trace (5.6 million events, 200 MB of records) 24 MiB
 * means 8 reopenings, a peak RSS of 47 MB instead of 227 MB, and no loss
 * of speed; 16 MiB saves 3 MB more for 4 more reopenings, 64 MiB costs
 * 40 MB more.
 */
#define TDAT_WINDOW (24u << 20)

static uint64_t window_bytes = TDAT_WINDOW;
static uint64_t last_reopens;

void tdat_set_window(uint64_t bytes)
{
	window_bytes = bytes ? bytes : TDAT_WINDOW;
}

uint64_t tdat_last_reopens(void)
{
	return last_reopens;
}

/* Where a buffer's events come from, and what was last seen of each CPU. */
struct tdat_stream {
	int64_t prev_event;		/* the last event stored, for a stack after it */
	bool prev_has_stack;
	bool seen;
	uint64_t first, last;		/* record offsets */
};

struct tdat_handle {
	struct tracecmd_input *h;
	size_t buffer;			/* index in the layout */
};

/* What opened in the trial child (trial_open): the parent opens no more. */
struct tdat_trial {
	bool known;			/* false: no trial was made (or could be) */
	bool timed_out;			/* the child was still opening after TRIAL_MAX_SECS */
	unsigned char *instance_ok;	/* by instance index: 1 when it opened */
	int ninstances;
};

/* The next record of one CPU of one handle, read ahead for the merge. */
struct tdat_head {
	struct tep_record *rec;		/* NULL when none is read ahead */
	unsigned long long ts;		/* rec's */
	unsigned long long resume;	/* where to read on after a reopening */
	bool done;			/* the CPU has no more records */
};

struct tdat {
	struct mmt_input *in;
	struct mmt_store *st;
	struct mmt_err *err;
	struct mmt_trace_sink *sink;
	struct tdat_layout lay;
	struct tdat_decoder dec;
	struct tracecmd_input *top;	/* the file's handle (its top buffer's) */
	int copy;			/* the repaired copy libtracecmd reads, or -1 */
	dev_t lib_dev;			/* the file libtracecmd reads */
	ino_t lib_ino;
	struct tdat_handle *handles;	/* the buffers merged, in libtracecmd's order */
	size_t nhandles;
	int ncpu_slots;			/* CPUs per buffer: highest CPU id + 1 */
	struct tdat_head *heads;	/* handle * ncpu_slots + CPU index */
	uint64_t window_used;		/* record bytes read since the file was opened */
	uint64_t reopens;
	size_t buffer_now;		/* buffer of the events being stored */
	struct tdat_stream *streams;
	struct mmt_stack stack;
	int64_t records;
	struct tdat_trial trial;	/* of the file libtracecmd reads */
};

static int probe(const char *head, size_t len)
{
	return len >= TDAT_MAGIC_LEN && !memcmp(head, TDAT_MAGIC, TDAT_MAGIC_LEN) ? 100 : 0;
}

/* ---- opening ---- */

/*
 * A descriptor of the file at src with an offset of its own, positioned
 * at its start: libtracecmd seeks and reads on it, then closes it.
 */
static int reopen_fd(int src, char *why, size_t n)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", src);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fd = fcntl(src, F_DUPFD_CLOEXEC, 0);
		if (fd >= 0 && lseek(fd, 0, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		snprintf(why, n, "cannot reopen: %s", strerror(errno));
	return fd;
}

/*
 * libtracecmd closes the descriptor it was given when it fails after
 * reading the header, not before: close it unless it already did.
 */
static void close_if_still(int fd, const struct stat *was)
{
	struct stat now;

	if (fstat(fd, &now) == 0 && now.st_dev == was->st_dev && now.st_ino == was->st_ino)
		close(fd);
}

/*
 * In the trial child a crash is the answer sought: a sanitizer's death
 * callback is not for it (libFuzzer's would write the input out as a crash
 * found, while the parent goes on and refuses the file).
 */
static void forget_death_callback(void)
{
#ifdef __SANITIZE_ADDRESS__
	__sanitizer_set_death_callback(NULL);
#endif
}

static size_t layout_buffer(const struct tdat_layout *lay, const char *name);

/*
 * The layout's buffer of instance i of h when the parent reads it (one
 * with data, open_buffers), else lay->nbuffers.
 */
static size_t instance_buffer(struct tracecmd_input *h, int i, const struct tdat_layout *lay)
{
	const char *name = tracecmd_buffer_instance_name(h, i);
	size_t b = name ? layout_buffer(lay, name) : lay->nbuffers;

	return b < lay->nbuffers && lay->buffers[b].ncpus ? b : lay->nbuffers;
}

/*
 * The handle of every buffer instance the parent reads opened and closed,
 * then h; ok[i] says whether instance i opened.
 */
static void open_instances_and_close(struct tracecmd_input *h, const struct tdat_layout *lay,
				     unsigned char *ok, int n)
{
	for (int i = 0; i < n; i++) {
		struct tracecmd_input *ih = instance_buffer(h, i, lay) < lay->nbuffers ?
			tracecmd_buffer_instance_handle(h, i) : NULL;

		ok[i] = ih != NULL;
		if (ih)
			tracecmd_close(ih);
	}
	tracecmd_close(h);
}

/* How the trial child ends. */
#define TRIAL_OPENED 0
#define TRIAL_REFUSED 3

/* The trial child: opens fd and its instances, says which opened on out. */
_Noreturn static void trial_child(int fd, const struct tdat_layout *lay, int out, pid_t parent)
{
	struct tracecmd_input *h;
	unsigned char *ok;
	int n;

	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	/* Ctrl-C, kill, or the parent's end stop it wherever libtracecmd is. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)	/* it ended before that took */
		_exit(TRIAL_REFUSED);
	forget_death_callback();
	/*
	 * Closed as the parent will close it: a crash there counts too, and a
	 * memory checker following the child finds nothing left.
	 */
	h = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!h)
		_exit(TRIAL_REFUSED);
	n = tracecmd_buffer_instances(h);
	if (n < 0)
		n = 0;
	ok = calloc((size_t)n + 1, 1);
	if (!ok)
		_exit(TRIAL_REFUSED);
	open_instances_and_close(h, lay, ok, n);
	if (mmt_write_all(out, ok, (size_t)n) < 0)
		_exit(TRIAL_REFUSED);
	free(ok);
	_exit(TRIAL_OPENED);
}

/*
 * Seconds the trial child may take to open a file: a whole trace opens in
 * well under one (40 ms for one with a 5 MB kallsyms), and some damaged
 * ones make libtracecmd loop for ever while opening (it follows a chain of
 * empty sections back to its start). Fuzz builds, whose inputs are at most
 * 64 KB, wait 1 s: at 20 s the loops took two thirds of a campaign's time.
 */
#ifndef TRIAL_MAX_SECS
#define TRIAL_MAX_SECS 20
#endif

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Waits up to the deadline for more of what the child says: 1 when there
 * is some (or its end), 0 when the deadline passed or the user asked to
 * stop.
 */
static int trial_ready(int in, double deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		double left = deadline - now_secs();
		int rc;

		if (left <= 0 || mmt_interrupted())
			return 0;
		rc = poll(&pfd, 1, left > 0.2 ? 200 : (int)(left * 1000) + 1);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return 1;	/* read() will say */
	}
}

/* All the child said, up to its end; false when it took too long. */
static bool read_trial(int in, struct tdat_trial *t)
{
	double deadline = now_secs() + TRIAL_MAX_SECS;
	size_t cap = 0;
	unsigned char buf[4096];
	ssize_t got;

	t->ninstances = 0;
	for (;;) {
		if (!trial_ready(in, deadline))
			return false;
		got = read(in, buf, sizeof(buf));
		if (got == 0 || (got < 0 && errno != EINTR))
			return true;
		if (got < 0)
			continue;
		xgrow((void **)&t->instance_ok, &cap, (size_t)t->ninstances + (size_t)got, 1);
		memcpy(t->instance_ok + t->ninstances, buf, (size_t)got);
		t->ninstances += (int)got;
	}
}

/*
 * libtracecmd 3.1.6 crashes when it cannot read the first page of a CPU
 * other than the last (its clean-up walks the page lists of the CPUs it
 * never set up), and in other clean-ups after an open fails: of a buffer
 * instance, and, seldom and not in the same way twice, of the file. So
 * the file and the instances of lay that have data are opened first in
 * a child, and the parent opens only what opened there: a failed open,
 * and its clean-up, happen only in the child. Returns TRIAL_OPENED (t
 * says which instances opened), TRIAL_REFUSED, or -1 when the child
 * crashed. fd's offset, shared with the child, is rewound.
 */
static int trial_open(int fd, const struct tdat_layout *lay, struct tdat_trial *t)
{
	int pipefd[2], status;
	pid_t pid, parent;

	free(t->instance_ok);
	*t = (struct tdat_trial){ 0 };
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return TRIAL_OPENED;	/* cannot tell: the open itself will say */
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		trial_child(fd, lay, pipefd[1], parent);
	}
	close(pipefd[1]);
	if (pid > 0 && !read_trial(pipefd[0], t)) {
		/* looping in libtracecmd, or the user asked to stop */
		kill(pid, SIGKILL);
		t->timed_out = !mmt_interrupted();
	}
	close(pipefd[0]);
	if (pid < 0)
		return TRIAL_OPENED;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return TRIAL_OPENED;
	lseek(fd, 0, SEEK_SET);
	if (!WIFEXITED(status) || t->timed_out)
		return -1;
	if (WEXITSTATUS(status) == TRIAL_OPENED)
		t->known = true;
	return WEXITSTATUS(status) == TRIAL_OPENED || WEXITSTATUS(status) == TRIAL_REFUSED ?
	       WEXITSTATUS(status) : -1;
}

/*
 * libtracecmd's handle of fd, which it then owns; NULL if it cannot read
 * it. trial: whether to find out first, in a child, that the open would
 * not crash; a file opened once opens again as it did, so a reopening for
 * the next window needs none.
 */
static struct tracecmd_input *library_open(struct tdat *p, int fd, bool trial)
{
	struct tracecmd_input *h;
	struct stat st;

	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	if (trial && trial_open(fd, &p->lay, &p->trial) != TRIAL_OPENED) {
		close(fd);
		return NULL;
	}
	h = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!h) {
		close_if_still(fd, &st);
		return NULL;
	}
	p->lib_dev = st.st_dev;
	p->lib_ino = st.st_ino;
	return h;
}

/*
 * NULL with why filled, or the library's handle of the file or of a
 * repaired copy, which is kept (p->copy) to be opened again.
 */
static struct tracecmd_input *try_open(struct tdat *p, bool repair, char *why, size_t n)
{
	int fd = repair ? tdat_repair(p->in->fd, &p->lay, why, n) : reopen_fd(p->in->fd, why, n);
	struct tracecmd_input *h;

	if (fd < 0)
		return NULL;
	h = library_open(p, fd, true);
	if (!h) {
		snprintf(why, n, "libtracecmd cannot read this trace.dat (version %d%s%s)",
			 p->lay.version, p->lay.compressed ? ", " : "",
			 p->lay.compressed ? p->lay.compression : "");
		return NULL;
	}
	if (repair) {
		p->copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (p->copy < 0) {
			snprintf(why, n, "cannot keep the repaired copy: %s", strerror(errno));
			tracecmd_close(h);
			return NULL;
		}
	}
	return h;
}

/*
 * libtracecmd reads the first page (or compressed chunk) of every CPU when
 * it opens a file, and refuses the file if one is unreadable: the file
 * without that CPU's data is the most of it that can be read.
 */
static struct tracecmd_input *open_without_one_cpu(struct tdat *p)
{
	for (size_t b = 0; b < p->lay.nbuffers; b++)
		for (size_t k = 0; k < p->lay.buffers[b].ncpus; k++) {
			struct tdat_cpu *c = &p->lay.buffers[b].cpus[k];
			uint64_t present = c->present;
			struct tracecmd_input *h;
			char why[256];

			if (!present || (!c->size_at && p->lay.buffers[b].described))
				continue;
			c->present = 0;
			c->dropped = true;
			h = try_open(p, true, why, sizeof(why));
			if (h)
				return h;
			c->present = present;
			c->dropped = false;
		}
	return NULL;
}

static struct tracecmd_input *open_trace(struct tdat *p)
{
	char why[256];
	struct tracecmd_input *h = try_open(p, !tdat_whole(&p->lay), why, sizeof(why));

	if (!h && mmt_interrupted())
		snprintf(why, sizeof(why), "interrupted");
	else if (!h && p->trial.timed_out)	/* each other try could take as long */
		snprintf(why, sizeof(why), "libtracecmd did not finish opening this trace.dat "
			 "within %d s", TRIAL_MAX_SECS);
	else if (!h)
		h = open_without_one_cpu(p);
	if (!h)
		mmt_err_at(p->err, p->in->path, 0, "%s", why);
	return h;
}

/* The same file (or repaired copy) again, for the next window. */
static struct tracecmd_input *reopen_trace(struct tdat *p)
{
	char why[256];
	int fd = reopen_fd(p->copy >= 0 ? p->copy : p->in->fd, why, sizeof(why));

	return fd < 0 ? NULL : library_open(p, fd, false);
}

static size_t layout_buffer(const struct tdat_layout *lay, const char *name)
{
	for (size_t i = 0; i < lay->nbuffers; i++)
		if (!strcmp(lay->buffers[i].name, name))
			return i;
	return lay->nbuffers;
}

/*
 * Handle *k of the merge is h, of a buffer; reopened, the file must give
 * the same buffers in the same order.
 */
static bool place_handle(struct tdat *p, size_t *k, struct tracecmd_input *h, size_t buffer,
			 bool again)
{
	if (again && (*k >= p->nhandles || p->handles[*k].buffer != buffer))
		return false;
	if (!again) {
		p->handles[*k].buffer = buffer;
		p->nhandles++;
	}
	p->handles[(*k)++].h = h;
	return true;
}

static bool opened_in_trial(const struct tdat_trial *t, int i)
{
	return !t->known || (i < t->ninstances && t->instance_ok[i]);
}

/*
 * The top buffer and every instance that has data, each with its handle;
 * again: after a reopening, where the instances must be as before.
 */
static int open_buffers(struct tdat *p, bool again)
{
	size_t b = layout_buffer(&p->lay, ""), k = 0;
	int n = tracecmd_buffer_instances(p->top);

	if (!again)
		p->handles = xcalloc((size_t)n + 1, sizeof(*p->handles));
	if (b < p->lay.nbuffers && p->lay.buffers[b].ncpus && !place_handle(p, &k, p->top, b, again))
		return -1;
	for (int i = 0; i < n; i++) {
		const char *name = tracecmd_buffer_instance_name(p->top, i);
		struct tracecmd_input *ih;

		b = instance_buffer(p->top, i, &p->lay);
		if (b == p->lay.nbuffers)
			continue;
		ih = opened_in_trial(&p->trial, i) ? tracecmd_buffer_instance_handle(p->top, i)
			: NULL;
		if (!ih && !again)
			mmt_trace_skip(p->sink, "instance %s: libtracecmd cannot read it", name);
		if (ih && !place_handle(p, &k, ih, b, again)) {
			tracecmd_close(ih);
			return -1;
		}
	}
	return k == p->nhandles ? 0 : -1;
}

static void close_buffers(struct tdat *p)
{
	for (size_t i = 0; i < p->nhandles; i++) {
		if (p->handles[i].h && p->handles[i].h != p->top)
			tracecmd_close(p->handles[i].h);
		p->handles[i].h = NULL;
	}
	if (p->top)
		tracecmd_close(p->top);
	p->top = NULL;
	tdat_unmap_left(p->lib_dev, p->lib_ino);
}

/* ---- events ---- */

static struct tdat_stream *stream_of(struct tdat *p, size_t buffer, int cpu)
{
	if (cpu < 0 || cpu >= p->ncpu_slots)
		return NULL;
	return &p->streams[buffer * (size_t)p->ncpu_slots + (size_t)cpu];
}

static int switch_buffer(struct tdat *p, size_t buffer)
{
	const char *name = p->lay.buffers[buffer].name;

	p->buffer_now = buffer;
	return mmt_trace_set_instance(p->sink, name[0] ? name : NULL);
}

/* Where a record is: in the file, or in the decompressed data of its CPU. */
static const char *record_place(const struct tdat *p)
{
	return p->lay.compressed ? "decompressed offset" : "offset";
}

/* A kernel_stack record: the stack of the event before it on its CPU. */
static int attach_stack(struct tdat *p, struct tdat_stream *s, const struct tdat_type *t,
			struct tep_event *ev, struct tep_record *rec)
{
	tdat_stack(&p->dec, t, rec, &p->stack);
	if (!s || !s->prev_event || s->prev_has_stack) {
		mmt_trace_skip(p->sink, "%s 0x%llx: a %s on CPU %d follows no event to "
			       "attach it to", record_place(p), (unsigned long long)rec->offset,
			       ev->name, rec->cpu);
		return 0;
	}
	s->prev_has_stack = true;
	return mmt_trace_stack(p->sink, s->prev_event, &p->stack);
}

/*
 * Whether rec's data lies inside its page. An event's header gives its
 * length, and kbuffer believes the last event's of a page even when it
 * runs past the page (into memory that is not the trace's, or not
 * mapped). Pages start at multiples of the page size, in the file as in
 * the unpacked data (the layout check leaves out data that does not).
 */
static bool inside_page(const struct tdat *p, const struct tep_record *rec)
{
	uint64_t page = p->lay.page_size;
	uint64_t at;

	if (rec->size < 0 || rec->record_size < rec->size)
		return false;
	at = rec->offset % page + (uint64_t)(rec->record_size - rec->size);
	return at <= page && (uint64_t)rec->size <= page - at;
}

static int store_record(struct tdat *p, struct tdat_stream *s, struct tep_record *rec)
{
	struct tep_event *ev;
	struct tdat_type *t;
	struct mmt_trace_common c;
	int64_t id;

	if (!inside_page(p, rec)) {
		mmt_trace_skip(p->sink, "%s 0x%llx: CPU %d: a record of %d bytes runs past the end "
			       "of its page", record_place(p), (unsigned long long)rec->offset,
			       rec->cpu, rec->size);
		return 0;
	}
	ev = tep_find_event_by_record(p->dec.tep, rec);
	if (!ev) {
		mmt_trace_skip(p->sink, "%s 0x%llx: CPU %d: unknown event type %d",
			       record_place(p), (unsigned long long)rec->offset, rec->cpu,
			       tep_data_type(p->dec.tep, rec));
		return 0;
	}
	t = tdat_type(&p->dec, ev, p->sink);
	if (!t)
		return -1;
	if (t->is_stack)
		return attach_stack(p, s, t, ev, rec);
	tdat_common(&p->dec, t, rec, &c);
	if (p->lay.buffers[p->buffer_now].cpus_unknown)
		c.cpu = -1;
	id = mmt_trace_event(p->sink, t->t, &c, tdat_values(&p->dec, t, rec));
	if (id < 0)
		return -1;
	if (s) {
		s->prev_event = id;
		s->prev_has_stack = false;
	}
	return 0;
}

/* Bytes of the file read so far, judged from how far each CPU has got. */
static uint64_t bytes_done(const struct tdat *p)
{
	double done = 0;

	for (size_t b = 0; b < p->lay.nbuffers; b++)
		for (size_t k = 0; k < p->lay.buffers[b].ncpus; k++) {
			const struct tdat_cpu *c = &p->lay.buffers[b].cpus[k];
			struct tdat_stream *s = &p->streams[b * (size_t)p->ncpu_slots +
							    (size_t)c->cpu];

			if (s->seen && c->unpacked)
				done += (double)c->present * (double)(s->last - s->first) /
					(double)c->unpacked;
		}
	return done < (double)p->in->size ? (uint64_t)done : p->in->size;
}

/* One record of handle hi, in time order; -1 (p->err filled) to stop. */
static int on_record(struct tdat *p, size_t hi, struct tep_record *rec)
{
	size_t buffer = p->handles[hi].buffer;
	struct tdat_stream *s = stream_of(p, buffer, rec->cpu);

	if (buffer != p->buffer_now && switch_buffer(p, buffer) < 0)
		return -1;
	if (rec->missed_events)
		mmt_trace_lost(p->sink, rec->missed_events > 0 ? (uint64_t)rec->missed_events : 0);
	if (s) {
		if (!s->seen)
			s->first = rec->offset;
		s->seen = true;
		s->last = rec->offset;
	}
	if (store_record(p, s, rec) < 0)
		return -1;
	if (++p->records % CHECK_EVERY == 0) {
		if (mmt_interrupted())
			return mmt_err_at(p->err, p->in->path, 0, "interrupted");
		mmt_input_progress(p->in, bytes_done(p));
	}
	return 0;
}

/*
 * libtracecmd ends a CPU's events at a page it cannot read, silently.
 * For uncompressed data the offsets say how far each CPU got: a CPU
 * whose last event lies before its last page with data stopped early.
 */
static void check_ends(struct tdat *p)
{
	if (p->lay.compressed)
		return;
	for (size_t b = 0; b < p->lay.nbuffers; b++)
		for (size_t k = 0; k < p->lay.buffers[b].ncpus; k++) {
			const struct tdat_buffer *buf = &p->lay.buffers[b];
			const struct tdat_cpu *c = &buf->cpus[k];
			struct tdat_stream *s = stream_of(p, b, c->cpu);
			uint64_t from = s && s->seen ? s->last / p->lay.page_size *
					p->lay.page_size + p->lay.page_size : c->offset;
			uint64_t last = tdat_last_data_page(p->in->fd, &p->lay, c);

			if (last && from <= last)
				mmt_trace_skip(p->sink, "offset 0x%llx: CPU %d%s%s: a page cannot "
					       "be read; its data from there on (%llu bytes) was "
					       "left out", (unsigned long long)from, c->cpu,
					       buf->name[0] ? " of instance " : "", buf->name,
					       (unsigned long long)(c->offset + c->present - from));
		}
}

/* ---- the merge, in windows ---- */

static void set_head(struct tdat_head *hd, struct tep_record *rec)
{
	hd->rec = rec;
	hd->done = !rec;
	hd->ts = rec ? rec->ts : 0;
}

/*
 * Whether rec lies past the record of its CPU read before it. On some
 * damaged pages libtracecmd gives the same record (or earlier ones) again
 * and again, for ever: that CPU's data ends there.
 */
static bool moves_on(struct tdat *p, size_t hi, const struct tep_record *rec)
{
	const struct tdat_stream *s = stream_of(p, p->handles[hi].buffer, rec->cpu);

	if (!s || !s->seen || rec->offset > s->last)
		return true;
	mmt_trace_skip(p->sink, "%s 0x%llx: CPU %d: libtracecmd read the record at %s 0x%llx "
		       "again; the CPU's data from there on was left out", record_place(p),
		       (unsigned long long)s->last, rec->cpu, record_place(p),
		       (unsigned long long)rec->offset);
	return false;
}

static void read_ahead(struct tdat *p, size_t k)
{
	size_t hi = k / (size_t)p->ncpu_slots;
	int cpu = (int)(k % (size_t)p->ncpu_slots);
	struct tep_record *rec = tracecmd_read_data(p->handles[hi].h, cpu);

	if (rec && !moves_on(p, hi, rec)) {
		tracecmd_free_record(rec);
		rec = NULL;
	}
	set_head(&p->heads[k], rec);
}

/*
 * The head read next: the earliest, the first in handle and CPU order
 * among equals, as tracecmd_iterate_events_multi() picks it. SIZE_MAX
 * when all are done.
 */
static size_t earliest(const struct tdat *p, size_t nheads)
{
	size_t best = SIZE_MAX;

	for (size_t k = 0; k < nheads; k++)
		if (p->heads[k].rec && (best == SIZE_MAX || p->heads[k].ts < p->heads[best].ts))
			best = k;
	return best;
}

/*
 * Ends a window: notes where each CPU stands (the offset of its next
 * record), closes the file, which frees all libtracecmd holds, opens it
 * again and reads each CPU's next record again with tracecmd_read_at(),
 * after which tracecmd_read_data() goes on from there. The decoder's
 * caches point into the old file's tep handle: they go too.
 */
static int next_window(struct tdat *p, size_t nheads)
{
	p->window_used = 0;
	if (earliest(p, nheads) == SIZE_MAX)
		return 0;
	for (size_t k = 0; k < nheads; k++)
		if (p->heads[k].rec) {
			p->heads[k].resume = p->heads[k].rec->offset;
			tracecmd_free_record(p->heads[k].rec);
			p->heads[k].rec = NULL;
		}
	close_buffers(p);
	tdat_decoder_rebind(&p->dec, NULL);
	p->top = reopen_trace(p);
	if (!p->top || open_buffers(p, true) < 0)
		goto fail;
	tdat_decoder_rebind(&p->dec, tracecmd_get_tep(p->top));
	p->reopens++;
	for (size_t k = 0; k < nheads; k++) {
		size_t hi = k / (size_t)p->ncpu_slots;
		int cpu = -1;

		if (p->heads[k].done)
			continue;
		set_head(&p->heads[k], tracecmd_read_at(p->handles[hi].h, p->heads[k].resume,
							&cpu));
		if (!p->heads[k].rec || p->heads[k].rec->offset != p->heads[k].resume ||
		    cpu != (int)(k % (size_t)p->ncpu_slots))
			goto fail;
	}
	return 0;
fail:
	return mmt_err_at(p->err, p->in->path, 0, "libtracecmd cannot read this trace.dat "
			  "again from where it stopped (%lld events stored)",
			  (long long)p->records);
}

/* Every handle's CPUs merged by time, in windows of window_bytes. */
static int merge(struct tdat *p)
{
	size_t nheads = p->nhandles * (size_t)p->ncpu_slots, k;

	p->heads = xcalloc(nheads ? nheads : 1, sizeof(*p->heads));
	for (k = 0; k < nheads; k++)
		read_ahead(p, k);
	while ((k = earliest(p, nheads)) != SIZE_MAX) {
		struct tep_record *rec = p->heads[k].rec;
		int rc;

		p->heads[k].rec = NULL;
		rc = on_record(p, k / (size_t)p->ncpu_slots, rec);
		p->window_used += (uint64_t)rec->record_size;
		tracecmd_free_record(rec);
		if (rc < 0)
			return -1;
		read_ahead(p, k);
		if (p->window_used >= window_bytes && next_window(p, nheads) < 0)
			return -1;
	}
	return 0;
}

/* CPUs per buffer: the highest CPU id + 1, and at least the trace's CPUs. */
static int cpu_slots(const struct tdat_layout *lay)
{
	int n = lay->cpus > 0 ? lay->cpus : 1;

	for (size_t b = 0; b < lay->nbuffers; b++)
		for (size_t k = 0; k < lay->buffers[b].ncpus; k++)
			if (lay->buffers[b].cpus[k].cpu >= n)
				n = lay->buffers[b].cpus[k].cpu + 1;
	return n;
}

static int read_events(struct tdat *p)
{
	int rc;

	p->ncpu_slots = cpu_slots(&p->lay);
	p->streams = xcalloc(p->lay.nbuffers * (size_t)p->ncpu_slots, sizeof(*p->streams));
	open_buffers(p, false);
	p->buffer_now = layout_buffer(&p->lay, "");
	rc = merge(p);
	if (rc == 0)
		check_ends(p);
	for (size_t k = 0; p->heads && k < p->nhandles * (size_t)p->ncpu_slots; k++)
		tracecmd_free_record(p->heads[k].rec);
	close_buffers(p);
	return rc;
}

/* ---- the whole file ---- */

/* "Linux host 6.1.0-9-amd64 x86_64": the third word is the release. */
static void kernel_release(const char *uname, char *out, size_t n)
{
	char sys[64], node[256], rel[128];

	if (sscanf(uname, "%63s %255s %127s", sys, node, rel) == 3)
		snprintf(out, n, "%s", rel);
}

/* sources.format: the file version and compression. */
static const char *format_name(const struct tdat_layout *lay)
{
	if (lay->version == 6)
		return "trace.dat v6";
	if (!lay->compressed)
		return "trace.dat v7";
	if (!strcmp(lay->compression, "zstd"))
		return "trace.dat v7 zstd";
	if (!strcmp(lay->compression, "zlib"))
		return "trace.dat v7 zlib";
	return "trace.dat v7 compressed";
}

static void describe(struct tdat *p)
{
	p->in->format = format_name(&p->lay);
	kernel_release(p->lay.uname, p->in->kernel, sizeof(p->in->kernel));
	mmt_trace_set_clock(p->sink, p->lay.clock[0] ? p->lay.clock : NULL, p->lay.cpus);
	for (size_t i = 0; i < p->lay.ndamage; i++)
		mmt_trace_skip(p->sink, "%s", p->lay.damage[i]);
	for (size_t b = 0; b < p->lay.nbuffers; b++)
		for (size_t k = 0; k < p->lay.buffers[b].ncpus; k++) {
			const struct tdat_buffer *buf = &p->lay.buffers[b];
			const struct tdat_cpu *c = &buf->cpus[k];

			if (c->dropped)
				mmt_trace_skip(p->sink, "offset 0x%llx: CPU %d%s%s: its data cannot "
					       "be read from its start; all %llu bytes left out",
					       (unsigned long long)c->offset, c->cpu,
					       buf->name[0] ? " of instance " : "", buf->name,
					       (unsigned long long)c->size);
		}
}

static int parse_trace(struct tdat *p)
{
	int rc;

	p->top = open_trace(p);
	if (!p->top)
		return -1;
	tdat_decoder_init(&p->dec, tracecmd_get_tep(p->top), p->lay.long_size);
	p->sink = mmt_trace_open(p->in, p->st, p->err);
	if (!p->sink) {
		close_buffers(p);
		return -1;
	}
	describe(p);
	rc = read_events(p);
	return mmt_trace_close(p->sink, rc == 0);
}

static int parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	struct tdat p = { .in = in, .st = st, .err = err, .copy = -1 };
	char why[256];
	int rc;

	if (tdat_scan(in->fd, in->size, &p.lay, why, sizeof(why)) < 0)
		return mmt_err_at(err, in->path, 0, "cannot read the trace.dat header: %s", why);
	mmt_stack_init(&p.stack);
	rc = parse_trace(&p);
	last_reopens = p.reopens;
	mmt_stack_free(&p.stack);
	tdat_decoder_free(&p.dec);
	free(p.streams);
	free(p.heads);
	free(p.handles);
	free(p.trial.instance_ok);
	if (p.copy >= 0)
		close(p.copy);
	tdat_layout_free(&p.lay);
	return rc;
}

#ifdef __SANITIZE_ADDRESS__
/*
 * libtracecmd 3.1.6 leaks: the trace clock of every version 6 file (parsed
 * twice, the first copy lost, allocated by sscanf's %ms) and a little of
 * every open that fails; libtraceevent a little of some malformed event
 * formats. Not ours to free; LeakSanitizer is told so.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtracecmd.so\nleak:tracecmd_parse_trace_clock\nleak:__isoc99_vsscanf\n"
	       "leak:libtraceevent.so\n";
}

const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

const struct mmt_parser mmt_parser_trace_dat = {
	.name = "trace_dat",
	.help = "trace-cmd's binary trace (trace.dat, versions 6 and 7)",
	.probe = probe,
	.parse = parse,
};
