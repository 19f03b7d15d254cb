"""Words and times for the customer: store values (categories, statuses, deadlines) in their
language, times in the desk's time zone (Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from ticketing.config import get_settings
from ticketing.models import Category, Status

CATEGORY_LABELS: Final[dict[Category, dict[str, str]]] = {
    Category.PRODUCT_QUALITY: {"zh": "产品质量", "en": "product quality"},
    Category.SERVICE: {"zh": "服务态度", "en": "service"},
    Category.DELIVERY: {"zh": "物流配送", "en": "delivery"},
    Category.PRICE: {"zh": "价格", "en": "price"},
    Category.CONTRACT: {"zh": "订单与合同", "en": "order terms"},
    Category.POLICY: {"zh": "退换货政策", "en": "returns policy"},
    Category.OTHER: {"zh": "其他", "en": "other"},
}

STATUS_LABELS: Final[dict[Status, dict[str, str]]] = {
    Status.NEW: {"zh": "已受理，等待客服处理", "en": "received, waiting for an agent"},
    Status.OPEN: {"zh": "处理中", "en": "being handled"},
    Status.PENDING: {"zh": "等待您的回复", "en": "waiting for your reply"},
    Status.RESOLVED: {"zh": "已解决", "en": "resolved"},
    Status.CLOSED: {"zh": "已关闭", "en": "closed"},
}

_WEEKDAYS_ZH: Final = "一二三四五六日"
_WEEKDAYS_EN: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN: Final = (
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()  # noqa: SIM905 - reads as a list
)


def english(language: str | None) -> bool:
    return language == "en"


def variant(language: str | None) -> str:
    """Which text of a {"zh": ..., "en": ...} pair the customer reads: English for an English
    speaker, Chinese for everyone else."""
    return "en" if english(language) else "zh"


def category_label(category: Category | str | None, language: str | None) -> str:
    try:
        known = Category(category) if category is not None else Category.OTHER
    except ValueError:
        known = Category.OTHER
    return CATEGORY_LABELS[known][variant(language)]


def status_label(status: Status, language: str | None) -> str:
    return STATUS_LABELS[status][variant(language)]


def desk_timezone() -> ZoneInfo:
    return ZoneInfo(get_settings().default_timezone)


def duration(minutes: int, language: str | None) -> str:
    """A target as the customer says it: "30 分钟", "2 小时 30 分钟", "1 day" ..."""
    minutes = max(int(minutes), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if english(language):
        parts = [
            f"{value} {unit}{'' if value == 1 else 's'}"
            for value, unit in ((days, "day"), (hours, "hour"), (mins, "minute"))
            if value
        ]
        return " ".join(parts)
    return " ".join(
        f"{value} {unit}"
        for value, unit in ((days, "天"), (hours, "小时"), (mins, "分钟"))
        if value
    )


def _clock_en(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d} {suffix}"


def moment(
    due_at: datetime, now: datetime, language: str | None, tz: ZoneInfo | None = None
) -> str:
    """A promised time relative to now, in the desk's time zone: "今天 14:30", "明天 09:30",
    "11月25日（周三）09:30"; "2:30 pm today", "9:30 am tomorrow", "9:30 am on Wed 25 Nov"."""
    tz = tz or desk_timezone()
    local = due_at.astimezone(tz)
    today = now.astimezone(tz).date()
    days = (local.date() - today).days
    if english(language):
        clock = _clock_en(local)
        if days == 0:
            return f"{clock} today"
        if days == 1:
            return f"{clock} tomorrow"
        date = f"{_WEEKDAYS_EN[local.weekday()]} {local.day} {_MONTHS_EN[local.month - 1]}"
        if local.year != today.year:
            date += f" {local.year}"
        return f"{clock} on {date}"
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if days == 0:
        return f"今天 {clock}"
    if days == 1:
        return f"明天 {clock}"
    date = f"{local.month}月{local.day}日（周{_WEEKDAYS_ZH[local.weekday()]}）"
    if local.year != today.year:
        date = f"{local.year}年{date}"
    return f"{date}{clock}"


def promise(due_at: datetime | None, now: datetime, language: str | None) -> str | None:
    """`moment` for a deadline still ahead; None when there is none or it has passed."""
    if due_at is None or due_at <= now:
        return None
    return moment(due_at, now, language)
