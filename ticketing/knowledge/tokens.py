"""The words retrieval compares: Jieba's tokens and character pairs for Chinese (Traditional read
as Simplified, with OpenCC's t2s as the Rasa tokenizer does), lower-cased English words stemmed
(Snowball), and neither language's function words."""

from __future__ import annotations

import itertools
import logging
import re
import threading
import unicodedata
from functools import cache, lru_cache
from typing import Any

import jieba
import opencc
import snowballstemmer

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_lock = threading.Lock()
# Snowball's English stemmer: "returns", "returned", "returning" all meet "return".
_STEMMER = snowballstemmer.stemmer("english")

# Words that say nothing about which article a question wants: asking (how, can, 请问, 怎么),
# pronouns, particles. Kept short: a word here can never match.
STOPWORDS_EN = frozenset(
    """a an the and or but if of to in on at for from by with about into as is are was were be
    been being am do does did doing done have has had i me my mine we us our you your yours he she
    it its they them their this that these those there here what which who whom whose when where
    why how can could would should will shall may might must please pls hi hello hey thanks thank
    so just any some much many also too very really get got let know tell want need like would
    im ive id whats dont doesnt cant isnt arent s t""".split()  # noqa: SIM905 (a list literal of 120 words reads worse)
)
STOPWORDS_ZH = frozenset(
    """的 了 吗 嘛 呢 吧 啊 呀 哦 哈 么 我 我们 你 你们 您 他 她 它 是 在 有 没 没有
    和 与 或 就 都 也 还 又 请 请问 问 问一下 一下 一个 个 这 这个 那 那个 怎么 怎么样
    怎样 怎麼 什么 什麼 啥 嗎 能 能不能 可以 可不可以 会 会不会 要 想 想要 知道 告诉 说
    下 多少 几 哪 哪里 哪些 如何 麻烦 谢谢 你好 您好 好 一 上 给 让 把 被 对 从 到 着
    过 得 地 为 为什么 咋 咱 俺 ？ ?""".split()  # noqa: SIM905
)


def _init_jieba() -> None:
    # Jieba logs its dictionary loading to stderr at DEBUG; load it once, quietly.
    with _lock:
        if not getattr(jieba.dt, "initialized", False):
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()


@cache
def _t2s() -> Any:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` with Traditional Chinese in Simplified (退貨 → 退货): articles and questions meet
    whichever script either is written in."""
    if not has_chinese(text):
        return text
    converted: str = _t2s().convert(text)
    return converted


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """Jieba's words of `text`, already _normal."""
    _init_jieba()
    out: list[str] = []
    for piece in jieba.lcut_for_search(text):
        piece = piece.strip()
        if not piece:
            continue
        if _CJK.search(piece):
            if piece not in STOPWORDS_ZH:
                out.append(piece)
            continue
        for word in _ASCII_WORD.findall(piece):
            if word not in STOPWORDS_EN:
                stem = _STEMMER.stemWord(word)
                if stem not in STOPWORDS_EN:
                    out.append(stem)
    return tuple(out)


def _normal(text: str) -> str:
    return simplified(unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("’", ""))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    text = _normal(text)
    out = list(_words(text))
    # Character pairs too: where Jieba cuts a question and an article differently (能到账 /
    # 到账), the pairs still meet. A common remedy in Chinese retrieval; it helped on DEV.
    for run in _CJK_RUN.findall(text):
        out += [a + b for a, b in itertools.pairwise(run) if a + b not in STOPWORDS_ZH]
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The words of `text` that retrieval compares, in order (repeats kept: BM25 counts them)."""
    return list(_tokens(text[:2_000]))


def words(text: str) -> list[str]:
    """The words of `text` alone, without the character pairs: what a question asks about."""
    return list(_words(_normal(text[:2_000])))


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None
