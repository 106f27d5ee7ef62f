/* Charts from trace events. */
#include "cmd/render/series_int.h"

int sr_load_trace(struct sr_load *l)
{
	(void)l;
	return 0;
}
