"""Citations resolve inside the repository.

What counts (the convention is stated in the preface of docs/sources.md):

* A **citation token** is ``§`` followed by a section number: ``§4``, ``§4.3``, ``§4.3.2``
  (regex ``TOKEN``).
* A **run** is one or more tokens joined by ``,`` ``–`` ``-`` ``/`` ``and`` ``or``
  (``§4.2–§4.4``, ``§2, §5.4``); every token of a run shares the run's prefix.
* A run prefixed ``ODD`` cites docs/ODD.md and must name one of its numbered headings
  (``## 1. Purpose`` → ``1``, ``### 7.3 M3 …`` → ``7.3``).
* Any other run cites docs/sources.md and must name a section heading (``## §4``,
  ``### §4.3``) or a numbered claim (a list item starting ``- **§4.3.2**``) there. Outside
  docs/sources.md a source run must carry the prefix ``sources`` (or ``docs/sources.md``).
* **Forbidden references** (``FORBIDDEN``): the word "digest" (the old name of the
  sources' summary, not ``hexdigest``), "seed-digest", "brief §", "brief M<n>", "(brief",
  "model brief"/"model-brief", paths into ``../shared`` or ``shared/domain``/``shared/design``,
  and the tracker: "issue 7", "issues #7", "issue:" and a bare ``#7`` (a ``#`` directly
  followed by digits, not part of a word, a path, a colour or a ``#1-heading`` anchor).

Files scanned: ``CITING_GLOBS`` for citations (this file excepted); every text file of the
project (``TEXT_SUFFIXES``, ``Makefile``, ``.ci/``) for forbidden references. Notebooks are
read cell by cell (sources and text outputs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
ODD = ROOT / "docs" / "ODD.md"
THIS = Path(__file__).resolve()

TOKEN = r"§(\d+(?:\.\d+)*)"
SEP = r"\s*(?:,|–|-|/|\band\b|\bor\b)\s*"
RUN = re.compile(rf"(?P<prefix>(?:\bsources|\bSources|\bODD|docs/sources\.md)\s+)?(?P<run>{TOKEN}(?:{SEP}{TOKEN})*)")

CITING_GLOBS = ("cogov_sim/**/*.py", "scenarios/**/*.toml", "docs/*.md", "README.md", "notebooks/*.ipynb",
                "tests/**/*.py", "benchmarks/**/*.py")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".ipynb", ".txt", ".cfg", ".yml", ".yaml", ".rst"}
SKIP_DIRS = {".git", ".venv", ".venv-next", "venv", "__pycache__", ".pytest_cache", ".ruff_cache", "runs", "build", "dist",
             "node_modules", ".ipynb_checkpoints"}

FORBIDDEN = re.compile(
    r"\bdigest\b|seed-digest"                                   # the sources' old summary
    r"|brief\s*§|\bbrief\s+M\d|\(brief\b|model[- ]brief"        # the design brief
    r"|\.\./shared|shared/(?:domain|design)"                   # files outside the repository
    r"|\bissues?\s*#?\d+|\bissue:|(?<![\w&/(\[])(?<!color: )#\d+\b(?![-\w])",  # the tracker
    re.IGNORECASE)


def sources_ids() -> set[str]:
    """Section headings (``## §4``, ``### §4.3``) and claim labels (``- **§4.3.2**``) of docs/sources.md."""
    text = SOURCES.read_text(encoding="utf-8")
    heads = re.findall(rf"^#{{2,4}}\s+{TOKEN}\b", text, re.M)
    claims = re.findall(rf"^\s*-\s+\*\*{TOKEN}\*\*", text, re.M)
    return set(heads) | set(claims)


def odd_ids() -> set[str]:
    """Numbered headings of docs/ODD.md: ``## 1. Purpose …`` → ``1``, ``### 7.3 …`` → ``7.3``."""
    return set(re.findall(r"^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s", ODD.read_text(encoding="utf-8"), re.M))


def text_of(path: Path) -> str:
    """A file's text; for a notebook, its cells' sources and text outputs."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return raw
    parts = []
    for cell in json.loads(raw).get("cells", []):
        parts.append("".join(cell.get("source", "")))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            for kind in ("text/plain", "text/markdown", "text/html"):
                parts.append("".join(out.get("data", {}).get(kind, "")))
    return "\n".join(parts)


def citing_files() -> list[Path]:
    found = {p for pattern in CITING_GLOBS for p in ROOT.glob(pattern) if p.is_file()}
    return sorted(p for p in found if p.resolve() != THIS and not SKIP_DIRS & set(p.relative_to(ROOT).parts))


def project_text_files() -> list[Path]:
    out = []
    for p in ROOT.rglob("*"):
        parts = p.relative_to(ROOT).parts
        if SKIP_DIRS & set(parts) or any(x.endswith(".egg-info") for x in parts) or not p.is_file():
            continue
        if p.resolve() != THIS and (p.suffix in TEXT_SUFFIXES or p.name == "Makefile" or parts[0] == ".ci"):
            out.append(p)
    return sorted(out)


def citation_problems(path: Path, text: str, src: set[str], odd: set[str]) -> list[str]:
    """Every citation of ``text`` that does not resolve or lacks its prefix, as 'file:line: message'."""
    rel = path.relative_to(ROOT).as_posix()
    problems = []
    for m in RUN.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        prefix = (m.group("prefix") or "").strip()
        tokens = re.findall(TOKEN, m.group("run"))
        if prefix == "ODD":
            problems += [f"{rel}:{line}: ODD §{t} is not a heading of docs/ODD.md" for t in tokens if t not in odd]
            continue
        if not prefix and path != SOURCES:
            problems.append(f"{rel}:{line}: '{m.group('run')}' needs the prefix 'sources' (or 'ODD')")
        problems += [f"{rel}:{line}: §{t} is not a section or claim of docs/sources.md" for t in tokens if t not in src]
    return problems


# ----------------------------------------------------------------------------- docs/sources.md itself

def test_sources_keep_the_section_numbers_of_the_source_summary() -> None:
    """Every section a citation may name exists: §1–§8, §4.1–§4.5, §5.1–§5.6, §7.1–§7.18."""
    ids = sources_ids()
    expected = ({str(i) for i in range(1, 9)} | {f"4.{i}" for i in range(1, 6)} | {f"5.{i}" for i in range(1, 7)}
                | {f"7.{i}" for i in range(1, 19)})
    assert expected <= ids, sorted(expected - ids, key=lambda s: [int(x) for x in s.split(".")])


def test_sources_claims_are_unique_and_nested_in_their_section() -> None:
    """A claim §x.y.n sits under heading §x.y (or §x for a top-level list); no number is used twice."""
    text = SOURCES.read_text(encoding="utf-8")
    seen: list[str] = []
    section = None
    for line in text.splitlines():
        if head := re.match(rf"#{{2,4}}\s+{TOKEN}\b", line):
            section = head.group(1)
            seen.append(section)
        elif claim := re.match(rf"\s*-\s+\*\*{TOKEN}\*\*", line):
            number = claim.group(1)
            seen.append(number)
            assert section is not None and number.rsplit(".", 1)[0] == section, f"§{number} is not under §{section}"
    assert len(seen) == len(set(seen)), sorted({s for s in seen if seen.count(s) > 1})


def test_sources_own_references_resolve() -> None:
    """Cross-references inside docs/sources.md (bare §, ODD §) name existing sections."""
    problems = citation_problems(SOURCES, SOURCES.read_text(encoding="utf-8"), sources_ids(), odd_ids())
    assert not problems, "\n".join(problems)


def test_citation_checker_catches_what_it_should() -> None:
    """The patterns above flag a dangling section, a missing prefix and each forbidden reference."""
    src, odd = {"4", "4.3"}, {"7", "7.3"}
    text = "sources §4.3, §4.9; §4.3; ODD §7.3–§7.8"
    problems = citation_problems(SOURCES.parent / "x.md", text, src, odd)
    assert any("§4.9 is not" in p for p in problems)
    assert any("needs the prefix" in p for p in problems)
    assert any("ODD §7.8" in p for p in problems)
    assert len(problems) == 3
    for bad in ("digest §4.3", "brief §5", "(brief, introduction)", "model-brief.md", "../shared/x", "issue 7",
                "see #7", "issue: core"):
        assert FORBIDDEN.search(bad), bad
    for fine in ("hashlib.sha256(b).hexdigest()", "[1 Calibration](#1-calibration)", "colour #1f77b4", "a brief pause"):
        assert not FORBIDDEN.search(fine), fine


# ----------------------------------------------------------------------------- the whole project

def test_every_citation_resolves_inside_the_repository() -> None:
    src, odd = sources_ids(), odd_ids()
    problems = [p for path in citing_files() for p in citation_problems(path, text_of(path), src, odd)]
    assert not problems, f"{len(problems)} unresolved citations:\n" + "\n".join(problems)


def test_nothing_refers_outside_the_repository_or_to_the_tracker() -> None:
    hits = []
    for path in project_text_files():
        for i, line in enumerate(text_of(path).splitlines(), 1):
            if m := FORBIDDEN.search(line):
                hits.append(f"{path.relative_to(ROOT).as_posix()}:{i}: {m.group(0)!r} in {line.strip()[:100]}")
    assert not hits, f"{len(hits)} forbidden references:\n" + "\n".join(hits)
