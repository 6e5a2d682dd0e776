/* store.c - see store.h. */
#include "store.h"

static GHashTable *verdicts_by_frame;   /* error frame -> GPtrArray of mwg_verdict */
static GHashTable *incidents_by_frame;  /* frame -> GArray of error frames */
static GHashTable *explains_by_frame;   /* evidence frame -> GArray of error frames */
static GHashTable *unread_by_frame;     /* frame -> MWG_UNREAD_* */

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
    unread_by_frame = g_hash_table_new(g_direct_hash, g_direct_equal);
}

void mwg_store_cleanup(void)
{
    GHashTable **tables[] = { &verdicts_by_frame, &incidents_by_frame, &explains_by_frame, &unread_by_frame };
    for (size_t i = 0; i < G_N_ELEMENTS(tables); i++) {
        if (*tables[i])
            g_hash_table_destroy(*tables[i]);
        *tables[i] = NULL;
    }
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

void mwg_store_mark_unread(uint32_t frame, unsigned kinds)
{
    if (unread_by_frame && kinds)
        g_hash_table_insert(unread_by_frame, GUINT_TO_POINTER(frame), GUINT_TO_POINTER(kinds));
}

unsigned mwg_store_unread(uint32_t frame)
{
    return unread_by_frame ? GPOINTER_TO_UINT(g_hash_table_lookup(unread_by_frame, GUINT_TO_POINTER(frame))) : 0;
}
