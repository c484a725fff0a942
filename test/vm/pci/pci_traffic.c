/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host side of the guest forwarding test. Each guest NIC's QEMU netdev is a
 * UDP socket pair on 127.0.0.1 (-netdev socket,udp=HOST,localaddr=QEMU):
 * QEMU sends what the NIC transmits to our port HOST and takes what we send
 * to its port QEMU as received frames. For every pair A<->B of NICs the
 * bridge in the guest forwards, we send frames into A and expect them out
 * of B, and the other way round.
 *
 *   iop-pci-traffic [--count=N] [--max-len=L] [--ready-timeout=S] [--abort-file=F] [--dst=MACA,MACB] PAIR...
 *   iop-pci-traffic --blast=S [--flows=N] [--ready-timeout=S] PAIR...
 *   iop-pci-traffic --count=N --blast=S --while-blast=CMD [--dst=MACA,MACB] PAIR...
 *   iop-pci-traffic --stream=S [--rate=PPS] [--result=FILE] [--ready-timeout=S] PAIR...
 *   PAIR = NAME:HOSTA:QEMUA:HOSTB:QEMUB     (UDP port numbers)
 *
 * Per pair: probe frames until one crosses each way (the guest boots
 * meanwhile), then N frames each way of sizes 60..L (default 1514) with a
 * sequence number and a pattern, plus a few oversize frames (L+1, L+86,
 * L+486 bytes: 1515..2000 by default) the bridge must drop. Passes when every valid frame came out of the other
 * side exactly once and byte-identical, and no oversize frame came out.
 *
 * Frames carry destination 02:00:00:00:00:0b both ways, or with --dst
 * MACA into A and MACB into B (a VF receives unicast for its own MAC only).
 *
 * --stream=S [--rate=PPS] [--result=FILE] checks a bridge under steady load
 * (a port moving between IOAS meanwhile): once probes cross both ways on
 * every pair, numbered frames of sizes 60..1514 go into both sides of every
 * pair at PPS per direction (default 1000) for S seconds, all at once.
 * Per direction it prints what went in (probes included), what the host's
 * kernel dropped at QEMU's socket before the NIC could take it
 * (/proc/net/udp), what came out of the other side, and what QEMU's
 * socket took that never came out (lost = in - dropped - out, for the
 * guest to compare with the drops the bridge counted). It fails when a
 * frame came out altered, out of order or twice, or the drops cannot be
 * read. The lines also go to FILE, for the guest.
 *
 * --blast=S measures instead: per pair, once ready, 64-byte frames go into
 * A as fast as the socket takes them for S seconds while B counts what comes
 * out; prints "blast NAME: sent N, received M, P pps". With --flows=N they
 * are IPv4/UDP frames of N flows (source ports 1024..1024+N-1, in turn), so
 * a NIC's RSS spreads them over its queues. --mark=FILE appends "MARK NAME
 * start" and "MARK NAME end" around each pair's blast (its drain included),
 * for pci-bench's QEMU trace counter.
 *
 * --count with --blast and --while-blast=CMD (a link flap, say): per pair
 * the checked frames each way, then the blast while `sh -c CMD` runs, then
 * the checked frames each way again (forwarding must have resumed).
 *
 * Every run ends with "frames NAME: into A N (D dropped at QEMU's socket),
 * out of A M (E dropped at ours), into B ..., out of B ..." per pair: every
 * frame sent into each NIC and every frame that came out of it (probes
 * too), and the datagrams the kernel dropped on a full socket on the way
 * (/proc/net/udp), for a conservation check against the bridge's own
 * counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 8
#define MAX_FRAME 10240 /* --max-len at most MAX_FRAME - 486 */
#define ETHERTYPE 0x88b5 /* IEEE local experimental */
#define KIND_PROBE 1
#define KIND_DATA 2
#define WINDOW 16        /* frames in flight: TCG guests are slow */

/* Created by the test when the guest is gone: stop waiting for it. */
static const char *abort_file;

struct side {
	int fd;              /* bound to 127.0.0.1:host */
	struct sockaddr_in qemu;
	unsigned long long into, out; /* frames sent into the NIC, came out of it */
	unsigned int host_port, qemu_port;
	/* datagrams the kernel dropped on a full socket: ours (frames out of
	 * the NIC), QEMU's (frames into it), from this run's start */
	unsigned long long host_drops0, qemu_drops0;
};

