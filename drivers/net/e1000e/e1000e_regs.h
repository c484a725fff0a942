/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_E1000E_REGS_H
#define IOP_E1000E_REGS_H

/*
 * Intel 82574L registers and descriptors we use, as QEMU's e1000e device
 * emulates them. Section numbers are those of the "Intel 82574 GbE
 * Controller Family Datasheet": chapter 4.6 (software initialization),
 * chapter 7 (receive and transmit), chapter 10.2 (registers, BAR0 MMIO).
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* 10.2.2: general registers (those the e1000 family shares: pci_e1000.h) */
#define E1000_CTRL_VME (1u << 30)       /* VLAN mode: strip on rx, insert on tx (VLE) */
#define E1000_VET 0x00038               /* VLAN EtherType (the tag's TPID) */

/* 10.2.5: receive */
/* Buffer size: BSIZE (bits 17:16) and BSEX (bit 25). BSEX 0: 00 2048,
 * 01 1024, 10 512, 11 256 bytes; BSEX 1 (x16): 01 16384, 10 8192,
 * 11 4096. */
#define E1000_RCTL_BSIZE_SHIFT 16
#define E1000_RCTL_BSEX (1u << 25)
#define E1000_RXCSUM 0x05000
#define E1000_RXCSUM_IPOFLD (1u << 8)   /* check IPv4 header checksums */
#define E1000_RXCSUM_TUOFLD (1u << 9)   /* check TCP/UDP checksums */
#define E1000_RFCTL 0x05008
#define E1000_RFCTL_EXTEN (1u << 15)    /* 0: legacy descriptors (7.1.4) */
#define E1000_RDBAL 0x02800
#define E1000_RDBAH 0x02804
#define E1000_RDLEN 0x02808
#define E1000_RDH 0x02810
#define E1000_RDT 0x02818
#define E1000_RX_BUF_MIN 2048            /* the smallest we post */
#define E1000_RX_BUF_MAX 16384
/* 82574: jumbo frames up to 9234 bytes with the CRC (DPDK's and Linux's
 * e1000e max frame for it); QEMU's model takes up to 16380 with LPE. */
#define E1000_MAX_JUMBO_FRAME (9234 - 4)  /* what a descriptor holds: no CRC (SECRC) */
#define E1000_MAX_MTU (E1000_MAX_JUMBO_FRAME - 14 - 4) /* an Ethernet header and a tag */

/* 10.2.6: transmit */
#define E1000_TIPG 0x00410
#define E1000_TDBAL 0x03800
#define E1000_TDBAH 0x03804
#define E1000_TDLEN 0x03808
#define E1000_TDH 0x03810
#define E1000_TDT 0x03818

/* 10.2.7: statistics (clear on read) */
#define E1000_MPC 0x04010  /* missed packets: no rx descriptor free */

/* 7.1.4: legacy receive descriptor, written back by the device */
struct e1000_rx_desc {
	uint64_t addr;     /* buffer IOVA */
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
static_assert(sizeof(struct e1000_rx_desc) == 16, "82574L 7.1.4: 16-byte legacy rx descriptor");
static_assert(offsetof(struct e1000_rx_desc, status) == 12, "82574L 7.1.4: status at byte 12");
#define E1000_RXD_STAT_DD (1u << 0)  /* descriptor done */
#define E1000_RXD_STAT_EOP (1u << 1) /* end of packet */
#define E1000_RXD_STAT_IXSM (1u << 2) /* no checksum was checked */
#define E1000_RXD_STAT_VP (1u << 3)   /* a tag was stripped: its TCI in special */
#define E1000_RXD_STAT_UDPCS (1u << 4) /* UDP checksum checked */
#define E1000_RXD_STAT_TCPCS (1u << 5) /* TCP (QEMU: or UDP) checksum checked */
#define E1000_RXD_STAT_IPCS (1u << 6) /* IPv4 header checksum checked */
#define E1000_RXD_ERR_TCPE (1u << 5)  /* ... and the TCP/UDP one is wrong */
#define E1000_RXD_ERR_IPE (1u << 6)   /* ... and the IPv4 one is wrong */
#define E1000_RXD_ERR_FRAME 0x97     /* CE, SE, SEQ, CXE, RXE: a bad frame */

/* 7.2.10.1: legacy transmit descriptor */
struct e1000_tx_desc {
	uint64_t addr;     /* buffer IOVA */
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
static_assert(sizeof(struct e1000_tx_desc) == 16, "82574L 7.2.10.1: 16-byte legacy tx descriptor");
static_assert(offsetof(struct e1000_tx_desc, cmd) == 11, "82574L 7.2.10.1: cmd at byte 11");
static_assert(offsetof(struct e1000_tx_desc, status) == 12, "82574L 7.2.10.1: status at byte 12");
#define E1000_TXD_CMD_EOP (1u << 0)
#define E1000_TXD_CMD_IFCS (1u << 1) /* insert the CRC */
#define E1000_TXD_CMD_RS (1u << 3)   /* report status (DD) */
#define E1000_TXD_CMD_VLE (1u << 6)  /* insert the tag of special (CTRL.VME) */
#define E1000_TXD_STAT_DD (1u << 0)
/* 7.2.10.3: the extended data descriptor has the legacy one's layout with
 * DTYP 1 in the top nibble of byte 10 (cso), DEXT in cmd and the packet
 * options (POPTS) in byte 13 (css). */
#define E1000_TXD_CMD_DEXT (1u << 5)
#define E1000_TXD_DTYP_DATA 0x10     /* in cso */
#define E1000_TXD_POPTS_IXSM (1u << 0) /* insert the IPv4 header checksum */
#define E1000_TXD_POPTS_TXSM (1u << 1) /* insert the TCP/UDP checksum */

/* 7.2.10.2: transmit context descriptor (DTYP 0, DEXT): where the
 * checksums of the data descriptors after it are computed and stored */
struct e1000_tx_ctx_desc {
	uint8_t ipcss;     /* IPv4 checksum start */
	uint8_t ipcso;     /* IPv4 checksum offset */
	uint16_t ipcse;    /* IPv4 checksum end, inclusive */
	uint8_t tucss;     /* TCP/UDP checksum start */
	uint8_t tucso;     /* TCP/UDP checksum offset */
	uint16_t tucse;    /* TCP/UDP checksum end; 0: the frame's end */
	uint32_t cmd_len;  /* PAYLEN (TSO), DTYP, TUCMD */
	uint8_t status;
	uint8_t hdr_len;
	uint16_t mss;
};
static_assert(sizeof(struct e1000_tx_ctx_desc) == 16, "82574L 7.2.10.2: 16-byte context descriptor");
static_assert(offsetof(struct e1000_tx_ctx_desc, status) == 12, "82574L 7.2.10.2: status at byte 12");
#define E1000_TXC_TUCMD_TCP (1u << 24) /* 1: TCP, 0: UDP */
#define E1000_TXC_TUCMD_IP (1u << 25)  /* 1: IPv4, 0: IPv6 */
#define E1000_TXC_RS (1u << 27)
#define E1000_TXC_DEXT (1u << 29)

/* 10.2.5.x: the ring length must be a multiple of 128 bytes (8 descriptors) */
#define E1000_RING_ALIGN 128

#endif /* IOP_E1000E_REGS_H */
