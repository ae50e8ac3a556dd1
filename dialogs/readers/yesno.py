"""Yes or no, the way people answer: 是的 / 对 / 有 / 好的 / 嗯 / 已经冻结了 / 报了 versus
没有 / 不是 / 还没 / 没报 / 否, and 不知道 for "don't know".

How it reads: the message is cut into the longest known words, left to right, so 没有 is one
negative word and never "没" + the positive "有", 不对 is never "对", 没错 is a yes. Each word
is positive, negative or unknown, strong or weak:
- any "don't know" word (不知道, 不清楚, 忘了, 有没有…) → None;
- strong words decide; strong words of both signs (已经冻结了，但支付宝还没) → None;
- weak words (嗯, 好, 哦, a bare verb + 了 such as 冻结了) only decide when no strong word does:
  嗯，还没 → False.
Only the first MAX_CHARS characters are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Literal

from dialogs.readers._text import prepare

_UNKNOWN = (
    "不知道", "不晓得", "不清楚", "不太清楚", "不是很清楚", "不大清楚", "不确定", "不太确定",
    "不记得", "不太记得", "记不清", "记不得", "忘了", "忘记了", "说不准", "说不好", "不好说",
    "不一定", "也许", "或许", "可能吧", "大概吧", "有没有", "是不是", "对不对", "要不要",
    "不懂", "啥意思", "什么意思", "没明白", "不明白", "没懂", "还不知道", "不知",
)  # fmt: skip
_STRONG_YES = (
    "是的", "是啊", "是呀", "是滴", "是", "对的", "对啊", "对呀", "对", "没错", "没问题", "不错",
    "有的", "有啊", "有", "好的", "可以", "行", "确定", "确认", "当然", "肯定", "已经", "已",
    "弄好了", "办好了", "办了", "做了", "报了", "报警了", "打了", "冻结了", "冻了", "挂失了",
    "挂了", "锁了", "关了", "改了", "都有", "全都", "都是", "嗯嗯对",
)  # fmt: skip
_STRONG_NO = (
    "还没有", "还没", "没有", "并没有", "没", "尚未", "未", "暂未", "不是", "不对", "不用",
    "不要", "不需要", "不行", "不会", "不能", "否", "无", "都没", "一个都没", "没来得及", "不",
    "还是没有", "还是没", "还是不", "是没有", "都没有", "一个都没有", "全都没有", "什么都没有",
    "啥都没有", "确实没有", "确实没", "真没有", "真没", "真的没有",
    "真的没",
)  # fmt: skip
_WEAK_YES = ("嗯", "恩", "嗯嗯", "好", "哦", "噢", "ok", "okay", "yes", "yeah", "yep", "y",
             "sure", "true", "👍", "✅", "⭕", "☑", "✔")  # fmt: skip
_WEAK_NO = ("no", "nope", "n", "not", "false", "❌", "✖", "👎", "✗")

_WORDS: dict[str, tuple[int, bool]] = {}  # word → (sign, strong); sign 0 = don't know
for _w in _UNKNOWN:
    _WORDS[_w] = (0, True)
for _w in _STRONG_YES:
    _WORDS.setdefault(_w, (1, True))
for _w in _STRONG_NO:
    _WORDS.setdefault(_w, (-1, True))
for _w in _WEAK_YES:
    _WORDS.setdefault(_w, (1, False))
for _w in _WEAK_NO:
    _WORDS.setdefault(_w, (-1, False))

_LATIN = re.compile(r"[a-z]+")
_CJK_WORDS = sorted((w for w in _WORDS if not _LATIN.fullmatch(w)), key=len, reverse=True)
# Longest first, so the alternation takes 没有 before 没 and 不是 before 不. A verb + 了 that
# no word covers (冻结了, 挂失了, 报案了) is a weak yes.
_SCAN = re.compile(
    "|".join(re.escape(w) for w in _CJK_WORDS)
    + r"|(?P<latin>[a-z]+)|(?P<done>[\u4e00-\u9fff]了)"
)
_NOT_DONE = frozenset("没算完除为忘罢")  # 没了/算了/完了/除了/为了/忘了: not "done"


UNSURE: Final = "unsure"
Reading = bool | Literal["unsure"] | None  # yes, no, don't know, not understood


def read_bool(text: str) -> bool | None:
    """True for yes, False for no, None for don't know or not understood."""
    answer = read_answer(text)
    return answer if isinstance(answer, bool) else None


