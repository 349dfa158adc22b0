"""README's run command (`make run`) starts everything the chat needs: the server and the worker that sends
a bot's webhook, and Ctrl-C stops them both."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.servers import ROOT, free_port, server_environment, wait_until_serving
from tests.visitors import Visitor
from tests.webhook_receiver import receiving


def group_is_gone(group: int, *, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_make_run_serves_the_chat_and_sends_a_bot_its_mentions_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "make-run.log"
    environment = server_environment(
        HOST="127.0.0.1",
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'chat.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "uploads"),
        BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES="true",  # the receiver here is on 127.0.0.1
    )
    for unset in ("DEBUG", "SITE_URL", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        environment.pop(unset, None)  # as a newcomer's shell has them: make run sets what it needs
    with log.open("w") as output, receiving() as receiver:
        make = subprocess.Popen(
            [shutil.which("make") or "make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's foreground group, which Ctrl-C signals whole
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_serving(base_url, make, log, within=60)  # it migrates a new database first
            ana = Visitor(base_url)
            ana.sign_up()
            room = ana.enter_room("Deploys")
            settings_page = room + "settings/"
            ana.submit(settings_page, {"name": "Deploy bot", "webhook_url": receiver.url}, action=room + "bots/")
            handle = re.search(r'class="username">@<bdi>(bot-[0-9a-f]+)</bdi>', ana.get(settings_page))
            assert handle is not None, "the bot was made"

            ana.submit(room, {"body": f"@{handle[1]} ship it"})

            assert receiver.arrived.wait(timeout=30), f"no webhook within 30 s:\n{log.read_text()}"
            ((_headers, body),) = receiver.received
            sent = json.loads(body)
            assert sent["message"]["text"] == f"@{handle[1]} ship it"
            assert sent["message"]["permalink"].startswith(f"{base_url}/rooms/deploys/messages/")
        finally:
            os.killpg(make.pid, signal.SIGINT)
            try:
                make.wait(timeout=30)
            finally:
                gone = group_is_gone(make.pid, within=15)
                if not gone:
                    os.killpg(make.pid, signal.SIGKILL)
        assert gone, f"Ctrl-C left a process of make run running:\n{log.read_text()}"
    assert "Traceback" not in log.read_text()
