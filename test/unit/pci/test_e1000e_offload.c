/* SPDX-License-Identifier: BSD-3-Clause */
/* The 82574L's checksum offloads without a device: the receive verdicts as
 * DPDK's flags, which requests the device can serve, and the transmit
 * context's offsets, checked by computing the checksums where the context
 * says (82574L 7.2.10.2: a ones' complement sum from the start to the end,
 * stored at the offset) and comparing with DPDK's own checksum functions;
 * a stripped VLAN tag's flags and TCI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ip.h>

#include "../../../drivers/net/e1000e/e1000e_offload.h"

struct frame {
	struct rte_mbuf m;
	uint8_t buf[512];
};

/* An IPv4 frame after an l2-byte header with a TCP or UDP payload, the L4
 * checksum seeded with the pseudo-header sum as DPDK asks. */
static struct rte_ipv4_hdr *frame_init(struct frame *f, uint8_t l2, uint64_t l4t, uint16_t payload)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->buf + l2);
	bool tcp = l4t == RTE_MBUF_F_TX_TCP_CKSUM;
	uint16_t l4len = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	uint8_t *l4 = (uint8_t *)(ip + 1);

	memset(f, 0, sizeof(*f));
	f->m.buf_addr = f->buf;
	f->m.nb_segs = 1;
	f->m.l2_len = l2;
	f->m.l3_len = sizeof(*ip);
	f->m.pkt_len = f->m.data_len = (uint32_t)(l2 + sizeof(*ip) + l4len + payload);
	f->m.ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | l4t;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(f->m.pkt_len - l2));
	/* 192.0.2.1 and 198.51.100.7, written out: DPDK 22.11's RTE_IPV4()
	 * shifts an int into its sign bit, which UBSan rejects */
	ip->src_addr = rte_cpu_to_be_32(UINT32_C(0xc0000201));
	ip->dst_addr = rte_cpu_to_be_32(UINT32_C(0xc6336407));
	for (uint16_t i = 0; i < l4len + payload; i++)
		l4[i] = (uint8_t)(7 * i + 3);
	if (tcp) {
		((struct rte_tcp_hdr *)l4)->cksum = rte_ipv4_phdr_cksum(ip, f->m.ol_flags);
	} else {
		((struct rte_udp_hdr *)l4)->dgram_len = rte_cpu_to_be_16((uint16_t)(l4len + payload));
		((struct rte_udp_hdr *)l4)->dgram_cksum = rte_ipv4_phdr_cksum(ip, f->m.ol_flags);
	}
	return ip;
}

/* What the device does with a context: sum [start, end] (end 0: the frame's
 * end) with the field as it is, store the complement at the offset. */
static void device_insert(uint8_t *frame, uint32_t len, uint8_t start, uint8_t off, uint16_t end)
{
	uint32_t last = end ? end : len - 1;
	uint16_t sum = (uint16_t)~rte_raw_cksum(frame + start, last - start + 1);

	memcpy(frame + off, &sum, sizeof(sum));
}

static void device_applies(struct frame *f)
{
	struct e1000_tx_ctx_desc c = e1000_tx_ctx(&f->m);
	uint8_t popts = e1000_tx_popts(&f->m);

	if (popts & E1000_TXD_POPTS_IXSM)
		device_insert(f->buf, f->m.pkt_len, c.ipcss, c.ipcso, c.ipcse);
	/* the L4 field holds the pseudo-header seed the sum starts from */
	if (popts & E1000_TXD_POPTS_TXSM)
		device_insert(f->buf, f->m.pkt_len, c.tucss, c.tucso, c.tucse);
}

/* DPDK's checksum of the L4 header after ip, its checksum field (at ck
 * bytes into it) zeroed first */
static uint16_t dpdk_l4_cksum(const struct rte_ipv4_hdr *ip, size_t ck)
{
	uint8_t *field = (uint8_t *)(ip + 1) + ck;
	uint16_t saved, want, zero = 0;

	memcpy(&saved, field, sizeof(saved));
	memcpy(field, &zero, sizeof(zero));
	want = rte_ipv4_udptcp_cksum(ip, ip + 1);
	memcpy(field, &saved, sizeof(saved));
	return want;
}

static void context_gives_dpdks_tcp_and_ip_checksums(void **state)
{
	static struct frame f;
	struct rte_ipv4_hdr *ip = frame_init(&f, 14, RTE_MBUF_F_TX_TCP_CKSUM, 100);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	struct e1000_tx_ctx_desc c = e1000_tx_ctx(&f.m);

	(void)state;
	assert_true(e1000_tx_csum_fits(&f.m));
	assert_int_equal(c.cmd_len, E1000_TXC_DEXT | E1000_TXC_TUCMD_IP | E1000_TXC_TUCMD_TCP);
	device_applies(&f);
	/* a header whose checksum is right sums to all ones */
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	assert_int_equal(tcp->cksum, dpdk_l4_cksum(ip, offsetof(struct rte_tcp_hdr, cksum)));
}

