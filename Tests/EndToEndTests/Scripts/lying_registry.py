#!/usr/bin/env python3
"""A registry that lies: its catalog names `lies/app` with tag `v1`, a HEAD of the tag reports one digest, and a GET of
that digest returns different bytes; a blob of `lies/blob:v1` has the wrong content; `lies/junk:v1` is garbage under its own digest.
For tests that a replication refuses what does not match its digest and stores nothing.

usage: lying_registry.py PORT
"""
import hashlib
import http.server
import json
import sys

port = int(sys.argv[1])
config = b'{"architecture":"amd64","os":"linux"}'
layer = b"the real layer"
real_manifest = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + hashlib.sha256(config).hexdigest(), "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + hashlib.sha256(layer).hexdigest(), "size": len(layer)}],
}).encode()
real_digest = "sha256:" + hashlib.sha256(real_manifest).hexdigest()
other_manifest = real_manifest.replace(b"amd64", b"arm64") + b" "
garbage = b"\x00\xffgarbage{"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/v2/":
            return self.send(200, b"{}")
        if path == "/v2/_catalog":
            return self.send(200, json.dumps({"repositories": ["lies/app", "lies/blob", "lies/junk"]}).encode())
        if path.endswith("/tags/list"):
            return self.send(200, json.dumps({"name": path[4:-10], "tags": ["v1"]}).encode())
        if path.startswith("/v2/lies/app/manifests/"):
            # Says it is the real manifest, serves another one.
            return self.send(200, other_manifest, "application/vnd.oci.image.manifest.v1+json", {"Docker-Content-Digest": real_digest})
        if path.startswith("/v2/lies/blob/manifests/"):
            return self.send(200, real_manifest, "application/vnd.oci.image.manifest.v1+json", {"Docker-Content-Digest": real_digest})
        if path.startswith("/v2/lies/blob/blobs/"):
            return self.send(200, b"not what the digest says", "application/octet-stream")
        if path.startswith("/v2/lies/junk/manifests/"):
            # Garbage under its own digest: it matches, but it is no manifest.
            return self.send(200, garbage, "application/vnd.oci.image.manifest.v1+json", {"Docker-Content-Digest": "sha256:" + hashlib.sha256(garbage).hexdigest()})
        return self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"no"}]}')


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
