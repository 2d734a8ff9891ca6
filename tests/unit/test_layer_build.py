"""The layer build's own rules (layers/otklik/build_layer.py): which requirements go in how, what is cut.

pip is not run here (no network in unit tests): `make layer-size` builds the real layer.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

LAYER = ROOT / "layers" / "otklik"


def _load_script() -> ModuleType:
    # A script, not a package module: loaded from its path (and registered, as its dataclass needs).
    spec = importlib.util.spec_from_file_location("otklik_build_layer", LAYER / "build_layer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build_layer = _load_script()


def _tree(top: Path, *paths: str) -> None:
    for relative in paths:
        path = top / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", "utf-8")


def _files(top: Path) -> set[str]:
    return {path.relative_to(top).as_posix() for path in top.rglob("*") if path.is_file()}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()


def test_the_project_list_puts_chalice_and_vader_without_dependencies_and_the_rest_with() -> None:
    requirements = build_layer.split_requirements((LAYER / "requirements.txt").read_text("utf-8"))

    assert [_name(r) for r in requirements.without_dependencies] == ["chalice", "vadersentiment"]
    assert {"aws-lambda-powertools", "pydantic", "jinja2", "pyyaml", "tzdata", "holidays"} == {
        _name(r) for r in requirements.with_dependencies
    }


def test_comments_blank_lines_and_inline_comments_are_not_requirements() -> None:
    text = """
# the layer's list
pydantic>=2  # models
  Jinja2

