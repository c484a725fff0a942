/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap wire: sim:wire=pcap,rx=FILE[,tx=FILE][,loop=N], as DPDK's net_pcap
 * does it, through libpcap (the reference reader and writer of the format,
 * with its variants: byte orders, nanosecond stamps, pcapng reading).
 *
 * rx=FILE is read whole at open, so a bad file is refused before anything
 * runs and replay costs no system call; its frames are replayed in order,
 * loop times (0: without end), each as captured (caplen bytes). tx=FILE
 * records every frame the port sends, stamped with the time it left. A
 * port without tx= has nowhere to send: its tx queue takes no frame.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define IOP_LOG_PREFIX "net/sim: "
#include "iop_log.h"
#include "port_driver.h"
#include "sim_wire.h"

#define PCAP_MAX_FRAME 9216

struct pcap_frame {
	uint32_t len;
	uint8_t *data;
};

struct pcap_wire {
	/* rx: the frames of rx=, replayed from next, pass after pass */
	struct pcap_frame *frames;
	size_t nframes, next;
	uint32_t loops_left; /* passes still to replay after this one; 0 with endless */
	bool endless;
	/* tx: where sent frames go */
	pcap_t *dead;
	pcap_dumper_t *dumper;
	uint8_t slot[PCAP_MAX_FRAME];
	uint32_t pending; /* committed, not yet flushed */
	bool write_failed;
};

static void frames_free(struct pcap_wire *pw)
{
	for (size_t i = 0; i < pw->nframes; i++)
		free(pw->frames[i].data);
	free(pw->frames);
	pw->frames = NULL;
	pw->nframes = 0;
}

