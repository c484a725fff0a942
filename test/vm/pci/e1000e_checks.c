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
 *     with (the sender's device inserted the tag);
 *   - jumbo frames: both run at the 82574's largest MTU, 9212, A with
 *     9.5 KiB mbufs (its device fills 8 KiB buffers), B with 2 KiB ones.
 *     Frames of 2047, 2048, 2049, 4096, 9014 and 9226 bytes (the largest
 *     untagged), sent whole and as chains of 1000-byte segments, arrive on
 *     B byte for byte, in a chain of one mbuf per 2 KiB; 9226 bytes cross
 *     back to A in two. One byte more is dropped by A as tx_oversize.
 *     With B at MTU 9000, a frame of 9015 bytes is dropped by B and
 *     counted as rx_oversize, and one of 9014 still arrives.
 *
 *   iop-e1000e-checks [EAL] -- --iommu=... -- BDF_A BDF_B
 *
 * Prints "ok - ..." / "not ok - ..." per check; exit 1 on any failure.
 */
#include <errno.h>
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
#include "guest_frames.h"

/* An IPv4 frame with a UDP or TCP payload of 40 bytes, checksums as sum
 * says. */
static struct rte_mbuf *frame(struct rte_mempool *mp, bool tcp, uint16_t sport, enum guest_sum sum)
{
	return guest_ipv4_frame(mp, &(struct guest_frame){
		.tcp = tcp, .sport = sport, .payload = 40, .sum = sum });
}

/* 82574: 9234-byte frames with the CRC, as DPDK's and Linux's drivers
 * have it, less the header, one tag and the CRC */
#define E1000E_MAX_MTU 9212
#define LARGEST (E1000E_MAX_MTU + 14) /* untagged */
#define B_MTU 9000

static int port_start(uint16_t id, struct rte_mempool *mp, uint32_t mtu)
{
	struct iop_port_link link = { 0 };
	struct iop_port_conf conf = {
		.nb_rxq = 1, .nb_txq = 1,
		.rx_offloads = IOP_PORT_RX_OFFLOAD_CHECKSUM | IOP_PORT_RX_OFFLOAD_VLAN_STRIP |
			       IOP_PORT_RX_OFFLOAD_SCATTER,
		.tx_offloads = IOP_PORT_TX_OFFLOAD_CHECKSUM | IOP_PORT_TX_OFFLOAD_VLAN_INSERT |
			       IOP_PORT_TX_OFFLOAD_MULTI_SEGS,
	};

	conf.mtu = mtu;
	if (iop_port_configure(id, &conf) < 0 || iop_port_rx_queue_setup(id, 0, 256, mp) < 0 ||
	    iop_port_tx_queue_setup(id, 0, 256) < 0 || iop_port_start(id) < 0)
		return -1;
	for (int i = 0; i < 200 && !link.up; i++) {
		iop_port_link_get(id, &link);
		if (!link.up)
			usleep(50000);
	}
	check(link.up, "the link comes up", "port %u: link down after 10 s", id);
	return 0;
}

static int port_up(const char *bdf, struct rte_mempool *mp, uint16_t *id)
{
	char spec[64];
	struct iop_port_info info;

	snprintf(spec, sizeof(spec), "pci:%s", bdf);
	if (iop_port_open(spec, id) < 0 || iop_port_info_get(*id, &info) < 0)
		return -1;
	check(strcmp(info.driver, "e1000e") == 0, "the 82574L opens on the e1000e PMD", "%s",
	      info.driver);
	check(info.max_mtu == E1000E_MAX_MTU && (info.rx_offload_capa & IOP_PORT_RX_OFFLOAD_SCATTER) &&
	      (info.tx_offload_capa & IOP_PORT_TX_OFFLOAD_MULTI_SEGS),
	      "the port offers jumbo frames: MTU 9212, scatter rx, chained tx",
	      "max_mtu %u, rx capa 0x%llx, tx capa 0x%llx", info.max_mtu,
	      (unsigned long long)info.rx_offload_capa, (unsigned long long)info.tx_offload_capa);
	return port_start(*id, mp, info.max_mtu);
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

/* A broadcast frame of len bytes (EtherType 0x88b5, local experimental)
 * whose payload byte i is (i * 7 + seed); from pool mp in one segment,
 * or, seg != 0, a chain of seg-byte segments. */
static struct rte_mbuf *jumbo(struct rte_mempool *mp, uint32_t len, uint8_t seed, uint16_t seg)
{
	struct rte_mbuf *m = NULL;

	for (uint32_t off = 0; off < len;) {
		uint16_t n = (uint16_t)RTE_MIN(len - off, seg ? seg : len);
		struct rte_mbuf *s = rte_pktmbuf_alloc(mp);
		uint8_t *p = s ? (uint8_t *)rte_pktmbuf_append(s, n) : NULL;

		if (!p || (m && rte_pktmbuf_chain(m, s) < 0)) {
			rte_pktmbuf_free(s);
			rte_pktmbuf_free(m);
			return NULL;
		}
		m = m ? m : s;
		for (uint16_t i = 0; i < n; i++, off++)
			p[i] = (uint8_t)(off * 7 + seed);
		if (off == n) {
			memset(p, 0xff, RTE_ETHER_ADDR_LEN);
			p[12] = 0x88;
			p[13] = 0xb5;
		}
	}
	return m;
}

/* m is the frame jumbo(len, seed) built, byte for byte. */
static bool jumbo_is(const struct rte_mbuf *m, uint32_t len, uint8_t seed)
{
	static uint8_t buf[16384];
	const uint8_t *p;

	if (!m || m->pkt_len != len || len > sizeof(buf))
		return false;
	p = rte_pktmbuf_read(m, 0, len, buf);
	if (!p || memcmp(p, (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 6) != 0)
		return false;
	for (uint32_t i = 14; i < len; i++)
		if (p[i] != (uint8_t)(i * 7 + seed))
			return false;
	return true;
}

static uint64_t drops(uint16_t port, enum iop_drop why)
{
	struct iop_port_stats st;

	return iop_port_stats_get(port, &st) == 0 ? st.drops[why] : UINT64_MAX;
}

static void jumbo_checks(uint16_t a, uint16_t b, struct rte_mempool *small,
			 struct rte_mempool *big)
{
	static const uint32_t sizes[] = { 2047, 2048, 2049, 4096, 9014, LARGEST };
	uint64_t before;
	struct rte_mbuf *m;
	uint8_t seed = 1;

	for (unsigned int k = 0; k < RTE_DIM(sizes); k++) {
		for (int chained = 0; chained < 2; chained++, seed++) {
			uint32_t len = sizes[k];
			uint16_t segs = (uint16_t)((len + 2047) / 2048);

			m = cross(a, b, jumbo(chained ? small : big, len, seed, chained ? 1000 : 0));
			check(jumbo_is(m, len, seed) && m->nb_segs == segs,
			      chained ? "jumbo: a frame sent as a chain of 1000-byte segments arrives whole, in 2 KiB buffers" :
					"jumbo: a frame sent in one mbuf arrives whole, in a chain of 2 KiB buffers",
			      "%u bytes: %s, pkt_len %u, %u segments (%u expected)", len,
			      m ? "received different bytes" : "lost", m ? m->pkt_len : 0,
			      m ? m->nb_segs : 0, segs);
			rte_pktmbuf_free(m);
		}
	}
	m = cross(b, a, jumbo(small, LARGEST, seed, 2048));
	check(jumbo_is(m, LARGEST, seed) && m->nb_segs == 2 && m->data_len == 8192,
	      "jumbo: a frame of the largest MTU arrives whole, in an 8 KiB and a 1 KiB buffer",
	      "%s, pkt_len %u, %u segments, first %u bytes", m ? "received" : "lost",
	      m ? m->pkt_len : 0, m ? m->nb_segs : 0, m ? m->data_len : 0);
	rte_pktmbuf_free(m);
	/* over A's own MTU: A does not send it */
	before = drops(a, IOP_DROP_TX_OVERSIZE);
	m = jumbo(big, LARGEST + 1, ++seed, 0);
	check(m && iop_port_tx_burst(a, 0, &m, 1) == 1 &&
	      drops(a, IOP_DROP_TX_OVERSIZE) == before + 1,
	      "jumbo: a frame over the sender's MTU is dropped and counted as tx_oversize",
	      "tx_oversize %llu -> %llu", (unsigned long long)before,
	      (unsigned long long)drops(a, IOP_DROP_TX_OVERSIZE));
	m = cross(a, b, jumbo(big, 60, ++seed, 0));
	check(jumbo_is(m, 60, seed), "jumbo: nothing else crossed after it", "%s",
	      m ? "another frame came first" : "the next frame was lost");
	rte_pktmbuf_free(m);
	/* B at MTU 9000: one byte over its frame is dropped, counted, and the
	 * frame after it, of exactly its frame, shows B has seen it */
	iop_port_stop(b);
	if (port_start(b, small, B_MTU) < 0) {
		check(false, "jumbo: B restarts at MTU 9000", "%s", iop_err_msg());
		return;
	}
	before = drops(b, IOP_DROP_RX_OVERSIZE);
	m = jumbo(big, B_MTU + 15, ++seed, 0);
	if (m && iop_port_tx_burst(a, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
	m = cross(a, b, jumbo(big, B_MTU + 14, ++seed, 0));
	check(jumbo_is(m, B_MTU + 14, seed) && drops(b, IOP_DROP_RX_OVERSIZE) == before + 1,
	      "jumbo: a frame over the receiver's MTU is dropped and counted as rx_oversize",
	      "next frame %s, rx_oversize %llu -> %llu",
	      jumbo_is(m, B_MTU + 14, seed) ? "received" : "not received",
	      (unsigned long long)before, (unsigned long long)drops(b, IOP_DROP_RX_OVERSIZE));
	rte_pktmbuf_free(m);
	/* without scatter the MTU's frame must fit one buffer, and e1000e's
	 * are powers of two: A's 9.5 KiB mbufs take 8 KiB, so MTU 9000 is
	 * refused at setup, naming 16 KiB buffers and their headroom as the
	 * pool that would do, and 8174 (8192 less a tagged header) is taken */
	iop_port_stop(a);
	if (iop_port_configure(a, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1,
							    .mtu = B_MTU }) < 0) {
		check(false, "jumbo: A configures at MTU 9000 without scatter", "%s", iop_err_msg());
		return;
	}
	check(iop_port_mtu_one_mbuf(a, big) == 8174 &&
	      iop_port_rx_queue_setup(a, 0, 256, big) == -EINVAL &&
	      strstr(iop_err_msg(), "MTU 9000 makes frames of up to 9018 bytes, but one mbuf of pool e1000ejumbo takes 8192 here") &&
	      strstr(iop_err_msg(), "configure rx offload scatter, or give a pool whose data room is at least 16512"),
	      "jumbo: without scatter, an MTU over e1000e's 8 KiB buffer is refused at rx queue setup, naming scatter or a pool of 16 KiB buffers",
	      "one mbuf's MTU %u, message: %s", iop_port_mtu_one_mbuf(a, big), iop_err_msg());
	check(iop_port_configure(a, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1,
							      .mtu = 8174 }) == 0 &&
	      iop_port_rx_queue_setup(a, 0, 256, big) == 0,
	      "jumbo: without scatter, MTU 8174 (one 8 KiB buffer) is taken", "%s", iop_err_msg());
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
	struct rte_mempool *mp, *big;
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
	/* A's rx buffers, and whole jumbo frames to send: 9.5 KiB of data
	 * room, of which A's device fills 8 */
	big = rte_pktmbuf_pool_create("e1000ejumbo", 512, 32, 0, RTE_PKTMBUF_HEADROOM + 9728,
				      SOCKET_ID_ANY);
	if (!mp || !big || port_up(argv[1], big, &a) < 0 || port_up(argv[2], mp, &b) < 0) {
		check(false, "two e1000e ports open and start with checksum offloads and jumbo frames",
		      "%s", mp && big ? iop_err_msg() : "no mempool");
		iop_cleanup();
		return 1;
	}
	for (int t = 0; t < 2; t++) {
		m = cross(a, b, frame(mp, t, 1000, GUEST_SUM_RIGHT));
		check(verdicts(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_GOOD),
		      t ? "a right TCP frame is reported IP and L4 GOOD" :
			  "a right UDP frame is reported IP and L4 GOOD",
		      "%s, flags 0x%llx", m ? "received" : "lost", m ? (unsigned long long)m->ol_flags : 0ull);
		rte_pktmbuf_free(m);
		m = cross(a, b, frame(mp, t, 1001, GUEST_SUM_BAD_L4));
		check(verdicts(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_BAD),
		      t ? "a bad TCP checksum is reported L4 BAD" : "a bad UDP checksum is reported L4 BAD",
		      "%s, flags 0x%llx", m ? "received" : "lost", m ? (unsigned long long)m->ol_flags : 0ull);
		rte_pktmbuf_free(m);
	}
	m = cross(a, b, frame(mp, false, 1002, GUEST_SUM_BAD_IP));
	check(m && (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD,
	      "a bad IPv4 header checksum is reported IP BAD", "%s, flags 0x%llx",
	      m ? "received" : "lost", m ? (unsigned long long)m->ol_flags : 0ull);
	rte_pktmbuf_free(m);
	/* UDP, TCP, UDP: the PMD writes a new context at each change */
	for (int k = 0; k < 3; k++) {
		bool tcp = k == 1;

		m = cross(a, b, frame(mp, tcp, (uint16_t)(2000 + k), GUEST_SUM_TX_OFFLOAD));
		check(verdicts(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_GOOD) &&
		      dpdk_agrees(m, tcp),
		      "tx checksum offload: the device inserted the IPv4 and L4 checksums",
		      "%s %d: %s, flags 0x%llx", proto[tcp], k, m ? "received" : "lost",
		      m ? (unsigned long long)m->ol_flags : 0ull);
		rte_pktmbuf_free(m);
	}
	for (int k = 0; k < 2; k++) {
		uint16_t tci = k ? 0x6123 : 0x2005;
		struct rte_mbuf *ref = frame(mp, false, (uint16_t)(3000 + k), GUEST_SUM_RIGHT);
		struct rte_mbuf *out = frame(mp, false, (uint16_t)(3000 + k), GUEST_SUM_RIGHT);

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
	jumbo_checks(a, b, mp, big);
	iop_port_close(a);
	iop_port_close(b);
	iop_cleanup();
	return failures ? 1 : 0;
}
