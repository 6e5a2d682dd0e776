/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http_message.c - see http_message.h. */
#include "http_message.h"

#include <glib.h>
#include <string.h>

#include "marks.h"

#define MAX_METHOD 32
/* Wireshark's reassembly gives up on chunks larger than this. */
#define MAX_CHUNK_SIZE ((size_t)1 << 31)

/* The line at *off without its CR LF (or bare LF); moves *off past it.
 * False when no line end is in reach. */
static bool next_line(const uint8_t *d, size_t len, size_t *off, mwg_span *line)
{
    size_t reach = len - *off < MWG_MAX_HTTP_LINE ? len - *off : MWG_MAX_HTTP_LINE;
    const uint8_t *lf = memchr(d + *off, '\n', reach);
    if (!lf)
        return false;
    size_t n = (size_t)(lf - (d + *off));
    line->p = d + *off;
    line->len = n > 0 && line->p[n - 1] == '\r' ? n - 1 : n;
    *off += n + 1;
    return true;
}

static bool is_token_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool is_version(const uint8_t *p, size_t n)
{
    return n == 8 && memcmp(p, "HTTP/", 5) == 0 && g_ascii_isdigit(p[5]) && p[6] == '.' && g_ascii_isdigit(p[7]);
}

/* The first n bytes of "HTTP/d.d", all a snap length may have left. */
static bool is_version_start(const uint8_t *p, size_t n)
{
    static const char form[] = "HTTP/9.9";
    if (n > 8)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (form[i] == '9' ? !g_ascii_isdigit(p[i]) : p[i] != (uint8_t)form[i])
            return false;
    }
    return true;
}

bool mwg_http_may_start(const uint8_t *d, size_t len)
{
    if (len >= 5 && memcmp(d, "HTTP/", 5) == 0)
        return true;
    size_t m = 0;
    while (m < len && m <= MAX_METHOD && is_token_char(d[m]))
        m++;
    return m > 0 && m <= MAX_METHOD && (m == len || d[m] == ' ');
}

bool mwg_http_may_start_status(const uint8_t *d, size_t len)
{
    static const char shape[] = "HTTP/9.9 999";
    for (size_t i = 0; i < len && i < sizeof shape - 1; i++) {
        bool ok = shape[i] == '9' ? g_ascii_isdigit(d[i]) : d[i] == (uint8_t)shape[i];
        if (!ok)
            return false;
    }
    return true;
}

/* "HTTP/1.1 502 Bad Gateway" -> 502 */
static bool parse_status_line(mwg_span l, unsigned *status)
{
    if (l.len < 12 || !is_version(l.p, 8) || l.p[8] != ' ')
        return false;
    unsigned s = 0;
    for (int i = 9; i < 12; i++) {
        if (!g_ascii_isdigit(l.p[i]))
            return false;
        s = s * 10 + (unsigned)(l.p[i] - '0');
    }
    if (l.len > 12 && l.p[12] != ' ')
        return false;
    *status = s;
    return true;
}

/* "GET http://example.com/ HTTP/1.1" -> method, target.  A line the
 * capture cut short may end inside the target or inside the version. */
static bool parse_request_line(mwg_span l, bool cut, mwg_http_message *m)
{
    size_t n = 0;
    while (n < l.len && n <= MAX_METHOD && is_token_char(l.p[n]))
        n++;
    if (n == 0 || n > MAX_METHOD || n >= l.len || l.p[n] != ' ')
        return false;
    const uint8_t *target = l.p + n + 1;
    const uint8_t *sp = memchr(target, ' ', l.len - (n + 1));
    size_t target_len = sp ? (size_t)(sp - target) : l.len - (n + 1);
    if (target_len == 0)
        return false;
    m->method = (mwg_span){ l.p, n };
    m->target = (mwg_span){ target, target_len };
    if (cut && !sp) {
        m->target_cut = true;
        return true;
    }
    size_t after = n + 1 + target_len;
    if (cut && l.len < after + 9)
        return is_version_start(l.p + after + 1, l.len - (after + 1));
    return l.len == after + 9 && l.p[after] == ' ' && is_version(l.p + after + 1, 8);
}

/* Whether the bytes can be the beginning of a start line whose end has not
 * arrived yet (a message sent a few bytes per segment). */
