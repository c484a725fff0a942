/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_malloc.h>

#include "iop_bus.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "pci_pmd_ring.h"

/* Messages start with the PMD's name, as its own IOP_ERR() would. */

int iop_pci_ring_iova(struct iop_pci_dev *pdev, struct iop_ioas *ioas, const char *pmd,
		      const void *va, size_t bytes, uint64_t *iova)
{
	uint64_t last;
	int rc;

	rc = iop_ioas_va2iova(ioas, va, iova);
	if (rc == 0)
		rc = iop_ioas_va2iova(ioas, (const uint8_t *)va + bytes - 1, &last);
	if (rc < 0 || last != *iova + bytes - 1)
		return iop_err(rc < 0 ? -rc : EFAULT, "%s: %s: %s ring memory is not mapped contiguously in the device's IOAS",
			       pmd, iop_pci_dev_bdf(pdev), pmd);
	return 0;
}

int iop_pci_ring_alloc(struct iop_pci_dev *pdev, const char *pmd, uint16_t size,
		       size_t desc_size, struct iop_pci_ring_mem *mem)
{
	int socket = iop_bus_socket_id(iop_pci_dev_numa_node(pdev));
	size_t bytes = (size_t)size * desc_size;
	int rc;

	memset(mem, 0, sizeof(*mem));
	mem->ioas = iop_dev_ioas(iop_pci_dev_iommu(pdev));
	if (!mem->ioas)
		return iop_err(ENODEV, "%s: %s is not attached to an IOAS", pmd, iop_pci_dev_bdf(pdev));
	mem->ring = rte_zmalloc_socket("iop_pci_ring", bytes, 4096, socket);
	mem->sw = rte_zmalloc_socket("iop_pci_sw", sizeof(*mem->sw) * size, 0, socket);
	if (!mem->ring || !mem->sw) {
		iop_pci_ring_free(mem->ring, mem->sw);
		return iop_err(ENOMEM, "%s: no hugepage memory for a ring of %u descriptors: reserve more hugepages",
			       pmd, size);
	}
	rc = iop_pci_ring_iova(pdev, mem->ioas, pmd, mem->ring, bytes, &mem->iova);
	if (rc < 0)
		iop_pci_ring_free(mem->ring, mem->sw);
	return rc;
}

void iop_pci_ring_free(void *ring, struct rte_mbuf **sw)
{
	rte_free(sw);
	rte_free(ring);
}

void iop_pci_free_mbufs(struct rte_mbuf **sw, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		rte_pktmbuf_free(sw[i]);
		sw[i] = NULL;
	}
}

int iop_pci_rx_refill_init(struct iop_pci_rx_refill *r, struct rte_mempool *mp,
			   uint16_t port_id, uint16_t off, const char *pmd)
{
	struct rte_mbuf mb = { .data_off = RTE_PKTMBUF_HEADROOM, .nb_segs = 1, .port = port_id };

	if (rte_pktmbuf_priv_flags(mp) & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF)
		return iop_err(EINVAL, "%s: mempool %s has pinned external buffers, which %s does not take: create it with rte_pktmbuf_pool_create()",
			       pmd, mp->name, pmd);
	rte_mbuf_refcnt_set(&mb, 1);
	memcpy(&r->rearm, (const uint8_t *)&mb + offsetof(struct rte_mbuf, rearm_data),
	       sizeof(r->rearm));
	r->mp = mp;
	r->buf_off = (uint32_t)(sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(mp) + off);
	return 0;
}

int iop_pci_rx_buf_alloc(const struct iop_pci_rx_refill *r, const struct iop_iova_burst *b,
			 const char *pmd, uint16_t ring_size, unsigned int *looked,
			 struct rte_mbuf **m, uint64_t *iova)
{
	*m = rte_mbuf_raw_alloc(r->mp);
	if (!*m)
		return iop_err(ENOMEM, "%s: not enough mbufs to fill the %s rx ring of %u: make the pool larger",
			       pmd, pmd, ring_size);
	(*looked)++;
	iop_pci_rx_rearm(*m, r->rearm);
	*iova = iop_iova_burst_lookup(b, (uint8_t *)*m + r->buf_off);
	if (*iova == IOP_IOVA_POISON) {
		rte_mbuf_raw_free(*m);
		*m = NULL;
		return iop_err(EFAULT, "%s: rx mbufs are not mapped in the device's IOAS: create the mempool after iop_init()",
			       pmd);
	}
	return 0;
}

void iop_pci_cache_run_pool(struct iop_iova_cache *cache, struct rte_mempool *mp)
{
	void *va;
	size_t len;

	if (iop_mem_pool_span(mp, &va, &len) == 0)
		iop_iova_cache_set_run(cache, va, len); /* -ENOENT: no run, still exact */
}

/* One at a time, until the pool is empty: the pool's cache and common
 * ring together may hold fewer than n but more than none. */
unsigned int iop_pci_rx_alloc_dry(struct rte_mempool *mp, struct rte_mbuf **m, unsigned int n)
{
	unsigned int got = 0;

	while (got < n && rte_mempool_get(mp, (void **)&m[got]) == 0)
		got++;
	return got;
}
