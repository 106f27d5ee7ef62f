/*
 * The trace.dat parser's reading window (trace_dat.c), for tests.
 *
 * libtracecmd 3.1.6 keeps every compressed chunk it has decompressed until
 * the file is closed (and leaves its mappings of an uncompressed file
 * behind), so the parser reads the trace in windows: after a window's
 * worth of record bytes it notes where each CPU of each buffer stands,
 * closes the file and opens it again there. The events stored are the
 * same whatever the window.
 */
#ifndef MMT_TRACE_DAT_H
#define MMT_TRACE_DAT_H

#include <stdint.h>

/* Record bytes read between two reopenings; 0 restores the default. */
void tdat_set_window(uint64_t bytes);
/* How many times the last trace.dat parsed was opened again. */
uint64_t tdat_last_reopens(void);

#endif
