/* The string map of strmap.h. */
#include "core/strmap.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The slot of key, or the empty slot where it would go. */
static struct mmt_strmap_slot *find(const struct mmt_strmap *m, const char *key, size_t n)
{
	size_t i = hash(key, n) & (m->cap - 1);

	while (m->slots[i].key &&
	       (m->slots[i].len != n || memcmp(m->slots[i].key, key, n)))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static void grow(struct mmt_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct mmt_strmap bigger = { xcalloc(cap, sizeof(struct mmt_strmap_slot)), cap, m->used };

	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find(&bigger, m->slots[i].key, m->slots[i].len) = m->slots[i];
	free(m->slots);
	*m = bigger;
}

bool mmt_strmap_get(const struct mmt_strmap *m, const char *key, size_t n, int64_t *value)
{
	const struct mmt_strmap_slot *s;

	if (!m->cap)
		return false;
	s = find(m, key, n);
	if (!s->key)
		return false;
	*value = s->value;
	return true;
}

void mmt_strmap_put(struct mmt_strmap *m, const char *key, size_t n, int64_t value)
{
	struct mmt_strmap_slot *s;

	if ((m->used + 1) * 2 > m->cap)
		grow(m);
	s = find(m, key, n);
	if (!s->key) {
		s->key = xstrndup(key, n);
		s->len = n;
		m->used++;
	}
	s->value = value;
}

void mmt_strmap_free(struct mmt_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
