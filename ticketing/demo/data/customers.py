"""Names for the demo customers, and the key accounts (company customers with a contract).

Names are made up; phone numbers use the +86-000 prefix that no Chinese number has, e-mail
addresses are at example.com, and Telegram ids are not numbers, so nothing here can reach a
real person even when a real bot token is configured (the Telegram adapter refuses them).
"""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.models import Lifecycle

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
