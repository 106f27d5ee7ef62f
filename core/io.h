/* Writing to a file descriptor. */
#ifndef MMT_IO_H
#define MMT_IO_H

#include <stddef.h>

/*
 * write(2) until all of buf is written, again after EINTR; -1 with errno
 * (ENOSPC when write wrote nothing).
 */
int mmt_write_all(int fd, const void *buf, size_t n);

#endif
