/* store.c - see store.h. */
#include "store.h"

static GHashTable *verdicts_by_frame;   /* error frame -> GPtrArray of mwg_verdict */
static GHashTable *incidents_by_frame;  /* frame -> GArray of error frames */
static GHashTable *explains_by_frame;   /* evidence frame -> GArray of error frames */
/* Notes of the frames that have any, in frame order: 8 bytes a frame. */
typedef struct {
    uint32_t frame;
    uint16_t unread, dropped;
} frame_note;
static GArray *notes;

static void free_verdicts(gpointer p)
{
    g_ptr_array_free(p, TRUE);
}

static void free_frame_list(gpointer p)
{
    g_array_free(p, TRUE);
}

void mwg_store_init(void)
{
    verdicts_by_frame = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_verdicts);
    incidents_by_frame = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_frame_list);
    explains_by_frame = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_frame_list);
    notes = g_array_new(FALSE, FALSE, (guint)sizeof(frame_note));
}

void mwg_store_cleanup(void)
{
    GHashTable **tables[] = { &verdicts_by_frame, &incidents_by_frame, &explains_by_frame };
    for (size_t i = 0; i < G_N_ELEMENTS(tables); i++) {
        if (*tables[i])
            g_hash_table_destroy(*tables[i]);
        *tables[i] = NULL;
    }
    if (notes)
        g_array_free(notes, TRUE);
    notes = NULL;
}

/* Verdicts are stored one after the other and list each frame once, so a
 * repeat can only be the last entry (several errors in one frame). */
static void link_frame(GHashTable *table, uint32_t frame, uint32_t error_frame)
{
    GArray *a = g_hash_table_lookup(table, GUINT_TO_POINTER(frame));
    if (!a) {
        a = g_array_new(FALSE, FALSE, (guint)sizeof(uint32_t));
        g_hash_table_insert(table, GUINT_TO_POINTER(frame), a);
    }
    if (a->len && g_array_index(a, uint32_t, a->len - 1) == error_frame)
        return;
    g_array_append_val(a, error_frame);
}

void mwg_store_add(mwg_verdict *v)
{
    GPtrArray *here = g_hash_table_lookup(verdicts_by_frame, GUINT_TO_POINTER(v->error_frame));
    if (!here) {
        here = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
        g_hash_table_insert(verdicts_by_frame, GUINT_TO_POINTER(v->error_frame), here);
    }
    g_ptr_array_add(here, v);
    for (unsigned k = 0; k < v->n_frames; k++)
        link_frame(incidents_by_frame, v->frames[k], v->error_frame);
    if (v->evidence_frame)
        link_frame(explains_by_frame, v->evidence_frame, v->error_frame);
}

const GPtrArray *mwg_store_verdicts(uint32_t frame)
{
    return verdicts_by_frame ? g_hash_table_lookup(verdicts_by_frame, GUINT_TO_POINTER(frame)) : NULL;
}

const GArray *mwg_store_incidents(uint32_t frame)
{
    return incidents_by_frame ? g_hash_table_lookup(incidents_by_frame, GUINT_TO_POINTER(frame)) : NULL;
}

const GArray *mwg_store_explains(uint32_t frame)
{
    return explains_by_frame ? g_hash_table_lookup(explains_by_frame, GUINT_TO_POINTER(frame)) : NULL;
}

void mwg_store_note(uint32_t frame, mwg_frame_notes n)
{
    if (!notes || (!n.unread && !n.dropped))
        return;
    frame_note fn = { frame, (uint16_t)n.unread, (uint16_t)n.dropped };
    g_array_append_val(notes, fn);
}

mwg_frame_notes mwg_store_notes(uint32_t frame)
{
    mwg_frame_notes none = { 0, 0 };
    guint lo = 0, hi = notes ? notes->len : 0;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const frame_note *fn = &g_array_index(notes, frame_note, mid);
        if (fn->frame == frame)
            return (mwg_frame_notes){ fn->unread, fn->dropped };
        if (fn->frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return none;
}
