"""A webhook receiver for the end-to-end tests: records every POST (path, headers, JSON body) as one line of JSON
in the file given as the second argument, and answers by path:
  /ok/...      200 at once
  /flaky/...   500 to the first two requests on that path, then 200
  /slow/...    200 after two seconds
  /never/...   never answers (holds the connection for a minute)
  /hold-first/... holds the first request on that path for two minutes, then closes it unanswered; 200 at once after
Usage: webhook_receiver.py PORT RECORD_FILE [CERTIFICATE_CHAIN KEY]   (with a certificate: HTTPS)"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()
record_file = sys.argv[2]


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            seen = counts[self.path]
            with open(record_file, "a") as out:
                out.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()), "body": body,
                                      "received_at": time.time()}) + "\n")
        if self.path.startswith("/never/"):
            time.sleep(60)
            return
        if self.path.startswith("/hold-first/") and seen == 1:
            time.sleep(120)
            return
        if self.path.startswith("/slow/"):
            time.sleep(2)
        status = 500 if self.path.startswith("/flaky/") and seen <= 2 else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver)
if len(sys.argv) > 4:
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
