/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IGB_REGS_H
#define IOP_IGB_REGS_H

/*
 * Intel 82576 (QEMU's igb) registers and descriptors the PF PMD uses.
 * The 82576 keeps the advanced descriptor formats of its predecessor: the
 * section numbers ("SDM x.y") are those of the "Intel 82575EB Gigabit
 * Ethernet Controller Software Developer's Manual" (324632-003), whose
 * text the layouts were checked against, and QEMU's igb emulation (which
 * writes only advanced rx descriptors). Register offsets and bits are
 * those QEMU's igb and Linux's igb driver use.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* The general registers, the same as the 82574L's, are pci_e1000.h's. */

/* MDI control: access to the internal PHY (PHY address 1) */
#define IGB_MDIC 0x00020
#define IGB_MDIC_REG_SHIFT 16
#define IGB_MDIC_PHY_SHIFT 21
#define IGB_MDIC_OP_WRITE (1u << 26)
#define IGB_MDIC_OP_READ (2u << 26)
#define IGB_MDIC_READY (1u << 28)
#define IGB_MDIC_ERROR (1u << 30)
#define IGB_PHY_ADDR 1
#define IGB_PHY_BMCR 0                  /* IEEE 802.3 clause 22 control */
#define IGB_BMCR_ANENABLE (1u << 12)
#define IGB_BMCR_ANRESTART (1u << 9)

/* receive */
#define IGB_RLPML 0x05004              /* longest frame taken with RCTL.LPE */
#define IGB_RLPML_MAX 0x3fff           /* bits 13:0 */
#define IGB_RXCSUM 0x05000
#define IGB_RXCSUM_IPOFLD (1u << 8)   /* report the IPv4 header checksum */
#define IGB_RXCSUM_TUOFLD (1u << 9)   /* report the TCP/UDP checksum */
#define IGB_RXCSUM_PCSD (1u << 13)    /* RSS hash, not packet checksum, in the descriptor */

/* The registers of one queue: a block per rx and per tx queue, the same
 * layout in both and in the PF's and the VF's register maps (only where the
 * blocks lie differs). The PF's rx queue n (0..15) at 0x0c000 + 0x40 * n,
 * tx at 0x0e000 + 0x40 * n. */
#define IGB_PF_RXQ_BASE 0x0c000
#define IGB_PF_TXQ_BASE 0x0e000
#define IGB_PF_Q_STRIDE 0x40
#define IGB_Q_DBAL 0x00
#define IGB_Q_DBAH 0x04
#define IGB_Q_DLEN 0x08
#define IGB_Q_SRRCTL 0x0c               /* rx only */
#define IGB_SRRCTL_BSIZEPKT_1K 1u      /* packet buffer size in KiB, bits 6:0 */
#define IGB_SRRCTL_DESCTYPE_ADV_ONEBUF (1u << 25) /* advanced, one buffer */
#define IGB_SRRCTL_DROP_EN (1u << 31)  /* a queue out of descriptors drops, others go on */
#define IGB_Q_DH 0x10
#define IGB_Q_DT 0x18
#define IGB_Q_DCTL 0x28                 /* RXDCTL / TXDCTL */
#define IGB_XDCTL_ENABLE (1u << 25)    /* RXDCTL and TXDCTL: queue enable */
#define IGB_RX_BUF_SIZE 2048

/* SDM 5.4.2: multiple receive queues and RSS (Toeplitz hash, 128-entry
 * redirection table; the 82576 keeps the queue index in bits 3:0) */
#define IGB_MRQC 0x05818
#define IGB_MRQC_RSS 2u               /* MRQE 010b: RSS only, no VMDq */
#define IGB_MRQC_IPV4_TCP (1u << 16)
#define IGB_MRQC_IPV4 (1u << 17)
#define IGB_MRQC_IPV6_TCP (1u << 18)
#define IGB_MRQC_IPV6 (1u << 20)
#define IGB_MRQC_IPV4_UDP (1u << 22)
#define IGB_MRQC_IPV6_UDP (1u << 23)
#define IGB_RETA(i) (0x05c00 + 4 * (i)) /* 32 registers: 128 one-byte entries */
#define IGB_RETA_ENTRIES 128
#define IGB_RSSRK(i) (0x05c80 + 4 * (i)) /* 10 registers: the 40-byte key */
#define IGB_RSS_KEY_LEN 40

/* SDM 5.3.4: advanced receive descriptor. Software writes the read format
 * (buffer addresses); the device overwrites all 16 bytes with the
 * write-back format, DD last. */
