/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOMMU_H
#define IOP_IOMMU_H

/*
 * lib/iommu: the device-centric IOMMU layer.
 *
 * Objects: one context per process and backend; groups (the kernel's IOMMU
 * groups, never split); devices (what users name: a PCI address); IOAS (I/O
 * address spaces with their IOVA ranges, mappings and translation table).
 *
 * Every call that can fail returns 0 or a negative errno and leaves a
 * one-line explanation in iop_err_msg() (see iop_log.h).
 *
 * Threads: the calls on one context and its objects may come from several
 * threads (lib/mem maps from DPDK's hotplug callback, on whichever thread
 * allocates memory): a per-context lock runs them one at a time. Objects
 * must still outlive their use: do not close a device or destroy an IOAS
 * that another thread is using. The fast path (iop_iova_cache.h, sim DMA)
 * takes no lock.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iop_ctx;
struct iop_group;
struct iop_dev;
struct iop_ioas;

/* "0000:00:00.0" plus NUL */
#define IOP_BDF_LEN 13
#define IOP_DRIVER_LEN 32

enum iop_backend_kind {
	IOP_BACKEND_AUTO = 0, /* iommufd if /dev/iommu and /dev/vfio/devices exist, else vfio */
	IOP_BACKEND_IOMMUFD,
	IOP_BACKEND_VFIO,     /* legacy type1 container + group fds */
	IOP_BACKEND_SIM,      /* in-process model of the kernel */
};

enum iop_layout {
	IOP_LAYOUT_SHARED = 0, /* one IOAS for every device */
	IOP_LAYOUT_PER_DEVICE, /* one IOAS per device (groups merged unless strict) */
	IOP_LAYOUT_PER_GROUP,  /* one IOAS per IOMMU group */
};

/* Parsers for the command-line names; -EINVAL (with iop_err_msg) otherwise. */
int iop_backend_parse(const char *name, enum iop_backend_kind *kind);
const char *iop_backend_name(enum iop_backend_kind kind);
int iop_layout_parse(const char *name, enum iop_layout *layout);
const char *iop_layout_name(enum iop_layout layout);

struct iop_ctx_params {
	enum iop_backend_kind backend;
	const char *sim_topology; /* sim: topology file; NULL: the built-in default */
	const char *sysfs_root;   /* real backends: default "/sys" */
	const char *dev_root;     /* real backends: default "/dev" */
};

int iop_ctx_create(const struct iop_ctx_params *params, struct iop_ctx **ctx);
/* Closes every device, destroys every IOAS, releases every pin and fd. */
void iop_ctx_destroy(struct iop_ctx *ctx);
enum iop_backend_kind iop_ctx_backend(const struct iop_ctx *ctx);
/* Whether iop_dev_move replaces an attached device's domain in one step
 * (iommufd, the sim) or must detach the device first (VFIO type1, the sim
 * on a topology with `iommu type1`), which needs every reference to the
 * device closed. */
bool iop_ctx_can_replace(const struct iop_ctx *ctx);

/* --- devices and groups (what the bus and iop-devices list) ------------- */

struct iop_dev_info {
	char bdf[IOP_BDF_LEN];
	char driver[IOP_DRIVER_LEN]; /* "vfio-pci", "none", or a kernel driver */
	unsigned int group;          /* IOMMU group id */
	char type[16];               /* sim: the type= of the topology; pci: "" */
	uint16_t vendor, device;     /* PCI ids (0 on sim unless given) */
	int numa_node;               /* -1 if unknown */
};

/* Fills up to max entries, sets *count to the number of devices present. */
int iop_ctx_devices(struct iop_ctx *ctx, struct iop_dev_info *info, size_t max,
		    size_t *count);

struct iop_iova_range {
	uint64_t first;
	uint64_t last; /* inclusive */
};

#define IOP_GROUP_MAX_DEVS 32
#define IOP_MAX_RANGES 16

struct iop_group_info {
	unsigned int id;
	size_t ndevs;
	char bdf[IOP_GROUP_MAX_DEVS][IOP_BDF_LEN];
	bool viable;
	/* why not viable: each offending device with its driver, and the fix */
	char why[512];
	/* IOVA ranges its IOMMU allows (nranges 0: the backend cannot tell) */
	size_t nranges;
	struct iop_iova_range ranges[IOP_MAX_RANGES];
};

int iop_ctx_group_info(struct iop_ctx *ctx, unsigned int group,
		       struct iop_group_info *info);

/*
 * Opens a device for user DMA: looks up its group, checks the group is
 * viable (every device on vfio-pci, pci-stub, pcieport or no driver),
 * claims the group's DMA ownership on the first open. Errors: -ENODEV (unknown BDF), -EPERM
 * (group not viable; the message lists offenders and the fix).
 */
