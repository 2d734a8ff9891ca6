"""The otklik command line: sign webhook bodies; check and push the configuration; score, evaluate and
explain tonality."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from otklik.domain import tonality
from otklik.domain.signature import sign
from otklik.domain.tonality.evaluation import LABELS, Evaluation, feedback_text, run_evaluation
from otklik.domain.tonality.learned import LEXICON, SHIPPED, Model, shipped_model
from otklik.domain.tonality.overrides import NO_OVERRIDES, OverrideError, Overrides, parse_overrides
from otklik.entrypoints import (
    cli_dlq,
    cli_moderation,
    cli_ops,
    cli_poll,
    cli_reports,
    cli_rules,
    cli_sla,
    cli_topics,
    cli_train,
)
from otklik.entrypoints.cli_input import TextLines
from otklik.entrypoints.cli_progress import Progress

LOCAL_DEV_SECRET = "local-dev-secret"
FEEDBACK_KINDS = ("review", "question", "chat", "complaint", "survey")


def load_overrides(inline: str = "", file: str = "") -> Overrides:
    """Overrides from a JSON string and/or a JSON file; entries of the string win over the file's."""
    merged: dict[str, Any] = {}
    for origin, text in ((file, Path(file).read_text("utf-8") if file else ""), ("parameter", inline)):
        if not text.strip():
            continue
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise OverrideError(f"{origin}: tonality overrides are not valid JSON: {error}") from error
        parse_overrides(document, origin)
        merged.update(document)
    return parse_overrides(merged) if merged else NO_OVERRIDES


