/* Crash dumps: recognising them and reading them with crash or makedumpfile. See vmcore.h. */
#include "parsers/vmcore.h"
#include "parsers/crash_list.h"
#include "core/lines.h"
#include "core/run.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOTES_MAX ((size_t)1 << 20)	/* bytes of a PT_NOTE read when looking for VMCOREINFO */
#define DEFAULT_STACK_SIZE 16384	/* x86_64's THREAD_SIZE without KASAN */
/* kdump-compressed header: status bit of a dump makedumpfile could not finish */
#define DUMP_DH_COMPRESSED_INCOMPLETE 0x8u
#define KDUMP_STATUS_AT 0x1c0	/* 8 + 4 + 6 * 65 (new_utsname) + 2 pad + 16 (timeval) */

/* The commands of the session, in the order a reader would type them. */
static const char list_command[] = CRASH_LIST_COMMAND;
static const char *const session_commands[] = {
	"sys", "mach", "log", "ps", "foreach bt", "bt -a", "kmem -i", "kmem -s", "kmem -V",
	"irq -s", list_command, CRASH_THREAD_HEAD_COMMAND, NULL,
};

const char *mmt_vmcore_format_name(enum mmt_vmcore_format f)
{
	switch (f) {
	case MMT_VMCORE_ELF: return "ELF vmcore";
	case MMT_VMCORE_KDUMP: return "kdump-compressed vmcore";
	case MMT_VMCORE_FLAT: return "flattened vmcore (makedumpfile -F)";
	default: return "not a vmcore";
	}
}

/* A note named VMCOREINFO (kdump, QEMU with -device vmcoreinfo) or QEMU. */
static bool kernel_notes(const unsigned char *p, size_t n)
{
	size_t at = 0;

	while (at + 12 <= n) {
		uint32_t namesz, descsz;

		memcpy(&namesz, p + at, 4);
		memcpy(&descsz, p + at + 4, 4);
		at += 12;
		if (namesz > n - at)
			return false;
		if ((namesz == 11 && !memcmp(p + at, "VMCOREINFO", 10)) ||
		    (namesz == 5 && !memcmp(p + at, "QEMU", 4)))
			return true;
		at += ((size_t)namesz + 3) & ~(size_t)3;
		if (descsz > n - at)
			return false;
		at += ((size_t)descsz + 3) & ~(size_t)3;
	}
	return false;
}

static bool note_segment_says_kernel(int fd, uint64_t off, uint64_t size)
{
	size_t n = size < NOTES_MAX ? (size_t)size : NOTES_MAX;
	unsigned char *p = xmalloc(n ? n : 1);
	ssize_t got = pread(fd, p, n, (off_t)off);
	bool yes = got > 0 && kernel_notes(p, (size_t)got);

	free(p);
	return yes;
}

/* The ELF header of a 64-bit core whose program headers are ELF64's. */
static bool elf64_core_header(int fd, Elf64_Ehdr *eh)
{
	return pread(fd, eh, sizeof(*eh), 0) == (ssize_t)sizeof(*eh) && eh->e_type == ET_CORE &&
	       eh->e_phentsize == sizeof(Elf64_Phdr);
}

/* Program header i of the file whose ELF header is eh. */
static bool elf64_phdr(int fd, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
	return pread(fd, ph, sizeof(*ph), (off_t)(eh->e_phoff + (uint64_t)i * sizeof(*ph))) ==
	       (ssize_t)sizeof(*ph);
}

/* A 64-bit ELF core: true when one of its notes says it is a kernel's. */
static bool elf64_kernel_core(int fd)
{
	Elf64_Ehdr eh;

	if (!elf64_core_header(fd, &eh))
		return false;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (!elf64_phdr(fd, &eh, i, &ph))
			return false;
		if (ph.p_type == PT_NOTE && note_segment_says_kernel(fd, ph.p_offset, ph.p_filesz))
			return true;
	}
	return false;
}

