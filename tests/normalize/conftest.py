"""Fixtures for the normalization tests: the shared seeds, found relative to the repository."""
from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"
CLEAN_SEEDS = ("000", "002", "003", "004")


def seed_path(prefix: str) -> Path:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not matches:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return matches[0]


@pytest.fixture
def seed_bytes():
    """seed_bytes("001") -> the raw bytes of that seed (the test skips when it is absent)."""
    return lambda prefix: seed_path(prefix).read_bytes()
