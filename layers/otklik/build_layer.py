"""Builds a Lambda layer's python/ folder (otklik's, or the charts') from wheels for the Lambda platform,
and reports a built layer's size.

    python build_layer.py build <dir>                 # the otklik layer: `make build-OtklikLayer`
    python build_layer.py build <dir> --layer charts  # matplotlib's: layers/charts, `make build-ChartsLayer`
    python build_layer.py report <dir>                # unzipped and zipped size, the largest entries

A layer's requirements.txt is its one dependency list: what comes before a "# layer: without
dependencies" line is installed with its dependencies, what comes after without them (the otklik list
must have that line). Then what the Lambda runtime already provides is removed, and what no function
runs (Chalice beyond its runtime module, test suites, sample data), the building interpreter's bytecode
is dropped, the otklik package is copied into its layer, and, when this is the runtime's Python 3.13
(sam build --use-container), everything is compiled for it. This script is not part of any layer.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WITHOUT_DEPENDENCIES = "# layer: without dependencies"
PLATFORM = (
    "--platform",
    "manylinux2014_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    "3.13",
    "--only-binary=:all:",
)
# The python3.13 runtime ships the AWS SDK and what it needs. A copy in the layer would come first on
# sys.path (/opt/python precedes the runtime's own site-packages) and shadow the runtime's, versions
# the runtime's botocore was not released with; so if one comes in as a dependency (Powertools needs
# jmespath), it is removed and the runtime's is used. Import names and distribution names.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"})
RUNTIME_DISTRIBUTIONS = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python_dateutil", "six", "urllib3"}
)
# Chalice's runtime is its standalone app module; the rest (CLI, deployer, local server) is what
# needs botocore, click and pip, and is never imported by a function.
CHALICE_RUNTIME = frozenset({"__init__.py", "app.py", "py.typed"})
# Test suites and example data inside the charts layer's packages: only their own test runs and
# tutorials read them (numpy's alone are ~6 MiB, matplotlib's ~2 MiB, its sample_data ~0.5 MiB).
# numpy.testing and matplotlib.testing are modules the libraries import, and stay.
WITH_TEST_SUITES = frozenset({"matplotlib", "mpl_toolkits", "numpy"})
SAMPLE_DATA = ("matplotlib", "mpl-data", "sample_data")


@dataclass(frozen=True)
class Layer:
    """One layer's recipe: its dependency list, and the package copied in as it is (None: wheels only)."""

    requirements: Path
    package: Path | None = None
    # The otklik list must say which requirements go in without dependencies: a forgotten line would
    # bring Chalice's command line and botocore in. A list without that line has one section.
    sections_required: bool = True


LAYERS = {
    "otklik": Layer(requirements=HERE / "requirements.txt", package=HERE / "otklik"),
    # matplotlib with its dependencies, for the report builder only (layers/charts).
    "charts": Layer(requirements=HERE.parent / "charts" / "requirements.txt", sections_required=False),
}


@dataclass(frozen=True)
class Requirements:
    with_dependencies: list[str]
    without_dependencies: list[str]


def split_requirements(text: str, *, sections_required: bool = True) -> Requirements:
    """requirements.txt's two sections: before the "# layer: without dependencies" line, and after
    (when the line is not required and missing, everything goes in with dependencies)."""
    sections: list[list[str]] = [[]]
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(WITHOUT_DEPENDENCIES):
            if len(sections) == 2:
                raise ValueError(f"{WITHOUT_DEPENDENCIES!r} appears twice")
            sections.append([])
        elif stripped and not stripped.startswith("#"):
            sections[-1].append(stripped.split(" #", 1)[0].strip())
    if len(sections) == 1 and not sections_required:
        sections.append([])
    if len(sections) == 1:
        raise ValueError(f"no {WITHOUT_DEPENDENCIES!r} line: which requirements go in without dependencies?")
    return Requirements(with_dependencies=sections[0], without_dependencies=sections[1])


def distribution_of(dist_info: str) -> str:
    """The normalized distribution name of a `<name>-<version>.dist-info` folder."""
    return dist_info.removesuffix(".dist-info").rsplit("-", 1)[0].replace("-", "_").replace(".", "_").lower()


def is_runtime_provided(entry: str) -> bool:
    """Whether a top-level entry of site-packages is one of the runtime's own packages (or its metadata)."""
    if entry.endswith(".dist-info"):
        return distribution_of(entry) in RUNTIME_DISTRIBUTIONS
    return entry.removesuffix(".py") in RUNTIME_PROVIDED


