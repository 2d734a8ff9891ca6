"""Fake Telegram Bot API on loopback: sendMessage, sendPhoto and getMe, with Telegram's checks and errors.

Not a FakeMarketplace: the Bot API puts the token in the path, checks it before the method, answers
every call in one envelope ({"ok", "result"} or {"ok", "error_code", "description", "parameters"}),
and a chat can refuse a message (blocked, gone, upgraded) where a marketplace has none of that.

sendPhoto fetches its URL as Telegram does, but only from loopback (127.0.0.1, localhost), so a test
never reaches out; the fetch runs outside the fake's lock, so a slow picture holds up no other request.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.client import HTTPException
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast
from urllib.parse import parse_qsl, urlsplit

logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-TOKEN"
MAX_TEXT_CHARS = 4096  # a message's text after entity parsing
MAX_CAPTION_CHARS = 1024  # a photo's caption after entity parsing
MAX_BODY_BYTES = 10 * 1024 * 1024
# A photo Telegram fetches by URL: from these hosts only (the fake's own rule), within PHOTO_TIMEOUT_SECONDS,
# at most MAX_PHOTO_BYTES, a PNG or a JPEG.
PHOTO_HOSTS = frozenset({"127.0.0.1", "localhost"})
PHOTO_TIMEOUT_SECONDS = 5.0
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
NOT_FETCHED = "Bad Request: failed to get HTTP URL content"
NOT_A_PICTURE = "Bad Request: wrong type of the web page content"

# The tags of the Bot API's HTML style (formatting options, "HTML style"), lower-case.
SUPPORTED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "blockquote",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
BUTTON_SCHEMES = ("http://", "https://", "tg://")

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?$")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTRIBUTE = re.compile(r"""([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    420: "Flood",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
BOT = {
    "id": 0,  # the number before the token's colon, as Telegram's getMe answers it
    "is_bot": True,
    "first_name": "otklik test bot",
    "username": "otklik_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class EntityError(ValueError):
    """Telegram cannot parse a text's HTML; the message is what follows "can't parse entities: "."""


def _offset(source: str, index: int) -> int:
    """Telegram reports positions in bytes of the UTF-8 text."""
    return len(source[:index].encode("utf-8"))


def _entity(source: str, index: int) -> tuple[str, int]:
    """The character the entity at source[index] ("&...;") stands for, and the index after it."""
    found = _ENTITY.match(source, index)
    if found is None:
        # Telegram keeps a bare "&" as text; the fake refuses it so that a missing escape shows in tests.
        raise EntityError(f"Can't find end of the entity starting at byte offset {_offset(source, index)}")
    name = found.group(1)
    if name.startswith("#"):
        number = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
        if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
            raise EntityError(
                f'Invalid character reference "&{name};" at byte offset {_offset(source, index)}'
            )
        return chr(number), found.end()
    if name not in NAMED_ENTITIES:
        raise EntityError(f'Unsupported HTML entity "&{name};" at byte offset {_offset(source, index)}')
    return NAMED_ENTITIES[name], found.end()


def _decode_entities(value: str) -> str:
    """An attribute's value with its entities decoded (offsets are reported within the value)."""
    out: list[str] = []
    index = 0
    while index < len(value):
        if value[index] == "&":
            character, index = _entity(value, index)
            out.append(character)
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def _start_tag(source: str, index: int) -> tuple[str, dict[str, str], int]:
    """The start tag at source[index] ("<"): its lower-case name, its attributes, the index after ">"."""
    name_match = _TAG_NAME.match(source, index + 1)
    if name_match is None:
        raise EntityError(f'Unsupported start tag "" at byte offset {_offset(source, index)}')
    name = name_match.group(0).lower()
    if name not in SUPPORTED_TAGS:
        raise EntityError(f'Unsupported start tag "{name}" at byte offset {_offset(source, index)}')
    attributes: dict[str, str] = {}
    position = name_match.end()
    while True:
        while position < len(source) and source[position].isspace():
            position += 1
        if position >= len(source):
            raise EntityError(f"Unclosed start tag at byte offset {_offset(source, index)}")
        if source[position] == ">":
            return name, attributes, position + 1
        attribute = _ATTRIBUTE.match(source, position)
        if attribute is None or attribute.end() == position:
            raise EntityError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {_offset(source, index)}"
            )
        raw = next((part for part in attribute.groups()[1:] if part is not None), "")
        attributes[attribute.group(1).lower()] = _decode_entities(raw)
        position = attribute.end()


def parse_html(source: str) -> str:
    """The text Telegram shows for `source` sent with parse_mode HTML: tags dropped, entities decoded.

    Raises EntityError where Telegram answers "Bad Request: can't parse entities: ...": an unsupported
    tag, a span without class "tg-spoiler", a tag left open or closed out of order, an unknown entity.
    """
    out: list[str] = []
    open_tags: list[str] = []
    index = 0
    while index < len(source):
        character = source[index]
        if character == "&":
            decoded, index = _entity(source, index)
            out.append(decoded)
            continue
        if character != "<":
            out.append(character)
            index += 1
            continue
        if source.startswith("</", index):
            end = source.find(">", index)
            if end == -1:
                raise EntityError(f"Unclosed end tag at byte offset {_offset(source, index)}")
            name = source[index + 2 : end].strip().lower()
            if not open_tags:
                raise EntityError(f"Unexpected end tag at byte offset {_offset(source, index)}")
            expected = open_tags.pop()
            if name != expected:
                raise EntityError(
                    f"Unmatched end tag at byte offset {_offset(source, index)}, "
                    f'expected "</{expected}>", found "</{name}>"'
                )
            index = end + 1
            continue
        name, attributes, after = _start_tag(source, index)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_offset(source, index)}'
            )
        open_tags.append(name)
        index = after
    if open_tags:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(out)