static enum mmt_vmcore_format sniff_fd(int fd)
{
	unsigned char h[EI_NIDENT];

	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return MMT_VMCORE_NONE;
	if (!memcmp(h, "KDUMP   ", 8))
		return MMT_VMCORE_KDUMP;
	if (!memcmp(h, "makedumpfile", 12))
		return MMT_VMCORE_FLAT;
	if (!memcmp(h, ELFMAG, SELFMAG) && h[EI_CLASS] == ELFCLASS64 && elf64_kernel_core(fd))
		return MMT_VMCORE_ELF;
	return MMT_VMCORE_NONE;
}

enum mmt_vmcore_format mmt_vmcore_detect(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat sb;
	enum mmt_vmcore_format f = MMT_VMCORE_NONE;

	if (fd < 0)
		return f;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		f = sniff_fd(fd);
	close(fd);
	return f;
}

/* The end of the last segment an ELF core's headers describe. */
static uint64_t elf64_described_end(int fd)
{
	Elf64_Ehdr eh;
	uint64_t end = 0;

	if (!elf64_core_header(fd, &eh))
		return 0;
	end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (!elf64_phdr(fd, &eh, i, &ph))
			break;
		if (ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	return end;
}

/*
 * A dump cut short (copied off a full disk, a transfer stopped) reads as
 * zeros or garbage past its end, and crash's answers from there are wrong
 * without saying so: refused here, with the figures.
 */
static int check_whole(const char *path, enum mmt_vmcore_format f, struct mmt_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	uint32_t status = 0;
	int rc = 0;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		rc = mmt_err_at(err, path, 0, "cannot read: %s", strerror(errno));
	} else if (f == MMT_VMCORE_ELF) {
		uint64_t want = elf64_described_end(fd);

		if (want > (uint64_t)sb.st_size)
			rc = mmt_err_at(err, path, 0, "truncated: its headers describe %" PRIu64
					" bytes, the file holds %jd", want, (intmax_t)sb.st_size);
	} else if (f == MMT_VMCORE_KDUMP &&
		   pread(fd, &status, sizeof(status), KDUMP_STATUS_AT) == (ssize_t)sizeof(status) &&
		   (status & DUMP_DH_COMPRESSED_INCOMPLETE)) {
		rc = mmt_err_at(err, path, 0, "an incomplete dump: makedumpfile marked it unfinished "
				"(it ran out of space while writing)");
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

struct session {
	enum mmt_vmcore_format format;
	const char *path, *vmlinux, *dir;
	struct mmt_vmcore_info *info;
	mmt_vmcore_tick tick;
	void *ctx;
	char *given;	/* the name crash is given for path (dump_link) */
};

static void run_tick(void *ctx, uint64_t bytes)
{
	struct session *s = ctx;

	if (s->tick)
		s->tick(s->ctx, "crash", bytes);
}

static char *in_dir(const char *dir, const char *name)
{
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);

	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* Writes a crash input file: each command after the echo of its prompt line. */
static int write_script(const char *file, const char *const *cmds, size_t n,
			const char *shown, struct mmt_err *err)
{
	FILE *f = fopen(file, "w");

	if (!f)
		return mmt_err_at(err, shown, 0, "cannot write %s: %s", file, strerror(errno));
	for (size_t i = 0; i < n; i++)
		fprintf(f, "!echo 'crash> %s'\n%s\n", cmds[i], cmds[i]);
	fprintf(f, "exit\n");
	if (fclose(f) != 0)
		return mmt_err_at(err, shown, 0, "cannot write %s: %s", file, strerror(errno));
	return 0;
}

/* The first line of what a program printed (its version), "" when none. */
static void first_line_of(const char *const *argv, const char *package, char *out, size_t cap)
{
	struct mmt_err err = { 0 };
	struct mmt_run r = { .argv = argv, .package = package, .shown = argv[0], .in_fd = -1,
			     .max_secs = 30 };
	FILE *f = tmpfile();
	char line[256];

	out[0] = '\0';
	if (!f)
		return;
	r.out_fd = fileno(f);
	if (mmt_run(&r, &err) >= 0) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0]) {
				snprintf(out, cap, "%s", line);
				break;
			}
		}
	}
	fclose(f);
}

/* crash's own words for a dump it cannot use, turned into the error. */
static const char *const crash_refusals[] = {
	"do not match", "not a supported file format", "cannot determine base kernel version",
	"no debugging data available", "cannot find booted kernel", "read error",
	"seek error", "invalid kernel virtual address", NULL,
};

