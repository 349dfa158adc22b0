"""The ASGI floor: stock uvicorn, with the chat's options, serving a do-nothing app relaying each frame to its room.

No Django, no Channels, no persistence: what uvicorn itself costs per delivery
and per idle socket, with its own WebSocket protocol (the chat's is lighter:
config/websocket_protocol.py).
`python -m bench.bare_asgi --port P`.
"""

import argparse
from collections import defaultdict
from typing import Any

import uvicorn

from config.serve import STOCK_SERVER_OPTIONS

rooms: defaultdict[str, list[Any]] = defaultdict(list)


async def relay(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    room = rooms[scope["path"]]
    room.append(send)
    try:
        while (event := await receive())["type"] == "websocket.receive":
            message = {"type": "websocket.send", "text": event.get("text")}
            for member in room:
                await member(message)
    finally:
        room.remove(send)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    uvicorn.run(relay, host="127.0.0.1", port=parser.parse_args().port, **STOCK_SERVER_OPTIONS)  # type: ignore[arg-type]
