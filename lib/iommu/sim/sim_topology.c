/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parser of the sim topology file: groups, devices, memlock. Linear in
 * the file's size: groups and devices are found through hash indexes and
 * their arrays grow geometrically, so 10^6 lines parse in about a second
 * (bench/topo_parse).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu/sim: "
#include "iop_bus.h"
#include "iop_log.h"
#include "sim_topology.h"

#define DEFAULT_LAST ((UINT64_C(1) << 48) - 1)

/*
 * A key -> array position index: open addressing with linear probing,
 * doubled at half load. Keys are group ids and packed BDFs (< 2^32). The
 * parser runs without DPDK's EAL (iop-devices), so rte_hash is not an
 * option, and glibc's hsearch_r cannot grow.
 */
struct index {
	uint64_t *slot_key; /* key + 1; 0: empty */
	size_t *slot_pos;
	size_t cap, n;
};

static size_t index_slot(const struct index *ix, uint64_t key)
{
	uint64_t h = key * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h ^ (h >> 32)) & (ix->cap - 1);
}

/* The position stored for key, or -1. */
static long index_find(const struct index *ix, uint64_t key)
{
	if (ix->cap == 0)
		return -1;
	for (size_t i = index_slot(ix, key);; i = (i + 1) & (ix->cap - 1)) {
		if (ix->slot_key[i] == 0)
			return -1;
		if (ix->slot_key[i] == key + 1)
			return (long)ix->slot_pos[i];
	}
}

static void index_put(struct index *ix, uint64_t key, size_t pos)
{
	size_t i = index_slot(ix, key);

	while (ix->slot_key[i] != 0)
		i = (i + 1) & (ix->cap - 1);
	ix->slot_key[i] = key + 1;
	ix->slot_pos[i] = pos;
	ix->n++;
}

/* Adds key (not yet present) at pos: 0 or -ENOMEM. */
static int index_add(struct index *ix, uint64_t key, size_t pos)
{
	if (2 * (ix->n + 1) > ix->cap) {
		struct index bigger = { .cap = ix->cap ? 2 * ix->cap : 64 };

		bigger.slot_key = calloc(bigger.cap, sizeof(*bigger.slot_key));
		bigger.slot_pos = calloc(bigger.cap, sizeof(*bigger.slot_pos));
		if (!bigger.slot_key || !bigger.slot_pos) {
			free(bigger.slot_key);
			free(bigger.slot_pos);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->slot_key[i])
				index_put(&bigger, ix->slot_key[i] - 1, ix->slot_pos[i]);
		free(ix->slot_key);
		free(ix->slot_pos);
		*ix = bigger;
	}
	index_put(ix, key, pos);
	return 0;
}

static void index_free(struct index *ix)
{
	free(ix->slot_key);
	free(ix->slot_pos);
	memset(ix, 0, sizeof(*ix));
}

/* Room for one more element in an array of n with capacity *cap, grown
 * geometrically: 0 or -ENOMEM. */
static int grow(void **array, size_t n, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? 2 * *cap : 16;
	void *a;

	if (n < *cap)
		return 0;
	a = realloc(*array, ncap * elem);
	if (!a)
		return -ENOMEM;
	*array = a;
	*cap = ncap;
	return 0;
}

struct parser {
	const char *path;
	unsigned int line;
	struct sim_topo *topo;
	struct index group_at; /* group id -> position in topo->groups */
	struct index dev_at;   /* packed BDF -> position in topo->devs */
	size_t groups_cap, devs_cap;
};

#define PERR(p, fmt, ...) \
	IOP_ERR(EINVAL, "topology %s:%u: " fmt, (p)->path, (p)->line, ##__VA_ARGS__)

/* A number in decimal or 0x hex; never octal ("010" is ten). */
static int parse_u64(const char *s, uint64_t *v)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	char *end;

	if (!isxdigit((unsigned char)s[hex ? 2 : 0]) || (!hex && !isdigit((unsigned char)*s)))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, hex ? 16 : 10);
	return (errno || *end) ? -EINVAL : 0;
}

