/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-virtio-offload: virtio-net transmit offloads, in a guest of
 * test/vm/run-guest. The NIC's QEMU netdev is a tap (with the virtio-net
 * header) in a network namespace that routes to a second namespace over a
 * veth whose checksum and segmentation offloads are off: the host kernel
 * must complete each checksum and cut each TSO frame into segments in
 * software, and the second namespace's kernel then verifies every
 * checksum (its counters are the truth, read by the host).
 *
 * We send, from 10.9.1.2 to 10.9.2.2 through the tap's MAC:
 *   - UDP_N IPv4/UDP datagrams with RTE_MBUF_F_TX_UDP_CKSUM (the UDP
 *     checksum field holds only the pseudo-header sum, as DPDK has it);
 *   - TCP_N IPv4/TCP segments with RTE_MBUF_F_TX_TCP_CKSUM;
 *   - TSO_N IPv4/TCP frames of TSO_PAYLOAD bytes with
 *     RTE_MBUF_F_TX_TCP_SEG and tso_segsz TSO_MSS.
 * First, TSO asked of NIC PLAIN (a netdev without the header: no offload
 * offered) must fail in one line naming it.
 *
 * Receive checksum offload (GUEST_CSUM): the second namespace sends RX_GOOD
 * UDP datagrams to 10.9.1.2:7000 from a socket (its kernel leaves their
 * checksum partial, the tap passes NEEDS_CSUM on) and RX_BAD with a wrong
 * checksum from a raw socket (complete, and no offload on the way vouches
 * for them). The first must come flagged RTE_MBUF_F_RX_L4_CKSUM_NONE with
 * their payload intact, the others with no verdict (UNKNOWN) and a sum
 * DPDK's software check finds wrong.
 *
 * Then it keeps the port running until DONE_FILE exists (the host has
 * read the counters and asked QEMU what was negotiated) or 600 s.
 *
 *   iop-virtio-offload [EAL] -- --iommu=... -- BDF BDF_PLAIN TAP_MAC_FILE DONE_FILE
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

#define UDP_N 20
#define TCP_N 4
#define TSO_N 4
#define TSO_PAYLOAD 8000
#define TSO_MSS 1000
#define BUF_SIZE (RTE_PKTMBUF_HEADROOM + 9216)
#define RX_GOOD 10
#define RX_BAD 2
#define RX_PORT 7000

static struct rte_ether_addr tap_mac, our_mac;

/* Payload byte i of datagram or frame n: what the host expects. */
static uint8_t pattern(unsigned int n, unsigned int i)
{
	return (uint8_t)(n * 7 + i);
}

static struct rte_mbuf *frame(struct rte_mempool *mp, uint8_t proto, unsigned int n,
			      uint16_t payload, uint64_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t l4 = proto == IPPROTO_UDP ? sizeof(struct rte_udp_hdr) : sizeof(struct rte_tcp_hdr);
	uint16_t len = (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + l4 + payload);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *data;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, len);
	eth->dst_addr = tap_mac;
	eth->src_addr = our_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)n);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 9, 1, 2));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 9, 2, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	data = (uint8_t *)(ip + 1) + l4;
	for (unsigned int i = 0; i < payload; i++)
		data[i] = pattern(n, i);
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->ol_flags = flags | RTE_MBUF_F_TX_IPV4;
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = rte_cpu_to_be_16(4000);
		udp->dst_port = rte_cpu_to_be_16(5000);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l4 + payload));
		udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

		tcp->src_port = rte_cpu_to_be_16(4001);
		tcp->dst_port = rte_cpu_to_be_16(6000);
		tcp->sent_seq = rte_cpu_to_be_32(100000u * n);
		tcp->recv_ack = rte_cpu_to_be_32(1);
		tcp->data_off = (uint8_t)((sizeof(*tcp) / 4) << 4);
		tcp->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		tcp->rx_win = rte_cpu_to_be_16(65535);
		m->l4_len = l4;
		if (flags & RTE_MBUF_F_TX_TCP_SEG)
			m->tso_segsz = TSO_MSS;
		tcp->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	}
	return m;
}

