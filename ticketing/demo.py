"""Demo data: a footwear retailer (鞋履零售) and a month of tickets, so newcomers see a live desk.

Everything is made through the service layer, replayed in time order with past timestamps: the
tickets' history, SLA clocks, follow-up visits and the SLA worker's warnings and breaches are what
the real code produced. A seed and `now` fix the whole data set.
"""

from __future__ import annotations

import heapq
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Concatenate, ParamSpec
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ticketing import (
    accounts,
    callbacks,
    churn,
    followups,
    notifications,
    scores,
    services,
    sla,
)
from ticketing.clock import utcnow
from ticketing.errors import Conflict
from ticketing.models import (
    OPEN_STATUSES,
    BusinessCalendar,
    CallbackOutcome,
    CallbackStatus,
    CallbackTask,
    Category,
    Channel,
    Conversation,
    ConversationState,
    Customer,
    FollowUp,
    FollowUpStatus,
    IdentityKind,
    Lifecycle,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Priority,
    Role,
    Severity,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    Status,
    SurveyResponse,
    Team,
    Ticket,
    Tier,
    User,
)
from ticketing.sla import escalations

# For a demo database only: `login_lines()` prints it, and `python -m ticketing run` prints it
# only while the demo admin still has it.
DEMO_PASSWORD = "kefu-demo-2026"  # noqa: S105
TIMEZONE = "Asia/Shanghai"
TICKETS = 200
DAYS = 30
NEWEST_UNTOUCHED = 3  # the newest tickets wait for a first answer, so the queue is never empty

_ZONE = ZoneInfo(TIMEZONE)
_FOREVER = datetime.max.replace(tzinfo=UTC)
_P = ParamSpec("_P")
_H = 60  # minutes

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
_TEAM = {team.name: team for team in TEAMS}
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
_USER = {user.username: user for user in DEMO_USERS}


def _agents(team: str) -> list[str]:
    return [u.username for u in DEMO_USERS if u.team == team and u.role is Role.AGENT]


def _supervisor(team: str) -> str:
    return next(u.username for u in DEMO_USERS if u.team == team and u.role is Role.SUPERVISOR)


def login_lines() -> list[str]:
    """The demo logins, for the console after `demo load` and `run`."""
    lines = [f"Demo logins (password {DEMO_PASSWORD}, for a demo database only):"]
    for user in DEMO_USERS:
        lines.append(
            f"  {user.username:<12} {user.role.value:<11} {user.team or '-':<13} "
            f"{user.display_name} ({user.title})"
        )
    return lines