def is_pruned(relative: Path) -> bool:
    """Whether a path of the installed tree (relative to its top) stays out of the layer."""
    parts = relative.parts
    if not parts:
        return False
    if parts[0] in ("bin", "share") or is_runtime_provided(parts[0]):
        # console scripts and their manual pages (fontTools' ttx.1) have no use in a layer; the
        # runtime's packages, see above
        return True
    if "__pycache__" in parts or relative.suffix == ".pyc":
        return True  # bytecode of the building interpreter, not the runtime's 3.13
    if (parts[0] in WITH_TEST_SUITES and "tests" in parts[1:]) or parts[: len(SAMPLE_DATA)] == SAMPLE_DATA:
        return True  # see WITH_TEST_SUITES
    return parts[0] == "chalice" and len(parts) > 1 and (len(parts) > 2 or parts[1] not in CHALICE_RUNTIME)


def prune(top: Path) -> None:
    """Remove from top every path is_pruned picks (a folder with all it holds)."""
    for path in sorted(top.rglob("*"), key=lambda p: len(p.parts)):
        if not path.exists() and not path.is_symlink():
            continue  # inside a folder removed already
        if is_pruned(path.relative_to(top)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def pip_install(requirements: list[str], target: Path, *, dependencies: bool) -> None:
    if not requirements:
        return
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target)]
    command += [*PLATFORM, *([] if dependencies else ["--no-deps"]), *requirements]
    subprocess.run(command, check=True)


def merge(source: Path, target: Path, requirements: Path) -> None:
    """Move source's entries into target; two sections shipping the same entry is an error."""
    for entry in sorted(source.iterdir()):
        destination = target / entry.name
        if destination.exists():
            raise SystemExit(f"{entry.name} is installed by both sections of {requirements}")
        shutil.move(str(entry), destination)


def build(target: Path, layer: Layer = LAYERS["otklik"]) -> None:
    if target.exists() and any(target.iterdir()):
        raise SystemExit(f"{target} is not empty: build the layer into an empty folder")
    target.mkdir(parents=True, exist_ok=True)
    requirements = split_requirements(
        layer.requirements.read_text("utf-8"), sections_required=layer.sections_required
    )
    with tempfile.TemporaryDirectory(prefix="otklik-layer-") as scratch:
        for name, section, dependencies in (
            ("with", requirements.with_dependencies, True),
            ("without", requirements.without_dependencies, False),
        ):
            staging = Path(scratch) / name
            pip_install(section, staging, dependencies=dependencies)
            if staging.exists():
                prune(staging)
                merge(staging, target, layer.requirements)
    if layer.package is not None:
        copy_package(layer.package, target)
    compile_for_runtime(target)


RUNTIME_PYTHON = (3, 13)


def compile_for_runtime(target: Path, version: tuple[int, ...] = tuple(sys.version_info[:2])) -> bool:
    """Bytecode for the runtime's Python, when this is that Python; True if compiled.

    /opt is read-only on Lambda, so a layer without bytecode is compiled from source on every cold
    start. Hash-checked-free .pyc (unchecked-hash) stay valid whatever the files' times become in the
    zip. Built by another Python (this machine's 3.11), the layer ships source only and says so.
    """
    if version != RUNTIME_PYTHON:
        print(
            f"build_layer: not compiling: this is Python {'.'.join(map(str, version))}, the runtime is "
            f"{'.'.join(map(str, RUNTIME_PYTHON))} (sam build --use-container compiles)",
            file=sys.stderr,
        )
        return False
    compileall.compile_dir(
        str(target), quiet=1, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    return True


def copy_package(package: Path, target: Path) -> None:
    """The package's folder into target as it is (its data files with it), without bytecode."""
    shutil.copytree(package, target / package.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def tree_size(top: Path) -> int:
    return sum(path.stat().st_size for path in top.rglob("*") if path.is_file() and not path.is_symlink())


def zipped_size(top: Path) -> int:
    """The size of top's content zipped as sam build zips a layer (deflate, paths relative to top)."""
    with tempfile.TemporaryDirectory(prefix="otklik-layer-zip-") as scratch:
        archive = Path(scratch) / "layer.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(top.rglob("*")):
                if path.is_file():
                    zipped.write(path, path.relative_to(top))
        return archive.stat().st_size


def report(layer: Path) -> str:
    """Unzipped and zipped size of a built layer (the folder holding python/), and its largest entries."""
    content = layer / "python"
    unzipped = tree_size(layer)
    entries = sorted(
        (
            (tree_size(entry) if entry.is_dir() else entry.stat().st_size, entry.name)
            for entry in content.iterdir()
        ),
        reverse=True,
    )
    mib = 2**20
    largest = ", ".join(f"{name} {size / mib:.1f}" for size, name in entries[:5])
    return (
        f"layer {layer}: {unzipped:,} bytes unzipped ({unzipped / mib:.1f} MiB), "
        f"{zipped_size(layer) / mib:.1f} MiB zipped\n"
        f"largest in python/ (MiB): {largest}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="build_layer.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("build", "report"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--layer", choices=sorted(LAYERS), default="otklik", help="what to build")
    arguments = parser.parse_args(argv)
    if arguments.command == "build":
        build(arguments.folder, LAYERS[arguments.layer])
    else:
        print(report(arguments.folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