# layer: without dependencies. Chalice's runtime only
chalice>=1.31
"""
    requirements = build_layer.split_requirements(text)

    assert requirements.with_dependencies == ["pydantic>=2", "Jinja2"]
    assert requirements.without_dependencies == ["chalice>=1.31"]


@pytest.mark.parametrize(
    "text",
    [
        "pydantic>=2\nchalice>=1.31\n",
        "pydantic\n# layer: without dependencies\nchalice\n# layer: without dependencies\nvaderSentiment\n",
    ],
    ids=["no marker", "marker twice"],
)
def test_a_list_without_exactly_one_section_line_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="layer: without dependencies"):
        build_layer.split_requirements(text)


def test_prune_keeps_chalices_runtime_module_and_drops_the_rest_of_it(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        "chalice/__init__.py",
        "chalice/app.py",
        "chalice/py.typed",
        "chalice/awsclient.py",
        "chalice/cli/__init__.py",
        "chalice/deploy/deployer.py",
        "chalice/templates/app.py",
        "chalice-1.34.0.dist-info/METADATA",
    )

    build_layer.prune(tmp_path)

    assert _files(tmp_path) == {
        "chalice/__init__.py",
        "chalice/app.py",
        "chalice/py.typed",
        "chalice-1.34.0.dist-info/METADATA",
    }


def test_prune_drops_what_the_runtime_provides_console_scripts_and_bytecode(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        "jmespath/__init__.py",
        "jmespath-1.1.0.dist-info/METADATA",
        "boto3/__init__.py",
        "botocore/data/s3/service-2.json",
        "s3transfer/__init__.py",
        "dateutil/tz/tz.py",
        "python_dateutil-2.9.0.post0.dist-info/METADATA",
        "six.py",
        "urllib3/__init__.py",
        "bin/jp.py",
        "pydantic/main.py",
        "pydantic/__pycache__/main.cpython-311.pyc",
        "yaml/stray.pyc",
        "typing_extensions.py",
        "aws_lambda_powertools/logging/logger.py",
        "aws_lambda_powertools-3.37.0.dist-info/METADATA",
        "vaderSentiment/vader_lexicon.txt",
    )

    build_layer.prune(tmp_path)

    assert _files(tmp_path) == {
        "pydantic/main.py",
        "typing_extensions.py",
        "aws_lambda_powertools/logging/logger.py",
        "aws_lambda_powertools-3.37.0.dist-info/METADATA",
        "vaderSentiment/vader_lexicon.txt",
    }


def test_the_package_goes_in_with_its_data_and_without_bytecode(tmp_path: Path) -> None:
    build_layer.copy_package(LAYER / "otklik", tmp_path)

    files = _files(tmp_path)
    lexicon = "otklik/domain/tonality/lexicon"
    assert {f"{lexicon}/ru_lexicon.tsv", f"{lexicon}/ru_phrases.tsv", "otklik/py.typed"} <= files
    assert "otklik/bootstrap/score_feedback.py" in files
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc")]


def test_a_build_into_a_folder_that_holds_something_is_refused_before_pip_runs(tmp_path: Path) -> None:
    _tree(tmp_path, "python/leftover.py")

    with pytest.raises(SystemExit, match="not empty"):
        build_layer.build(tmp_path / "python")

    assert _files(tmp_path) == {"python/leftover.py"}


def test_the_report_gives_both_sizes_and_the_largest_entries_first(tmp_path: Path) -> None:
    (tmp_path / "python" / "big").mkdir(parents=True)
    (tmp_path / "python" / "big" / "a.bin").write_bytes(b"a" * 3000)
    (tmp_path / "python" / "small.py").write_bytes(b"b" * 1000)

    report = build_layer.report(tmp_path)

    assert "4,000 bytes unzipped" in report
    assert "zipped" in report
    assert report.index("big") < report.index("small.py")


def test_the_layer_is_compiled_only_by_the_runtimes_own_python(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a built tree with one module
    _tree(tmp_path, "otklik/__init__.py")
    (tmp_path / "otklik" / "__init__.py").write_text("VALUE = 1\n", "utf-8")

    # When another Python builds it, Then nothing is compiled and the build says why
    assert build_layer.compile_for_runtime(tmp_path, version=(3, 11)) is False
    assert "not compiling" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.pyc"))

    # When the runtime's Python builds it (this Python, standing in for 3.13)
    here = tuple(sys.version_info[:2])
    monkeypatch.setattr(build_layer, "RUNTIME_PYTHON", here)
    assert build_layer.compile_for_runtime(tmp_path, version=here) is True

    # Then the module has bytecode that is hash-based and never checked against the source's mtime
    # (PEP 552 flags 0b01), so it stays valid however the zip sets the files' times
    (pyc,) = tmp_path.rglob("*.pyc")
    assert int.from_bytes(pyc.read_bytes()[4:8], "little") == 0b01


CHARTS = ROOT / "layers" / "charts"


def test_matplotlib_is_in_the_charts_layer_alone_with_its_dependencies() -> None:
    # Given both layers' lists, read as their builds read them
    otklik = build_layer.LAYERS["otklik"]
    charts = build_layer.LAYERS["charts"]
    charts_list = build_layer.split_requirements(
        charts.requirements.read_text("utf-8"), sections_required=charts.sections_required
    )
    otklik_list = build_layer.split_requirements(otklik.requirements.read_text("utf-8"))

    # Then matplotlib comes with its dependencies in the charts layer only, which ships no otklik copy
    assert charts.requirements == CHARTS / "requirements.txt"
    assert [_name(r) for r in charts_list.with_dependencies] == ["matplotlib", "python-dateutil"]
    assert charts_list.without_dependencies == []
    assert "matplotlib" not in {
        _name(r) for r in otklik_list.with_dependencies + otklik_list.without_dependencies
    }
    assert (charts.package, otklik.package) == (None, LAYER / "otklik")


def test_a_list_without_the_section_line_is_one_section_where_the_line_is_not_required() -> None:
    requirements = build_layer.split_requirements(
        "# charts\nmatplotlib>=3.9,<4  # drawing\n", sections_required=False
    )

    assert requirements.with_dependencies == ["matplotlib>=3.9,<4"]
    assert requirements.without_dependencies == []


def test_prune_drops_test_suites_sample_data_and_manual_pages_and_keeps_what_the_libraries_import(
    tmp_path: Path,
) -> None:
    _tree(
        tmp_path,
        "matplotlib/__init__.py",
        "matplotlib/tests/test_axes.py",
        "matplotlib/tests/baseline_images/test_axes/a.png",
        "matplotlib/testing/__init__.py",
        "matplotlib/mpl-data/sample_data/goog.npz",
        "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf",
        "matplotlib/mpl-data/matplotlibrc",
        "mpl_toolkits/mplot3d/tests/test_axes3d.py",
        "mpl_toolkits/mplot3d/axes3d.py",
        "numpy/_core/tests/test_umath.py",
        "numpy/testing/__init__.py",
        "numpy.libs/libscipy_openblas64_.so",
        "share/man/man1/ttx.1",
        "fontTools/ttLib/__init__.py",
        "python_dateutil-2.9.0.post0.dist-info/METADATA",
        "dateutil/parser/_parser.py",
        "six.py",
        "six-1.17.0.dist-info/METADATA",
    )

    build_layer.prune(tmp_path)

    assert _files(tmp_path) == {
        "matplotlib/__init__.py",
        "matplotlib/testing/__init__.py",
        "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf",
        "matplotlib/mpl-data/matplotlibrc",
        "mpl_toolkits/mplot3d/axes3d.py",
        "numpy/testing/__init__.py",
        "numpy.libs/libscipy_openblas64_.so",
        "fontTools/ttLib/__init__.py",
    }


def test_the_charts_layer_is_built_from_its_wheels_pruned_and_without_the_otklik_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given pip standing in: it "installs" matplotlib's tree with the runtime's dateutil and six
    installs: list[tuple[list[str], bool]] = []

    def pip_install(requirements: list[str], target: Path, *, dependencies: bool) -> None:
        installs.append((requirements, dependencies))
        if requirements:
            _tree(target, "matplotlib/pyplot.py", "matplotlib/tests/test_a.py", "dateutil/tz/tz.py", "six.py")

    monkeypatch.setattr(build_layer, "pip_install", pip_install)

    # When the charts layer is built, as `make build-ChartsLayer` does
    assert build_layer.main(["build", str(tmp_path / "python"), "--layer", "charts"]) == 0

    # Then its list went in with dependencies, and the layer is matplotlib less its tests, and no otklik
    assert installs == [(["matplotlib>=3.9,<4", "python-dateutil>=2.7,<3"], True), ([], False)]
    assert _files(tmp_path) == {"python/matplotlib/pyplot.py"}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_charts_makefile_finds_the_build_script_from_sams_copy_of_its_folder(tmp_path: Path) -> None:
    # Given the charts folder copied elsewhere, as sam build copies a layer's ContentUri to a scratch folder
    scratch = tmp_path / "scratch"
    shutil.copytree(CHARTS, scratch)

    # When make runs there the way sam build runs it: the project's Makefile named by its path
    result = subprocess.run(
        [
            "make",
            "--dry-run",
            "--makefile",
            str(CHARTS / "Makefile"),
            "build-ChartsLayer",
            "ARTIFACTS_DIR=/out",
        ],
        cwd=scratch,
        capture_output=True,
        text=True,
        check=True,
    )

    # Then the command builds the charts layer into ARTIFACTS_DIR/python with the project's own script
    (command,) = [line for line in result.stdout.splitlines() if "build_layer.py" in line]
    script = next(word.strip('"') for word in command.split() if word.strip('"').endswith("build_layer.py"))
    assert Path(script).resolve() == LAYER / "build_layer.py"
    assert command.endswith('build "/out/python" --layer charts')
