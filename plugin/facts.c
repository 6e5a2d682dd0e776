/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts.c - see facts.h. */
#include "facts.h"

#include <stddef.h>
#include <string.h>

void mwg_facts_reset(mwg_facts *f, uint32_t frame, int64_t ts_ns)
{
    memset(f, 0, offsetof(mwg_facts, dns_qname));
    f->dns_qname[0] = '\0';
    f->frame = frame;
    f->ts_ns = ts_ns;
}