/*
 * Looks at the start of the session (crash says why it gave up before its
 * first prompt): fails naming the first "crash: ..." line that refuses.
 */
static int session_refused(const char *file, const struct session *s, int status,
			   struct mmt_err *err)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	bool prompt = false;
	int rc = 0;

	if (!f)
		return mmt_err_at(err, s->path, 0, "crash wrote nothing: %s", strerror(errno));
	while (!rc && !prompt && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		prompt = !strncmp(line, "crash> ", 7);
		for (size_t i = 0; !prompt && crash_refusals[i]; i++)
			if (!strncmp(line, "crash: ", 7) && strstr(line, crash_refusals[i]))
				rc = mmt_err_at(err, s->path, 0, "crash refused it: %s",
						line + 7);
	}
	fclose(f);
	if (!rc && !prompt)
		rc = mmt_err_at(err, s->path, 0, "crash stopped before its first command "
				"(exit status %d): see 'crash -s %s %s'", status, s->vmlinux, s->path);
	return rc;
}

static int run_crash(struct session *s, const char *script, int out_fd, struct mmt_err *err)
{
	const char *argv[] = { "crash", "-s", s->vmlinux, s->given, "-i", script, NULL };
	struct mmt_run r = { .argv = argv, .package = "crash", .shown = s->path, .in_fd = -1,
			     .out_fd = out_fd, .max_secs = MMT_VMCORE_MAX_SECS,
			     .tick = run_tick, .ctx = s };

	return mmt_run(&r, err);
}

/* What the first session said that the second needs. */
struct first_pass {
	struct mmt_vmcore_info *info;
	struct crash_list list;
	int64_t *ps_pids;
	size_t nps, cap;
	uint64_t stack_size;
	int64_t thread_head;	/* offset of signal_struct.thread_head, -1 unknown */
	struct crash_walks walks;
};

static void note_ps_row(struct first_pass *fp, const char *s, size_t n)
{
	char buf[32];
	size_t i = 0, k = 0;

	if (n && s[0] == '>')
		i++;
	while (i < n && s[i] == ' ')
		i++;
	while (i < n && k + 1 < sizeof(buf) && s[i] >= '0' && s[i] <= '9')
		buf[k++] = s[i++];
	if (!k || i >= n || s[i] != ' ')
		return;
	buf[k] = '\0';
	xgrow((void **)&fp->ps_pids, &fp->cap, fp->nps + 1, sizeof(*fp->ps_pids));
	fp->ps_pids[fp->nps++] = strtoll(buf, NULL, 10);
}

/* "     RELEASE: 6.1.0-50-cloud-amd64", "    NODENAME: lab" of `sys`. */
static void sys_line(struct mmt_vmcore_info *info, const char *s)
{
	while (*s == ' ')
		s++;
	if (!strncmp(s, "RELEASE: ", 9))
		snprintf(info->release, sizeof(info->release), "%s", s + 9);
	else if (!strncmp(s, "NODENAME: ", 10))
		snprintf(info->hostname, sizeof(info->hostname), "%s", s + 10);
}

/* "    [16] struct list_head thread_head;" */
static void thread_head_line(struct first_pass *fp, const char *s)
{
	char *end;
	unsigned long long off;

	while (*s == ' ')
		s++;
	if (*s++ != '[' || *s < '0' || *s > '9')
		return;
	off = strtoull(s, &end, 10);
	if (!strcmp(end, "] struct list_head thread_head;"))
		fp->thread_head = (int64_t)off;
}

/* One line of the first session, in the section of command cmd. */
static void first_pass_line(struct first_pass *fp, const char *cmd, const char *s, size_t n,
			    long line)
{
	if (!strcmp(cmd, "ps"))
		note_ps_row(fp, s, n);
	else if (!strcmp(cmd, CRASH_LIST_COMMAND))
		crash_list_feed(&fp->list, s, n, line);
	else if (!strcmp(cmd, "mach") && n > 20 && !strncmp(s, "  KERNEL STACK SIZE: ", 21))
		fp->stack_size = strtoull(s + 21, NULL, 10);
	else if (!strcmp(cmd, "sys"))
		sys_line(fp->info, s);
	else if (!strcmp(cmd, CRASH_THREAD_HEAD_COMMAND))
		thread_head_line(fp, s);
	else if (!strncmp(cmd, CRASH_THREADS_PREFIX, strlen(CRASH_THREADS_PREFIX)))
		crash_walk_line(&fp->walks, s, n);
}

