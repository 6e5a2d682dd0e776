/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http_stream.c - the HTTP messages of a TCP connection, each in the frame
 * where Wireshark dissected it.
 *
 * Wireshark shows a message (http.request, http.response.code) in the frame
 * where its TCP reassembly completed it; the segments before only start it.
 * Which frame that is depends on Wireshark's preferences and on rules of
 * its own, so it is not guessed here: the frame's facts say whether HTTP
 * dissected a message in it (mwg_ws_http) and hand over the PDU TCP
 * reassembled there.  This file reads the bytes of those messages and
 * follows each direction of the connection by sequence number, so that
 *
 *   - a message that starts in one segment and is completed in a later one
 *     is read once, in the later frame, with every segment it spans;
 *   - several messages in one segment are all read (pipelining);
 *   - a copy of a segment already read (a retransmission, the duplicate a
 *     bridge capture holds) is not read twice;
 *   - a message whose end never arrives (the peer reset, the capture
 *     ended) is read from its first bytes when its connection ends, and
 *     placed on the frame of its start line.
 *
 * The answers do not depend on whether Wireshark built a protocol tree,
 * which changes what it lists in a frame's protocols but not the messages
 * it dissects.
 */
#include "engine.h"

#include <string.h>

static bool seq_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

/* Of two gaps before a message, the one that tells more: answers surely
 * missing over perhaps only the rest of one the snap length cut. */
static msg_gap graver_gap(msg_gap a, msg_gap b)
{
    if (a == GAP_WHOLE_MESSAGES || b == GAP_WHOLE_MESSAGES)
        return GAP_WHOLE_MESSAGES;
    return a != GAP_NONE ? a : b;
}

static void pending_clear(http_dir *d)
{
    d->pending = false;
    frame_list_clear(&d->pending_frames);
    g_free(d->pending_head);
    d->pending_head = NULL;
    d->pending_head_len = 0;
}

void http_dir_clear(http_dir *d)
{
    pending_clear(d);
    memset(d, 0, sizeof *d);
}

/* Keeps the first bytes of a message whose end has not come, as long as
 * they follow each other ('p', 'n': from sequence number 'seq' of segment
 * 'f'). */
static void pending_append(http_dir *d, const mwg_facts *f, uint32_t seq, const uint8_t *p, size_t n)
{
    if (!d->pending)
        return;
    /* How far the message got counts even where its bytes are not kept (a
     * gateway gives up on headers longer than it takes), and so do bytes
     * the snap length cut off. */
    uint32_t end = f->tcp_seq + f->payload_len;
    if (seq_before(d->pending_end, end))
        d->pending_end = end;
    d->pending_cut |= f->payload.cut;
    if (seq != d->pending_seq + (uint32_t)d->pending_head_len)
        return;
    size_t room = MWG_MAX_PENDING_HEAD - d->pending_head_len;
    if (n > room)
        n = room;
    if (n == 0)
        return;
    d->pending_head = g_realloc(d->pending_head, d->pending_head_len + n);
    memcpy(d->pending_head + d->pending_head_len, p, n);
    d->pending_head_len += n;
}

static void pending_start(http_dir *d, const mwg_facts *f, uint32_t seq, const uint8_t *p, size_t n, msg_gap after_gap)
{
    pending_clear(d);
    d->pending = true;
    d->pending_after_gap = after_gap;
    d->pending_cut = false;
    d->pending_seq = d->pending_end = seq;
    d->pending_frame = f->frame;
    d->pending_ts = f->ts_ns;
    frame_list_add_segment(&d->pending_frames, f->frame, seq, MWG_MAX_MESSAGE_FRAMES);
    pending_append(d, f, seq, p, n);
}

/* A message read: to the intake, in the frame Wireshark shows it. */
static void emit(mwg_correlator *c, conn *cn, int dir, const http_msg *msg)
{
    /* An answer ends the request it answers, even one whose body never
     * came whole (a gateway may refuse before the upload ends). */
    if (msg->m.is_response && conn_dir_peek(cn, !dir)->pending)
        http_stream_abandon(c, cn, !dir);
    intake_http(c, cn, dir, msg);
}

