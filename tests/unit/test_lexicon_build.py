"""`make lexicon`: the hand-written sources expanded to every word form, and every bad line refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from otklik.domain.tonality.lexicon_table import GENERATED_TABLE, Lexicon, parse_table
from otklik.entrypoints import build_lexicon
from otklik.entrypoints.build_lexicon import SOURCE_DIR, LexiconSourceError, Morphology, build_table

RULES = "booster\tочень\t0.293\nbooster\tсамый\t0.3\nnegator\tне\t-0.74\n"


@pytest.fixture(scope="module")
def morphology() -> Morphology:
    return Morphology()


def sources(directory: Path, lemmas: str = "", phrases: str = "", rules: str = RULES) -> Path:
    """A source directory with these three files, as written by hand (tabs and all)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ru_lemmas.tsv").write_text(lemmas, "utf-8")
    (directory / "ru_phrases.tsv").write_text(phrases, "utf-8")
    (directory / "ru_rules.tsv").write_text(rules, "utf-8")
    return directory


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, morphology: Morphology) -> tuple[str, Lexicon]:
    directory = sources(
        tmp_path_factory.mktemp("sources"),
        lemmas="# evaluative lemmas\n\nпорваться\t-1.9\nудобный\t1.7\nтёплый\t1.2\n",
        phrases="деньги на ветер\t-3.0\n",
    )
    table = build_table(directory, morphology)
    return table, parse_table(table)


# --- what the build gives


@pytest.mark.parametrize("form", ["порвался", "порвалась", "порвалось", "порвались", "порвётся"])
def test_a_verbs_forms_are_listed_under_it(built: tuple[str, Lexicon], form: str) -> None:
    _, lexicon = built

    assert lexicon.lemma_of[form.replace("ё", "е")] == "порваться"


@pytest.mark.parametrize("form", ["удобен", "удобна", "удобно", "удобны", "удобнее", "удобную"])
def test_an_adjectives_short_and_comparative_forms_are_listed_under_it(
    built: tuple[str, Lexicon], form: str
) -> None:
    _, lexicon = built

    assert lexicon.lemma_of[form] == "удобный"


def test_yo_is_written_as_ye_throughout(built: tuple[str, Lexicon]) -> None:
    table, lexicon = built

    assert "ё" not in table
    assert lexicon.valence["теплый"] == 1.2
    assert lexicon.lemma_of["теплая"] == "теплый"


def test_a_phrase_is_stored_as_lemmas_and_its_words_get_forms_but_no_valence(
    built: tuple[str, Lexicon],
) -> None:
    _, lexicon = built

    assert lexicon.phrases == {("деньга", "на", "ветер"): -3.0}
    assert lexicon.lemma_of["деньгами"] == "деньга"
    assert "деньга" not in lexicon.valence


def test_rule_words_are_listed_in_every_form(built: tuple[str, Lexicon]) -> None:
    _, lexicon = built

    assert lexicon.rules["самая"].kind == "booster"
    assert lexicon.rules["самых"].value == 0.3
    assert lexicon.rules["не"].value == -0.74


def test_the_table_does_not_depend_on_the_order_of_source_lines(
    built: tuple[str, Lexicon], tmp_path: Path, morphology: Morphology
) -> None:
    table, _ = built
    again = sources(
        tmp_path,
        lemmas="тёплый\t1.2\nудобный\t1.7\nпорваться\t-1.9\n",
        phrases="деньги на ветер\t-3.0\n",
    )

    assert build_table(again, morphology) == table


# --- what the build refuses


@pytest.mark.parametrize(
    ("lemmas", "phrases", "rules", "message"),
    [
        (
            "# lemmas\nхороший\t1.9\nплохой\t-2.4\nхороший\t2.0\n",
            "",
            RULES,
            "ru_lemmas.tsv:4: lemma 'хороший' is already at ru_lemmas.tsv:2",
        ),
        (
            "тёплый\t1.2\nтеплый\t1.0\n",
            "",
            RULES,
            "ru_lemmas.tsv:2: lemma 'теплый' is already at ru_lemmas.tsv:1",
        ),
        ("хороший\t4.5\n", "", RULES, "ru_lemmas.tsv:1: valence 4.5 is outside -4..4"),
        ("", "полный треш\t-4.1\n", RULES, "ru_phrases.tsv:1: valence -4.1 is outside -4..4"),
        ("хороший\tмного\n", "", RULES, "ru_lemmas.tsv:1: 'много' is not a number"),
        ("хороший 1.9\n", "", RULES, "ru_lemmas.tsv:1: expected 2 tab-separated fields"),
        ("хороший\t1.9\tочень\n", "", RULES, "ru_lemmas.tsv:1: expected 2 tab-separated fields"),
        ("", "", "очень\t0.3\n", "ru_rules.tsv:1: expected 3 tab-separated fields"),
        ("", "", "усилитель\tочень\t0.3\n", "ru_rules.tsv:1: rule kind 'усилитель' is not one of"),
        (
            "",
            "",
            RULES + "booster\tочень\t0.4\n",
            "ru_rules.tsv:4: rule word 'очень' is already at ru_rules.tsv:1",
        ),
        ("", "кошмар\t-2.8\n", RULES, "ru_phrases.tsv:1: a phrase needs two words or more"),
        (
            "",
            "деньги на ветер\t-3.0\nденьгами на ветер\t-2.0\n",
            RULES,
            "ru_phrases.tsv:2: phrase 'деньгами на ветер' lemmatizes like another",
        ),
    ],
)
def test_a_bad_source_line_is_refused_naming_file_line_and_why(
    tmp_path: Path, morphology: Morphology, lemmas: str, phrases: str, rules: str, message: str
) -> None:
    with pytest.raises(LexiconSourceError, match=f"^{re.escape(message)}"):
        build_table(sources(tmp_path, lemmas, phrases, rules), morphology)


def test_our_rule_words_are_a_valid_source(tmp_path: Path, morphology: Morphology) -> None:
    directory = sources(tmp_path, rules=(SOURCE_DIR / "ru_rules.tsv").read_text("utf-8"))

    lexicon = parse_table(build_table(directory, morphology))

    assert {rule.kind for rule in lexicon.rules.values()} == {
        "booster",
        "dampener",
        "negator",
        "contrast",
        "concession",
    }


# --- `make lexicon` and its check


def test_check_fails_until_the_table_is_built_and_passes_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given sources with no generated table beside them
    monkeypatch.setattr(build_lexicon, "SOURCE_DIR", sources(tmp_path, lemmas="удобный\t1.7\n"))

    # Then the check fails and says what to run
    assert build_lexicon.main(["--check"]) == 1
    assert "run `make lexicon`" in capsys.readouterr().err

    # When the table is built, Then the check passes
    assert build_lexicon.main([]) == 0
    assert (tmp_path / GENERATED_TABLE).is_file()
    assert build_lexicon.main(["--check"]) == 0

    # And When a source changes, Then the check fails again
    (tmp_path / "ru_lemmas.tsv").write_text("удобный\t1.8\n", "utf-8")
    assert build_lexicon.main(["--check"]) == 1


@pytest.mark.skipif(
    not (SOURCE_DIR / "ru_lemmas.tsv").is_file(),
    reason="the shipped lexicon sources (tonality/lexicon/ru_lemmas.tsv) are not written yet",
)
def test_the_shipped_table_is_what_make_lexicon_builds(capsys: pytest.CaptureFixture[str]) -> None:
    code = build_lexicon.main(["--check"])

    assert code == 0, capsys.readouterr().err
