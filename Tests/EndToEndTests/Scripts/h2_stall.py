"""An HTTP/2 client that starts a blob upload, sends part of a chunk and then nothing, while it keeps using the same
connection for other requests. Berth must reset the stalled stream after its body-stall deadline and keep serving
the connection's other streams.

usage: h2_stall.py PORT CA_FILE REPOSITORY
prints one JSON object: {"reset_after": seconds or null, "error_code": int or null, "later_status": "200"}"""
import json, socket, ssl, sys, time

import h2.config, h2.connection, h2.events

port, ca, repository = sys.argv[1], sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=ca)
context.set_alpn_protocols(["h2"])
sock = context.wrap_socket(socket.create_connection(("127.0.0.1", int(port))), server_hostname="127.0.0.1")
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
sock.sendall(conn.data_to_send())
authority = "127.0.0.1:" + port


def request(method, path, end_stream=True, extra=()):
    stream = conn.get_next_available_stream_id()
    conn.send_headers(stream, [(":method", method), (":path", path), (":scheme", "https"), (":authority", authority)] + list(extra),
                      end_stream=end_stream)
    sock.sendall(conn.data_to_send())
    return stream


def pump(until, timeout):
    """Reads events until until(event) is true or timeout passes; returns the event or None."""
    sock.settimeout(0.2)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if not data:
            return None
        for event in conn.receive_data(data):
            if until(event):
                sock.sendall(conn.data_to_send())
                return event
        sock.sendall(conn.data_to_send())
    return None


start = request("POST", "/v2/%s/blobs/uploads/" % repository)
response = pump(lambda e: isinstance(e, h2.events.ResponseReceived) and e.stream_id == start, 10)
location = dict(response.headers)[b"location"].decode()
stalled = request("PATCH", location, end_stream=False, extra=[("content-type", "application/octet-stream")])
conn.send_data(stalled, b"x" * 1000)
sock.sendall(conn.data_to_send())
began = time.time()
# Another request on the same connection while the upload stalls.
time.sleep(0.5)
other = request("GET", "/v2/")
answer = pump(lambda e: isinstance(e, h2.events.ResponseReceived) and e.stream_id == other, 10)
reset = pump(lambda e: isinstance(e, h2.events.StreamReset) and e.stream_id == stalled, 20)
later = request("GET", "/v2/")
later_answer = pump(lambda e: isinstance(e, h2.events.ResponseReceived) and e.stream_id == later, 10)
print(json.dumps({
    "reset_after": round(time.time() - began, 1) if reset else None,
    "error_code": int(reset.error_code) if reset else None,
    "other_status": dict(answer.headers)[b":status"].decode() if answer else None,
    "later_status": dict(later_answer.headers)[b":status"].decode() if later_answer else None,
}))