/* What one frame gave so far. */
typedef struct {
    unsigned read;              /* messages read in it */
    bool gave_body;             /* the body Wireshark decoded went to one */
} frame_reading;

/* Whether the bytes can begin a message in the direction: a server sends
 * only responses (intake_http reads nothing else from it).  Where the snap
 * length hid a response's length, its body goes on in later segments, and
 * a segment of body ("xx") can look like the start of a method. */
static bool may_begin(int dir, const uint8_t *p, size_t n)
{
    return dir ? mwg_http_may_start_status(p, n) : mwg_http_may_start(p, n);
}

/* 'segments': those of a message Wireshark reassembled, else NULL: the
 * message lies in this segment from sequence number 'seq' on.
 * 'cut_short': the snap length cut it, and it is shown as far as it goes. */
static void emit_here(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f, const mwg_http_message *m,
                      const frame_list *segments, uint32_t seq, msg_gap after_gap, bool cut_short, frame_reading *fr)
{
    uint32_t only_frame = f->frame, only_seq = seq;
    frame_list only = { &only_frame, &only_seq, 1, 1 };
    http_msg msg = {
        .frame = f->frame, .ts = f->ts_ns, .m = *m,
        .segments = segments ? segments : &only, .seq = segments && segments->seq ? segments->seq[0] : seq,
        .incomplete = cut_short, .capture_cut = cut_short, .after_gap = after_gap,
        .ack = f->tcp_ack, .ack_known = (f->tcp_flags & MWG_TCP_ACK) != 0,
    };
    if (m->is_response && !fr->gave_body && f->decoded_body.p) {
        msg.decoded_body = f->decoded_body.p;
        msg.decoded_body_len = f->decoded_body.len;
        fr->gave_body = true;
    }
    fr->read++;
    emit(c, cn, dir, &msg);
}

/* Whether Wireshark took the message that starts but does not end in the
 * segment as whole (it does when told not to reassemble, or at the end of
 * the stream): it must be the last one it dissected here. */
static bool taken_although_partial(const mwg_facts *f, const mwg_http_message *m, unsigned read_before)
{
    if (!f->http.took_message || f->http.last_is_response != m->is_response)
        return false;
    if (!m->is_response && m->method.len == 0)
        return false;           /* not even its start line is there */
    /* After a message it took whole, Wireshark names the last one it
     * dissected, and that may be the one before: with its reassembly on
     * (the default) it waits for the rest of this one. */
    if (read_before > 0)
        return false;
    if (m->is_response && f->http.last_status)
        return f->http.last_status == m->status;
    if (!m->is_response && f->http.last_method)
        return m->method.len == strlen(f->http.last_method) &&
               memcmp(m->method.p, f->http.last_method, m->method.len) == 0;
    return true;
}

/* The messages that start at 'p' (segment bytes from sequence number
 * 'seq' on), one after the other; 'after_gap': what the capture lacks
 * before the first. */
