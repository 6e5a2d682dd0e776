/* SPDX-License-Identifier: GPL-2.0-or-later */
/* headers.h - finding, in a frame's bytes, the packet Wireshark dissected.
 *
 * Wireshark tells mwg502 which flow a frame carries (the addresses and
 * ports its innermost IP and TCP/UDP layers set, in packet_info) without a
 * protocol tree, but not the TCP flags, sequence numbers or the payload.
 * These decoders find that flow's headers in the frame and read the rest.
 * They look first where the link layer says the IP packet starts; when that
 * packet is not the one Wireshark saw (a tunnel: GRE, VXLAN, IP in IP, or
 * anything else Wireshark decodes; a link layer not listed here) they
 * search the frame for the IP header that carries Wireshark's flow.  What
 * they cannot find they report, so that the plugin never reads a frame
 * differently from Wireshark without saying so.
 *
 * Plain C on a byte buffer: unit-tested and fuzzed without Wireshark.
 */
#ifndef MWG502_HEADERS_H
#define MWG502_HEADERS_H

#include "facts.h"

/* Where the IP packet starts, by link type. */
typedef enum {
    MWG_LINK_UNKNOWN,           /* found by searching */
    MWG_LINK_ETHERNET,          /* with 802.1Q/802.1ad tags, PPPoE, MPLS */
    MWG_LINK_LINUX_SLL,         /* Linux cooked capture v1 */
    MWG_LINK_LINUX_SLL2,        /* Linux cooked capture v2 */
    MWG_LINK_RAW_IP,            /* no link layer: IPv4 or IPv6 */
    MWG_LINK_NULL,              /* BSD loopback, family in the capturer's byte order */
    MWG_LINK_LOOP,              /* OpenBSD loopback, family in network order */
    MWG_LINK_PPP                /* PPP, with or without the HDLC address/control */
} mwg_link;

/* What Wireshark's innermost layers saw: the packet to find.  For an ICMP
 * error only the error's own addresses are sure (Wireshark leaves them in
 * packet_info; the ports there differ by version: the quoted ones, none, or
 * those of a tunnel around it), and one frame holds one error. */
typedef struct {
    mwg_flow flow;
    bool tcp;                   /* TCP, else UDP */
    bool icmp_error;            /* an ICMP/ICMPv6 error sent from flow.src.addr to flow.dst.addr */
} mwg_wanted;

typedef enum {
    MWG_FOUND,
    MWG_FOUND_FRAGMENT,         /* the IP packet is a fragment: see mwg_decode_datagram */
    /* ... the first fragment of a UDP datagram: its header and the start of
     * its payload are read (the payload cut where the fragment ends), for
     * where Wireshark could not reassemble the datagram */
    MWG_FOUND_FIRST_FRAGMENT,
    MWG_NOT_FOUND
} mwg_found;

/* Finds the wanted packet in 'frame' (the captured bytes) and fills the
 * transport facts: for TCP the flags, sequence numbers and payload; for UDP
 * the payload (bounded by the IP and UDP lengths, so link-layer padding is
 * not taken for data); for an ICMP error its type, code, sender and the
 * quoted flow.  The flow itself is Wireshark's. */
mwg_found mwg_decode_headers(mwg_link link, const uint8_t *frame, size_t len, const mwg_wanted *want,
                             mwg_facts *f);

/* After MWG_FOUND_FRAGMENT: the transport header and payload from the
 * datagram Wireshark reassembled from the fragments (its IP payload). */
bool mwg_decode_datagram(const uint8_t *datagram, size_t len, const mwg_wanted *want, mwg_facts *f);

#endif