/* A decimal number (group ids, NUMA nodes: the kernel writes them so). */
static int parse_dec(const char *s, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno || *end) ? -EINVAL : 0;
}

static int parse_size(const char *s, uint64_t *v)
{
	static const char units[] = "KMGT";
	char *end;
	const char *u;
	uint64_t n;

	if (strcmp(s, "unlimited") == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == '\0') {
		*v = n;
		return 0;
	}
	u = strchr(units, toupper((unsigned char)*end));
	if (!u || end[1] != '\0')
		return -EINVAL;
	for (long i = 0; i <= u - units; i++) {
		if (n > UINT64_MAX / 1024)
			return -EINVAL;
		n *= 1024;
	}
	*v = n;
	return 0;
}

/* A PCI address (lib/bus's parser) in canonical form in bdf; *key: the
 * address packed into 32 bits. */
static bool valid_bdf(const char *s, char bdf[IOP_BDF_LEN], uint64_t *key)
{
	struct iop_pci_addr a;

	if (iop_pci_addr_parse(s, &a) < 0)
		return false;
	iop_pci_addr_format(&a, bdf);
	*key = (uint64_t)(a.domain & 0xffff) << 16 | (uint64_t)a.bus << 8 |
	       (uint64_t)a.dev << 3 | a.func;
	return true;
}

static struct sim_topo_group *find_group(struct parser *p, unsigned int id)
{
	long at = index_find(&p->group_at, id);

	return at < 0 ? NULL : &p->topo->groups[at];
}

static struct sim_topo_group *add_group(struct parser *p, unsigned int id)
{
	struct sim_topo *t = p->topo;
	struct sim_topo_group *g;

	if (grow((void **)&t->groups, t->ngroups, &p->groups_cap, sizeof(*g)) ||
	    index_add(&p->group_at, id, t->ngroups))
		return NULL;
	g = &t->groups[t->ngroups++];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->io_page = 4096;
	return g;
}

