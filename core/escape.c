/*
 * Escaping untrusted text for each output. Log lines come from machines
 * that misbehave and task names are set by any process (prctl), so any
 * byte can arrive here; none may reach a terminal as a control sequence.
 */
#include "core/escape.h"
#include "core/lines.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s, 0 if none. */
static size_t valid_seq(const char *s, size_t n)
{
	size_t len = ((unsigned char)s[0] < 0xe0) ? 2 : ((unsigned char)s[0] < 0xf0) ? 3 : 4;

	if (len > n)
		return 0;
	return mmt_utf8_invalid_at(s, len) == len ? len : 0;
}

/* U+0080..U+009F, the C1 controls, encoded as 0xC2 0x80..0x9F. */
static bool c1_control(const unsigned char *p, size_t len)
{
	return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/* The code point of a valid two- or three-byte sequence, 0 for others. */
static unsigned code_point(const unsigned char *p, size_t len)
{
	if (len == 2)
		return (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
	if (len == 3)
		return (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
	return 0;
}

/*
 * Format characters that reorder or hide the text around them: the bidi
 * controls (a task named "evil\u202etxt.sh" shows as "evilhs.txt"), the
 * line and paragraph separators, zero-width space, word joiner and BOM.
 * Shown as \uXXXX; ZWJ and ZWNJ stay, some scripts need them.
 */
static unsigned invisible(const char *s, size_t len)
{
	unsigned cp = code_point((const unsigned char *)s, len);

	if (cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f || cp == 0x2060 ||
	    cp == 0xfeff || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return cp;
	return 0;
}

void mmt_esc_term(struct mmt_sb *sb, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;

		if (c == '\t') {
			mmt_sb_addc(sb, ' ');
			i++;
		} else if (c < 0x20 || c == 0x7f) {	/* NOLINT(bugprone-branch-clone): before c < 0x80 */
			mmt_sb_addf(sb, "\\x%02x", c);
			i++;
		} else if (c < 0x80) {
			size_t run = i;

			while (run < n && (unsigned char)s[run] >= 0x20 &&
			       (unsigned char)s[run] < 0x7f)
				run++;
			mmt_sb_add(sb, s + i, run - i);
			i = run;
		} else if ((len = valid_seq(s + i, n - i)) && invisible(s + i, len)) {
			mmt_sb_addf(sb, "\\u%04x", invisible(s + i, len));
			i += len;
		} else if (len && !c1_control((const unsigned char *)s + i, len)) {
			mmt_sb_add(sb, s + i, len);
			i += len;
		} else {
			mmt_sb_addf(sb, "\\x%02x", c);
			i++;
		}
	}
}

void mmt_esc_json(struct mmt_sb *sb, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;

		if (c == '"' || c == '\\') {
			mmt_sb_addc(sb, '\\');
			mmt_sb_addc(sb, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			mmt_sb_addf(sb, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			mmt_sb_addc(sb, (char)c);
			i++;
		} else if ((len = valid_seq(s + i, n - i)) &&
			   (c1_control((const unsigned char *)s + i, len) || invisible(s + i, len))) {
			/*
			 * C1 controls (a one-byte CSI on some terminals) and
			 * invisible format characters as escapes too: the same
			 * string to a JSON reader, harmless when printed raw.
			 */
			mmt_sb_addf(sb, "\\u%04x", code_point((const unsigned char *)s + i, len));
			i += len;
		} else if (len) {
			mmt_sb_add(sb, s + i, len);
			i += len;
		} else {
			/* As the kernel-log reader's --lenient stores them: "\xff". */
			mmt_sb_addf(sb, "\\\\x%02x", c);
			i++;
		}
	}
}

/*
 * Angle brackets and ampersands as entities, not backslash escapes: every
 * Markdown dialect decodes entities, while some (Markdown.pl, Python-Markdown)
 * pass "\\<script>" through as a tag after a backslash.
 */
void mmt_esc_md(struct mmt_sb *sb, const char *s, size_t n)
{
	struct mmt_sb plain = MMT_SB_INIT;

	mmt_esc_term(&plain, s, n);
	for (size_t i = 0; i < plain.len; i++) {
		char c = plain.buf[i];

		if (c == '<')
			mmt_sb_adds(sb, "&lt;");
		else if (c == '>')
			mmt_sb_adds(sb, "&gt;");
		else if (c == '&')
			mmt_sb_adds(sb, "&amp;");
		else if (c && strchr("\\`*_{}[]#|~", c))
			mmt_sb_addf(sb, "\\%c", c);
		else
			mmt_sb_addc(sb, c);
	}
	mmt_sb_free(&plain);
}

void mmt_esc_html(struct mmt_sb *sb, const char *s, size_t n)
{
	struct mmt_sb plain = MMT_SB_INIT;

	mmt_esc_term(&plain, s, n);
	for (size_t i = 0; i < plain.len; i++) {
		switch (plain.buf[i]) {
		case '&': mmt_sb_adds(sb, "&amp;"); break;
		case '<': mmt_sb_adds(sb, "&lt;"); break;
		case '>': mmt_sb_adds(sb, "&gt;"); break;
		case '"': mmt_sb_adds(sb, "&quot;"); break;
		case '\'': mmt_sb_adds(sb, "&#39;"); break;
		default: mmt_sb_addc(sb, plain.buf[i]);
		}
	}
	mmt_sb_free(&plain);
}

size_t mmt_longest_backtick_run(const char *s, size_t n)
{
	size_t best = 0, run = 0;

	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}
