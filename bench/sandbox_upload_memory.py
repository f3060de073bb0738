"""Memory of the sandbox while it takes a 150 MB OneDrive upload session.

Starts `integration-hub sandbox` in its own process, streams 150 MB to an upload
session in 10 MiB fragments generated on the fly (no file-sized buffer on either
side), and
reports the server's peak resident memory above its idle level against a 64 MB
budget, and the throughput.

Run: .venv/bin/python bench/sandbox_upload_memory.py [--size-mb 150]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2

# The sandbox exactly as users start it; "{port}" is filled in.
SERVER_COMMAND = [
    str(Path(sys.executable).parent / "integration-hub"),
    "sandbox",
    "--port",
    "{port}",
]

TARGET_MB = 64
FRAGMENT = 32 * 327_680  # 10 MiB, a multiple of 320 KiB as Graph requires
BLOCK = 256 * 1024
TIMEOUT = httpx2.Timeout(60.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def memory_kb(pid: int, field: str) -> int:
    """A ``Vm*`` line of /proc/PID/status, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/{pid}/status")


def wait_until_up(
    client: httpx2.Client, base: str, server: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the sandbox exited during start-up")
        try:
            client.get(f"{base}/sandbox/_admin/behavior")
            return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the sandbox did not start within 30 s")


def fragment_body(start: int, length: int, digest: hashlib._Hash) -> Iterator[bytes]:
    """Bytes ``start`` to ``start + length`` of the synthetic file, block by block."""
    sent = 0
    while sent < length:
        size = min(BLOCK, length - sent)
        offset = start + sent
        # Cheap content that still differs from block to block.
        block = (offset // BLOCK).to_bytes(8, "little") * (size // 8 + 1)
        chunk = block[:size]
        digest.update(chunk)
        yield chunk
        sent += size


def upload(client: httpx2.Client, base: str, token: str, name: str, total: int) -> str:
    """One upload session of ``total`` bytes; answers the server's sha256."""
    session = client.post(
        f"{base}/sandbox/microsoft/graph/v1.0/me/drive/root:/bench/{name}:"
        "/createUploadSession",
        headers={"Authorization": f"Bearer {token}"},
        json={"item": {"@microsoft.graph.conflictBehavior": "replace"}},
    )
    session.raise_for_status()
    url = session.json()["uploadUrl"]

    digest = hashlib.sha256()
    response = None
    for start in range(0, total, FRAGMENT):
        length = min(FRAGMENT, total - start)
        response = client.put(
            url,
            content=fragment_body(start, length, digest),
            headers={
                "Content-Length": str(length),
                "Content-Range": f"bytes {start}-{start + length - 1}/{total}",
            },
        )
        if response.status_code not in {200, 201, 202}:
            raise RuntimeError(
                f"fragment at {start}: {response.status_code} {response.text}"
            )
    assert response is not None
    server_hash: str = response.json()["file"]["hashes"]["sha256Hash"]
    if server_hash != digest.hexdigest().upper():
        raise RuntimeError("the server's sha256 differs from the bytes sent")
    return server_hash


def run(size_mb: int) -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [part.replace("{port}", str(port)) for part in SERVER_COMMAND]
    with tempfile.TemporaryDirectory() as data_dir:
        # The CLI keeps sandbox files under HUB_VAR_DIR/sandbox.
        env = {**os.environ, "HUB_VAR_DIR": data_dir}
        server = subprocess.Popen(command, env=env)  # noqa: S603 - our own command
        try:
            return measure(server, base, size_mb)
        finally:
            server.terminate()
            server.wait(timeout=10)


def measure(server: subprocess.Popen[bytes], base: str, size_mb: int) -> int:
    total = size_mb * 1_000_000
    with httpx2.Client(timeout=TIMEOUT) as client:
        wait_until_up(client, base, server)
        minted = client.post(
            f"{base}/sandbox/_admin/tokens",
            json={
                "provider": "microsoft",
                "account": "bench@contoso.example",
                "scopes": ["Files.ReadWrite"],
                "expires_in": 3600,
            },
        )
        minted.raise_for_status()
        token = minted.json()["access_token"]

        # A small upload first, so that lazy imports do not count as upload memory.
        upload(client, base, token, "warmup.bin", 2 * FRAGMENT + 1000)
        idle_kb = memory_kb(server.pid, "VmRSS")
        started = time.perf_counter()
        upload(client, base, token, "large.bin", total)
        elapsed = time.perf_counter() - started
        peak_kb = memory_kb(server.pid, "VmHWM")

    growth_mb = (peak_kb - idle_kb) / 1024
    verdict = "within" if growth_mb <= TARGET_MB else "OVER"
    rate = total / 1e6 / elapsed
    print(f"uploaded {total / 1e6:.0f} MB in {elapsed:.2f} s: {rate:.1f} MB/s")
    print(f"server RSS idle {idle_kb / 1024:.1f} MB, peak {peak_kb / 1024:.1f} MB")
    print(f"peak growth {growth_mb:.1f} MB, {verdict} the {TARGET_MB} MB target")
    return 0 if growth_mb <= TARGET_MB else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=150)
    args = parser.parse_args()
    return run(args.size_mb)


if __name__ == "__main__":
    sys.exit(main())