# --- calendars and SLA policies -----------------------------------------------------------------

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
_DAY = 450
SLA_TARGETS: dict[Tier, dict[Priority, tuple[int, int, int]]] = {
    Tier.REGULAR: {
        Priority.LOW: (8 * _H, 8 * _H, 8 * _DAY),
        Priority.NORMAL: (4 * _H, 4 * _H, 5 * _DAY),
        Priority.HIGH: (2 * _H, 2 * _H, 3 * _DAY),
        Priority.URGENT: (1 * _H, 1 * _H, 3 * _DAY // 2),
    },
    Tier.SILVER: {
        Priority.LOW: (6 * _H, 6 * _H, 7 * _DAY),
        Priority.NORMAL: (3 * _H, 3 * _H, 4 * _DAY),
        Priority.HIGH: (90, 90, 5 * _DAY // 2),
        Priority.URGENT: (45, 45, 1 * _DAY),
    },
    Tier.GOLD: {
        Priority.LOW: (4 * _H, 4 * _H, 6 * _DAY),
        Priority.NORMAL: (2 * _H, 2 * _H, 3 * _DAY),
        Priority.HIGH: (1 * _H, 1 * _H, 2 * _DAY),
        Priority.URGENT: (30, 30, 1 * _DAY),
    },
    Tier.KEY_ACCOUNT: {
        Priority.LOW: (2 * _H, 2 * _H, 7 * 24 * _H),
        Priority.NORMAL: (1 * _H, 1 * _H, 5 * 24 * _H),
        Priority.HIGH: (30, 30, 4 * 24 * _H),
        Priority.URGENT: (15, 15, 48 * _H),
    },
}


def office_calendar() -> sla.Calendar:
    return sla.Calendar.from_config(TIMEZONE, OFFICE_PERIODS, HOLIDAYS_2026)


# --- the catalogue ------------------------------------------------------------------------------

# (Chinese, English, price in yuan)
PRODUCTS: tuple[tuple[str, str, int], ...] = (
    ("云跃轻跑跑鞋", "CloudLeap running shoes", 599),
    ("经典牛皮乐福鞋", "classic leather loafers", 799),
    ("女士细跟高跟鞋", "women's stiletto heels", 459),
    ("儿童魔术贴运动鞋", "kids' velcro trainers", 259),
    ("防水徒步靴", "waterproof hiking boots", 899),
    ("帆布休闲鞋", "canvas plimsolls", 199),
    ("商务正装皮鞋", "leather oxford shoes", 1099),
    ("麂皮短靴", "suede ankle boots", 699),
    ("百搭小白鞋", "white leather trainers", 399),
)
_HEELS = 2
COURIERS: tuple[tuple[str, str, str], ...] = (
    ("顺丰速运", "SF Express", "SF"),
    ("中通快递", "ZTO Express", "ZT"),
    ("京东物流", "JD Logistics", "JD"),
)
STORES: tuple[tuple[str, str], ...] = (
    ("上海南京西路店", "Nanjing West Road store in Shanghai"),
    ("杭州湖滨银泰店", "Hubin Intime store in Hangzhou"),
    ("北京三里屯店", "Sanlitun store in Beijing"),
    ("深圳万象城店", "MixC store in Shenzhen"),
)
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

# --- customers ----------------------------------------------------------------------------------
# Names are made up; phone numbers use the +86-000 prefix that no Chinese number has, e-mail
# addresses are at example.com, and Telegram ids are not numbers, so nothing here can reach a
# real person even when a real bot token is configured (the Telegram adapter refuses them).

ZH_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
)  # fmt: skip
ZH_GIVEN = (
    ("丽华", "lihua"), ("志强", "zhiqiang"), ("芳", "fang"), ("帆", "fan"), ("敏", "min"),
    ("蕾", "lei"), ("晓燕", "xiaoyan"), ("俊", "jun"), ("静", "jing"), ("浩", "hao"),
    ("丽娟", "lijuan"), ("磊", "lei"), ("雪", "xue"), ("峰", "feng"), ("婷", "ting"),
    ("晓东", "xiaodong"), ("佳", "jia"), ("远", "yuan"), ("雨", "yu"), ("嘉怡", "jiayi"),
    ("凯", "kai"), ("琳", "lin"), ("梅", "mei"), ("宁", "ning"), ("涛", "tao"), ("悦", "yue"),
    ("晨", "chen"), ("阳", "yang"), ("媛", "yuan"), ("宇", "yu"), ("诺", "nuo"), ("子轩", "zixuan"),
    ("欣怡", "xinyi"), ("建国", "jianguo"), ("秀英", "xiuying"), ("文博", "wenbo"),
)  # fmt: skip
EN_FIRST = (
    "Sarah", "Michael", "Priya", "Tom", "Laura", "James", "Aisha", "David", "Emma", "Lucas",
    "Hannah", "Oliver", "Chloe", "Daniel", "Sofia", "Ethan", "Mia", "Noah", "Olivia", "Ryan",
    "Isabella", "Jack", "Amelia", "Liam", "Zoe", "Marco", "Yuki", "Ahmed", "Nora", "Sam",
)  # fmt: skip
EN_LAST = (
    "Johnson", "Brown", "Sharma", "Becker", "Martinez", "Wilson", "Khan", "Kim", "Walsh", "Silva",
    "Mueller", "Smith", "Dubois", "Park", "Rossi", "Clarke", "Nguyen", "Fischer", "Bennett",
    "Murphy", "Costa", "Taylor", "Ho", "Adams", "Bianchi", "Tanaka", "Hassan", "Lindqvist", "Patel",
)  # fmt: skip


@dataclass(frozen=True)
class KeyAccount:
    """A company customer: a contract, a dedicated account manager, 7x24 answers."""

    name: str
    language: str
    contact: str  # how the contact introduces themselves
    hello: str  # how the account manager greets them
    you: str  # 贵校 / 贵司 / 贵院; "your team" in English
    email: str
    product_zh: str
    product_en: str
    quantity: int
    manager: str
    kitchens: bool  # staff on wet floors: the slip-resistance story fits
    lifecycle: Lifecycle


KEY_ACCOUNTS_LIST: tuple[KeyAccount, ...] = (
    KeyAccount(
        "明德实验学校（校服鞋集采）", "zh", "我是明德实验学校总务处的刘建华", "刘老师您好",
        "贵校", "liu.jianhua@example.com", "学生皮鞋", "school shoes", 1200, "zhao.lei",
        False, Lifecycle.MATURE,
    ),
    KeyAccount(
        "悦庭酒店集团", "zh", "我是悦庭酒店集团采购部的王雪", "王经理您好", "贵司",
        "wang.xue@example.com", "员工工作鞋", "staff shoes", 800, "he.fang", True,
        Lifecycle.MATURE,
    ),
    KeyAccount(
        "华康医疗集团", "zh", "我是华康医疗集团后勤采购部的陈立", "陈主任您好", "贵院",
        "chen.li@example.com", "护士鞋", "nursing shoes", 600, "zhao.lei", True,
        Lifecycle.DECLINING,
    ),
    KeyAccount(
        "顺捷物流华东区", "zh", "我是顺捷物流华东区行政部的张凯", "张经理您好", "贵司",
        "zhang.kai@example.com", "防砸劳保鞋", "safety boots", 1500, "he.fang", False,
        Lifecycle.NEW,
    ),
    KeyAccount(
        "Harbor Bay Hotels (Asia)", "en", "This is Rachel Tan, procurement manager at Harbor "
        "Bay Hotels", "Dear Rachel,", "your team", "rachel.tan@example.com", "员工工作鞋",
        "staff shoes", 900, "grace.lin", True, Lifecycle.MATURE,
    ),
    KeyAccount(
        "Pacific Crest Airlines", "en", "This is Marcus Lee from the Pacific Crest Airlines "
        "uniform programme", "Dear Marcus,", "your team", "marcus.lee@example.com", "空乘制服鞋",
        "cabin crew shoes", 450, "grace.lin", False, Lifecycle.NEW,
    ),
)  # fmt: skip


# --- the stories --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lines:
    """One complaint as a customer writes it and a good agent answers it, in one language.
    Fields are format strings over the words of `_words`."""

    subject: str
    description: str
    reply: str  # the first answer; with `answer` set it asks the customer for something
    note: str  # internal, for colleagues
    resolution: str
    answer: str = ""  # the customer's answer to the first reply's question
    update: str = ""  # a progress message between the first answer and the resolution


@dataclass(frozen=True)
class Scenario:
    key: str
    category: Category
    team: str
    weight: float
    zh: Lines
    en: Lines
    major: bool = False
    triaged_major: bool = False  # filed as general; the supervisor finds it major on triage
    key_account: bool = False
    kitchens_only: bool = False
    regular_only: bool = False  # e.g. a customer downgraded to regular
    products: tuple[int, ...] = ()  # the story needs one of these products
    supervisor_owns: bool = False  # the team's supervisor takes it personally
    # How many days the work takes in the real world, from the customer's last input to the
    # resolution: a courier, a lab, a factory do not care about SLA targets.
    days: tuple[float, float] = (1, 3)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "sole_glue",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        6,
        days=(1.5, 3),
        zh=Lines(
            subject="{product}穿了不到一个月鞋底开胶",
            description=(
                "你好，我{days}天前在官网买的{product}（订单号 {order}），{size}码。平时就是上下班"
                "穿，没下过雨也没泡过水，今天发现右脚鞋头的鞋底整个开胶了，走路一直进沙子。这个价位"
                "的鞋质量这样说不过去吧？希望给个处理方案。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}，非常抱歉鞋子出现开胶的情况。为了尽快帮您处理，麻烦您"
                "拍两张照片发给我们：一张开胶部位的特写，一张鞋底整体。收到后我马上为您申请质量问题"
                "换新，来回运费由我们承担。"
            ),
            answer="照片发过来了，两张都在。我比较着急，下周出差要穿。",
            note=(
                "照片确认为鞋头部位胶水脱开，无人为损坏，属质量问题。已按质量问题换新流程提交，"
                "同批次已反馈质检部跟踪。"
            ),
            update=(
                "照片收到了，确认是质量问题。已为您提交换新申请，{courier}明天上午上门取件，旧鞋揽收"
                "后新鞋当天发出，赶得上您出差。"
            ),
            resolution=(
                "新鞋已经发出，{courier}单号 {tracking}，预计 1-2 天送达。另外给您的账户补了 30 元"
                "无门槛券作为补偿。新鞋如有任何问题，直接回复这个工单就可以。"
            ),
        ),
        en=Lines(
            subject="Sole coming unglued on my {product} after three weeks",
            description=(
                "Hi, I bought the {product} (order {order}, size {size}) on your website {days} "
                "days ago. I've only worn them to the office, never in the rain, and today the "
                "sole at the right toe has come away completely. For shoes at this price that's "
                "not acceptable. What can you do?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}, and I'm sorry the sole has come loose. So we "
                "can sort this quickly, could you send two photos: a close-up of where it's "
                "coming apart and one of the whole sole? As soon as I have them I'll raise a "
                "quality exchange for you, with postage both ways on us."
            ),
            answer=(
                "Photos attached. I'm travelling next week and need them, so the sooner the better."
            ),
            note=(
                "Photos show adhesive failure at the toe, no sign of misuse: a manufacturing "
                "defect. Exchange raised under the quality process; batch reported to QC."
            ),
            update=(
                "Thanks for the photos: this is a manufacturing defect. I've raised an exchange; "
                "{courier} will collect the old pair tomorrow morning and the new pair ships the "
                "same day, in time for your trip."
            ),
            resolution=(
                "Your new pair is on its way with {courier}, tracking {tracking}, and should "
                "arrive in 1-2 days. I've also added a ¥30 voucher to your account for the "
                "trouble. If anything's wrong with the new pair, just reply here."
            ),
        ),
    ),
    Scenario(
        "fading",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        4,
        days=(1, 2),
        products=(5, 7, 0),
        zh=Lines(
            subject="{product}严重掉色，把袜子和裤脚都染了",
            description=(
                "买的{product}，{size}码，订单 {order}。第一次穿碰上下小雨，回家发现白袜子整个被染"
                "成了蓝色，浅色裤脚也沾上了颜色，洗了两遍都洗不掉。鞋子本身也褪色发花了。请问这"
                "正常吗？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。给您添麻烦了，鞋面遇水掉色确实不正常。麻烦您发一下"
                "鞋子和被染袜子的照片，方便的话把鞋盒里的合格证也拍一下，我们核对一下批次。"
            ),
            answer="照片和合格证都拍了发过来了。裤子是新买的，挺心疼的。",
            note=(
                "合格证批次与近期另两单掉色投诉相同，已提交质检复测色牢度。按质量问题全额退款，"
                "裤子损失酌情补偿。"
            ),
            update=(
                "核对过了，这一批次的色牢度确实有问题，质检正在复测。给您的方案是全额退款，另外"
                "补偿 100 元用于裤子的清洗或损失，您看可以吗？"
            ),
            resolution=(
                "退款 {price} 元和 100 元补偿已经原路退回，1-3 个工作日到账。鞋子不用寄回。非常"
                "抱歉给您带来的损失。"
            ),
        ),
        en=Lines(
            subject="{product} bleeding dye onto my socks and trousers",
            description=(
                "I bought the {product}, size {size}, order {order}. The first time I wore them "
                "it drizzled a bit, and when I got home my white socks were completely blue and "
                "the hem of my light trousers was stained too. Two washes haven't got it out, "
                "and the shoes themselves look patchy now. Surely that's not normal?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Sorry for the mess: dye coming off in light "
                "rain isn't normal. Could you send photos of the shoes and the stained socks, "
                "and, if you still have it, the quality card from the box so we can check the "
                "batch?"
            ),
            answer=(
                "Photos and the quality card attached. The trousers were new, which is annoying."
            ),
            note=(
                "The batch on the quality card matches two other recent dye complaints; sent to "
                "QC for a colourfastness retest. Full refund under the quality process plus "
                "goodwill for the trousers."
            ),
            update=(
                "Thanks. That batch does have a colourfastness problem and QC is retesting it. "
                "I'd like to offer a full refund plus ¥100 towards cleaning or replacing the "
                "trousers. Does that work for you?"
            ),
            resolution=(
                "The refund of ¥{price} and the ¥100 compensation are on their way to your "
                "original payment method and should arrive within 1-3 working days. No need to "
                "send the shoes back. Sorry again for the damage."
            ),
        ),
    ),
    Scenario(
        "seam",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        4,
        days=(1, 3),
        zh=Lines(
            subject="{product}开线了，才穿了十来天",
            description=(
                "你好，{product}左脚后跟那里的线开了一大截，里面的海绵都露出来了。鞋是{days}天前"
                "在{store}买的，小票还在。能修还是能换？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。很抱歉，这么短时间开线属于质量问题。麻烦您拍一下"
                "开线的位置和购物小票发给我，我帮您安排。"
            ),
            answer="小票和开线的照片都发了。最好能直接换新的，修过的总感觉不放心。",
            note="后跟缝线开线，属工艺问题。客户要求换新，{store}有现货，安排门店直接换。",
            update=(
                "和{store}确认过有您的尺码现货，您带上鞋子和小票去门店就能直接换新，不用再等检测，"
                "我已经跟店长打过招呼了。"
            ),
            resolution=(
                "门店反馈您已经换到新鞋了。开线的问题我们已经反馈给工厂改进缝线工艺。感谢您的"
                "耐心，祝您穿着愉快！"
            ),
        ),
        en=Lines(
            subject="Stitching coming apart on my {product} after ten days",
            description=(
                "Hi, the stitching at the back of the left heel on my {product} has come undone "
                "and the padding is poking out. I bought them at the {store} {days} days ago and "
                "still have the receipt. Can they be repaired or replaced?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Sorry about that: stitching shouldn't fail "
                "that quickly, so this is a quality issue. Could you send me a photo of the "
                "seam and of your receipt? Then I'll arrange the rest."
            ),
            answer=(
                "Receipt and photo attached. I'd rather have a new pair than a repair, to be "
                "honest."
            ),
            note=(
                "Heel seam failure, a workmanship defect. Customer prefers a replacement; the "
                "{store} has stock, so arranged an in-store swap."
            ),
            update=(
                "I've checked with the {store}: they have your size in stock. Take the shoes and "
                "the receipt in and they'll swap them on the spot; I've let the store manager "
                "know you're coming."
            ),
            resolution=(
                "The store tells me you've picked up your new pair. We've passed the seam issue "
                "to the factory so it gets fixed at source. Thanks for bearing with us!"
            ),
        ),
    ),
    Scenario(
        "odor",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        3,
        days=(2, 4),
        products=(3, 0, 8),
        zh=Lines(
            subject="新鞋有很刺鼻的气味，放了一周都散不掉",
            description=(
                "收到{product}一打开鞋盒就是一股很冲的化学味，熏得头疼。放阳台通风一个星期了还是"
                "很大味道，家里有小孩不敢放屋里。这个味道对身体有没有害？订单号 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。理解您的担心，尤其家里有小朋友。我们的鞋都有甲醛和"
                "偶氮检测报告，我先把这个批次的报告发给您。如果您还是不放心，可以直接退货，运费由"
                "我们承担。请问您更希望退货还是换一双？"
            ),
            answer="看了报告，还是想退。味道实在太大了。",
            note=(
                "客户反映胶味重。批次检测报告合格，仍按客户意愿免费退货。气味反馈已记录给产品部"
                "（本月第 3 例）。"
            ),
            update="好的，已为您办理免费退货，快递员明天上门取件，您不用支付运费。",
            resolution=(
                "仓库已经收到退回的鞋子，{price} 元退款已原路退回，1-3 个工作日到账。谢谢您的"
                "反馈，我们已转给产品部，包装前会延长通风晾置时间。"
            ),
        ),
        en=Lines(
            subject="New shoes have a strong chemical smell that won't go away",
            description=(
                "As soon as I opened the box of the {product} there was a harsh chemical smell "
                "that gave me a headache. They've been airing on the balcony for a week and it's "
                "still strong. I have a toddler, so I don't want them inside. Is this harmful? "
                "Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I understand the worry, especially with a "
                "little one at home. All our shoes are tested for formaldehyde and azo dyes, and "
                "I'll send you the test report for this batch. If you'd still rather not keep "
                "them, you can return them and we'll cover the postage. Would you prefer a "
                "refund or an exchange?"
            ),
            answer=(
                "I read the report but I'd still like to return them. The smell is just too much."
            ),
            note=(
                "Strong adhesive smell reported. The batch test report passes, but a free return "
                "as the customer wishes. Logged with the product team (3rd smell report this "
                "month)."
            ),
            update=(
                "Of course. I've set up a free return and a courier will pick the shoes up "
                "tomorrow; there's nothing to pay."
            ),
            resolution=(
                "The warehouse has received the shoes and your refund of ¥{price} is on its way "
                "to your original payment method (1-3 working days). Thanks for the feedback: "
                "we've asked the product team to air stock for longer before packing."
            ),
        ),
    ),
    Scenario(
        "heel_injury",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        1.2,
        days=(4, 8),
        major=True,
        products=(_HEELS,),
        zh=Lines(
            subject="鞋跟断裂导致摔伤，要求赔偿",
            description=(
                "我{days}天前在{store}买的{product}，今天下楼梯的时候右脚鞋跟突然断了，整个人摔了"
                "下去，脚踝扭伤。去医院拍了片，医生说是韧带拉伤，要休息两周。医药费八百多，还请了"
                "假。断掉的鞋跟和医院的单据我都留着。你们必须给我一个说法！"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。听到您受伤我们非常难过，请您先好好休息。这件事我们"
                "按重大投诉处理，由我全程负责。麻烦您保留好断跟的鞋子和医院的病历、发票，方便时拍照"
                "发给我；我们会安排同事上门取鞋送第三方检测，医药费和误工损失我们会先行承担。"
            ),
            answer="病历和发票的照片都发了。鞋子你们什么时候来拿？我现在下楼都不方便。",
            note=(
                "重大投诉：人身伤害。已上报质量部和法务；实物送第三方检测；同款同批次暂停销售"
                "待查。客户诉求：医药费 + 误工费。"
            ),
            update=(
                "同事明天上午上门取鞋，您在家等就可以，不用下楼。检测结果出来后我第一时间告诉您，"
                "赔偿方案我已经在报批了。"
            ),
            resolution=(
                "检测结论是鞋跟内部支撑件存在焊接缺陷，责任在我们。赔偿已经确认：全额退还鞋款 "
                "{price} 元、报销医药费 836 元，另付误工及营养补偿 2000 元，今天已一并转到您提供"
                "的账户。同批次产品已全部下架。再次郑重向您道歉，祝您早日康复。"
            ),
        ),
        en=Lines(
            subject="Heel snapped and I was injured: I want compensation",
            description=(
                "I bought the {product} at the {store} {days} days ago. Today the right heel "
                "snapped while I was going down the stairs and I fell. The hospital X-rayed my "
                "ankle: torn ligaments, two weeks' rest. The medical bills are over ¥800 and "
                "I've had to take time off work. I've kept the broken shoe and all the hospital "
                "paperwork. I expect this to be taken seriously."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm so sorry you were hurt; please rest first. "
                "We're treating this as a major complaint and I'll handle it personally from "
                "start to finish. Please keep the shoe and the hospital records and receipts, "
                "and send me photos when you can. We'll collect the shoe for independent "
                "testing, and we will cover your medical costs and lost earnings."
            ),
            answer=(
                "Photos of the medical report and receipts are attached. When will you collect "
                "the shoe? I can't really get downstairs at the moment."
            ),
            note=(
                "MAJOR: personal injury. Reported to quality and legal; the shoe goes to a "
                "third-party lab; same batch suspended from sale pending results. Customer asks "
                "for medical costs and lost earnings."
            ),
            update=(
                "A colleague will collect the shoe from your door tomorrow morning, so no need "
                "to go downstairs. I'll tell you the lab result as soon as we have it; the "
                "compensation is already going through approval."
            ),
            resolution=(
                "The lab found a welding defect in the heel's internal support, so the fault is "
                "ours. We've paid into your account today: a full refund of ¥{price}, your "
                "medical costs of ¥836 and ¥2,000 for lost earnings and recovery. The whole "
                "batch has been withdrawn from sale. Again, I'm truly sorry, and I hope you're "
                "back on your feet soon."
            ),
        ),
    ),
    Scenario(
        "slip_batch",
        Category.PRODUCT_QUALITY,
        KEY_ACCOUNTS,
        1,
        days=(3, 5),
        major=True,
        key_account=True,
        kitchens_only=True,
        zh=Lines(
            subject="{ka_product}防滑不达标，已有员工滑倒受伤",
            description=(
                "{contact}。我们按合同 {contract} 采购的 {qty} 双{ka_product}上周起陆续发到各"
                "部门，这两天已经有两名员工在湿滑地面上滑倒，其中一人手腕骨裂。我们自己做了测试，"
                "鞋底在油水地面上几乎没有抓地力，和合同约定的防滑等级明显不符。剩下的鞋我们已经暂停"
                "发放，请立即给出处理方案。"
            ),
            reply=(
                "{hello}，我是{you}的专属客户经理{agent}。首先向受伤的员工表示慰问，这件事我们按"
                "最高级别处理。质量部今天就派人到{you}抽样，同时加急送第三方检测防滑性能。麻烦提供"
                "一下两位员工的受伤记录和出事地点，可以吗？"
            ),
            answer="受伤记录和地址已经发到你邮箱了。我们需要在下周一之前拿到合格的鞋。",
            note=(
                "重大投诉（大客户、人身伤害）。疑似鞋底配方与封样不一致，质量部今日到场抽样，法务"
                "已知悉。方案：{qty} 双全部召回更换，承担员工医疗费用。"
            ),
            update=(
                "检测结果出来了：这批鞋底用错了配方，防滑系数低于合同标准，责任完全在我们。我们会"
                "召回全部 {qty} 双，换发合格批次，周五前送达；两位员工的医疗费用由我们承担。"
            ),
            resolution=(
                "合格批次的 {qty} 双已全部送达，旧鞋召回完毕，两位员工的医疗费用已按{you}提供的"
                "单据付清。我们也修订了来料检验流程，防滑测试改为每批必检。感谢{you}的理解与配合。"
            ),
        ),
        en=Lines(
            subject="{ka_product_cap} fail slip resistance: staff injured",
            description=(
                "{contact}. The {qty} pairs of {ka_product} under contract {contract} have been "
                "arriving at our sites since last week. In the past two days two employees have "
                "slipped on wet floors, and one has a fractured wrist. Our own test shows the "
                "soles have almost no grip on oily floors, nowhere near the slip rating in the "
                "contract. We've stopped issuing the remaining pairs. Please tell us today what "
                "you intend to do."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. First, please pass on our sympathies "
                "to your injured colleagues. We're treating this at the highest priority: our "
                "quality team will come to sample the shoes today and we're fast-tracking an "
                "independent slip test. Could you send me the incident reports and where they "
                "happened?"
            ),
            answer=(
                "Incident reports and addresses are in your inbox. We need compliant shoes by "
                "Monday."
            ),
            note=(
                "MAJOR (key account, injury). Suspect the wrong outsole compound against the "
                "approved sample; QC on site today, legal informed. Plan: recall and replace all "
                "{qty} pairs, cover the staff's medical costs."
            ),
            update=(
                "The test results are in: the batch used the wrong outsole compound and falls "
                "below the contract's slip rating, so this is entirely on us. We'll recall all "
                "{qty} pairs and deliver a compliant batch by Friday, and we'll cover both "
                "employees' medical costs."
            ),
            resolution=(
                "All {qty} pairs from the compliant batch have been delivered and the old ones "
                "collected. Both employees' medical costs have been paid against the documents "
                "you sent. Every batch is now slip-tested at our incoming inspection. Thank you "
                "for working with us on this."
            ),
        ),
    ),
    Scenario(
        "size_exchange",
        Category.OTHER,
        AFTER_SALES,
        6,
        days=(2, 4),
        zh=Lines(
            subject="尺码偏小，想换大一码",
            description=(
                "你好，我平时穿{size}码，这双{product}{size}码前掌有点挤，穿久了脚趾疼。只在家里"
                "试过，吊牌都在，想换大一码，怎么操作？订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。没问题，吊牌完好、未下地的鞋子 15 "
                "天内都可以免费换码。"
                "已经为您提交了换货申请，{size2}码有货，已为您预留。快递员明天上门取件，您把鞋子连同"
                "鞋盒一起交给他就行。"
            ),
            note="正常换码，{size2}码已锁库存。该款近期多位客户反馈偏小，建议详情页加尺码提示。",
            update="旧鞋已经揽收，{size2}码的新鞋今天发出，{courier}单号 {tracking}。",
            resolution="新鞋已经签收了。如果这一码还是不合适，随时再联系我们。祝您穿着舒服！",
        ),
        en=Lines(
            subject="Runs small: I'd like one size up",
            description=(
                "Hi, I normally wear a {size} but the {product} in {size} are tight across the "
                "front and my toes hurt after a while. I've only tried them indoors and the tags "
                "are still on. How do I swap them for one size up? Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. No problem: unworn shoes with their tags can "
                "be exchanged for free within 15 days. I've raised the exchange and reserved a "
                "pair in {size2} for you. A courier will collect tomorrow; just hand over the "
                "shoes in their box."
            ),
            note=(
                "Routine size exchange, {size2} reserved. Several customers say this model runs "
                "small; suggested a sizing hint on the product page."
            ),
            update=(
                "The courier has collected your pair, and the {size2} ships today with {courier}, "
                "tracking {tracking}."
            ),
            resolution=(
                "Your new pair has been delivered. If the fit still isn't right, just get in "
                "touch. Enjoy them!"
            ),
        ),
    ),
    Scenario(
        "e_invoice",
        Category.OTHER,
        AFTER_SALES,
        3,
        days=(0.2, 1),
        zh=Lines(
            subject="电子发票一直没收到，抬头也开错了",
            description=(
                "下单时选了开电子发票，单位报销要用，但{days}天了邮箱一直没收到。在线机器人说已经"
                "开具，我在账户里看到发票抬头是我个人的名字，可我填的是公司抬头。订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。抱歉给您报销添麻烦了。请您把公司全称和税号发给我，"
                "我这边作废原发票并重新开具，开好后发到您下单时留的邮箱。"
            ),
            answer="公司全称和税号发你了，麻烦尽快，月底前要交报销。",
            note=(
                "下单时的抬头信息没有同步到开票系统（已知问题，已报 IT）。作废原票，"
                "按公司抬头重开。"
            ),
            resolution=(
                "新的电子发票已经开好并发到您的邮箱，抬头和税号我都核对过了，原来那张已作废。如果"
                "没收到，请看一下垃圾邮件箱。"
            ),
        ),
        en=Lines(
            subject="E-invoice never arrived and has the wrong name on it",
            description=(
                "I asked for an e-invoice when I ordered because I need it for expenses, but "
                "{days} days later nothing has arrived. The chatbot says it was issued, and in my "
                "account I can see it's made out to me personally, although I entered my "
                "company's name. Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Sorry for the hassle with your expenses. Please "
                "send me your company's full name and tax ID; I'll void the old invoice and "
                "issue a new one to the e-mail address on your order."
            ),
            answer=(
                "Company name and tax ID sent. Please hurry, expenses are due at the end of the "
                "month."
            ),
            note=(
                "Company details from checkout didn't reach the invoicing system (known issue, "
                "reported to IT). Voided and reissued with the company details."
            ),
            resolution=(
                "Your new e-invoice has gone to your e-mail; I've double-checked the company "
                "name and tax ID, and the old one is void. If you can't see it, please check "
                "your spam folder."
            ),
        ),
    ),
    Scenario(
        "late_dispatch",
        Category.DELIVERY,
        LOGISTICS,
        7,
        days=(1, 2),
        zh=Lines(
            subject="下单{days}天了，物流信息一直不动",
            description=(
                "{order} 这个订单，付款时页面写的是 48 小时内发货，现在都{days}天了，物流信息还停在"
                "「已揽收」。我是买给我爸的生日礼物，周末就过生日了，到底什么时候能到？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉让您久等。我查了一下，您的包裹在{courier}的"
                "中转站滞留了，单号 {tracking}。已经联系快递加急处理，"
                "今天下班前给您确切的到达时间。"
            ),
            note=(
                "{courier}中转站爆仓，包裹滞留 3 天。已提交加急催派；周五前送不到就用顺丰次日达"
                "补发一双。"
            ),
            update=(
                "快递回复了：包裹今天已经从中转站发出，预计明天送到。保险起见，如果明天晚上还没到，"
                "我们直接用顺丰给您补发一双，保证周末前到。"
            ),
            resolution=(
                "包裹已经签收，赶上了生日。为表歉意，已给您账户补了 20 元无门槛券。祝叔叔生日快乐！"
            ),
        ),
        en=Lines(
            subject="Ordered {days} days ago and tracking hasn't moved",
            description=(
                "Order {order}: the site said dispatch within 48 hours, but it's been {days} days "
                "and tracking is still stuck at 'picked up'. It's a birthday present for my dad "
                "and his birthday is this weekend. When will it actually arrive?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Really sorry for the wait. I've checked and "
                "your parcel is held up at a {courier} sorting hub, tracking {tracking}. I've "
                "asked the courier to expedite it and I'll give you a firm delivery date before "
                "the end of today."
            ),
            note=(
                "{courier} hub overloaded, parcel stuck for 3 days. Expedite requested; if it "
                "can't arrive by Friday, reship next-day with SF."
            ),
            update=(
                "The courier says the parcel left the hub today and should arrive tomorrow. Just "
                "in case, if it hasn't arrived by tomorrow evening we'll send a second pair by "
                "next-day express so it's there before the weekend."
            ),
            resolution=(
                "The parcel has been delivered in time for the birthday. As an apology we've "
                "added a ¥20 voucher to your account. Happy birthday to your dad!"
            ),
        ),
    ),
    Scenario(
        "lost_parcel",
        Category.DELIVERY,
        LOGISTICS,
        4,
        days=(2, 4),
        zh=Lines(
            subject="物流显示已签收，但我根本没收到",
            description=(
                "订单 {order}，{courier}单号 {tracking}，物流昨天下午就显示「已签收」，签收人写的"
                "「门卫」，可我们小区门卫说没收到我的件，快递柜里也没有。打快递员电话一直不接。"
                "{price} 块钱的鞋就这么没了？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。理解您着急，这件事交给我们，您不用再自己去找快递。"
                "我已向{courier}提交了丢件核查，快递公司需要 24-48 小时调取派送记录。麻烦您确认一下"
                "收货地址和联系电话是否正确？"
            ),
            answer="地址和电话都没错，就是订单上填的那个。",
            note="已向{courier}发起丢件理赔；派送员承认未实际送达、虚假签收。理赔期间先给客户补发。",
            update=(
                "快递公司核实了：派送员没有送到就点了签收，是他们的责任。我们不等理赔结果，今天先给"
                "您补发一双，新单号 {tracking2}。"
            ),
            resolution=(
                "补发的鞋已经签收了。快递公司那边的理赔由我们处理，您不用再操心。给您添麻烦了，"
                "已补偿 30 元券到您的账户。"
            ),
        ),
        en=Lines(
            subject="Tracking says delivered but I never got it",
            description=(
                "Order {order}, {courier} tracking {tracking}. Since yesterday afternoon tracking "
                "has said 'delivered, signed by: reception', but our reception never got it and "
                "it's not in the parcel lockers either. The driver won't answer his phone. So "
                "¥{price} worth of shoes has just vanished?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I understand how frustrating this is. Leave it "
                "with us; you don't need to chase the courier yourself. I've opened a "
                "lost-parcel investigation with {courier}, which takes 24-48 hours. Could you "
                "confirm your delivery address and phone number are correct?"
            ),
            answer="Yes, the address and phone number on the order are right.",
            note=(
                "Lost-parcel claim opened with {courier}; the driver admits marking it delivered "
                "without delivering. Reship now, claim in the background."
            ),
            update=(
                "{courier} has confirmed the driver marked it delivered without actually "
                "delivering it, so it's on them. We won't wait for their claim: a replacement "
                "pair ships today, tracking {tracking2}."
            ),
            resolution=(
                "The replacement has been delivered. We'll deal with the courier's claim "
                "ourselves. Sorry for the trouble; we've added a ¥30 voucher to your account."
            ),
        ),
    ),
    Scenario(
        "wrong_item",
        Category.DELIVERY,
        LOGISTICS,
        4,
        days=(1.5, 3),
        zh=Lines(
            subject="发错货了，颜色和尺码都不对",
            description=(
                "我买的是黑色{size}码的{product}，今天收到的是白色{size2}码，鞋盒上的标签也是白色"
                "{size2}码。订单 {order}。麻烦尽快给我换，下周要穿。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉发错了货，是我们仓库的失误。您不用先寄回，"
                "我马上给您发正确的黑色{size}码，错发的那双快递员送新鞋时一并取走。"
            ),
            note="仓库拣货错误（相邻货位），已反馈仓库主管。先发后退，送新取旧。",
            update="黑色{size}码已经发出，{courier}单号 {tracking}，快递员送到时会把白色那双收回。",
            resolution="新鞋已签收，错发的那双也已取回。再次为仓库的失误道歉，已给您补偿 20 元券。",
        ),
        en=Lines(
            subject="Wrong shoes delivered: wrong colour and size",
            description=(
                "I ordered the {product} in black, size {size}, and today I received white in "
                "size {size2}. The label on the box says white {size2}. Order {order}. Please "
                "swap them quickly, I need them next week."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm sorry, that's a picking mistake in our "
                "warehouse. No need to send anything back first: I'm shipping the black {size} "
                "right away, and the courier will take the white pair when he delivers."
            ),
            note=(
                "Warehouse picking error (adjacent bin), reported to the warehouse lead. Ship "
                "first, collect the wrong pair on delivery."
            ),
            update=(
                "The black {size} is on its way with {courier}, tracking {tracking}; the driver "
                "will collect the white pair at the door."
            ),
            resolution=(
                "Your new pair has been delivered and the wrong one collected. Sorry again for "
                "our mistake; we've added a ¥20 voucher to your account."
            ),
        ),
    ),
    Scenario(
        "price_protection",
        Category.PRICE,
        AFTER_SALES,
        5,
        days=(0.05, 0.5),
        zh=Lines(
            subject="刚买一周就降价 {diff} 元，申请价保退差价",
            description=(
                "我{days}天前 {price} 元买的{product}，今天看到活动价只要 {price2}，差了 {diff} "
                "块。"
                "你们页面写着 15 天价保，申请价保的按钮却是灰的，点不了。订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。您在 15 天价保期内，差价应该退给您。按钮点不了是"
                "因为这次活动价叠加了店铺券，系统没有自动识别，我这边人工为您申请。"
            ),
            note=(
                "活动价叠加店铺券导致价保按钮失效（本周第 5 例），人工退差价 {diff} 元，"
                "已反馈产品改规则。"
            ),
            resolution=(
                "差价 {diff} 元已经原路退回，1-3 个工作日到账。价保按钮的问题我们已经反馈技术部门"
                "修复。"
            ),
        ),
        en=Lines(
            subject="Price dropped by ¥{diff} a week after I bought: price protection",
            description=(
                "I paid ¥{price} for the {product} {days} days ago and today they're on sale for "
                "¥{price2}, a difference of ¥{diff}. Your page promises 15-day price protection, "
                "but the price-protection button is greyed out. Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. You're within the 15-day window, so the "
                "difference is yours. The button is greyed out because this sale stacks with a "
                "store coupon and the system doesn't recognise that; I'll process it by hand."
            ),
            note=(
                "Sale price plus store coupon breaks the automatic price-protection button (5th "
                "case this week). Refunded ¥{diff} by hand; reported to product."
            ),
            resolution=(
                "The ¥{diff} difference has been refunded to your original payment method (1-3 "
                "working days). We've reported the button problem so it gets fixed."
            ),
        ),
    ),
    Scenario(
        "coupon",
        Category.PRICE,
        AFTER_SALES,
        3,
        days=(0.05, 0.5),
        zh=Lines(
            subject="满减券下单时没有抵扣",
            description=(
                "领了满 500 减 {coupon} 的券，下单时显示可用，付款后发现实际没有减，多付了 "
                "{coupon} "
                "块。订单 {order}，截图我都保存了。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。麻烦您把领券页面和支付页面的截图发给我，我核实后为您"
                "补退。"
            ),
            answer="两张截图发你了。",
            note="支付页券已锁定但未核销（支付超时重试导致），已人工退 {coupon} 元，券已返还账户。",
            resolution=(
                "核实了，是支付重试时券没有核销成功。{coupon} 元已经退回您的支付账户，"
                "那张券也已返还，"
                "下次还可以用。"
            ),
        ),
        en=Lines(
            subject="Coupon wasn't applied at checkout",
            description=(
                "I claimed a ¥{coupon}-off-¥500 coupon and it showed as applied at checkout, but "
                "after paying I can see I was charged the full price: ¥{coupon} too much. Order "
                "{order}. I've kept screenshots."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Could you send me the screenshots of the coupon "
                "and the payment page? Once I've checked, I'll refund the difference."
            ),
            answer="Both screenshots attached.",
            note=(
                "Coupon locked but not redeemed (payment retried after a timeout). Refunded "
                "¥{coupon} by hand and returned the coupon to the account."
            ),
            resolution=(
                "Confirmed: the coupon wasn't redeemed when the payment was retried. ¥{coupon} "
                "has gone back to your payment account and the coupon is back in your wallet for "
                "next time."
            ),
        ),
    ),
    Scenario(
        "bulk_delay",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        3,
        days=(2, 4),
        key_account=True,
        zh=Lines(
            subject="合同 {contract} 集采订单交期延误",
            description=(
                "{contact}。按合同 {contract}，{qty} 双{ka_product}应在本月 15 日前送达，现在只到了"
                "不到一半，剩下的没有任何通知。下周一要统一发放，大家都在等着换装。请今天给我一个"
                "准确的到货时间，延误的违约责任也请按合同条款说明。"
            ),
            reply=(
                "{hello}，我是{you}的专属客户经理{agent}。非常抱歉交期延误，也没有及时通知您，这是"
                "我们的失职。剩余的货我马上和工厂、仓库确认，一小时内给您准确的到货时间和分批方案。"
            ),
            note=(
                "工厂排产延误：鞋面皮料晚到 5 天。剩余 {rest} 双已安排加班，分两批送达；按合同"
                "第 7 条违约金每天 0.5%，已报财务核算。"
            ),
            update=(
                "和工厂确认了：剩余 {rest} 双中 {first_batch} 双周五送到，其余下周二前送达，保证"
                "周一发放够用。延期违约金按合同第 7 条在对账单中直接抵扣。"
            ),
            resolution=(
                "剩余 {rest} 双已全部送达并经{you}验收，延期违约金已在本月对账单中抵扣。我们调整了"
                "排产，后续批次提前两周备料。感谢您的理解。"
            ),
        ),
        en=Lines(
            subject="Contract {contract}: bulk delivery is late",
            description=(
                "{contact}. Under contract {contract}, {qty} pairs of {ka_product} were due by "
                "the 15th. Fewer than half have arrived, and nobody has told us anything about "
                "the rest. The new uniforms go live next Monday. I need a firm delivery date "
                "today, and please confirm how the late-delivery clause will be applied."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. I apologise for the delay, and for "
                "not warning you: that's our failure. I'm checking with the factory and the "
                "warehouse now and will come back within the hour with a firm date and a "
                "split-delivery plan."
            ),
            note=(
                "Factory delay: the upper leather arrived 5 days late. Remaining {rest} pairs on "
                "overtime, two shipments. Late-delivery clause (0.5% a day) sent to finance."
            ),
            update=(
                "Confirmed with the factory: {first_batch} of the remaining {rest} pairs arrive "
                "on Friday and the rest by Tuesday, so you'll have enough for Monday. We'll "
                "deduct the late-delivery penalty from this month's statement as the contract "
                "provides."
            ),
            resolution=(
                "All remaining {rest} pairs have been delivered and signed off, and the "
                "late-delivery penalty is deducted on this month's statement. We've moved "
                "material ordering two weeks earlier for your future batches. Thank you for "
                "your patience."
            ),
        ),
    ),
    Scenario(
        "vat_invoice",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        3,
        days=(0.5, 2),
        key_account=True,
        zh=Lines(
            subject="增值税专用发票抬头和税号有误，需要红冲重开",
            description=(
                "{contact}。上月合同 {contract} 项下开给我们的增值税专用发票（发票号 {invoice}），"
                "购方名称少了「有限公司」四个字，税号也错了一位，财务没法认证抵扣。请尽快红冲重开，"
                "本月申报截止前必须拿到。"
            ),
            reply=(
                "{hello}，我是您的客户经理{agent}。抱歉给{you}财务添了麻烦。麻烦您把开票信息（全称、"
                "税号、地址电话、开户行及账号）再发我一份，我今天提交红字信息表，重开后寄出专票。"
            ),
            answer="开票信息已经发你邮箱了，附件是我们财务盖章的开票资料。",
            note="录入开票资料时漏字、税号输错。已提交红字信息表，重开专票顺丰寄出，客户档案开票信息已更新。",
            resolution=(
                "红字发票已开具，新的增值税专用发票已用顺丰寄出，单号 {tracking}，明天送到{you}"
                "财务。开票信息已在系统里更正，以后不会再出错。"
            ),
        ),
        en=Lines(
            subject="VAT invoice has the wrong company name and tax ID",
            description=(
                "{contact}. The VAT special invoice for last month under contract {contract} "
                "(invoice no. {invoice}) has our company name truncated and one digit of the tax "
                "ID wrong, so our finance team can't claim the input VAT. Please void and "
                "reissue it before this month's filing deadline."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. Sorry for the trouble this causes "
                "your finance team. Could you send me your invoicing details again (full name, "
                "tax ID, registered address and phone, bank and account)? I'll submit the "
                "red-letter form today and send the new invoice as soon as it's issued."
            ),
            answer=(
                "Our finance team's stamped invoicing details are attached to the e-mail I just "
                "sent."
            ),
            note=(
                "Name truncated and tax ID mistyped at data entry. Red-letter form submitted, "
                "reissued VAT invoice sent by SF. Customer record updated."
            ),
            resolution=(
                "The credit note has been issued and the new VAT invoice is on its way by SF "
                "Express, tracking {tracking}, arriving at your finance office tomorrow. Your "
                "invoicing details are corrected in our system for the future."
            ),
        ),
    ),
    Scenario(
        "size_mix",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        2,
        days=(1.5, 3),
        key_account=True,
        zh=Lines(
            subject="批量订单 {po} 尺码配比与合同不符",
            description=(
                "{contact}。订单 {po} 收货清点，合同附件约定 35-40 码为主，实际到货 41 码以上多了 "
                "{extra} 双，36、37 码各少了几十双，很多员工穿不上。请核对并尽快补发缺的尺码。"
            ),
            reply=(
                "{hello}，我是您的客户经理{agent}。抱歉给您添麻烦了。麻烦把{you}的清点明细表发我，"
                "我和仓库的出库记录逐码核对，今天给您答复。"
            ),
            answer="清点表已经发到你邮箱，各部门分码数量都在里面。",
            note=(
                "出库时按旧版尺码配比拣货（合同附件 V2 未同步到仓库系统）。补发缺码，"
                "多出的大码上门取回。"
            ),
            update=(
                "核对完了，是仓库按旧版配比出的库，责任在我们。缺的 36、37 码明天发出，多出的 "
                "{extra} 双大码我们上门取回，不产生任何费用。"
            ),
            resolution=(
                "缺码已补齐并签收，多发的大码已全部取回。仓库系统已更新为{you}合同附件的最新尺码"
                "配比。感谢配合。"
            ),
        ),
        en=Lines(
            subject="Order {po}: size breakdown doesn't match the contract",
            description=(
                "{contact}. Counting order {po}: the contract annex specifies mostly sizes 35-40, "
                "but we received {extra} pairs too many in 41 and above, and several dozen too "
                "few in 36 and 37. Many of our staff can't wear what we got. Please check and "
                "ship the missing sizes."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. Sorry about this. Please send me "
                "your count sheet and I'll reconcile it size by size against our dispatch record "
                "and get back to you today."
            ),
            answer="The count sheet is in your inbox, with the figures for each site by size.",
            note=(
                "Warehouse picked against the old size annex (V2 not synced to the WMS). Ship "
                "the missing sizes, collect the surplus."
            ),
            update=(
                "Reconciled: the warehouse used the previous size breakdown, so this one is on "
                "us. The missing 36s and 37s ship tomorrow and we'll collect the {extra} surplus "
                "larger pairs at no cost to you."
            ),
            resolution=(
                "The missing sizes have been delivered and the surplus collected. Our warehouse "
                "system now has your contract's current size breakdown. Thanks for your help."
            ),
        ),
    ),
    Scenario(
        "statement",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        3,
        days=(0.3, 1),
        key_account=True,
        zh=Lines(
            subject="{month}月对账单金额与我方记录不符",
            description=(
                "{contact}。贵司发来的{month}月对账单应付金额 {amount} 元，比我们的入库记录多出 "
                "{gap} 元。初步看是有一批退货没有冲减，还有一笔运费合同里约定由贵司承担。请核对后"
                "重新出具对账单，对账一致后我们才能走付款流程。"
            ),
            reply=(
                "{hello}，我是您的客户经理{agent}。收到，我这就拉出{month}月的发货、退货和运费明细，"
                "和财务逐笔核对，明天中午前给您回复。"
            ),
            note="财务确认：2 张退货单未冲减，运费误计入客户应付。差额 {gap} 元属实，重出对账单。",
            resolution=(
                "核对完毕，差额 {gap} 元属实：两张退货单没有冲减，运费也误算进了应付。更正后的"
                "{month}月对账单已发到您邮箱，请查收确认。给{you}财务带来不便，非常抱歉。"
            ),
        ),
        en=Lines(
            subject="{month_en} statement doesn't match our records",
            description=(
                "{contact}. Your {month_en} statement shows ¥{amount} payable, which is ¥{gap} "
                "more than our goods-received records. It looks like a batch of returns wasn't "
                "credited, and there's a freight charge that the contract says is yours. Please "
                "check and reissue the statement; we can only pay once the statements agree."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. Understood. I'm going through "
                "{month_en}'s shipments, returns and freight line by line with our finance team "
                "and will reply by noon tomorrow."
            ),
            note=(
                "Finance confirms: 2 return notes not credited, freight wrongly billed to the "
                "customer. The ¥{gap} difference is valid; statement reissued."
            ),
            resolution=(
                "We've finished reconciling and the ¥{gap} difference is right: two return notes "
                "weren't credited and the freight was billed to you by mistake. The corrected "
                "{month_en} statement is in your inbox for sign-off. Sorry for the extra work "
                "for your finance team."
            ),
        ),
    ),
    Scenario(
        "return_window",
        Category.POLICY,
        AFTER_SALES,
        4,
        days=(2, 5),
        zh=Lines(
            subject="超过 7 天无理由退货期两天，能不能通融",
            description=(
                "鞋子是 9 天前收到的，一直出差没来得及试，今天试了发现不合脚。吊牌、鞋盒都在，完全"
                "没穿过。系统显示已经超过 7 天无理由退货期，不让退了。只超了两天，能不能通融一下？"
                "订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。理解您出差耽误了。7 天无理由退货是从签收算起的，不过"
                "您的鞋子未穿着、吊牌完好，我可以为您申请一次特殊退货，或者直接换一双合脚的尺码，"
                "您更倾向哪种？"
            ),
            answer="那还是退吧，这款穿着确实不太适合我。",
            note="超期 2 天，商品完好，按会员服务特批一次退货（主管已同意）。退货运费由客户承担。",
            resolution=(
                "特殊退货已经批下来了，鞋子寄回仓库验收后，{price} 元会原路退回。这次退货的运费需要"
                "您承担，感谢理解。"
            ),
        ),
        en=Lines(
            subject="Two days past the 7-day return window: can you make an exception?",
            description=(
                "The shoes arrived 9 days ago but I've been travelling and only tried them on "
                "today: they don't fit. Tags and box intact, never worn. The system says I'm "
                "outside the 7-day no-questions return window. It's only two days over; could "
                "you make an exception? Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I understand, travel gets in the way. The "
                "7-day window runs from delivery, but since the shoes are unworn with their tags "
                "on, I can request a one-off return for you, or we can exchange them for a size "
                "that fits. Which would you prefer?"
            ),
            answer="A refund please; this style just doesn't suit me.",
            note=(
                "2 days out of the window, goods intact; one-off return approved by the "
                "supervisor. Return postage at the customer's cost."
            ),
            resolution=(
                "Your one-off return has been approved. Once the warehouse receives and checks "
                "the shoes, ¥{price} will go back to your original payment method. The return "
                "postage is yours this time. Thanks for understanding."
            ),
        ),
    ),
    Scenario(
        "points_expiry",
        Category.POLICY,
        AFTER_SALES,
        3,
        days=(0.05, 0.5),
        zh=Lines(
            subject="积分莫名清零，规则改了也没通知",
            description=(
                "我账户里攒了 {points} 积分，今天想兑换，发现只剩几十分了。在线机器人说年底积分清零"
                "提前到了这个月。我是买了好几年的老会员，规则改了连条短信都没有？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常理解您的心情。积分规则调整确实应该提前逐一通知"
                "会员，这是我们做得不好。我查了您的账户，被清零的 {points} 分可以为您申请恢复，"
                "有效期"
                "延长到明年年底。"
            ),
            note=(
                "积分规则调整的通知短信漏发部分会员（已报会员运营）。人工恢复 {points} 积分，"
                "有效期延至明年 12 月 31 日。"
            ),
            resolution=(
                "{points} 积分已经恢复到您的账户，有效期到明年年底，现在就可以兑换。"
                "积分规则说明我也"
                "发到您的邮箱了。感谢您多年的支持。"
            ),
        ),
        en=Lines(
            subject="My points were wiped without any notice",
            description=(
                "I had {points} points saved up and today, when I went to redeem them, there "
                "were only a few dozen left. The chatbot says the year-end expiry was moved to "
                "this month. I've been a member for years; you changed the rules and didn't "
                "even send a text?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I completely understand. Members should have "
                "been told about the change one by one, and we fell short there. I've checked "
                "your account and can restore the {points} expired points, valid until the end "
                "of next year."
            ),
            note=(
                "The notice SMS for the points rule change missed some members (reported to "
                "membership ops). Restored {points} points by hand, valid to 31 December next "
                "year."
            ),
            resolution=(
                "{points} points are back in your account and valid until the end of next year, "
                "so you can redeem them now. I've also e-mailed you the current points rules. "
                "Thank you for being with us all these years."
            ),
        ),
    ),
    Scenario(
        "downgrade",
        Category.POLICY,
        AFTER_SALES,
        2,
        days=(0.05, 0.5),
        regular_only=True,
        zh=Lines(
            subject="会员等级被降级，之前的权益都没了",
            description=(
                "我一直是银卡会员，这个月突然被降成普通会员，包邮和生日券都没有了。我去年消费了"
                "三千多，怎么就降级了？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。我查了一下，会员等级按近 12 个月的消费计算，扣除退货"
                "订单后差了一点没达到银卡门槛。考虑到您是老会员，我可以为您申请保级 3 个月，期间"
                "再有任意消费就能续上银卡。"
            ),
            note="近 12 个月消费扣除退货后差 {short} 元未达银卡门槛。按老会员关怀规则保级 3 个月。",
            resolution="已为您保级银卡 3 个月，包邮和生日券权益都恢复了。感谢您一直以来的支持！",
        ),
        en=Lines(
            subject="Downgraded from Silver and lost my benefits",
            description=(
                "I've been a Silver member for ages and this month I was suddenly dropped to "
                "regular, so no more free shipping or birthday voucher. I spent over ¥3,000 last "
                "year; why was I downgraded?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I've looked into it: tiers go by the last 12 "
                "months' spending, and after your returns were deducted you fell just short of "
                "the Silver threshold. As a long-standing member, though, I can keep you on "
                "Silver for 3 more months; any purchase in that time renews it."
            ),
            note=(
                "12-month spend after returns is ¥{short} short of Silver. Kept at Silver for 3 "
                "months under the loyalty-care rule."
            ),
            resolution=(
                "You're back on Silver for the next 3 months, with free shipping and the "
                "birthday voucher. Thanks for sticking with us!"
            ),
        ),
    ),
    Scenario(
        "rude_staff",
        Category.SERVICE,
        AFTER_SALES,
        2,
        days=(1, 2.5),
        zh=Lines(
            subject="{store}店员态度恶劣",
            description=(
                "今天下午在{store}想试穿{product}，店员一直在玩手机，问了三遍尺码都不理人，后来很"
                "不耐烦地说「买不起就别试」。我当时很难堪，希望你们给个说法。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。听到您在门店有这样的经历，我们非常抱歉，这完全不是"
                "我们应有的服务。我已经把情况转给{store}店长和区域经理，调看当时的监控和排班，两天"
                "内给您答复处理结果。"
            ),
            note="已联系{store}店长调取监控，确认涉事店员。区域经理约谈，扣当月服务考核，全店重新做服务培训。",
            resolution=(
                "店长调看了监控，确认是当班店员的问题。店员已被约谈并扣除当月服务考核，全店重新做了"
                "服务培训。店长也想当面向您道歉，为您准备了一张 100 元礼券，"
                "下次到店直接找店长就行。"
                "再次向您致歉。"
            ),
        ),
        en=Lines(
            subject="Rude staff at the {store}",
            description=(
                "This afternoon at the {store} I wanted to try on the {product}. The assistant "
                "was on her phone the whole time, ignored me the three times I asked for my size, "
                "and then snapped 'if you can't afford it, don't try it on'. I was humiliated, "
                "and I'd like to know what you're going to do about it."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm very sorry you were treated like that: "
                "it's not the service we stand for. I've passed this to the manager of the "
                "{store} and the area manager to review the CCTV and the rota, and I'll come "
                "back to you with what we've done within two days."
            ),
            note=(
                "The store manager reviewed the CCTV and identified the assistant on shift. The "
                "area manager held a formal talk, service bonus docked, refresher training for "
                "the whole store."
            ),
            resolution=(
                "The store manager reviewed the CCTV and confirmed what happened. The assistant "
                "has had a formal warning and lost this month's service bonus, and the whole "
                "team has redone its service training. The manager would like to apologise in "
                "person and has a ¥100 gift card waiting for you at the store. Again, we're sorry."
            ),
        ),
    ),
    Scenario(
        "no_reply",
        Category.SERVICE,
        AFTER_SALES,
        3,
        days=(1.5, 3),
        zh=Lines(
            subject="在线客服三天没人回复",
            description=(
                "退货的问题我三天前就在线上留言了，到现在没有一个人回复，机器人只会说「正在为您转接"
                "人工」。打热线要排队四十分钟。你们的客服到底还在不在？订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉让您等了这么久，这是我们的问题。您的退货我"
                "现在接手：退货申请已通过，快递员明天上门取件，仓库签收后 24 小时内原路退款。"
            ),
            note="客户三天前的留言没有生成工单（转人工时会话超时），已反馈系统组排查。本单优先处理。",
            resolution=(
                "仓库已签收退货，{price} 元已原路退回。您之前的留言没有转成工单是系统问题，"
                "已经修复。"
                "再次为让您久等道歉。"
            ),
        ),
        en=Lines(
            subject="Nobody has replied to me in three days",
            description=(
                "I left a message about my return three days ago and nobody has replied; the bot "
                "just keeps saying 'transferring you to an agent'. The hotline queue is forty "
                "minutes. Is anyone actually there? Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm really sorry you've been left waiting, "
                "that's on us. I've taken over your return: it's approved, a courier will "
                "collect tomorrow, and the refund goes back within 24 hours of the warehouse "
                "receiving it."
            ),
            note=(
                "The customer's message 3 days ago never became a ticket (the conversation timed "
                "out during the hand-over); reported to the platform team. Prioritised."
            ),
            resolution=(
                "The warehouse has received your return and ¥{price} has been refunded. Your "
                "earlier message was lost to a system fault that's now fixed. Sorry again for "
                "the wait."
            ),
        ),
    ),
    Scenario(
        "threat_12315",
        Category.SERVICE,
        AFTER_SALES,
        1.5,
        days=(0.1, 0.4),
        triaged_major=True,
        products=(1, 6, 7, 8),
        zh=Lines(
            subject="拒绝退款，再不处理就打 12315 投诉",
            description=(
                "{product}穿了两次鞋面就裂了，申请退货被你们拒绝，理由是「人为损坏」。我根本没有"
                "不当使用！订单 {order}。今天之内不给我退款，我就打 12315 投诉，还要去市场监管局"
                "举报你们。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉之前的处理让您不满意，您的诉求我已经看到了，"
                "现在由我复核。之前的判定确实不够严谨，麻烦您把鞋面开裂的位置拍几张清晰的照片给我，"
                "我今天之内给您答复。"
            ),
            answer="照片发了，你们自己看是不是人为的。",
            note=(
                "重大投诉：客户明确表示将向 12315 投诉。复核照片为鞋面皮料本身开裂，原「人为损坏」"
                "判定有误，已与质检沟通。同意全额退款并致歉。"
            ),
            resolution=(
                "复核结果出来了，开裂是皮料本身的问题，之前的判定有误，向您郑重道歉。{price} 元已"
                "全额退款，今天到账；鞋子不用寄回。我们也在复盘这次的审核流程。"
            ),
        ),
        en=Lines(
            subject="Refund refused: I will report you to 12315",
            description=(
                "The uppers on my {product} split after two wears. You refused my return, "
                "claiming 'damage caused by misuse'. I did nothing of the sort! Order {order}. "
                "If I don't get a refund today I'm filing a complaint with the 12315 consumer "
                "hotline and reporting you to the market regulator."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm sorry the earlier decision left you "
                "feeling this way. I've seen your message and I'm reviewing the case myself; the "
                "earlier assessment wasn't thorough enough. Could you send a few clear photos of "
                "where the upper has split? I'll give you an answer today."
            ),
            answer="Photos attached. See for yourselves whether that's misuse.",
            note=(
                "MAJOR: the customer threatens a 12315 complaint. The photos show the leather "
                "itself split; the 'misuse' decision was wrong (raised with QC). Full refund and "
                "apology approved."
            ),
            resolution=(
                "The review is done: the split is a flaw in the leather and our earlier decision "
                "was wrong. I apologise. ¥{price} has been refunded in full and should arrive "
                "today; no need to send the shoes back. We're also reviewing how claims are "
                "assessed."
            ),
        ),
    ),
    Scenario(
        "media_threat",
        Category.SERVICE,
        AFTER_SALES,
        1,
        days=(0.3, 1.2),
        triaged_major=True,
        supervisor_owns=True,
        zh=Lines(
            subject="质量问题推来推去，我要发小红书和微博曝光",
            description=(
                "{product}已经第三次返修了，每次都说修好了，穿不到一周又坏。前后打了五次电话，每次"
                "都要从头讲一遍。照片和聊天记录我都整理好了，明天再没有人给我一个负责任的答复，我就"
                "发小红书和微博，再联系本地电视台。"
            ),
            reply=(
                "{hello}，我是{team}主管{agent}。让您反复来回、一遍遍重复说明，是我们的失职，非常"
                "抱歉。从现在起这件事由我本人负责到底，您不需要再和其他人沟通。我的建议是直接全额"
                "退款，或者换一双您任选的同价位新款，您看哪种更合适？"
            ),
            answer="退款吧，不想再折腾了。",
            note=(
                "重大投诉：客户拟向媒体和社交平台曝光。三次返修未解决，多次来电未关联同一工单。"
                "主管接手，全额退款并补偿，已报品牌公关知悉。"
            ),
            resolution=(
                "{price} 元已全额退款，另补偿 200 元礼券到您的账户。三次返修没解决问题、让您反复"
                "说明，这些我们都在内部复盘；以后同一位客户的问题会由专人跟进到底。感谢您给我们"
                "改正的机会。"
            ),
        ),
        en=Lines(
            subject="Passed from pillar to post: I'm going to the media",
            description=(
                "This is the third time my {product} have been 'repaired' and each time they "
                "break again within a week. I've called five times and had to explain "
                "everything from scratch every time. I've got the photos and chat logs ready. "
                "If nobody gives me a proper answer by tomorrow, it's going on Instagram and "
                "Xiaohongshu and I'm contacting the local TV station."
            ),
            reply=(
                "{hello} I'm {agent}, supervisor of {team}. Making you explain again and again "
                "was our failure, and I'm sorry. From now on I'm handling this personally; you "
                "won't need to deal with anyone else. I'd suggest a full refund, or a new pair "
                "of your choice at the same price. Which would you prefer?"
            ),
            answer="Refund. I don't want any more hassle.",
            note=(
                "MAJOR: the customer plans to go to the media and social platforms. Three failed "
                "repairs, calls never linked to one case. Supervisor took over: full refund and "
                "goodwill. Brand PR informed."
            ),
            resolution=(
                "¥{price} has been refunded in full, plus a ¥200 gift card in your account. "
                "We're reviewing why three repairs didn't fix it and why you had to keep "
                "explaining; repeat issues will now stay with one named person. Thank you for "
                "giving us the chance to put it right."
            ),
        ),
    ),
    Scenario(
        "missed_callback",
        Category.SERVICE,
        AFTER_SALES,
        2,
        days=(1, 2),
        zh=Lines(
            subject="说好今天回电话，一直没人打",
            description=(
                "昨天客服说换货的事今天上午给我回电话，我等了一上午都没有。换货单 {order} 到现在"
                "状态还是「处理中」。能不能靠谱一点？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。抱歉答应您的回电没有做到。我查了，您的换货已经审核"
                "通过，新鞋今天下午发出，单号出来后我第一时间发给您。"
            ),
            note="昨日承诺的回电没有建回电任务，已在组内强调：承诺回电必须建任务。",
            update="新鞋已经发出了，{courier}单号 {tracking}。",
            resolution=(
                "新鞋已经签收。答应您的事没做到，再次说声抱歉；我们改了内部流程，承诺的回电都会"
                "建提醒任务。"
            ),
        ),
        en=Lines(
            subject="Promised a call back today, nobody called",
            description=(
                "Yesterday your agent said someone would call me this morning about my exchange. "
                "I waited all morning and nothing. Exchange {order} still says 'processing'. Can "
                "you be a bit more reliable?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm sorry we didn't call back as promised. "
                "I've checked: your exchange is approved and the new pair ships this afternoon. "
                "I'll send you the tracking number as soon as it's out."
            ),
            note=(
                "Yesterday's promised call-back was never logged as a task; reminded the team "
                "that every promised call needs one."
            ),
            update="Your new pair is on its way with {courier}, tracking {tracking}.",
            resolution=(
                "The new pair has been delivered. Sorry again for the missed call; promised "
                "call-backs now always get a reminder task."
            ),
        ),
    ),
)
_SCENARIO = {scenario.key: scenario for scenario in SCENARIOS}


