/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire.h - reading numbers the way they are sent: network byte order.
 * For the decoders, which check their bounds before reading. */
#ifndef MWG502_WIRE_H
#define MWG502_WIRE_H

#include <stdint.h>

static inline unsigned mwg_get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static inline uint32_t mwg_get24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t mwg_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
