"""The weekly digest as one self-contained HTML file (inline style, no script, nothing loaded
from elsewhere), in Chinese or English. Every value is escaped: customer names and reasons are
customer data."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ticketing.models import WeeklyDigest

LANGUAGES = ("zh", "en")

_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "客服周报",
        "week": "{start} 至 {end}（{tz}）",
        "sla": "SLA 达成率（按指标）",
        "sla_by_team": "SLA 达成率（按团队）",
        "breaches": "超时",
        "satisfaction": "满意度与净推荐值",
        "churn_risk": "流失预警客户",
        "bot": "机器人分流",
        "metric": "指标",
        "team": "团队",
        "met": "达成",
        "breached": "超时",
        "pct_met": "达成率",
        "responses": "回复数",
        "csat_avg": "CSAT 平均",
        "pct_satisfied": "满意（4-5）",
        "nps": "NPS",
        "conversations": "会话",
        "contained": "机器人解决",
        "pct_contained": "分流率",
        "name": "客户",
        "tier": "等级",
        "reasons": "原因",
        "flagged_at": "标记时间",
        "none": "无",
        "no_team": "未分组",
        "generated": "生成于 {at}",
        "first_response": "首次响应",
        "next_response": "后续响应",
        "resolution": "解决",
    },
    "en": {
        "title": "Weekly digest",
        "week": "{start} to {end} ({tz})",
        "sla": "SLA met, by metric",
        "sla_by_team": "SLA met, by team",
        "breaches": "Breaches",
        "satisfaction": "CSAT and NPS",
        "churn_risk": "Churn-risk customers",
        "bot": "Bot containment",
        "metric": "Metric",
        "team": "Team",
        "met": "Met",
        "breached": "Breached",
        "pct_met": "% met",
        "responses": "Answers",
        "csat_avg": "CSAT average",
        "pct_satisfied": "Satisfied (4-5)",
        "nps": "NPS",
        "conversations": "Conversations",
        "contained": "Contained by the bot",
        "pct_contained": "% contained",
        "name": "Customer",
        "tier": "Tier",
        "reasons": "Reasons",
        "flagged_at": "Flagged",
        "none": "None",
        "no_team": "No team",
        "generated": "Generated {at}",
        "first_response": "First response",
        "next_response": "Next response",
        "resolution": "Resolution",
    },
}

_STYLE = (
    "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2933;"
    "max-width:46rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.4rem}h2{font-size:1.05rem;"
    "margin-top:1.5rem}table{border-collapse:collapse;width:100%;font-size:.9rem}"
    "th,td{border-bottom:1px solid #e4e7eb;padding:.3rem .5rem;text-align:left}"
    "td.num{text-align:right}.muted{color:#52606d}.big{font-size:1.6rem;font-weight:600}"
)


def _e(value: Any) -> str:
    return "–" if value is None else html.escape(str(value))


def _rows(figures: dict[str, Any], name: str) -> list[dict[str, Any]]:
    table = figures.get(name) or {"columns": [], "rows": []}
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def _table(words: dict[str, str], heads: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return f'<p class="muted">{_e(words["none"])}</p>'
    head = "".join(f"<th>{_e(words.get(h, h))}</th>" for h in heads)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(v)}</td>' if isinstance(v, int | float) else f"<td>{_e(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pct(value: Any) -> str | None:
    return None if value is None else f"{value}%"


def _sections(words: dict[str, str], figures: dict[str, Any]) -> list[str]:
    sla = _rows(figures, "sla")
    breached = sum(int(r["breached"]) for r in sla)

    def metric(name: str) -> str:
        return words.get(name, name)

    parts = [
        f'<h2>{_e(words["breaches"])}</h2><p class="big">{_e(breached)}</p>',
        f"<h2>{_e(words['sla'])}</h2>",
        _table(
            words,
            ["metric", "met", "breached", "pct_met"],
            [[metric(r["metric"]), r["met"], r["breached"], _pct(r["pct_met"])] for r in sla],
        ),
        f"<h2>{_e(words['sla_by_team'])}</h2>",
        _table(
            words,
            ["team", "metric", "met", "breached", "pct_met"],
            [
                [
                    r["team"] or words["no_team"],
                    metric(r["metric"]),
                    r["met"],
                    r["breached"],
                    _pct(r["pct_met"]),
                ]
                for r in _rows(figures, "sla_by_team")
            ],
        ),
    ]
    heads = ["responses", "csat_avg", "pct_satisfied", "nps"]
    satisfaction = [
        [r["responses"], r["csat_avg"], _pct(r["pct_satisfied"]), r["nps"]]
        for r in _rows(figures, "satisfaction")
    ]
    bot = [
        [r["conversations"], r["contained"], _pct(r["pct_contained"])]
        for r in _rows(figures, "bot")
    ]
    churn = [
        [r["name"], r["tier"], r["reasons"], r["flagged_at"]] for r in _rows(figures, "churn_risk")
    ]
    parts += [
        f"<h2>{_e(words['satisfaction'])}</h2>",
        _table(words, heads, satisfaction),
        f"<h2>{_e(words['bot'])}</h2>",
        _table(words, ["conversations", "contained", "pct_contained"], bot),
        f"<h2>{_e(words['churn_risk'])}</h2>",
        _table(words, ["name", "tier", "reasons", "flagged_at"], churn),
    ]
    return parts


def render(digest: WeeklyDigest, language: str) -> str:
    """The digest as a whole HTML document in `language` (zh or en)."""
    words = _WORDS[language if language in LANGUAGES else "zh"]
    zone = ZoneInfo(digest.timezone)
    start = digest.period_start.astimezone(zone).date()
    last = digest.period_end.astimezone(zone).date() - timedelta(days=1)
    week = words["week"].format(start=start.isoformat(), end=last.isoformat(), tz=digest.timezone)
    generated = words["generated"].format(
        at=digest.generated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    )
    lang = "zh-CN" if words is _WORDS["zh"] else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{_e(words['title'])} {_e(week)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(words['title'])}</h1><p>{_e(week)}</p>"
        + "".join(_sections(words, digest.figures))
        + f'<p class="muted">{_e(generated)}</p></body></html>'
    )
