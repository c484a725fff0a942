/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IGBVF_REGS_H
#define IOP_IGBVF_REGS_H

/*
 * The 82576 VF's register map (BAR0, 16 KiB) and the PF-VF mailbox
 * messages the VF PMD uses. The VF sees its own window onto the PF's
 * registers: CTRL/STATUS, its two rx and two tx queues, interrupt causes
 * and the mailbox; everything else (filters, RSS, link) is the PF's.
 * Offsets and bits as QEMU's igbvf model maps them onto the PF and as
 * Linux's igbvf and igb drivers use them; the queue blocks have the PF's
 * layout (igb_regs.h, IGB_Q_*).
 */

#include <stdint.h>

#define IGBVF_CTRL 0x0000
#define IGBVF_CTRL_RST (1u << 26)       /* VF reset: the PF sees a VFLR */
#define IGBVF_STATUS 0x0008             /* the PF's STATUS, read-only */
#define IGBVF_EIMC 0x1528               /* interrupt mask clear (3 causes) */
#define IGBVF_EIMC_ALL 0x7u

/* queue n (0..1) register blocks */
#define IGBVF_RXQ_BASE 0x2800
#define IGBVF_TXQ_BASE 0x3800
#define IGBVF_Q_STRIDE 0x100
#define IGBVF_MAX_QUEUES 2

/* Mailbox: 16 words of shared memory and the VF's control register.
 * PFSTS, PFACK and RSTD clear when read. */
#define IGBVF_VMBMEM 0x0800
#define IGBVF_MBX_WORDS 16
#define IGBVF_V2PMAILBOX 0x0c40
#define IGBVF_MBX_REQ (1u << 0)      /* write: a message for the PF is in the buffer */
#define IGBVF_MBX_ACK (1u << 1)      /* write: the PF's message was read */
#define IGBVF_MBX_VFU (1u << 2)      /* the VF holds the buffer */
#define IGBVF_MBX_PFU (1u << 3)      /* the PF holds the buffer */
#define IGBVF_MBX_PFSTS (1u << 4)    /* the PF wrote a message */
#define IGBVF_MBX_PFACK (1u << 5)    /* the PF read the VF's message */
#define IGBVF_MBX_RSTI (1u << 6)     /* the PF is resetting */
#define IGBVF_MBX_RSTD (1u << 7)     /* the PF finished a reset */
#define IGBVF_MBX_R2C (IGBVF_MBX_PFSTS | IGBVF_MBX_PFACK | IGBVF_MBX_RSTD)

/* Message word 0: type in bits 15:0, an argument in 23:16, the PF's
 * verdict in 31:29 of a reply. */
#define IGBVF_MSG_TYPE_MASK 0xffffu
#define IGBVF_MSG_INFO_SHIFT 16
#define IGBVF_MSG_ACK (1u << 31)
#define IGBVF_MSG_NACK (1u << 30)
#define IGBVF_MSG_CTS (1u << 29)     /* the PF takes requests from this VF */
#define IGBVF_MSG_RESET 0x01         /* reply: ACK + MAC in words 1-2, or NACK: no MAC set */
#define IGBVF_MSG_SET_MAC 0x02       /* MAC in words 1-2 */
#define IGBVF_MSG_SET_PROMISC 0x06
#define IGBVF_PROMISC_UNICAST (0x01u << IGBVF_MSG_INFO_SHIFT)
#define IGBVF_PROMISC_MULTICAST (0x02u << IGBVF_MSG_INFO_SHIFT)
#define IGBVF_MSG_PF_CONTROL 0x0100  /* from the PF: without CTS, the PF reset */

#endif /* IOP_IGBVF_REGS_H */
