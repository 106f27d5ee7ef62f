/*
 * Context markers of stack traces, for the frame line parser (core/frame.c)
 * only: the public interface is mmt_frame_parse_all in core/stack.h.
 */
#ifndef MMT_MARKER_H
#define MMT_MARKER_H

#include "core/stack.h"

/*
 * Markers at p, the start of a line: returns the position after them (and
 * after a timestamp printk continuation may have left behind them), or p
 * when there are none. *seen receives how many there are; markers[] keeps
 * the first max of them.
 */
const char *mmt_marker_parse_leading(const char *p, const char *e,
				     enum mmt_marker *markers, int max,
				     int *seen);

/*
 * A marker left at the end of another line by printk continuation:
 * "RSP: 0018:ffffa2e4cca47ea0 EFLAGS: 00000246 </#MC>".
 */
bool mmt_marker_parse_trailing(const char *p, const char *e, enum mmt_marker *m);

#endif