/* Reads the session from byte from on (what a later run appended). */
static int read_first_pass(const char *file, off_t from, struct first_pass *fp,
			   const char *shown, struct mmt_err *err)
{
	FILE *f = fopen(file, "r");
	char *line = NULL, cmd[160] = "";
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc;

	if (!f || fseeko(f, from, SEEK_SET) < 0) {
		rc = mmt_err_at(err, shown, 0, "cannot read %s: %s", file, strerror(errno));
		if (f)
			fclose(f);
		return rc;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!strncmp(line, "crash> ", 7)) {
			crash_walk_end(&fp->walks);
			snprintf(cmd, sizeof(cmd), "%s", line + 7);
		} else {
			first_pass_line(fp, cmd, line, (size_t)n, lineno);
		}
	}
	crash_walk_end(&fp->walks);
	free(line);
	fclose(f);
	return 0;
}

static bool listed_by_ps(const struct first_pass *fp, int64_t pid)
{
	for (size_t i = 0; i < fp->nps; i++)
		if (fp->ps_pids[i] == pid)
			return true;
	return false;
}

/* The commands of a crash run being built. */
struct commands {
	char **v;
	size_t n, cap;
};

static void command_add(struct commands *c, const char *cmd)
{
	xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	c->v[c->n++] = xstrdup(cmd);
}

static void commands_free(struct commands *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
}

/*
 * The `rd -s` commands for the stacks of tasks the list found and ps did
 * not: from the saved stack pointer to the top of the task's stack.
 */
static void add_scans(const struct first_pass *fp, struct commands *c)
{
	uint64_t size = fp->stack_size ? fp->stack_size : DEFAULT_STACK_SIZE;

	for (size_t i = 0; i < fp->list.n && c->n < MMT_VMCORE_MAX_SCANS; i++) {
		const struct crash_listed *t = &fp->list.v[i];
		char buf[96];

		if (t->pid <= 0 || listed_by_ps(fp, t->pid) || !t->stack ||
		    t->sp < t->stack || t->sp >= t->stack + size)
			continue;
		snprintf(buf, sizeof(buf), "rd -s %" PRIx64 " %" PRIu64, t->sp,
			 (t->stack + size - t->sp) / 8);
		command_add(c, buf);
	}
}

/* Each leader's walk of its threads, addresses only (crash_list.h). */
static void add_thread_walks(const struct first_pass *fp, struct commands *c)
{
	for (size_t i = 0; fp->thread_head >= 0 && i < fp->list.n; i++) {
		const struct crash_listed *t = &fp->list.v[i];
		char buf[sizeof(CRASH_THREADS_PREFIX) + 24];

		if (t->pid <= 0 || !t->signal)
			continue;
		snprintf(buf, sizeof(buf), CRASH_THREADS_COMMAND,
			 t->signal + (uint64_t)fp->thread_head);
		command_add(c, buf);
	}
}

/*
 * Threads the walks found besides their leaders, read from the output the
 * second run appended (from byte from on); -1 when it cannot be read.
 */
static ssize_t threads_walked(const char *session_file, off_t from, struct session *s,
			      struct mmt_err *err)
{
	struct first_pass fp = { .info = s->info, .thread_head = -1 };
	int rc = read_first_pass(session_file, from, &fp, s->path, err);

	free(fp.ps_pids);
	crash_list_free(&fp.list);
	return rc < 0 ? -1 : (ssize_t)fp.walks.threads;
}

static void lost_note(struct mmt_vmcore_info *info, const struct first_pass *fp, size_t scans,
		      ssize_t threads)
{
	int n = snprintf(info->lost, sizeof(info->lost), "crash's ps found %zu of the %zu tasks "
			 "of init_task's list: the stacks of the other %zu are scans (rd -s), "
			 "not backtraces", fp->nps, fp->list.n, scans);

	if (threads > 0 && n > 0 && (size_t)n < sizeof(info->lost))
		snprintf(info->lost + n, sizeof(info->lost) - (size_t)n, "; %zd threads of "
			 "multi-threaded processes are not read", threads);
}

