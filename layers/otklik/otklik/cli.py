"""The otklik command line: sign webhook bodies, score tonality of JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from otklik import tonality
from otklik.signature import sign

LOCAL_DEV_SECRET = "local-dev-secret"


def _sign(args: argparse.Namespace, out: TextIO) -> int:
    body = Path(args.file).read_bytes() if args.file != "-" else sys.stdin.buffer.read()
    secret = args.secret or os.environ.get("OTKLIK_WEBHOOK_SECRET") or LOCAL_DEV_SECRET
    timestamp = args.timestamp if args.timestamp is not None else int(time.time())
    out.write(sign(secret, body, timestamp) + "\n")
    return 0


def _score(args: argparse.Namespace, source: TextIO, out: TextIO, err: TextIO) -> int:
    failures = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
            if not isinstance(document, dict) or not isinstance(document.get("text"), str):
                raise ValueError("each line must be a JSON object with a string 'text'")
            rating = document.get("rating")
            if rating is not None and (type(rating) is not int or not 1 <= rating <= 5):
                raise ValueError("'rating' must be a whole number of stars from 1 to 5")
            lang = document.get("lang")
            if lang is not None and lang not in ("ru", "en"):
                raise ValueError('\'lang\' must be "ru" or "en" when given')
        except ValueError as error:
            err.write(f"line {number}: {error}\n")
            failures += 1
            continue
        tone = tonality.score(document["text"], lang=lang, rating=rating, text_only=args.text_only)
        document["tonality"] = tone.model_dump()
        out.write(json.dumps(document, ensure_ascii=False) + "\n")
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="otklik", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    signer = commands.add_parser("sign", help="print the X-Otklik-Signature header value for a body")
    signer.add_argument("file", help="the exact body to send ('-' for stdin)")
    signer.add_argument("--secret", help="HMAC secret (default: $OTKLIK_WEBHOOK_SECRET or the local one)")
    signer.add_argument("--timestamp", type=int, help="unix seconds to sign with (default: now)")

    tone = commands.add_parser("tonality", help="tonality of feedback texts")
    tone_commands = tone.add_subparsers(dest="tonality_command", required=True)
    scorer = tone_commands.add_parser("score", help="JSON lines in, tonality added out")
    scorer.add_argument("--text-only", action="store_true", help="ignore ratings, score the text alone")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sign":
        return _sign(args, sys.stdout)
    return _score(args, sys.stdin, sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
