"""Hostile input files: a seed corpus in every format omnisolve reads and seeded mutators that
turn a good file into the kind of file a careless user or an attacker hands over (truncated,
a stray byte, NaN / inf / 1e308 / 5,000-digit numbers, absurd declared sizes, non-ASCII
digits, deep JSON nesting, the wrong extension, ...).

Used by tests/test_fuzz.py (Hypothesis drives the choice of mutations) and by the long
campaign `python benchmarks/fuzz_cli.py` (docs/robustness.md).
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Callable

DATA = Path(__file__).resolve().parents[1] / "src" / "omnisolve" / "data"
TESTS_DATA = Path(__file__).resolve().parent / "data"
BENCHDATA = Path(__file__).resolve().parents[2] / "shared" / "benchdata"

#: numbers that readers must refuse or handle: special floats, overflow, non-ASCII digits, ...
HOSTILE_NUMBERS = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-1e308",
    "1e309",
    "1e20",
    "-1e20",
    "1e-320",
    "9" * 5000,
    "-" + "9" * 40,
    "１２",
    "١٢",
    "٣.٥",
    "0x1F",
    "1_000",
    "+-3",
    "--1",
    "1e",
    ".",
    "-0",
    "3.5",
    "-7",
    "0",
    "18446744073709551616",
    "9223372036854775808",
    "",
]
#: declared sizes a header may lie about
HOSTILE_SIZES = ["100000000", "0", "-1", "1e9", "99999999999999999999", "3.5", ""]
SIZE_KEYS = re.compile(
    rb"^(\s*(?:DIMENSION|CAPACITY|VEHICLES|TYPE|EDGE_WEIGHT_TYPE|EDGE_WEIGHT_FORMAT)\s*:?\s*)(\S*)", re.MULTILINE
)
NUMBER = re.compile(rb"(?<![A-Za-z_])[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


def seed_files(tmp: Path) -> list[Path]:
    """One small valid instance of every format: the bundled ones, a CVRP and an LP from the
    test data, and JSON files written by omnisolve itself (a model and each structured kind)."""
    from omnisolve.io import read, write

    files = [
        DATA / "afiro.mps",
        DATA / "berlin52.tsp",
        DATA / "ft06.txt",
        DATA / "strongly_100.kp",
        TESTS_DATA / "wrong_claims" / "pulp_test_mip.lp",
    ]
    cvrp = BENCHDATA / "cvrp" / "A-n32-k5.vrp"
    if cvrp.is_file():
        files.append(cvrp)
    tmp.mkdir(parents=True, exist_ok=True)
    for source in (DATA / "afiro.mps", DATA / "ft06.txt", DATA / "strongly_100.kp", DATA / "berlin52.tsp"):
        target = tmp / f"{source.stem}.json"
        write(read(source), target)
        files.append(target)
    if cvrp.is_file():
        write(read(cvrp), tmp / "A-n32-k5.json")
        files.append(tmp / "A-n32-k5.json")
    return files


# ---- mutators: (content, rng) -> content ---------------------------------------------------------
def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def stray_byte(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + bytes([rng.choice([0x00, 0x80, 0xC3, 0xE2, 0xFF, 0x1B, rng.randrange(256)])]) + data[at:]


def hostile_number(data: bytes, rng: random.Random) -> bytes:
    numbers = list(NUMBER.finditer(data))
    if not numbers:
        return data + rng.choice(HOSTILE_NUMBERS).encode()
    hit = rng.choice(numbers)
    return data[: hit.start()] + rng.choice(HOSTILE_NUMBERS).encode() + data[hit.end() :]


def lying_header(data: bytes, rng: random.Random) -> bytes:
    keys = list(SIZE_KEYS.finditer(data))
    if keys:
        hit = rng.choice(keys)
        return data[: hit.start(2)] + rng.choice(HOSTILE_SIZES).encode() + data[hit.end(2) :]
    first = data.split(b"\n", 1)  # job shop, knapsack: the sizes are the first numbers
    head = NUMBER.sub(lambda m: rng.choice(HOSTILE_SIZES).encode(), first[0], count=1)
    return head + (b"\n" + first[1] if len(first) > 1 else b"")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def drop_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def repeat_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    return b"\n".join(lines[:at] + [lines[at]] * rng.choice([2, 10, 1000]) + lines[at:])


def swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def long_line(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice([b"1", b"x", b" 1"]) * rng.choice([10_000, 1_000_000]) + data[at:]


def garbage(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([0, 1, 7, 4096]))


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1_000, 100_000])
    return b"[" * depth + data + b"]" * depth if rng.random() < 0.5 else b'{"a":' * depth + b"1" + b"}" * depth


def encoding(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(4)
    if choice == 0:
        return b"\xef\xbb\xbf" + data  # a UTF-8 byte-order mark
    if choice == 1:
        return data.replace(b"\n", b"\r\n")
    if choice == 2:
        return data.decode("latin-1").encode("utf-16")
    return data.replace(b" ", b"\t")


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    f.__name__: f
    for f in (
        truncate,
        stray_byte,
        hostile_number,
        lying_header,
        drop_line,
        repeat_line,
        swap_lines,
        long_line,
        garbage,
        deep_nesting,
        encoding,
    )
}
#: extensions a mutated file may be written under (its own, most of the time)
EXTENSIONS = [".mps", ".lp", ".tsp", ".vrp", ".txt", ".jss", ".kp", ".json", ".mps.gz", ".dat", ""]


def suffix_of(path: Path) -> str:
    return "".join(path.suffixes[-2:]) if path.name.endswith(".gz") else path.suffix


def mutate(seed: Path, ops: list[str], rng: random.Random) -> tuple[bytes, str]:
    """`seed`'s bytes after the mutators named in `ops`, and the extension to write them under
    (the seed's own nine times out of ten)."""
    data = seed.read_bytes()
    for op in ops:
        data = MUTATORS[op](data, rng)
    ext = suffix_of(seed) if rng.random() < 0.9 else rng.choice(EXTENSIONS)
    return data, ext


def write_cases(seeds: list[Path], count: int, seed: int, out: Path) -> list[Path]:
    """`count` mutated files in `out`, reproducible from `seed` (1-3 mutations each)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        source = rng.choice(seeds)
        ops = [rng.choice(list(MUTATORS)) for _ in range(rng.choice([1, 1, 2, 3]))]
        data, ext = mutate(source, ops, rng)
        path = out / f"case{k:05d}-{source.name.split('.')[0]}{ext}"
        if ext.endswith(".gz"):
            import gzip

            data = gzip.compress(data, mtime=0) if rng.random() < 0.7 else data
        path.write_bytes(data)
        paths.append(path)
    return paths
