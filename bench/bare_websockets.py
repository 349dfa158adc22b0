"""The floor: a bare python-websockets server that relays each text frame to its room with websockets.broadcast.

No Django, no ASGI, no persistence: what a delivery costs when nothing but the
socket is in the way. `python -m bench.bare_websockets --port P`.
"""

import argparse
from collections import defaultdict

import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

rooms: defaultdict[str, set[ServerConnection]] = defaultdict(set)


async def relay(connection: ServerConnection) -> None:
    room = rooms[connection.request.path if connection.request else "/"]
    room.add(connection)
    try:
        async for frame in connection:
            broadcast(room, frame)
    finally:
        room.discard(connection)


async def main(port: int) -> None:
    async with serve(relay, "127.0.0.1", port, compression=None, max_size=64 * 1024) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    uvloop.run(main(parser.parse_args().port))
