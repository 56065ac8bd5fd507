#!/usr/bin/env python3
"""Sends a PATCH with `Expect: 100-continue` over a raw socket and checks the interim `100 Continue`.

Usage: expect_continue.py HOST PORT UPLOAD_PATH
Prints the interim status line, then the final status line.
"""
import socket
import sys

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
body = b"x" * 100_000
head = (
    f"PATCH {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/octet-stream\r\n"
    f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
).encode()
sock = socket.create_connection((host, port), timeout=5)
sock.sendall(head)
interim = sock.recv(4096).decode(errors="replace")
print(interim.split("\r\n", 1)[0])
sock.sendall(body)
final = b""
while b"\r\n\r\n" not in final:
    final += sock.recv(4096)
print(final.decode(errors="replace").split("\r\n", 1)[0])
