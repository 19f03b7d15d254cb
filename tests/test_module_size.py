"""No Python module of ours grows past 600 lines: a module that long mixes concepts, so split it.

Data modules (the demo's scenarios) and migrations are exempt: they are long by nature, and
carry no logic to split.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600
SOURCES = ("actions", "bot", "scripts", "ticketing", "tests")
EXEMPT = ("ticketing/migrations/", "ticketing/demo/data/")


def too_long(root: Path, folders: Iterable[str], *, limit: int = MAX_LINES) -> dict[str, int]:
    """Each Python module under `folders` over `limit` lines (outside the exempt folders)."""
    found = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if name.startswith(EXEMPT) or {"__pycache__", "node_modules"} & set(path.parts):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                found[name] = lines
    return found


def test_no_module_is_over_600_lines() -> None:
    assert too_long(ROOT, SOURCES) == {}


def test_a_long_module_is_found_and_data_is_exempt(tmp_path: Path) -> None:
    (tmp_path / "ticketing" / "demo" / "data").mkdir(parents=True)
    (tmp_path / "ticketing" / "big.py").write_text("x = 1\n" * 601, encoding="utf-8")
    (tmp_path / "ticketing" / "fine.py").write_text("x = 1\n" * 600, encoding="utf-8")
    (tmp_path / "ticketing" / "demo" / "data" / "stories.py").write_text("x = 1\n" * 900)
    assert too_long(tmp_path, ["ticketing"]) == {"ticketing/big.py": 601}
