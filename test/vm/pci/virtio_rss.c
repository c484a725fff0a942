/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-virtio-rss: virtio-net multi-queue with RSS, in a guest of
 * test/vm/run-guest. Port IN is a virtio-net with two queue pairs and
 * QEMU's RSS (a multi-queue tap the host sends flows into); port OUT a
 * single-queue virtio-net whose frames reach the host. IN is configured
 * with two rx queues and RSS with lib/port's defaults and started; then
 * iop_port_rss_update gives the running port RSS over IPv4/UDP/TCP, a key
 * of our own and a redirection table that is not round-robin (so frames
 * spread by the first settings would fail). Every frame received on IN
 * is checked against independent truth, DPDK's software Toeplitz
 * (rte_softrss) of its addresses and ports with that key: it must arrive
 * on the queue the table names for that hash. Every frame is forwarded
 * out of OUT, where the host checks it byte for byte. Before that, OUT
 * (no RSS offered) is asked for RSS and must refuse in one line.
 *
 *   iop-virtio-rss [EAL] -- --iommu=... -- BDF_IN BDF_OUT DONE_FILE
 *
 * Runs until DONE_FILE exists (the host has all it sent back) or 600 s,
 * then prints "ok - ..." / "not ok - ..." per check; exit 1 on a failure.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_port.h"
#include "../vm_check.h"

#define RXQ 2
#define RSS_TYPES (IOP_PORT_RSS_IPV4 | IOP_PORT_RSS_NONFRAG_IPV4_UDP | IOP_PORT_RSS_NONFRAG_IPV4_TCP)

static struct iop_port_rss_conf rss;

/* Our key (not Microsoft's default) and a table of runs of three, so a
 * device using another key, a round-robin table or hash % 2 disagrees. */
static void rss_setup(const struct iop_port_info *info)
{
	rss.hash_types = RSS_TYPES;
	rss.key_len = info->rss_key_size;
	for (uint8_t i = 0; i < rss.key_len; i++)
		rss.key[i] = (uint8_t)(0x3d + 29 * i);
	rss.reta_size = info->reta_size;
	for (uint16_t i = 0; i < rss.reta_size; i++)
		rss.reta[i] = (uint16_t)((i / 3) % RXQ);
}

/* The queue RSS gives an IPv4/UDP frame, or -1 for any other frame. */
static int expected_queue(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct rte_udp_hdr *udp;
	struct rte_ipv4_tuple t;
	uint32_t hash;

	if (m->data_len < sizeof(*eth) + sizeof(*ip) + sizeof(*udp) ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_UDP)
		return -1;
	udp = (const struct rte_udp_hdr *)(ip + 1);
	t.src_addr = rte_be_to_cpu_32(ip->src_addr);
	t.dst_addr = rte_be_to_cpu_32(ip->dst_addr);
	t.sport = rte_be_to_cpu_16(udp->src_port);
	t.dport = rte_be_to_cpu_16(udp->dst_port);
	hash = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, rss.key);
	return rss.reta[hash % rss.reta_size];
}

static int port_start(uint16_t id, uint16_t nq, struct rte_mempool *mp)
{
	for (uint16_t q = 0; q < nq; q++)
		if (iop_port_rx_queue_setup(id, q, 256, mp) < 0 ||
		    iop_port_tx_queue_setup(id, q, 256) < 0)
			return -1;
	return iop_port_start(id);
}

