/* SPDX-License-Identifier: GPL-2.0-or-later */
/* byte_array.h - building wire bytes in a GByteArray, big-endian, for the
 * unit tests that make TLS records and certificates by hand. */
#ifndef MWG502_TESTS_BYTE_ARRAY_H
#define MWG502_TESTS_BYTE_ARRAY_H

#include <glib.h>

static inline void put8(GByteArray *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    g_byte_array_append(b, &c, 1);
}

static inline void put16(GByteArray *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v);
}

static inline void put24(GByteArray *b, unsigned v)
{
    put8(b, v >> 16);
    put16(b, v);
}

static inline void put_bytes(GByteArray *b, const void *p, size_t n)
{
    g_byte_array_append(b, p, (guint)n);
}

#endif
