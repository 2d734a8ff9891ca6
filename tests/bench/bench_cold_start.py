"""`make bench`: each function's cold import time against a bare `import boto3`, measured in the same run.

Every figure is a fresh interpreter (the venv's python, isolated: no user site, no PYTHON* variables,
run from a scratch directory so nothing of the repository leaks in) that puts the function's folder
and layers/otklik first on sys.path, as the Lambda runtime does with the code and the layer, and times
`import app` with perf_counter inside the process. The reference is `import boto3`, the floor of any
function that talks to AWS. Runs alternate between the reference and the functions, round after round,
so whatever else the machine is doing falls on both; the ratio of medians is the figure to read, never
the milliseconds, which belong to this machine. Bytecode is warm (one unmeasured run of each first).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "otklik"
FUNCTIONS = sorted(path.parent for path in (ROOT / "functions").glob("*/app.py"))
LAYER_BUILD = ROOT / "build" / "layer"
ROUNDS = 9
REFERENCE = "import boto3"
# Heavy or needless-at-import modules: which of them an import pulled in is the table's last column.
WATCHED = ("boto3", "botocore", "chalice", "urllib.request", "jinja2", "yaml", "vaderSentiment")

PROBE = """
import json, sys, time
sys.path[:0] = {paths!r}
before = set(sys.modules)
started = time.perf_counter()
{statement}
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "modules": sorted(set(sys.modules) - before)}}))
"""


@dataclass
class Target:
    name: str
    statement: str
    paths: list[str]
    seconds: list[float] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.seconds) * 1000

    @property
    def watched(self) -> list[str]:
        return [name for name in WATCHED if name in self.modules]


def function_target(folder: Path) -> Target:
    """`import app` of functions/<name>, its folder and the layer first on sys.path (as on Lambda)."""
    return Target(folder.name, "import app", [str(folder), str(LAYER)])


def probe_environment() -> dict[str, str]:
    """This environment without the OTKLIK_* settings, in a region, as a function's cold start sees it."""
    environ = {name: value for name, value in os.environ.items() if not name.upper().startswith("OTKLIK_")}
    environ["AWS_DEFAULT_REGION"] = "us-east-1"
    return environ


def fresh_import(target: Target, cwd: str, environ: dict[str, str]) -> tuple[float, list[str]]:
    """Seconds target's import took in a fresh interpreter, and the modules it added."""
    code = PROBE.format(paths=target.paths, statement=target.statement)
    answer = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=cwd, env=environ, check=False
    )
    if answer.returncode != 0:
        raise RuntimeError(f"{target.name}: the import failed\n{answer.stderr}")
    figures = json.loads(answer.stdout)
    return float(figures["seconds"]), list(figures["modules"])


def measure(targets: list[Target], rounds: int) -> None:
    environ = probe_environment()
    with tempfile.TemporaryDirectory(prefix="otklik-bench-") as scratch:
        for target in targets:  # warm the bytecode caches; not counted
            fresh_import(target, scratch, environ)
        reference, functions = targets[0], targets[1:]
        for round_ in range(rounds):
            # The reference before each function, the functions in an order that rotates by round.
            shift = round_ % len(functions)
            for target in functions[shift:] + functions[:shift]:
                for measured in (reference, target):
                    seconds, measured.modules = fresh_import(measured, scratch, environ)
                    measured.seconds.append(seconds)


def layer_line() -> str | None:
    """The built layer's size, if `make layer-size` has built it into build/layer."""
    if not LAYER_BUILD.is_dir():
        return None
    answer = subprocess.run(
        [sys.executable, str(LAYER / "build_layer.py"), "report", str(LAYER_BUILD)],
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.rstrip()


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    reference = Target("import boto3", REFERENCE, [str(LAYER)])
    functions = [function_target(folder) for folder in FUNCTIONS]
    measure([reference, *functions], rounds)

    base = reference.median_ms
    print(f"cold import: fresh interpreter per run, {rounds} rounds, reference and functions alternating")
    print(f"{'function':<22}{'min ms':>8}{'median ms':>11}{'modules':>9}{'x boto3':>9}  imports")
    for target in (reference, *functions):
        ratio = target.median_ms / base
        print(
            f"{target.name:<22}{target.min_ms:>8.0f}{target.median_ms:>11.0f}{len(target.modules):>9}"
            f"{ratio:>9.2f}  {', '.join(target.watched) or '-'}"
        )
    heaviest = max(functions, key=lambda target: target.median_ms)
    print(
        f"\nheaviest: {heaviest.name}, x{heaviest.median_ms / base:.2f} of import boto3's median "
        f"(aim: under x1.5); modules = those the import added"
    )
    if any("botocore" in target.watched and "boto3" not in target.watched for target in functions):
        print("botocore without boto3: its package alone, which Powertools imports to probe for an SDK")
    line = layer_line()
    if line:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
