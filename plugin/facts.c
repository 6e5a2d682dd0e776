/* facts.c - see facts.h. */
#include "facts.h"

#include <stddef.h>
#include <string.h>

void mwg_facts_reset(mwg_facts *f, uint32_t frame, int64_t ts_ns)
{
    memset(f, 0, offsetof(mwg_facts, requests));
    f->text_used = 0;
    f->frame = frame;
    f->ts_ns = ts_ns;
}

const char *mwg_facts_keep(mwg_facts *f, const uint8_t *s, size_t n)
{
    if (f->text_used >= sizeof f->text)
        return NULL;
    size_t room = sizeof f->text - f->text_used - 1;
    if (n > room)
        n = room;
    char *out = f->text + f->text_used;
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
    f->text_used += n + 1;
    return out;
}