# What every story shares: the bot's hand-over, chasers, follow-ups, survey comments.
GENERIC: dict[str, dict[str, tuple[str, ...]]] = {
    "bot_ack": {
        "zh": (
            "非常抱歉给您带来不好的体验。已为您登记工单 {number}，正在为您转接人工客服，请稍候。",
        ),
        "en": (
            "I'm sorry about this. I've opened case {number} for you and I'm passing you to a "
            "member of our team.",
        ),
    },
    "bot_after_hours": {
        "zh": (
            "人工客服的工作时间是周一至周五 9:00-18:00、周六 10:00-16:00，上班后会第一时间联系您。",
        ),
        "en": (
            "Our team works Monday to Friday 9:00-18:00 and Saturday 10:00-16:00 (China time); "
            "they'll pick this up first thing.",
        ),
    },
    "chase": {
        "zh": (
            "你好，有人吗？我的问题还没人回复。",
            "请问什么时候能处理？已经等了好几个小时了。",
            "怎么还没有人理我？",
        ),
        "en": (
            "Hello? Is anyone looking at this?",
            "Any news? I've been waiting for hours.",
            "Still no reply...",
        ),
    },
    "chase_ka": {
        "zh": ("请尽快回复，我们这边很着急。",),
        "en": ("Please respond urgently; this is holding us up.",),
    },
    "thanks": {
        "zh": ("收到，谢谢您。我这边马上处理，有结果第一时间告诉您。",),
        "en": ("Got it, thank you. I'm on it and will let you know as soon as it's done.",),
    },
    "progress_ask": {
        "zh": ("请问现在进展怎么样了？", "有结果了吗？我这边比较急。"),
        "en": ("Any progress on this?", "Is there an update? It's a bit urgent for me."),
    },
    "progress": {
        "zh": ("{hello}，您的问题我一直在跟进，目前在等{waiting}的回复，今天下班前一定给您进展。",),
        "en": (
            "{hello} I'm still on this: we're waiting to hear back from {waiting}. I'll update "
            "you before the end of today.",
        ),
    },
    "agree": {
        "zh": ("好的，谢谢。", "可以，就按这个处理吧。", "行，麻烦尽快。"),
        "en": ("OK, thanks.", "That works, go ahead.", "Fine, please be quick."),
    },
    "agree_ka": {
        "zh": ("收到，请按这个时间执行。",),
        "en": ("Noted. Please stick to that timeline.",),
    },
    "pending_close": {
        "zh": (
            "{hello}，几天前给您的消息还没有收到回复，这个工单先为您关闭。如需继续处理，再次联系"
            "我们即可。",
        ),
        "en": (
            "{hello} we haven't heard back since my last message a few days ago, so I'm closing "
            "this case for now. Just get in touch if you'd like us to pick it up again.",
        ),
    },
    "reopen": {
        "zh": (
            "不好意思又来打扰，上次说已经处理好了，但我到现在还没收到，麻烦再帮我查一下。",
            "东西收到了，但问题还是一样，这已经是第二次了。",
        ),
        "en": (
            "Sorry to come back to this, but I still haven't received what you said was sorted. "
            "Could you check?",
            "It arrived, but it's the same problem again. That's twice now.",
        ),
    },
    "reopen_ka": {
        "zh": ("我们核对后发现还有出入，这部分并没有解决，请再跟进一下。",),
        "en": (
            "Our check still shows a discrepancy, so this isn't closed on our side. Please "
            "follow up.",
        ),
    },
    "reopen_reply": {
        "zh": (
            "{hello}，非常抱歉让您再跑一趟。我查到是中间环节卡住了，已经加急处理，今天之内给您结果。",
        ),
        "en": (
            "{hello} I'm very sorry you've had to come back to us. Something got stuck on our "
            "side; I've escalated it and you'll have an answer today.",
        ),
    },
    "reopen_resolution": {
        "zh": ("已经重新处理好了，这次我亲自确认过物流和到账状态。再次抱歉给您添麻烦。",),
        "en": (
            "It's sorted now, and this time I've personally checked the delivery and the "
            "payment. Sorry again for the trouble.",
        ),
    },
    "reopen_resolution_ka": {
        "zh": ("已经重新核对并处理完毕，更正后的明细已发到您的邮箱，请查收确认。",),
        "en": (
            "Done: we've re-checked everything and the corrected details are in your inbox for "
            "sign-off.",
        ),
    },
    "low_note": {
        "zh": ("回访低分（CSAT {csat} / NPS {nps}）：「{comment}」。已致电安抚，补发 50 元券。",),
        "en": (
            'Low follow-up score (CSAT {csat} / NPS {nps}): "{comment}". Called the customer; '
            "¥50 voucher sent.",
        ),
    },
    "low_reply": {
        "zh": (
            "{hello}，看到您在回访中给了比较低的评分，真的很抱歉这次没能让您满意。您提到的问题我们"
            "都记下了，会在内部认真改进；为表歉意，已给您的账户发放 50 元无门槛券。",
        ),
        "en": (
            "{hello} I saw your low score in our follow-up, and I'm sorry we let you down this "
            "time. We've noted what you told us and will act on it; as an apology we've added a "
            "¥50 voucher to your account.",
        ),
    },
    "low_resolution": {
        "zh": ("感谢您的反馈。补偿券已到账，这个工单先为您结案；有任何需要直接回复即可。",),
        "en": (
            "Thanks for telling us. The voucher is in your account and I'm closing this case "
            "for now; just reply if there's anything else.",
        ),
    },
    "good": {
        "zh": (
            "处理得很快，客服很耐心，点赞。",
            "问题解决了，谢谢！",
            "比我预想的快，服务不错。",
            "客服态度很好，下次还会买。",
            "",
        ),
        "en": (
            "Quick and friendly, thank you!",
            "Sorted quickly, thanks.",
            "Better than I expected, great service.",
            "Very patient agent, I'll shop again.",
            "",
        ),
    },
    "mixed": {
        "zh": (
            "问题是解决了，就是等得有点久。",
            "还行吧，流程有点繁琐。",
            "结果可以，前面沟通太慢。",
        ),
        "en": (
            "Resolved in the end, but it took a while.",
            "Fine, but too many steps.",
            "Outcome OK, slow to get going.",
        ),
    },
    "bad": {
        "zh": (
            "拖了这么久才处理，很失望。",
            "每次都要重复说一遍情况，太累了。",
            "补偿太敷衍了，不会再买了。",
            "答应的回电一直没打。",
        ),
        "en": (
            "Took far too long. Very disappointed.",
            "Had to explain everything again and again.",
            "The compensation was an insult. Won't buy again.",
            "Nobody called back when promised.",
        ),
    },
}
_WAITING = {
    AFTER_SALES: ("质检部门", "our quality team"),
    LOGISTICS: ("快递公司", "the courier"),
    KEY_ACCOUNTS: ("工厂和仓库", "the factory and the warehouse"),
}