static int cmp_range(const void *a, const void *b)
{
	const struct iop_iova_range *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int parse_group(struct parser *p, char **tok, int ntok)
{
	struct sim_topo_group *g;
	uint64_t id;

	if (ntok < 2 || parse_dec(tok[1], &id) || id > UINT32_MAX)
		return PERR(p, "expected 'group <id> [range=<first>-<last>]...' (id in decimal)");
	if (find_group(p, (unsigned int)id))
		return PERR(p, "group %s is declared twice", tok[1]);
	g = add_group(p, (unsigned int)id);
	if (!g)
		return IOP_ERR(ENOMEM, "out of memory reading %s", p->path);
	for (int i = 2; i < ntok; i++) {
		struct iop_iova_range r;
		char *dash;

		/* seed 001: a window-style IOMMU, see doc/sim-topology.md */
		if (strncmp(tok[i], "dma-window=", 11) == 0) {
			if (parse_size(tok[i] + 11, &g->dma_window) || g->dma_window == 0 ||
			    g->dma_window % 4096)
				return PERR(p, "bad '%s' (expected dma-window=<size>, a multiple of 4K)", tok[i]);
			continue;
		}
		if (strncmp(tok[i], "iopage=", 7) == 0) {
			if (parse_size(tok[i] + 7, &g->io_page) || g->io_page < 512 || g->io_page > 4096 ||
			    (g->io_page & (g->io_page - 1)))
				return PERR(p, "bad '%s' (expected iopage=<size>, a power of two from 512 to 4096)", tok[i]);
			continue;
		}
		if (strncmp(tok[i], "range=", 6) != 0)
			return PERR(p, "unknown group attribute '%s' (expected range=<first>-<last>, dma-window=<size> or iopage=<size>)", tok[i]);
		dash = strchr(tok[i] + 6, '-');
		if (!dash)
			return PERR(p, "bad range '%s' (expected range=<first>-<last>)", tok[i]);
		*dash = '\0';
		if (parse_u64(tok[i] + 6, &r.first) || parse_u64(dash + 1, &r.last) ||
		    r.first > r.last)
			return PERR(p, "bad range '%s-%s' (expected <first>-<last>, first <= last)",
				    tok[i] + 6, dash + 1);
		if (g->nranges == IOP_MAX_RANGES)
			return PERR(p, "more than %d ranges", IOP_MAX_RANGES);
		g->ranges[g->nranges++] = r;
	}
	qsort(g->ranges, g->nranges, sizeof(g->ranges[0]), cmp_range);
	for (size_t i = 1; i < g->nranges; i++)
		if (g->ranges[i].first <= g->ranges[i - 1].last)
			return PERR(p, "ranges of group %u overlap", g->id);
	if (g->dma_window && g->nranges)
		return PERR(p, "group %u has both dma-window= and range= (a window-style IOMMU has no fixed ranges)", g->id);
	if (g->nranges == 0) {
		g->ranges[0] = (struct iop_iova_range){ 0, DEFAULT_LAST };
		g->nranges = 1;
	}
	return 0;
}

static int parse_device(struct parser *p, char **tok, int ntok)
{
	struct sim_topo *t = p->topo;
	struct sim_topo_dev d = { .numa_node = -1 };
	bool has_group = false;
	uint64_t key;

	if (ntok < 2 || !valid_bdf(tok[1], d.bdf, &key))
		return PERR(p, "expected 'device <dddd:bb:dd.f> group=<id> driver=<name> [type=<pmd>]' (hex; device at most 1f, function at most 7)");
	if (index_find(&p->dev_at, key) >= 0)
		return PERR(p, "device %s is declared twice", d.bdf);
	for (int i = 2; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		uint64_t v;

		if (!eq || eq[1] == '\0')
			return PERR(p, "expected key=value, got '%s'", tok[i]);
		*eq++ = '\0';
		if (strcmp(tok[i], "group") == 0) {
			if (parse_dec(eq, &v) || v > UINT32_MAX)
				return PERR(p, "bad group id '%s' (a decimal number)", eq);
			d.group = (unsigned int)v;
			has_group = true;
		} else if (strcmp(tok[i], "driver") == 0) {
			if (strlen(eq) >= sizeof(d.driver))
				return PERR(p, "driver name '%s' is too long", eq);
			strcpy(d.driver, eq);
		} else if (strcmp(tok[i], "type") == 0) {
			if (strlen(eq) >= sizeof(d.type))
				return PERR(p, "type '%s' is too long", eq);
			strcpy(d.type, eq);
		} else if (strcmp(tok[i], "vendor") == 0 || strcmp(tok[i], "device") == 0) {
			if (parse_u64(eq, &v) || v > UINT16_MAX)
				return PERR(p, "bad PCI id '%s'", eq);
			*(tok[i][0] == 'v' ? &d.vendor : &d.device) = (uint16_t)v;
		} else if (strcmp(tok[i], "numa") == 0) {
			if (parse_dec(eq, &v) || v > 1024)
				return PERR(p, "bad numa node '%s' (0 to 1024)", eq);
			d.numa_node = (int)v;
		} else {
			return PERR(p, "unknown device attribute '%s' (expected group, driver, type, vendor, device, numa)",
				    tok[i]);
		}
	}
	if (!has_group || d.driver[0] == '\0')
		return PERR(p, "device %s needs group=<id> and driver=<vfio-pci|none|kernel driver>", d.bdf);
	if (grow((void **)&t->devs, t->ndevs, &p->devs_cap, sizeof(d)) ||
	    index_add(&p->dev_at, key, t->ndevs))
		return IOP_ERR(ENOMEM, "out of memory reading %s", p->path);
	t->devs[t->ndevs++] = d;
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *tok[2 + 2 * IOP_MAX_RANGES], *save = NULL, *s;
	int ntok = 0;
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	for (s = strtok_r(line, " \t\r\n", &save); s; s = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == (int)(sizeof(tok) / sizeof(tok[0])))
			return PERR(p, "too many words");
		tok[ntok++] = s;
	}
	if (ntok == 0)
		return 0;
	if (strcmp(tok[0], "group") == 0)
		return parse_group(p, tok, ntok);
	if (strcmp(tok[0], "device") == 0)
		return parse_device(p, tok, ntok);
	if (strcmp(tok[0], "memlock") == 0) {
		if (ntok != 2 || parse_size(tok[1], &p->topo->memlock))
			return PERR(p, "expected 'memlock <size>' such as 512M, 4G or unlimited");
		return 0;
	}
	if (strcmp(tok[0], "iommu") == 0) {
		if (ntok != 2 || (strcmp(tok[1], "iommufd") && strcmp(tok[1], "type1")))
			return PERR(p, "expected 'iommu iommufd' or 'iommu type1'");
		p->topo->type1 = strcmp(tok[1], "type1") == 0;
		return 0;
	}
	return PERR(p, "unknown keyword '%s' (expected group, device, memlock or iommu)", tok[0]);
}