union igb_rx_desc {
	struct {
		uint64_t pkt_addr;  /* buffer IOVA */
		uint64_t hdr_addr;  /* header split only; bit 0 is DD in write-back */
	} read;
	struct {
		uint16_t pkt_info;  /* bits 3:0 RSS type, then packet type */
		uint16_t hdr_info;
		uint32_t rss_hash;  /* with RXCSUM.PCSD */
		uint32_t status_error;
		uint16_t length;
		uint16_t vlan;
	} wb;
};
static_assert(sizeof(union igb_rx_desc) == 16, "SDM 5.3.4: 16-byte advanced rx descriptor");
static_assert(offsetof(union igb_rx_desc, wb.rss_hash) == 4, "SDM 5.3.4: RSS hash at byte 4");
static_assert(offsetof(union igb_rx_desc, wb.status_error) == 8,
	      "SDM 5.3.4: extended status at byte 8, over hdr_addr so that DD is its bit 0");
static_assert(offsetof(union igb_rx_desc, wb.length) == 12, "SDM 5.3.4: packet length at byte 12");
#define IGB_RXD_STAT_DD (1u << 0)      /* descriptor done */
#define IGB_RXD_STAT_EOP (1u << 1)     /* end of packet */
#define IGB_RXD_STAT_UDPCS (1u << 4)   /* the L4 checksum checked was UDP's */
#define IGB_RXD_STAT_L4CS (1u << 5)    /* TCP/UDP checksum checked */
#define IGB_RXD_STAT_IPCS (1u << 6)    /* IPv4 header checksum checked */
#define IGB_RXD_ERR_L4E (1u << 29)     /* TCP/UDP checksum bad */
#define IGB_RXD_ERR_IPE (1u << 30)     /* IPv4 header checksum bad */
#define IGB_RXD_ERR_RXE (1u << 31)     /* a receive error: the frame is bad */
#define IGB_RXD_RSS_TYPE_MASK 0xfu     /* pkt_info: 0 means no hash */

/* SDM 5.6.8: advanced transmit data descriptor (DTYP 0011b); the device writes DD back
 * into bit 0 of olinfo_status (the write-back's STA field). */
struct igb_tx_desc {
	uint64_t addr;          /* buffer IOVA */
	uint32_t cmd_type_len;
	uint32_t olinfo_status;
};
static_assert(sizeof(struct igb_tx_desc) == 16, "SDM 5.6.8: 16-byte advanced tx descriptor");
static_assert(offsetof(struct igb_tx_desc, cmd_type_len) == 8, "SDM 5.6.8: DTALEN/DTYP/DCMD at byte 8");
static_assert(offsetof(struct igb_tx_desc, olinfo_status) == 12,
	      "SDM 5.6.8: STA/POPTS/PAYLEN at byte 12");
#define IGB_TXD_DTYP_DATA (3u << 20)   /* advanced data descriptor */
#define IGB_TXD_CMD_EOP (1u << 24)
#define IGB_TXD_CMD_IFCS (1u << 25)    /* insert the CRC */
#define IGB_TXD_CMD_RS (1u << 27)      /* report status (DD) */
#define IGB_TXD_CMD_DEXT (1u << 29)    /* advanced format */
#define IGB_TXD_PAYLEN_SHIFT 14
#define IGB_TXD_STAT_DD (1u << 0)
#define IGB_TXD_CTX_IDX_SHIFT 4         /* olinfo: which of the queue's 2 contexts */
#define IGB_TXD_POPTS_IXSM (1u << 8)    /* insert the IPv4 header checksum */
#define IGB_TXD_POPTS_TXSM (1u << 9)    /* insert the TCP/UDP checksum */

/* SDM 5.6.7: advanced transmit context descriptor (DTYP 0010b): the header
 * lengths and L4 type that checksum insertion uses; the queue keeps it under
 * its index (0 or 1) for the data descriptors that name it. */
struct igb_tx_ctx_desc {
	uint32_t vlan_macip_lens;  /* IPLEN 8:0, MACLEN 15:9, VLAN 31:16 */
	uint32_t seqnum_seed;
	uint32_t type_tucmd_mlhl;  /* TUCMD, DTYP, DEXT */
	uint32_t mss_l4len_idx;    /* IDX bit 4 */
};
static_assert(sizeof(struct igb_tx_ctx_desc) == 16, "SDM 5.6.7: 16-byte context descriptor");
static_assert(offsetof(struct igb_tx_ctx_desc, type_tucmd_mlhl) == 8,
	      "SDM 5.6.7: TUCMD/DTYP/DEXT where a data descriptor has its DCMD");
#define IGB_TXC_MACLEN_SHIFT 9
#define IGB_TXC_DTYP_CTXT (2u << 20)
#define IGB_TXC_TUCMD_IPV4 (1u << 10)
#define IGB_TXC_TUCMD_L4T_TCP (1u << 11) /* 0: UDP */

/* ring lengths are multiples of 128 bytes (8 descriptors) */
#define IGB_RING_ALIGN 128

#endif /* IOP_IGB_REGS_H */