static int load_frame(struct pcap_wire *pw, const struct pcap_pkthdr *h,
		      const uint8_t *bytes, size_t *cap)
{
	struct pcap_frame *f;

	if (pw->nframes == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct pcap_frame *nf = realloc(pw->frames, ncap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		pw->frames = nf;
		*cap = ncap;
	}
	f = &pw->frames[pw->nframes];
	f->len = h->caplen;
	f->data = malloc(h->caplen ? h->caplen : 1);
	if (!f->data)
		return -ENOMEM;
	memcpy(f->data, bytes, h->caplen);
	pw->nframes++;
	return 0;
}

static int load_rx(struct pcap_wire *pw, const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	size_t cap = 0;
	pcap_t *p;
	int rc;

	p = pcap_open_offline(path, err);
	if (!p)
		return IOP_ERR(EINVAL, "pcap wire: cannot read rx=%s: %s", path, err);
	if (pcap_datalink(p) != DLT_EN10MB) {
		rc = IOP_ERR(EINVAL, "pcap wire: rx=%s holds %s frames; the wire replays Ethernet (DLT_EN10MB) captures only",
			     path, pcap_datalink_val_to_name(pcap_datalink(p)) ?: "unknown");
		pcap_close(p);
		return rc;
	}
	while ((rc = pcap_next_ex(p, &h, &bytes)) == 1) {
		if (load_frame(pw, h, bytes, &cap) < 0) {
			pcap_close(p);
			return IOP_ERR(ENOMEM, "pcap wire: out of memory reading rx=%s (%zu frames read)",
				       path, pw->nframes);
		}
	}
	if (rc == PCAP_ERROR) {
		rc = IOP_ERR(EINVAL, "pcap wire: rx=%s is cut short after %zu frames: %s", path,
			     pw->nframes, pcap_geterr(p));
		pcap_close(p);
		return rc;
	}
	pcap_close(p);
	return 0;
}

static int open_tx(struct pcap_wire *pw, const char *path)
{
	pw->dead = pcap_open_dead(DLT_EN10MB, PCAP_MAX_FRAME);
	if (!pw->dead)
		return IOP_ERR(ENOMEM, "pcap wire: out of memory opening tx=%s", path);
	pw->dumper = pcap_dump_open(pw->dead, path);
	if (!pw->dumper)
		return IOP_ERR(EACCES, "pcap wire: cannot write tx=%s: %s", path, pcap_geterr(pw->dead));
	return 0;
}

static void pcap_wire_close(struct sim_wire *w)
{
	struct pcap_wire *pw = w->priv;

	if (!pw)
		return;
	if (pw->dumper)
		pcap_dump_close(pw->dumper);
	if (pw->dead)
		pcap_close(pw->dead);
	frames_free(pw);
	free(pw);
	w->priv = NULL;
}

static int pcap_wire_open(struct sim_wire *w, const struct iop_port_spec *spec)
{
	const char *rx = iop_port_spec_get(spec, "rx"), *tx = iop_port_spec_get(spec, "tx");
	struct pcap_wire *pw;
	uint32_t loop;
	int rc;

	if (!rx && !tx)
		return IOP_ERR(EINVAL, "port spec '%s': the pcap wire needs rx=FILE (frames to replay), tx=FILE (where sent frames go) or both",
			       iop_port_spec_text(w->port));
	rc = iop_port_spec_get_u32(spec, "loop", 1, 0, UINT32_MAX, &loop);
	if (rc)
		return rc;
	pw = calloc(1, sizeof(*pw));
	if (!pw)
		return IOP_ERR(ENOMEM, "pcap wire: out of memory");
	w->priv = pw;
	pw->endless = loop == 0;
	pw->loops_left = loop ? loop - 1 : 0;
	rc = rx ? load_rx(pw, rx) : 0;
	if (rc == 0 && tx)
		rc = open_tx(pw, tx);
	if (rc) {
		pcap_wire_close(w);
		return rc;
	}
	if (rx && pw->nframes == 0)
		IOP_LOG(WARN, "pcap wire: rx=%s holds no frame", rx);
	w->max_frame_len = PCAP_MAX_FRAME;
	return 0;
}

static int pcap_wire_configure(struct sim_wire *w, uint16_t nb_rxq, uint16_t nb_txq)
{
	(void)w;
	(void)nb_rxq;
	(void)nb_txq;
	return 0;
}

static int pcap_wire_link(struct sim_wire *w, struct iop_port_link *link)
{
	(void)w;
	link->up = true;
	link->speed_mbps = 0;
	return 0;
}

static bool pcap_wire_rx_peek(struct sim_wire *w, uint16_t q, struct sim_frame *f)
{
	struct pcap_wire *pw = w->priv;
	const struct pcap_frame *fr;

	(void)q;
	if (pw->next == pw->nframes) {
		if (pw->nframes == 0 || (!pw->endless && pw->loops_left == 0))
			return false;
		pw->loops_left -= !pw->endless;
		pw->next = 0;
	}
	fr = &pw->frames[pw->next];
	f->data = fr->data;
	f->len = fr->len;
	f->has_vlan = false;
	/* longer than any rx buffer can be: the device drops it, counted */
	f->truncated = fr->len > PCAP_MAX_FRAME;
	return true;
}

static void pcap_wire_rx_consume(struct sim_wire *w, uint16_t q)
{
	struct pcap_wire *pw = w->priv;

	(void)q;
	pw->next++;
}

static uint64_t pcap_wire_rx_dropped(struct sim_wire *w, uint16_t q)
{
	(void)w;
	(void)q;
	return 0;
}

static uint16_t pcap_wire_tx_room(struct sim_wire *w, uint16_t q, uint16_t max)
{
	struct pcap_wire *pw = w->priv;

	(void)q;
	/* one slot: the device writes a frame, commit records it; after a
	 * failed write nothing more is taken, so nothing more is counted */
	return pw->dumper && !pw->write_failed ? max : 0;
}

static uint8_t *pcap_wire_tx_slot(struct sim_wire *w, uint16_t q)
{
	struct pcap_wire *pw = w->priv;

	(void)q;
	return pw->slot;
}

static void pcap_wire_tx_commit(struct sim_wire *w, uint16_t q, uint32_t len)
{
	struct pcap_wire *pw = w->priv;
	struct pcap_pkthdr h = { .caplen = len, .len = len };

	(void)q;
	gettimeofday(&h.ts, NULL);
	pcap_dump((u_char *)pw->dumper, &h, pw->slot);
	pw->pending++;
}

static void pcap_wire_tx_flush(struct sim_wire *w, uint16_t q)
{
	struct pcap_wire *pw = w->priv;

	(void)q;
	/* on disk once the burst returns, so a reader never sees half a frame;
	 * a failed write (disk full) is only seen here, after the frames were
	 * counted as sent: say so, once */
	if (pw->pending && pw->dumper && !pw->write_failed &&
	    (pcap_dump_flush(pw->dumper) != 0 || ferror(pcap_dump_file(pw->dumper)))) {
		pw->write_failed = true;
		IOP_LOG(ERR, "pcap wire: port %u: writing its tx file failed (disk full?): frames counted as sent since the last flush may be missing from it; the port sends nothing more",
			iop_port_id(w->port));
	}
	pw->pending = 0;
}

static const char *const pcap_keys[] = {"rx", "tx", "loop", NULL};

const struct sim_wire_ops sim_wire_pcap = {
	.name = "pcap",
	.keys = pcap_keys,
	.max_queues = 1,
	.open = pcap_wire_open,
	.configure = pcap_wire_configure,
	.close = pcap_wire_close,
	.link_get = pcap_wire_link,
	.rx_peek = pcap_wire_rx_peek,
	.rx_consume = pcap_wire_rx_consume,
	.rx_dropped = pcap_wire_rx_dropped,
	.tx_room = pcap_wire_tx_room,
	.tx_slot = pcap_wire_tx_slot,
	.tx_commit = pcap_wire_tx_commit,
	.tx_flush = pcap_wire_tx_flush,
};