# The bot's survey in a chat, as bot/domain/survey.yml words it.
SURVEY_CHAT: dict[str, dict[str, str]] = {
    "zh": {
        "intro": "您好！您的工单 {number} 已处理完毕。想占用您半分钟做个回访，一共三个小问题。",
        "csat": "1. 您对这次的处理满意吗？请打分，5 分为非常满意。",
        "nps": "2. 您有多大可能把我们推荐给亲友？0 分为完全不可能，10 分为非常可能。",
        "comment": "3. 还有什么想对我们说的吗？哪里需要改进都可以告诉我。没有的话点“跳过”。",
        "skip": "跳过",
        "thanks": "感谢您的反馈，我们会继续努力！祝您生活愉快。",
        "sorry": "非常抱歉这次没能让您满意。我们已重新打开您的工单，主管会尽快亲自联系您。",
    },
    "en": {
        "intro": (
            "Hello! Your case {number} has been resolved. Could you spare thirty seconds for "
            "three quick questions?"
        ),
        "csat": "1. How satisfied are you with how we handled it? (5 = very satisfied)",
        "nps": (
            "2. How likely are you to recommend us to a friend? (0 = not at all, 10 = extremely "
            "likely)"
        ),
        "comment": (
            "3. Anything else you'd like to tell us, or anything we should do better? Tap “Skip” "
            "if not."
        ),
        "skip": "Skip",
        "thanks": "Thank you for your feedback — it helps us get better. Have a great day!",
        "sorry": (
            "I'm really sorry we let you down. We've reopened your case and a supervisor will "
            "contact you personally."
        ),
    },
}
# What an agent notes after a follow-up call that gave no scores.
CALL_NOTES: dict[CallbackOutcome, dict[str, str]] = {
    CallbackOutcome.NO_ANSWER: {
        "zh": "电话无人接听，已发短信告知。",
        "en": "No answer; sent a text.",
    },
    CallbackOutcome.DECLINED: {
        "zh": "客户表示问题已解决，不需要回访。",
        "en": "The customer says it's sorted and didn't want the survey.",
    },
    CallbackOutcome.REACHED: {
        "zh": "客户表示问题已解决，没有其他意见。",
        "en": "The customer is happy it's sorted; nothing to add.",
    },
    CallbackOutcome.WRONG_NUMBER: {
        "zh": "号码为空号，已在客户资料中标注。",
        "en": "Wrong number; noted on the customer.",
    },
}
NO_PHONE_NOTE = {
    "zh": "客户没有留电话，已改用邮件发送回访问卷。",
    "en": "No phone number on file; sent the survey by e-mail instead.",
}