struct pair {
	char name[32];
	struct side s[2];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The kernel's count of datagrams dropped on the UDP socket bound to
 * 127.0.0.1:port (its last column in /proc/net/udp), 0 if none is. */
static unsigned long long udp_drops(unsigned int port)
{
	char line[512], want[32];
	unsigned long long drops = 0, d;
	FILE *f = fopen("/proc/net/udp", "r");

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "0100007F:%04X ", port);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *local, *last;

		while (n && (line[n - 1] == ' ' || line[n - 1] == '\n'))
			line[--n] = '\0';
		local = strchr(line, ':');
		last = strrchr(line, ' ');

		if (local && last && strncmp(local + 2, want, strlen(want)) == 0 &&
		    sscanf(last, "%llu", &d) == 1)
			drops += d;
	}
	fclose(f);
	return drops;
}

static int open_side(struct side *s, unsigned int host, unsigned int qemu)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)host) };
	int rcvbuf = 8 << 20;

	memset(s, 0, sizeof(*s));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* room for a blast's frames while this program waits for the CPU
	 * (root may pass net.core.rmem_max); what still overflows is counted */
	if (s->fd >= 0 && setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "iop-pci-traffic: cannot bind UDP 127.0.0.1:%u: %s\n", host,
			strerror(errno));
		return -1;
	}
	s->qemu = a;
	s->qemu.sin_port = htons((uint16_t)qemu);
	s->host_port = host;
	s->qemu_port = qemu;
	s->host_drops0 = udp_drops(host);
	s->qemu_drops0 = udp_drops(qemu);
	return 0;
}

/* Frame: dst, src, ethertype, kind, direction, seq (be32), then a pattern
 * that depends on seq and position, so a misplaced byte shows. */
/* destination MAC of the frames sent into side A (dir 0) and B (dir 1) */
static uint8_t dst_mac[2][6] = {
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b },
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b },
};

static size_t make_frame(uint8_t *f, size_t len, uint8_t kind, uint8_t dir, uint32_t seq)
{
	static const uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };

	memcpy(f, dst_mac[dir & 1], 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	f[14] = kind;
	f[15] = dir;
	f[16] = (uint8_t)(seq >> 24);
	f[17] = (uint8_t)(seq >> 16);
	f[18] = (uint8_t)(seq >> 8);
	f[19] = (uint8_t)seq;
	for (size_t i = 20; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seq * 13);
	return len;
}

/* The longest valid frame (--max-len). */
static unsigned int max_len = 1514;

/* Size of valid frame seq: spread over 60..max_len with both ends included. */
static size_t frame_size(uint32_t seq)
{
	if (seq % 7 == 0)
		return 60;
	if (seq % 7 == 1)
		return max_len;
	return 60 + (seq * 2654435761u) % (max_len - 60 + 1);
}

static void send_to(struct side *s, const uint8_t *f, size_t len)
{
	if (sendto(s->fd, f, len, 0, (struct sockaddr *)&s->qemu, sizeof(s->qemu)) < 0)
		fprintf(stderr, "iop-pci-traffic: sendto: %s\n", strerror(errno));
	else
		s->into++;
}

/* Waits up to timeout for a datagram on s; returns its length or -1. */
static ssize_t recv_from(struct side *s, uint8_t *buf, double timeout)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, (int)(timeout * 1000)) <= 0)
		return -1;
	n = recv(s->fd, buf, MAX_FRAME, 0);
	if (n >= 0)
		s->out++;
	return n;
}

/* Probes in direction dir (0: A->B) until one comes out. */
static int wait_ready(struct pair *p, int dir, double deadline)
{
	uint8_t f[MAX_FRAME], r[MAX_FRAME];
	uint32_t seq = 0;

	while (now() < deadline && !(abort_file && access(abort_file, F_OK) == 0)) {
		size_t len = make_frame(f, 64, KIND_PROBE, (uint8_t)dir, seq++);
		double until = now() + 0.5;

		send_to(&p->s[dir], f, len);
		while (now() < until) {
			ssize_t n = recv_from(&p->s[!dir], r, until - now());

			if (n >= 20 && r[14] == KIND_PROBE && r[15] == dir)
				return 0;
		}
	}
	return -1;
}

struct tally {
	unsigned int ok, missing, corrupt, dup, oversize_out;
};

/* Sends count valid frames and the oversize ones in direction dir, WINDOW
 * at a time, and checks what comes out of the other side. */