/* A received frame for RX_PORT: which verdict it came with, whether its
 * payload is the sender's (datagram i has 200 + i bytes, byte j is
 * 3i + j), and whether its checksum is right. */
struct rx_tally {
	unsigned int none_intact, unknown_bad, other;
};

/* DPDK's software sum over the datagram, against the one it carries. */
static bool udp_sum_right(struct rte_ipv4_hdr *ip, struct rte_udp_hdr *udp)
{
	uint16_t carried = udp->dgram_cksum, sum;

	udp->dgram_cksum = 0;
	sum = rte_ipv4_udptcp_cksum(ip, udp);
	udp->dgram_cksum = carried;
	return carried == sum;
}

static void rx_check(struct rte_mbuf *m, struct rx_tally *t)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint64_t verdict = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	const uint8_t *data = (const uint8_t *)(udp + 1);
	uint16_t len;
	bool intact = true;

	if (m->data_len < sizeof(*eth) + sizeof(*ip) + sizeof(*udp) ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->next_proto_id != IPPROTO_UDP || udp->dst_port != rte_cpu_to_be_16(RX_PORT))
		return;
	len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp));
	for (uint16_t j = 0; j < len; j++)
		intact &= data[j] == (uint8_t)(3 * (len - 200) + j);
	if (verdict == RTE_MBUF_F_RX_L4_CKSUM_NONE && intact)
		t->none_intact++;
	else if (verdict == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN && !udp_sum_right(ip, udp))
		t->unknown_bad++;
	else
		t->other++;
}

