/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-igb-checks: the igb PMD's receive offloads on two 82576 PFs in a
 * guest of test/vm/run-guest whose QEMU netdevs are cabled to each other
 * (what A sends, B receives). A sends IPv4/UDP frames of 64 flows on one
 * queue; B receives on two queues with RSS on. The device's answers are
 * checked against independent truths:
 *   - the RSS hash in each mbuf equals DPDK's software Toeplitz
 *     (rte_softrss) of the frame's addresses and ports with the key of
 *     Microsoft's RSS specification, and the frame arrived on the queue the
 *     redirection table gives that hash (entry i -> queue i % 2);
 *   - both queues got frames (the flows spread);
 *   - checksum verdicts: good frames GOOD, a bad IPv4 header checksum
 *     IP_CKSUM_BAD, a bad UDP checksum L4_CKSUM_BAD;
 *   - a frame that is not IP arrives on queue 0 without a hash;
 *   - tx checksum offload: frames sent with zero checksums and the
 *     offload flags arrive with checksums the receiving device and DPDK
 *     both find right (the contexts' shape, and one with IPv4 options);
 *   - B -> A: a unicast frame for a foreign MAC reaches A, which has one
 *     rx queue (RSS off), in promiscuous mode.
 *
 *   iop-igb-checks [EAL] -- --iommu=... -- BDF_A BDF_B
 *
 * Prints "ok - ..." / "not ok - ..." per check; exit 1 on any failure.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_port.h"
#include "../vm_check.h"
#include "guest_frames.h"

#define FLOWS 64
#define RXQ 2

/* Microsoft's RSS specification key: the igb PMD programs it (doc/pci.md). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* TX_OFFLOAD: checksums left to the sender's device (IPv4 header 0, UDP
 * the pseudo-header sum), TX_OFFLOAD_OPT the same with 4 bytes of IPv4
 * options, a shape the PMD checksums in software. */
enum bad { GOOD, BAD_IP, BAD_UDP, NOT_IP, TX_OFFLOAD, TX_OFFLOAD_OPT };

static struct rte_mbuf *frame(struct rte_mempool *mp, uint16_t sport, enum bad bad)
{
	static const enum guest_sum sum[] = {
		[GOOD] = GUEST_SUM_RIGHT, [BAD_IP] = GUEST_SUM_BAD_IP, [BAD_UDP] = GUEST_SUM_BAD_L4,
		[TX_OFFLOAD] = GUEST_SUM_TX_OFFLOAD, [TX_OFFLOAD_OPT] = GUEST_SUM_TX_OFFLOAD,
	};
	struct rte_mbuf *m;
	struct rte_ether_hdr *eth;

	if (bad != NOT_IP)
		return guest_ipv4_frame(mp, &(struct guest_frame){
			.sport = sport, .ip_opt = bad == TX_OFFLOAD_OPT ? 4 : 0, .payload = 32,
			.sum = sum[bad] });
	/* the same length, all zeros after an EtherType that is not IP */
	m = rte_pktmbuf_alloc(mp);
	eth = m ? (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + 20 + 8 + 32) : NULL;
	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, m->data_len);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->ether_type = rte_cpu_to_be_16(0x88b5);
	return m;
}

static uint32_t soft_hash(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
	struct rte_ipv4_tuple t = {
		.src_addr = rte_be_to_cpu_32(ip->src_addr),
		.dst_addr = rte_be_to_cpu_32(ip->dst_addr),
	};

	t.sport = rte_be_to_cpu_16(udp->src_port);
	t.dport = rte_be_to_cpu_16(udp->dst_port);
	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, ms_key);
}

static int port_up(const char *bdf, uint16_t nrx, struct rte_mempool *mp, uint16_t *id)
{
	char spec[64];
	struct iop_port_info info;
	struct iop_port_link link = { 0 };
	struct iop_port_conf conf = { .nb_rxq = nrx, .nb_txq = 1 };

	/* more than one queue: RSS over IPv4 and UDP ports, with the spec's
	 * key (the table is lib/port's default: entry i -> queue i % nrx) */
	if (nrx > 1) {
		conf.rss.hash_types = IOP_PORT_RSS_IPV4 | IOP_PORT_RSS_NONFRAG_IPV4_UDP;
		conf.rss.key_len = sizeof(ms_key);
		memcpy(conf.rss.key, ms_key, sizeof(ms_key));
	}
	snprintf(spec, sizeof(spec), "pci:%s", bdf);
	if (iop_port_open(spec, id) < 0 || iop_port_info_get(*id, &info) < 0 ||
	    iop_port_configure(*id, &conf) < 0)
		return -1;
	check(strcmp(info.driver, "igb") == 0 && info.max_rx_queues >= RXQ,
	      "the 82576 opens on the igb PMD with several queues", "%s, %u rx queues", info.driver,
	      info.max_rx_queues);
	for (uint16_t q = 0; q < nrx; q++)
		if (iop_port_rx_queue_setup(*id, q, 256, mp) < 0)
			return -1;
	if (iop_port_tx_queue_setup(*id, 0, 256) < 0 || iop_port_start(*id) < 0)
		return -1;
	for (int i = 0; i < 200 && !link.up; i++) {
		iop_port_link_get(*id, &link);
		if (!link.up)
			usleep(50000);
	}
	check(link.up, "the link comes up", "%s: link down after 10 s", bdf);
	return 0;
}

