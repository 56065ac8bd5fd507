#!/usr/bin/env python3
"""A TCP proxy that cuts the connection once: after `cut_after` bytes went from client to server in total, the
connection carrying the byte that crossed the line is closed on both sides; later connections pass untouched.
It writes the bytes it forwarded each way to `state_file` (JSON), for tests that must show a transfer resumed
instead of starting over.

usage: cutting_proxy.py LISTEN_PORT TARGET_PORT CUT_AFTER_BYTES STATE_FILE
"""
import asyncio
import json
import sys

listen_port, target_port, cut_after, state_file = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
state = {"upstream_bytes": 0, "downstream_bytes": 0, "cut": False, "connections": 0}


def save():
    with open(state_file + ".tmp", "w") as f:
        json.dump(state, f)
    import os
    os.replace(state_file + ".tmp", state_file)


async def pipe(reader, writer, upstream, peer_writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if upstream:
                state["upstream_bytes"] += len(data)
                if not state["cut"] and state["upstream_bytes"] >= cut_after:
                    state["cut"] = True
                    save()
                    writer.close()
                    peer_writer.close()
                    return
            else:
                state["downstream_bytes"] += len(data)
            writer.write(data)
            save()
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass
        save()


async def handle(client_reader, client_writer):
    state["connections"] += 1
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer, True, client_writer), pipe(server_reader, client_writer, False, server_writer))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    save()
    async with server:
        await server.serve_forever()


asyncio.run(main())
