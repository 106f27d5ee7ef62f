/*
 * Sniffing a kernel log: from the first lines of a file, how sure we are
 * that it is one, which prefix format it uses, which clock its times are
 * on, and whether a mail client wrapped its lines (they are rejoined then).
 */
#include "parsers/klog.h"

#include <string.h>

#define SNIFF_LINES 400

/* Phrases only kernel output contains; one is enough to make text a log. */
static const char *const kernel_markers[] = {
	"Call Trace:", "Call trace:", "INFO: task ", "blocked for more than",
	"invoked oom-killer", "page allocation failure", "BUG: ", "WARNING: CPU",
	"WARNING: at ", "Oops: ", "Mem-Info:", "sysrq: ", "SysRq : ",
	"Kernel panic - not syncing", "general protection fault",
	"Linux version ", "rcu_sched", "rcu_preempt", "NMI backtrace",
	"soft lockup", "possible memory allocation deadlock", "kernel BUG at",
	"Out of memory", "locks held by", "Modules linked in:",
	NULL
};

struct tally {
	int lines, nonempty;
	int mono;		/* lines with a printk timestamp */
	int human;		/* dmesg -T stamps */
	int syslog, iso;	/* wall-clock headers */
	int iso_kernel;		/* ISO lines followed by "host kernel:" (syslog, not dmesg) */
	int journal;		/* "[ t] host kernel: " */
	int quoted, level, foreign;
	int devkmsg;		/* /dev/kmsg records: "6,1234,5678,-;text" */
	int markers, crash;
	int unprefixed_after_prefixed;	/* candidates for wrapped continuations */
	size_t max_len;
	bool prev_prefixed;
};

static bool has_marker(const char *s, size_t n)
{
	for (size_t i = 0; kernel_markers[i]; i++)
		if (kcontains(s, n, kernel_markers[i]))
			return true;
	return false;
}

static void tally_times(struct tally *ty, const char *s, size_t n)
{
	struct kline km, kw;

	klog_decode(s, n, KCLOCK_MONO, 0, &km);
	klog_decode(s, n, KCLOCK_WALL, KDEC_HOSTS, &kw);
	if (km.has_t)
		ty->mono++;
	if (kw.has_t && s[0] == '[')
		ty->human++;
	else if (kw.has_t && s[0] >= '0' && s[0] <= '9') {
		ty->iso++;
		ty->iso_kernel += kcontains(s, n, " kernel: ") && !kw.foreign;
	}
	else if (kw.has_t)
		ty->syslog++;
	if (km.has_t && s[0] == '[' && kcontains(s, n, " kernel: "))
		ty->journal++;
}

static void tally_line(struct tally *ty, const char *s, size_t n)
{
	struct kline kl;

	ty->lines++;
	if (n > ty->max_len)
		ty->max_len = n;
	if (!n) {
		ty->prev_prefixed = false;
		return;
	}
	ty->nonempty++;
	klog_decode(s, n, KCLOCK_NONE, KDEC_HOSTS, &kl);
	tally_times(ty, s, n);
	if (s[0] == '>')
		ty->quoted++;
	if (kl.level >= 0)
		ty->level++;
	if (kl.level >= 0 && s[0] >= '0' && s[0] <= '9' && kl.has_t)
		ty->devkmsg++;
	if (kl.foreign)
		ty->foreign++;
	if (has_marker(kl.text, kl.len))
		ty->markers++;
	if (kcontains(s, n, "crash> ") || (kstarts(kl.text, kl.len, "PID: ") &&
					   kcontains(s, n, "TASK: ")))
		ty->crash++;
	if (!kl.has_prefix && ty->prev_prefixed && s[0] != ' ' && s[0] != '\t')
		ty->unprefixed_after_prefixed++;
	ty->prev_prefixed = kl.has_prefix;
}

static void tally_head(struct tally *ty, const char *head, size_t len)
{
	size_t i = 0;

	memset(ty, 0, sizeof(*ty));
	while (i < len && ty->lines < SNIFF_LINES) {
		const char *nl = memchr(head + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (head + i)) : len - i;

		if (!nl && ty->lines > 0)
			break;	/* a cut last line says nothing reliable */
		while (n > 0 && head[i + n - 1] == '\r')
			n--;
		tally_line(ty, head + i, n);
		i += (nl ? (size_t)(nl - (head + i)) + 1 : len - i);
	}
}

/*
 * Mail clients wrap at a fixed width: when every line is short and
 * unprefixed lines follow prefixed ones, lines were wrapped at the longest
 * line's length.
 */
static size_t wrap_width(const struct tally *ty)
{
	if (ty->max_len < 60 || ty->max_len > 100 || ty->unprefixed_after_prefixed < 1)
		return 0;
	return ty->max_len;
}

static const char *format_name(const struct tally *ty)
{
	if (ty->devkmsg * 2 > ty->nonempty)
		return "devkmsg";
	if (ty->quoted * 4 > ty->nonempty)
		return "mail";
	if (ty->crash > 0 && ty->mono == 0)
		return "crash";
	if (ty->syslog > 0 && ty->syslog >= ty->human + ty->iso)
		return "syslog";
	if (ty->iso > 0 && ty->iso >= ty->human)
		return "iso";
	if (ty->human > 0)
		return "dmesg -T";
	if (ty->journal * 2 > ty->mono && ty->mono > 0)
		return "journal-monotonic";
	if (ty->level * 2 > ty->nonempty)
		return "kmsg";
	if (ty->mono > 0)
		return wrap_width(ty) ? "mail" : "dmesg";
	return "console";
}

static void pick_format(const struct tally *ty, struct klog_format *f)
{
	int timed = ty->mono > 0 ? ty->mono : ty->human + ty->syslog + ty->iso;
	int share = ty->nonempty ? 100 * timed / ty->nonempty : 0;

	f->name = format_name(ty);
	f->clock = ty->mono > 0 ? KCLOCK_MONO : timed > 0 ? KCLOCK_WALL : KCLOCK_NONE;
	f->wrap_width = wrap_width(ty);
	if (ty->iso_kernel * 2 > ty->iso || ty->syslog > 0)
		f->decode_flags |= KDEC_HOSTS;
	if (ty->journal * 2 > ty->mono && ty->mono > 0)
		f->decode_flags |= KDEC_JOURNAL;
	if (share >= 30 && timed >= 3)
		f->confidence = 90;
	else if (ty->markers > 0 || ty->crash > 0)
		f->confidence = 60;
	else if (timed > 0)
		f->confidence = 45;
	else
		f->confidence = 0;
}

/*
 * Binary data has many control bytes; a log with a stray NUL (a serial
 * console's noise) is still a log, and the line reader names that NUL.
 */
static bool looks_binary(const char *head, size_t len)
{
	size_t ctrl = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)head[i];

		ctrl += c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b;
	}
	return ctrl * 100 > len;
}

int klog_sniff(const char *head, size_t len, struct klog_format *f)
{
	struct tally ty;

	memset(f, 0, sizeof(*f));
	if (looks_binary(head, len))
		return 0;
	tally_head(&ty, head, len);
	pick_format(&ty, f);
	return f->confidence;
}