class CommandFailed(Exception):
    """A command cannot do what was asked; its message is the one line the user sees (exit 2)."""


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CommandFailed(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandFailed(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise CommandFailed(f"{path}: cannot be read: {error.strerror}") from None


def _sign(args: argparse.Namespace, out: TextIO) -> int:
    body = _read_bytes(args.file)
    secret = args.secret or os.environ.get("OTKLIK_WEBHOOK_SECRET") or LOCAL_DEV_SECRET
    timestamp = args.timestamp if args.timestamp is not None else int(time.time())
    out.write(sign(secret, body, timestamp) + "\n")
    return 0


# Lines (good ones) read before their texts are scored together (tonality.score_texts, stage by stage):
# a batch costs less than line by line. From a terminal each line is answered as it comes.
SCORE_LINES = 64
# json.dumps(..., ensure_ascii=False) as one encoder (dumps builds one a call for any non-default option).
_JSON_LINE = json.JSONEncoder(ensure_ascii=False).encode


def _score(args: argparse.Namespace, source: TextIO, out: TextIO, err: TextIO) -> int:
    lines = TextLines(source, err, check=_score_check)
    documents = iter(lines)
    batch = 1 if source.isatty() else SCORE_LINES
    while chunk := list(islice(documents, batch)):
        scores = tonality.score_texts(
            [document["text"] for document in chunk],
            [document.get("lang") for document in chunk],
            args.loaded_overrides,
            args.loaded_model,
            [document.get("kind") if document.get("kind") in FEEDBACK_KINDS else None for document in chunk],
        )
        for document, scored in zip(chunk, scores, strict=True):
            document["tonality"] = tonality.with_rating(
                scored, document.get("rating"), args.text_only
            ).model_dump()
        out.write("".join(_JSON_LINE(document) + "\n" for document in chunk))
    return lines.exit_code()


def _score_check(document: dict[str, Any]) -> None:
    """ValueError, with the reason, for a line of `tonality score` whose stars or language are not ones."""
    rating = document.get("rating")
    if rating is not None and (type(rating) is not int or not 1 <= rating <= 5):
        raise ValueError("'rating' must be a whole number of stars from 1 to 5")
    lang = document.get("lang")
    if lang is not None and lang not in ("ru", "en"):
        raise ValueError('\'lang\' must be "ru" or "en" when given')


def _load_model(choice: str) -> Model | str:
    """--model: "shipped", "lexicon", or a model file's path, read and checked."""
    if choice in (SHIPPED, LEXICON):
        return choice
    try:
        return Model.loads(_read_bytes(choice))
    except ValueError as error:
        raise CommandFailed(f"{choice}: {error}") from None


def _trained_on(model: Model | str, path: str) -> str | None:
    """The name of the training file of `model` that has the same bytes as `path`, if any."""
    layer = model if isinstance(model, Model) else shipped_model() if model == SHIPPED else None
    if layer is None:
        return None
    digest = hashlib.sha256(_read_bytes(path)).hexdigest()
    for described in (layer.manifest.get("data") or {}).values():
        if isinstance(described, dict) and described.get("sha256") == digest:
            return str(described.get("file"))
    return None


def _model(out: TextIO) -> int:
    layer = shipped_model()
    if layer is None:
        out.write("no learned layer is shipped (make model builds it): the lexicon scores alone\n")
        return 0
    manifest = layer.manifest
    out.write(
        f"model    {layer.version} (lexicon {manifest.get('lexicon')}, {layer.bits}-bit hashed features)\n"
    )
    out.write(
        f"kinds    {', '.join(layer.kinds)} in full; others at {layer.gate.other_kind:.0%} of the weight\n"
    )
    out.write(f"gate     {json.dumps(layer.gate.as_dict(), sort_keys=True)}\n")
    for name, described in sorted((manifest.get("data") or {}).items()):
        out.write(f"data     {name}: {described.get('file')}, {described.get('rows')} rows\n")
    cross = manifest.get("cross_validated") or {}
    out.write(
        f"\n{cross.get('folds', '?')}-fold cross-validated, text only (model never scored on what it saw)\n"
    )
    out.write(f"{'set':<14}{'engine':<14}{'macro-F1':>10}{'F1 pos/neg':>12}{'neg recall':>12}\n")
    for engine in ("lexicon", "model_alone", "blend"):
        for name, figures in sorted((cross.get(engine) or {}).items()):
            out.write(
                f"{name:<14}{engine:<14}{figures['macro_f1']:>10.4f}{figures['macro_f1_pos_neg']:>12.4f}"
                f"{figures['negative_recall']:>12.4f}\n"
            )
    return 0


def _read_rows(path: str, err: TextIO) -> list[dict[str, object]] | None:
    rows: list[dict[str, object]] = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if (
            not isinstance(row, dict)
            or row.get("label") not in LABELS
            or not isinstance(row.get("text"), str)
        ):
            err.write(
                f"{path}:{number}: each line needs a string 'text' and a 'label' in {', '.join(LABELS)}\n"
            )
            return None
        rows.append(row)
    return rows


def _print_evaluation(result: Evaluation, out: TextIO) -> None:
    out.write(f"texts            {result.count}\n")
    out.write(f"accuracy         {result.accuracy:.4f}\n")
    out.write(f"macro-F1         {result.macro_f1:.4f}\n")
    out.write(f"macro-F1 pos/neg {result.macro_f1_pos_neg:.4f}\n")
    out.write(f"texts per second {result.texts_per_second:.0f}\n\n")
    out.write(f"{'class':<10}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}\n")
    for label, scores in result.classes.items():
        out.write(
            f"{label:<10}{scores.precision:>10.4f}{scores.recall:>10.4f}{scores.f1:>10.4f}{scores.support:>10}\n"
        )
    out.write(
        f"\nconfusion (rows: gold, columns: predicted)\n{'':<10}" + "".join(f"{p:>10}" for p in LABELS) + "\n"
    )
    for gold in LABELS:
        out.write(f"{gold:<10}" + "".join(f"{result.confusion[gold][p]:>10}" for p in LABELS) + "\n")


def _eval(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    seen = _trained_on(args.loaded_model, args.file)
    if seen is not None:
        err.write(
            f"otklik: the learned layer was trained on {seen}, so its figures on this file would not be"
            " held out; `otklik tonality model` shows its cross-validated ones, and --model lexicon"
            " measures the lexicon alone\n"
        )
        return 2
    rows = _read_rows(args.file, err)
    if rows is None:
        return 1
    overrides = args.loaded_overrides
    progress = Progress(len(rows), "scored", err)

    def label_of(row: dict[str, object]) -> str:
        rating = row.get("rating") if args.with_ratings else None
        text = feedback_text(row)
        label = tonality.score(
            text,
            rating=rating if isinstance(rating, int) else None,
            overrides=overrides,
            model=args.loaded_model,
            kind="review",
        ).label
        progress.advance()
        return label

    with progress:
        result = run_evaluation(rows, label_of, time.perf_counter)
    if args.format == "json":
        out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
    else:
        _print_evaluation(result, out)
    return 0


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    lines = tonality.explain(
        args.text, lang=args.lang, overrides=args.loaded_overrides, model=args.loaded_model, kind=args.kind
    )
    for line in lines:
        out.write(line + "\n")
    return 0


def _checked_config(path: str, err: TextIO) -> bytes | None:
    """The file's bytes if it is a valid configuration document; else every problem on err, and None."""
    from otklik.domain.config import ConfigInvalid, parse_config

    text = _read_bytes(path)
    try:
        parse_config(text)
    except ConfigInvalid as invalid:
        for problem in invalid.problems:
            err.write(f"{path}: {problem}\n")
        return None
    return text


def _config_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if _checked_config(args.file, err) is None:
        return 2
    out.write(f"{args.file}: a valid configuration\n")
    return 0


def _config_push(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Validate, then upload as a new version of the bucket's object: a bad document never reaches AWS."""
    text = _checked_config(args.file, err)
    if text is None:
        err.write(f"{args.file}: not pushed\n")
        return 2
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = boto3.client("s3").put_object(
            Bucket=args.bucket, Key=args.key, Body=text, ContentType="application/yaml"
        )
    except (BotoCoreError, ClientError) as error:
        raise CommandFailed(f"s3://{args.bucket}/{args.key}: not pushed: {error}") from None
    version = answer.get("VersionId") or "unversioned"
    out.write(f"pushed {args.file} to s3://{args.bucket}/{args.key} (version {version}); ")
    out.write("functions take it within a minute\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="otklik", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    signer = commands.add_parser("sign", help="print the X-Otklik-Signature header value for a body")
    signer.add_argument("file", help="the exact body to send ('-' for stdin)")
    signer.add_argument("--secret", help="HMAC secret (default: $OTKLIK_WEBHOOK_SECRET or the local one)")
    signer.add_argument("--timestamp", type=int, help="unix seconds to sign with (default: now)")

    config = commands.add_parser("config", help="the configuration document (teams, routing, SLA, texts...)")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    checker = config_commands.add_parser(
        "check", help="exit 0 for a valid document, 2 with every problem named by its path"
    )
    checker.add_argument("file", help="the YAML document ('-' for stdin)")
    pusher = config_commands.add_parser(
        "push", help="check the document, then upload it to the stack's ConfigBucket (AWS credentials)"
    )
    pusher.add_argument("file", help="the YAML document")
    pusher.add_argument("--bucket", required=True, help="the stack's ConfigBucketName output")
    pusher.add_argument("--key", default="otklik.yaml", help="the object key the functions read")

    tone = commands.add_parser("tonality", help="tonality of feedback texts")
    tone_commands = tone.add_subparsers(dest="tonality_command", required=True)
    overrides = argparse.ArgumentParser(add_help=False)
    overrides.add_argument(
        "--overrides", metavar="FILE", help="JSON file of lexicon overrides: term -> valence"
    )
    overrides.add_argument(
        "--model",
        default="shipped",
        metavar="shipped|lexicon|FILE",
        help="the learned layer over the lexicon: the shipped one (default), none, or a model file (.otm)",
    )
    scorer = tone_commands.add_parser(
        "score", parents=[overrides], help="JSON lines in (text, lang?, rating?), tonality added out"
    )
    scorer.add_argument("--text-only", action="store_true", help="ignore ratings, score the text alone")
    evaluator = tone_commands.add_parser(
        "eval",
        parents=[overrides],
        help="accuracy, macro-F1, per class P/R/F1, confusion, speed on labelled lines",
    )
    evaluator.add_argument("file", help="JSON lines with text (and title/pros/cons), label, optional rating")
    evaluator.add_argument("--format", choices=("text", "json"), default="text")
    evaluator.add_argument(
        "--with-ratings", action="store_true", help="also use the stars (default: text only, as measured)"
    )
    explainer = tone_commands.add_parser(
        "explain", parents=[overrides], help="which words and rules moved the score"
    )
    explainer.add_argument("text")
    explainer.add_argument("--lang", choices=("ru", "en"))
    explainer.add_argument("--kind", choices=FEEDBACK_KINDS, help="the feedback's kind (default: a review)")
    tone_commands.add_parser(
        "model", help="the shipped learned layer: its version, size, data and cross-validated figures"
    )
    cli_train.add_parser(tone_commands)

    cli_moderation.add_parser(commands)
    cli_topics.add_parser(commands)
    cli_sla.add_parser(commands)
    cli_rules.add_parser(commands)
    cli_reports.add_parser(commands)
    cli_ops.add_parser(commands)
    cli_poll.add_parser(commands)
    cli_dlq.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except CommandFailed as failure:
        sys.stderr.write(f"otklik: {failure}\n")
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "sign":
        return _sign(args, sys.stdout)
    if args.command == "config":
        if args.config_command == "check":
            return _config_check(args, sys.stdout, sys.stderr)
        return _config_push(args, sys.stdout, sys.stderr)
    if args.command == "moderate":
        return cli_moderation.run(args, sys.stdin, sys.stdout, sys.stderr)
    if args.command == "topics":
        return cli_topics.run(args, sys.stdin, sys.stdout, sys.stderr)
    if args.command == "sla":
        return cli_sla.run(args, sys.stdout, sys.stderr)
    if args.command == "rules":
        return cli_rules.run(args, sys.stdout, sys.stderr)
    if args.command == "reports":
        return cli_reports.run(args, sys.stdout, sys.stderr)
    if args.command in cli_ops.COMMANDS:
        return cli_ops.run(args, sys.stdout, sys.stderr)
    if args.command in cli_poll.COMMANDS:
        return cli_poll.run(args, sys.stdout, sys.stderr)
    if args.command == "dlq":
        return cli_dlq.run(args, sys.stdin, sys.stdout, sys.stderr)
    if args.tonality_command == "train":
        return cli_train.run(args, sys.stdout, sys.stderr)
    if args.tonality_command == "model":
        return _model(sys.stdout)
    try:
        args.loaded_overrides = load_overrides(file=args.overrides) if args.overrides else NO_OVERRIDES
    except (OverrideError, OSError) as error:
        sys.stderr.write(f"otklik: {error}\n")
        return 2
    args.loaded_model = _load_model(args.model)
    if args.tonality_command == "eval":
        return _eval(args, sys.stdout, sys.stderr)
    if args.tonality_command == "explain":
        return _explain(args, sys.stdout)
    return _score(args, sys.stdin, sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
