/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VF side of the 82576 PF-VF mailbox (igbvf_mbx.h). Reading
 * V2PMAILBOX clears PFSTS, PFACK and RSTD, so every read keeps those bits
 * in m->seen until a wait consumes the one it is for: a bit read while
 * waiting for another is not lost.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "igbvf: "
#include "igbvf_mbx.h"
#include "igbvf_regs.h"
#include "iop_log.h"
#include "iop_pci.h"

/* Between two looks at the mailbox: the PF answers from its interrupt
 * handler, within microseconds on hardware, later under emulation. */
#define IGBVF_MBX_POLL_US 100

static uint32_t mbx_read(struct igbvf_mbx *m)
{
	uint32_t v = iop_mmio_read32(m->regs, IGBVF_V2PMAILBOX);

	m->seen |= v & IGBVF_MBX_R2C;
	return v;
}

static void mbx_write(struct igbvf_mbx *m, uint32_t v)
{
	iop_mmio_write32(m->regs, IGBVF_V2PMAILBOX, v);
}

/* Consumes bit when the PF has set it since it was last consumed. */
static bool mbx_take(struct igbvf_mbx *m, uint32_t bit)
{
	(void)mbx_read(m);
	if (!(m->seen & bit))
		return false;
	m->seen &= ~bit;
	return true;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int mbx_wait(struct igbvf_mbx *m, uint32_t bit)
{
	double end = now_ms() + m->timeout_ms;

	while (!mbx_take(m, bit)) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(IGBVF_MBX_POLL_US);
	}
	return 0;
}

/* The buffer is the VF's once VFU reads back set (the PF may hold it). */
static int mbx_lock(struct igbvf_mbx *m)
{
	double end = now_ms() + m->timeout_ms;

	for (;;) {
		mbx_write(m, IGBVF_MBX_VFU);
		if (mbx_read(m) & IGBVF_MBX_VFU)
			return 0;
		if (now_ms() > end)
			return -EBUSY;
		usleep(IGBVF_MBX_POLL_US);
	}
}

bool igbvf_mbx_pf_resetting(struct igbvf_mbx *m)
{
	return mbx_read(m) & IGBVF_MBX_RSTI;
}

int igbvf_mbx_wait_pf_ready(struct igbvf_mbx *m)
{
	double end = now_ms() + m->timeout_ms;

	while (igbvf_mbx_pf_resetting(m)) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(IGBVF_MBX_POLL_US);
	}
	return 0;
}

/* Reads the PF's message (PFSTS already consumed) and acknowledges it,
 * which also gives the buffer back. */
static int mbx_read_msg(struct igbvf_mbx *m, uint32_t *msg, unsigned int n)
{
	int rc = mbx_lock(m);

	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < n && i < IGBVF_MBX_WORDS; i++)
		msg[i] = iop_mmio_read32(m->regs, IGBVF_VMBMEM + 4 * i);
	mbx_write(m, IGBVF_MBX_ACK);
	/* a PF control message without CTS: the PF reset and forgot this VF */
	if ((msg[0] & IGBVF_MSG_TYPE_MASK) == IGBVF_MSG_PF_CONTROL && !(msg[0] & IGBVF_MSG_CTS))
		m->pf_reset = true;
	return 0;
}

bool igbvf_mbx_poll(struct igbvf_mbx *m)
{
	uint32_t msg[IGBVF_MBX_WORDS];

	if (!mbx_take(m, IGBVF_MBX_PFSTS))
		return false;
	return mbx_read_msg(m, msg, 1) == 0;
}

int igbvf_mbx_call(struct igbvf_mbx *m, const uint32_t *req, unsigned int n, uint32_t *reply,
		   unsigned int rn)
{
	uint32_t type = req[0] & IGBVF_MSG_TYPE_MASK;
	int rc = mbx_lock(m);

	if (rc < 0)
		return rc;
	/* stale doorbells from before this request mean nothing now */
	m->seen &= ~(uint32_t)IGBVF_MBX_PFACK;
	if (m->seen & IGBVF_MBX_PFSTS) {
		m->seen &= ~(uint32_t)IGBVF_MBX_PFSTS;
		mbx_write(m, IGBVF_MBX_ACK | IGBVF_MBX_VFU);
	}
	for (unsigned int i = 0; i < n; i++)
		iop_mmio_write32(m->regs, IGBVF_VMBMEM + 4 * i, req[i]);
	/* REQ without VFU: the buffer goes to the PF with the doorbell */
	mbx_write(m, IGBVF_MBX_REQ);
	rc = mbx_wait(m, IGBVF_MBX_PFACK);
	if (rc < 0)
		return rc;
	for (;;) {
		rc = mbx_wait(m, IGBVF_MBX_PFSTS);
		if (rc == 0)
			rc = mbx_read_msg(m, reply, rn);
		if (rc < 0)
			return rc;
		if ((reply[0] & IGBVF_MSG_TYPE_MASK) == type)
			break;
	}
	if (reply[0] & IGBVF_MSG_ACK)
		return 0;
	return reply[0] & IGBVF_MSG_NACK ? -EPERM : -EPROTO;
}