/* Groups named by devices but not declared get the default range; then
 * each device learns its group's position. */
static int resolve_groups(struct parser *p)
{
	struct sim_topo *t = p->topo;

	for (size_t i = 0; i < t->ndevs; i++) {
		struct sim_topo_group *g = find_group(p, t->devs[i].group);

		if (!g) {
			g = add_group(p, t->devs[i].group);
			if (!g)
				return IOP_ERR(ENOMEM, "out of memory reading %s", p->path);
			g->ranges[0] = (struct iop_iova_range){ 0, DEFAULT_LAST };
			g->nranges = 1;
		}
		t->devs[i].group_index = (size_t)(g - t->groups);
	}
	return 0;
}

/* Without a file the sim models a machine of SIM_DEFAULT_NICS sim NICs,
 * each alone in its IOMMU group: as many as lib/port opens ports. */
#define SIM_DEFAULT_NICS 32
#define SIM_DEFAULT_NAME "(built-in default)"

/* The default topology as a file's text (malloc'd), read by the same parser. */
static char *default_text(void)
{
	size_t len = 0, size = 64 * (2 * SIM_DEFAULT_NICS + 1);
	char *text = malloc(size);

	if (!text)
		return NULL;
	for (int i = 1; i <= SIM_DEFAULT_NICS; i++)
		len += (size_t)snprintf(text + len, size - len, "group %d\n", i);
	/* slots 01..1f of bus 0, then bus 1 (a slot number is at most 0x1f) */
	for (int i = 1; i <= SIM_DEFAULT_NICS; i++)
		len += (size_t)snprintf(text + len, size - len,
					"device 0000:%02x:%02x.0 group=%d driver=vfio-pci type=sim\n",
					i / 32, i % 32, i);
	return text;
}

int sim_topo_load(const char *path, struct sim_topo *topo)
{
	struct parser p = { .path = path ? path : SIM_DEFAULT_NAME, .topo = topo };
	char buf[1024], *text = NULL;
	FILE *f;
	int rc = 0;

	memset(topo, 0, sizeof(*topo));
	topo->memlock = UINT64_MAX;
	if (path) {
		f = fopen(path, "r");
		if (!f)
			return IOP_ERR(errno, "cannot open sim topology %s: %s; pass --sim-topology=FILE (format: iopath(7))",
				       path, strerror(errno));
	} else {
		text = default_text();
		f = text ? fmemopen(text, strlen(text), "r") : NULL;
		if (!f) {
			free(text);
			return IOP_ERR(ENOMEM, "out of memory for the default sim topology");
		}
	}
	while (fgets(buf, sizeof(buf), f)) {
		p.line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			rc = PERR(&p, "line longer than %zu characters", sizeof(buf) - 2);
			break;
		}
		rc = parse_line(&p, buf);
		if (rc)
			break;
	}
	fclose(f);
	free(text);
	if (rc == 0)
		rc = resolve_groups(&p);
	index_free(&p.group_at);
	index_free(&p.dev_at);
	if (rc == 0 && topo->ndevs == 0)
		rc = IOP_ERR(EINVAL, "topology %s: no device lines (format: iopath(7))", p.path);
	if (rc)
		sim_topo_free(topo);
	return rc;
}

void sim_topo_free(struct sim_topo *topo)
{
	free(topo->groups);
	free(topo->devs);
	topo->groups = NULL;
	topo->devs = NULL;
	topo->ngroups = topo->ndevs = 0;
}
