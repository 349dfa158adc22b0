"""The three servers the benchmark measures, each started pinned to one core.

- chat: this project, through config/serve.py, with its production settings.
- tutorial: the Channels tutorial's consumer (bench/tutorial), same uvicorn options.
- uvicorn: uvicorn alone, relaying through a do-nothing ASGI app (bench/bare_asgi.py).
- bare: python-websockets relaying with websockets.broadcast (bench/bare_websockets.py).

Each knows how to open its sockets: the chat needs signed-in members (users,
memberships and sessions made here, straight in the database) and speaks the
htmx wire format; the tutorial speaks its JSON; the bare server plain text.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE = 0
WORK = ROOT / "var" / "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(name: str, command: list[str], env: dict[str, str], port: int, log: Path) -> Server:
    with log.open("a") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    os.sched_setaffinity(process.pid, {SERVER_CORE})  # uvicorn with one worker serves from this very process
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command} exited with {process.returncode}; see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Server(name, process, port)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{command} did not listen within 60 s; see {log}")


@dataclass
class Target:
    name: str
    wire: str  # what the load generator sends: "htmx", "tutorial" or "text"

    def serve(self, *, database_url: str, redis_url: str | None, chat_module: str = "config.serve") -> Server:
        """Start this server; the chat's from `chat_module` (bench/idle_memory.py starts it traced)."""
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["REDIS_KEY_PREFIX"] = f"bench-{uuid.uuid4().hex[:8]}"
        if self.name == "chat":
            env.update(
                DATABASE_URL=database_url,
                DEBUG="false",
                STATIC_ROOT=str(WORK / "static"),
                # Each bench sender sends far more than a person; the limit is not what is measured.
                MESSAGE_RATE_LIMIT="1000000 per second",
                ROOM_MESSAGE_RATE_LIMIT="1000000 per second",
                LOG_LEVEL="WARNING",
            )
            command = [sys.executable, "-m", chat_module, "--host", "127.0.0.1", "--port", str(port)]
        elif self.name == "tutorial":
            command = [sys.executable, "-m", "bench.tutorial", "--port", str(port)]
        elif self.name == "uvicorn":
            command = [sys.executable, "-m", "bench.bare_asgi", "--port", str(port)]
        else:
            command = [sys.executable, "-m", "bench.bare_websockets", "--port", str(port)]
        return start(self.name, command, env, port, WORK / f"{self.name}.log")

    def clients(self, port: int, room_sizes: list[int], tag: str) -> list[dict[str, Any]]:
        """One spec (url, headers, room index) per socket; `tag` keeps each workload's rooms and people apart.

        The chat's also say how their member edits a message over HTTP: the edit view's path ("{}" for the
        message's id) and the session cookie, which the load generator sends with a CSRF token of its own.
        """
        origin = {"Origin": f"http://127.0.0.1:{port}"}
        if self.name == "chat":
            from bench import members

            return [
                {
                    "url": f"ws://127.0.0.1:{port}{seat.socket_path}",
                    "headers": {**origin, "Cookie": f"sessionid={seat.session_key}"},
                    "room": seat.room,
                    "edit_path": seat.edit_path,
                    "session": seat.session_key,
                    "user": seat.user,
                }
                for seat in members.sign_in(room_sizes, tag)
            ]
        path = "/ws/chat/{}/" if self.name == "tutorial" else "/{}"
        return [
            {
                "url": f"ws://127.0.0.1:{port}" + path.format(f"{tag}_r{r}".replace("-", "_")),
                "headers": origin,
                "room": r,
            }
            for r, size in enumerate(room_sizes)
            for _ in range(size)
        ]


TARGETS = {
    "chat": Target("chat", "htmx"),
    "tutorial": Target("tutorial", "tutorial"),
    "uvicorn": Target("uvicorn", "text"),
    "bare": Target("bare", "text"),
}
