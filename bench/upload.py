"""Memory and speed of a 150 MB upload through ``POST microsoft/documents``.

Serves a hub with its sandbox in this process, connects an account, warms up
with a small upload, then streams 150 MB as multipart, generated on the fly so
that the client holds no file-sized buffer either. Prints:
- the process's peak resident memory growth (VmHWM) during the upload, against
  the 64 MB target: the hub spools to disk and sends one chunk at a time;
- the upload's throughput end to end (client to hub to sandbox);
- as the baseline measured in the same run, the same bytes sent by a plain
  loop of chunked PUTs straight to a sandbox upload session.

Run: .venv/bin/python bench/upload.py [--size-mb 150]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._hub import bench_settings, connect, served
from tests.support.users import create_user

from integration_hub.config import Settings
from integration_hub.context import HubContext

TARGET_MB = 64
BLOCK = 256 * 1024
CHUNK = 32 * 320 * 1024  # the hub's default chunk: 10 MiB
BOUNDARY = "bench-" + uuid.uuid4().hex
TIMEOUT = httpx2.Timeout(300.0)


def peak_rss_kb() -> int:
    """VmHWM: the most resident memory this process has used so far."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def block(number: int) -> bytes:
    return hashlib.sha256(number.to_bytes(8, "big")).digest() * (BLOCK // 32)


async def multipart(size: int, path: str) -> AsyncIterator[bytes]:
    """A multipart body with a ``path`` field and a ``file`` part, made lazily."""
    yield (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="path"\r\n\r\n'
        f"{path}\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="bench.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    sent = 0
    while sent < size:
        piece = block(sent // BLOCK)[: size - sent]
        sent += len(piece)
        yield piece
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def through_hub(http: httpx2.AsyncClient, token: str, size: int) -> float:
    """Seconds to upload ``size`` bytes through the hub."""
    started = time.perf_counter()
    response = await http.post(
        "/api/v1/integrations/microsoft/documents",
        content=multipart(size, f"bench/{uuid.uuid4().hex}.bin"),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 201 or response.json()["size"] != size:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text}")
    return elapsed


async def direct(http: httpx2.AsyncClient, size: int) -> float:
    """Seconds for a plain chunked PUT loop straight to a sandbox upload session."""
    minted = await http.post(
        "/sandbox/_admin/tokens",
        json={
            "provider": "microsoft",
            "account": "bench@example.com",
            "scopes": ["Files.ReadWrite"],
        },
    )
    auth = {"Authorization": f"Bearer {minted.json()['access_token']}"}
    session = await http.post(
        "/sandbox/microsoft/graph/v1.0/me/drive/root:/bench/direct.bin:"
        "/createUploadSession",
        json={"item": {"@microsoft.graph.conflictBehavior": "replace"}},
        headers=auth,
    )
    url = session.json()["uploadUrl"]

    started = time.perf_counter()
    for start in range(0, size, CHUNK):
        end = min(start + CHUNK, size)
        data = b"".join(block(n) for n in range(start // BLOCK, -(-end // BLOCK)))
        data = data[: end - start]
        response = await http.put(
            url,
            content=data,
            headers={"Content-Range": f"bytes {start}-{end - 1}/{size}"},
        )
        if response.status_code not in (200, 201, 202):
            raise RuntimeError(f"direct PUT failed: {response.status_code}")
    return time.perf_counter() - started


async def measure(settings: Settings, size: int) -> None:
    context = await HubContext.open(settings)
    token = await create_user(context, "bench")
    with served(settings) as base:
        async with httpx2.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
            await connect(http, "microsoft", token)
            # Warm-up: imports, pools and the first spool file are not growth.
            await through_hub(http, token, 12 * 1024 * 1024)

            before = peak_rss_kb()
            hub_seconds = await through_hub(http, token, size)
            growth_mb = (peak_rss_kb() - before) / 1024
            direct_seconds = await direct(http, size)
    await context.close()

    megabytes = size / 1_000_000
    verdict = "ok" if growth_mb < TARGET_MB else "OVER TARGET"
    print(f"upload of {megabytes:.0f} MB through POST microsoft/documents (multipart)")
    print(
        f"  peak RSS growth (VmHWM): {growth_mb:.1f} MB "
        f"(target < {TARGET_MB} MB: {verdict})"
    )
    print(
        f"  through the hub: {megabytes / hub_seconds:.1f} MB/s ({hub_seconds:.2f} s)"
    )
    print(
        f"  baseline, chunked PUTs straight to the sandbox session: "
        f"{megabytes / direct_seconds:.1f} MB/s ({direct_seconds:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        # Migrations run their own event loop, so before ours starts.
        settings = bench_settings(Path(folder))
        asyncio.run(measure(settings, args.size_mb * 1_000_000))


if __name__ == "__main__":
    main()
