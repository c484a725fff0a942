/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-e1000e-checks: the e1000e PMD's checksum offloads on two 82574L in a
 * guest of test/vm/run-guest whose QEMU netdevs are cabled to each other
 * (what A sends, B receives). The device's answers are checked against
 * independent truths:
 *   - rx verdicts: frames whose checksums DPDK computed arrive GOOD, a bad
 *     IPv4 header checksum IP_CKSUM_BAD, a bad UDP or TCP checksum
 *     L4_CKSUM_BAD;
 *   - tx checksum offload: UDP and TCP frames sent with the IPv4 checksum 0
 *     and the pseudo-header sum in the L4 field arrive with checksums the
 *     receiving device finds GOOD and DPDK computes the same; a UDP frame
 *     then a TCP frame then UDP again (a new context each time);
 *   - VLAN: a frame tagged in its bytes arrives stripped, its TCI in the
 *     mbuf and the rest of its bytes the untagged frame's; a frame sent
 *     with RTE_MBUF_F_TX_VLAN arrives stripped with the TCI it was sent
 *     with (the sender's device inserted the tag).
 *
 *   iop-e1000e-checks [EAL] -- --iommu=... -- BDF_A BDF_B
 *
 * Prints "ok - ..." / "not ok - ..." per check; exit 1 on any failure.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_port.h"
#include "../vm_check.h"

enum shape { GOOD, BAD_IP, BAD_L4, TX_OFFLOAD };

/* An IPv4 frame with a UDP or TCP payload, checksums as shape says. */
static struct rte_mbuf *frame(struct rte_mempool *mp, bool tcp, uint16_t sport, enum shape shape)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t l4len = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	uint16_t len = (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + l4len + 40);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint16_t ck_off = tcp ? offsetof(struct rte_tcp_hdr, cksum) : offsetof(struct rte_udp_hdr, dgram_cksum);
	uint16_t ck;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, len);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	l4 = (uint8_t *)(ip + 1);
	if (tcp) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		t->src_port = rte_cpu_to_be_16(sport);
		t->dst_port = rte_cpu_to_be_16(80);
		t->data_off = 0x50;
		t->tcp_flags = RTE_TCP_ACK_FLAG;
		t->rx_win = rte_cpu_to_be_16(1024);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = rte_cpu_to_be_16(sport);
		u->dst_port = rte_cpu_to_be_16(4789);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(l4len + 40));
	}
	for (int i = 0; i < 40; i++)
		l4[l4len + i] = (uint8_t)(sport + 5 * i);
	ck = rte_ipv4_udptcp_cksum(ip, l4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (shape == BAD_IP)
		ip->hdr_checksum ^= 0x1111;
	if (shape == BAD_L4)
		ck ^= 0x1111;
	if (shape == TX_OFFLOAD) {
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			      (tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
		m->l2_len = sizeof(*eth);
		m->l3_len = sizeof(*ip);
		ip->hdr_checksum = 0;
		ck = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	}
	memcpy(l4 + ck_off, &ck, sizeof(ck));
	return m;
}

static int port_up(const char *bdf, struct rte_mempool *mp, uint16_t *id)
{
	char spec[64];
	struct iop_port_info info;
	struct iop_port_link link = { 0 };
	struct iop_port_conf conf = {
		.nb_rxq = 1, .nb_txq = 1,
		.rx_offloads = IOP_PORT_RX_OFFLOAD_CHECKSUM | IOP_PORT_RX_OFFLOAD_VLAN_STRIP,
		.tx_offloads = IOP_PORT_TX_OFFLOAD_CHECKSUM | IOP_PORT_TX_OFFLOAD_VLAN_INSERT,
	};

	snprintf(spec, sizeof(spec), "pci:%s", bdf);
	if (iop_port_open(spec, id) < 0 || iop_port_info_get(*id, &info) < 0)
		return -1;
	check(strcmp(info.driver, "e1000e") == 0, "the 82574L opens on the e1000e PMD", "%s",
	      info.driver);
	if (iop_port_configure(*id, &conf) < 0 || iop_port_rx_queue_setup(*id, 0, 256, mp) < 0 ||
	    iop_port_tx_queue_setup(*id, 0, 256) < 0 || iop_port_start(*id) < 0)
		return -1;
	for (int i = 0; i < 200 && !link.up; i++) {
		iop_port_link_get(*id, &link);
		if (!link.up)
			usleep(50000);
	}
	check(link.up, "the link comes up", "%s: link down after 10 s", bdf);
	return 0;
}

/* Sends m from a and waits for one frame on b. */
static struct rte_mbuf *cross(uint16_t a, uint16_t b, struct rte_mbuf *m)
{
	struct rte_mbuf *got = NULL;

	if (!m || iop_port_tx_burst(a, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	for (int i = 0; i < 200000 && !got; i++)
		if (iop_port_rx_burst(b, 0, &got, 1) != 1)
			got = NULL;
	return got;
}

static bool verdicts(const struct rte_mbuf *m, uint64_t ip, uint64_t l4)
{
	return m && (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == ip &&
	       (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == l4;
}

/* DPDK's own checksums of the frame that arrived equal what is in it. */
static bool dpdk_agrees(struct rte_mbuf *m, bool tcp)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  sizeof(struct rte_ether_hdr));
	uint8_t *field = (uint8_t *)(ip + 1) +
			 (tcp ? offsetof(struct rte_tcp_hdr, cksum) : offsetof(struct rte_udp_hdr, dgram_cksum));
	uint16_t got, want, zero = 0;

	memcpy(&got, field, sizeof(got));
	memcpy(field, &zero, sizeof(zero));
	want = rte_ipv4_udptcp_cksum(ip, ip + 1);
	return got == want && rte_raw_cksum(ip, sizeof(*ip)) == 0xffff;
}

/* m with an 802.1Q tag of tci after its MAC addresses, in its bytes. */
static struct rte_mbuf *tagged(struct rte_mbuf *m, uint16_t tci)
{
	uint8_t *p = m ? (uint8_t *)rte_pktmbuf_prepend(m, sizeof(struct rte_vlan_hdr)) : NULL;
	uint16_t tpid = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN), be_tci = rte_cpu_to_be_16(tci);

	if (!p) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memmove(p, p + sizeof(struct rte_vlan_hdr), 2 * RTE_ETHER_ADDR_LEN);
	memcpy(p + 2 * RTE_ETHER_ADDR_LEN, &tpid, sizeof(tpid));
	memcpy(p + 2 * RTE_ETHER_ADDR_LEN + 2, &be_tci, sizeof(be_tci));
	return m;
}

/* m arrived stripped of a tag of tci, otherwise the bytes of ref. */
static bool stripped(const struct rte_mbuf *m, const struct rte_mbuf *ref, uint16_t tci)
{
	return m && ref && (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
	       (m->ol_flags & RTE_MBUF_F_RX_VLAN) && m->vlan_tci == tci &&
	       m->data_len == ref->data_len &&
	       memcmp(rte_pktmbuf_mtod(m, void *), rte_pktmbuf_mtod(ref, void *), m->data_len) == 0;
}

int main(int argc, char **argv)
{
	static const char *const proto[2] = { "UDP", "TCP" };
	struct rte_mempool *mp;
	uint16_t a, b;
	struct rte_mbuf *m;
	int n = iop_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "iop-e1000e-checks: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc != 3) {
		fprintf(stderr, "usage: iop-e1000e-checks [EAL] -- [iopath] -- BDF_A BDF_B\n");
		iop_cleanup();
		return 2;
	}
	mp = rte_pktmbuf_pool_create("e1000echk", 1024, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (!mp || port_up(argv[1], mp, &a) < 0 || port_up(argv[2], mp, &b) < 0) {
		check(false, "two e1000e ports open and start with checksum offloads",
		      "%s", mp ? iop_err_msg() : "no mempool");
		iop_cleanup();
		return 1;
	}
	for (int t = 0; t < 2; t++) {
		m = cross(a, b, frame(mp, t, 1000, GOOD));
		check(verdicts(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_GOOD),
		      t ? "a right TCP frame is reported IP and L4 GOOD" :
			  "a right UDP frame is reported IP and L4 GOOD",
		      "%s, flags 0x%llx", m ? "received" : "lost", m ? (unsigned long long)m->ol_flags : 0ull);
		rte_pktmbuf_free(m);
		m = cross(a, b, frame(mp, t, 1001, BAD_L4));
		check(verdicts(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_BAD),
		      t ? "a bad TCP checksum is reported L4 BAD" : "a bad UDP checksum is reported L4 BAD",
		      "%s, flags 0x%llx", m ? "received" : "lost", m ? (unsigned long long)m->ol_flags : 0ull);
		rte_pktmbuf_free(m);
	}
	m = cross(a, b, frame(mp, false, 1002, BAD_IP));
	check(m && (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD,
	      "a bad IPv4 header checksum is reported IP BAD", "%s, flags 0x%llx",
	      m ? "received" : "lost", m ? (unsigned long long)m->ol_flags : 0ull);
	rte_pktmbuf_free(m);
	/* UDP, TCP, UDP: the PMD writes a new context at each change */
	for (int k = 0; k < 3; k++) {
		bool tcp = k == 1;

		m = cross(a, b, frame(mp, tcp, (uint16_t)(2000 + k), TX_OFFLOAD));
		check(verdicts(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_GOOD) &&
		      dpdk_agrees(m, tcp),
		      "tx checksum offload: the device inserted the IPv4 and L4 checksums",
		      "%s %d: %s, flags 0x%llx", proto[tcp], k, m ? "received" : "lost",
		      m ? (unsigned long long)m->ol_flags : 0ull);
		rte_pktmbuf_free(m);
	}
	for (int k = 0; k < 2; k++) {
		uint16_t tci = k ? 0x6123 : 0x2005;
		struct rte_mbuf *ref = frame(mp, false, (uint16_t)(3000 + k), GOOD);
		struct rte_mbuf *out = frame(mp, false, (uint16_t)(3000 + k), GOOD);

		if (out && k) {
			out->ol_flags |= RTE_MBUF_F_TX_VLAN;
			out->vlan_tci = tci;
		} else {
			out = tagged(out, tci);
		}
		m = cross(a, b, out);
		check(stripped(m, ref, tci),
		      k ? "vlan insert: the frame arrives with the tag the sender's device inserted" :
			  "vlan strip: a tagged frame arrives stripped with its TCI",
		      "%s, flags 0x%llx, tci 0x%x", m ? "received" : "lost",
		      m ? (unsigned long long)m->ol_flags : 0ull, m ? m->vlan_tci : 0);
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(ref);
	}
	iop_port_close(a);
	iop_port_close(b);
	iop_cleanup();
	return failures ? 1 : 0;
}
