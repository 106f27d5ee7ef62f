/*
 * Who waits on writeback: tasks of the kernel log blocked in a wait that
 * lies on the path of writeback (pages under writeback, dirty throttling,
 * a frozen filesystem, the journal, synchronous I/O, page locks). A task
 * waiting for writeback itself (writeback_wait) is evidence of a stall on
 * its own: its page was under writeback for as long as it was blocked, so
 * it also becomes a window of the log. And the names devices go by.
 */
#include "analyzers/writeback.h"
#include "core/xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_waiters[] =
	"SELECT b.report_id, b.source_id, b.line_start, b.line, b.pid, b.blocked_secs, "
	"b.report_kind = 'hung_task', b.t + ifnull(s.t_offset, 0), ifnull(b.comm, ''), "
	"b.wait_class, ifnull(b.wait_site, ''), ifnull(b.workqueue, '') "
	"FROM blocked_tasks b JOIN sources s ON s.id = b.source_id "
	"WHERE b.t IS NOT NULL AND b.wait_class IN ('writeback_wait', 'dirty_throttle', "
	"'fs_freeze', 'journal', 'io_wait', 'page_lock') ORDER BY 8, b.id";

struct wb_window *wb_window_new(struct wb_windows *ws, enum wb_origin origin)
{
	struct wb_window *w;

	xgrow((void **)&ws->v, &ws->cap, ws->n + 1, sizeof(*w));
	w = &ws->v[ws->n++];
	memset(w, 0, sizeof(*w));
	w->origin = origin;
	w->dirty_start = w->dirty_end = w->drained = -1;
	return w;
}

static void read_waiter(sqlite3_stmt *q, struct wb_waiter *w)
{
	memset(w, 0, sizeof(*w));
	w->report = sqlite3_column_int64(q, 0);
	w->source = sqlite3_column_int64(q, 1);
	w->line_start = sqlite3_column_int64(q, 2);
	w->task_line = sqlite3_column_int64(q, 3);
	w->has_pid = !mmt_col_null(q, 4);
	w->pid = sqlite3_column_int64(q, 4);
	w->blocked_secs = sqlite3_column_int64(q, 5);
	w->hung = sqlite3_column_int(q, 6) != 0;
	w->t = sqlite3_column_double(q, 7);
	snprintf(w->comm, sizeof(w->comm), "%s", mmt_col_text(q, 8));
	snprintf(w->cls, sizeof(w->cls), "%s", mmt_col_text(q, 9));
	snprintf(w->site, sizeof(w->site), "%s", mmt_col_text(q, 10));
	snprintf(w->workqueue, sizeof(w->workqueue), "%s", mmt_col_text(q, 11));
}

/* A task waiting for writeback was blocked from t - blocked_secs to t: a window. */
static void log_window(const struct wb_waiter *w, struct wb_windows *ws)
{
	struct wb_window *win;

	if (strcmp(w->cls, "writeback_wait"))
		return;
	win = wb_window_new(ws, WB_LOG);
	win->source_id = w->source;
	win->t_start = w->hung ? w->t - (double)w->blocked_secs : w->t;
	win->t_end = win->t_peak = w->t;
}

int wb_load_waiters(struct mmt_store *st, struct wb_waiters *out, struct wb_windows *ws,
		    struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_waiters, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct wb_waiter *w;

		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*w));
		w = &out->v[out->n++];
		read_waiter(q, w);
		log_window(w, ws);
	}
	return rc;
}

/*
 * Names from the kernel's static device numbers (Documentation/admin-guide/
 * devices.txt): loop (7, minor = index with the default max_part=0), SCSI
 * disks (8, 65-71, 128-135: 16 minors per disk), RAM disks (1), nbd (43,
 * 16 minors per device with the default max_part). Other majors (virtio,
 * device mapper, NVMe) are handed out at run time: MAJ:MIN is all we know.
 */
void wb_device_name(unsigned major, unsigned minor, char *out, size_t n)
{
	unsigned disk, part;

	if (major == 7) {
		snprintf(out, n, "loop%u", minor);
		return;
	}
	if (major == 1) {
		snprintf(out, n, "ram%u", minor);
		return;
	}
	if (major == 43 && minor % 16 == 0) {
		snprintf(out, n, "nbd%u", minor / 16);
		return;
	}
	if (major == 8 || (major >= 65 && major <= 71) || (major >= 128 && major <= 135)) {
		unsigned group = major == 8 ? 0 : major <= 71 ? major - 64 : major - 120;

		disk = group * 16 + minor / 16;
		part = minor % 16;
		if (disk < 26)
			snprintf(out, n, "sd%c", 'a' + disk);
		else
			snprintf(out, n, "sd%c%c", 'a' + disk / 26 - 1, 'a' + disk % 26);
		if (part)
			snprintf(out + strlen(out), n - strlen(out), "%u", part);
		return;
	}
	snprintf(out, n, "%u:%u", major, minor);
}

void wb_device_text(const char *text, char *out, size_t n)
{
	char *sep, *end = NULL, word[40];
	unsigned long major = strtoul(text, &sep, 10), minor = 0;

	/* "8:1" or "8,1" (major, minor) */
	if (sep != text && (*sep == ':' || *sep == ','))
		minor = strtoul(sep + 1, &end, 10);
	if (end && end != sep + 1 && major <= UINT_MAX && minor <= UINT_MAX)
		wb_device_name((unsigned)major, (unsigned)minor, out, n);
	else
		snprintf(out, n, "%s", sscanf(text, "%39s", word) == 1 ? word : "");
}
