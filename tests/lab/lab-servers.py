#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Misbehaving upstreams for the mwg502 lab (run inside the lab namespace).

usage: lab-servers.py MODE ADDRESS PORT [LIFETIME]

MODE is one of
  http      a small HTTP/1.1 server answering 200 to everything
  garbage   reads the request, answers bytes that are not HTTP, closes
  silent    accepts, reads, never answers (holds the connection)
  close     reads the request and closes without a byte (FIN)
  err502    answers its own "502 Bad Gateway" (an origin error)
  badstatus answers a broken status line ("HTTP/1.1 abc Broken"), closes
  servfail  UDP DNS server answering every query with rcode 2 (Server failure)
  silentrst as silent, but when the peer closes, resets (SO_LINGER 0: RST)

Replies that start well and go bad (each then holds the connection open,
reading, until the peer closes or 15 s pass, so that the gateway, not the
origin, ends it).  "-late" sends the status line and the first good headers,
waits 50 ms, then the bad part in a segment of its own:
  nocolon[-late]  a header line without a colon ("This line has no colon")
  nul[-late]      a NUL byte inside a header value ("X-Lab: a<NUL>b")
  badcl[-late]    "Content-Length: abc"
  twocl[-late]    two Content-Length headers that disagree (12 and 34); in
                  -late the first is in the status line's segment
  bighdr          about 70 KB of headers, slowly: a first segment of 300
                  bytes (status line and headers), then nine segments of
                  8,000 bytes (eight 1,000-byte header lines each) 100 ms
                  apart, then the end of the header block; offsets of the
                  segment starts: 0, 300, 8300, ..., 64300

Every server exits by itself after LIFETIME seconds (default 1800), so that
nothing outlives the lab even if its cleanup is skipped.
"""
import socket
import sys
import threading
import time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
lifetime = float(sys.argv[4]) if len(sys.argv) > 4 else 1800.0
deadline = time.monotonic() + lifetime


def read_request(conn):
    """Read until the end of the request head (or 64 KB, or 10 s)."""
    conn.settimeout(10)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


def reply(conn, status, body):
    conn.sendall(
        b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"Connection: close\r\n\r\n" + body)


STATUS = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: lab\r\n"
TAIL = b"Connection: keep-alive\r\n\r\n"
# mode -> (first segment, later segments); the bad part is where it is sent.
BAD = {
    "nocolon": b"This line has no colon\r\nContent-Length: 0\r\n",
    "nul": b"X-Lab: a\x00b\r\nContent-Length: 0\r\n",
    "badcl": b"Content-Length: abc\r\n",
    "twocl": b"Content-Length: 12\r\nContent-Length: 34\r\n",
}


def bad_segments():
    base = mode[:-5] if mode.endswith("-late") else mode
    if base in BAD:
        if mode.endswith("-late"):
            if base == "twocl":
                return [STATUS + b"Content-Length: 12\r\n", b"Content-Length: 34\r\n" + TAIL]
            return [STATUS + b"X-Lab-Good: yes\r\n", BAD[base] + TAIL]
        return [STATUS + BAD[base] + TAIL]
    # bighdr: 300 bytes, then 9 x 8,000, then the end.
    first = STATUS + b"Content-Length: 0\r\nX-Lab-Pad: "
    first += b"p" * (298 - len(first)) + b"\r\n"
    assert len(first) == 300
    segs = [first]
    n = 0
    for _ in range(9):
        seg = b""
        for _ in range(8):
            line = b"X-Lab-Big-%03d: " % n
            seg += line + b"b" * (998 - len(line)) + b"\r\n"
            n += 1
        assert len(seg) == 8000
        segs.append(seg)
    segs.append(b"\r\n")
    return segs


def send_bad(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    segs = bad_segments()
    pause = 0.1 if mode == "bighdr" else 0.05
    for i, seg in enumerate(segs):
        if i:
            time.sleep(pause)
        conn.sendall(seg)
    # Hold the connection: the gateway is the one to end it.
    conn.settimeout(15)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def handle(conn):
    try:
        if mode in ("silent", "silentrst"):
            # Hold the connection until the peer gives up (or 120 s).
            conn.settimeout(120)
            try:
                while conn.recv(4096):
                    pass
            except OSError:
                pass
            if mode == "silentrst":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            return
        read_request(conn)
        if mode == "bighdr" or mode.split("-")[0] in BAD:
            send_bad(conn)
            return
        if mode == "http":
            reply(conn, b"200 OK", b"hello from the lab upstream\n")
        elif mode == "err502":
            reply(conn, b"502 Bad Gateway", b"origin says: bad gateway\n")
        elif mode == "garbage":
            conn.sendall(b"\x00\x01\x02 SSH-2.0-not-http \xff\xfe garbage\r\n\r\n")
            time.sleep(0.2)
        elif mode == "badstatus":
            conn.sendall(b"HTTP/1.1 abc Broken\r\nContent-Length: 0\r\n\r\n")
            time.sleep(0.2)
        elif mode == "close":
            pass
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def serve_tcp():
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    s.settimeout(1)
    while time.monotonic() < deadline:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def serve_servfail():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(1)
    while time.monotonic() < deadline:
        try:
            q, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        if len(q) < 12:
            continue
        # Same id and question; QR=1, opcode copied, RD copied, RA=1, rcode 2.
        flags = 0x8000 | (q[2] << 8 & 0x7900) | 0x0080 | 2
        i = 12
        while i < len(q) and q[i] != 0:
            i += q[i] + 1
        question = q[12:i + 5]
        s.sendto(q[:2] + flags.to_bytes(2, "big") + b"\0\1\0\0\0\0\0\0" + question, peer)


if __name__ == "__main__":
    serve_servfail() if mode == "servfail" else serve_tcp()
