"""A dual-stack name whose IPv6 address black-holes and whose IPv4 address serves a channel.

Inside a network namespace (see netns.py) run as a script:

    python dualstack.py NAME [--gai-conf LINE] -- COMMAND...

It adds the IPv6 documentation address 2001:db8::1 to `lo`, serves the test
channel on 127.0.0.1:PORT, listens on [2001:db8::1]:PORT with a full accept
queue (SYNs are dropped: a connect timeout), maps NAME to both addresses in
the namespace's /etc/hosts, then runs COMMAND with every "{url}" replaced by
http://NAME:PORT and "{condarc}" by a .condarc listing that channel.
With --gai-conf, LINE is the namespace's whole /etc/gai.conf.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

BLACK_HOLE_V6 = "2001:db8::1"


def add_address(address: str) -> None:
    """Put an IPv6 address on lo (no duplicate address detection: usable at once)."""
    subprocess.run(
        ["ip", "-6", "addr", "add", f"{address}/128", "dev", "lo", "nodad"],
        check=True,
        timeout=10,
    )


@contextmanager
def full_backlog(address: str, port: int, family: int) -> Iterator[None]:
    """A listener on address:port whose accept queue is full: new SYNs are dropped."""
    listener = socket.socket(family)
    listener.bind((address, port))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(8):
            sock = socket.socket(family)
            sock.setblocking(False)
            sock.connect_ex((address, port))
            fillers.append(sock)
        time.sleep(0.2)
        yield
    finally:
        for sock in fillers:
            sock.close()
        listener.close()


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from support.servers import channel_server, make_channel

    name, command = argv[0], argv[argv.index("--") + 1 :]
    options = argv[1 : argv.index("--")]
    add_address(BLACK_HOLE_V6)
    if options[:1] == ["--gai-conf"]:
        # The namespace's own /etc/gai.conf (its mounts are private).
        gai = Path(tempfile.mkdtemp(prefix="gai-")) / "gai.conf"
        gai.write_text(options[1] + "\n")
        subprocess.run(["mount", "--bind", str(gai), "/etc/gai.conf"], check=True)
    with open("/etc/hosts", "a") as hosts:  # the namespace's own copy
        hosts.write(f"{BLACK_HOLE_V6} {name}\n127.0.0.1 {name}\n")
    tmp = Path(tempfile.mkdtemp(prefix="dualstack-"))
    root = make_channel(tmp / "channel")
    with channel_server(root) as server:
        url = f"http://{name}:{server.port}"
        condarc = tmp / "condarc"
        condarc.write_text(
            json.dumps(
                {"channels": [url], "default_channels": [url], "channel_alias": url}
            )
        )
        with full_backlog(BLACK_HOLE_V6, server.port, socket.AF_INET6):
            command = [
                part.replace("{url}", url).replace("{condarc}", str(condarc))
                for part in command
            ]
            env = {**os.environ, "CONDARC": str(condarc), "HOME": str(tmp)}
            return subprocess.run(command, env=env, timeout=120).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