/* Sends m from a and waits for one frame on any of b's nrxq queues. */
static struct rte_mbuf *cross(uint16_t a, uint16_t b, uint16_t nrxq, struct rte_mbuf *m,
			      uint16_t *queue)
{
	struct rte_mbuf *got = NULL;

	if (!m || iop_port_tx_burst(a, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	for (int i = 0; i < 200000 && !got; i++)
		for (uint16_t q = 0; q < nrxq && !got; q++)
			if (iop_port_rx_burst(b, q, &got, 1) == 1)
				*queue = q;
	return got;
}

int main(int argc, char **argv)
{
	struct rte_mempool *mp;
	uint16_t a, b, q = 0;
	unsigned int per_q[RXQ] = { 0 }, hash_ok = 0, queue_ok = 0, csum_ok = 0, got = 0;
	struct rte_mbuf *m;
	int n = iop_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "iop-igb-checks: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc != 3) {
		fprintf(stderr, "usage: iop-igb-checks [EAL] -- [iopath] -- BDF_A BDF_B\n");
		iop_cleanup();
		return 2;
	}
	mp = rte_pktmbuf_pool_create("igbchk", 2048, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (!mp || port_up(argv[1], 1, mp, &a) < 0 || port_up(argv[2], RXQ, mp, &b) < 0) {
		check(false, "two igb ports open and start", "%s", mp ? iop_err_msg() : "no mempool");
		iop_cleanup();
		return 1;
	}
	for (uint16_t f = 0; f < FLOWS; f++) {
		m = cross(a, b, RXQ, frame(mp, (uint16_t)(1000 + f), GOOD), &q);
		if (!m)
			continue;
		got++;
		per_q[q]++;
		hash_ok += (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) && m->hash.rss == soft_hash(m);
		queue_ok += q == (soft_hash(m) & 127) % RXQ;
		csum_ok += (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
			   (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		rte_pktmbuf_free(m);
	}
	printf("# %u of %u flows crossed: queue 0 %u, queue 1 %u\n", got, FLOWS, per_q[0], per_q[1]);
	check(got == FLOWS, "every frame crossed A -> B", "%u of %u", got, FLOWS);
	check(hash_ok == got, "the device's RSS hash equals rte_softrss with the spec key",
	      "%u of %u match", hash_ok, got);
	check(queue_ok == got, "each frame arrived on the queue of its redirection table entry",
	      "%u of %u", queue_ok, got);
	check(per_q[0] > 0 && per_q[1] > 0, "RSS spread the flows over both queues",
	      "queue 0 %u, queue 1 %u", per_q[0], per_q[1]);
	check(csum_ok == got, "good frames carry IP and L4 checksum GOOD", "%u of %u", csum_ok, got);

	m = cross(a, b, RXQ, frame(mp, 2000, BAD_IP), &q);
	check(m && (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD,
	      "a bad IPv4 header checksum is reported BAD", "%s, flags 0x%llx", m ? "received" : "lost",
	      m ? (unsigned long long)m->ol_flags : 0ull);
	rte_pktmbuf_free(m);
	m = cross(a, b, RXQ, frame(mp, 2001, BAD_UDP), &q);
	check(m && (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD,
	      "a bad UDP checksum is reported BAD", "%s, flags 0x%llx", m ? "received" : "lost",
	      m ? (unsigned long long)m->ol_flags : 0ull);
	rte_pktmbuf_free(m);
	m = cross(a, b, RXQ, frame(mp, 0, NOT_IP), &q);
	check(m && q == 0 && !(m->ol_flags & RTE_MBUF_F_RX_RSS_HASH),
	      "a frame that is not IP arrives on queue 0 without a hash", "%s, queue %u",
	      m ? "received" : "lost", q);
	rte_pktmbuf_free(m);
	/* tx checksum offload, both shapes: the device's verdict on receive and
	 * DPDK's own check of the bytes that arrived */
	for (enum bad k = TX_OFFLOAD; k <= TX_OFFLOAD_OPT; k++) {
		m = cross(a, b, RXQ, frame(mp, (uint16_t)(2100 + k), k), &q);
		if (m) {
			struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
									  sizeof(struct rte_ether_hdr));
			uint16_t hl = (uint16_t)((ip->version_ihl & 0xf) * 4);
			struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((uint8_t *)ip + hl);
			uint16_t got_ck = udp->dgram_cksum;

			udp->dgram_cksum = 0;

			check((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
			      (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
			      rte_raw_cksum(ip, hl) == 0xffff &&
			      got_ck == rte_ipv4_udptcp_cksum(ip, udp),
			      k == TX_OFFLOAD ? "tx checksum offload: the device inserted IPv4 and UDP checksums" :
			      "tx checksum offload with IPv4 options: the PMD's checksums are right",
			      "flags 0x%llx", (unsigned long long)m->ol_flags);
		} else {
			check(false, "tx checksum offload frame crossed", "lost");
		}
		rte_pktmbuf_free(m);
	}
	/* the other way: A has one rx queue (no RSS), and the frame is for a
	 * MAC address that is not A's: promiscuous mode takes it */
	m = frame(mp, 3000, NOT_IP);
	if (m)
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes[0] = 0x02;
	m = cross(b, a, 1, m, &q);
	check(m != NULL, "a unicast frame for another MAC reaches the one-queue port (promiscuous)",
	      "lost");
	rte_pktmbuf_free(m);

	iop_port_close(a);
	iop_port_close(b);
	iop_cleanup();
	return failures ? 1 : 0;
}
