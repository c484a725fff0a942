/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port configuration on sim ports (iop_port_configure): RSS, checksums,
 * VLAN, MTU and scatter as the sim device model does them, over the pcap
 * wire (frames the test writes are replayed; frames sent are recorded).
 * The truths: Microsoft's published Toeplitz values and DPDK's rte_softrss
 * over the tuple the test put in each frame; frames built with checksums
 * deliberately broken; byte comparison with what the test wrote.
 * Topology: sim_window.topo (argv[1]).
 */
/* rte_ipv4_udptcp_cksum_verify is still marked experimental in 22.11 */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "iop_log.h"
#include "iop_port.h"
#include "port_fixture.h"
#include "port_traffic.h"

static const char *topology;
static struct rte_mempool *pool;
static char dir[64];

/* Microsoft's RSS specification key, the ports' default */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#define MAX_FRAME 9300
#define MAX_FRAMES 512

struct frame {
	uint8_t b[MAX_FRAME];
	uint32_t len;
};

static struct frame *frames; /* what the test writes, indexed by the id in the payload */

static int init(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/iop_sim_offload_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	frames = calloc(MAX_FRAMES, sizeof(*frames));
	return frames ? port_fixture_init("test_sim_offload", topology, NULL, 2047, &pool) : -1;
}

static int fini(void **state)
{
	char cmd[128];

	(void)state;
	port_fixture_fini(pool);
	free(frames);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- pcap files: the classic format, microsecond stamps, Ethernet ---------- */

struct pcap_rec {
	uint32_t sec, usec, caplen, len;
};

static void pcap_write(const char *path, const struct frame *f, unsigned int n)
{
	const uint32_t hdr[6] = { 0xa1b2c3d4, 2u | 4u << 16, 0, 0, 65535, 1 };
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(hdr, sizeof(hdr), 1, fp), 1);
	for (unsigned int i = 0; i < n; i++) {
		struct pcap_rec r = { 0, 0, f[i].len, f[i].len };

		assert_int_equal(fwrite(&r, sizeof(r), 1, fp), 1);
		assert_int_equal(fwrite(f[i].b, f[i].len, 1, fp), 1);
	}
	assert_int_equal(fclose(fp), 0);
}

/* Reads up to max frames of a file the pcap wire wrote; returns how many. */
static unsigned int pcap_read(const char *path, struct frame *f, unsigned int max)
{
	uint32_t hdr[6];
	struct pcap_rec r;
	unsigned int n = 0;
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	assert_int_equal(fread(hdr, sizeof(hdr), 1, fp), 1);
	assert_int_equal(hdr[0], 0xa1b2c3d4);
	while (n < max && fread(&r, sizeof(r), 1, fp) == 1) {
		assert_true(r.caplen <= MAX_FRAME);
		assert_int_equal(fread(f[n].b, r.caplen, 1, fp), 1);
		f[n++].len = r.caplen;
	}
	fclose(fp);
	return n;
}

/* --- frames ------------------------------------------------------------------ */

struct flow {
	uint32_t src, dst;   /* host order */
	uint16_t sport, dport;
	uint8_t proto;       /* IPPROTO_UDP, IPPROTO_TCP */
};

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* An IPv4 UDP or TCP frame of `len` bytes (payload filled from id),
 * correct checksums, optionally 802.1Q-tagged with tci. */
