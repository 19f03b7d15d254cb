"""The demo retailer's shoes, couriers and stores, in Chinese and English."""

from __future__ import annotations

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
HEELS = 2  # the stilettos: smaller sizes
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