int main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct iop_port_info info;
	char spec_in[64], spec_out[64];
	uint16_t in, out;
	unsigned int per_q[RXQ] = { 0 }, right = 0, wrong = 0, other = 0, sent = 0;
	time_t end = time(NULL) + 600;
	int n = iop_init(argc, argv), rc;

	if (n < 0) {
		fprintf(stderr, "iop-virtio-rss: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc != 4) {
		fprintf(stderr, "usage: iop-virtio-rss [EAL] -- [iopath] -- BDF_IN BDF_OUT DONE_FILE\n");
		iop_cleanup();
		return 2;
	}
	snprintf(spec_in, sizeof(spec_in), "pci:%s", argv[1]);
	snprintf(spec_out, sizeof(spec_out), "pci:%s", argv[2]);
	mp = rte_pktmbuf_pool_create("vrss", 4096, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (!mp || iop_port_open(spec_in, &in) < 0 || iop_port_open(spec_out, &out) < 0) {
		check(false, "two virtio ports open", "%s", mp ? iop_err_msg() : "no mempool");
		iop_cleanup();
		return 1;
	}
	/* bad input: RSS from a device that does not offer it */
	rc = iop_port_configure(out, &(struct iop_port_conf){
		.nb_rxq = 1, .nb_txq = 1, .rss.hash_types = IOP_PORT_RSS_IPV4 });
	check(rc == -ENOTSUP && strstr(iop_err_msg(), "RSS") && !strchr(iop_err_msg(), '\n'),
	      "RSS asked of a virtio-net without VIRTIO_NET_F_RSS fails in one line naming RSS",
	      "rc %d: %s", rc, iop_err_msg());
	printf("iop-virtio-rss: the refusal reads: %s\n", iop_err_msg());

	iop_port_info_get(in, &info);
	check(info.max_rx_queues >= RXQ && info.rss_hash_types & RSS_TYPES && info.reta_size &&
	      info.rss_key_size,
	      "the multi-queue virtio-net reports queue pairs and RSS as negotiated",
	      "%u rx queues, hash types 0x%llx, key %u bytes, table %u", info.max_rx_queues,
	      (unsigned long long)info.rss_hash_types, info.rss_key_size, info.reta_size);
	printf("iop-virtio-rss: IN has %u queue pairs, RSS key %u bytes, table %u entries, hash types 0x%llx\n",
	       info.max_rx_queues, info.rss_key_size, info.reta_size,
	       (unsigned long long)info.rss_hash_types);
	rss_setup(&info);
	if (iop_port_configure(in, &(struct iop_port_conf){
		    .nb_rxq = RXQ, .nb_txq = RXQ, .rss.hash_types = IOP_PORT_RSS_IPV4 }) < 0 ||
	    port_start(in, RXQ, mp) < 0 ||
	    iop_port_configure(out, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }) < 0 ||
	    port_start(out, 1, mp) < 0) {
		check(false, "IN with two queues and RSS, OUT with one, start", "%s", iop_err_msg());
		iop_cleanup();
		return 1;
	}
	rc = iop_port_rss_update(in, &rss);
	check(rc == 0, "RSS of the started port changes (hash types, key, table)", "%s", iop_err_msg());
	printf("iop-virtio-rss: forwarding\n");
	fflush(stdout);
	while (access(argv[3], F_OK) != 0 && time(NULL) < end) {
		for (uint16_t q = 0; q < RXQ; q++) {
			struct rte_mbuf *pkts[32];
			uint16_t got = iop_port_rx_burst(in, q, pkts, 32), done = 0;

			for (uint16_t i = 0; i < got; i++) {
				int want = expected_queue(pkts[i]);

				if (want < 0) {
					other++;
					continue;
				}
				per_q[q]++;
				if (want == q)
					right++;
				else if (wrong++ < 5)
					printf("iop-virtio-rss: a frame on queue %u that RSS gives queue %d\n", q, want);
			}
			while (done < got) {
				uint16_t k = iop_port_tx_burst(out, 0, pkts + done, (uint16_t)(got - done));

				done = (uint16_t)(done + k);
				sent += k;
			}
		}
	}
	printf("iop-virtio-rss: queue 0: %u frames, queue 1: %u frames, %u on the queue RSS names, %u not, %u not IPv4/UDP; %u forwarded\n",
	       per_q[0], per_q[1], right, wrong, other, sent);
	check(wrong == 0 && right > 0, "every frame arrives on the queue the table names for its Toeplitz hash",
	      "%u of %u frames on another queue", wrong, right + wrong);
	check(per_q[0] > 0 && per_q[1] > 0, "the flows spread over both queues",
	      "queue 0: %u, queue 1: %u", per_q[0], per_q[1]);
	check(access(argv[3], F_OK) == 0, "the host got back everything it sent", "no word from the host in 600 s");
	iop_port_stop(in);
	iop_port_stop(out);
	iop_port_close(in);
	iop_port_close(out);
	iop_cleanup();
	return failures ? 1 : 0;
}