static void build_ipv4(struct frame *f, const struct flow *fl, uint32_t len, uint32_t id,
		       bool tagged, uint16_t tci)
{
	uint32_t l2 = RTE_ETHER_HDR_LEN + (tagged ? RTE_VLAN_HLEN : 0u);
	uint32_t l4len = fl->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
						    sizeof(struct rte_udp_hdr);
	struct rte_ipv4_hdr *ip = (void *)(f->b + l2);
	uint8_t *l4 = f->b + l2 + sizeof(*ip);

	assert_true(len >= l2 + sizeof(*ip) + l4len + 4 && len <= MAX_FRAME);
	memset(f->b, 0, len);
	f->len = len;
	memcpy(f->b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (tagged) {
		f->b[12] = 0x81;
		f->b[13] = 0x00;
		f->b[14] = (uint8_t)(tci >> 8);
		f->b[15] = (uint8_t)tci;
	}
	f->b[l2 - 2] = 0x08;
	f->b[l2 - 1] = 0x00;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - l2));
	ip->time_to_live = 64;
	ip->next_proto_id = fl->proto;
	ip->src_addr = rte_cpu_to_be_32(fl->src);
	ip->dst_addr = rte_cpu_to_be_32(fl->dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	for (uint32_t i = l2 + sizeof(*ip) + l4len; i < len; i++)
		f->b[i] = (uint8_t)(id * 31u + i);
	memcpy(l4 + l4len, &id, sizeof(id));
	if (fl->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (void *)l4;

		t->src_port = rte_cpu_to_be_16(fl->sport);
		t->dst_port = rte_cpu_to_be_16(fl->dport);
		t->data_off = 5 << 4;
		t->cksum = rte_ipv4_udptcp_cksum(ip, l4);
	} else {
		struct rte_udp_hdr *u = (void *)l4;

		u->src_port = rte_cpu_to_be_16(fl->sport);
		u->dst_port = rte_cpu_to_be_16(fl->dport);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(len - l2 - sizeof(*ip)));
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, l4);
	}
}

/* The id build_ipv4 put after the L4 header of an untagged frame. */
static uint32_t frame_id(const struct rte_mbuf *m)
{
	const uint32_t ip_off = RTE_ETHER_HDR_LEN;
	uint8_t proto, buf[4];
	uint32_t off, id;

	proto = *(const uint8_t *)rte_pktmbuf_read(m, ip_off + offsetof(struct rte_ipv4_hdr, next_proto_id),
						   1, buf);
	off = ip_off + sizeof(struct rte_ipv4_hdr) +
	      (proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr));
	assert_true(rte_pktmbuf_pkt_len(m) >= off + sizeof(id));
	memcpy(&id, rte_pktmbuf_read(m, off, sizeof(id), buf), sizeof(id));
	return id;
}

/* --- ports -------------------------------------------------------------------- */

static uint16_t pcap_port(const char *rx, const char *tx, const struct iop_port_conf *conf)
{
	char spec[256];
	uint16_t p;

	snprintf(spec, sizeof(spec), "sim:wire=pcap%s%s%s%s", rx ? ",rx=" : "", rx ? rx : "",
		 tx ? ",tx=" : "", tx ? tx : "");
	p = traffic_port(spec, conf, 256, pool);
	assert_int_equal(iop_port_start(p), 0);
	return p;
}

/* Polls every rx queue until `want` frames came or nothing comes for a
 * while; got[i] is frame i and qof[i] the queue it came on. */
static unsigned int rx_all(uint16_t p, uint16_t nb_rxq, struct rte_mbuf **got, uint16_t *qof,
			   unsigned int want)
{
	unsigned int n = 0;

	for (int idle = 0; n < want && idle < 2000; idle++) {
		for (uint16_t q = 0; q < nb_rxq; q++) {
			uint16_t k = iop_port_rx_burst(p, q, got + n, (uint16_t)RTE_MIN(32u, want - n));

			for (uint16_t i = 0; i < k; i++)
				qof[n + i] = q;
			if (k)
				idle = 0;
			n += k;
		}
	}
	return n;
}

