"""The console's own endpoints: its page, queues, one ticket with SLA risk, and the transcript.

The customer panel and taking over a chat are in test_console_customer.py, the live stream in
test_console_stream.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.console_helpers import chat, claimed_by
from tests.api.helpers import Desk, auth, stored, ticket_in
from tests.factories import make_policy
from ticketing.api.routes import console
from ticketing.clock import utcnow
from ticketing.models import Ticket, Tier, User

# --- the page -----------------------------------------------------------------------------------


def test_console_page_is_served_under_a_strict_csp(client: TestClient) -> None:
    page = client.get("/console")

    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert '<script type="module" src="/console/static/app.js">' in page.text
    script = client.get("/console/static/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text
    history = client.get("/console/static/history.js")
    assert history.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in history.text
    assert client.get("/console/static/../routes/console.py").status_code == 404
    assert client.get("/console/static/index.html").status_code == 404


HISTORY_LINES = """
const stub = (name, value) =>
  Object.defineProperty(globalThis, name, { value, configurable: true });
stub("navigator", { languages: ["zh-CN"] });
stub("localStorage", { getItem: () => null, setItem: () => {} });
stub("document", { documentElement: {} });
const { setLanguage } = await import(process.argv[2] + "/i18n.js");
const { describeEvent } = await import(process.argv[2] + "/history.js");
const lines = {};
for (const lang of ["zh", "en"]) {
  setLanguage(lang);
  lines[lang] = JSON.parse(process.argv[3]).map(describeEvent);
}
console.log(JSON.stringify(lines));
"""


def history_lines(events: list[dict[str, Any]], tmp_path: Path) -> dict[str, list[str]]:
    """How the console's history.js words `events`, in Chinese and in English (under Node)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js to run the console's script")
    runner = tmp_path / "history_lines.mjs"
    runner.write_text(HISTORY_LINES, encoding="utf-8")
    result = subprocess.run(
        [node, str(runner), console.WEB.as_uri(), json.dumps(events)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines: dict[str, list[str]] = json.loads(result.stdout)
    return lines


def test_history_says_a_team_kept_as_routed_was_confirmed_not_moved(tmp_path: Path) -> None:
    events = [
        {"kind": "triaged", "data": {"team": ["售后一组", "售后一组"]}},
        {"kind": "triaged", "data": {"category": ["other", "delivery"], "team": ["<b>A</b>"] * 2}},
        {"kind": "triaged", "data": {"team": [None, "物流"]}},
        {"kind": "claimed", "data": {"assignee": "alice", "team": [None, "售后一组"]}},
        {"kind": "assigned", "data": {"assignee": [None, "bob"], "team": [None, "售后二组"]}},
        {"kind": "assigned", "data": {"assignee": ["bob", None]}},
    ]

    lines = history_lines(events, tmp_path)

    assert lines["zh"] == [
        "确认团队：售后一组",
        "类别: 其他 → 物流配送; 确认团队：<b>A</b>",
        "团队: – → 物流",
        "alice; 团队: – → 售后一组",
        "– → bob; 团队: – → 售后二组",
        "bob → –",
    ]
    assert lines["en"][:3] == [
        "Team confirmed: 售后一组",
        "Category: Other → Delivery; Team confirmed: <b>A</b>",
        "Team: – → 物流",
    ]


# --- queues -------------------------------------------------------------------------------------


def test_queues_hold_what_their_names_say(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    stored(session_factory, lambda s: make_policy(s, first_response=60))
    mine = ticket_in(session_factory, desk.team_a, subject="我的")
    waiting = ticket_in(session_factory, desk.team_a, subject="没人管")
    ticket_in(session_factory, desk.team_b, subject="二组的")
    claimed_by(session_factory, mine, desk.alice)

    def numbers(queue: str, user: User) -> list[str]:
        response = client.get(f"/api/console/tickets?queue={queue}", headers=auth(user))
        assert response.status_code == 200
        return [row["number"] for row in response.json()["data"]]

    assert numbers("mine", desk.alice) == [mine.number]
    assert sorted(numbers("team", desk.alice)) == sorted([mine.number, waiting.number])
    assert numbers("unassigned", desk.alice) == [waiting.number]
    assert numbers("unassigned", desk.bob) != [waiting.number]
    assert len(numbers("team", desk.sue)) == 3  # a supervisor with no team sees every team
    assert sorted(numbers("breaching", desk.alice)) == sorted([mine.number, waiting.number])
    counts = client.get("/api/console/queues", headers=auth(desk.alice)).json()
    assert counts == {
        "mine": 1,
        "team": 2,
        "unassigned": 1,
        "breaching": 2,
        "escalations": 0,
        "callbacks": 0,
        "notifications_unread": 0,
    }


def test_breaching_soon_leaves_out_deadlines_more_than_an_hour_away(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    stored(session_factory, lambda s: make_policy(s, first_response=240, resolution=480))
    ticket_in(session_factory, desk.team_a)

    rows = client.get("/api/console/tickets?queue=breaching", headers=auth(desk.alice)).json()

    assert rows["count"] == 0


def test_escalation_queue_holds_escalated_tickets_nobody_has(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    escalated = ticket_in(session_factory, desk.team_a, subject="超时了")
    ticket_in(session_factory, desk.team_a, subject="还好")

    def escalate(session: Session) -> None:
        session.get_one(Ticket, escalated.id).escalated_at = utcnow()

    stored(session_factory, escalate)

    for user in (desk.sue, desk.alice):
        rows = client.get("/api/console/tickets?queue=escalations", headers=auth(user)).json()
        assert [r["number"] for r in rows["data"]] == [escalated.number]
    bob = client.get("/api/console/tickets?queue=escalations", headers=auth(desk.bob)).json()
    assert bob["data"] == []


def test_queue_rows_carry_customer_churn_and_the_latest_customer_message(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "你好", "鞋底开胶了", "转人工")

    def flag(session: Session) -> None:
        customer = session.get_one(Ticket, ticket.id).customer
        assert customer is not None
        customer.churn_risk = True
        customer.tier = Tier.GOLD

    stored(session_factory, flag)

    (row,) = client.get("/api/console/tickets?queue=unassigned", headers=auth(desk.alice)).json()[
        "data"
    ]

    assert row["handed_off"] is True
    assert row["churn_risk"] is True
    assert row["customer_tier"] == "gold"
    assert row["last_customer_message"] == "转人工"
    # The subject is the complaint, not the request for a person that came after it.
    assert row["subject"] == "在线咨询: 鞋底开胶了"


def test_queue_search_finds_a_ticket_by_number(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket_in(session_factory, desk.team_a)
    wanted = ticket_in(session_factory, desk.team_a, subject="别的")

    rows = client.get(
        f"/api/console/tickets?queue=team&q={wanted.number}", headers=auth(desk.alice)
    ).json()

    assert [r["number"] for r in rows["data"]] == [wanted.number]


def test_an_unknown_queue_is_refused(client: TestClient, desk: Desk) -> None:
    response = client.get("/api/console/tickets?queue=everything", headers=auth(desk.alice))

    assert response.status_code == 422


# --- one ticket ---------------------------------------------------------------------------------


def test_sla_clocks_show_breached_and_at_risk(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    now = utcnow()
    stored(session_factory, lambda s: make_policy(s, first_response=60, resolution=8 * 60))
    late = ticket_in(session_factory, desk.team_a, at=now - timedelta(minutes=90))
    close = ticket_in(session_factory, desk.team_a, at=now - timedelta(minutes=50))

    def clocks(ticket: Ticket) -> dict[str, dict[str, Any]]:
        body = client.get(f"/api/console/tickets/{ticket.number}", headers=auth(desk.alice)).json()
        return {c["metric"]: c for c in body["sla_clocks"]}

    assert clocks(late)["first_response"]["breached"] is True
    assert clocks(late)["first_response"]["at_risk"] is False
    assert clocks(close)["first_response"]["at_risk"] is True
    assert clocks(close)["first_response"]["warn_at"] is not None
    assert clocks(close)["resolution"]["at_risk"] is False
    row = client.get("/api/console/tickets?queue=unassigned", headers=auth(desk.alice)).json()
    assert {r["number"]: r["sla_at_risk"] for r in row["data"]} == {
        late.number: False,
        close.number: True,
    }


def test_ticket_says_what_the_user_may_do(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "我要投诉")
    url = f"/api/console/tickets/{ticket.number}"

    before = client.get(url, headers=auth(desk.alice)).json()
    claimed_by(session_factory, ticket, desk.alice)
    after = client.get(url, headers=auth(desk.alice)).json()
    other = client.get(url, headers=auth(desk.ann)).json()

    assert before["can_claim"] is True and before["can_hand_back"] is False
    assert before["conversation"]["state"] == "queued"
    assert before["allowed_status"] == ["open", "pending", "resolved", "closed"]
    assert after["can_claim"] is False and after["can_hand_back"] is True
    assert after["allowed_status"] == ["pending", "resolved", "closed"]
    assert other["can_hand_back"] is False
    assert [e["kind"] for e in after["events"]][-1] == "claimed"


def test_a_ticket_of_another_team_is_not_found(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)

    for path in ("", "/transcript", "/customer"):
        response = client.get(f"/api/console/tickets/{ticket.number}{path}", headers=auth(desk.bob))
        assert response.status_code == 404


# --- transcript ---------------------------------------------------------------------------------


def test_transcript_has_the_bot_turns_before_the_handoff_and_the_notes(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "鞋底开胶了", "<script>alert(1)</script>")
    claimed_by(session_factory, ticket, desk.alice)
    base = f"/api/tickets/{ticket.number}"
    client.post(f"{base}/notes", json={"body": "先核实订单"}, headers=auth(desk.alice))
    client.post(f"{base}/replies", json={"body": "您好，我是客服"}, headers=auth(desk.alice))

    body = client.get(
        f"/api/console/tickets/{ticket.number}/transcript", headers=auth(desk.alice)
    ).json()

    assert [(m["kind"], m["body"]) for m in body["data"]] == [
        ("customer", "鞋底开胶了"),
        ("bot", "机器人回答"),
        ("customer", "<script>alert(1)</script>"),
        ("bot", "机器人回答"),
        ("note", "先核实订单"),
        ("agent", "您好，我是客服"),
    ]
    assert body["data"][1]["buttons"] == ["转人工"]
    assert body["data"][1]["ticket"] is None  # said before there was a ticket
    assert body["data"][-1]["author_name"] == "alice"
    assert body["conversation"]["state"] == "agent"
    assert body["conversation"]["agent_name"] == "alice"

    last = body["data"][-2]["id"]
    newer = client.get(
        f"/api/console/tickets/{ticket.number}/transcript?after_id={last}",
        headers=auth(desk.alice),
    ).json()
    assert [m["body"] for m in newer["data"]] == ["您好，我是客服"]


def test_notes_of_an_earlier_ticket_stay_with_it(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    first = chat(session_factory, desk, "第一次")
    claimed_by(session_factory, first, desk.alice)
    client.post(
        f"/api/tickets/{first.number}/notes", json={"body": "旧备注"}, headers=auth(desk.alice)
    )
    client.post(
        f"/api/tickets/{first.number}/status", json={"status": "closed"}, headers=auth(desk.alice)
    )
    second = chat(session_factory, desk, "第二次")

    body = client.get(
        f"/api/console/tickets/{second.number}/transcript", headers=auth(desk.alice)
    ).json()

    bodies = [m["body"] for m in body["data"]]
    assert "第一次" in bodies and "第二次" in bodies
    assert "旧备注" not in bodies
