/*
 * Untrusted text (task names, log lines) on its way out: to a terminal it
 * must not carry control sequences, to JSON it must be a valid string, to
 * Markdown it must not become markup, to HTML it must not become tags.
 * Each function appends the escaped form of s[0..n) to sb.
 */
#ifndef MMT_ESCAPE_H
#define MMT_ESCAPE_H

#include <stddef.h>

#include "core/strbuf.h"

/*
 * C0/C1 controls and DEL as \xNN (tab kept as a space); invalid UTF-8 as \xNN;
 * format characters that reorder or hide text (bidi controls) as \uXXXX.
 */
void mmt_esc_term(struct mmt_sb *sb, const char *s, size_t n);
/*
 * JSON string contents (no quotes): controls, C1 and those format characters
 * as \uXXXX escapes (the same string once parsed); each byte of invalid
 * UTF-8 as the four characters \xNN, as the kernel-log reader's --lenient.
 */
void mmt_esc_json(struct mmt_sb *sb, const char *s, size_t n);
/*
 * Markdown inline text, controls as in term: <, > and & as entities, other
 * markup characters backslash-escaped.
 */
void mmt_esc_md(struct mmt_sb *sb, const char *s, size_t n);
/* HTML text and attribute values. */
void mmt_esc_html(struct mmt_sb *sb, const char *s, size_t n);
/* The longest run of backticks in s, to pick a Markdown fence longer than it. */
size_t mmt_longest_backtick_run(const char *s, size_t n);

#endif