# Questions the bot answered by itself: conversations of would-be customers with no ticket.
FAQ: dict[str, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("女款小白鞋有 35 码的吗？", "有的，女款小白鞋有 34-40 码，35 码目前有货，可以直接下单。"),
        (
            "积分怎么兑换？",
            "在「我的 - 会员中心 - 积分商城」就能兑换，100 积分抵 1 元，下单时自动抵扣。",
        ),
        ("门店几点关门？", "大部分门店营业到 22:00，各店时间可以在「门店查询」里看。"),
        ("新会员有优惠吗？", "首次注册会员可以领取满 300 减 30 的新人券，在「领券中心」领取即可。"),
    ),
    "en": (
        (
            "Do you ship to Hong Kong?",
            "Yes, we ship to Hong Kong with SF Express; it usually takes 3-5 working days.",
        ),
        (
            "What's your return policy?",
            "Unworn shoes with their tags can be returned within 7 days of delivery, no "
            "questions asked, or exchanged for another size within 15 days.",
        ),
        (
            "Are the hiking boots waterproof?",
            "Yes: the waterproof hiking boots have a waterproof membrane and sealed seams, fine "
            "for rain and shallow streams.",
        ),
        (
            "Do you have wide fits?",
            "Some models come in a wide fit, marked 'W'; filter by 'wide fit' in the shop.",
        ),
    ),
}  # fmt: skip


# --- customers ----------------------------------------------------------------------------------