int iop_dev_open(struct iop_ctx *ctx, const char *bdf, struct iop_dev **dev);
/* Detaches if attached, then releases the device (and the group with the
 * last device). */
void iop_dev_close(struct iop_dev *dev);

const char *iop_dev_bdf(const struct iop_dev *dev);
unsigned int iop_dev_group(const struct iop_dev *dev);
struct iop_ctx *iop_dev_ctx(const struct iop_dev *dev);
/* The IOAS the device is attached to, or NULL. */
struct iop_ioas *iop_dev_ioas(const struct iop_dev *dev);
/* VFIO device fd for region/irq ioctls on real backends; -1 on sim. */
int iop_dev_fd(const struct iop_dev *dev);

/*
 * Attaches a device to an IOAS. The first device of a group attaches the
 * group; later devices of the group may only join the IOAS the group is on:
 * otherwise -EINVAL (as the kernel), with a message naming the device, the
 * group, the sibling and that IOAS. Attaching to the IOAS it is on is 0.
 */
int iop_dev_attach(struct iop_dev *dev, struct iop_ioas *ioas);
/* The last attached device of a group detaches the group. */
int iop_dev_detach(struct iop_dev *dev);

/*
 * Moves a set of devices to IOAS `to`, ordering the steps so no group is
 * ever split: every device of a group is detached before any is attached,
 * or the backend replaces the domain atomically. Devices of a group that
 * are not in the set but are open must move too: -EINVAL otherwise. On a
 * failure midway every device is put back where it was.
 */
int iop_dev_move(struct iop_dev *const *devs, size_t n, struct iop_ioas *to);
/* The checks iop_dev_move makes before it changes anything (every open
 * device of the groups is in the set, one context): 0 or their error. For
 * a caller that must prepare the devices first (type1: close them). */
int iop_dev_move_check(struct iop_dev *const *devs, size_t n, struct iop_ioas *to);

/* --- IOAS ------------------------------------------------------------------ */

int iop_ioas_create(struct iop_ctx *ctx, struct iop_ioas **ioas);
/* -EBUSY while devices are attached. Unmaps everything; an IOAS still
 * holding DPDK's memory (iop_mem_attach_ioas) is detached from lib/mem
 * first, as by iop_mem_detach_ioas(). */
int iop_ioas_destroy(struct iop_ioas *ioas);
unsigned int iop_ioas_id(const struct iop_ioas *ioas);
struct iop_ctx *iop_ioas_ctx(const struct iop_ioas *ioas);

/* The IOVA ranges usable now (they narrow as groups attach). */
int iop_ioas_ranges(struct iop_ioas *ioas, struct iop_iova_range *ranges,
		    size_t max, size_t *count);

/*
 * DMA windows of a window-style IOMMU (seed 001; sPAPR TCE, modelled by the
 * sim's dma-window= groups): the IOAS's ranges are its windows. The first
 * such group attached brings a default window at IOVA 0; this creates
 * another one, size bytes of 2^page_shift-byte pages, placed by the
 * platform at *start (-ENOSPC: no window slot left; -EINVAL: a page size
 * the IOMMU lacks; -ENXIO: no window-style group attached; -EOPNOTSUPP:
 * the backend's IOMMUs have fixed apertures). Removing a window that still
 * holds mappings is refused (-EBUSY): unmap them first.
 */
int iop_ioas_window_create(struct iop_ioas *ioas, unsigned int page_shift,
			   uint64_t size, uint64_t *start);
int iop_ioas_window_remove(struct iop_ioas *ioas, uint64_t start);

#define IOP_PROT_READ  1u /* device may read */
#define IOP_PROT_WRITE 2u /* device may write */

/*
 * Maps [va, va+len) for DMA and returns its IOVA. IOVA = VA when that range
 * fits the IOAS's ranges; otherwise a hugepage-aligned IOVA packed inside
 * them (-ENOSPC with the sizes in the message when there is no room). When
 * another IOAS of the context already maps exactly this VA range, the pages
 * are copied from it (pinned once, not twice) where the backend can.
 */
int iop_ioas_map(struct iop_ioas *ioas, void *va, size_t len, unsigned int prot,
		 uint64_t *iova);
/*
 * While model is set (NULL: no more), a new mapping of ioas whose VA range
 * model maps whole takes model's IOVA for it where ioas's ranges and
 * mappings allow, before the rules above. A live move (iop_port_move)
 * sets it for the populate so that descriptors posted with the source's
 * IOVAs stay valid in a fresh destination. model must outlive the setting.
 * -EINVAL (nothing set) for a model of another context.
 */
