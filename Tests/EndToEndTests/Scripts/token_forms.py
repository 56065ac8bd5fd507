#!/usr/bin/env python3
"""A registry whose token service speaks only one form of the Docker token protocol: `oauth` answers only a POST of
grant_type=password (a GET gets 405), `get` answers only a GET with Basic credentials (a POST gets 404). The registry
itself accepts a request with the token it issued. Every token request is appended to LOG (method, grant, user).

usage: token_forms.py PORT MODE LOG
"""
import base64
import http.server
import json
import sys
import urllib.parse

port, mode, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
USER, PASSWORD, TOKEN = "robot$ci", "p&ss=w+rd %/é", "the-token"


def log(entry):
    with open(log_path, "a") as f:
        f.write(json.dumps(entry) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"{}", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/token":
            auth = self.headers.get("Authorization", "")
            log({"method": "GET", "basic": auth.startswith("Basic ")})
            if mode != "get":
                return self.send(405)
            if auth != "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode():
                return self.send(401)
            return self.send(200, json.dumps({"token": TOKEN, "expires_in": 300}).encode())
        if path == "/v2/":
            if self.headers.get("Authorization") == "Bearer " + TOKEN:
                return self.send(200)
            return self.send(401, extra={"WWW-Authenticate": f'Bearer realm="http://127.0.0.1:{port}/token",service="forms"'})
        return self.send(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode()
        form = urllib.parse.parse_qs(raw, keep_blank_values=True)
        if self.path != "/token":
            return self.send(404)
        log({"method": "POST", "grant": form.get("grant_type", [""])[0], "user": form.get("username", [""])[0], "service": form.get("service", [""])[0], "raw": raw})
        if mode != "oauth":
            return self.send(404)
        if form.get("username") != [USER] or form.get("password") != [PASSWORD] or form.get("grant_type") != ["password"]:
            return self.send(401)
        return self.send(200, json.dumps({"access_token": TOKEN, "expires_in": 300}).encode())


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