static void context_gives_dpdks_udp_checksum_after_a_vlan_tag(void **state)
{
	static struct frame f;
	struct rte_ipv4_hdr *ip = frame_init(&f, 18, RTE_MBUF_F_TX_UDP_CKSUM, 37);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	struct e1000_tx_ctx_desc c = e1000_tx_ctx(&f.m);

	(void)state;
	assert_int_equal(c.ipcss, 18);
	assert_int_equal(c.tucss, 38);
	assert_int_equal(c.tucso, 38 + 6);
	assert_int_equal(c.cmd_len, E1000_TXC_DEXT | E1000_TXC_TUCMD_IP);
	device_applies(&f);
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	assert_int_equal(udp->dgram_cksum, dpdk_l4_cksum(ip, offsetof(struct rte_udp_hdr, dgram_cksum)));
}

static void ip_checksum_alone_inserts_no_l4_checksum(void **state)
{
	static struct frame f;

	(void)state;
	frame_init(&f, 14, RTE_MBUF_F_TX_TCP_CKSUM, 10);
	f.m.ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
	assert_true(e1000_tx_csum_fits(&f.m));
	assert_int_equal(e1000_tx_popts(&f.m), E1000_TXD_POPTS_IXSM);
	f.m.ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
	assert_int_equal(e1000_tx_popts(&f.m), E1000_TXD_POPTS_TXSM);
}

static void requests_the_device_cannot_serve_are_not_offloaded(void **state)
{
	static struct frame f;

	(void)state;
	frame_init(&f, 14, RTE_MBUF_F_TX_TCP_CKSUM, 10);
	f.m.ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_SCTP_CKSUM;
	assert_false(e1000_tx_csum_fits(&f.m));
	f.m.ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_IP_CKSUM;
	assert_false(e1000_tx_csum_fits(&f.m));
	f.m.ol_flags = RTE_MBUF_F_TX_TCP_CKSUM; /* neither IPv4 nor IPv6 said */
	assert_false(e1000_tx_csum_fits(&f.m));
	f.m.ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
	f.m.l3_len = 40;
	assert_true(e1000_tx_csum_fits(&f.m));
	assert_int_equal(e1000_tx_ctx(&f.m).cmd_len, E1000_TXC_DEXT);
	f.m.l3_len = 250; /* TUCSS is 8 bits */
	assert_false(e1000_tx_csum_fits(&f.m));
}

static void contexts_differ_by_protocol_and_offsets(void **state)
{
	static struct frame a, b;
	struct e1000_tx_ctx_desc ca, cb;

	(void)state;
	frame_init(&a, 14, RTE_MBUF_F_TX_TCP_CKSUM, 10);
	frame_init(&b, 14, RTE_MBUF_F_TX_TCP_CKSUM, 99);
	ca = e1000_tx_ctx(&a.m);
	cb = e1000_tx_ctx(&b.m);
	assert_true(e1000_tx_ctx_same(&ca, &cb));
	frame_init(&b, 14, RTE_MBUF_F_TX_UDP_CKSUM, 10);
	cb = e1000_tx_ctx(&b.m);
	assert_false(e1000_tx_ctx_same(&ca, &cb));
	frame_init(&b, 18, RTE_MBUF_F_TX_TCP_CKSUM, 10);
	cb = e1000_tx_ctx(&b.m);
	assert_false(e1000_tx_ctx_same(&ca, &cb));
}

static void rx_verdicts_are_what_the_device_checked(void **state)
{
	const uint8_t tcp = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_IPCS |
			    E1000_RXD_STAT_TCPCS;
	const uint8_t udp = tcp | E1000_RXD_STAT_UDPCS;

	(void)state;
	assert_int_equal(e1000_rx_csum_flags(tcp, 0),
			 RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	assert_int_equal(e1000_rx_csum_flags(udp, E1000_RXD_ERR_TCPE),
			 RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD);
	assert_int_equal(e1000_rx_csum_flags(tcp, E1000_RXD_ERR_IPE),
			 RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	/* IPv4 without TCP/UDP: no L4 verdict */
	assert_int_equal(e1000_rx_csum_flags(E1000_RXD_STAT_DD | E1000_RXD_STAT_IPCS, 0),
			 RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	/* nothing checked, or checking switched off for this frame */
	assert_int_equal(e1000_rx_csum_flags(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0), 0);
	assert_int_equal(e1000_rx_csum_flags(tcp | E1000_RXD_STAT_IXSM, E1000_RXD_ERR_IPE), 0);
}

static void a_stripped_tag_is_delivered_with_its_tci(void **state)
{
	static struct frame f;

	(void)state;
	e1000_rx_vlan(&f.m, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0x1234);
	assert_int_equal(f.m.ol_flags, 0);
	e1000_rx_vlan(&f.m, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_VP, 0x6123);
	assert_int_equal(f.m.ol_flags, RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	assert_int_equal(f.m.vlan_tci, 0x6123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(context_gives_dpdks_tcp_and_ip_checksums),
		cmocka_unit_test(context_gives_dpdks_udp_checksum_after_a_vlan_tag),
		cmocka_unit_test(ip_checksum_alone_inserts_no_l4_checksum),
		cmocka_unit_test(requests_the_device_cannot_serve_are_not_offloaded),
		cmocka_unit_test(contexts_differ_by_protocol_and_offsets),
		cmocka_unit_test(rx_verdicts_are_what_the_device_checked),
		cmocka_unit_test(a_stripped_tag_is_delivered_with_its_tci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