int iop_ioas_set_iova_model(struct iop_ioas *ioas, struct iop_ioas *model);
/* Unmaps exactly a range given to iop_ioas_map (-ENOENT otherwise). */
int iop_ioas_unmap(struct iop_ioas *ioas, void *va, size_t len);
/* Slow-path translation (the fast path is iop_iova_cache.h). */
int iop_ioas_va2iova(struct iop_ioas *ioas, const void *va, uint64_t *iova);

/* --- what a context holds (telemetry) ------------------------------------ */

struct iop_ioas_info {
	unsigned int id;
	unsigned int ndevs;     /* devices attached */
	size_t nmaps;
	uint64_t mapped_bytes;  /* sum of its mappings */
};
/* The IOAS of ctx in creation order: fills up to max, *count = all. */
int iop_ctx_ioas_list(struct iop_ctx *ctx, struct iop_ioas_info *info, size_t max,
		      size_t *count);

struct iop_map_info {
	uint64_t va, iova, len;
	unsigned int prot;      /* IOP_PROT_* */
};
/* The mappings of IOAS id, by VA; -ENOENT for an unknown id. */
int iop_ctx_ioas_maps(struct iop_ctx *ctx, unsigned int id, struct iop_map_info *maps,
		      size_t max, size_t *count);

struct iop_open_dev {
	char bdf[IOP_BDF_LEN];
	unsigned int group;
	unsigned int ioas;      /* id of the IOAS it is attached to, 0: none */
};
/* The devices opened in ctx. */
int iop_ctx_open_devices(struct iop_ctx *ctx, struct iop_open_dev *devs, size_t max,
			 size_t *count);

/* Bytes of memory the backend keeps pinned for every IOAS: a range mapped
 * in several IOAS counts once where the backend copies mappings instead of
 * pinning again (iommufd, sim), once per IOAS otherwise (type1). */
uint64_t iop_ctx_pinned_bytes(struct iop_ctx *ctx);

/* --- layouts ------------------------------------------------------------------ */

struct iop_plan_ioas {
	size_t ndevs;
	const char *bdf[IOP_GROUP_MAX_DEVS];
	/* IOVA ranges it will have once its groups are attached (the
	 * intersection of theirs; nranges 0: the backend cannot tell) */
	size_t nranges;
	struct iop_iova_range ranges[IOP_MAX_RANGES];
};

/*
 * The IOAS layout for a set of devices, before anything is opened.
 * per-device with two devices of one group: with strict, -EINVAL and a
 * message suggesting --ioas=per-group; otherwise they share one IOAS and a
 * warning names the group ("merged"). Also checks viability (-EPERM).
 */
struct iop_plan {
	enum iop_layout layout;
	size_t nioas;
	struct iop_plan_ioas ioas[64];
	size_t nmerged;                /* groups merged by per-device */
	unsigned int merged_group[64];
};

int iop_plan_build(struct iop_ctx *ctx, enum iop_layout layout, bool strict,
		   const char *const *bdfs, size_t n, struct iop_plan *plan);

/* A device already placed by a layout: its IOMMU group and the IOAS it is
 * in, as an index the caller chooses. */
struct iop_placed_dev {
	const char *bdf;
	unsigned int group;
	size_t ioas;
};

/* *ioas of iop_layout_place: the device needs an IOAS of its own. */
#define IOP_PLACE_NEW_IOAS SIZE_MAX

/*
 * One placement step of a layout, the rules iop_plan_build() applies to a
 * list and ports apply as they open devices one at a time: where device
 * bdf of IOMMU group `group` goes, given the n devices placed before it.
 * Sets *ioas to the index of a placed IOAS it joins, or IOP_PLACE_NEW_IOAS.
 *   shared      the IOAS of the first placed device;
 *   per-group   the IOAS of a placed device of its group;
 *   per-device  an IOAS of its own unless a placed device shares its group:
 *               then that IOAS with a warning ("merged"), or, with strict,
 *               -EINVAL and a message suggesting --ioas=per-group.
 */
int iop_layout_place(enum iop_layout layout, bool strict,
		     const struct iop_placed_dev *placed, size_t n,
		     const char *bdf, unsigned int group, size_t *ioas);

/* Opens every device of the plan, creates its IOAS and attaches them. On
 * failure nothing stays open. devs[i] matches bdfs[i] of iop_plan_build. */
int iop_plan_apply(struct iop_ctx *ctx, const struct iop_plan *plan,
		   const char *const *bdfs, size_t n, struct iop_dev **devs,
		   struct iop_ioas **ioas_out);

#ifdef __cplusplus
}
#endif

#endif /* IOP_IOMMU_H */
