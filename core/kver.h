/*
 * Kernel release strings ("3.13.0-24-generic", "6.4.0-rc5+", "2.6.32-504.el6.x86_64")
 * reduced to comparable numbers.
 */
#ifndef MMT_KVER_H
#define MMT_KVER_H

struct mmt_kver {
	int major, minor, patch;	/* 2.6.32 -> 2, 6, 32; 6.1.0 -> 6, 1, 0 */
};

/* Returns 0 and fills *v, or -1 when s does not start with N.N. */
int mmt_kver_parse(const char *s, struct mmt_kver *v);
/* <0, 0, >0 like strcmp. */
int mmt_kver_cmp(const struct mmt_kver *a, const struct mmt_kver *b);

#endif
