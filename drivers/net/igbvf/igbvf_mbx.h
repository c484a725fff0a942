/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IGBVF_MBX_H
#define IOP_IGBVF_MBX_H

/*
 * The VF's side of the 82576 PF-VF mailbox: one 16-word buffer the two
 * sides take turns to own (VFU/PFU), a doorbell each way (REQ, PFSTS) and
 * an acknowledgement each way (PFACK, ACK). A request is written, the PF
 * acknowledges it, then answers with a message of the same type marked
 * ACK or NACK.
 */

#include <stdbool.h>
#include <stdint.h>

struct igbvf_mbx {
	volatile uint8_t *regs;   /* the VF's BAR0 */
	uint32_t seen;            /* read-to-clear bits read but not yet consumed */
	unsigned int timeout_ms;  /* per wait for the PF */
	bool pf_reset;            /* the PF announced a reset: the VF must reset again */
};

/* Waits for the PF to leave reset (RSTI clear); -ETIMEDOUT otherwise. */
int igbvf_mbx_wait_pf_ready(struct igbvf_mbx *m);
/*
 * Sends req (n words) and waits for the PF's answer of the same type into
 * reply (rn words; reply[0] is the verdict): 0 on ACK, -EPERM on NACK, -EPROTO on neither,
 * -ETIMEDOUT when the PF does not take or answer the request, -EBUSY when
 * the PF holds the buffer. PF messages of another type met while waiting
 * (a PF reset announcement) are read, acknowledged and remembered in
 * pf_reset.
 */
int igbvf_mbx_call(struct igbvf_mbx *m, const uint32_t *req, unsigned int n, uint32_t *reply,
		   unsigned int rn);
/* Reads and acknowledges a message the PF sent unasked, if there is one;
 * returns true when one was there. */
bool igbvf_mbx_poll(struct igbvf_mbx *m);
/* True while the PF shows a reset in progress (RSTI). */
bool igbvf_mbx_pf_resetting(struct igbvf_mbx *m);

#endif /* IOP_IGBVF_MBX_H */