static int read_mac(const char *file, struct rte_ether_addr *mac)
{
	FILE *f = fopen(file, "r");
	unsigned int b[6];
	int n = f ? fscanf(f, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) : 0;

	if (f)
		fclose(f);
	for (int i = 0; i < 6; i++)
		mac->addr_bytes[i] = (uint8_t)b[i];
	return n == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct iop_port_info info;
	char spec[64], spec_plain[64];
	uint16_t port, plain;
	unsigned int sent = 0, want = UDP_N + TCP_N + TSO_N;
	struct rx_tally rx = { 0 };
	int n = iop_init(argc, argv), rc;

	if (n < 0) {
		fprintf(stderr, "iop-virtio-offload: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc != 5) {
		fprintf(stderr, "usage: iop-virtio-offload [EAL] -- [iopath] -- BDF BDF_PLAIN TAP_MAC_FILE DONE_FILE\n");
		iop_cleanup();
		return 2;
	}
	snprintf(spec, sizeof(spec), "pci:%s", argv[1]);
	snprintf(spec_plain, sizeof(spec_plain), "pci:%s", argv[2]);
	mp = rte_pktmbuf_pool_create("voff", 1024, 32, 0, BUF_SIZE, SOCKET_ID_ANY);
	if (!mp || read_mac(argv[3], &tap_mac) < 0 || iop_port_open(spec, &port) < 0 ||
	    iop_port_open(spec_plain, &plain) < 0) {
		check(false, "the ports open and the tap's MAC is known", "%s",
		      mp ? iop_err_msg() : "no mempool");
		iop_cleanup();
		return 1;
	}
	rc = iop_port_configure(plain, &(struct iop_port_conf){
		.nb_rxq = 1, .nb_txq = 1, .tx_offloads = IOP_PORT_TX_OFFLOAD_TCP_TSO });
	check(rc == -ENOTSUP && strstr(iop_err_msg(), "tcp_tso") && !strchr(iop_err_msg(), '\n'),
	      "TSO asked of a virtio-net that does not offer it fails in one line naming tcp_tso",
	      "rc %d: %s", rc, iop_err_msg());
	printf("iop-virtio-offload: the refusal reads: %s\n", iop_err_msg());
	iop_port_info_get(port, &info);
	check((info.tx_offload_capa & (IOP_PORT_TX_OFFLOAD_UDP_CKSUM | IOP_PORT_TX_OFFLOAD_TCP_CKSUM |
				       IOP_PORT_TX_OFFLOAD_TCP_TSO)) ==
	      (IOP_PORT_TX_OFFLOAD_UDP_CKSUM | IOP_PORT_TX_OFFLOAD_TCP_CKSUM | IOP_PORT_TX_OFFLOAD_TCP_TSO),
	      "the virtio-net on a tap reports udp/tcp checksum and TSO", "tx_offload_capa 0x%llx",
	      (unsigned long long)info.tx_offload_capa);
	iop_port_mac_get(port, &our_mac);
	if (iop_port_configure(port, &(struct iop_port_conf){
		    .nb_rxq = 1, .nb_txq = 1,
		    .tx_offloads = IOP_PORT_TX_OFFLOAD_UDP_CKSUM | IOP_PORT_TX_OFFLOAD_TCP_CKSUM |
				   IOP_PORT_TX_OFFLOAD_TCP_TSO,
		    .rx_offloads = IOP_PORT_RX_OFFLOAD_UDP_CKSUM | IOP_PORT_RX_OFFLOAD_TCP_CKSUM }) < 0 ||
	    iop_port_rx_queue_setup(port, 0, 256, mp) < 0 || iop_port_tx_queue_setup(port, 0, 256) < 0 ||
	    iop_port_start(port) < 0) {
		check(false, "the port starts with checksum offloads and TSO", "%s", iop_err_msg());
		iop_cleanup();
		return 1;
	}
	for (unsigned int i = 0; i < want; i++) {
		struct rte_mbuf *m =
			i < UDP_N ? frame(mp, IPPROTO_UDP, i, (uint16_t)(100 + 60 * i), RTE_MBUF_F_TX_UDP_CKSUM) :
			i < UDP_N + TCP_N ? frame(mp, IPPROTO_TCP, i, 1000, RTE_MBUF_F_TX_TCP_CKSUM) :
			frame(mp, IPPROTO_TCP, i, TSO_PAYLOAD, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM);

		for (int t = 0; m && t < 100000; t++)
			if (iop_port_tx_burst(port, 0, &m, 1) == 1) {
				sent++;
				break;
			}
		usleep(20000);
	}
	check(sent == want, "every frame is taken", "%u of %u", sent, want);
	printf("iop-virtio-offload: sent %u UDP datagrams, %u TCP segments and %u TSO frames of %u bytes (MSS %u)\n",
	       UDP_N, TCP_N, TSO_N, TSO_PAYLOAD, TSO_MSS);
	fflush(stdout);
	/* completions come back with later bursts; the host sends its
	 * datagrams once it has counted ours */
	for (int t = 0; t < 60000 && access(argv[4], F_OK) != 0; t++) {
		struct rte_mbuf *pkts[32];
		uint16_t got = iop_port_rx_burst(port, 0, pkts, 32);

		for (uint16_t i = 0; i < got; i++) {
			rx_check(pkts[i], &rx);
			rte_pktmbuf_free(pkts[i]);
		}
		iop_port_tx_burst(port, 0, NULL, 0);
		usleep(10000);
	}
	printf("iop-virtio-offload: received %u datagrams flagged L4_CKSUM_NONE with their payload, %u unflagged with a wrong sum, %u otherwise\n",
	       rx.none_intact, rx.unknown_bad, rx.other);
	check(rx.none_intact == RX_GOOD && rx.unknown_bad == RX_BAD && rx.other == 0,
	      "received datagrams carry the device's checksum word: NEEDS_CSUM as L4_CKSUM_NONE, none as UNKNOWN",
	      "%u/%u NONE, %u/%u UNKNOWN with a wrong sum, %u otherwise", rx.none_intact, RX_GOOD,
	      rx.unknown_bad, RX_BAD, rx.other);
	iop_port_stop(port);
	iop_port_close(port);
	iop_port_close(plain);
	iop_cleanup();
	return failures ? 1 : 0;
}