@dataclass
class _Person:
    """A demo customer before and after it is stored."""

    name: str
    language: str
    tier: Tier
    lifecycle: Lifecycle
    since: datetime
    identities: dict[IdentityKind, str]
    hello: str
    account: KeyAccount | None = None
    tickets: int = 0
    # A chat conversation carries one open ticket at a time: when each is free again.
    free_from: dict[Channel, datetime] = field(default_factory=dict)
    customer: Customer | None = None

    def chat_id(self, channel: Channel) -> str | None:
        kind = services.CHAT_IDENTITIES.get(channel)
        return self.identities.get(kind) if kind is not None else None


def _phone(number: int) -> str:
    return f"+86-000-0000-{number:04d}"


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}{n}"
    taken.add(candidate)
    return candidate


def _people(rng: random.Random, now: datetime) -> tuple[list[_Person], list[tuple[str, str]]]:
    """The customers, and spare names (Chinese, English) for the bot-only conversations."""
    people: list[_Person] = []
    for account in KEY_ACCOUNTS_LIST:
        new = account.lifecycle is Lifecycle.NEW
        people.append(
            _Person(
                name=account.name,
                language=account.language,
                tier=Tier.KEY_ACCOUNT,
                lifecycle=account.lifecycle,
                since=now - timedelta(days=rng.randint(45, 80) if new else rng.randint(400, 1500)),
                identities={
                    IdentityKind.EMAIL: account.email,
                    IdentityKind.PHONE: _phone(len(people) + 1),
                },
                hello=account.hello,
                account=account,
            )
        )
    zh_names = [(s + g, f"{sp}.{gp}") for s, sp in ZH_SURNAMES for g, gp in ZH_GIVEN]
    en_names = [(f"{f} {last}", f"{f}.{last}".lower()) for f in EN_FIRST for last in EN_LAST]
    rng.shuffle(zh_names)
    rng.shuffle(en_names)
    taken: set[str] = set()
    for language, names in (("zh", zh_names[:110]), ("en", en_names[:70])):
        for name, slug in names:
            tier = rng.choices((Tier.REGULAR, Tier.SILVER, Tier.GOLD), (55, 25, 20))[0]
            stages = (
                Lifecycle.POTENTIAL,
                Lifecycle.NEW,
                Lifecycle.MATURE,
                Lifecycle.DECLINING,
                Lifecycle.CHURNED,
            )
            weights = (0, 10, 60, 25, 5) if tier is Tier.GOLD else (10, 25, 35, 20, 10)
            lifecycle = rng.choices(stages, weights)[0]
            years = {Lifecycle.MATURE: 400, Lifecycle.DECLINING: 300, Lifecycle.CHURNED: 500}
            since = now - timedelta(
                days=rng.randint(years[lifecycle], 1500)
                if lifecycle in years
                else rng.randint(31, 75),
                minutes=rng.randint(0, 24 * 60),
            )
            number = len(people) + 1
            identities: dict[IdentityKind, str] = {}
            chinese = language == "zh"
            if rng.random() < (0.6 if chinese else 0.45):
                identities[IdentityKind.WEB] = f"demo-{rng.getrandbits(64):016x}"
            if rng.random() < (0.08 if chinese else 0.45):
                identities[IdentityKind.TELEGRAM] = f"demo-tg-{number:04d}"
            if rng.random() < (0.95 if chinese else 0.8):  # an order needs a phone number
                identities[IdentityKind.PHONE] = _phone(number)
            if rng.random() < (0.4 if chinese else 0.85) or not identities:
                identities[IdentityKind.EMAIL] = f"{_unique(slug, taken)}@example.com"
            people.append(
                _Person(
                    name=name,
                    language=language,
                    tier=tier,
                    lifecycle=lifecycle,
                    since=since,
                    identities=identities,
                    hello="您好" if chinese else f"Hi {name.split()[0]},",
                )
            )
    spare = [(zh_names[110 + n][0], en_names[70 + n][0]) for n in range(len(FAQ["zh"]))]
    return people, spare


# --- planning: each ticket's life as steps in time ----------------------------------------------


@dataclass
class _Case:
    """One demo ticket: who, what, where, and (once created) the ticket itself."""

    index: int
    scenario: Scenario
    language: str
    person: _Person
    channel: Channel
    created: datetime
    team: str
    owner: str
    subject: str
    description: str
    order_number: str | None
    words: dict[str, str]
    ticket: Ticket | None = None

    @property
    def external_id(self) -> str | None:
        return self.person.chat_id(self.channel)

    @property
    def conversation_id(self) -> str | None:
        external = self.external_id
        return f"{self.channel.value}:{external}" if external is not None else None

    @property
    def lines(self) -> Lines:
        return self.scenario.zh if self.language == "zh" else self.scenario.en

    def text(self, template: str, **extra: object) -> str:
        return template.format_map({**self.words, **extra})

    def generic(self, rng: random.Random, key: str, **extra: object) -> str:
        return self.text(rng.choice(GENERIC[key][self.language]), **extra)


@dataclass(frozen=True)
class _Step:
    at: datetime
    case: int
    seq: int
    do: Callable[[_World], object]


_DAYS_AGO = {"late_dispatch": (4, 9), "e_invoice": (5, 12)}


def _words(rng: random.Random, scenario: Scenario, person: _Person, language: str,
           owner: str, team: str, created: datetime) -> dict[str, str]:  # fmt: skip
    zh = language == "zh"
    product = rng.choice(scenario.products) if scenario.products else rng.randrange(len(PRODUCTS))
    product_zh, product_en, price = PRODUCTS[product]
    price2 = price * rng.choice((70, 75, 80, 85)) // 1000 * 10 - 1
    size = rng.randint(35, 39) if product == _HEELS else rng.randint(36, 44)
    courier = rng.choice(COURIERS)
    store = rng.choice(STORES)
    low, high = _DAYS_AGO.get(scenario.key, (6, 25))
    days = rng.randint(low, high)
    local = created.astimezone(_ZONE)
    month = (local.month - 2) % 12 + 1
    agent = _USER[owner]
    words = {
        "product": product_zh if zh else product_en,
        "price": str(price),
        "price2": str(price2),
        "diff": str(price - price2),
        "size": str(size),
        "size2": str(size + 1),
        "days": str(days),
        "order": f"BY{local - timedelta(days=days):%y%m%d}{rng.randrange(10_000):04d}",
        "courier": courier[0] if zh else courier[1],
        "tracking": f"{courier[2]}{rng.randrange(10**11, 10**12)}",
        "tracking2": f"{courier[2]}{rng.randrange(10**11, 10**12)}",
        "store": store[0] if zh else store[1],
        "coupon": str(rng.choice((50, 80, 100))),
        "points": str(rng.randrange(1200, 8600, 100)),
        "short": str(rng.randrange(120, 480, 10)),
        "hello": person.hello,
        "agent": agent.display_name if zh else agent.name_en,
        "team": _TEAM[team].zh if zh else _TEAM[team].en,
        "waiting": _WAITING[team][0 if zh else 1],
        "month": str(month),
        "month_en": MONTHS_EN[month - 1],
    }
    account = person.account
    if account is not None:
        quantity = account.quantity
        rest = round(quantity * rng.uniform(0.5, 0.6) / 10) * 10
        ka_product = account.product_zh if zh else account.product_en
        words |= {
            "contact": account.contact,
            "you": account.you,
            "ka_product": ka_product,
            "ka_product_cap": ka_product[:1].upper() + ka_product[1:],
            "contract": f"HT-{local.year}-{KEY_ACCOUNTS_LIST.index(account) * 37 + 105:03d}",
            "qty": str(quantity),
            "rest": str(rest),
            "first_batch": str(round(rest * 0.6 / 10) * 10),
            "extra": str(rng.randrange(40, 130, 10)),
            "po": f"PO{local:%Y%m%d}-{rng.randint(1, 30):02d}",
            "invoice": str(rng.randrange(10**7, 10**8)),
            "amount": f"{rng.randrange(80_000, 400_000, 10):,}",
            "gap": f"{rng.randrange(2_000, 12_000, 10):,}",
        }
    return words


def _description(case_words: dict[str, str], lines: Lines, channel: Channel, language: str,
                 company: bool) -> str:  # fmt: skip
    text = lines.description.format_map(case_words)
    zh = language == "zh"
    if channel is Channel.PHONE:
        return (
            f"（来电记录）客户称：「{text}」" if zh else f'(Phone call) The customer said: "{text}"'
        )
    if channel is Channel.API:
        if company:
            return f"【企业采购平台】{text}" if zh else f"[Procurement portal] {text}"
        return f"【天猫旗舰店售后同步】{text}" if zh else f"[Synced from our Tmall store] {text}"
    return text


def _awake(at: datetime) -> datetime:
    """Customers write by day: a night-time moment moves to 07:00 local, same minutes."""
    local = at.astimezone(_ZONE)
    if local.hour < 7:
        return local.replace(hour=7).astimezone(UTC)
    return at


class _Timeline:
    """Builds one case's steps; each step is at least a second after the one before."""

    def __init__(self, case: _Case, calendar: sla.Calendar) -> None:
        self.case = case
        self.calendar = calendar
        self.steps: list[_Step] = []
        self.t = case.created - timedelta(seconds=1)

    def add(self, at: datetime, do: Callable[[_World], object]) -> datetime:
        at = max(at, self.t + timedelta(seconds=1))
        self.steps.append(_Step(at, self.case.index, len(self.steps), do))
        self.t = at
        return at

    def agent_time(self, after: datetime, minutes: float) -> datetime:
        """When a colleague gets to it: `minutes` of the team's working time after `after`."""
        return sla.add_business_time(self.calendar, after, timedelta(minutes=minutes))

    @staticmethod
    def customer_time(after: datetime, hours: float) -> datetime:
        return _awake(after + timedelta(hours=hours))


def _do(
    method: Callable[Concatenate[_World, _P], object], *args: _P.args, **kwargs: _P.kwargs
) -> Callable[[_World], object]:
    """A step that calls `method` on the world with these arguments, bound now (a lambda
    would read variables the planner reassigns later)."""
    return lambda world: method(world, *args, **kwargs)


def _priority(major: bool, tier: Tier) -> Priority:
    # The default of services.create_ticket, which the demo leaves to it: the planner only needs
    # it to know the targets it is planning against.
    if major:
        return Priority.URGENT if tier is Tier.KEY_ACCOUNT else Priority.HIGH
    return Priority.HIGH if tier is Tier.KEY_ACCOUNT else Priority.NORMAL


def _minutes(target: int, factor: float) -> float:
    return target * factor


def _plan(rng: random.Random, case: _Case, office: sla.Calendar, always: sla.Calendar,
          untouched: bool) -> list[_Step]:  # fmt: skip
    """The life of one ticket, ignoring `now`: the run stops each case at the present."""
    w = _World
    scenario, lines, person = case.scenario, case.lines, case.person
    company = person.account is not None
    timeline = _Timeline(case, always if company else office)
    add, agent_time, customer_time = timeline.add, timeline.agent_time, timeline.customer_time
    chat = case.conversation_id is not None
    owner = case.owner
    supervisor = _supervisor(case.team)
    created = add(case.created, _do(w.create, case))
    if untouched:
        return timeline.steps

    major = scenario.major or scenario.triaged_major
    first, following, resolution = SLA_TARGETS[person.tier][_priority(major, person.tier)]
    slow_first = rng.random() < (0.05 if major else 0.1)
    slow_resolution = rng.random() < 0.1
    hello = case.words["hello"]

    # Who takes it, and the first answer.
    if case.channel is Channel.PHONE:
        # The owner took the call and filed the ticket: the call itself was the first answer.
        add(created + timedelta(seconds=30), _do(w.claim, case, owner))
        first_at = created + timedelta(minutes=rng.uniform(3, 12))
    else:
        if slow_first:
            hello += "，抱歉让您久等了" if case.language == "zh" else " sorry to keep you waiting."
        if scenario.triaged_major:
            add(agent_time(created, rng.uniform(10, 40)), _do(w.triage, case, supervisor))
        assigned = company or major or scenario.supervisor_owns
        if assigned:
            add(agent_time(timeline.t, rng.uniform(3, 15)), _do(w.assign, case, supervisor))
        factor = rng.uniform(1.3, 3.0) if slow_first else rng.uniform(0.15, 0.8)
        first_at = max(
            agent_time(created, _minutes(first, factor)),
            agent_time(timeline.t, rng.uniform(3, 10)),
        )
        before: list[tuple[datetime, Callable[[_World], object]]] = []
        if slow_first and rng.random() < 0.6:
            chase = case.generic(rng, "chase_ka" if company else "chase")
            chase_at = created + (first_at - created) * rng.uniform(0.35, 0.75)
            before.append((chase_at, _do(w.customer_says, case, chase)))
        if not assigned:
            claim_at = max(
                created + timedelta(minutes=1),
                first_at - timedelta(minutes=rng.uniform(2, 25)),
            )
            before.append((claim_at, _do(w.claim, case, owner)))
        for at, step in sorted(before, key=lambda pair: pair[0]):
            add(at, step)
    first_at = add(first_at, _do(w.reply, case, owner, case.text(lines.reply, hello=hello)))

    # The customer's part: what the first answer asked for.
    work_from = first_at
    if lines.answer:
        if rng.random() < 0.85:  # waiting on the customer pauses the clock
            add(first_at + timedelta(minutes=1), _do(w.set_status, case, owner, Status.PENDING))
            # Some people never answer: closed after five days or so (not a company's buyer,
            # nor someone with a major complaint).
            if not (major or company) and rng.random() < 0.2:
                close_at = agent_time(
                    first_at + timedelta(days=rng.uniform(5, 7)), rng.uniform(0, 60)
                )
                add(close_at, _do(w.reply, case, owner, case.generic(rng, "pending_close")))
                add(close_at, _do(w.set_status, case, owner, Status.CLOSED))
                if chat:
                    add(close_at, _do(w.hand_back, case, owner))
                person.free_from[case.channel] = timeline.t
                return timeline.steps
        work_from = add(
            customer_time(first_at, rng.uniform(0.3, 40)),
            _do(w.customer_says, case, case.text(lines.answer)),
        )
        add(
            agent_time(work_from, rng.uniform(5, 60)),
            _do(w.note, case, owner, case.text(lines.note)),
        )
        # The answer started the next-response clock: an update, or at least a word of thanks.
        factor = rng.uniform(1.2, 2.0) if rng.random() < 0.08 else rng.uniform(0.15, 0.8)
        update = case.text(lines.update) if lines.update else case.generic(rng, "thanks")
        add(agent_time(work_from, _minutes(following, factor)), _do(w.reply, case, owner, update))
    else:
        add(
            agent_time(timeline.t, rng.uniform(10, 120)),
            _do(w.note, case, owner, case.text(lines.note)),
        )
    done_by = work_from + timedelta(days=rng.uniform(*scenario.days))
    if lines.update and not lines.answer:  # news on the way, e.g. "the new pair has shipped"
        add(
            agent_time(
                work_from + (done_by - work_from) * rng.uniform(0.3, 0.6), rng.uniform(5, 30)
            ),
            _do(w.reply, case, owner, case.text(lines.update)),
        )
    quick_resolution = False
    if lines.update.rstrip().endswith(("？", "?")):  # the update asked: "does that work for you?"
        agree = case.generic(rng, "agree_ka" if company else "agree")
        add(customer_time(timeline.t, rng.uniform(0.1, 3)), _do(w.customer_says, case, agree))
        quick_resolution = True
    elif rng.random() < 0.15:
        # The customer asks for news: the next-response clock runs until someone answers.
        asked_at = add(
            customer_time(timeline.t, rng.uniform(2, 20)),
            _do(w.customer_says, case, case.generic(rng, "progress_ask")),
        )
        factor = rng.uniform(1.2, 2.5) if rng.random() < 0.2 else rng.uniform(0.2, 0.9)
        add(
            agent_time(asked_at, _minutes(following, factor)),
            _do(w.reply, case, owner, case.generic(rng, "progress")),
        )

    if rng.random() < 0.06:  # stuck: waiting on a factory, a courier, a lab; no resolution yet
        person.free_from[case.channel] = _FOREVER
        return timeline.steps

    # The resolution, when the work is done (or later, when the case was neglected).
    if quick_resolution:
        resolve_at = agent_time(timeline.t, _minutes(following, rng.uniform(0.1, 0.7)))
    else:
        resolve_at = max(
            agent_time(timeline.t, rng.uniform(30, 240)), agent_time(done_by, rng.uniform(5, 60))
        )
        if slow_resolution:
            resolve_at = max(
                resolve_at, agent_time(created, _minutes(resolution, rng.uniform(1.05, 1.6)))
            )
    resolved_at = add(resolve_at, _do(w.reply, case, owner, case.text(lines.resolution)))
    add(resolved_at, _do(w.set_status, case, owner, Status.RESOLVED))
    if chat:
        add(agent_time(timeline.t, rng.uniform(2, 10)), _do(w.hand_back, case, owner))
    unhappy = slow_first or slow_resolution
    # "It still isn't right": the customer's message reopens the case (where goods or money move).
    if scenario.category in _REOPENABLE and rng.random() < 0.06:
        again_at = add(
            customer_time(timeline.t, rng.uniform(3, 30)),
            _do(w.customer_says, case, case.generic(rng, "reopen_ka" if company else "reopen")),
        )
        add(
            agent_time(again_at, rng.uniform(20, 120)),
            _do(w.reply, case, owner, case.generic(rng, "reopen_reply")),
        )
        fixed_at = add(
            agent_time(timeline.t, rng.uniform(120, 480)),
            _do(
                w.reply,
                case,
                owner,
                case.generic(rng, "reopen_resolution_ka" if company else "reopen_resolution"),
            ),
        )
        add(fixed_at, _do(w.set_status, case, owner, Status.RESOLVED))
        if chat:
            add(agent_time(timeline.t, rng.uniform(2, 10)), _do(w.hand_back, case, owner))
        unhappy = True

    # The follow-up visit (回访) falls due a day after the resolution; most customers answer it:
    # in the chat when the bot asks, or on the phone when an agent works the call-back list.
    final = timeline.t

    def answer_time(due: datetime) -> datetime:
        if chat:
            return customer_time(due, rng.uniform(0.2, 6))
        return agent_time(due, rng.uniform(20, 240))

    if rng.random() < 0.65:
        bad = 0.07 + 0.3 * unhappy + 0.15 * major
        band = rng.choices(("bad", "mixed", "good"), (bad, 0.25, 1 - bad - 0.25))[0]
        csat, nps = _scores(rng, band)
        comment = case.generic(rng, band)
        survey_at = add(
            answer_time(final + timedelta(days=1)), _do(w.survey, case, csat, nps, comment)
        )
        if band == "bad":  # a low score reopens the case and alerts the supervisors
            quoted = comment.rstrip("。！.!") or "-"
            note = case.generic(rng, "low_note", csat=csat, nps=nps, comment=quoted)
            add(agent_time(survey_at, rng.uniform(10, 60)), _do(w.note, case, supervisor, note))
            add(
                agent_time(timeline.t, rng.uniform(20, 120)),
                _do(w.reply, case, owner, case.generic(rng, "low_reply")),
            )
            done_at = add(
                agent_time(timeline.t, rng.uniform(60, 240)),
                _do(w.reply, case, owner, case.generic(rng, "low_resolution")),
            )
            add(done_at, _do(w.set_status, case, owner, Status.RESOLVED))
            if chat:
                add(agent_time(timeline.t, rng.uniform(2, 10)), _do(w.hand_back, case, owner))
    if rng.random() < 0.7:
        close_at = agent_time(
            timeline.t + timedelta(hours=rng.uniform(48, 120)), rng.uniform(0, 90)
        )
        add(close_at, _do(w.set_status, case, owner, Status.CLOSED))
    if major and rng.random() < 0.6:  # the second visit of a major complaint, a week on
        csat, nps = _scores(rng, rng.choice(("good", "mixed")))
        comment = case.generic(rng, "good" if csat >= 4 else "mixed")
        add(answer_time(final + timedelta(days=7)), _do(w.survey, case, csat, nps, comment))
    person.free_from[case.channel] = timeline.t
    return timeline.steps