static void run_dir(struct pair *p, int dir, uint32_t count, struct tally *t)
{
	const size_t oversize[] = { max_len + 1, max_len + 86, max_len + 486 };
	const size_t noversize = sizeof(oversize) / sizeof(oversize[0]);
	uint8_t *seen = calloc(count, 1);
	uint8_t f[MAX_FRAME], r[MAX_FRAME], want[MAX_FRAME];
	uint32_t sent = 0;

	for (size_t i = 0; i < noversize; i++) {
		make_frame(f, oversize[i], KIND_DATA, (uint8_t)dir, 0x80000000u | (uint32_t)i);
		send_to(&p->s[dir], f, oversize[i]);
	}
	while (sent < count) {
		uint32_t end = sent + WINDOW < count ? sent + WINDOW : count, got = 0;
		double until;

		for (uint32_t s = sent; s < end; s++) {
			size_t len = make_frame(f, frame_size(s), KIND_DATA, (uint8_t)dir, s);

			send_to(&p->s[dir], f, len);
		}
		until = now() + 5.0;
		while (got < end - sent && now() < until) {
			ssize_t n = recv_from(&p->s[!dir], r, until - now());
			uint32_t seq;

			if (n < 20 || r[14] != KIND_DATA || r[15] != dir)
				continue;
			seq = (uint32_t)r[16] << 24 | (uint32_t)r[17] << 16 | (uint32_t)r[18] << 8 | r[19];
			if (seq & 0x80000000u) {
				t->oversize_out++;
				continue;
			}
			if (seq >= count)
				continue;
			make_frame(want, frame_size(seq), KIND_DATA, (uint8_t)dir, seq);
			if ((size_t)n != frame_size(seq) || memcmp(r, want, (size_t)n) != 0) {
				t->corrupt++;
				fprintf(stderr, "iop-pci-traffic: %s: frame %u: %zd bytes, not the %zu sent (or bytes differ)\n",
					p->name, seq, n, frame_size(seq));
			} else if (seen[seq]) {
				t->dup++;
			} else {
				seen[seq] = 1;
				t->ok++;
			}
			if (seq >= sent && seq < end)
				got++;
		}
		sent = end;
	}
	/* late arrivals and stray oversize frames */
	for (ssize_t n; (n = recv_from(&p->s[!dir], r, 1.0)) >= 0;)
		if (n >= 20 && r[14] == KIND_DATA && r[15] == dir && (r[16] & 0x80))
			t->oversize_out++;
	for (uint32_t s = 0; s < count; s++)
		t->missing += !seen[s];
	free(seen);
}

/* 64-byte IPv4/UDP frame of flow n: 10.0.0.1:(1024+n) -> 10.0.0.2:4789 */
static size_t make_udp_frame(uint8_t *f, unsigned int flow)
{
	static const uint8_t ip[20] = { 0x45, 0, 0, 50, 0, 0, 0x40, 0, 64, 17, 0, 0,
					10, 0, 0, 1, 10, 0, 0, 2 };
	uint16_t sport = (uint16_t)(1024 + flow);
	uint32_t sum = 0;

	make_frame(f, 64, KIND_DATA, 0, flow);
	f[12] = 0x08;
	f[13] = 0x00;
	memcpy(f + 14, ip, sizeof(ip));
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)f[14 + i] << 8 | f[15 + i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8);
	f[25] = (uint8_t)~sum;
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = 4789 >> 8;
	f[37] = 4789 & 0xff;
	f[38] = 0;
	f[39] = 30; /* UDP length; checksum 0: none */
	f[40] = f[41] = 0;
	return 64;
}

/* Sends into A for secs seconds (flows > 0: IPv4/UDP frames of that many
 * flows), counts what leaves B; returns pps out. */
static double blast(struct pair *p, double secs, unsigned int flows, FILE *marks)
{
	uint8_t f[MAX_FRAME], r[MAX_FRAME], flow_frames[64][64];
	uint64_t sent = 0, got = 0;
	size_t len = make_frame(f, 64, KIND_DATA, 0, 0);
	double start, end;

	for (unsigned int n = 0; n < flows && n < 64; n++)
		make_udp_frame(flow_frames[n], n);
	if (marks)
		fprintf(marks, "MARK %s start\n", p->name), fflush(marks);
	start = now();
	end = start + secs;
	while (now() < end) {
		for (int i = 0; i < 32; i++)
			if (sendto(p->s[0].fd, flows ? flow_frames[sent % flows] : f, len, MSG_DONTWAIT,
				   (struct sockaddr *)&p->s[0].qemu, sizeof(p->s[0].qemu)) > 0)
				sent++;
		while (recv(p->s[1].fd, r, sizeof(r), MSG_DONTWAIT) > 0)
			got++;
	}
	p->s[0].into += sent;
	p->s[1].out += got;
	/* frames still in flight when the sender stops */
	for (double until = now() + 1.0; now() < until;) {
		if (recv_from(&p->s[1], r, until - now()) < 0)
			break;
		got++; /* recv_from counted it out of B */
	}
	if (marks)
		fprintf(marks, "MARK %s end\n", p->name), fflush(marks);
	printf("blast %s: sent %llu, received %llu, %.0f pps\n", p->name,
	       (unsigned long long)sent, (unsigned long long)got, (double)got / secs);
	return (double)got / secs;
}

