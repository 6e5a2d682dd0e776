#!/usr/bin/python3
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


def handle(conn):
    try:
        if mode == "silent":
            # Hold the connection until the peer gives up (or 120 s).
            conn.settimeout(120)
            try:
                while conn.recv(4096):
                    pass
            except OSError:
                pass
            return
        read_request(conn)
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