_REOPENABLE = (Category.PRODUCT_QUALITY, Category.DELIVERY, Category.PRICE, Category.CONTRACT)


def _scores(rng: random.Random, band: str) -> tuple[int, int]:
    """CSAT (1-5) and NPS (0-10) for an experience; only `bad` is a low score (reopens)."""
    if band == "good":
        return rng.choice((4, 5, 5, 5)), rng.choice((8, 9, 9, 10, 10))
    if band == "mixed":
        return rng.choice((3, 3, 4)), rng.choice((7, 7, 8))
    return rng.choice((1, 2, 2)), rng.randint(0, 5)


# --- choosing the cases -------------------------------------------------------------------------

_PERSONAL = (Channel.WEB, Channel.TELEGRAM, Channel.PHONE, Channel.EMAIL, Channel.API)
# How people reach the desk: Chinese customers rarely use Telegram; companies write or call.
_CHANNELS: dict[str, tuple[tuple[Channel, ...], tuple[int, ...]]] = {
    "zh": (_PERSONAL, (36, 4, 24, 14, 12)),
    "en": (_PERSONAL, (26, 24, 10, 28, 12)),
    "company": ((Channel.EMAIL, Channel.PHONE, Channel.API), (5, 3, 2)),
}


def _reaches(person: _Person, channel: Channel, at: datetime) -> bool:
    if channel in services.CHAT_IDENTITIES:
        free = person.free_from.get(channel, person.since)
        return person.chat_id(channel) is not None and free < at
    if channel is Channel.PHONE:
        return IdentityKind.PHONE in person.identities
    if channel is Channel.EMAIL:
        return IdentityKind.EMAIL in person.identities
    return True  # an API integration files for anyone


def _created_times(rng: random.Random, now: datetime) -> list[datetime]:
    times: list[datetime] = []
    for _ in range(TICKETS - NEWEST_UNTOUCHED):
        at = now - timedelta(seconds=rng.uniform(45 * 60, DAYS * 86_400))
        if at.astimezone(_ZONE).hour < 7 and rng.random() < 0.8:  # few complain at night
            at = min(at + timedelta(hours=8), now - timedelta(minutes=45))
        times.append(at)
    times += [now - timedelta(minutes=rng.uniform(4, 40)) for _ in range(NEWEST_UNTOUCHED)]
    return sorted(times)


def _cases(rng: random.Random, people: list[_Person], now: datetime, office: sla.Calendar,
           always: sla.Calendar) -> tuple[list[_Case], list[_Step]]:  # fmt: skip
    # Every story at least once, the rest by weight.
    deck = list(SCENARIOS) + rng.choices(
        SCENARIOS, [s.weight for s in SCENARIOS], k=TICKETS - len(SCENARIOS)
    )
    rng.shuffle(deck)
    times = _created_times(rng, now)
    # Three in five tickets are in Chinese: a quota, not a coin, so every seed gets that split.
    chinese = TICKETS * 3 // 5
    languages = ["zh"] * chinese + ["en"] * (TICKETS - chinese)
    rng.shuffle(languages)
    cases: list[_Case] = []
    steps: list[_Step] = []
    for index, (scenario, created, language) in enumerate(zip(deck, times, languages, strict=True)):
        mix = _CHANNELS["company" if scenario.key_account else language]
        channel = rng.choices(mix[0], mix[1])[0]
        if channel is Channel.PHONE and not scenario.key_account and not office.is_open(created):
            channel = Channel.EMAIL  # the hotline keeps office hours
        person = None
        for language_tried in (language, "en" if language == "zh" else "zh"):
            for channel_tried in (channel, Channel.EMAIL, Channel.PHONE, Channel.API):
                fits = [
                    p
                    for p in people
                    if p.language == language_tried
                    and (p.account is not None) == scenario.key_account
                    and (not scenario.kitchens_only or (p.account and p.account.kitchens))
                    and (not scenario.regular_only or p.tier is Tier.REGULAR)
                    and p.since < created
                    and _reaches(p, channel_tried, created)
                ]
                if fits:
                    fresh = [p for p in fits if not p.tickets]
                    # Most complaints come from someone new to the desk; some come back.
                    pool = fresh if fresh and rng.random() < 0.8 else fits
                    person = rng.choice(pool)
                    language, channel = language_tried, channel_tried
                    break
            if person is not None:
                break
        if person is None:
            raise AssertionError(f"no demo customer fits {scenario.key}")  # a data bug
        person.tickets += 1
        team = KEY_ACCOUNTS if person.account is not None else scenario.team
        if person.account is not None:
            owner = person.account.manager
        elif scenario.supervisor_owns:
            owner = _supervisor(team)
        else:
            owner = rng.choice(_agents(team))
        words = _words(rng, scenario, person, language, owner, team, created)
        lines = scenario.zh if language == "zh" else scenario.en
        if person.account is None:
            order_number: str | None = words["order"]
        else:
            order_number = words["po"] if scenario.key == "size_mix" else words["contract"]
        case = _Case(
            index=index,
            scenario=scenario,
            language=language,
            person=person,
            channel=channel,
            created=created,
            team=team,
            owner=owner,
            subject=lines.subject.format_map(words),
            description=_description(words, lines, channel, language, person.account is not None),
            order_number=order_number,
            words=words,
        )
        cases.append(case)
        untouched = index >= TICKETS - NEWEST_UNTOUCHED
        steps += _plan(rng, case, office, always, untouched)
    return cases, steps


# --- the replay ---------------------------------------------------------------------------------


class _World:
    """The database side of the steps: each is one service-layer call at its past moment.
    Between steps the worker runs at its own moments (SLA checkpoints, follow-up visits), and
    agents work the call-back list, so the month reads as if the desk had been running."""

    def __init__(
        self,
        session: Session,
        users: dict[str, User],
        *,
        seed: int,
        office: sla.Calendar,
        always: sla.Calendar,
    ) -> None:
        self.session = session
        self.users = users
        self.seed = seed
        self.office = office
        self.always = always
        self.at = datetime.min.replace(tzinfo=UTC)  # the moment of the step being run
        self.case_of: dict[int, _Case] = {}  # by ticket id
        # The worker's follow-up part opens its own sessions: here they join this transaction,
        # each batch in a savepoint.
        self.worker_sessions = sessionmaker(
            bind=session.connection(), join_transaction_mode="create_savepoint"
        )
        # When an agent calls: (at, task id, outcome, agent, note), a heap.
        self.calls: list[tuple[datetime, int, CallbackOutcome, str, str]] = []
        self.tasks_seen = session.scalar(select(func.max(CallbackTask.id))) or 0
        # Nothing the worker looks at is due before these (lower bounds, so most steps need no
        # query): a step can only bring its own ticket's checkpoint or follow-up forward.
        self.next_check = datetime.min.replace(tzinfo=UTC)
        self.next_visit = datetime.min.replace(tzinfo=UTC)

    def run(self, step: _Step, case: _Case) -> None:
        self.catch_up(step.at)
        self.at = step.at
        step.do(self)
        ticket = case.ticket
        if ticket is None:
            return
        if ticket.next_sla_check_at is not None:
            self.next_check = min(self.next_check, ticket.next_sla_check_at)
        if ticket.status in (Status.RESOLVED, Status.CLOSED):  # follow-ups were scheduled
            visit = self.session.scalar(
                select(func.min(FollowUp.next_action_at)).where(FollowUp.ticket_id == ticket.id)
            )
            if visit is not None:
                self.next_visit = min(self.next_visit, visit)

    @staticmethod
    def ticket(case: _Case) -> Ticket:
        if case.ticket is None:
            raise AssertionError(f"case {case.index} has no ticket yet")
        return case.ticket

    def actor(self, username: str) -> services.Actor:
        return services.Actor.of(self.users[username])

    def create(self, case: _Case) -> None:
        session, at = self.session, self.at
        conversation_id = case.conversation_id
        if conversation_id is not None and case.external_id is not None:
            # The customer told the bot; the bot filed the complaint and handed over.
            services.record_inbound_message(
                session,
                case.channel,
                case.external_id,
                case.description,
                display_name=case.person.name,
                language=case.language,
                at=at - timedelta(seconds=90),
            )
            actor = services.Actor.bot()
        elif case.channel is Channel.PHONE:
            actor = self.actor(case.owner)
        else:
            actor = services.Actor.system()  # the mailbox or the integration
        ticket = case.ticket = services.create_ticket(
            session,
            subject=case.subject,
            description=case.description,
            channel=case.channel,
            actor=actor,
            customer=case.person.customer,
            category=case.scenario.category,
            severity=Severity.MAJOR if case.scenario.major else Severity.GENERAL,
            team=self.users[case.owner].team,
            conversation_id=conversation_id,
            order_number=case.order_number,
            language=case.language,
            at=at,
        )
        self.case_of[ticket.id] = case
        if conversation_id is not None:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise AssertionError(f"no conversation {conversation_id}")
            ack = GENERIC["bot_ack"][case.language][0].format(number=ticket.number)
            if case.person.account is None and not office_calendar().is_open(at):
                ack += ("" if case.language == "zh" else " ") + GENERIC["bot_after_hours"][
                    case.language
                ][0]
            services.record_bot_reply(session, conversation, ack, at=at)
            services.hand_off_conversation(
                session, conversation, services.Actor.bot(), reason="complaint", at=at
            )

    def triage(self, case: _Case, supervisor: str) -> None:
        services.triage_ticket(
            self.session,
            self.ticket(case),
            self.actor(supervisor),
            severity=Severity.MAJOR,
            priority=_priority(True, case.person.tier),
            at=self.at,
        )

    def assign(self, case: _Case, supervisor: str) -> None:
        services.assign_ticket(
            self.session,
            self.ticket(case),
            self.users[case.owner],
            self.actor(supervisor),
            at=self.at,
        )

    def claim(self, case: _Case, agent: str) -> None:
        services.claim_ticket(self.session, self.ticket(case), self.users[agent], at=self.at)

    def reply(self, case: _Case, agent: str, text: str) -> None:
        services.reply_to_customer(
            self.session, self.ticket(case), self.actor(agent), text, at=self.at
        )

    def note(self, case: _Case, agent: str, text: str) -> None:
        services.add_note(self.session, self.ticket(case), self.actor(agent), text, at=self.at)

    def customer_says(self, case: _Case, text: str) -> None:
        ticket = self.ticket(case)
        if case.external_id is not None and ticket.status in OPEN_STATUSES:
            # Through the chat, as the gateway stores it: it lands on the open ticket.
            record = services.record_inbound_message(
                self.session,
                case.channel,
                case.external_id,
                text,
                language=case.language,
                at=self.at,
            )
            if record.ticket is not ticket:
                raise AssertionError(f"case {case.index}: the chat has another open ticket")
        else:
            services.add_customer_message(self.session, ticket, text, at=self.at)

    def set_status(self, case: _Case, agent: str, status: Status) -> None:
        services.change_status(
            self.session, self.ticket(case), status, self.actor(agent), at=self.at
        )

    def hand_back(self, case: _Case, agent: str) -> None:
        """The agent gives the chat back to the bot once the case is handled."""
        if case.conversation_id is None:
            return
        conversation = self.session.get(Conversation, case.conversation_id)
        if conversation is None or conversation.state is ConversationState.BOT:
            return
        services.hand_back_conversation(self.session, conversation, self.actor(agent), at=self.at)
        services.complete_hand_back(self.session, conversation.id, at=self.at)

    def survey(self, case: _Case, csat: int, nps: int, comment: str) -> None:
        """The customer's follow-up answers: on the phone if the visit became a call-back, else
        in the chat the bot asked in (or however else they reached us)."""
        session, ticket = self.session, self.ticket(case)
        task = session.scalars(
            select(CallbackTask)
            .where(
                CallbackTask.ticket_id == ticket.id,
                CallbackTask.status == CallbackStatus.OPEN,
                CallbackTask.follow_up_id.is_not(None),
            )
            .order_by(CallbackTask.due_at, CallbackTask.id)
        ).first()
        if task is not None:
            callbacks.record_outcome(
                session,
                task,
                self.users[case.owner],
                CallbackOutcome.REACHED,
                note=comment,
                csat=csat,
                nps=nps,
                at=self.at,
            )
            return
        asked = session.scalars(
            select(FollowUp)
            .where(FollowUp.ticket_id == ticket.id, FollowUp.status == FollowUpStatus.SURVEY_SENT)
            .order_by(FollowUp.due_at)
        ).first()
        if asked is not None and asked.conversation_id and asked.survey_sent_at:
            self._survey_chat(case, asked.conversation_id, asked.survey_sent_at, csat, nps, comment)
        services.record_survey(session, ticket, csat, nps, comment, at=self.at, follow_up=asked)

    def _survey_chat(self, case: _Case, conversation_id: str, asked_at: datetime, csat: int,
                     nps: int, comment: str) -> None:  # fmt: skip
        """What the bot's survey looked like in the chat (bot/domain/survey.yml's wording)."""
        session, at, language = self.session, self.at, case.language
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return
        external = conversation_id.split(":", 1)[1]
        texts = SURVEY_CHAT[language]
        number = self.ticket(case).number

        def bot(text: str, when: datetime, scale: int = 0) -> None:
            buttons = [{"title": str(n), "payload": f'/rate_service{{"score":"{n}"}}'} for n in
                       range(1 if scale == 5 else 0, scale + 1)] if scale else []  # fmt: skip
            services.record_bot_reply(session, conversation, text, buttons=buttons, at=when)

        def customer(text: str, when: datetime) -> None:
            services.record_inbound_message(
                session, conversation.channel, external, text, language=language, at=when
            )

        minute = timedelta(minutes=1)
        bot(texts["intro"].format(number=number) + "\n" + texts["csat"], asked_at, scale=5)
        customer(str(csat), at - 4 * minute)
        bot(texts["nps"], at - 4 * minute, scale=10)
        customer(str(nps), at - 3 * minute)
        bot(texts["comment"], at - 3 * minute)
        customer(comment or texts["skip"], at - 2 * minute)
        low = scores.is_low_score(csat, nps)
        bot(texts["sorry" if low else "thanks"], at - minute)

    def catch_up(self, until: datetime) -> None:
        """Everything due up to `until` besides the steps, each at its own moment: the worker's
        SLA checkpoints (warnings, breaches) and follow-up visits, and agents' calls."""
        sla_due = select(func.min(Ticket.next_sla_check_at)).scalar_subquery()
        visit_due = select(func.min(FollowUp.next_action_at)).scalar_subquery()
        while True:
            next_call = self.calls[0][0] if self.calls else None
            if min(self.next_check, self.next_visit) > until and (
                next_call is None or next_call > until
            ):
                return
            next_check, next_visit = self.session.execute(select(sla_due, visit_due)).one()
            self.next_check = next_check or _FOREVER
            self.next_visit = next_visit or _FOREVER
            due = min(
                (
                    at
                    for at in (next_check, next_visit, next_call)
                    if at is not None and at <= until
                ),
                default=None,
            )
            if due is None:
                return
            if due == next_check:
                while escalations.sweep_batch(self.session, due, batch=500).tickets == 500:
                    pass
                self.next_check = datetime.min.replace(tzinfo=UTC)  # look again
            elif due == next_visit:
                self._visit(due)
                self.next_visit = datetime.min.replace(tzinfo=UTC)
            else:
                self._call()

    def _visit(self, due: datetime) -> None:
        session = self.session
        session.flush()
        followups.process_due(self.worker_sessions, due)
        # The worker's own session changed follow-up rows this session may hold.
        for row in list(session.identity_map.values()):
            if isinstance(row, FollowUp):
                session.expire(row)
        for task in session.scalars(
            select(CallbackTask).where(CallbackTask.id > self.tasks_seen).order_by(CallbackTask.id)
        ).all():
            self.tasks_seen = task.id
            case = self.case_of.get(task.ticket_id) if task.ticket_id is not None else None
            follow_up = session.get(FollowUp, task.follow_up_id) if task.follow_up_id else None
            if case is None or follow_up is None:
                continue
            # Someone in the team calls within a working day or two; a planned answer (the
            # survey step) comes sooner and finds the task still open.
            rng = random.Random(  # noqa: S311
                f"{self.seed}:{case.index}:{follow_up.round}:{follow_up.sequence}"
            )
            calendar = self.always if case.person.account is not None else self.office
            call_at = sla.add_business_time(
                calendar, task.due_at, timedelta(minutes=rng.uniform(_DAY, 2 * _DAY))
            )
            outcome = rng.choices(
                (
                    CallbackOutcome.NO_ANSWER,
                    CallbackOutcome.DECLINED,
                    CallbackOutcome.REACHED,
                    CallbackOutcome.WRONG_NUMBER,
                ),
                (55, 25, 15, 5),
            )[0]
            language = "zh" if task.language.startswith("zh") else "en"
            if IdentityKind.PHONE in case.person.identities:
                note = CALL_NOTES[outcome][language]
            else:
                outcome, note = CallbackOutcome.NO_ANSWER, NO_PHONE_NOTE[language]
            heapq.heappush(self.calls, (call_at, task.id, outcome, case.owner, note))

    def _call(self) -> None:
        at, task_id, outcome, agent, note = heapq.heappop(self.calls)
        task = self.session.get(CallbackTask, task_id)
        if task is None or task.status is not CallbackStatus.OPEN:
            return
        callbacks.record_outcome(self.session, task, self.users[agent], outcome, note=note, at=at)