static void read_segment(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f, const uint8_t *p, size_t len,
                         bool cut, uint32_t seq, msg_gap after_gap, frame_reading *fr)
{
    http_dir *d = conn_dir(cn, dir);
    size_t off = 0;
    bool boundary = true, ends_cut = false;
    while (off < len) {
        mwg_http_message m;
        mwg_http_state st = mwg_http_read(p + off, len - off, cut, dir ? answered_method(cn) : NULL, &m);
        boundary = false;
        if (st == MWG_HTTP_NOT_A_MESSAGE)
            break;
        bool at_end = m.until_close && (f->tcp_flags & MWG_TCP_FIN);
        bool taken = (st == MWG_HTTP_COMPLETE && f->http.took_message) || at_end ||
                     (st == MWG_HTTP_PARTIAL && taken_although_partial(f, &m, fr->read));
        /* TCP does not reassemble a segment the snap length cut: Wireshark
         * shows the message that starts in it here, as far as it goes,
         * whether or not its HTTP record names the frame (its requests and
         * answers may then go unmatched); either way the message is known
         * only as far as the capture kept it. */
        bool cut_short = st == MWG_HTTP_PARTIAL && cut;
        if (taken || cut_short) {
            emit_here(c, cn, dir, f, &m, NULL, seq + (uint32_t)off, off == 0 ? after_gap : GAP_NONE, cut_short, fr);
            boundary = st == MWG_HTTP_COMPLETE;
            ends_cut = cut_short;
            off = st == MWG_HTTP_COMPLETE ? off + m.length : len;
            continue;
        }
        if (!may_begin(dir, p + off, len - off))
            break;
        /* Wireshark waits for more of it: it is shown where it ends. */
        pending_start(d, f, seq + (uint32_t)off, p + off, len - off, off == 0 ? after_gap : GAP_NONE);
        off = len;
    }
    /* Bytes that begin no message after a gap: what follows them still
     * comes after that gap. */
    d->lost = off > 0 ? GAP_NONE : graver_gap(d->lost, after_gap);
    d->taken_end = seq + (uint32_t)off;
    d->at_boundary = boundary && off == len;
    d->in_cut = ends_cut;
}

/* After the segment was read to where the snap length cut it: the bytes
 * past the cut were sent in it too, so a copy of the segment (a capture on
 * a bridge holds each twice) holds nothing new. */
static void read_past_cut(http_dir *d, const mwg_facts *f)
{
    if (f->payload.cut && d->taken_end == f->tcp_seq + (uint32_t)f->payload.len)
        d->taken_end = f->tcp_seq + f->payload_len;
}

/* What the capture lacks before a message that starts at 'seq', past what
 * was read: after a message read whole, whole messages; after one the snap
 * length cut, perhaps only the rest of it. */
static msg_gap gap_before(const http_dir *d, uint32_t seq)
{
    if (!seq_before(d->taken_end, seq))
        return d->lost;
    return graver_gap(d->lost, d->at_boundary ? GAP_WHOLE_MESSAGES : d->in_cut ? GAP_UNKNOWN : GAP_NONE);
}

/* Whether the segment [seq, end) lies in the bytes last skipped: captured
 * after what followed them, it is no copy of bytes read. */
static bool in_hole(const http_dir *d, uint32_t seq, uint32_t end)
{
    return d->hole_seq != d->hole_end && seq != end && !seq_before(seq, d->hole_seq) &&
           !seq_before(d->hole_end, end);
}

/* A segment captured after those that follow it.  Wireshark shows the
 * message it begins here only when told to reassemble out of order; then
 * it is read as if it had come in its turn.  Otherwise it holds nothing
 * Wireshark shows, and the gap stays: the next message read comes after
 * answers the capture lacks. */
static void read_late(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f, frame_reading *fr)
{
    http_dir *d = conn_dir(cn, dir);
    const mwg_bytes *r = &f->reassembled;
    if (!r->p || !f->http.took_message || f->tcp_seq != d->hole_seq) {
        if (dir == 1 && !f->http.took_message && f->payload.len && mwg_http_may_start_status(f->payload.p, f->payload.len))
            c->frame_notes.dropped |= MWG_DROP_LATE_RESPONSE;
        return;
    }
    uint32_t end_before = d->taken_end;
    bool boundary_before = d->at_boundary, cut_before = d->in_cut;
    d->hole_end = d->hole_seq;
    read_segment(c, cn, dir, f, r->p, r->len, r->cut, f->tcp_seq, d->hole_gap, fr);
    if (seq_before(d->taken_end, end_before)) {
        /* What lies between those messages and the bytes read before is
         * still missing, and nothing tells what it held. */
        d->taken_end = end_before;
        d->at_boundary = boundary_before;
        d->in_cut = cut_before;
        d->lost = GAP_UNKNOWN;
    }
}