static bool start_line_prefix(mwg_span l)
{
    if (mwg_http_may_start_status(l.p, l.len))
        return true;
    size_t n = 0;
    while (n < l.len && n <= MAX_METHOD && is_token_char(l.p[n]))
        n++;
    if (n == 0 || n > MAX_METHOD)
        return false;
    if (n == l.len)
        return true;
    if (l.p[n] != ' ')
        return false;
    /* The target and maybe the start of the version; no control bytes but
     * the CR of a line whose LF is still to come. */
    for (size_t i = n + 1; i < l.len; i++)
        if (l.p[i] < 0x21 && l.p[i] != ' ' && !(l.p[i] == '\r' && i == l.len - 1))
            return false;
    return true;
}

static mwg_span trim(mwg_span s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* The headers read; any other is only checked. */
typedef enum { HEADER_OTHER, HEADER_HOST, HEADER_SERVER, HEADER_VIA, HEADER_LENGTH, HEADER_CODING } header_kind;

/* Which header a name (the bytes before a line's first colon) is, whatever
 * its case: told by its length first, so a line is compared with one name
 * at most. */
static header_kind header_kind_of(const uint8_t *name, size_t n)
{
    static const struct {
        const char *name;       /* lower case */
        header_kind kind;
    } by_len[] = {
        [3] = { "via", HEADER_VIA }, [4] = { "host", HEADER_HOST }, [6] = { "server", HEADER_SERVER },
        [14] = { "content-length", HEADER_LENGTH }, [17] = { "transfer-encoding", HEADER_CODING },
    };
    if (n >= G_N_ELEMENTS(by_len) || !by_len[n].name)
        return HEADER_OTHER;
    for (size_t i = 0; i < n; i++)
        if (mwg_ascii_lower(name[i]) != (uint8_t)by_len[n].name[i])
            return HEADER_OTHER;
    return by_len[n].kind;
}

static bool parse_length(mwg_span v, size_t *out)
{
    size_t n = 0;
    if (v.len == 0 || v.len > 15)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        if (!g_ascii_isdigit(v.p[i]))
            return false;
        n = n * 10 + (size_t)(v.p[i] - '0');
    }
    *out = n;
    return true;
}

static void mark_malformed(const uint8_t *d, const uint8_t *at, mwg_http_message *m)
{
    m->malformed = true;
    m->malformed_at = (size_t)(at - d);
}

/* What a gateway refuses in a header line, of header 'kind' with value 'v'
 * if it has a colon ('has_colon'); 'has_length' and 'length': a
 * Content-Length seen before. */
static void check_header_line(const uint8_t *d, mwg_span line, bool has_colon, header_kind kind, mwg_span v,
                              bool has_length, size_t length, mwg_http_message *m)
{
    const uint8_t *nul = memchr(line.p, '\0', line.len);
    if (nul) {
        mark_malformed(d, nul, m);
        return;
    }
    /* A line that starts with white space continues the one before
     * (obsolete folding, still read by proxies). */
    if (line.p[0] != ' ' && line.p[0] != '\t' && !has_colon) {
        mark_malformed(d, line.p, m);
        return;
    }
    size_t n;
    if (kind == HEADER_LENGTH && (!parse_length(v, &n) || (has_length && n != length)))
        mark_malformed(d, v.p, m);
}

/* Where a chunked body that starts at 'off' ends (after the last chunk and
 * its trailer), or 0 when it does not end within 'len'.  A chunk size that
 * cannot be read, or an absurd one, ends the message where it stands, as
 * Wireshark's reassembly does. */
static size_t chunked_end(const uint8_t *d, size_t len, size_t off)
{
    for (;;) {
        mwg_span line;
        size_t line_at = off;
        if (!next_line(d, len, &off, &line))
            return 0;
        size_t i = 0, size = 0, digits = 0;
        while (i < line.len && (line.p[i] == ' ' || line.p[i] == '\t'))
            i++;
        while (i < line.len && line.p[i] == '0')
            i++, digits++;
        for (; i < line.len && g_ascii_isxdigit(line.p[i]) && size <= MAX_CHUNK_SIZE; i++, digits++)
            size = size * 16 + (size_t)g_ascii_xdigit_value(line.p[i]);
        if (digits == 0 || size > MAX_CHUNK_SIZE)
            return line_at > 0 ? len : 0;
        if (size == 0) {
            while (next_line(d, len, &off, &line))
                if (line.len == 0)
                    return off;
            return 0;
        }
        if (size > len - off || len - off - size < 2)
            return 0;
        off += size;
        if (!next_line(d, len, &off, &line))
            return 0;
    }
}