/* The second run: commands c, its output appended to out_fd's session_file. */
static ssize_t run_second(struct session *s, const struct commands *c, const char *session_file,
			  int out_fd, struct mmt_err *err)
{
	char *script = in_dir(s->dir, "crash-scan-commands");
	struct stat sb;
	int rc = fstat(out_fd, &sb) < 0 ? mmt_err_at(err, s->path, 0, "cannot read %s: %s",
						      session_file, strerror(errno)) : 0;

	if (rc == 0)
		rc = write_script(script, (const char *const *)c->v, c->n, s->path, err);
	if (rc == 0)
		rc = run_crash(s, script, out_fd, err) < 0 ? -1 : 0;
	free(script);
	return rc < 0 ? -1 : threads_walked(session_file, sb.st_size, s, err);
}

/*
 * The second run, when the first listed tasks that ps could not: their
 * stack scans, and each leader's walk of its threads.
 */
static int scan_stacks(struct session *s, const char *session_file, int out_fd,
		       struct mmt_err *err)
{
	struct first_pass fp = { .info = s->info, .thread_head = -1 };
	struct commands c = { 0 };
	size_t scans = 0;
	int rc = read_first_pass(session_file, 0, &fp, s->path, err);

	if (rc == 0) {
		add_scans(&fp, &c);
		scans = c.n;
	}
	if (rc == 0 && scans) {
		ssize_t threads;

		add_thread_walks(&fp, &c);
		threads = run_second(s, &c, session_file, out_fd, err);
		rc = threads < 0 ? -1 : 0;
		s->info->tasks_scanned = (int)scans;
		lost_note(s->info, &fp, scans, threads);
	}
	commands_free(&c);
	free(fp.ps_pids);
	crash_list_free(&fp.list);
	return rc;
}

/*
 * crash reads "NAME@ADDRESS" as a dump at an address, so a dump whose name
 * holds '@' is given through a link with a plain name in the private
 * directory.
 */
static int dump_link(struct session *s, struct mmt_err *err)
{
	char *target = realpath(s->path, NULL);

	s->given = in_dir(s->dir, "vmcore");
	if (!target || symlink(target, s->given) < 0) {
		free(target);
		return mmt_err_at(err, s->path, 0, "cannot link it for crash: %s", strerror(errno));
	}
	free(target);
	return 0;
}

static int read_with_crash(struct session *s, struct mmt_err *err)
{
	const char *version_argv[] = { "crash", "--version", NULL };
	char *script = in_dir(s->dir, "crash-commands");
	char *out = in_dir(s->dir, "crash-session.txt");
	size_t ncmds = sizeof(session_commands) / sizeof(session_commands[0]) - 1;
	int fd = -1, status, rc;

	rc = dump_link(s, err);
	if (rc == 0)
		rc = write_script(script, session_commands, ncmds, s->path, err);
	if (rc == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
		if (fd < 0)
			rc = mmt_err_at(err, s->path, 0, "cannot write %s: %s", out, strerror(errno));
	}
	if (rc == 0) {
		status = run_crash(s, script, fd, err);
		rc = status < 0 ? -1 : session_refused(out, s, status, err);
	}
	if (rc == 0)
		rc = scan_stacks(s, out, fd, err);
	if (rc == 0) {
		first_line_of(version_argv, "crash", s->info->reader, sizeof(s->info->reader));
		s->info->session = true;
	}
	if (fd >= 0)
		close(fd);
	free(script);
	free(out);
	free(s->given);
	return rc;
}

/* The last non-blank line a program printed (its complaint), "" when none. */
static void last_words(FILE *f, char *out, size_t cap)
{
	char line[512];

	out[0] = '\0';
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] && strcmp(line, "makedumpfile Failed."))
			snprintf(out, cap, "%s", line);
	}
}

/*
 * The flattened format (makedumpfile -F; QEMU writes its kdump formats so)
 * is read by crash as it is, but by makedumpfile only once rearranged
 * (-R, from its stdin) into a kdump-compressed file: *out names it.
 */
