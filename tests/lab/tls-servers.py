#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""TLS origins for the mwg502 lab's TLS-intercepting gateways (port 443).

usage: tls-servers.py certs DIR
       tls-servers.py MODE ADDRESS PORT CERTDIR [LIFETIME]

`certs DIR` writes the lab's certificates (python3-cryptography):
  labca.pem            the lab CA, which the gateways are told to trust
  NAME.pem / NAME.key  a leaf for NAME.lab signed by the lab CA (ok, ...)
  expired.pem          signed by the lab CA, valid for expired.lab, expired
                       one day ago (valid 30 days before that)
  wrongname.pem        signed by the lab CA, valid for other.lab only
  selfsigned.pem       self-signed, for selfsigned.lab and selfsigned13.lab

MODE, before any TLS (each reads the ClientHello first: one whole record,
at most 5 s):
  alert     answers a fatal handshake_failure alert (TLS 1.2 record), then
            holds the connection (reads until the peer closes, 15 s at most)
  rst       resets (SO_LINGER 0)
  fin       closes (FIN)
  hang      never answers (holds the connection until the peer closes, 120 s
            at most): no ServerHello
  plain     answers as a plain HTTP server would: "HTTP/1.1 400 Bad Request",
            then holds the connection (15 s at most)
a handshake the gateway should refuse (the server completes it if asked,
and answers 200):
  selfsigned    TLS 1.2 only, a self-signed certificate
  expired       TLS 1.2 only, an expired certificate from the lab CA
  wrongname     TLS 1.2 only, a certificate from the lab CA for other.lab
  selfsigned13  TLS 1.3 only, a self-signed certificate (sent encrypted)
and a good handshake (TLS 1.2 or 1.3, a leaf of the lab CA for the name,
ALPN h2 and http/1.1: HTTP/2 when the gateway offers it, python3-h2), then:
  ok        answers "200 OK" and closes
  garbage   reads the request, answers bytes that are not HTTP (nor HTTP/2
            frames), closes
  silent    reads the request, never answers (holds until the peer closes,
            120 s at most; over HTTP/2 after its SETTINGS)
  close     reads the request, closes without a byte (FIN, no close_notify;
            over HTTP/2 after its SETTINGS, without GOAWAY)
  err502    answers its own "502 Bad Gateway" and closes (HTTP/2: then
            GOAWAY, and holds the connection until the peer closes, 15 s at
            most; "ok" too)

