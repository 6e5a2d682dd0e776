/* headers.h - the link, network and transport headers of one frame.
 *
 * mwg502 reads the few header fields it needs from the frame's bytes itself
 * instead of asking Wireshark for fields: a post-dissector that wants any
 * field makes Wireshark build a protocol tree for every frame, which costs
 * more than everything else the plugin does.  Plain C on a byte buffer, so
 * that it is unit-tested and fuzzed without Wireshark.
 */
#ifndef MWG502_HEADERS_H
#define MWG502_HEADERS_H

#include "facts.h"

/* The link layers a gateway capture comes in (tcpdump on an interface or
 * on "any", a loopback, a tunnel). */
typedef enum {
    MWG_LINK_UNKNOWN,
    MWG_LINK_ETHERNET,          /* with 802.1Q/802.1ad tags, PPPoE, MPLS */
    MWG_LINK_LINUX_SLL,         /* Linux cooked capture v1 */
    MWG_LINK_LINUX_SLL2,        /* Linux cooked capture v2 */
    MWG_LINK_RAW_IP,            /* no link layer: IPv4 or IPv6 */
    MWG_LINK_NULL,              /* BSD loopback, family in the capturer's byte order */
    MWG_LINK_LOOP,              /* OpenBSD loopback, family in network order */
    MWG_LINK_PPP                /* PPP, with or without the HDLC address/control */
} mwg_link;

/* Decodes the outermost IPv4/IPv6 packet of 'frame' (the captured bytes).
 *
 * TCP or UDP: sets is_tcp/is_udp, the flow, for TCP the flags, payload
 * length and payload head, and points *payload at the captured part of the
 * transport payload (bounded by the IP length, so link-layer padding is not
 * taken for data).  An ICMP destination-unreachable or ICMPv6 type 1 error:
 * sets the icmp_* facts and the flow it quotes; *payload stays empty.
 * Returns false when the frame holds none of these (ARP, a fragment of a
 * larger IP datagram, an unknown link layer, a header cut short). */
bool mwg_decode_headers(mwg_link link, const uint8_t *frame, size_t len, mwg_facts *f, mwg_bytes *payload);

/* The same for a frame that holds the last fragment of an IP datagram
 * Wireshark put together: the addresses from the frame's IP header, the
 * transport header and payload from 'datagram' (the reassembled IP payload).
 * False when the frame's IP packet is not a fragment. */
bool mwg_decode_reassembled(mwg_link link, const uint8_t *frame, size_t len, const uint8_t *datagram,
                            size_t datagram_len, mwg_facts *f, mwg_bytes *payload);

#endif