static void free_all(struct rte_mbuf **m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* --- RSS ------------------------------------------------------------------------ */

static void rss_hash_of_the_specification_vectors_is_microsoft_s(void **state)
{
	/* Microsoft's "Verifying the RSS hash calculation" table, IPv4 */
	static const struct {
		struct flow fl;
		uint32_t l3, l4;
	} v[] = {
		{ { IP4(66, 9, 149, 187), IP4(161, 142, 100, 80), 2794, 1766, IPPROTO_TCP }, 0x323e8fc2, 0x51ccc178 },
		{ { IP4(199, 92, 111, 2), IP4(65, 69, 140, 83), 14230, 4739, IPPROTO_TCP }, 0xd718262a, 0xc626b0ea },
		{ { IP4(24, 19, 198, 95), IP4(12, 22, 207, 184), 12898, 38024, IPPROTO_TCP }, 0xd2d0a5de, 0x5c2b394a },
		{ { IP4(38, 27, 205, 30), IP4(209, 142, 163, 6), 48228, 2217, IPPROTO_TCP }, 0x82989176, 0xafc7327f },
		{ { IP4(153, 39, 163, 191), IP4(202, 188, 127, 2), 44251, 1303, IPPROTO_TCP }, 0x5d1809c5, 0x10e828a2 },
	};
	struct rte_mbuf *got[16];
	uint16_t qof[16];
	char rx[128];

	(void)state;
	for (int l4 = 0; l4 < 2; l4++) {
		struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1 };
		uint16_t p;

		c.rss.hash_types = IOP_PORT_RSS_IPV4 | (l4 ? IOP_PORT_RSS_NONFRAG_IPV4_TCP : 0);
		for (unsigned int i = 0; i < RTE_DIM(v); i++)
			build_ipv4(&frames[i], &v[i].fl, 80, i, false, 0);
		path_of(rx, sizeof(rx), "ms.pcap");
		pcap_write(rx, frames, RTE_DIM(v));
		p = pcap_port(rx, NULL, &c);
		assert_int_equal(rx_all(p, 1, got, qof, RTE_DIM(v)), RTE_DIM(v));
		for (unsigned int i = 0; i < RTE_DIM(v); i++) {
			assert_true(got[i]->ol_flags & RTE_MBUF_F_RX_RSS_HASH);
			assert_int_equal(got[i]->hash.rss, l4 ? v[i].l4 : v[i].l3);
		}
		free_all(got, RTE_DIM(v));
		iop_port_close(p);
	}
}

/* n random UDP and TCP flows, one frame each */
static void random_flows(struct flow *fl, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		fl[i].src = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		fl[i].dst = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		fl[i].sport = (uint16_t)rand();
		fl[i].dport = (uint16_t)rand();
		fl[i].proto = i % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	}
}

/* Each frame must be on the queue reta[h % 128], h being rte_softrss over
 * the tuple the test put in it, with hash.rss = h; every queue gets some. */
static void check_spread(uint16_t p, const struct iop_port_conf *c, const struct flow *fl,
			 unsigned int n)
{
	static struct rte_mbuf *got[MAX_FRAMES];
	static uint16_t qof[MAX_FRAMES];
	unsigned int per_q[IOP_PORT_MAX_QUEUES] = {0};
	struct iop_port_conf cur;

	assert_int_equal(iop_port_conf_get(p, &cur), 0);
	assert_int_equal(rx_all(p, c->nb_rxq, got, qof, n), n);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t id = frame_id(got[i]);
		struct rte_ipv4_tuple t;
		uint32_t h;

		assert_true(id < n);
		t.src_addr = fl[id].src;
		t.dst_addr = fl[id].dst;
		/* one 32-bit word, as rte_softrss reads it */
		t.sctp_tag = (uint32_t)fl[id].sport << 16 | fl[id].dport;
		h = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, cur.rss.key);
		assert_true(got[i]->ol_flags & RTE_MBUF_F_RX_RSS_HASH);
		assert_int_equal(got[i]->hash.rss, h);
		assert_int_equal(qof[i], cur.rss.reta[h % cur.rss.reta_size]);
		per_q[qof[i]]++;
	}
	for (uint16_t q = 0; q < c->nb_rxq; q++)
		if (per_q[q] == 0)
			fail_msg("rx queue %u got no frame of %u flows", q, n);
	free_all(got, n);
}

static void rss_spreads_flows_to_the_queue_the_table_names_for_the_softrss_hash(void **state)
{
	static struct flow fl[256];
	struct iop_port_conf c = { .nb_rxq = 4, .nb_txq = 1 };
	char rx[128];
	uint16_t p;

	(void)state;
	srand(12);
	random_flows(fl, RTE_DIM(fl));
	for (unsigned int i = 0; i < RTE_DIM(fl); i++)
		build_ipv4(&frames[i], &fl[i], 64 + i % 200, i, false, 0);
	path_of(rx, sizeof(rx), "flows.pcap");
	pcap_write(rx, frames, RTE_DIM(fl));

	/* the defaults: Microsoft's key, the table round-robin */
	c.rss.hash_types = IOP_PORT_RSS_IPV4 | IOP_PORT_RSS_NONFRAG_IPV4_TCP |
			   IOP_PORT_RSS_NONFRAG_IPV4_UDP;
	p = pcap_port(rx, NULL, &c);
	{
		struct iop_port_conf cur;

		assert_int_equal(iop_port_conf_get(p, &cur), 0);
		assert_int_equal(cur.rss.key_len, 40);
		assert_memory_equal(cur.rss.key, ms_key, 40);
		assert_int_equal(cur.rss.reta_size, 128);
		for (int i = 0; i < 128; i++)
			assert_int_equal(cur.rss.reta[i], i % 4);
	}
	check_spread(p, &c, fl, RTE_DIM(fl));
	iop_port_close(p);

	/* a key and a table of the app's */
	c.nb_rxq = 3;
	c.rss.key_len = 40;
	for (int i = 0; i < 40; i++)
		c.rss.key[i] = (uint8_t)rand();
	c.rss.reta_size = 128;
	for (int i = 0; i < 128; i++)
		c.rss.reta[i] = (uint16_t)((i * 7 / 3) % 3);
	p = pcap_port(rx, NULL, &c);
	check_spread(p, &c, fl, RTE_DIM(fl));
	iop_port_close(p);
}