Every server exits by itself after LIFETIME seconds (default 1800).
"""
import datetime
import os
import socket
import ssl
import sys
import threading
import time

RAW = ("alert", "rst", "fin", "hang", "plain")
REFUSED = {"selfsigned": "selfsigned", "expired": "expired", "wrongname": "wrongname",
           "selfsigned13": "selfsigned"}
GOOD = ("ok", "garbage", "silent", "close", "err502")
LEAVES = ["ok", "garbage", "silent", "close", "err502"]


def write_certs(d):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

    os.makedirs(d, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    day = datetime.timedelta(days=1)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mwg502 lab"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def save(stem, cert, key):
        with open(os.path.join(d, stem + ".pem"), "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        if key is not None:
            with open(os.path.join(d, stem + ".key"), "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))

    def build(subject, issuer, pub, sign_key, start, end, ca, sans):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
             .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                critical=True)
        else:
            b = (b.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
                 .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
        return b.sign(sign_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("mwg502 lab CA")
    ca = build(ca_name, ca_name, ca_key.public_key(), ca_key, now - day, now + 30 * day, True, [])
    save("labca", ca, ca_key)
    for leaf in LEAVES:
        k = ec.generate_private_key(ec.SECP256R1())
        host = "tls%s.lab" % leaf
        save(leaf, build(name(host), ca_name, k.public_key(), ca_key, now - day, now + 30 * day, False,
                         [host]), k)
    k = ec.generate_private_key(ec.SECP256R1())
    save("expired", build(name("expired.lab"), ca_name, k.public_key(), ca_key, now - 31 * day, now - day,
                          False, ["expired.lab"]), k)
    k = ec.generate_private_key(ec.SECP256R1())
    save("wrongname", build(name("other.lab"), ca_name, k.public_key(), ca_key, now - day, now + 30 * day,
                            False, ["other.lab"]), k)
    k = ec.generate_private_key(ec.SECP256R1())
    ss = name("selfsigned.lab")
    save("selfsigned", build(ss, ss, k.public_key(), k, now - day, now + 30 * day, False,
                             ["selfsigned.lab", "selfsigned13.lab"]), k)


def hold(conn, seconds):
    """Read until the peer closes (or `seconds` pass)."""
    conn.settimeout(seconds)
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end and conn.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass


def read_client_hello(conn):
    """One whole TLS record (or whatever came in 5 s)."""
    conn.settimeout(5)
    data = b""
    try:
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
            if len(data) >= 5 and len(data) >= 5 + int.from_bytes(data[3:5], "big"):
                break
    except OSError:
        pass
    return data


def read_request(conn):
    conn.settimeout(10)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError):
        pass
    return data


def reply(conn, status, body):
    conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\nServer: lab-tls\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def context(mode, certdir):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    stem = REFUSED.get(mode, mode)
    ctx.load_cert_chain(os.path.join(certdir, stem + ".pem"), os.path.join(certdir, stem + ".key"))
    if mode in ("selfsigned", "expired", "wrongname"):
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif mode == "selfsigned13":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["h2", "http/1.1"] if mode in GOOD else ["http/1.1"])
    return ctx


GARBAGE = b"\x00\x01\x02 SSH-2.0-not-http \xff\xfe garbage\r\n\r\n"


def serve_h2(conn, mode):
    """The good-handshake modes over HTTP/2 (one request)."""
    import h2.config
    import h2.connection
    import h2.events
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
    c.initiate_connection()
    conn.sendall(c.data_to_send())
    conn.settimeout(10)
    stream = None
    while stream is None:
        data = conn.recv(65536)
        if not data:
            return
        for ev in c.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                stream = ev.stream_id
        out = c.data_to_send()
        if out:
            conn.sendall(out)
    if mode == "silent":
        hold(conn, 120)
    elif mode == "garbage":
        conn.sendall(GARBAGE)
        time.sleep(0.2)
    elif mode in ("ok", "err502"):
        status, body = ("502", b"origin says: bad gateway\n") if mode == "err502" else \
            ("200", b"hello from the lab TLS upstream\n")
        c.send_headers(stream, [(":status", status), ("content-type", "text/plain"), ("server", "lab-tls"),
                                ("content-length", str(len(body)))])
        c.send_data(stream, body, end_stream=True)
        c.close_connection()
        conn.sendall(c.data_to_send())
        # Closing now, with the peer's SETTINGS ACK or WINDOW_UPDATE unread,
        # would reset the connection (and could destroy the reply at the
        # gateway): let the gateway end it (15 s at most).
        hold(conn, 15)


def handle(conn, mode, ctx):
    try:
        if mode in RAW:
            if mode == "hang":
                hold(conn, 120)
                return
            read_client_hello(conn)
            if mode == "alert":
                conn.sendall(b"\x15\x03\x03\x00\x02\x02\x28")     # fatal, handshake_failure (40)
                hold(conn, 15)
            elif mode == "rst":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            elif mode == "plain":
                body = b"<html><body>400 Bad Request: not an HTTP request</body></html>\n"
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                hold(conn, 15)
            return
        conn.settimeout(10)
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            return                      # the gateway refused the handshake
        conn = tls
        if tls.selected_alpn_protocol() == "h2":
            serve_h2(conn, mode)
            return
        if mode == "silent":
            hold(conn, 120)
            return
        read_request(conn)
        if mode == "garbage":
            conn.sendall(GARBAGE)
            time.sleep(0.2)
        elif mode == "err502":
            reply(conn, b"502 Bad Gateway", b"origin says: bad gateway\n")
        elif mode == "close":
            pass
        else:
            reply(conn, b"200 OK", b"hello from the lab TLS upstream\n")
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def serve(mode, addr, port, certdir, lifetime):
    deadline = time.monotonic() + lifetime
    ctx = None if mode in RAW else context(mode, certdir)
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
        threading.Thread(target=handle, args=(conn, mode, ctx), daemon=True).start()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "certs":
        write_certs(sys.argv[2])
    elif len(sys.argv) in (5, 6) and sys.argv[1] in RAW + tuple(REFUSED) + GOOD:
        serve(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4],
              float(sys.argv[5]) if len(sys.argv) > 5 else 1800.0)
    else:
        sys.exit(__doc__)
