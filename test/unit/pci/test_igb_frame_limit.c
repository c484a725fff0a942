/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame limit of igb's rings (igb and igbvf) without a device: rx and
 * tx take a frame of the configured MTU plus its Ethernet header, and 4
 * bytes more when an 802.1Q tag is in its bytes (iop_pci_frame_fits, the
 * rule e1000e and virtio follow); a longer frame counts once as
 * rx_oversize or tx_oversize. The device's side is played as
 * bench/pci_burst_igb.c plays it: the rings live in DPDK memory on the sim
 * IOMMU, the BAR is plain memory, and the test writes back the rx
 * descriptors and the frames' first bytes into the buffers posted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* The library linked whole has igb_queue.c's functions too: the copy
 * compiled in here, whose queue struct the test fills, takes its own names. */
#define igb_rings_configure test_igb_rings_configure
#define igb_rx_queue_setup test_igb_rx_queue_setup
#define igb_tx_queue_setup test_igb_tx_queue_setup
#define igb_rx_burst test_igb_rx_burst
#define igb_tx_burst test_igb_tx_burst
#define igb_rings_start_tx test_igb_rings_start_tx
#define igb_rings_start_rx test_igb_rings_start_rx
#define igb_rings_stop test_igb_rings_stop
#define igb_dma_stop test_igb_dma_stop
#include "igb_queue.c"
#include "pci_burst.h"

#define MTU 1500
#define FRAME (MTU + RTE_ETHER_HDR_LEN)

static char *argv0, *topology;
static struct igb_rings rings = { .rxq_base = IGB_PF_RXQ_BASE, .txq_base = IGB_PF_TXQ_BASE,
				  .q_stride = IGB_PF_Q_STRIDE, .max_queues = 1,
				  .nb_rxq = 1, .nb_txq = 1, .max_frame = FRAME };
static struct iop_port_qcounters rxc, txc;
static struct rte_mempool *pool;

/* What igb_queue_alloc and the queue setups do, without a port. */
static struct igb_queue *queue(struct iop_ioas *ioas, struct rte_mempool *mp,
			       struct iop_port_qcounters *cnt)
{
	void *ring;
	struct rte_mbuf **sw;
	struct igb_queue *q = pci_burst_queue(sizeof(*q), offsetof(struct igb_queue, cache),
					      sizeof(union igb_rx_desc), ioas, &ring, &sw);

	assert_non_null(q);
	q->ring = ring;
	q->sw = sw;
	q->blk = rings.regs + (mp ? rings.rxq_base : rings.txq_base);
	q->size = PCI_BURST_RING;
	q->mask = PCI_BURST_RING - 1;
	q->rings = &rings;
	q->cnt = cnt;
	q->mp = mp;
	q->max_frame = rings.max_frame;
	if (mp)
		assert_int_equal(pci_burst_rx_pool(&q->refill, &q->cache, mp, "igb"), 0);
	return q;
}

static int setup(void **state)
{
	struct iop_ioas *ioas;

	(void)state;
	if (pci_burst_setup("test_igb_frame_limit", argv0, topology, &ioas, &pool, &rings.regs))
		return -1;
	rings.rxq[0] = queue(ioas, pool, &rxc);
	rings.txq[0] = queue(ioas, NULL, &txc);
	return igb_rings_start_tx(&rings) < 0 || igb_rings_start_rx(&rings) < 0 ? -1 : 0;
}

/* The device receives a frame of len bytes whose EtherType is ethertype
 * into the rx queue's next free descriptor after `at` others. */
static void device_receives(unsigned int at, uint16_t len, uint16_t ethertype)
{
	struct igb_queue *q = rings.rxq[0];
	uint16_t slot = (uint16_t)((q->next + at) & q->mask);
	volatile union igb_rx_desc *d = (volatile union igb_rx_desc *)q->ring + slot;
	uint8_t *data = rte_pktmbuf_mtod(q->sw[slot], uint8_t *);

	memset(data, 0xab, RTE_ETHER_HDR_LEN);
	data[12] = (uint8_t)(ethertype >> 8);
	data[13] = (uint8_t)ethertype;
	d->wb.pkt_info = 0;
	d->wb.length = len;
	d->wb.status_error = IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP;
}

static void rx_takes_a_tag_over_the_mtu_and_counts_longer_frames_once(void **state)
{
	struct rte_mbuf *pkts[8];
	uint16_t got;

	(void)state;
	device_receives(0, FRAME + RTE_VLAN_HLEN, RTE_ETHER_TYPE_VLAN);
	device_receives(1, FRAME + RTE_VLAN_HLEN, RTE_ETHER_TYPE_IPV4);
	device_receives(2, FRAME, RTE_ETHER_TYPE_IPV4);
	device_receives(3, FRAME + RTE_VLAN_HLEN + 1, RTE_ETHER_TYPE_VLAN);
	device_receives(4, FRAME + 1, RTE_ETHER_TYPE_IPV4);
	got = igb_rx_burst(rings.rxq[0], pkts, 8);
	assert_int_equal(got, 2);
	assert_int_equal(pkts[0]->pkt_len, FRAME + RTE_VLAN_HLEN);
	assert_int_equal(pkts[1]->pkt_len, FRAME);
	assert_int_equal(rxc.packets, 2);
	assert_int_equal(rxc.bytes, 2 * FRAME + RTE_VLAN_HLEN);
	assert_int_equal(rxc.drops[IOP_DROP_RX_OVERSIZE], 3);
	rte_pktmbuf_free_bulk(pkts, got);
}

static struct rte_mbuf *frame(uint16_t len, uint16_t ethertype)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *data;

	assert_non_null(m);
	data = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(data);
	memset(data, 0xcd, len);
	data[12] = (uint8_t)(ethertype >> 8);
	data[13] = (uint8_t)ethertype;
	return m;
}

static void tx_takes_a_tag_over_the_mtu_and_counts_longer_frames_once(void **state)
{
	struct rte_mbuf *pkts[] = {
		frame(FRAME + RTE_VLAN_HLEN, RTE_ETHER_TYPE_VLAN),
		frame(FRAME + RTE_VLAN_HLEN, RTE_ETHER_TYPE_IPV4),
		frame(FRAME, RTE_ETHER_TYPE_IPV4),
		frame(FRAME + RTE_VLAN_HLEN + 1, RTE_ETHER_TYPE_VLAN),
	};

	(void)state;
	/* every frame is taken: two posted, two dropped and freed */
	assert_int_equal(igb_tx_burst(rings.txq[0], pkts, 4), 4);
	assert_int_equal(txc.packets, 2);
	assert_int_equal(txc.bytes, 2 * FRAME + RTE_VLAN_HLEN);
	assert_int_equal(txc.drops[IOP_DROP_TX_OVERSIZE], 2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rx_takes_a_tag_over_the_mtu_and_counts_longer_frames_once),
		cmocka_unit_test(tx_takes_a_tag_over_the_mtu_and_counts_longer_frames_once),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_igb_frame_limit TOPOLOGY\n");
		return 2;
	}
	argv0 = argv[0];
	topology = argv[1];
	return cmocka_run_group_tests(tests, setup, NULL);
}
