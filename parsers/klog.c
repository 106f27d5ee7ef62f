/*
 * The kernel-log parser: dmesg (with or without timestamps, -T, -r, ISO),
 * journalctl -k in its short and monotonic forms, syslog files, serial and
 * netconsole captures (CRs, other CPUs' messages run into a line),
 * vmcore-dmesg.txt, crash "bt" output, and logs pasted into mails (quoted,
 * wrapped, with prose around). Every line is stored; the report state
 * machine (klog_report.c) groups lines into reports.
 */
#include "parsers/klog.h"
#include "core/lines.h"
#include "core/strbuf.h"

#include <string.h>

#define PROGRESS_EVERY (4u << 20)	/* bytes between progress calls */
#define INTERRUPT_CHECK_EVERY 4096	/* lines between checks */

static const char sql_fill_kernel[] =
	"UPDATE reports SET kernel = ? WHERE source_id = ? AND kernel IS NULL";

static int probe(const char *head, size_t len)
{
	struct klog_format f;

	return klog_sniff(head, len, &f);
}

static void note_release(struct klog *k, const struct kline *kl)
{
	char rel[64];

	if (kl->len > 14 && kl->text[0] == 'L' && kstarts(kl->text, kl->len, "Linux version ") &&
	    klog_find_release(kl->text, kl->len, rel, sizeof(rel)))
		kcopy(k->kernel, sizeof(k->kernel), rel, strlen(rel));
}

/*
 * One logical line. A printk timestamp in the middle of it is another
 * CPU's message printed before this one ended its line: split there.
 */
/* Copies of mails and web pages turn indentation into no-break spaces. */
static const char *plain_spaces(struct klog *k, const char *raw, size_t *n)
{
	if (!memchr(raw, 0xc2, *n) || !memmem(raw, *n, "\xc2\xa0", 2))
		return raw;
	mmt_sb_reset(&k->scratch);
	for (size_t i = 0; i < *n; i++) {
		if ((unsigned char)raw[i] == 0xc2 && i + 1 < *n &&
		    (unsigned char)raw[i + 1] == 0xa0) {
			mmt_sb_addc(&k->scratch, ' ');
			i++;
		} else {
			mmt_sb_addc(&k->scratch, raw[i]);
		}
	}
	*n = k->scratch.len;
	return k->scratch.buf;
}

static int process(struct klog *k, const char *raw, size_t n, long lineno)
{
	struct kline kl;
	size_t cut;

	raw = plain_spaces(k, raw, &n);
	klog_decode(raw, n, k->fmt.clock, k->fmt.decode_flags, &kl);
	kl.lineno = lineno;
	k->last_lineno = lineno;
	/* Console noise before the timestamp ("host login: [ 12.3] ..."). */
	if (k->fmt.clock == KCLOCK_MONO && !kl.has_prefix && n > 16 &&
	    (cut = klog_embedded_timestamp(raw, n, 1)) != 0) {
		klog_decode(raw, cut, k->fmt.clock, k->fmt.decode_flags, &kl);
		kl.lineno = lineno;
		if (klog_report_line(k, &kl) < 0)
			return -1;
		return process(k, raw + cut, n - cut, lineno);
	}
	cut = k->fmt.clock == KCLOCK_MONO && kl.has_t && kl.len > 16 ?
	      klog_embedded_timestamp(kl.text, kl.len, 1) : 0;
	if (cut) {
		const char *rest = kl.text + cut;
		size_t rest_len = kl.len - cut;

		kl.len = cut;
		while (kl.len > 0 && kl.text[kl.len - 1] == ' ')
			kl.len--;
		note_release(k, &kl);
		if (klog_report_line(k, &kl) < 0)
			return -1;
		return process(k, rest, rest_len, lineno);
	}
	/*
	 * In a timestamped log, a line without a timestamp is usually another
	 * program's output on the console; it may still be a kernel line
	 * (some captures lose stamps), so it is parsed but cannot end a report.
	 */
	kl.untimed = k->fmt.clock == KCLOCK_MONO && !kl.has_prefix && !k->fmt.wrap_width;
	note_release(k, &kl);
	return klog_report_line(k, &kl);
}

/* Mail-wrapped logs: a line cut by the client continues on the next one. */
struct joiner {
	struct mmt_sb pending;
	long pending_line;
	bool has_pending;
	bool pending_prefixed;
};

static size_t first_word(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != ' ')
		i++;
	return i;
}

/*
 * Greedy wrapping moved the first word of this line down because it did
 * not fit after the previous one: that is the test for a continuation.
 */
static bool continues_previous(const struct klog *k, const struct joiner *j,
			       const char *s, size_t n)
{
	struct kline kl;

	if (!j->has_pending || !j->pending_prefixed || n == 0 || s[0] == ' ' ||
	    s[0] == '\t' || s[0] == '>')
		return false;
	klog_decode(s, n, KCLOCK_NONE, k->fmt.decode_flags, &kl);
	if (kl.has_prefix)
		return false;
	return j->pending.len + 1 + first_word(s, n) > k->fmt.wrap_width;
}