class BotApiError(Exception):
    """A call Telegram refuses; the fake answers it in the Bot API's error form."""

    def __init__(
        self,
        status: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        self.status = status
        self.description = description or _DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id
        super().__init__(f"{status}: {self.description}")

    def answer(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, body, headers) as the Bot API sends them."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        parameters: dict[str, int] = {}
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
            headers["Retry-After"] = str(self.retry_after)
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return self.status, body, headers


def _bad_request(problem: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {problem}")


@dataclass(frozen=True)
class SentMessage:
    """A message the fake accepted. text and caption are as sent (HTML); shown is what a person sees."""

    message_id: int
    method: str  # sendMessage or sendPhoto
    chat_id: str
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    photo: str | None
    caption: str | None
    shown: str
    link_preview_options: dict[str, Any] | None
    at: datetime
    # What the fake fetched from a sendPhoto's URL: the bytes and their Content-Type (image/png...).
    photo_bytes: bytes | None = field(default=None, repr=False)
    photo_type: str | None = None

    @property
    def photo_size(self) -> int | None:
        """How many bytes the photo had; None for a message without one."""
        return None if self.photo_bytes is None else len(self.photo_bytes)


@dataclass(frozen=True)
class BotApiCall:
    """One request the fake received: the Bot API method named in its path, its parameters, the answer."""

    http_method: str
    method: str
    params: dict[str, Any]
    status: int
    description: str | None  # Telegram's words for a refusal; None when it answered ok
    at: datetime


@dataclass
class _Fault:
    error: BotApiError
    remaining: int


@dataclass(frozen=True)
class _Photo:
    """A picture fetched from a sendPhoto's URL."""

    data: bytes
    media_type: str

    @property
    def size(self) -> tuple[int, int]:
        """(width, height): a PNG's from its header; 800 x 600 for a JPEG, which the fake does not read."""
        if self.media_type == "image/png" and len(self.data) >= 24:
            return int.from_bytes(self.data[16:20], "big"), int.from_bytes(self.data[20:24], "big")
        return 800, 600


class _LoopbackRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another loopback URL."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).hostname not in PHOTO_HOSTS:
            raise BotApiError(400, NOT_FETCHED)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_photo(url: str) -> _Photo:
    """The picture at a loopback http(s) URL, as Telegram's fetch would take it; BotApiError with
    Telegram's words when it would not: unreachable or not loopback (failed to get HTTP URL content), not
    a PNG or JPEG by its Content-Type and its bytes (wrong type of the web page content)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if host not in PHOTO_HOSTS:
        raise BotApiError(400, NOT_FETCHED)
    # No proxy: a proxy from the environment must not see, nor answer for, loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _LoopbackRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": "TelegramBot (like TwitterBot)"})
    try:
        with opener.open(request, timeout=PHOTO_TIMEOUT_SECONDS) as answer:
            media_type = answer.headers.get_content_type()
            data = answer.read(MAX_PHOTO_BYTES + 1)
    except (OSError, HTTPException, ValueError) as error:  # URLError and HTTPError are OSErrors
        raise BotApiError(400, NOT_FETCHED) from error
    if len(data) > MAX_PHOTO_BYTES:
        raise BotApiError(400, NOT_FETCHED)
    signature = PHOTO_TYPES.get(media_type)
    if signature is None or not data.startswith(signature):
        raise BotApiError(400, NOT_A_PICTURE)
    return _Photo(data, media_type)


def _chat_key(chat_id: int | str) -> str:
    return str(chat_id).strip()


def _chat(chat_id: str) -> dict[str, Any]:
    """The chat object of a message to `chat_id`, of the type its id says."""
    if chat_id.startswith("@"):
        return {
            # A channel's numeric id, the same on every run for the same name.
            "id": -1000000000000 - zlib.crc32(chat_id.encode("utf-8")),
            "type": "channel",
            "title": chat_id[1:],
            "username": chat_id[1:],
        }
    number = int(chat_id)
    if number > 0:
        return {"id": number, "type": "private", "first_name": "Test", "username": f"user{number}"}
    kind = "supergroup" if chat_id.startswith("-100") else "group"
    return {"id": number, "type": kind, "title": f"Test {kind} {number}"}


class FakeTelegram:
    """The part of the Bot API otklik uses, on loopback. Every request runs under one lock, so knobs
    set from a test thread and serving are thread-safe and a scripted fault is used by one request."""

    platform = "telegram"

    def __init__(self, token: str = DEFAULT_TOKEN, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.host = host
        self.requested_port = port
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._messages: list[SentMessage] = []
        self._calls: list[BotApiCall] = []
        self._faults: list[_Fault] = []
        self._photo_faults: list[_Fault] = []
        self._hangs: list[float] = []
        self._blocked: set[str] = set()
        self._forgotten: set[str] = set()
        self._migrated: dict[str, int] = {}
        self._message_ids: dict[str, int] = {}
        bot_id = token.partition(":")[0]
        self.bot: dict[str, Any] = {**BOT, "id": int(bot_id) if bot_id.isdigit() else 0}
        self._server: _BotApiServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _BotApiServer((self.host, self.requested_port), _BotApiHandler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-telegram", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; a request held by hang_next is answered at once."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self._stopping.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("fake telegram is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The Bot API's root, e.g. http://127.0.0.1:41237: requests go to {url}/bot{token}/{method}."""
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------ knobs

    def fail_next(
        self, status: int, times: int = 1, retry_after: int | None = None, description: str | None = None
    ) -> None:
        """Answer the next `times` requests (any method) with `status` in the Bot API's error form.

        description defaults to Telegram's word for the status ("Bad Gateway"); retry_after adds
        parameters.retry_after and a Retry-After header. Calls queue up: the first is used first.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            error = BotApiError(status, description, retry_after=retry_after)
            self._faults.append(_Fault(error, times))

    def rate_limit_next(self, retry_after: int, times: int = 1) -> None:
        """Answer the next `times` requests with 429 "Too Many Requests: retry after N", with
        parameters.retry_after and a Retry-After header (queued with fail_next's faults)."""
        self.fail_next(429, times, retry_after, f"Too Many Requests: retry after {retry_after}")

    def fail_photo_fetch(self, times: int = 1, description: str = NOT_FETCHED) -> None:
        """The next `times` sendPhoto requests that get as far as their photo are refused with 400
        `description` ("Bad Request: failed to get HTTP URL content"), as when Telegram cannot fetch the
        URL; other methods and earlier refusals are untouched. Calls queue up."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._photo_faults.append(_Fault(BotApiError(400, description), times))

    def block(self, chat_id: int | str) -> None:
        """The user blocked the bot: messages to the chat get 403 "Forbidden: bot was blocked by the user"."""
        with self._lock:
            self._blocked.add(_chat_key(chat_id))

    def forget_chat(self, chat_id: int | str) -> None:
        """The chat is gone (or never talked to the bot): 400 "Bad Request: chat not found"."""
        with self._lock:
            self._forgotten.add(_chat_key(chat_id))

    def migrate_chat(self, chat_id: int | str, to_chat_id: int) -> None:
        """The group became a supergroup: messages to the old id get 400 naming the new one
        (parameters.migrate_to_chat_id)."""
        with self._lock:
            self._migrated[_chat_key(chat_id)] = to_chat_id

    def hang_next(self, seconds: float) -> None:
        """Handle the next request as usual (a message is recorded), and answer it only after `seconds`,
        so that a client with a shorter timeout gives up after the message was taken. Calls queue up."""
        if seconds <= 0:
            raise ValueError("seconds must be > 0")
        with self._lock:
            self._hangs.append(seconds)

    def clear(self) -> None:
        """Back to a fresh fake: no messages, no requests, no queued faults (photo fetches too) or hangs,
        every chat reachable."""
        with self._lock:
            self._messages.clear()
            self._calls.clear()
            self._faults.clear()
            self._photo_faults.clear()
            self._hangs.clear()
            self._blocked.clear()
            self._forgotten.clear()
            self._migrated.clear()
            self._message_ids.clear()

    # ------------------------------------------------------------ recorded state

    @property
    def messages(self) -> list[SentMessage]:
        """Every message the fake accepted, oldest first."""
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> list[BotApiCall]:
        """Every request, oldest first, with the status it was answered."""
        with self._lock:
            return list(self._calls)

    def messages_to(self, chat_id: int | str) -> list[SentMessage]:
        key = _chat_key(chat_id)
        with self._lock:
            return [message for message in self._messages if message.chat_id == key]

    # ------------------------------------------------------------ serving

    def _serve(
        self, http_method: str, path: str, query: str, content_type: str, body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, body, headers) for one request, after waiting out a hang outside the lock."""
        photo = self._prefetch(path, query, content_type, body)
        with self._lock:
            method = ""
            params: dict[str, Any] = {}
            try:
                method = self._method(path)
                params = self._params(query, content_type, body)
                result = self._call(method, params, photo)
            except BotApiError as error:
                status, answer, headers = error.answer()
                description: str | None = error.description
            else:
                status, answer, headers, description = 200, {"ok": True, "result": result}, {}, None
            now = datetime.now(UTC)
            self._calls.append(BotApiCall(http_method, method, params, status, description, now))
            hang = self._hangs.pop(0) if self._hangs else 0.0
        if hang:
            self._stopping.wait(hang)
        return status, answer, headers

    def _prefetch(self, path: str, query: str, content_type: str, body: bytes) -> _Photo | BotApiError | None:
        """A sendPhoto's picture, fetched before the lock is taken (or why it could not be), for _send to
        use or refuse in its turn, after the checks that come first; None for any other request."""
        try:
            method = self._method(path)
            params = self._params(query, content_type, body)
        except BotApiError:
            return None  # refused before its photo matters, under the lock
        url = params.get("photo")
        if method.lower() != "sendphoto" or not isinstance(url, str):
            return None
        if not url.lower().startswith(("http://", "https://")):
            return None
        try:
            return fetch_photo(url)
        except BotApiError as error:
            return error

    def _method(self, path: str) -> str:
        """The Bot API method a path names, once its token is the bot's."""
        found = _PATH.match(path)
        if found is None:
            raise BotApiError(404)
        if found.group("token") != self.token:
            raise BotApiError(401)
        return found.group("method")

    @staticmethod
    def _params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
        """A request's parameters: its query string, and a form or a JSON object in its body."""
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        if body.strip():
            media_type = content_type.split(";", maxsplit=1)[0].strip().lower()
            if media_type == "application/json":
                try:
                    parsed = json.loads(body)
                except (json.JSONDecodeError, UnicodeDecodeError) as error:
                    raise _bad_request("can't parse JSON object") from error
                if not isinstance(parsed, dict):
                    raise _bad_request("JSON object expected")
                params.update(parsed)
            elif media_type == "application/x-www-form-urlencoded":
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            else:
                raise _bad_request(f"unsupported Content-Type {media_type!r} (the fake reads JSON and forms)")
        return params

    def _call(self, method: str, params: dict[str, Any], photo: _Photo | BotApiError | None = None) -> Any:
        """The result of a Bot API method (case-insensitive, as Telegram's are)."""
        name = method.lower()
        if self._faults:
            fault = self._faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.pop(0)
            raise fault.error
        if name == "getme":
            return dict(self.bot)
        if name == "sendmessage":
            return self._send(params, "sendMessage")
        if name == "sendphoto":
            return self._send(params, "sendPhoto", photo)
        raise BotApiError(404)

    def _send(
        self, params: dict[str, Any], method: str, fetched: _Photo | BotApiError | None = None
    ) -> dict[str, Any]:
        chat_id = self._reachable_chat(params.get("chat_id"))
        parse_mode = params.get("parse_mode") or None
        if parse_mode is not None and (
            not isinstance(parse_mode, str) or parse_mode.lower() not in ("html", "markdown", "markdownv2")
        ):
            raise _bad_request(f"unsupported parse_mode {parse_mode!r}")
        reply_markup = _reply_markup(params.get("reply_markup"))
        text = caption = photo = None
        link_preview = None
        if method == "sendMessage":
            text = _string(params.get("text"), "text")
            shown = _shown(text, parse_mode).strip()
            if not shown:
                raise _bad_request("message text is empty")
            if len(shown) > MAX_TEXT_CHARS:
                raise _bad_request("message is too long")
            link_preview = _json_field(params.get("link_preview_options"), "link_preview_options")
        else:
            photo = _photo(params.get("photo"))
            caption = _string(params.get("caption"), "caption")
            shown = _shown(caption, parse_mode).strip() if caption is not None else ""
            if len(shown) > MAX_CAPTION_CHARS:
                raise _bad_request("message caption is too long")
            fetched = self._fetched_photo(fetched)
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        now = datetime.now(UTC)
        self._messages.append(
            SentMessage(
                message_id=message_id,
                method=method,
                chat_id=chat_id,
                text=text,
                parse_mode=parse_mode,
                reply_markup=copy.deepcopy(reply_markup),
                photo=photo,
                caption=caption,
                shown=shown,
                link_preview_options=copy.deepcopy(link_preview),
                at=now,
                photo_bytes=fetched.data if isinstance(fetched, _Photo) else None,
                photo_type=fetched.media_type if isinstance(fetched, _Photo) else None,
            )
        )
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(self.bot),
            "chat": _chat(chat_id),
            "date": int(time.time()),
        }
        if method == "sendMessage":
            message["text"] = shown
        else:
            width, height = fetched.size if isinstance(fetched, _Photo) else (800, 600)
            message["photo"] = [
                {
                    "file_id": f"fake-photo-{chat_id}-{message_id}",
                    "file_unique_id": f"p{message_id}",
                    "file_size": len(fetched.data) if isinstance(fetched, _Photo) else 0,
                    "width": width,
                    "height": height,
                }
            ]
            if shown:
                message["caption"] = shown
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        return message

    def _fetched_photo(self, fetched: _Photo | BotApiError | None) -> _Photo:
        """The photo fetched for this request, unless a fail_photo_fetch knob or the fetch refuses it."""
        if self._photo_faults:
            fault = self._photo_faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._photo_faults.pop(0)
            raise fault.error
        if isinstance(fetched, BotApiError):
            raise fetched
        if fetched is None:
            raise BotApiError(400, NOT_FETCHED)
        return fetched

    def _reachable_chat(self, value: Any) -> str:
        """The chat's key when the bot may write to it; the refusal Telegram answers when it may not."""
        if value is None or (isinstance(value, str) and not value.strip()):
            raise _bad_request("chat_id is empty")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _bad_request("chat not found")
        key = _chat_key(value)
        if not (key.startswith("@") or re.fullmatch(r"-?[0-9]+", key)):
            raise _bad_request("chat not found")
        if key in self._migrated:
            raise BotApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self._migrated[key],
            )
        if key in self._forgotten:
            raise _bad_request("chat not found")
        if key in self._blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        return key


def _string(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad_request(f'field "{field}" must be of type String')
    return value


def _shown(text: str | None, parse_mode: str | None) -> str:
    """What a person sees of a text; Markdown modes are not emulated and read as plain text."""
    if text is None:
        return ""
    if parse_mode is None or parse_mode.lower() != "html":
        return text
    try:
        return parse_html(text)
    except EntityError as error:
        raise _bad_request(f"can't parse entities: {error}") from error


def _json_field(value: Any, field: str) -> dict[str, Any] | None:
    """An object parameter: a JSON object, or in a form or query string its JSON-serialized text."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise _bad_request(f"can't parse {field} JSON object") from error
    if not isinstance(value, dict):
        raise _bad_request(f"can't parse {field} JSON object")
    return cast(dict[str, Any], value)


def _reply_markup(value: Any) -> dict[str, Any] | None:
    """reply_markup when it is an inline keyboard of buttons that each have text and a url or callback."""
    markup = _json_field(value, "reply keyboard markup")
    if markup is None:
        return None
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise _bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise _bad_request("can't parse inline keyboard button: Text must be non-empty")
            url = button.get("url")
            if url is None and button.get("callback_data") is None:
                raise _bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if url is not None and (not isinstance(url, str) or not url.lower().startswith(BUTTON_SCHEMES)):
                raise _bad_request(f"inline keyboard button URL {url!r} is invalid: Wrong HTTP URL")
    return markup


def _photo(value: Any) -> str:
    """The photo parameter as the fake takes it: an http(s) URL Telegram would fetch."""
    if value is None or value == "":
        raise _bad_request("there is no photo in the request")
    if not isinstance(value, str) or not value.lower().startswith(("http://", "https://")):
        raise _bad_request("wrong file identifier/HTTP URL specified")
    return value


class _BotApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeTelegram


class _BotApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "otklik-fake-telegram/1"

    def _handle(self) -> None:
        fake = cast(_BotApiServer, self.server).fake
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            status, body, headers = BotApiError(413, "Request Entity Too Large").answer()
            self.close_connection = True
        else:
            raw = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            status, body, headers = fake._serve(
                self.command, split.path, split.query, self.headers.get("Content-Type") or "", raw
            )
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (hang_next): nobody is left to answer.
            self.close_connection = True

    do_GET = do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)
