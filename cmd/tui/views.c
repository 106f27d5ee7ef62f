/* The views, in the order of the number keys. A view not built is NULL. */
#include "cmd/tui/tui.h"

extern const struct tui_view_ops tui_view_findings;
extern const struct tui_view_ops tui_view_tasks;
extern const struct tui_view_ops tui_view_events;
extern const struct tui_view_ops tui_view_log;
extern const struct tui_view_ops tui_view_counters;
extern const struct tui_view_ops tui_view_slabs;

const struct tui_view_ops *const tui_views[TUI_NVIEWS] = {
	[TUI_FINDINGS] = &tui_view_findings,
	[TUI_TASKS] = &tui_view_tasks,
	[TUI_EVENTS] = &tui_view_events,
	[TUI_LOG] = &tui_view_log,
	[TUI_COUNTERS] = &tui_view_counters,
	[TUI_SLABS] = &tui_view_slabs,
};
