"""Pictures on loopback for the tests of what fetches them (the e-mail channel, the fake Telegram): real
PNG bytes, and a tiny HTTP server that answers each path as told and records what was asked."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast

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


class PictureServer:
    """Serves `pictures` by path on 127.0.0.1 (anything else is 404); `requested` lists the paths asked."""

    def __init__(self, pictures: dict[str, Picture] | None = None) -> None:
        self.pictures: dict[str, Picture] = dict(pictures or {})
        self.requested: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Self:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requested.append(self.path)
                picture = server.pictures.get(self.path.split("?", 1)[0])
                if picture is None:
                    picture = Picture(b"<Error><Code>NoSuchKey</Code></Error>", "application/xml", 404)
                if picture.delay:
                    time.sleep(picture.delay)
                self.send_response(picture.status)
                self.send_header("Content-Type", picture.content_type)
                self.send_header("Content-Length", str(len(picture.body)))
                for name, value in picture.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(picture.body)

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return cast(int, self._server.server_address[1])

    def url(self, path: str) -> str:
        """The picture's URL, e.g. url("/volume.png") -> http://127.0.0.1:41234/volume.png."""
        return f"http://127.0.0.1:{self.port}{path}"