static int joiner_flush(struct klog *k, struct joiner *j)
{
	if (!j->has_pending)
		return 0;
	j->has_pending = false;
	return process(k, j->pending.buf, j->pending.len, j->pending_line);
}

static int joiner_feed(struct klog *k, struct joiner *j, const char *s, size_t n,
		       long lineno)
{
	struct kline kl;

	if (continues_previous(k, j, s, n)) {
		mmt_sb_addc(&j->pending, ' ');
		mmt_sb_add(&j->pending, s, n);
		return 0;
	}
	if (joiner_flush(k, j) < 0)
		return -1;
	mmt_sb_reset(&j->pending);
	mmt_sb_add(&j->pending, s, n);
	j->pending_line = lineno;
	j->has_pending = true;
	klog_decode(s, n, KCLOCK_NONE, k->fmt.decode_flags, &kl);
	j->pending_prefixed = kl.has_prefix;
	return 0;
}

static int read_lines(struct klog *k, struct mmt_lines *lr, struct joiner *j)
{
	uint64_t next_progress = PROGRESS_EVERY;
	const char *s;
	size_t n;
	int rc;

	while ((rc = mmt_lines_next(lr, &s, &n, k->err)) > 0) {
		if (k->fmt.wrap_width)
			rc = joiner_feed(k, j, s, n, lr->lineno);
		else
			rc = process(k, s, n, lr->lineno);
		if (rc < 0)
			return -1;
		if (lr->lineno % INTERRUPT_CHECK_EVERY == 0 && mmt_interrupted())
			return mmt_err_at(k->err, k->in->path, lr->lineno, "interrupted");
		if (lr->consumed >= next_progress) {
			mmt_input_progress(k->in, lr->consumed);
			next_progress = lr->consumed + PROGRESS_EVERY;
		}
	}
	if (rc < 0)
		return -1;
	k->eof_unterminated = lr->last_unterminated;
	return joiner_flush(k, j);
}

/*
 * A last line cut mid-print (no newline) belongs to the report that was
 * being printed, whatever it looks like.
 */
static int attach_cut_line(struct klog *k)
{
	struct kreport *r = &k->rep;

	if (!r->open || !k->eof_unterminated || r->line_end == k->last_lineno)
		return 0;
	r->line_end = k->last_lineno;
	return klog_store_attach_line(k, k->last_line_id, r->id);
}

static int finish(struct klog *k)
{
	struct mmt_input *in = k->in;
	sqlite3_stmt *s;

	if (attach_cut_line(k) < 0 || klog_report_close(k, true) < 0 ||
	    klog_lines_flush(k) < 0)
		return -1;
	in->records = k->lines;
	in->reports = k->reports;
	in->format = k->fmt.name;
	in->clock = k->fmt.clock == KCLOCK_MONO ? "monotonic" :
		    k->fmt.clock == KCLOCK_WALL ? "wall" : NULL;
	kcopy(in->kernel, sizeof(in->kernel), k->kernel, strlen(k->kernel));
	if (!k->kernel[0])
		return 0;
	s = mmt_store_stmt(k->st, sql_fill_kernel, k->err);
	if (!s)
		return -1;
	mmt_bind_text(s, 1, k->kernel);
	mmt_bind_int(s, 2, in->source_id);
	return mmt_store_run(k->st, s, k->err);
}

static int parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	struct klog k = { 0 };
	struct joiner j = { 0 };
	struct mmt_lines lr;
	int rc;

	k.in = in;
	k.st = st;
	k.err = err;
	klog_sniff(in->head, in->head_len, &k.fmt);
	/* The user's word for the release stands until the log says otherwise. */
	if (in->kernel_hint)
		kcopy(k.kernel, sizeof(k.kernel), in->kernel_hint, strlen(in->kernel_hint));
	if (!k.fmt.name)
		k.fmt.name = "console";
	klog_report_init(&k.rep);
	mmt_lines_init(&lr, in->fd, in->path,
		       in->flags & MMT_INPUT_LENIENT ? MMT_LINES_LENIENT : 0);
	lr.hash = in->hash;
	rc = read_lines(&k, &lr, &j);
	if (rc == 0)
		rc = finish(&k);
	if (lr.repaired)
		mmt_input_warn(in, 0, "%ld lines held bytes that are not UTF-8 text; "
			       "they were stored with those bytes written as \\xNN",
			       lr.repaired);
	mmt_lines_free(&lr);
	mmt_sb_free(&j.pending);
	mmt_sb_free(&k.scratch);
	mmt_sb_free(&k.batch_text);
	klog_report_free(&k.rep);
	return rc;
}

const struct mmt_parser mmt_parser_kernel_log = {
	.name = "kernel_log",
	.help = "kernel logs: dmesg, journalctl -k, syslog, serial console, "
		"vmcore-dmesg.txt, crash bt output, logs in mails",
	.probe = probe,
	.parse = parse,
	.hashes_input = true,
	.lenient = true,
};
