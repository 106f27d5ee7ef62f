/*
 * Allocation that cannot fail: running out of memory aborts here, in one
 * place, so that no other code carries out-of-memory branches.
 */
#ifndef MMT_XALLOC_H
#define MMT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p (an array of *cap elements of size elem) to hold at least need. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

#endif
