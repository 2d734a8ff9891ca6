"""Small Russian lexicons for tonality tests, built by the real `make lexicon` build (pymorphy3).

The shipped evaluative lexicon is still being written and tuned, so rule tests score against
lemmas and phrases of their own, with our real rule words (ru_rules.tsv) beside them.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from otklik.domain.tonality.lexicon_table import Lexicon, parse_table
from otklik.entrypoints.build_lexicon import SOURCE_DIR, Morphology, build_table

ENGLISH_VALENCE: Mapping[str, float] = {"good": 1.9, "bad": -2.5}


def write_sources(source_dir: Path, lemmas: Mapping[str, float], phrases: Mapping[str, float]) -> Path:
    """ru_lemmas.tsv and ru_phrases.tsv as given, and a copy of the real ru_rules.tsv."""
    source_dir.mkdir(parents=True, exist_ok=True)
    (source_dir / "ru_lemmas.tsv").write_text("".join(f"{w}\t{v}\n" for w, v in lemmas.items()), "utf-8")
    (source_dir / "ru_phrases.tsv").write_text("".join(f"{p}\t{v}\n" for p, v in phrases.items()), "utf-8")
    shutil.copy(SOURCE_DIR / "ru_rules.tsv", source_dir / "ru_rules.tsv")
    return source_dir


def build_fixture_lexicon(
    source_dir: Path, lemmas: Mapping[str, float], phrases: Mapping[str, float]
) -> Lexicon:
    """The lexicon the engine would load had `make lexicon` been run on these sources."""
    return parse_table(build_table(write_sources(source_dir, lemmas, phrases), Morphology()))
