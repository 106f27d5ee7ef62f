/*
 * Masks as logs and traces print them: a GFP mask with its names and the
 * kernel release that fixes its layout, CPU masks in both trace forms.
 * Input: 8 bytes of mask, then NUL-separated release, names and CPU mask.
 */
#include <string.h>

#include "core/cpumask.h"
#include "core/gfp.h"
#include "tests/fuzz/fuzz.h"

static void count_cpu(void *ctx, int64_t cpu)
{
	(*(int64_t *)ctx)++;
}

/* The next NUL-terminated piece of the input, copied (the input has no NUL at its end). */
static char *piece(const char **p, const char *end, char *out, size_t cap)
{
	const char *nul = memchr(*p, 0, (size_t)(end - *p));
	size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);

	if (n >= cap)
		n = cap - 1;
	memcpy(out, *p, n);
	out[n] = 0;
	*p = nul ? nul + 1 : end;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 8, *end = (const char *)data + size;
	static char kver[256], names[4096], cpus[4096];
	struct mmt_gfp_decoded d;
	uint64_t mask;
	int64_t n = 0;

	if (size < 8)
		return 0;
	memcpy(&mask, data, 8);
	piece(&p, end, kver, sizeof(kver));
	piece(&p, end, names, sizeof(names));
	piece(&p, end, cpus, sizeof(cpus));
	if (mmt_gfp_decode(mask, kver, &d) == 0)
		mmt_gfp_context_name(d.context);
	if (mmt_gfp_from_names(mask, names, &d) == 0)
		mmt_gfp_context_name(d.context);
	mmt_gfp_decode_io_fs(mask, &d);
	mmt_cpumask_each(cpus, true, count_cpu, &n);
	mmt_cpumask_each(cpus, false, count_cpu, &n);
	return 0;
}