static void rss_table_updated_while_started_moves_the_flows(void **state)
{
	static struct flow fl[128];
	static struct rte_mbuf *got[128];
	static uint16_t qof[128];
	struct iop_port_conf c = { .nb_rxq = 4, .nb_txq = 1 };
	struct iop_port_rss_conf upd = { .hash_types = IOP_PORT_RSS_NONFRAG_IPV4_UDP |
						     IOP_PORT_RSS_NONFRAG_IPV4_TCP,
					 .reta_size = 128 };
	struct iop_port_conf cur;
	char rx[128];
	uint16_t p;

	(void)state;
	srand(5);
	random_flows(fl, RTE_DIM(fl));
	for (unsigned int i = 0; i < RTE_DIM(fl); i++)
		build_ipv4(&frames[i], &fl[i], 100, i, false, 0);
	path_of(rx, sizeof(rx), "upd.pcap");
	pcap_write(rx, frames, RTE_DIM(fl));
	c.rss.hash_types = upd.hash_types;
	p = pcap_port(rx, NULL, &c);
	for (int i = 0; i < 128; i++)
		upd.reta[i] = 2;
	assert_int_equal(iop_port_rss_update(p, &upd), 0);
	assert_int_equal(iop_port_conf_get(p, &cur), 0);
	assert_memory_equal(cur.rss.key, ms_key, 40); /* key_len 0 kept the key */
	assert_int_equal(rx_all(p, 4, got, qof, RTE_DIM(fl)), RTE_DIM(fl));
	for (unsigned int i = 0; i < RTE_DIM(fl); i++)
		assert_int_equal(qof[i], 2);
	free_all(got, RTE_DIM(fl));
	upd.reta[5] = 4;
	assert_int_equal(iop_port_rss_update(p, &upd), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "entry 5 names rx queue 4, but 4 rx queues are configured"));
	assert_int_equal(iop_port_conf_get(p, &cur), 0);
	assert_int_equal(cur.rss.reta[5], 2);
	iop_port_close(p);
}

/* --- checksums ----------------------------------------------------------------- */

