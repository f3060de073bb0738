"""How Graph URLs name a driveItem: by id, by path below an item, or both.

Forms accepted after a drive (``/me/drive`` or ``/drives/{id}``)::

    /root                         /items/{id}
    /root:/a/b.txt:               /items/{id}:/b.txt:
    /root:/a/b.txt                /items/root:/a/b.txt:
    ...followed by an action:     /content, /children, /createLink, ...

Paths arrive percent-decoded (the server decodes ``%3A`` and ``%2F`` before we
see them), so the colon syntax reads the same whichever way the client encoded it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import invalid_request


@dataclass(frozen=True)
class ItemAddress:
    base: str
    segments: tuple[str, ...]
    action: tuple[str, ...]

    @property
    def by_path(self) -> bool:
        return bool(self.segments)


def parse_item_address(rest: str) -> ItemAddress:
    """Split what follows the drive into base item, path below it and action."""
    if rest == "/root" or rest.startswith(("/root/", "/root:")):
        base, tail = "root", rest[len("/root") :]
    elif rest.startswith("/items/"):
        tail = rest[len("/items/") :]
        cut = min((i for i in (tail.find("/"), tail.find(":")) if i >= 0), default=-1)
        base, tail = (tail, "") if cut < 0 else (tail[:cut], tail[cut:])
        if not base:
            raise invalid_request("An item id is required after /items/.")
    else:
        segment = rest.strip("/").split("/", 1)[0]
        raise invalid_request(f"Resource not found for the segment '{segment}'.")

    segments: tuple[str, ...] = ()
    if tail.startswith(":"):
        path, closed, tail = tail[1:].partition(":")
        segments = tuple(s for s in path.split("/") if s)
        if not closed:
            tail = ""
    action = tuple(s for s in tail.split("/") if s)
    return ItemAddress(base, segments, action)