/* Probes, then count checked frames each way; returns the failures. */
static int check_pair(struct pair *p, unsigned int count, double ready_timeout)
{
	double deadline = now() + ready_timeout;
	int failed = 0;

	for (int dir = 0; dir < 2; dir++) {
		struct tally t = { 0 };

		if (wait_ready(p, dir, deadline) < 0) {
			printf("iop-pci-traffic: %s %s: no probe frame crossed the bridge (waited up to %.0f s)\n",
			       p->name, dir ? "B->A" : "A->B", ready_timeout);
			failed++;
			continue;
		}
		run_dir(p, dir, count, &t);
		printf("iop-pci-traffic: %s %s: %u/%u frames byte-identical, %u missing, %u corrupt, %u duplicated, %u oversize forwarded\n",
		       p->name, dir ? "B->A" : "A->B", t.ok, count, t.missing, t.corrupt, t.dup,
		       t.oversize_out);
		failed += t.ok != count || t.corrupt || t.dup || t.oversize_out;
	}
	return failed;
}

/* The blast while `sh -c cmd` runs (started with it, waited for after);
 * returns 1 when cmd failed. */
static int blast_while(struct pair *p, double secs, unsigned int flows, const char *cmd)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "iop-pci-traffic: cannot start %s: %s\n", cmd, strerror(errno));
		return 1;
	}
	blast(p, secs, flows, NULL);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("iop-pci-traffic: %s: '%s' failed\n", p->name, cmd);
		return 1;
	}
	return 0;
}

/* One direction of a stream: frames in, frames out, what was wrong. */
struct flow {
	uint64_t in, out, corrupt, dup, reordered;
	uint32_t next; /* the seq expected next out */
	uint8_t *seen;
	unsigned long long drops_before;
};

static void stream_take(struct pair *p, int dir, struct flow *fl, const uint8_t *r, ssize_t n)
{
	uint8_t want[MAX_FRAME];
	uint32_t seq;

	if (n < 20 || r[15] != dir || r[14] != KIND_DATA)
		return;
	fl->out++;
	seq = (uint32_t)r[16] << 24 | (uint32_t)r[17] << 16 | (uint32_t)r[18] << 8 | r[19];
	make_frame(want, frame_size(seq), KIND_DATA, (uint8_t)dir, seq);
	if (seq >= fl->in || (size_t)n != frame_size(seq) || memcmp(r, want, (size_t)n) != 0) {
		if (fl->corrupt++ < 5)
			fprintf(stderr, "iop-pci-traffic: %s: frame %u: %zd bytes, not the %zu sent (or bytes differ)\n",
				p->name, seq, n, frame_size(seq));
		return;
	}
	if (fl->seen[seq]) {
		fl->dup++;
		return;
	}
	fl->seen[seq] = 1;
	fl->reordered += seq < fl->next;
	fl->next = seq + 1;
}

static void stream_recv(struct pair *pairs, unsigned int npairs, struct flow (*fl)[2])
{
	uint8_t r[MAX_FRAME];

	for (unsigned int i = 0; i < npairs; i++)
		for (int dir = 0; dir < 2; dir++)
			for (ssize_t n; (n = recv(pairs[i].s[!dir].fd, r, sizeof(r), MSG_DONTWAIT)) >= 0;) {
				pairs[i].s[!dir].out++;
				stream_take(&pairs[i], dir, &fl[i][dir], r, n);
			}
}

