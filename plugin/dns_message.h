/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns_message.h - the facts of one DNS message.
 *
 * Read from the message's bytes (see headers.h for why not from Wireshark's
 * fields); Wireshark still decides which packets are DNS.
 */
#ifndef MWG502_DNS_MESSAGE_H
#define MWG502_DNS_MESSAGE_H

#include "facts.h"

/* Sets the dns_* facts from a DNS message (UDP payload, or a TCP one after
 * its two length bytes): id, query or response, rcode, the first question's
 * name and type, and the IPv4/IPv6 addresses among the answer records (not
 * the authority or additional ones: glue does not mean the name resolved).
 * When the answers run past the bytes (a snap length, a malformed message)
 * it says so in dns_answers_cut: the addresses read are then not all.
 * Returns false, setting nothing, when the message has no readable
 * question. */
bool mwg_decode_dns(const uint8_t *msg, size_t len, mwg_facts *f);

#endif