static int rearrange(struct session *s, char **out, struct mmt_err *err)
{
	const char *argv[] = { "makedumpfile", "-R", NULL, NULL };
	int in = open(s->path, O_RDONLY | O_CLOEXEC), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct mmt_run r = { .argv = argv, .package = "makedumpfile", .shown = s->path,
			     .in_fd = in, .out_fd = null, .max_secs = MMT_VMCORE_MAX_SECS };
	int rc;

	*out = in_dir(s->dir, "rearranged.kdump");
	argv[2] = *out;
	rc = in < 0 || null < 0 ? mmt_err_at(err, s->path, 0, "cannot read: %s", strerror(errno))
				: mmt_run(&r, err);
	if (rc > 0)
		rc = mmt_err_at(err, s->path, 0, "makedumpfile -R could not rearrange this "
				"flattened vmcore (exit status %d)", rc);
	if (in >= 0)
		close(in);
	if (null >= 0)
		close(null);
	return rc < 0 ? -1 : 0;
}

/* Without a vmlinux: the kernel log alone, as makedumpfile finds it by VMCOREINFO. */
static int read_dmesg(struct session *s, struct mmt_err *err)
{
	char *out = in_dir(s->dir, "vmcore-dmesg.txt"), why[256] = "", *flat = NULL;
	const char *argv[] = { "makedumpfile", "--dump-dmesg", s->path, out, NULL };
	const char *version_argv[] = { "makedumpfile", "-v", NULL };
	FILE *said = tmpfile();
	struct mmt_run r = { .argv = argv, .package = "makedumpfile", .shown = s->path,
			     .in_fd = -1, .out_fd = said ? fileno(said) : -1,
			     .max_secs = MMT_VMCORE_MAX_SECS };
	struct stat sb;
	int rc = said ? 0 : mmt_err_at(err, s->path, 0, "cannot make a temporary file: %s",
				       strerror(errno));

	if (rc == 0 && s->format == MMT_VMCORE_FLAT) {
		rc = rearrange(s, &flat, err);
		argv[2] = flat;
	}
	if (rc == 0)
		rc = mmt_run(&r, err);

	if (rc > 0 || (rc == 0 && (stat(out, &sb) < 0 || sb.st_size == 0))) {
		last_words(said, why, sizeof(why));
		rc = mmt_err_at(err, s->path, 0, "makedumpfile --dump-dmesg could not read its "
				"kernel log (exit status %d%s%s); crash, given the kernel's debug "
				"vmlinux (--vmlinux), may", rc, why[0] ? ": " : "", why);
	}
	if (rc == 0) {
		first_line_of(version_argv, "makedumpfile", s->info->reader,
			      sizeof(s->info->reader));
		snprintf(s->info->lost, sizeof(s->info->lost),
			 "no --vmlinux: the kernel log alone; no task backtraces, memory "
			 "or slab counters (crash needs the kernel's debug vmlinux)");
	}
	if (said)
		fclose(said);
	if (flat)
		unlink(flat);	/* as large as the dump: gone before the log is read */
	free(flat);
	free(out);
	return rc < 0 ? -1 : 0;
}

int mmt_vmcore_check(const char *path, struct mmt_err *err)
{
	enum mmt_vmcore_format f = mmt_vmcore_detect(path);

	if (f == MMT_VMCORE_NONE)
		return mmt_err_at(err, path, 0, "not a vmcore");
	return check_whole(path, f, err) < 0 ? -1 : (int)f;
}

int mmt_vmcore_read(const char *path, const char *vmlinux, const char *dir,
		    struct mmt_vmcore_info *info, mmt_vmcore_tick tick, void *ctx,
		    struct mmt_err *err)
{
	int f = mmt_vmcore_check(path, err);
	struct session s = { .format = (enum mmt_vmcore_format)f, .path = path,
			     .vmlinux = vmlinux, .dir = dir, .info = info, .tick = tick, .ctx = ctx };

	memset(info, 0, sizeof(*info));
	if (f < 0)
		return -1;
	if (vmlinux && access(vmlinux, R_OK) < 0)
		return mmt_err_at(err, vmlinux, 0, "cannot read the vmlinux: %s", strerror(errno));
	return vmlinux ? read_with_crash(&s, err) : read_dmesg(&s, err);
}
