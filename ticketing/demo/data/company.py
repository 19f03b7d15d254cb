"""The demo retailer's desk: its size, teams, users, calendars and SLA targets."""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.models import Category, Priority, Role, Tier

# For a demo database only: `login_lines()` prints it, and `python -m ticketing run` prints it
# only while the demo admin still has it.
DEMO_PASSWORD = "kefu-demo-2026"  # noqa: S105
TIMEZONE = "Asia/Shanghai"
TICKETS = 200
DAYS = 30
NEWEST_UNTOUCHED = 3  # the newest tickets wait for a first answer, so the queue is never empty


# --- teams and users ----------------------------------------------------------------------------

AFTER_SALES = "after-sales"
LOGISTICS = "logistics"
KEY_ACCOUNTS = "key-accounts"


@dataclass(frozen=True)
class DemoTeam:
    name: str
    zh: str
    en: str  # as an English reply names it: "from the after-sales team"
    description: str


TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam(
        AFTER_SALES,
        "售后服务",
        "the after-sales team",
        "售后服务 After-sales: quality, returns and exchanges, price protection, membership, "
        "service complaints",
    ),
    DemoTeam(
        LOGISTICS,
        "物流配送",
        "the logistics team",
        "物流配送 Logistics: dispatch, late and lost parcels, wrong items",
    ),
    DemoTeam(
        KEY_ACCOUNTS,
        "大客户",
        "the key accounts team",
        "大客户 Key accounts: company contracts, invoices and statements; a dedicated account "
        "manager, 7x24",
    ),
)
# Where new tickets go by category (`python -m ticketing team route`): company contracts to the
# key accounts team, parcels to logistics, the rest to after-sales.
ROUTES: dict[Category, str] = {
    Category.PRODUCT_QUALITY: AFTER_SALES,
    Category.SERVICE: AFTER_SALES,
    Category.PRICE: AFTER_SALES,
    Category.POLICY: AFTER_SALES,
    Category.OTHER: AFTER_SALES,
    Category.DELIVERY: LOGISTICS,
    Category.CONTRACT: KEY_ACCOUNTS,
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    team: str | None
    name_en: str  # how they sign an English reply
    title: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("zhou.min", "周敏", Role.SUPERVISOR, AFTER_SALES, "Zhou Min", "售后服务主管"),
    DemoUser("li.na", "李娜", Role.AGENT, AFTER_SALES, "Li Na", "售后客服"),
    DemoUser("wang.qiang", "王强", Role.AGENT, AFTER_SALES, "Wang Qiang", "售后客服"),
    DemoUser("emily.chen", "Emily Chen", Role.AGENT, AFTER_SALES, "Emily Chen", "售后客服"),
    DemoUser("zhang.wei", "张伟", Role.AGENT, AFTER_SALES, "Zhang Wei", "售后客服"),
    DemoUser("daniel.wu", "Daniel Wu", Role.SUPERVISOR, LOGISTICS, "Daniel Wu", "物流配送主管"),
    DemoUser("liu.yang", "刘洋", Role.AGENT, LOGISTICS, "Liu Yang", "物流客服"),
    DemoUser("kevin.zhao", "Kevin Zhao", Role.AGENT, LOGISTICS, "Kevin Zhao", "物流客服"),
    DemoUser("sun.li", "孙丽", Role.AGENT, LOGISTICS, "Sun Li", "物流客服"),
    DemoUser("chen.jing", "陈静", Role.SUPERVISOR, KEY_ACCOUNTS, "Chen Jing", "大客户部主管"),
    DemoUser("zhao.lei", "赵磊", Role.AGENT, KEY_ACCOUNTS, "Zhao Lei", "大客户经理"),
    DemoUser("grace.lin", "Grace Lin", Role.AGENT, KEY_ACCOUNTS, "Grace Lin", "大客户经理"),
    DemoUser("he.fang", "何芳", Role.AGENT, KEY_ACCOUNTS, "He Fang", "大客户经理"),
    # Last: `python -m ticketing run` checks this one to decide whether to print the logins.
    DemoUser("admin", "系统管理员", Role.ADMIN, None, "Admin", "系统管理员 Admin"),
)