_UNSURE_EN = re.compile(r"\b(?:not sure|don['’]?t know|do not know|no idea|not certain|unsure|idk|dunno)\b")


def read_answer(text: str) -> Reading:
    """As read_bool, but a "don't know" (不知道, 不确定…) is UNSURE; None is not understood."""
    t = prepare(text).lower()
    if not t:
        return None
    if _UNSURE_EN.search(t):  # several words, which the scan below reads one by one ("not" = no)
        return UNSURE
    strong: set[int] = set()
    weak: set[int] = set()
    for m in _SCAN.finditer(t):
        word = m.group(0)
        if m.group("latin") is not None:
            found = _WORDS.get(word)
            if found is None:
                continue
            sign, is_strong = found
        elif m.group("done") is not None:
            if word[0] in _NOT_DONE:
                continue
            sign, is_strong = 1, False
        else:
            sign, is_strong = _WORDS[word]
        if sign == 0:
            return UNSURE
        (strong if is_strong else weak).add(sign)
    decided = strong or weak
    if len(decided) != 1:
        return None
    return next(iter(decided)) == 1


def _phrases(*rules: tuple[str, bool]) -> Callable[[str], Reading]:
    """A reader for a question people answer with what happened rather than with yes or no:
    a "don't know" first, then the first rule whose phrases the answer holds, else as
    read_answer reads it."""
    compiled = [(re.compile(phrases), value) for phrases, value in rules]

    def read(text: str) -> Reading:
        answer = read_answer(text)
        if answer == UNSURE:
            return answer
        t = prepare(text).lower()
        return next((value for pattern, value in compiled if pattern.search(t)), answer)

    return read


# "Is money still leaving?": 还在扣钱, 又扣了一笔 hold no yes word, and 停了 reads as a done-yes
# (冻结了).
read_still_going_on = _phrases(
    (r"没停|没有停|未停|不停|停不", True),
    (r"停|不再|没再|没有再|不会再|不扣了|没扣了|不在扣|没在扣|不转了|没转了", False),
    (r"还在|正在|在扣|在转|又扣|又转|又被|又有|继续|一直|还扣|还转|还被|还有扣", True),
)
# "Have you reported it to the police?": 报警了，但是没给回执 holds both signs, and 准备去报案,
# 正在去派出所, 明天去 none; what was done comes before what is only meant.
read_reported = _phrases(
    (r"报了|报警了|报案了|已报|已经报|报的|报完|报过|立案|回执|笔录|警察来|民警来|打了110|打过110", True),
    (r"准备|打算|正要|正在去|要去|等会|待会|一会|明天|马上去|过会|还没去|没去|没来得及", False),
)
# "Is the period one year from the purchase?": 不是，是从4月1号开始的 and 不是一年，是半年 hold
# a 是 after the 不是 they open with.
read_period_default = _phrases((r"^(?:不是|不对|并不|没有)", False))
# "Is it frozen yet?": 正在打电话 and 支付宝冻结了，银行卡还没 (both signs) are "not yet", and
# the steps to freeze are what such a victim needs next. 昨晚九点半冻结的 says when, not 了.
read_frozen = _phrases(
    (r"正在|在打|打着|排队|等客服|还在办|办理中|打不通", False),
    (r"(?:还没|没有|没|未)有?(?:冻|挂|锁|办)|还没(?:[，。,.!！\s]|$)", False),
    (r"(?:冻结|挂失|冻上|锁定|锁上)的(?!话)", True),
)