static void rx_checksums_are_marked_good_or_bad_as_the_frame_is(void **state)
{
	enum { GOOD_UDP, GOOD_TCP, BAD_IP, BAD_UDP, BAD_TCP, NO_UDP_CKSUM, N };
	static const struct flow udp = { IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 1000, 2000, IPPROTO_UDP };
	static const struct flow tcp = { IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 1000, 2000, IPPROTO_TCP };
	const uint32_t ip_off = RTE_ETHER_HDR_LEN, l4_off = ip_off + sizeof(struct rte_ipv4_hdr);
	struct rte_mbuf *got[N];
	uint16_t qof[N];
	char rx[128];

	(void)state;
	build_ipv4(&frames[GOOD_UDP], &udp, 128, GOOD_UDP, false, 0);
	build_ipv4(&frames[GOOD_TCP], &tcp, 128, GOOD_TCP, false, 0);
	build_ipv4(&frames[BAD_IP], &udp, 128, BAD_IP, false, 0);
	frames[BAD_IP].b[ip_off + offsetof(struct rte_ipv4_hdr, hdr_checksum)] ^= 0x5a;
	build_ipv4(&frames[BAD_UDP], &udp, 128, BAD_UDP, false, 0);
	frames[BAD_UDP].b[l4_off + offsetof(struct rte_udp_hdr, dgram_cksum)] ^= 0x01;
	build_ipv4(&frames[BAD_TCP], &tcp, 128, BAD_TCP, false, 0);
	frames[BAD_TCP].b[l4_off + 30] ^= 0x80; /* payload changed after the sum */
	build_ipv4(&frames[NO_UDP_CKSUM], &udp, 128, NO_UDP_CKSUM, false, 0);
	memset(&frames[NO_UDP_CKSUM].b[l4_off + offsetof(struct rte_udp_hdr, dgram_cksum)], 0, 2);
	path_of(rx, sizeof(rx), "cksum.pcap");
	pcap_write(rx, frames, N);

	for (int on = 0; on < 2; on++) {
		struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1 };
		const uint64_t ip_mask = RTE_MBUF_F_RX_IP_CKSUM_MASK, l4_mask = RTE_MBUF_F_RX_L4_CKSUM_MASK;
		uint16_t p;

		c.rx_offloads = on ? IOP_PORT_RX_OFFLOAD_CHECKSUM : 0;
		p = pcap_port(rx, NULL, &c);
		assert_int_equal(rx_all(p, 1, got, qof, N), N);
		for (int i = 0; i < N; i++) {
			uint64_t ol = got[i]->ol_flags;

			assert_int_equal(frame_id(got[i]), i);
			if (!on) {
				assert_int_equal(ol & (ip_mask | l4_mask), 0);
				continue;
			}
			assert_int_equal(ol & ip_mask, i == BAD_IP ? RTE_MBUF_F_RX_IP_CKSUM_BAD :
								     RTE_MBUF_F_RX_IP_CKSUM_GOOD);
			assert_int_equal(ol & l4_mask,
					 i == BAD_UDP || i == BAD_TCP ? RTE_MBUF_F_RX_L4_CKSUM_BAD :
					 i == NO_UDP_CKSUM ? RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN :
							     RTE_MBUF_F_RX_L4_CKSUM_GOOD);
		}
		free_all(got, N);
		iop_port_close(p);
	}
}

/* The tx side's truth is the kernel's (test/system/sim_offload.sh); here,
 * that the device writes sums DPDK's verifier accepts where the app
 * asked, and leaves the frame alone where it did not. */
static void tx_checksums_the_app_asked_for_are_written_by_the_device(void **state)
{
	static const struct flow udp = { IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 1000, 2000, IPPROTO_UDP };
	static const struct flow tcp = { IP4(10, 0, 0, 3), IP4(10, 0, 0, 4), 3000, 4000, IPPROTO_TCP };
	struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1, .tx_offloads = IOP_PORT_TX_OFFLOAD_CHECKSUM };
	static struct frame out[4];
	char tx[128];
	uint16_t p;

	(void)state;
	path_of(tx, sizeof(tx), "txck.pcap");
	p = pcap_port(NULL, tx, &c);
	for (int i = 0; i < 4; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct rte_ipv4_hdr *ip;

		build_ipv4(&frames[i], i % 2 ? &tcp : &udp, 200, (uint32_t)i, false, 0);
		ip = (void *)(frames[i].b + RTE_ETHER_HDR_LEN);
		ip->hdr_checksum = 0;
		memset(frames[i].b + RTE_ETHER_HDR_LEN + sizeof(*ip) + (i % 2 ? 16 : 6), 0, 2);
		memcpy(rte_pktmbuf_append(m, (uint16_t)frames[i].len), frames[i].b, frames[i].len);
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = sizeof(*ip);
		/* frames 0-2 ask for every sum; frame 3 asks for none */
		if (i < 3)
			m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
				      (i % 2 ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
		assert_int_equal(iop_port_tx_burst(p, 0, &m, 1), 1);
	}
	iop_port_close(p);
	assert_int_equal(pcap_read(tx, out, 4), 4);
	for (int i = 0; i < 4; i++) {
		const struct rte_ipv4_hdr *ip = (const void *)(out[i].b + RTE_ETHER_HDR_LEN);

		if (i == 3) {
			assert_memory_equal(out[i].b, frames[i].b, frames[i].len);
			continue;
		}
		assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	}
}

/* --- VLAN ------------------------------------------------------------------------ */

