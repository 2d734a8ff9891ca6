"""`python -m tests.bench.bench_pii`: PII masking time on the texts that once made it quadratic, and on
runs of what the handle, messenger and name rules look for.

Each input is masked at three lengths, four times longer each step; a linear masker takes about four
times longer each step (the "x4" columns), a quadratic one sixteen. The texts of issue 8 are here:
20,000 digits took 3.6 s before the patterns were rewritten.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from otklik.domain.pii import mask_pii

REPEATS = 3
LENGTHS = (5_000, 20_000, 80_000)

SHAPES: dict[str, Callable[[int], str]] = {
    "digits": lambda n: "1" * n,
    "spaced digits": lambda n: "1 " * (n // 2),
    "phone openings": lambda n: "+7(" * (n // 3),
    "letters": lambda n: "a" * n,
    "dotted letters": lambda n: "a." * (n // 2),
    "at signs": lambda n: "a@" * (n // 2),
    "address stubs": lambda n: "a@b." * (n // 4),
    "one long address": lambda n: "x" * (n - 12) + "@example.com",
    "a review": lambda n: ("Порвалось через день, пишите anna@example.com или +375 29 123 45 67. " * n)[:n],
    "handles": lambda n: ("пишите @shop_msk или t.me/shop_msk, инст shop_msk " * n)[:n],
    "names": lambda n: ("Спасибо Анне Петровой и курьеру Славе, " * n)[:n],
    "name-like words": lambda n: ("Вера, Надежда, Любовь, Роман Иванов, А. В. Петрова " * n)[:n],
    "capitalised words": lambda n: ("Отличный Товар Пришёл Быстро " * n)[:n],
}


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        mask_pii(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    header = "".join(f"{length:>12,}" for length in LENGTHS)
    print(f"{'mask_pii, best of ' + str(REPEATS):<22}{header}   (ms; x4: growth per step)")
    for name, make in SHAPES.items():
        times = [_seconds(make(length)) for length in LENGTHS]
        cells = "".join(f"{seconds * 1000:>12.2f}" for seconds in times)
        growth = "  ".join(f"x{later / earlier:.1f}" for earlier, later in itertools.pairwise(times))
        print(f"{name:<22}{cells}   {growth}")


if __name__ == "__main__":
    main()
