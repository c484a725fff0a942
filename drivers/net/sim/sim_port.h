/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_PORT_H
#define IOP_SIM_PORT_H

/*
 * The sim PMD's port, shared by its files: sim_pmd.c (spec, probe, the
 * ops table), sim_conf.c (capabilities, configuration, queues, start and
 * stop), sim_rxtx.c (the bursts) and sim_pause.c (what a move's hold does).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "port_driver.h"
#include "sim_ring.h"
#include "sim_wire.h"

struct sim_port {
	struct sim_wire wire;
	struct iop_dev *dev;
	struct iop_ioas *ioas;
	enum sim_iova_mode iova_mode;
	uint16_t nb_rxq, nb_txq;
	uint16_t wire_nb_txq;
	bool started;
	struct sim_rx_model rxm;
	struct sim_tx_model txm;
	/* tx queues sharing a wire queue take turns on it */
	rte_spinlock_t wire_txq_lock[IOP_PORT_MAX_QUEUES];
	struct sim_rxq *rxq[IOP_PORT_MAX_QUEUES];
	struct sim_txq *txq[IOP_PORT_MAX_QUEUES];
};

/* sim_rxtx.c: the bursts, and what start needs of them */
uint16_t sim_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t sim_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n);
/* Posts a buffer on every descriptor of an empty ring. false: the pool ran
 * out (rx_nombuf) or a buffer has no IOVA in the port's IOAS (rx_unmapped). */
bool sim_rxq_fill(struct sim_rxq *q);

/* Frees the mbufs of the frames the device has sent, a batch at a time,
 * by the PCI PMDs' inline free (a one-segment frame straight back to its
 * pool). Inline: the tx burst runs it, and so does a held queue's finish. */
#define SIM_TX_CLEAN_BATCH 32
static inline void sim_txq_clean(struct sim_txq *q)
{
	struct rte_mbuf *done[SIM_TX_CLEAN_BATCH];
	uint16_t k = 0;

	while (q->clean != q->next && (q->ring[q->clean].flags & SIM_DESC_DONE)) {
		if (q->sw[q->clean]) {
			done[k++] = q->sw[q->clean];
			q->sw[q->clean] = NULL;
		}
		q->ring[q->clean].flags = 0;
		q->clean = (uint16_t)((q->clean + 1) & q->mask);
		if (k == SIM_TX_CLEAN_BATCH) {
			iop_pci_tx_free(done, k);
			k = 0;
		}
	}
	if (k)
		iop_pci_tx_free(done, k);
}

/* sim_pause.c: a queue held by a move (rx_burst reclaims in place of its
 * refill, tx_burst finishes in place of taking frames), and the port ops
 * of a move */
void sim_rxq_reclaim(struct sim_rxq *q);
void sim_txq_finish(struct sim_txq *q);
void sim_hold(struct iop_port *port, bool on);
bool sim_held(struct iop_port *port);
size_t sim_ioas_changed(struct iop_port *port, struct iop_ioas *ioas,
			struct iop_iova_cache **caches, size_t max);

/* sim_conf.c: the port ops of the control path */
void sim_info(struct iop_port *port, struct iop_port_info *info);
int sim_configure(struct iop_port *port, const struct iop_port_conf *conf);
int sim_rss_update(struct iop_port *port, const struct iop_port_rss_conf *rss);
int sim_rxq_setup(struct iop_port *port, uint16_t qid, uint16_t nb_desc,
		  struct rte_mempool *mp, struct iop_port_qcounters *cnt, void **out);
int sim_txq_setup(struct iop_port *port, uint16_t qid, uint16_t nb_desc,
		  struct iop_port_qcounters *cnt, void **out);
void sim_rxq_release(void *q);
void sim_txq_release(void *q);
int sim_start(struct iop_port *port);
void sim_stop(struct iop_port *port);
int sim_link(struct iop_port *port, struct iop_port_link *link);
int sim_promisc(struct iop_port *port, bool on);
struct iop_dev *sim_dev_get(struct iop_port *port);

#endif /* IOP_SIM_PORT_H */
