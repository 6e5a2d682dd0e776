/* http_message.c - see http_message.h. */
#include "http_message.h"

#include <string.h>

/* Longer start lines and header lines than any gateway accepts. */
#define MAX_LINE (16 * 1024)
#define MAX_METHOD 32

typedef struct {
    const uint8_t *p;
    size_t len;
} span;

/* The line at *off without its CR LF (or bare LF); moves *off past it.
 * False when no line end is in reach. */
static bool next_line(const uint8_t *d, size_t len, size_t *off, span *line)
{
    size_t reach = len - *off < MAX_LINE ? len - *off : MAX_LINE;
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
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static bool is_version(const uint8_t *p, size_t n)
{
    return n == 8 && memcmp(p, "HTTP/", 5) == 0 && p[5] >= '0' && p[5] <= '9' && p[6] == '.' &&
           p[7] >= '0' && p[7] <= '9';
}

/* The first n bytes of a version, all a snap length may have left. */
static bool is_version_start(const uint8_t *p, size_t n)
{
    static const char form[] = "HTTP/9.9";
    if (n > 8)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (form[i] == '9' ? p[i] < '0' || p[i] > '9' : p[i] != (uint8_t)form[i])
            return false;
    }
    return true;
}

/* "HTTP/1.1 502 Bad Gateway" -> 502 */
static bool parse_status_line(span l, unsigned *status)
{
    if (l.len < 12 || !is_version(l.p, 8) || l.p[8] != ' ')
        return false;
    unsigned s = 0;
    for (int i = 9; i < 12; i++) {
        if (l.p[i] < '0' || l.p[i] > '9')
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
static bool parse_request_line(span l, bool cut, span *method, span *target)
{
    size_t m = 0;
    while (m < l.len && m <= MAX_METHOD && is_token_char(l.p[m]))
        m++;
    if (m == 0 || m > MAX_METHOD || m >= l.len || l.p[m] != ' ')
        return false;
    target->p = l.p + m + 1;
    const uint8_t *sp = memchr(target->p, ' ', l.len - (m + 1));
    target->len = sp ? (size_t)(sp - target->p) : l.len - (m + 1);
    if (target->len == 0)
        return false;
    method->p = l.p;
    method->len = m;
    if (cut && !sp)
        return true;
    size_t after = m + 1 + target->len;
    if (cut && l.len < after + 9)
        return is_version_start(l.p + after + 1, l.len - (after + 1));
    return l.len == after + 9 && l.p[after] == ' ' && is_version(l.p + after + 1, 8);
}

static span trim(span s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* The value of header line 'l' if it is header 'name' (lower case, n
 * bytes), whatever the case in the line. */
static bool header_is(span l, const char *name, size_t n, span *value)
{
    if (l.len <= n || l.p[n] != ':')
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = l.p[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (uint8_t)name[i])
            return false;
    }
    value->p = l.p + n + 1;
    value->len = l.len - n - 1;
    *value = trim(*value);
    return true;
}

#define header_value(l, literal, value) header_is((l), literal, sizeof literal - 1, (value))

static bool parse_length(span v, size_t *out)
{
    size_t n = 0;
    if (v.len == 0 || v.len > 15)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
        n = n * 10 + (size_t)(v.p[i] - '0');
    }
    *out = n;
    return true;
}

void mwg_decode_http(const uint8_t *d, size_t len, bool cut, mwg_facts *f)
{
    size_t off = 0;
    while (off < len && f->n_requests + f->n_responses < MWG_MAX_HTTP_PER_FRAME) {
        span line, method = { 0 }, target = { 0 };
        unsigned status = 0;
        bool whole = next_line(d, len, &off, &line);
        if (!whole && !cut)
            return;
        if (!whole) {
            line.p = d + off;
            line.len = len - off;
            off = len;
        }
        bool is_response = parse_status_line(line, &status);
        if (!is_response && !parse_request_line(line, cut && !whole, &method, &target))
            return;

        span host = { 0 };
        bool has_host = false, has_length = false, chunked = false, complete = false;
        size_t body_len = 0;
        while (next_line(d, len, &off, &line)) {
            span v;
            if (line.len == 0) {
                complete = true;
                break;
            }
            if (!is_response && !has_host && header_value(line, "host", &v)) {
                host = v;
                has_host = true;
            } else if (header_value(line, "content-length", &v)) {
                has_length = parse_length(v, &body_len);
            } else if (header_value(line, "transfer-encoding", &v)) {
                /* overrides Content-Length (RFC 9112 6.3) */
                chunked = true;
            }
        }

        size_t rest = complete ? len - off : 0;
        bool bounded = complete && !chunked && (has_length || !is_response);
        size_t body = bounded ? (body_len < rest ? body_len : rest) : rest;
        if (is_response) {
            mwg_http_response *r = &f->responses[f->n_responses++];
            r->status = status;
            r->body = body ? d + off : NULL;
            r->body_len = body;
        } else {
            mwg_http_request *r = &f->requests[f->n_requests++];
            r->method = mwg_facts_keep(f, method.p, method.len);
            r->uri = mwg_facts_keep(f, target.p, target.len);
            r->host_header = has_host ? mwg_facts_keep(f, host.p, host.len) : NULL;
        }
        /* Only a message whose end is known can be followed by another. */
        if (!bounded || body_len > rest)
            return;
        off += body;
    }
}
