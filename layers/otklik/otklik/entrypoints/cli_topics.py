"""`otklik topics detect` and `otklik topics eval`: topics with their polarity and evidence.

detect reads JSON lines (a string `text`, optionally `lang`: "ru" or "en") and writes each back with
`topics`: a list of {"topic", "polarity", "evidence"}, where evidence is the span of the text that names
the topic. eval reads hand-labelled lines (`text`, `topics`: {topic: polarity}) and prints per-topic
precision, recall and F1, micro and macro F1 of presence, micro F1 of (topic, negative) pairs and the
polarity accuracy on the topics found (`--format json` for machines). `--config FILE` adds the topics and
words of a configuration document.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, TextIO

from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.domain.topics.mentions import TopicPolarity
from otklik.domain.topics.seller import NO_SELLER_TOPICS, SellerTopics
from otklik.entrypoints.cli_input import TextLines, config_from

POLARITIES: tuple[TopicPolarity, ...] = ("negative", "neutral", "positive")


def add_parser(commands: Any) -> None:
    """Register `topics` (detect, eval) on the command line's subcommands."""
    topics = commands.add_parser("topics", help="topics of feedback texts, each with its own polarity")
    topic_commands = topics.add_subparsers(dest="topics_command", required=True)
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config", metavar="FILE", help="a configuration document whose topics (custom, words) apply"
    )
    topic_commands.add_parser(
        "detect", parents=[config], help="JSON lines in (text, lang?), topics with polarity and evidence out"
    )
    evaluator = topic_commands.add_parser(
        "eval",
        parents=[config],
        help="per-topic P/R/F1, micro/macro F1, (topic, negative) F1, polarity accuracy on labelled lines",
    )
    evaluator.add_argument("file", help="JSON lines with text and topics ({topic: polarity})")
    evaluator.add_argument("--format", choices=("text", "json"), default="text")


def _seller_topics(path: str | None, err: TextIO) -> SellerTopics | None:
    """The topics of the document at path (none without one); None if it cannot be used."""
    if not path:
        return NO_SELLER_TOPICS
    config = config_from(path, err)
    return config.topics.seller_topics() if config is not None else None


def _lang(document: dict[str, Any]) -> str | None:
    lang = document.get("lang")
    if lang is not None and lang not in ("ru", "en"):
        raise ValueError('\'lang\' must be "ru" or "en" when given')
    return lang


def _detect(extra: SellerTopics, source: TextIO, out: TextIO, err: TextIO) -> int:
    from otklik.domain.topics import topics_of

    lines = TextLines(source, err, check=_lang)
    for document in lines:
        mentions = topics_of(document["text"], _lang(document), extra)
        document["topics"] = [mention.as_output() for mention in mentions]
        out.write(json.dumps(document, ensure_ascii=False) + "\n")
    return lines.exit_code()


def read_labelled(path: str, err: TextIO) -> list[dict[str, Any]] | None:
    """The rows of a labelled file, or None (each bad line named on err)."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except OSError as error:
        err.write(f"otklik: {path}: cannot be read: {error.strerror}\n")
        return None
    rows: list[dict[str, Any]] = []
    bad = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = read_json_object(line)
            labels = row.get("topics")
            if not isinstance(row.get("text"), str) or not isinstance(labels, dict):
                raise ValueError("each line needs a string 'text' and 'topics': {topic: polarity}")
            if any(polarity not in POLARITIES for polarity in labels.values()):
                raise ValueError(f"each topic's polarity is one of {', '.join(POLARITIES)}")
            _lang(row)
        except (UnreadableJson, ValueError) as error:
            err.write(f"{path}:{number}: {str(error).replace('the body', 'the line')}\n")
            bad = True
            continue
        rows.append(row)
    return None if bad else rows


def _print(result: Any, out: TextIO) -> None:
    out.write(f"texts                       {result.count}\n")
    out.write(f"micro-F1 presence           {result.micro_f1:.4f}\n")
    out.write(f"macro-F1 presence           {result.macro_f1:.4f}\n")
    out.write(f"micro-F1 (topic, negative)  {result.negative_micro_f1:.4f}\n")
    out.write(
        f"polarity accuracy           {result.polarity_accuracy:.4f}"
        f"  (on {result.polarity_support} topics found that are in the labels)\n"
    )
    out.write(f"texts per second            {result.texts_per_second:.0f}\n\n")
    out.write(f"{'topic':<24}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}{'found':>10}\n")
    for topic, scores in result.topics.items():
        out.write(
            f"{topic:<24}{scores.precision:>10.4f}{scores.recall:>10.4f}{scores.f1:>10.4f}"
            f"{scores.support:>10}{scores.predicted:>10}\n"
        )


def _eval(args: argparse.Namespace, extra: SellerTopics, out: TextIO, err: TextIO) -> int:
    from otklik.domain.topics import topics_of
    from otklik.domain.topics.evaluation import run_topic_evaluation

    rows = read_labelled(args.file, err)
    if rows is None:
        return 1

    def labels(text: str, lang: str | None) -> dict[str, str]:
        return {mention.topic: mention.polarity for mention in topics_of(text, lang, extra)}

    result = run_topic_evaluation(rows, labels, time.perf_counter)
    if args.format == "json":
        out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
    else:
        _print(result, out)
    return 0


def run(args: argparse.Namespace, source: TextIO, out: TextIO, err: TextIO) -> int:
    """Run `topics detect` or `topics eval`: 0 done, 1 a line was refused (named on err), 2 a bad config."""
    extra = _seller_topics(args.config, err)
    if extra is None:
        return 2
    if args.topics_command == "eval":
        return _eval(args, extra, out, err)
    return _detect(extra, source, out, err)