/* Responses that never have a body (RFC 9112 6.3). */
static bool response_has_no_body(unsigned status, const char *answered_method)
{
    if (status / 100 == 1 || status == 204 || status == 304)
        return true;
    if (answered_method && g_ascii_strcasecmp(answered_method, "HEAD") == 0)
        return true;
    return status / 100 == 2 && answered_method && g_ascii_strcasecmp(answered_method, "CONNECT") == 0;
}

mwg_http_state mwg_http_read(const uint8_t *d, size_t len, bool cut, const char *answered_method,
                             mwg_http_message *m)
{
    memset(m, 0, sizeof *m);
    size_t off = 0;
    mwg_span line;
    bool whole = next_line(d, len, &off, &line);
    if (!whole) {
        line = (mwg_span){ d, len < MWG_MAX_HTTP_LINE ? len : MWG_MAX_HTTP_LINE };
        off = len;
        /* The rest of the line is still to come. */
        if (!cut)
            return len < MWG_MAX_HTTP_LINE && start_line_prefix(line) ? MWG_HTTP_PARTIAL : MWG_HTTP_NOT_A_MESSAGE;
    }
    m->is_response = parse_status_line(line, &m->status);
    if (!m->is_response && !parse_request_line(line, cut && !whole, m))
        return MWG_HTTP_NOT_A_MESSAGE;
    if (!whole)
        return MWG_HTTP_PARTIAL;

    bool has_length = false, ended = false;
    size_t content_length = 0;
    while (next_line(d, len, &off, &line)) {
        if (line.len == 0) {
            ended = true;
            break;
        }
        const uint8_t *colon = memchr(line.p, ':', line.len);
        header_kind kind = colon ? header_kind_of(line.p, (size_t)(colon - line.p)) : HEADER_OTHER;
        mwg_span v = { NULL, 0 };
        if (kind != HEADER_OTHER)
            v = trim((mwg_span){ colon + 1, line.len - (size_t)(colon + 1 - line.p) });
        if (!m->malformed)
            check_header_line(d, line, colon != NULL, kind, v, has_length, content_length, m);
        switch (kind) {
        case HEADER_HOST:
            if (!m->is_response && !m->has_host) {
                m->host = v;
                m->has_host = true;
            }
            break;
        case HEADER_SERVER:
            if (m->is_response && !m->has_server) {
                m->server = v;
                m->has_server = true;
            }
            break;
        case HEADER_VIA:
            if (!m->has_via) {
                m->via = v;
                m->has_via = true;
            }
            break;
        case HEADER_LENGTH:
            has_length = parse_length(v, &content_length) || has_length;
            break;
        case HEADER_CODING:
            /* Wireshark takes a body for chunked when the coding starts
             * with "chunked" (then Content-Length does not count); another
             * coding leaves the length to Content-Length or the close. */
            m->chunked = v.len >= 7 && g_ascii_strncasecmp((const char *)v.p, "chunked", 7) == 0;
            break;
        case HEADER_OTHER:
            break;
        }
    }
    if (!ended) {
        m->header_len = len;
        return MWG_HTTP_PARTIAL;
    }

    m->header_len = off;
    m->body = d + off;
    m->body_len = len - off;
    if (m->is_response && response_has_no_body(m->status, answered_method)) {
        m->body_len = 0;
        m->length = off;
        return MWG_HTTP_COMPLETE;
    }
    if (m->chunked) {
        size_t end = chunked_end(d, len, off);
        if (!end)
            return MWG_HTTP_PARTIAL;
        m->body_len = end - off;
        m->length = end;
        return MWG_HTTP_COMPLETE;
    }
    if (has_length) {
        if (content_length > len - off)
            return MWG_HTTP_PARTIAL;
        m->body_len = content_length;
        m->length = off + content_length;
        return MWG_HTTP_COMPLETE;
    }
    if (m->is_response) {
        m->until_close = true;
        return MWG_HTTP_PARTIAL;
    }
    m->body_len = 0;
    m->length = off;
    return MWG_HTTP_COMPLETE;
}

/* Every DNS message and request names a host: a byte is looked up once
 * for both questions, whether a name may hold it and its lower case.
 * 0: it may not (controls, space, slashes, DEL and beyond). */
static const uint8_t *host_bytes(void)
{
    static uint8_t table[256];
    static bool ready;          /* dissection is single-threaded */
    if (!ready) {
        for (unsigned ch = 0; ch < 256; ch++)
            table[ch] = ch <= ' ' || ch == '/' || ch == '\\' || ch >= 0x7f ? 0 : mwg_ascii_lower((uint8_t)ch);
        ready = true;
    }
    return table;
}

