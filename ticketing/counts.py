"""Counters that add up: a worker pass sums what each of its batches did."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Self


@dataclass
class Counts:
    """A dataclass of int counters; `total += batch` adds them field by field."""

    def __iadd__(self, other: Self) -> Self:
        for counter in fields(self):
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))
        return self