static void vlan_inserted_on_tx_is_stripped_on_rx_with_its_tci(void **state)
{
	static const struct flow udp = { IP4(10, 1, 0, 1), IP4(10, 1, 0, 2), 7, 9, IPPROTO_UDP };
	struct iop_port_conf txc = { .nb_rxq = 1, .nb_txq = 1, .tx_offloads = IOP_PORT_TX_OFFLOAD_VLAN_INSERT };
	struct iop_port_conf rxc = { .nb_rxq = 1, .nb_txq = 1, .rx_offloads = IOP_PORT_RX_OFFLOAD_VLAN_STRIP };
	static struct frame out[1];
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *got[1];
	uint16_t qof[1], p;
	char tx[128];

	(void)state;
	path_of(tx, sizeof(tx), "vlan.pcap");
	build_ipv4(&frames[0], &udp, 100, 0, false, 0);
	memcpy(rte_pktmbuf_append(m, 100), frames[0].b, 100);
	m->ol_flags = RTE_MBUF_F_TX_VLAN;
	m->vlan_tci = 0x2123;
	p = pcap_port(NULL, tx, &txc);
	assert_int_equal(iop_port_tx_burst(p, 0, &m, 1), 1);
	iop_port_close(p);

	/* on the wire: the tag after the MACs */
	assert_int_equal(pcap_read(tx, out, 1), 1);
	assert_int_equal(out[0].len, 104);
	assert_memory_equal(out[0].b, frames[0].b, 12);
	assert_memory_equal(out[0].b + 12, "\x81\x00\x21\x23", 4);
	assert_memory_equal(out[0].b + 16, frames[0].b + 12, 88);

	/* back in through a port that strips it */
	p = pcap_port(tx, NULL, &rxc);
	assert_int_equal(rx_all(p, 1, got, qof, 1), 1);
	assert_true(got[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED);
	assert_true(got[0]->ol_flags & RTE_MBUF_F_RX_VLAN);
	assert_int_equal(got[0]->vlan_tci, 0x2123);
	assert_int_equal(rte_pktmbuf_pkt_len(got[0]), 100);
	assert_memory_equal(rte_pktmbuf_mtod(got[0], void *), frames[0].b, 100);
	free_all(got, 1);
	iop_port_close(p);

	/* without strip the tag stays in the frame */
	rxc.rx_offloads = 0;
	p = pcap_port(tx, NULL, &rxc);
	assert_int_equal(rx_all(p, 1, got, qof, 1), 1);
	assert_int_equal(got[0]->ol_flags & RTE_MBUF_F_RX_VLAN, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(got[0]), 104);
	assert_memory_equal(rte_pktmbuf_mtod(got[0], void *), out[0].b, 104);
	free_all(got, 1);
}

/* --- MTU and scatter ----------------------------------------------------------- */

static uint64_t drops_of(uint16_t p, enum iop_drop why)
{
	struct iop_port_stats st;

	assert_int_equal(iop_port_stats_get(p, &st), 0);
	return st.drops[why];
}

static void jumbo_frames_up_to_the_mtu_arrive_whole_and_longer_ones_are_dropped(void **state)
{
	static const struct flow udp = { IP4(10, 2, 0, 1), IP4(10, 2, 0, 2), 5, 6, IPPROTO_UDP };
	/* untagged: MTU + 14 fits, one more byte does not; tagged: MTU + 18 fits */
	static const uint32_t len[] = { 9014, 9015, 5000, 64, 9018 };
	struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1, .mtu = 9000,
				   .rx_offloads = IOP_PORT_RX_OFFLOAD_SCATTER };
	struct rte_mbuf *got[8];
	uint16_t qof[8], p;
	char rx[128];

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(len); i++)
		build_ipv4(&frames[i], &udp, len[i], i, i == 4, 0x0042);
	path_of(rx, sizeof(rx), "jumbo.pcap");
	pcap_write(rx, frames, RTE_DIM(len));
	p = pcap_port(rx, NULL, &c);
	assert_int_equal(rx_all(p, 1, got, qof, 4), 4);
	assert_int_equal(drops_of(p, IOP_DROP_RX_OVERSIZE), 1);
	for (unsigned int i = 0, k = 0; i < RTE_DIM(len); i++) {
		struct rte_mbuf *m;
		uint8_t *flat;

		if (len[i] == 9015)
			continue;
		m = got[k++];
		/* chained over 2 KiB buffers, and byte-identical put together */
		assert_int_equal(rte_pktmbuf_pkt_len(m), len[i]);
		assert_int_equal(m->nb_segs, (len[i] + 2047) / 2048);
		flat = malloc(len[i]);
		assert_non_null(flat);
		assert_memory_equal(rte_pktmbuf_read(m, 0, len[i], flat), frames[i].b, len[i]);
		free(flat);
	}
	free_all(got, 4);
	iop_port_close(p);
}