bool mwg_host_normalise(const char *in, size_t len, char out[MWG_MAX_HOST_LEN + 1])
{
    while (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > MWG_MAX_HOST_LEN)
        return false;
    const uint8_t *allowed = host_bytes();
    for (size_t i = 0; i < len; i++) {
        uint8_t lower = allowed[(uint8_t)in[i]];
        if (!lower)
            return false;
        out[i] = (char)lower;
    }
    out[len] = '\0';
    return true;
}

/* Splits "host[:port]" or "[v6]:port", with any "user@" before it. */
static bool split_authority(const char *s, size_t len, char host[MWG_MAX_HOST_LEN + 1], uint16_t *port,
                            uint16_t default_port)
{
    const char *end = s + len;
    const char *at = memchr(s, '@', len);
    if (at)
        s = at + 1;
    const char *host_start = s, *host_end = end, *port_str = NULL;
    if (s < end && *s == '[') {
        const char *close = memchr(s, ']', (size_t)(end - s));
        if (!close)
            return false;
        host_start = s + 1;
        host_end = close;
        if (close + 1 < end && close[1] == ':')
            port_str = close + 2;
    } else {
        const char *colon = memchr(s, ':', (size_t)(end - s));
        if (colon) {
            host_end = colon;
            port_str = colon + 1;
        }
    }
    *port = default_port;
    if (port_str) {
        unsigned long p = 0;
        for (const char *q = port_str; q < end && g_ascii_isdigit(*q) && p < 65536; q++)
            p = p * 10 + (unsigned long)(*q - '0');
        if (p > 0 && p < 65536)
            *port = (uint16_t)p;
    }
    return mwg_host_normalise(host_start, (size_t)(host_end - host_start), host);
}

/* "http://..." and any other absolute URI (RFC 3986: a scheme, then
 * "://"); its length, 0 for an origin-form target. */
static size_t scheme_len(const char *target)
{
    size_t n = 0;
    if (!target || !g_ascii_isalpha(target[0]))
        return 0;
    while (n < 16 && (g_ascii_isalnum(target[n]) || target[n] == '+' || target[n] == '-' || target[n] == '.'))
        n++;
    return strncmp(target + n, "://", 3) == 0 ? n : 0;
}

static bool is_connect(const char *method)
{
    return method && g_ascii_strcasecmp(method, "CONNECT") == 0;
}

bool mwg_http_is_proxy_form(const char *method, const char *target)
{
    return is_connect(method) || scheme_len(target) > 0;
}

uint32_t mwg_http_target_path_id(const char *method, const char *target, bool target_cut)
{
    if (!target || target_cut || is_connect(method))
        return 0;
    const char *path = target;
    size_t scheme = scheme_len(target);
    if (scheme) {
        const char *auth = target + scheme + 3;
        path = auth + strcspn(auth, "/?#");
    } else if (*path != '/') {
        return 0;
    }
    /* FNV-1a, over the path as if it began with '/' (an absolute URI may
     * have none: "http://host" asks for "/"). */
    uint32_t h = 2166136261u;
    if (*path != '/')
        h = (h ^ '/') * 16777619u;
    for (size_t i = 0; i < MWG_MAX_HTTP_LINE && path[i] && path[i] != '#'; i++)
        h = (h ^ (uint8_t)path[i]) * 16777619u;
    return h ? h : 1;
}

bool mwg_http_request_target(const char *method, const char *target, bool target_cut, const char *host_header,
                             char host[MWG_MAX_HOST_LEN + 1], uint16_t *port)
{
    const char *uri = target ? target : "";
    size_t uri_len = strnlen(uri, MWG_MAX_HTTP_LINE);
    if (is_connect(method))
        return !target_cut && split_authority(uri, uri_len, host, port, 443);
    size_t scheme = scheme_len(uri);
    if (scheme) {
        uint16_t def = 80;
        if (scheme == 5 && g_ascii_strncasecmp(uri, "https", 5) == 0)
            def = 443;
        else if (scheme == 3 && g_ascii_strncasecmp(uri, "ftp", 3) == 0)
            def = 21;
        const char *auth = uri + scheme + 3;
        size_t n = strcspn(auth, "/?#");
        /* Cut before the path began: the authority may be cut too. */
        if (target_cut && auth[n] == '\0')
            return false;
        return split_authority(auth, n, host, port, def);
    }
    if (host_header)
        return split_authority(host_header, strnlen(host_header, MWG_MAX_HTTP_LINE), host, port, 80);
    return false;
}
