/* wire.h - reading numbers the way they are sent: network byte order.
 * For the decoders, which check their bounds before reading. */
#ifndef MWG502_WIRE_H
#define MWG502_WIRE_H

#include <stdint.h>

static inline unsigned mwg_get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

#endif
