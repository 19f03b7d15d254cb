"""Demo data: a footwear retailer (鞋履零售) and a month of tickets, so newcomers see a live desk.

Everything is made through the service layer, replayed in time order with past timestamps: the
tickets' history, SLA clocks, follow-up visits and the SLA worker's warnings and breaches are what
the real code produced. A seed and `now` fix the whole data set.

The made-up values are in `ticketing.demo.data`; the engine that loads and plays them is here:
`desk` (teams, users, calendars, SLA policies), `people` (the customers), `month` (which cases,
when, from whom), `case` and `plan` (each ticket's words and life as steps in time), `world`
(the replay through the services, with the worker in between) and `load` (`load_demo`).
"""

from ticketing.demo.data.company import (
    AFTER_SALES,
    DAYS,
    DEMO_PASSWORD,
    DEMO_USERS,
    KEY_ACCOUNTS,
    LOGISTICS,
    TICKETS,
)
from ticketing.demo.data.customers import KEY_ACCOUNTS_LIST
from ticketing.demo.desk import login_lines
from ticketing.demo.load import DemoSummary, load_demo

__all__ = [
    "AFTER_SALES",
    "DAYS",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "KEY_ACCOUNTS",
    "KEY_ACCOUNTS_LIST",
    "LOGISTICS",
    "TICKETS",
    "DemoSummary",
    "load_demo",
    "login_lines",
]