def _faq_conversations(session: Session, rng: random.Random, spare: Sequence[tuple[str, str]],
                       now: datetime) -> int:  # fmt: skip
    """Would-be customers who asked the bot something and needed nobody: no ticket."""
    count = 0
    for language in ("zh", "en"):
        for n, (question, answer) in enumerate(FAQ[language]):
            name = spare[n][0 if language == "zh" else 1]
            channel = Channel.TELEGRAM if language == "en" and n % 2 else Channel.WEB
            external = (
                f"demo-tg-faq-{n}"
                if channel is Channel.TELEGRAM
                else f"demo-{rng.getrandbits(64):016x}"
            )
            at = _awake(now - timedelta(hours=rng.uniform(2, DAYS * 24)))
            record = services.record_inbound_message(
                session, channel, external, question, display_name=name, language=language, at=at
            )
            services.record_bot_reply(
                session, record.conversation, answer, at=at + timedelta(seconds=2)
            )
            count += 1
    return count


# --- loading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` made, in counts."""

    teams: int
    users: int
    kept_users: tuple[str, ...]
    customers: int
    key_accounts: int
    conversations: int
    tickets: int
    by_status: dict[str, int]
    by_language: dict[str, int]
    by_channel: dict[str, int]
    by_category: dict[str, int]
    major: int
    overdue_now: int
    sla_breaches: int
    surveys: int
    csat_average: float | None
    detractors: int
    surveys_waiting: int  # asked in a chat, not answered yet
    callbacks_open: int
    callbacks_done: int
    seconds: float

    def lines(self) -> list[str]:
        def counts(values: dict[str, int]) -> str:
            return ", ".join(f"{name} {n}" for name, n in values.items())

        lines = [
            f"Demo retailer 鞋履零售 loaded in {self.seconds:.1f} s: {self.teams} teams, "
            f"{self.users} users, {self.customers} customers ({self.key_accounts} key accounts), "
            f"{self.conversations} chat conversations",
            f"{self.tickets} tickets over the last {DAYS} days: {counts(self.by_status)}",
            f"  languages: {counts(self.by_language)}; channels: {counts(self.by_channel)}",
            f"  categories: {counts(self.by_category)}",
            f"  {self.major} major; {self.overdue_now} past an SLA deadline now; "
            f"{self.sla_breaches} SLA breaches recorded",
            f"  {self.surveys} follow-up surveys answered (CSAT average "
            + (f"{self.csat_average:.1f}" if self.csat_average is not None else "-")
            + f", {self.detractors} detractors); {self.surveys_waiting} waiting for an answer; "
            f"call-backs: {self.callbacks_done} made, {self.callbacks_open} to make",
        ]
        if self.kept_users:
            lines.append(
                "  kept the existing users " + ", ".join(self.kept_users) + " (their passwords "
                "are unchanged)"
            )
        return lines


def _get_or_create_calendar(session: Session, name: str, **values: object) -> BusinessCalendar:
    row = session.scalars(select(BusinessCalendar).where(BusinessCalendar.name == name)).first()
    if row is None:
        row = BusinessCalendar(name=name, **values)
        session.add(row)
        session.flush()
    return row


def load_demo(session: Session, *, seed: int = 7, now: datetime | None = None) -> DemoSummary:
    """Load the demo retailer into `session` (the caller commits): teams, users, calendars, SLA
    policies, customers, chats and a month of tickets ending at `now`. Teams, users, calendars
    and policies that exist already are kept; demo customers that exist already are refused."""
    started = utcnow()
    now = (now or started).astimezone(UTC)
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    people, spare = _people(rng, now)
    marker = people[0].identities[IdentityKind.EMAIL]
    if services.find_customer(session, IdentityKind.EMAIL, marker) is not None:
        raise Conflict("the demo data is loaded already: load it into an empty database")
    outbox_before = session.scalar(select(func.max(OutboxMessage.id))) or 0

    teams: dict[str, Team] = {}
    for spec in TEAMS:
        teams[spec.name] = accounts.get_team(session, spec.name) or accounts.create_team(
            session, spec.name, spec.description
        )
    # One argon2 hash for every demo user: hashing takes a quarter of a second each.
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    kept: list[str] = []
    for user_spec in DEMO_USERS:
        existing = accounts.get_user(session, user_spec.username)
        if existing is not None:
            users[user_spec.username] = existing
            kept.append(user_spec.username)
            continue
        user = User(
            username=user_spec.username,
            display_name=user_spec.display_name,
            role=user_spec.role,
            password_hash=password_hash,
            team=teams[user_spec.team] if user_spec.team else None,
            is_active=True,
            created_at=now - timedelta(days=180),
        )
        session.add(user)
        users[user_spec.username] = user
    session.flush()

    office_row = _get_or_create_calendar(
        session,
        OFFICE,
        timezone=TIMEZONE,
        always_open=False,
        periods=OFFICE_PERIODS,
        holidays=list(HOLIDAYS_2026),
    )
    always_row = _get_or_create_calendar(
        session, ALWAYS_OPEN, timezone=TIMEZONE, always_open=True, periods={}, holidays=[]
    )
    existing_policies = {(p.tier, p.priority) for p in session.scalars(select(SlaPolicy)).all()}
    for tier, targets in SLA_TARGETS.items():
        for priority, (first, following, resolution) in targets.items():
            if (tier, priority) in existing_policies:
                continue
            session.add(
                SlaPolicy(
                    name=f"{tier.value} · {priority.value}",
                    priority=priority,
                    tier=tier,
                    first_response_minutes=first,
                    next_response_minutes=following,
                    resolution_minutes=resolution,
                    calendar=always_row if tier is Tier.KEY_ACCOUNT else office_row,
                )
            )
    session.flush()

    for person in people:
        person.customer = services.create_customer(
            session,
            person.name,
            tier=person.tier,
            lifecycle=person.lifecycle,
            language=person.language,
            identities=person.identities,
            at=person.since,
        )

    office = sla.calendar_of(office_row) or office_calendar()
    always = sla.calendar_of(always_row) or sla.Calendar.twenty_four_seven(TIMEZONE)
    cases, steps = _cases(rng, people, now, office, always)
    faq = _faq_conversations(session, rng, spare, now)

    world = _World(session, users, seed=seed, office=office, always=always)
    with _quiet(escalations.log, followups.log):
        for step in sorted(steps, key=lambda s: (s.at, s.case, s.seq)):
            if step.at > now:
                continue  # the rest of this case's life has not happened yet
            world.run(step, cases[step.case])
        world.catch_up(now)
    churn.refresh(session, now)
    _settle(session, outbox_before, now)
    # Routes last: the month replayed above sets its teams itself, as it happened.
    for category, team_name in ROUTES.items():
        accounts.route_category(session, category, teams[team_name])
    session.flush()
    return _summary(session, teams, users, kept, people, cases, faq, now, started)


@contextmanager
def _quiet(*loggers: logging.Logger) -> Iterator[None]:
    """The replayed worker logs a line per warning, breach and visit: a month of history is
    not news, so only its warnings and errors are shown."""
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _settle(session: Session, outbox_before: int, now: datetime) -> None:
    """What a running desk would have done meanwhile: delivered the past month's chat messages
    (else the deliverer would replay them all at start) and read last month's notifications."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id > outbox_before, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, attempts=1, sent_at=OutboxMessage.created_at)
        .execution_options(synchronize_session=False)
    )
    yesterday = now - timedelta(days=1)
    for user in session.scalars(select(User)).all():
        old = session.scalars(
            select(Notification.id).where(
                Notification.user_id == user.id,
                Notification.created_at < yesterday,
            )
        ).all()
        if old:
            notifications.mark_read(session, user, old, yesterday)


def _summary(session: Session, teams: dict[str, Team], users: dict[str, User], kept: list[str],
             people: list[_Person], cases: list[_Case], faq: int, now: datetime,
             started: datetime) -> DemoSummary:  # fmt: skip
    tickets = [case.ticket for case in cases if case.ticket is not None]
    ids = [t.id for t in tickets]
    statuses = Counter(t.status.value for t in tickets)
    surveys = session.scalars(select(SurveyResponse).where(SurveyResponse.ticket_id.in_(ids))).all()
    csats = [s.csat for s in surveys if s.csat is not None]
    tasks: dict[CallbackStatus, int] = dict(
        session.execute(
            select(CallbackTask.status, func.count(CallbackTask.id))
            .where(CallbackTask.ticket_id.in_(ids))
            .group_by(CallbackTask.status)
        ).all()
    )
    conversations = {c.conversation_id for c in cases if c.conversation_id}
    return DemoSummary(
        teams=len(teams),
        users=len(users),
        kept_users=tuple(kept),
        customers=len(people) + faq,
        key_accounts=sum(1 for p in people if p.account is not None),
        conversations=len(conversations) + faq,
        tickets=len(tickets),
        by_status={s.value: statuses.get(s.value, 0) for s in Status},
        by_language=dict(Counter(t.language for t in tickets).most_common()),
        by_channel=dict(Counter(t.channel.value for t in tickets).most_common()),
        by_category=dict(Counter(t.category.value for t in tickets).most_common()),
        major=sum(1 for t in tickets if t.severity is Severity.MAJOR),
        overdue_now=sum(1 for t in tickets if any(sla.sla_breaches(t, now).values())),
        sla_breaches=session.scalar(
            select(func.count(SlaEvent.id)).where(
                SlaEvent.kind == SlaEventKind.BREACH, SlaEvent.ticket_id.in_(ids)
            )
        )
        or 0,
        surveys=len(surveys),
        csat_average=sum(csats) / len(csats) if csats else None,
        detractors=sum(1 for s in surveys if s.nps is not None and s.nps <= 6),
        surveys_waiting=session.scalar(
            select(func.count(FollowUp.id)).where(
                FollowUp.status == FollowUpStatus.SURVEY_SENT, FollowUp.ticket_id.in_(ids)
            )
        )
        or 0,
        callbacks_open=tasks.get(CallbackStatus.OPEN, 0),
        callbacks_done=tasks.get(CallbackStatus.DONE, 0),
        seconds=(utcnow() - started).total_seconds(),
    )
