"""Pictures on loopback for the tests of what fetches them (the e-mail channel, the fake Telegram): real
PNG bytes, and a server on loopback (tests.support.loopback) that answers each path with its picture."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from tests.support.loopback import Answer, LoopbackServer, Seen

# The smallest JPEG start a reader recognises (SOI and an APP0 marker); enough for a signature check.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def png(width: int = 4, height: int = 3, shade: int = 0) -> bytes:
    """A valid greyscale PNG of width x height (shade 0-255 makes pictures of one size differ)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Picture:
    """What one path answers."""

    body: bytes
    content_type: str = "image/png"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow picture)


class PictureServer(LoopbackServer):
    """Serves `pictures` by path on 127.0.0.1 (anything else is 404); `requested` lists the paths asked."""

    def __init__(self, pictures: dict[str, Picture] | None = None) -> None:
        super().__init__(self._picture)
        self.pictures: dict[str, Picture] = dict(pictures or {})

    def _picture(self, request: Seen) -> Answer:
        picture = self.pictures.get(request.path)  # the path without its query
        if picture is None:
            picture = Picture(b"<Error><Code>NoSuchKey</Code></Error>", "application/xml", 404)
        return Answer(picture.status, picture.body, picture.content_type, picture.headers, picture.delay)

    @property
    def requested(self) -> list[str]:
        """The paths asked for, with their queries."""
        return [request.target for request in self.seen]
