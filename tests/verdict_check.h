/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict_check.h - what every verdict must satisfy, whatever the input.
 *
 * One definition for the unit tests (which assert it on every verdict they
 * get) and the fuzz harness (which aborts on the first that breaks it), so
 * that the two cannot drift apart.
 */
#ifndef MWG502_TESTS_VERDICT_CHECK_H
#define MWG502_TESTS_VERDICT_CHECK_H

#include <glib.h>

#include "constants.h"
#include "verdict.h"

/* NULL when 'v' is sound, else what is wrong (g_free it).  'last_frame' is
 * the last frame fed; 'at_finish': it came from mwg_correlator_finish(),
 * not from feeding 'last_frame'. */
static inline char *mwg_verdict_violation(const mwg_verdict *v, uint32_t last_frame, bool at_finish)
{
    if ((unsigned)v->cause >= MWG_CAUSE_COUNT || (unsigned)v->category >= MWG_CAT_COUNT)
        return g_strdup_printf("cause %d / category %d out of range", (int)v->cause, (int)v->category);
    char *words = mwg_verdict_summary(v);
    bool worded = words && *words;
    g_free(words);
    if (!worded)
        return g_strdup("no summary");
    if (v->error_frame == 0 || v->error_frame > last_frame)
        return g_strdup_printf("error frame %u, last fed %u", v->error_frame, last_frame);
    /* Only a response cut off by a close or by the end of the capture, one
     * Wireshark took for more of the message before, and a failed tunnel
     * shown on the 200 that opened it, are placed on an earlier frame than
     * the one that decided them. */
    bool placed_back = v->incomplete || v->undissected || v->in_tunnel;
    if (at_finish ? !placed_back : !placed_back && v->error_frame != last_frame)
        return g_strdup_printf("error frame %u (incomplete %d) decided at frame %u%s", v->error_frame,
                               v->incomplete, last_frame, at_finish ? " by finish" : "");
    if (v->in_tunnel && (v->category != MWG_CAT_HOST_NOT_RESOLVABLE && v->category != MWG_CAT_CANNOT_CONNECT))
        return g_strdup_printf("tunnel verdict %s: not a failure that keeps a tunnel from working",
                               mwg_cause_token(v->cause));
    /* A verdict only looks back from the error (a tunnel's, from where it
     * was decided). */
    uint32_t bound = v->in_tunnel ? last_frame + 1 : v->error_frame;
    if (v->request_frame >= v->error_frame && v->request_frame)
        return g_strdup_printf("request frame %u, error frame %u", v->request_frame, v->error_frame);
    if (v->attempt_frame >= bound && v->attempt_frame)
        return g_strdup_printf("attempt frame %u, error frame %u", v->attempt_frame, v->error_frame);
    if (v->evidence_frame >= bound && v->evidence_frame)
        return g_strdup_printf("%s: evidence frame %u, error frame %u", mwg_cause_token(v->cause),
                               v->evidence_frame, v->error_frame);
    mwg_category want = mwg_cause_category(v->cause);
    if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE)
        want = v->block_page_recognised ? v->block_page : MWG_CAT_UNKNOWN;
    if (v->category != want)
        return g_strdup_printf("cause %s with category %s", mwg_cause_token(v->cause),
                               mwg_category_token(v->category));
    if (v->n_frames == 0 || v->n_frames > MWG_MAX_INCIDENT_FRAMES)
        return g_strdup_printf("%u incident frames", v->n_frames);
    bool has_error_frame = false;
    for (unsigned i = 0; i < v->n_frames; i++) {
        if (i > 0 && v->frames[i] <= v->frames[i - 1])
            return g_strdup_printf("incident frames not ascending at %u: %u after %u", i, v->frames[i],
                                   v->frames[i - 1]);
        has_error_frame |= v->frames[i] == v->error_frame;
    }
    if (!has_error_frame)
        return g_strdup_printf("error frame %u not among the incident frames", v->error_frame);
    if ((v->loss & MWG_LOSS_UNMATCHED) && v->request_frame)
        return g_strdup_printf("request frame %u although the request was not tracked", v->request_frame);
    if (!(v->loss & MWG_LOSS_UNREAD) != !v->unread_frames)
        return g_strdup_printf("%u unread frames with loss 0x%x", v->unread_frames, v->loss);
    return NULL;
}

#endif
