"""Many concurrent requests on one HTTP/2 connection, checked frame by frame with hyper-h2 (a second HTTP/2
implementation): every stream gets its whole response and ends cleanly, the server resets none, and responses carry
END_STREAM on their last frame (no empty DATA frames, which NIO-based clients count as an attack).

usage: h2_streams.py PORT CA_FILE METHOD PATH TOTAL CONCURRENCY [AUTHORIZATION]
prints one JSON object: {"completed", "resets", "empty_data_frames", "statuses", "body_bytes"}"""
import json, socket, ssl, sys

import h2.config, h2.connection, h2.events

port, ca, method, path, total, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
authorization = sys.argv[7] if len(sys.argv) > 7 else None
context = ssl.create_default_context(cafile=ca)
context.set_alpn_protocols(["h2"])
sock = context.wrap_socket(socket.create_connection(("127.0.0.1", int(port))), server_hostname="127.0.0.1")
assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
sock.sendall(conn.data_to_send())

sent = completed = resets = empty = body = 0
statuses = {}
open_streams = set()

def start():
    global sent
    stream = conn.get_next_available_stream_id()
    headers = [(":method", method), (":path", path), (":scheme", "https"), (":authority", "127.0.0.1:" + port),
               ("accept", "application/vnd.oci.image.manifest.v1+json")]
    if authorization:
        headers.append(("authorization", authorization))
    conn.send_headers(stream, headers, end_stream=True)
    open_streams.add(stream)
    sent += 1

while sent < min(concurrency, total):
    start()
sock.sendall(conn.data_to_send())
sock.settimeout(30)
while completed + resets < total:
    data = sock.recv(65536)
    if not data:
        break
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.ResponseReceived):
            status = dict(event.headers)[b":status"].decode()
            statuses[status] = statuses.get(status, 0) + 1
        elif isinstance(event, h2.events.DataReceived):
            if len(event.data) == 0:
                empty += 1
            body += len(event.data)
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
            if event.stream_id in open_streams:
                open_streams.discard(event.stream_id)
                if isinstance(event, h2.events.StreamEnded):
                    completed += 1
                else:
                    resets += 1
                if sent < total:
                    start()
            elif isinstance(event, h2.events.StreamReset):
                resets += 1
    sock.sendall(conn.data_to_send())
conn.close_connection()
sock.sendall(conn.data_to_send())
print(json.dumps({"completed": completed, "resets": resets, "empty_data_frames": empty, "statuses": statuses, "body_bytes": body}))
