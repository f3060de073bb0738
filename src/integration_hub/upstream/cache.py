"""A read-through cache for provider data that is safe to keep for a while.

Spreadsheet and drive-item metadata and profiles change rarely, and the hub's
own writes invalidate what they touch. Entries live in Redis when configured
(shared, so one instance's write invalidates for all) and in process memory
otherwise. Keys are scoped by connection: one user never sees another's entry.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from typing import Any

from redis.asyncio import Redis

PREFIX = "hub:cache:"
MAX_LOCAL_ENTRIES = 10_000


class ResponseCache:
    def __init__(self, redis: Redis | None, ttl: float) -> None:
        self._redis = redis
        self.ttl = ttl
        self._local: dict[str, tuple[float, Any]] = {}
        self._filling: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def filling(self, key: str) -> asyncio.Lock:
        """A lock per key, so concurrent misses in one process fetch once."""
        return self._filling.setdefault(key, asyncio.Lock())

    @staticmethod
    def key(connection_id: object, resource: str, variant: str = "") -> str:
        return f"{PREFIX}{connection_id}:{resource}:{variant}"

    async def get(self, key: str) -> Any | None:
        if self.ttl <= 0:
            return None
        if self._redis is None:
            entry = self._local.get(key)
            if entry is None or entry[0] < time.monotonic():
                self._local.pop(key, None)
                return None
            return entry[1]
        raw = await self._redis.get(key)
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any) -> None:
        if self.ttl <= 0:
            return
        if self._redis is None:
            if len(self._local) >= MAX_LOCAL_ENTRIES:
                self._local.pop(next(iter(self._local)))
            self._local[key] = (time.monotonic() + self.ttl, value)
            return
        await self._redis.set(key, json.dumps(value), px=int(self.ttl * 1000))

    async def invalidate(self, connection_id: object, resource: str) -> None:
        """Forget every variant cached for one resource of one connection."""
        stem = f"{PREFIX}{connection_id}:{resource}:"
        if self._redis is None:
            for key in [k for k in self._local if k.startswith(stem)]:
                del self._local[key]
            return
        async for key in self._redis.scan_iter(match=stem + "*", count=100):
            await self._redis.delete(key)
