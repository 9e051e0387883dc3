"""Helpers for testing code that uses the reference cache: a clock that moves only when
told (for `MemoryBackend(clock=...)`, so TTL tests do not sleep) and a throwaway
redis-server."""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class FakeClock:
    """Seconds, starting at an arbitrary point; `advance` moves them on."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def redis_server(timeout: float = 10.0) -> Iterator[int]:
    """Run `redis-server` on 127.0.0.1 and a free port, without persistence, in a
    temporary directory, for the duration of the block; yield its port.

    Raises FileNotFoundError when redis-server is not installed and RuntimeError (with
    the server's log) when it does not start."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (Debian: apt-get install -y redis-server)")
    with tempfile.TemporaryDirectory(prefix="redis-") as directory:
        process, port = _start(binary, Path(directory), timeout)
        try:
            yield port
        finally:
            process.terminate()
            process.wait(timeout=timeout)


def _start(binary: str, directory: Path, timeout: float) -> tuple[subprocess.Popen, int]:
    log_path = directory / "redis.log"
    for _ in range(3):  # another process may take the free port before redis-server does
        port = _free_port()
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                 "--dir", str(directory), "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process, port
            except OSError:
                time.sleep(0.02)
        process.kill()
        process.wait()
    raise RuntimeError(f"redis-server did not start: {log_path.read_text()[-2000:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
