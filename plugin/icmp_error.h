/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp_error.h - an ICMP or ICMPv6 destination-unreachable error: what the
 * decoder reads, the engine keeps and the verdict reports, one record. */
#ifndef MWG502_ICMP_ERROR_H
#define MWG502_ICMP_ERROR_H

#include "addr.h"

typedef struct {
    uint8_t version;            /* 4 or 6; 0: none */
    uint8_t type, code;
    mwg_addr reporter;          /* who sent it */
} mwg_icmp_error;

#endif