/* lib/port's rule on a sim port that can chain: MTU 9000 over 2 KiB mbufs
 * is refused at rx queue setup without scatter, naming the fix, and
 * taken with it; the most one mbuf holds (2030) is taken without. */
static void mtu_over_one_mbuf_is_refused_without_scatter_and_taken_with_it(void **state)
{
	struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1, .mtu = 9000 };
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("sim:wire=gen", &p), 0);
	assert_int_equal(iop_port_configure(p, &c), 0);
	assert_int_equal(iop_port_mtu_one_mbuf(p, pool), 2030);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 256, pool), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "MTU 9000 makes frames of up to 9018 bytes, but one mbuf of pool"));
	assert_non_null(strstr(iop_err_msg(), "configure rx offload scatter, or give a pool whose data room is at least 9146"));
	c.mtu = 2030;
	assert_int_equal(iop_port_configure(p, &c), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 256, pool), 0);
	c.mtu = 9000;
	c.rx_offloads = IOP_PORT_RX_OFFLOAD_SCATTER;
	assert_int_equal(iop_port_configure(p, &c), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 256, pool), 0);
	iop_port_close(p);
}

/* Without scatter the MTU is at most what one 2048-byte buffer holds
 * (2030: its frame and a tag); a longer frame that arrives anyway is
 * dropped. */
static void frame_over_one_buffer_without_scatter_is_dropped_as_oversize(void **state)
{
	static const struct flow udp = { IP4(10, 3, 0, 1), IP4(10, 3, 0, 2), 5, 6, IPPROTO_UDP };
	struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1, .mtu = 2030 };
	struct rte_mbuf *got[2];
	uint16_t qof[2], p;
	char rx[128];

	(void)state;
	build_ipv4(&frames[0], &udp, 4000, 0, false, 0);
	build_ipv4(&frames[1], &udp, 2044, 1, false, 0);
	path_of(rx, sizeof(rx), "noscatter.pcap");
	pcap_write(rx, frames, 2);
	p = pcap_port(rx, NULL, &c);
	assert_int_equal(rx_all(p, 1, got, qof, 2), 1);
	assert_int_equal(rte_pktmbuf_pkt_len(got[0]), 2044);
	assert_int_equal(drops_of(p, IOP_DROP_RX_OVERSIZE), 1);
	free_all(got, 1);
}

static void tx_frame_over_the_mtu_is_dropped_as_oversize(void **state)
{
	static const struct flow udp = { IP4(10, 4, 0, 1), IP4(10, 4, 0, 2), 5, 6, IPPROTO_UDP };
	struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1, .mtu = 1000 };
	static struct frame out[2];
	char tx[128];
	uint16_t p;

	(void)state;
	path_of(tx, sizeof(tx), "txmtu.pcap");
	p = pcap_port(NULL, tx, &c);
	for (int i = 0; i < 2; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		build_ipv4(&frames[i], &udp, i ? 1015 : 1014, (uint32_t)i, false, 0);
		memcpy(rte_pktmbuf_append(m, (uint16_t)frames[i].len), frames[i].b, frames[i].len);
		assert_int_equal(iop_port_tx_burst(p, 0, &m, 1), 1);
	}
	assert_int_equal(drops_of(p, IOP_DROP_TX_OVERSIZE), 1);
	iop_port_close(p);
	assert_int_equal(pcap_read(tx, out, 2), 1);
	assert_int_equal(out[0].len, 1014);
}

/* --- bad configurations ----------------------------------------------------------- */

