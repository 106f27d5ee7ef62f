/*
 * `mmtriage gfp`: decode a GFP mask. With a release, with its layout; with
 * names, as written; with neither, under every layout, so that a user can
 * see what the bits meant in each era.
 */
#include "cmd/cmd.h"
#include "core/gfp.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *meaning(enum mmt_gfp_context c)
{
	switch (c) {
	case MMT_GFP_CTX_ATOMIC: return "no direct reclaim; may use the atomic reserves";
	case MMT_GFP_CTX_NOWAIT: return "no direct reclaim, no reserves";
	case MMT_GFP_CTX_NOIO: return "direct reclaim, but no I/O";
	case MMT_GFP_CTX_NOFS: return "direct reclaim with I/O, but no filesystem reclaim";
	case MMT_GFP_CTX_FULL: return "full direct reclaim (I/O and filesystems)";
	default: return "unknown";
	}
}

static void print_decoded(const struct mmt_gfp_decoded *d)
{
	fputs("flags:    ", stdout);
	mmt_fputs_safe(d->flags[0] ? d->flags : "(none)", stdout);
	printf("\ncontext:  %s (%s)\n", mmt_gfp_context_name(d->context) ?
	       mmt_gfp_context_name(d->context) : "unknown", meaning(d->context));
	printf("reclaim:  direct %s, kswapd %s, io %s, fs %s%s%s%s\n",
	       d->direct_reclaim ? "yes" : "no", d->kswapd ? "yes" : "no",
	       d->io ? "yes" : "no", d->fs ? "yes" : "no", d->nofail ? ", nofail" : "",
	       d->noretry ? ", noretry" : "", d->nowarn ? ", nowarn" : "");
}

static int list_layouts(void)
{
	const struct mmt_gfp_layout *l;

	for (size_t i = 0; (l = mmt_gfp_layout_at(i)); i++)
		printf("%-18s %s\n", mmt_gfp_layout_range(l), mmt_gfp_layout_change(l));
	return MMT_EXIT_OK;
}

/* Without a release: each layout's reading, once per distinct reading. */
static int every_layout(uint64_t mask)
{
	const struct mmt_gfp_layout *l;
	char last[512] = "";

	printf("mask:     0x%llx (no --kernel: read under each layout)\n",
	       (unsigned long long)mask);
	for (size_t i = 0; (l = mmt_gfp_layout_at(i)); i++) {
		struct mmt_gfp_decoded d;
		const char *range = mmt_gfp_layout_range(l);
		char first[32];

		snprintf(first, sizeof(first), "%s", range);
		first[strcspn(first, " ")] = '\0';
		mmt_gfp_decode(mask, first, &d);
		if (!strcmp(d.flags, last))
			continue;
		snprintf(last, sizeof(last), "%s", d.flags);
		printf("\n%s:\n", range);
		print_decoded(&d);
	}
	return MMT_EXIT_OK;
}

static int decode(const char *arg, const char *kernel)
{
	struct mmt_gfp_decoded d;
	char *end;
	uint64_t mask = strtoull(arg, &end, 16);

	if (end == arg || (strncmp(arg, "0x", 2) && strncmp(arg, "0X", 2) &&
			   !isxdigit((unsigned char)arg[0])))
		return mmt_usage_error("gfp", "'%s' is not a hexadecimal mask", arg);
	if (*end == '(') {
		char names[512];

		snprintf(names, sizeof(names), "%s", end + 1);
		names[strcspn(names, ")")] = '\0';
		if (mmt_gfp_from_names(mask, names, &d) < 0)
			return mmt_usage_error("gfp", "no GFP flag name in '%s'", names);
		printf("mask:     0x%llx (flags as written)\n", (unsigned long long)mask);
		print_decoded(&d);
		return MMT_EXIT_OK;
	}
	if (*end)
		return mmt_usage_error("gfp", "'%s' is not a hexadecimal mask", arg);
	if (!kernel)
		return every_layout(mask);
	if (mmt_gfp_decode(mask, kernel, &d) < 0) {
		fprintf(stderr, "mmtriage: no GFP layout covers kernel release '");
		mmt_fputs_safe(kernel, stderr);
		fprintf(stderr, "' (see 'mmtriage gfp --layouts')\n");
		return MMT_EXIT_FAIL;
	}
	printf("mask:     0x%llx\nkernel:   ", (unsigned long long)mask);
	mmt_fputs_safe(kernel, stdout);
	printf(" (layout %s)\n", mmt_gfp_layout_range(mmt_gfp_layout_for(kernel)));
	print_decoded(&d);
	return MMT_EXIT_OK;
}

int cmd_gfp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "layouts", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 'l': return list_layouts();
		case 'h': return mmt_print_usage("gfp");
		default: return mmt_usage_error("gfp", "unknown option");
		}
	}
	if (optind != argc - 1)
		return mmt_usage_error("gfp", optind >= argc ? "no mask given" :
				       "one mask at a time");
	return decode(argv[optind], kernel);
}