static int stream(struct pair *pairs, unsigned int npairs, double secs, unsigned int rate,
		  double ready_timeout, const char *result)
{
	struct flow fl[MAX_PAIRS][2];
	uint32_t max = (uint32_t)(secs * rate) + 1;
	FILE *out = result ? fopen(result, "w") : NULL;
	double start, last_out;
	int failed = 0;

	memset(fl, 0, sizeof(fl));
	for (unsigned int i = 0; i < npairs; i++)
		for (int dir = 0; dir < 2; dir++) {
			double deadline = now() + ready_timeout;

			fl[i][dir].seen = calloc(max, 1);
			if (wait_ready(&pairs[i], dir, deadline) < 0) {
				printf("stream %s %s: no probe frame crossed the bridge\n", pairs[i].name,
				       dir ? "B->A" : "A->B");
				return 1;
			}
		}
	for (unsigned int i = 0; i < npairs; i++)
		for (int dir = 0; dir < 2; dir++) {
			fl[i][dir].drops_before = udp_drops(ntohs(pairs[i].s[dir].qemu.sin_port));
		}
	start = now();
	while (now() - start < secs) {
		uint32_t due = (uint32_t)((now() - start) * rate);
		uint8_t f[MAX_FRAME];

		for (unsigned int i = 0; i < npairs; i++)
			for (int dir = 0; dir < 2; dir++)
				for (struct flow *w = &fl[i][dir]; w->in < due && w->in < max; w->in++) {
					size_t len = make_frame(f, frame_size((uint32_t)w->in), KIND_DATA,
								(uint8_t)dir, (uint32_t)w->in);

					send_to(&pairs[i].s[dir], f, len);
				}
		stream_recv(pairs, npairs, fl);
		usleep(200);
	}
	/* the tail: until nothing came out for 5 s (a loaded TCG guest
	 * stalls for seconds) */
	last_out = now();
	for (uint64_t before = 0;; ) {
		uint64_t total = 0;

		stream_recv(pairs, npairs, fl);
		for (unsigned int i = 0; i < npairs; i++)
			total += fl[i][0].out + fl[i][1].out;
		if (total != before)
			last_out = now();
		before = total;
		if (now() - last_out > 5.0)
			break;
		usleep(1000);
	}
	for (unsigned int i = 0; i < npairs; i++)
		for (int dir = 0; dir < 2; dir++) {
			struct flow *w = &fl[i][dir];
			uint64_t dropped = udp_drops(ntohs(pairs[i].s[dir].qemu.sin_port)) -
					   w->drops_before;
			uint64_t lost = w->in >= dropped + w->out ? w->in - dropped - w->out : 0;
			int bad = w->out + dropped > w->in || w->corrupt || w->dup || w->reordered;
			char line[1600];

			/* nic_tx: every frame the far NIC sent since the start,
			 * probes included, for the bridge's tx counter */
			snprintf(line, sizeof(line), "stream %s %s: in %llu, dropped by the host at QEMU's socket %llu, out %llu, lost %llu, corrupt %llu, duplicated %llu, reordered %llu, nic_tx %llu: %s",
				 pairs[i].name, dir ? "B->A" : "A->B", (unsigned long long)w->in,
				 (unsigned long long)dropped, (unsigned long long)w->out, (unsigned long long)lost,
				 (unsigned long long)w->corrupt, (unsigned long long)w->dup,
				 (unsigned long long)w->reordered,
				 (unsigned long long)pairs[i].s[!dir].out, bad ? "FAIL" : "ok");
			printf("%s\n", line);
			if (out)
				fprintf(out, "%s\n", line);
			failed += bad;
			free(w->seen);
		}
	if (out)
		fclose(out);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct pair pairs[MAX_PAIRS];
	unsigned int npairs = 0, count = 200, flows = 0;
	double ready_timeout = 240, blast_s = 0, stream_s = 0;
	unsigned int rate = 1000;
	const char *while_blast = NULL, *result = NULL;
	FILE *marks = NULL;
	bool count_given = false;
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		unsigned int ha, qa, hb, qb;
		char name[32];

		if (sscanf(argv[i], "--count=%u", &count) == 1) {
			count_given = true;
			continue;
		}
		if (strncmp(argv[i], "--while-blast=", 14) == 0) {
			while_blast = argv[i] + 14;
			continue;
		}
		if (sscanf(argv[i], "--ready-timeout=%lf", &ready_timeout) == 1)
			continue;
		if (sscanf(argv[i], "--blast=%lf", &blast_s) == 1)
			continue;
		if (sscanf(argv[i], "--stream=%lf", &stream_s) == 1)
			continue;
		if (sscanf(argv[i], "--rate=%u", &rate) == 1 && rate > 0)
			continue;
		if (strncmp(argv[i], "--result=", 9) == 0) {
			result = argv[i] + 9;
			continue;
		}
		if (sscanf(argv[i], "--max-len=%u", &max_len) == 1) {
			if (max_len < 60 || max_len > MAX_FRAME - 486) {
				fprintf(stderr, "iop-pci-traffic: --max-len must be 60..%u, not %u\n",
					MAX_FRAME - 486, max_len);
				return 2;
			}
			continue;
		}
		if (sscanf(argv[i], "--flows=%u", &flows) == 1) {
			if (flows < 1 || flows > 64) {
				fprintf(stderr, "iop-pci-traffic: --flows must be 1..64, not %u\n", flows);
				return 2;
			}
			continue;
		}
		if (strncmp(argv[i], "--mark=", 7) == 0) {
			marks = fopen(argv[i] + 7, "a");
			if (!marks) {
				fprintf(stderr, "iop-pci-traffic: cannot open %s: %s\n", argv[i] + 7,
					strerror(errno));
				return 2;
			}
			continue;
		}
		if (strncmp(argv[i], "--abort-file=", 13) == 0) {
			abort_file = argv[i] + 13;
			continue;
		}
		if (strncmp(argv[i], "--dst=", 6) == 0) {
			uint8_t *m0 = dst_mac[0], *m1 = dst_mac[1];
			char end;

			if (sscanf(argv[i] + 6, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx,%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%c",
				   &m0[0], &m0[1], &m0[2], &m0[3], &m0[4], &m0[5],
				   &m1[0], &m1[1], &m1[2], &m1[3], &m1[4], &m1[5], &end) != 12) {
				fprintf(stderr, "iop-pci-traffic: --dst wants MACA,MACB (xx:xx:xx:xx:xx:xx,xx:xx:xx:xx:xx:xx), not %s\n",
					argv[i] + 6);
				return 2;
			}
			continue;
		}
		if (npairs == MAX_PAIRS ||
		    sscanf(argv[i], "%31[^:]:%u:%u:%u:%u", name, &ha, &qa, &hb, &qb) != 5) {
			fprintf(stderr, "usage: iop-pci-traffic [--count=N [--max-len=L] | --blast=S [--flows=N] | --stream=S [--rate=PPS] [--result=FILE]] [--ready-timeout=S] [--abort-file=F] [--mark=FILE] [--while-blast=CMD] [--dst=MACA,MACB] NAME:HOSTA:QEMUA:HOSTB:QEMUB...\n");
			return 2;
		}
		snprintf(pairs[npairs].name, sizeof(pairs[npairs].name), "%s", name);
		if (open_side(&pairs[npairs].s[0], ha, qa) || open_side(&pairs[npairs].s[1], hb, qb))
			return 2;
		npairs++;
	}
	if (!npairs) {
		fprintf(stderr, "iop-pci-traffic: no NIC pair given\n");
		return 2;
	}
	if (stream_s > 0)
		return stream(pairs, npairs, stream_s, rate, ready_timeout, result);
	if (while_blast && !(blast_s > 0 && count_given)) {
		fprintf(stderr, "iop-pci-traffic: --while-blast needs --blast and --count\n");
		return 2;
	}
	for (unsigned int i = 0; i < npairs; i++) {
		struct pair *p = &pairs[i];

		if (blast_s > 0 && !while_blast) {
			if (wait_ready(p, 0, now() + ready_timeout) < 0) {
				printf("blast %s: no probe frame crossed the bridge\n", p->name);
				failed++;
				continue;
			}
			blast(p, blast_s, flows, marks);
			continue;
		}
		failed += check_pair(p, count, ready_timeout);
		if (!while_blast)
			continue;
		failed += blast_while(p, blast_s, flows, while_blast);
		failed += check_pair(p, count, ready_timeout);
	}
	for (unsigned int i = 0; i < npairs; i++) {
		const struct side *a = &pairs[i].s[0], *b = &pairs[i].s[1];

		printf("frames %s: into A %llu (%llu dropped at QEMU's socket), out of A %llu (%llu dropped at ours), "
		       "into B %llu (%llu dropped at QEMU's socket), out of B %llu (%llu dropped at ours)\n",
		       pairs[i].name, a->into, udp_drops(a->qemu_port) - a->qemu_drops0, a->out,
		       udp_drops(a->host_port) - a->host_drops0, b->into,
		       udp_drops(b->qemu_port) - b->qemu_drops0, b->out,
		       udp_drops(b->host_port) - b->host_drops0);
	}
	if (blast_s > 0 && !while_blast)
		return failed ? 1 : 0;
	printf("iop-pci-traffic: %s\n", failed ? "FAIL" : "PASS");
	return failed ? 1 : 0;
}