/* The messages of the segment, as far as it is not a copy of bytes read. */
static void read_frame(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f, frame_reading *fr)
{
    http_dir *d = conn_dir(cn, dir);
    uint32_t seq = f->tcp_seq, end = seq + f->payload_len;
    const mwg_bytes *r = &f->reassembled;
    if (f->http.took_message)
        cn->http_seen = true;
    if (!d->seq_known) {
        d->seq_known = true;
        d->taken_end = seq;
        /* The client's stream starts after the SYN the server answered: a
         * first message later than that follows messages the capture
         * lacks.  (The server's start is set by its SYN-ACK.) */
        if (dir == 0 && cn->syn_count && cn->synack_frame && seq_before(cn->last_syn_seq + 1, seq)) {
            d->taken_end = cn->last_syn_seq + 1;
            d->at_boundary = true;
        }
    }

    if (d->pending && !seq_before(seq, d->pending_seq)) {
        if (r->p && f->http.took_message && seq - d->pending_seq <= r->len) {
            /* The message completed here: the PDU ends with the first bytes
             * of this segment, the rest may start other messages.  The PDU
             * itself may hold more whole messages after the first (Wireshark
             * hands HTTP all it has up to the next message cut short). */
            size_t in_segment = r->len - (seq - d->pending_seq);
            if (in_segment > f->payload.len)
                in_segment = f->payload.len;
            frame_list_add_segment(&d->pending_frames, f->frame, seq, MWG_MAX_MESSAGE_FRAMES);
            mwg_http_message m;
            uint32_t start = d->pending_seq;
            msg_gap after_gap = d->pending_after_gap;
            bool boundary = false;
            mwg_http_state st = mwg_http_read(r->p, r->len, r->cut, dir ? answered_method(cn) : NULL, &m);
            if (st != MWG_HTTP_NOT_A_MESSAGE) {
                frame_list segments = d->pending_frames;
                d->pending_frames = (frame_list){ 0 };
                pending_clear(d);
                emit_here(c, cn, dir, f, &m, &segments, 0, after_gap, false, fr);
                frame_list_clear(&segments);
                boundary = true;
                if (st == MWG_HTTP_COMPLETE && m.length < r->len) {
                    read_segment(c, cn, dir, f, r->p + m.length, r->len - m.length, r->cut,
                                 start + (uint32_t)m.length, GAP_NONE, fr);
                    boundary = d->at_boundary;
                }
            } else {
                pending_clear(d);
            }
            d->taken_end = seq + (uint32_t)in_segment;
            d->at_boundary = boundary;
            d->in_cut = false;
            if (f->payload.len > in_segment) {
                read_segment(c, cn, dir, f, f->payload.p + in_segment, f->payload.len - in_segment, f->payload.cut,
                             seq + (uint32_t)in_segment, GAP_NONE, fr);
                read_past_cut(d, f);
            }
            return;
        }
        /* Where the snap length cut the message, Wireshark cannot find its
         * end, nor do we: a segment that follows on and starts like a
         * message is taken for the next one. */
        bool next_begins = d->pending_cut && seq == d->pending_end && f->payload.len > 0 &&
                           may_begin(dir, f->payload.p, f->payload.len);
        if (!f->http.took_message && !next_begins) {
            /* More of the message Wireshark waits for. */
            frame_list_add_segment(&d->pending_frames, f->frame, seq, MWG_MAX_MESSAGE_FRAMES);
            pending_append(d, f, seq, f->payload.p, f->payload.len);
            return;
        }
        /* Wireshark dissected a message of this segment itself, or the next
         * one begins: the one waiting was never completed. */
        http_stream_abandon(c, cn, dir);
    }

    if (in_hole(d, seq, end)) {
        read_late(c, cn, dir, f, fr);
        return;
    }
    /* A copy of bytes already read. */
    if (f->payload_len > 0 && !seq_before(d->taken_end, end))
        return;
    if (f->payload_len > 0 && seq_before(d->taken_end, seq)) {
        d->hole_seq = d->taken_end;
        d->hole_end = seq;
        d->hole_gap = d->lost;
    }
    if (r->p && f->http.took_message) {
        /* Completed here, but its start was not seen as one (the capture
         * began inside it): the message is there; where it ended in this
         * segment is not known, so nothing after it is read. */
        mwg_http_message m;
        uint32_t start = end - (uint32_t)r->len;
        msg_gap gap = gap_before(d, start);
        bool message = mwg_http_read(r->p, r->len, r->cut, dir ? answered_method(cn) : NULL, &m) !=
                       MWG_HTTP_NOT_A_MESSAGE;
        if (message)
            emit_here(c, cn, dir, f, &m, NULL, start, gap, false, fr);
        d->lost = message ? GAP_NONE : gap;
        d->taken_end = end;
        d->at_boundary = d->in_cut = false;
        return;
    }
    if (f->payload.len > 0) {
        bool in_cut = d->in_cut;
        read_segment(c, cn, dir, f, f->payload.p, f->payload.len, f->payload.cut, seq, gap_before(d, seq), fr);
        /* No message begins here: more of the one the snap length cut, or
         * of one the capture lacks the start of; its end is unknown still. */
        if (in_cut && d->taken_end == seq) {
            d->taken_end = end;
            d->in_cut = true;
        }
        read_past_cut(d, f);
    }
}