# --- calendars and SLA targets ------------------------------------------------------------------

OFFICE = "China office"
ALWAYS_OPEN = "24x7"
OFFICE_PERIODS: dict[str, list[list[str]]] = {
    **{str(day): [["09:00", "12:00"], ["13:30", "18:00"]] for day in range(5)},
    "5": [["10:00", "16:00"]],
}
# The 2026 public holidays of the State Council's notice (国办发明电〔2025〕7号): New Year, Spring
# Festival (9 days), Qingming, Labour Day, Dragon Boat, Mid-Autumn, National Day. The make-up
# working days (1-04, 2-14, 2-28, 5-09, 9-20, 10-10) are not modelled: a calendar has no extra
# opening days, so the clock is a little kind to the desk on those six days.
HOLIDAYS_2026: tuple[str, ...] = (
    "2026-01-01", "2026-01-02", "2026-01-03",
    *(f"2026-02-{day}" for day in range(15, 24)),
    "2026-04-04", "2026-04-05", "2026-04-06",
    *(f"2026-05-0{day}" for day in range(1, 6)),
    "2026-06-19", "2026-06-20", "2026-06-21",
    "2026-09-25", "2026-09-26", "2026-09-27",
    *(f"2026-10-0{day}" for day in range(1, 8)),
)  # fmt: skip

# (first response, next response, resolution) in minutes. Regular, silver and gold count business
# time of the China office calendar (a working day is 7.5 h, Saturday 6 h); silver gets about
# three quarters of the regular targets, gold about half. Key accounts count elapsed time round
# the clock and get the tightest responses (seed document 003: 7x24 response for key accounts);
# their resolutions are in calendar days, as company orders move by truck and by contract.
#              low                normal             high               urgent
#   regular    8h / 8h / 8d       4h / 4h / 5d       2h / 2h / 3d       1h / 1h / 1.5d
#   silver     6h / 6h / 7d       3h / 3h / 4d       90m / 90m / 2.5d   45m / 45m / 1d
#   gold       4h / 4h / 6d       2h / 2h / 3d       1h / 1h / 2d       30m / 30m / 1d
#   key acct.  2h / 2h / 7x24h    1h / 1h / 5x24h    30m / 30m / 4x24h  15m / 15m / 48h
# (d = working days of 7.5 business hours.) A key account's complaint is `high` by default and
# `urgent` when major; anyone else's `normal`, or `high` when major (services.create_ticket).
_H = 60  # minutes
WORKING_DAY = 450  # minutes: 7.5 business hours
SLA_TARGETS: dict[Tier, dict[Priority, tuple[int, int, int]]] = {
    Tier.REGULAR: {
        Priority.LOW: (8 * _H, 8 * _H, 8 * WORKING_DAY),
        Priority.NORMAL: (4 * _H, 4 * _H, 5 * WORKING_DAY),
        Priority.HIGH: (2 * _H, 2 * _H, 3 * WORKING_DAY),
        Priority.URGENT: (1 * _H, 1 * _H, 3 * WORKING_DAY // 2),
    },
    Tier.SILVER: {
        Priority.LOW: (6 * _H, 6 * _H, 7 * WORKING_DAY),
        Priority.NORMAL: (3 * _H, 3 * _H, 4 * WORKING_DAY),
        Priority.HIGH: (90, 90, 5 * WORKING_DAY // 2),
        Priority.URGENT: (45, 45, 1 * WORKING_DAY),
    },
    Tier.GOLD: {
        Priority.LOW: (4 * _H, 4 * _H, 6 * WORKING_DAY),
        Priority.NORMAL: (2 * _H, 2 * _H, 3 * WORKING_DAY),
        Priority.HIGH: (1 * _H, 1 * _H, 2 * WORKING_DAY),
        Priority.URGENT: (30, 30, 1 * WORKING_DAY),
    },
    Tier.KEY_ACCOUNT: {
        Priority.LOW: (2 * _H, 2 * _H, 7 * 24 * _H),
        Priority.NORMAL: (1 * _H, 1 * _H, 5 * 24 * _H),
        Priority.HIGH: (30, 30, 4 * 24 * _H),
        Priority.URGENT: (15, 15, 48 * _H),
    },
}
