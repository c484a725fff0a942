/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * af_packet wire: a kernel network interface (one end of a veth pair, say)
 * through a PACKET_MMAP socket, TPACKET_V3 for both rings. The Linux stack
 * on the other side of the interface sends and receives real frames.
 *
 * rx ring: blocks the kernel fills and hands over (full, or after a 1 ms
 *   timeout so a lone ping is not held back); we give a block back once
 *   every frame of it went to the device.
 * tx ring, on a socket of its own: fixed frames; a frame marked
 *   SEND_REQUEST goes out at the next sendto(). The kernel sends them in
 *   ring order from its own head and hands each slot back AVAILABLE once
 *   the interface took the frame: only then is the frame sent (tx_reap).
 *   A frame the kernel refuses (TP_STATUS_WRONG_FORMAT), or one the
 *   interface dropped (sendto fails with ENOBUFS and the kernel puts the
 *   frame back as SEND_REQUEST, to retry it for ever), stops the kernel
 *   at that slot: the wire counts it as dropped and moves the frames
 *   behind it, in order, to a fresh tx socket (afp_tx_skip_head).
 * The interface's MTU is read again every MTU_RECHECK_MS and after every
 *   such drop, so frames the kernel would refuse are dropped before they
 *   reach it (tx_max_len).
 * One queue: a second would need a fanout socket per queue.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#define IOP_LOG_PREFIX "net/sim: "
#include "iop_log.h"
#include "port_driver.h"
#include "sim_wire.h"

#define RX_BLOCK_SIZE (1u << 16)
#define RX_BLOCKS 256
#define RX_BLOCK_TIMEOUT_MS 1
#define TX_FRAMES 512
#define MTU_RECHECK_MS 10
/* Where the frame starts in a tx slot (the kernel's rule without
 * PACKET_TX_HAS_OFF): after the aligned tpacket3_hdr. */
#define TX_DATA_OFF (TPACKET3_HDRLEN - sizeof(struct sockaddr_ll))

struct afp_wire {
	char ifname[IF_NAMESIZE];
	int ifindex;
	int fd;
	uint8_t *map;
	size_t map_len;
	/* rx */
	uint8_t *rx_ring;
	unsigned int rx_block;          /* block being read */
	struct tpacket3_hdr *rx_frame;  /* next frame in it, NULL: none */
	uint32_t rx_left;               /* frames left in it */
	uint64_t rx_dropped;            /* kernel drops seen, not yet reported */
	/* tx: indices count frames since the ring was made; slot = i % TX_FRAMES */
	int tx_fd;
	uint8_t *tx_ring;
	size_t tx_map_len;
	uint32_t tx_frame_size;
	uint32_t tx_next;      /* next frame to commit */
	uint32_t tx_done;      /* oldest frame whose fate is not known */
	bool tx_xmit_dropped;  /* the last sendto(): ENOBUFS, the frame at the
				* kernel's head was dropped by the interface */
	bool tx_rebuild_failed; /* logged once until a rebuild works */
	uint32_t max_frame_len; /* what a tx slot holds */
	int mtu;               /* the interface's, as last read */
	uint64_t mtu_next_tsc; /* when to read it again */
};

static int afp_ifreq(struct afp_wire *a, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", a->ifname);
	return ioctl(a->fd, req, ifr) < 0 ? -errno : 0;
}

static void afp_mtu_read(struct afp_wire *a)
{
	struct ifreq ifr;

	if (afp_ifreq(a, SIOCGIFMTU, &ifr) == 0)
		a->mtu = ifr.ifr_mtu;
	a->mtu_next_tsc = rte_get_tsc_cycles() + rte_get_tsc_hz() / 1000 * MTU_RECHECK_MS;
}

static uint32_t afp_pow2_at_least(uint32_t v)
{
	uint32_t p = 4096;

	while (p < v)
		p <<= 1;
	return p;
}