void http_stream_segment(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f)
{
    frame_reading fr = { 0 };
    const http_dir *seen = conn_dir_peek(cn, dir);
    uint32_t end = f->tcp_seq + f->payload_len;
    bool copy = seen->seq_known && f->payload_len > 0 && !seq_before(seen->taken_end, end) &&
                !in_hole(seen, f->tcp_seq, end);
    read_frame(c, cn, dir, f, &fr);
    /* Wireshark dissected a message here that was not read: say so. */
    if (f->http.took_message && fr.read == 0 && !copy)
        remember_unread(c, f->frame, MWG_UNREAD_HTTP);
}

void http_stream_abandon(mwg_correlator *c, conn *cn, int dir)
{
    if (!conn_dir_peek(cn, dir)->pending)
        return;
    http_dir *d = conn_dir(cn, dir);
    /* Only on a connection Wireshark takes for HTTP: bytes that merely look
     * like a message on another protocol's connection are not one. */
    const char *method = dir ? answered_method(cn) : NULL;
    mwg_http_message m;
    /* Whole in the bytes kept (Wireshark took them for more of the message
     * before, whose end a cut segment hid): it did arrive whole. */
    bool whole = !d->pending_cut && mwg_http_read(d->pending_head, d->pending_head_len, false, method, &m) ==
                                        MWG_HTTP_COMPLETE;
    if (cn->http_seen &&
        (whole || mwg_http_read(d->pending_head, d->pending_head_len, true, method, &m) != MWG_HTTP_NOT_A_MESSAGE)) {
        frame_list segments = d->pending_frames;
        d->pending_frames = (frame_list){ 0 };
        uint8_t *head = d->pending_head;
        d->pending_head = NULL;
        http_msg msg = {
            .frame = d->pending_frame, .ts = d->pending_ts, .m = m,
            .segments = &segments, .seq = d->pending_seq, .incomplete = !whole, .capture_cut = d->pending_cut,
            .undissected = whole, .after_gap = d->pending_after_gap,
        };
        /* Headers that never ended went on past the bytes kept. */
        if (!m.body)
            msg.m.header_len = MAX(m.header_len, (size_t)(d->pending_end - d->pending_seq));
        pending_clear(d);
        emit(c, cn, dir, &msg);
        frame_list_clear(&segments);
        g_free(head);
    } else {
        pending_clear(d);
    }
    watch_update(c, cn);
}
