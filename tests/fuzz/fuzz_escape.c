/*
 * The escapes every untrusted string goes through on its way out, checked
 * against what they promise (core/escape.h): the fuzzer aborts on any
 * output that a terminal, a JSON reader or a browser would take as more
 * than text.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/lines.h"
#include "tests/fuzz/fuzz.h"

/* A C0 or C1 control, DEL, or a character that reorders text, at s[i]. */
static bool control_at(const unsigned char *s, size_t n, size_t i)
{
	if (s[i] < 0x20 || s[i] == 0x7f)
		return true;
	if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
		return true;
	return s[i] == 0xe2 && i + 2 < n && s[i + 1] == 0x80 &&
	       ((s[i + 2] >= 0xaa && s[i + 2] <= 0xae) || s[i + 2] == 0x8e ||
		s[i + 2] == 0x8f);
}

static void check_plain(const struct mmt_sb *sb)
{
	const unsigned char *s = (const unsigned char *)sb->buf;

	if (mmt_utf8_invalid_at(sb->buf, sb->len) != sb->len)
		abort();
	for (size_t i = 0; i < sb->len; i++)
		if (control_at(s, sb->len, i))
			abort();
}

/* A JSON string's contents: escapes well formed, no raw quote or control. */
static void check_json(const struct mmt_sb *sb)
{
	const char *s = sb->buf;

	if (mmt_utf8_invalid_at(s, sb->len) != sb->len)
		abort();
	for (size_t i = 0; i < sb->len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '"')
			abort();
		if (s[i] != '\\')
			continue;
		if (++i == sb->len || !strchr("\"\\/bfnrtu", s[i]))
			abort();
		if (s[i] == 'u' && (i + 4 >= sb->len + 0 ||
				    strspn(s + i + 1, "0123456789abcdefABCDEF") < 4))
			abort();
	}
}

/* No character that opens markup; '&' only as the start of an entity. */
static void check_markup(const struct mmt_sb *sb, const char *forbidden)
{
	check_plain(sb);
	for (size_t i = 0; i < sb->len; i++) {
		if (strchr(forbidden, sb->buf[i]))
			abort();
		if (sb->buf[i] == '&' && !strchr(sb->buf + i, ';'))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct mmt_sb term = MMT_SB_INIT, json = MMT_SB_INIT;
	struct mmt_sb md = MMT_SB_INIT, html = MMT_SB_INIT;

	mmt_esc_term(&term, s, size);
	mmt_esc_json(&json, s, size);
	mmt_esc_md(&md, s, size);
	mmt_esc_html(&html, s, size);
	check_plain(&term);
	check_json(&json);
	check_markup(&md, "<>");
	check_markup(&html, "<>\"'");
	mmt_sb_free(&term);
	mmt_sb_free(&json);
	mmt_sb_free(&md);
	mmt_sb_free(&html);
	return 0;
}