/* The rx ring on a->fd, which is not bound yet. */
static int afp_setup_rx(struct afp_wire *a)
{
	struct tpacket_req3 rx = {0};
	int version = TPACKET_V3, one = 1;

	if (setsockopt(a->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
		return IOP_ERR(errno, "af_packet %s: TPACKET_V3: %s", a->ifname, strerror(errno));
	rx.tp_block_size = RX_BLOCK_SIZE;
	rx.tp_block_nr = RX_BLOCKS;
	rx.tp_frame_size = 2048;
	rx.tp_frame_nr = RX_BLOCK_SIZE / 2048 * RX_BLOCKS;
	rx.tp_retire_blk_tov = RX_BLOCK_TIMEOUT_MS;
	if (setsockopt(a->fd, SOL_PACKET, PACKET_RX_RING, &rx, sizeof(rx)) < 0)
		return IOP_ERR(errno, "af_packet %s: cannot set up the rx ring: %s",
			       a->ifname, strerror(errno));
	a->map_len = (size_t)rx.tp_block_size * rx.tp_block_nr;
	a->map = mmap(NULL, a->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		      a->fd, 0);
	if (a->map == MAP_FAILED) {
		a->map = NULL;
		return IOP_ERR(errno, "af_packet %s: cannot map the rx ring (%zu bytes): %s",
			       a->ifname, a->map_len, strerror(errno));
	}
	a->rx_ring = a->map;
	/* our own transmissions would come back on the rx ring otherwise */
	if (setsockopt(a->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)
		return IOP_ERR(errno, "af_packet %s: PACKET_IGNORE_OUTGOING: %s (kernel 4.20 or later needed)",
			       a->ifname, strerror(errno));
	return 0;
}

static void afp_tx_close(int fd, uint8_t *ring, size_t len)
{
	if (ring)
		munmap(ring, len);
	if (fd >= 0)
		close(fd);
}

/*
 * A tx socket with an empty ring of TX_FRAMES slots of a->tx_frame_size
 * bytes, bound to the interface with protocol 0 (it receives nothing).
 */
static int afp_tx_open(struct afp_wire *a, int *fd_out, uint8_t **ring_out, size_t *len_out)
{
	struct tpacket_req3 tx = {0};
	struct sockaddr_ll sll = {0};
	int version = TPACKET_V3, one = 1, rc = 0;
	uint8_t *ring = NULL;
	size_t len = 0;
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		return IOP_ERR(errno, "af_packet %s: cannot open a packet socket: %s%s", a->ifname,
			       strerror(errno), errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
	tx.tp_block_size = RTE_MAX(a->tx_frame_size, 1u << 16);
	tx.tp_frame_size = a->tx_frame_size;
	tx.tp_block_nr = TX_FRAMES / (tx.tp_block_size / a->tx_frame_size);
	tx.tp_frame_nr = tx.tp_block_nr * (tx.tp_block_size / a->tx_frame_size);
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &tx, sizeof(tx)) < 0)
		rc = IOP_ERR(errno, "af_packet %s: cannot set up the tx ring: %s", a->ifname,
			     strerror(errno));
	if (rc == 0) {
		len = (size_t)tx.tp_block_size * tx.tp_block_nr;
		ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
		if (ring == MAP_FAILED) {
			ring = NULL;
			rc = IOP_ERR(errno, "af_packet %s: cannot map the tx ring (%zu bytes): %s",
				     a->ifname, len, strerror(errno));
		}
	}
	if (rc == 0) {
		/* a NIC does not go through the host's qdisc either */
		setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
		sll.sll_family = AF_PACKET;
		sll.sll_ifindex = a->ifindex;
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			rc = IOP_ERR(errno, "af_packet %s: bind: %s", a->ifname, strerror(errno));
	}
	if (rc) {
		afp_tx_close(fd, ring, len);
		return rc;
	}
	*fd_out = fd;
	*ring_out = ring;
	*len_out = len;
	return 0;
}

static void afp_free(struct afp_wire *a)
{
	afp_tx_close(a->tx_fd, a->tx_ring, a->tx_map_len);
	if (a->map)
		munmap(a->map, a->map_len);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

static int afp_open(struct sim_wire *w, const struct iop_port_spec *spec)
{
	const char *ifname = iop_port_spec_get(spec, "iface");
	struct sockaddr_ll sll = {0};
	struct afp_wire *a;
	struct ifreq ifr;
	int rc;

	if (!ifname)
		return IOP_ERR(EINVAL, "sim:wire=af_packet needs iface=<interface name>");
	if (strlen(ifname) >= IF_NAMESIZE)
		return IOP_ERR(EINVAL, "af_packet: interface name '%s' is longer than %d characters",
			       ifname, IF_NAMESIZE - 1);
	a = calloc(1, sizeof(*a));
	if (!a)
		return IOP_ERR(ENOMEM, "af_packet: out of memory");
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->ifindex = (int)if_nametoindex(ifname);
	a->fd = -1;
	a->tx_fd = -1;
	if (a->ifindex == 0) {
		afp_free(a);
		return IOP_ERR(ENODEV, "af_packet: no interface '%s' (see ip link show)", ifname);
	}
	/* protocol 0 until bind: an unbound ETH_P_ALL socket would take
	 * frames of every interface into the ring meanwhile */
	a->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (a->fd < 0) {
		rc = errno;
		afp_free(a);
		return IOP_ERR(rc, "af_packet %s: cannot open a packet socket: %s%s", ifname,
			       strerror(rc), rc == EPERM ? " (needs root or CAP_NET_RAW)" : "");
	}
	rc = afp_ifreq(a, SIOCGIFFLAGS, &ifr);
	if (rc == 0 && !(ifr.ifr_flags & IFF_UP))
		rc = IOP_ERR(ENETDOWN, "af_packet: interface %s is down: ip link set %s up",
			     ifname, ifname);
	else if (rc == 0 && (rc = afp_ifreq(a, SIOCGIFMTU, &ifr)) == 0)
		rc = afp_setup_rx(a);
	else if (rc)
		rc = IOP_ERR(-rc, "af_packet %s: %s", ifname, strerror(-rc));
	if (rc == 0) {
		/* a slot holds a frame of the MTU at open, VLAN-tagged, and at
		 * least what a 4 KiB slot holds */
		a->mtu = ifr.ifr_mtu;
		a->tx_frame_size = afp_pow2_at_least((uint32_t)a->mtu + RTE_ETHER_HDR_LEN +
						     RTE_VLAN_HLEN + (uint32_t)TX_DATA_OFF);
		a->max_frame_len = a->tx_frame_size - (uint32_t)TX_DATA_OFF;
		rc = afp_tx_open(a, &a->tx_fd, &a->tx_ring, &a->tx_map_len);
	}
	if (rc == 0) {
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_ALL);
		sll.sll_ifindex = a->ifindex;
		if (bind(a->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			rc = IOP_ERR(errno, "af_packet %s: bind: %s", ifname, strerror(errno));
	}
	if (rc) {
		afp_free(a);
		return rc;
	}
	afp_mtu_read(a);
	w->priv = a;
	w->max_frame_len = a->max_frame_len;
	return 0;
}

static int afp_mac(struct sim_wire *w, struct rte_ether_addr *mac)
{
	struct afp_wire *a = w->priv;
	struct ifreq ifr;
	int rc = afp_ifreq(a, SIOCGIFHWADDR, &ifr);

	if (rc == 0)
		memcpy(mac->addr_bytes, ifr.ifr_hwaddr.sa_data, RTE_ETHER_ADDR_LEN);
	return rc;
}

static int afp_configure(struct sim_wire *w, uint16_t nb_rxq, uint16_t nb_txq)
{
	(void)w;
	(void)nb_rxq;
	(void)nb_txq;
	return 0;
}

static void afp_close(struct sim_wire *w)
{
	afp_free(w->priv);
	w->priv = NULL;
}

static int afp_link(struct sim_wire *w, struct iop_port_link *link)
{
	struct afp_wire *a = w->priv;
	struct ifreq ifr;
	char path[64];
	FILE *f;
	int speed;

	if (afp_ifreq(a, SIOCGIFFLAGS, &ifr) == 0)
		link->up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	snprintf(path, sizeof(path), "/sys/class/net/%s/speed", a->ifname);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &speed) == 1 && speed > 0)
			link->speed_mbps = (uint32_t)speed;
		fclose(f);
	}
	return 0;
}

static int afp_promisc(struct sim_wire *w, bool on)
{
	struct afp_wire *a = w->priv;
	struct packet_mreq mr = {.mr_ifindex = a->ifindex, .mr_type = PACKET_MR_PROMISC};

	if (setsockopt(a->fd, SOL_PACKET, on ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP,
		       &mr, sizeof(mr)) < 0)
		return IOP_ERR(errno, "af_packet %s: promiscuous mode: %s", a->ifname,
			       strerror(errno));
	return 0;
}

static struct tpacket_block_desc *afp_block(struct afp_wire *a, unsigned int i)
{
	return (struct tpacket_block_desc *)(a->rx_ring + (size_t)i * RX_BLOCK_SIZE);
}

/* Gives the current block back and counts what the kernel dropped. */
static void afp_release_block(struct afp_wire *a)
{
	struct tpacket_block_desc *b = afp_block(a, a->rx_block);
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	a->rx_block = (a->rx_block + 1) % RX_BLOCKS;
	a->rx_frame = NULL;
	if (getsockopt(a->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		a->rx_dropped += st.tp_drops;
}

static bool afp_rx_peek(struct sim_wire *w, uint16_t q, struct sim_frame *f)
{
	struct afp_wire *a = w->priv;
	struct tpacket3_hdr *h;

	(void)q;
	while (!a->rx_frame) {
		struct tpacket_block_desc *b = afp_block(a, a->rx_block);

		if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return false;
		a->rx_left = b->hdr.bh1.num_pkts;
		if (a->rx_left == 0) {
			afp_release_block(a);
			continue;
		}
		a->rx_frame = (struct tpacket3_hdr *)((uint8_t *)b + b->hdr.bh1.offset_to_first_pkt);
	}
	h = a->rx_frame;
	f->data = (const uint8_t *)h + h->tp_mac;
	f->len = h->tp_snaplen;
	f->truncated = h->tp_snaplen < h->tp_len;
	f->has_vlan = (h->tp_status & TP_STATUS_VLAN_VALID) != 0;
	f->vlan_tci = (uint16_t)h->hv1.tp_vlan_tci;
	f->vlan_tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ?
		       (uint16_t)h->hv1.tp_vlan_tpid : RTE_ETHER_TYPE_VLAN;
	return true;
}

static void afp_rx_consume(struct sim_wire *w, uint16_t q)
{
	struct afp_wire *a = w->priv;

	(void)q;
	if (--a->rx_left == 0)
		afp_release_block(a);
	else
		a->rx_frame = (struct tpacket3_hdr *)((uint8_t *)a->rx_frame +
						      a->rx_frame->tp_next_offset);
}

static uint64_t afp_rx_dropped(struct sim_wire *w, uint16_t q)
{
	struct afp_wire *a = w->priv;
	uint64_t n = a->rx_dropped;

	(void)q;
	a->rx_dropped = 0;
	return n;
}

static struct tpacket3_hdr *afp_tx_hdr(uint8_t *ring, uint32_t frame_size, uint32_t i)
{
	return (struct tpacket3_hdr *)(ring + (size_t)(i % TX_FRAMES) * frame_size);
}

static uint32_t afp_tx_status(struct afp_wire *a, uint32_t i)
{
	return __atomic_load_n(&afp_tx_hdr(a->tx_ring, a->tx_frame_size, i)->tp_status,
			       __ATOMIC_ACQUIRE);
}

/*
 * The kernel is stuck at the frame a->tx_done: it refused it, or the
 * interface dropped it and the kernel would send it again and again; or
 * the port stops and gives up every frame not taken. Its head cannot be
 * moved past a slot, so the frames behind the skip first ones move, in
 * order, to a fresh tx socket. false: no new socket (logged once); the
 * wire stays as it was and is tried again at the next reap.
 */
static bool afp_tx_skip_head(struct afp_wire *a, uint32_t skip)
{
	uint32_t n = a->tx_next - a->tx_done - skip;
	uint8_t *ring;
	size_t len;
	int fd;

	if (afp_tx_open(a, &fd, &ring, &len) != 0) {
		if (!a->tx_rebuild_failed)
			IOP_LOG(ERR, "af_packet %s: %s; frames wait until a new tx ring can be made",
				a->ifname, iop_err_msg());
		a->tx_rebuild_failed = true;
		return false;
	}
	a->tx_rebuild_failed = false;
	for (uint32_t k = 0; k < n; k++) {
		struct tpacket3_hdr *from = afp_tx_hdr(a->tx_ring, a->tx_frame_size,
						       a->tx_done + skip + k);
		struct tpacket3_hdr *to = afp_tx_hdr(ring, a->tx_frame_size, k);

		memcpy((uint8_t *)to + TX_DATA_OFF, (uint8_t *)from + TX_DATA_OFF, from->tp_len);
		to->tp_len = from->tp_len;
		to->tp_snaplen = from->tp_len;
		to->tp_next_offset = 0;
		__atomic_store_n(&to->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	}
	afp_tx_close(a->tx_fd, a->tx_ring, a->tx_map_len);
	a->tx_fd = fd;
	a->tx_ring = ring;
	a->tx_map_len = len;
	a->tx_done = 0;
	a->tx_next = n;
	a->tx_xmit_dropped = false;
	afp_mtu_read(a);
	return true;
}

static void afp_tx_flush(struct sim_wire *w, uint16_t q);

static void afp_tx_reap(struct sim_wire *w, uint16_t q, struct sim_tx_fate *f)
{
	struct afp_wire *a = w->priv;

	(void)q;
	while (a->tx_done != a->tx_next) {
		uint32_t st = afp_tx_status(a, a->tx_done);

		if ((st & ~(uint32_t)(TP_STATUS_TS_SOFTWARE | TP_STATUS_TS_RAW_HARDWARE)) ==
		    TP_STATUS_AVAILABLE) {
			f->sent++;
			f->sent_bytes += afp_tx_hdr(a->tx_ring, a->tx_frame_size, a->tx_done)->tp_len;
			a->tx_done++;
		} else if (st == TP_STATUS_WRONG_FORMAT ||
			   (st == TP_STATUS_SEND_REQUEST && a->tx_xmit_dropped)) {
			if (!afp_tx_skip_head(a, 1))
				return;
			if (st == TP_STATUS_WRONG_FORMAT)
				f->refused++;
			else
				f->link_dropped++;
			/* the frames behind it go now, not at the next burst */
			afp_tx_flush(w, q);
		} else {
			return; /* not sent yet (SEND_REQUEST), or being sent (SENDING) */
		}
	}
}

/* Frames from the kernel's head on were never taken: the kernel sends in
 * ring order. A frame it is sending (SENDING) it still holds: kept. */
static void afp_tx_discard(struct sim_wire *w, uint16_t q, struct sim_tx_fate *f)
{
	struct afp_wire *a = w->priv;
	uint32_t n;

	afp_tx_reap(w, q, f);
	n = a->tx_next - a->tx_done;
	if (n && afp_tx_status(a, a->tx_done) == TP_STATUS_SEND_REQUEST &&
	    afp_tx_skip_head(a, n))
		f->unsent += n;
}

static uint32_t afp_tx_in_flight(struct sim_wire *w, uint16_t q)
{
	struct afp_wire *a = w->priv;

	(void)q;
	return a->tx_next - a->tx_done;
}

static uint16_t afp_tx_room(struct sim_wire *w, uint16_t q, uint16_t max)
{
	struct afp_wire *a = w->priv;

	if (rte_get_tsc_cycles() >= a->mtu_next_tsc)
		afp_mtu_read(a);
	/* frames a failed sendto left behind go first */
	afp_tx_flush(w, q);
	return (uint16_t)RTE_MIN((uint32_t)max, TX_FRAMES - (a->tx_next - a->tx_done));
}

static uint8_t *afp_tx_slot(struct sim_wire *w, uint16_t q)
{
	struct afp_wire *a = w->priv;

	(void)q;
	return (uint8_t *)afp_tx_hdr(a->tx_ring, a->tx_frame_size, a->tx_next) + TX_DATA_OFF;
}

/* The kernel's limit (tpacket_snd): MTU + the Ethernet header, 4 bytes
 * more for an 802.1Q-tagged frame (not for other tags). */
static uint32_t afp_tx_max_len(struct sim_wire *w, uint16_t q, const uint8_t *frame)
{
	struct afp_wire *a = w->priv;
	uint16_t type;
	uint32_t max;

	(void)q;
	memcpy(&type, frame + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
	max = (uint32_t)a->mtu + RTE_ETHER_HDR_LEN +
	      (rte_be_to_cpu_16(type) == RTE_ETHER_TYPE_VLAN ? RTE_VLAN_HLEN : 0);
	return RTE_MIN(max, a->max_frame_len);
}

static void afp_tx_commit(struct sim_wire *w, uint16_t q, uint32_t len)
{
	struct afp_wire *a = w->priv;
	struct tpacket3_hdr *h = afp_tx_hdr(a->tx_ring, a->tx_frame_size, a->tx_next);

	(void)q;
	h->tp_len = len;
	h->tp_snaplen = len;
	h->tp_next_offset = 0;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	a->tx_next++;
}

static void afp_tx_flush(struct sim_wire *w, uint16_t q)
{
	struct afp_wire *a = w->priv;

	(void)q;
	/* after an interface drop, a sendto() would send the dropped frame
	 * again: tx_reap skips it first */
	if (a->tx_next == a->tx_done || a->tx_xmit_dropped)
		return;
	/* A frame the kernel could not take now (no socket buffer, the
	 * interface down) stays SEND_REQUEST for the next sendto(), which
	 * comes at the next burst: frames are in flight until reaped. */
	if (sendto(a->tx_fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno == ENOBUFS)
		a->tx_xmit_dropped = true;
}

static const char *const afp_keys[] = {"iface", NULL};

const struct sim_wire_ops sim_wire_af_packet = {
	.name = "af_packet",
	.keys = afp_keys,
	.max_queues = 1,
	.mac_get = afp_mac,
	.open = afp_open,
	.configure = afp_configure,
	.close = afp_close,
	.link_get = afp_link,
	.promisc_set = afp_promisc,
	.rx_peek = afp_rx_peek,
	.rx_consume = afp_rx_consume,
	.rx_dropped = afp_rx_dropped,
	.tx_room = afp_tx_room,
	.tx_slot = afp_tx_slot,
	.tx_max_len = afp_tx_max_len,
	.tx_commit = afp_tx_commit,
	.tx_flush = afp_tx_flush,
	.tx_reap = afp_tx_reap,
	.tx_in_flight = afp_tx_in_flight,
	.tx_discard = afp_tx_discard,
};
