/* The table of report formats. */
#include "cmd/render/render.h"

#include <string.h>

extern const struct mmt_renderer mmt_render_text;
extern const struct mmt_renderer mmt_render_markdown;
extern const struct mmt_renderer mmt_render_email;
extern const struct mmt_renderer mmt_render_json;
extern const struct mmt_renderer mmt_render_html;

const struct mmt_renderer *mmt_renderer_find(const char *name)
{
	static const struct mmt_renderer *const all[] = {
		&mmt_render_text, &mmt_render_markdown, &mmt_render_email, &mmt_render_json,
		&mmt_render_html,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
