"""Promised times and targets as the customer reads them, in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from actions import humanize
from ticketing.models import Category, Status

# Monday 2026-11-23 10:00 in Shanghai (02:00 UTC)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "zh", "en"),
    [
        (NOW + timedelta(hours=4, minutes=30), "今天 14:30", "2:30 pm today"),
        (NOW + timedelta(hours=23, minutes=30), "明天 09:30", "9:30 am tomorrow"),
        (NOW + timedelta(days=2, hours=-1), "11月25日（周三）09:00", "9:00 am on Wed 25 Nov"),
        (NOW + timedelta(days=40), "2027年1月2日（周六）10:00", "10:00 am on Sat 2 Jan 2027"),
        (NOW + timedelta(hours=14), "明天 00:00", "12:00 am tomorrow"),
    ],
)
def test_moments_in_both_languages(due: datetime, zh: str, en: str) -> None:
    assert humanize.moment(due, NOW, "zh") == zh
    assert humanize.moment(due, NOW, "en") == en


def test_a_deadline_already_passed_is_no_promise() -> None:
    assert humanize.promise(NOW - timedelta(minutes=1), NOW, "zh") is None
    assert humanize.promise(None, NOW, "en") is None


@pytest.mark.parametrize(
    ("minutes", "zh", "en"),
    [
        (30, "30 分钟", "30 minutes"),
        (60, "1 小时", "1 hour"),
        (90, "1 小时 30 分钟", "1 hour 30 minutes"),
        (24 * 60, "1 天", "1 day"),
        (0, "1 分钟", "1 minute"),
    ],
)
def test_durations(minutes: int, zh: str, en: str) -> None:
    assert humanize.duration(minutes, "zh") == zh
    assert humanize.duration(minutes, "en") == en


def test_category_labels_fall_back_to_other() -> None:
    assert humanize.category_label(Category.DELIVERY, "en") == "delivery"
    assert humanize.category_label("no such thing", "zh") == "其他"
    assert humanize.category_label(None, "en") == "other"


@pytest.mark.parametrize(("language", "variant"), [("en", "en"), ("zh", "zh"), (None, "zh")])
def test_only_an_english_speaker_reads_the_english_text(language: str | None, variant: str) -> None:
    assert humanize.variant(language) == variant
    assert (
        humanize.status_label(Status.OPEN, language) == humanize.STATUS_LABELS[Status.OPEN][variant]
    )