static void bad_configuration_is_one_error_and_leaves_the_port_unconfigured(void **state)
{
	struct iop_port_info info;
	struct iop_port_conf cur;
	char rx[128], spec[200];
	uint16_t p;
	static const struct {
		struct iop_port_conf c;
		int err;
		const char *msg;
	} bad[] = {
		{ { .nb_rxq = 2, .nb_txq = 1, .rss = { .hash_types = IOP_PORT_RSS_IPV4, .reta_size = 128,
							.reta = { [77] = 2 } } },
		  -EINVAL, "RSS redirection table entry 77 names rx queue 2, but 2 rx queues are configured" },
		{ { .nb_rxq = 2, .nb_txq = 1, .rss = { .hash_types = IOP_PORT_RSS_IPV4, .key_len = 16 } },
		  -EINVAL, "RSS key of 16 bytes: driver sim takes a key of exactly 40 bytes" },
		{ { .nb_rxq = 2, .nb_txq = 1, .rss = { .hash_types = IOP_PORT_RSS_IPV4, .reta_size = 64 } },
		  -EINVAL, "RSS redirection table of 64 entries: driver sim has exactly 128" },
		{ { .nb_rxq = 1, .nb_txq = 1, .tx_offloads = IOP_PORT_TX_OFFLOAD_TCP_TSO },
		  -ENOTSUP, "tx offload tcp_tso: driver sim does not do it" },
		{ { .nb_rxq = 1, .nb_txq = 1, .rss = { .hash_types = IOP_PORT_RSS_FRAG_IPV6 } },
		  -ENOTSUP, "RSS hash type ipv6-frag: driver sim does not do it" },
		{ { .nb_rxq = 1, .nb_txq = 1, .mtu = 9203 },
		  -EINVAL, "MTU 9203 is over driver sim's maximum 9202" },
		{ { .nb_rxq = 1, .nb_txq = 1, .mtu = 67 }, -EINVAL, "MTU 67 is under the minimum 68" },
		{ { .nb_rxq = 9, .nb_txq = 1 }, -EINVAL, "driver sim supports at most 8 rx/8 tx" },
	};

	(void)state;
	path_of(rx, sizeof(rx), "empty.pcap");
	pcap_write(rx, frames, 0);
	snprintf(spec, sizeof(spec), "sim:wire=pcap,rx=%s", rx);
	assert_int_equal(iop_port_open(spec, &p), 0);
	assert_int_equal(iop_port_info_get(p, &info), 0);
	assert_int_equal(info.max_mtu, 9202);
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		assert_int_equal(iop_port_configure(p, &bad[i].c), bad[i].err);
		if (!strstr(iop_err_msg(), bad[i].msg))
			fail_msg("case %u: message '%s' lacks '%s'", i, iop_err_msg(), bad[i].msg);
		assert_int_equal(iop_port_conf_get(p, &cur), -EINVAL);
		assert_int_equal(iop_port_rx_queue_setup(p, 0, 256, pool), -EBUSY);
		assert_int_equal(iop_port_start(p), -EINVAL);
		assert_non_null(strstr(iop_err_msg(), "configure it before starting it"));
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(rss_hash_of_the_specification_vectors_is_microsoft_s, port_fixture_close_ports),
		cmocka_unit_test_teardown(rss_spreads_flows_to_the_queue_the_table_names_for_the_softrss_hash, port_fixture_close_ports),
		cmocka_unit_test_teardown(rss_table_updated_while_started_moves_the_flows, port_fixture_close_ports),
		cmocka_unit_test_teardown(rx_checksums_are_marked_good_or_bad_as_the_frame_is, port_fixture_close_ports),
		cmocka_unit_test_teardown(tx_checksums_the_app_asked_for_are_written_by_the_device, port_fixture_close_ports),
		cmocka_unit_test_teardown(vlan_inserted_on_tx_is_stripped_on_rx_with_its_tci, port_fixture_close_ports),
		cmocka_unit_test_teardown(jumbo_frames_up_to_the_mtu_arrive_whole_and_longer_ones_are_dropped, port_fixture_close_ports),
		cmocka_unit_test_teardown(mtu_over_one_mbuf_is_refused_without_scatter_and_taken_with_it, port_fixture_close_ports),
		cmocka_unit_test_teardown(frame_over_one_buffer_without_scatter_is_dropped_as_oversize, port_fixture_close_ports),
		cmocka_unit_test_teardown(tx_frame_over_the_mtu_is_dropped_as_oversize, port_fixture_close_ports),
		cmocka_unit_test_teardown(bad_configuration_is_one_error_and_leaves_the_port_unconfigured, port_fixture_close_ports),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s TOPOLOGY\n", argv[0]);
		return 1;
	}
	topology = argv[1];
	return cmocka_run_group_tests(tests, init, fini);
}
