"""Anti-scam: signs that the victim is being defrauded right now, to interrupt the dialog.

`scam_signals(text)` returns stable ids, in the order of `SCAM_SIGNALS`. Recall is preferred on
the clear scam phrases (安全账户, 屏幕共享, 客服让我转账 …): a false alarm costs one warning, a
missed one can cost the rest of the victim's money. The guard against false alarms is narrow:
a victim describing their own safe actions (我想报警, 验证码我没给别人, 我下载了银行app) does
not trigger, because the pattern needs someone else asking, or a negation (没/不/别 …) stands
right before the verb.
Only the first MAX_CHARS characters are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.readers._text import prepare


@dataclass(frozen=True, slots=True)
class ScamSignal:
    id: str
    label: str  # what the dialog can name in its warning
    patterns: tuple[re.Pattern[str], ...]


def _p(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


# Someone other than the victim: the usual subjects of a scam call.
_WHO = (
    r"(?:客服|对方|那人|那个人|他们|他|她|骗子|陌生人|工作人员|专员|警察|警官|民警|公安|银行的人|"
    r"平台|老师|导师|网友|朋友|自称|有人|有个人|一个人|电话里|来电|打电话|短信)"
)
_ASK = r"(?P<a>让|要|叫|要求|说要|说让|让我|教我|指导我?|逼我|催我|骗我)"
_NEG = re.compile(r"(?:没有?|未|不|别|勿|莫|不要|不能|不会|从没|从来没|并没|千万别|千万不要)\s*$")

SCAM_SIGNALS: tuple[ScamSignal, ...] = (
    ScamSignal(
        "safe_account",
        "把钱转到“安全账户”",
        _p(r"安全账户|安全帐户|安全账号|安全帐号|资金清查账户|核查账户|监管账户|保证金账户"),
    ),
    ScamSignal(
        "screen_share",
        "屏幕共享或视频会议",
        _p(
            r"屏幕共享|共享屏幕|分享屏幕|屏幕分享|共享桌面|开(?:个|一个)?(?:视频)?会议|进(?:入)?会议|"
            r"加入会议|会议号|腾讯会议|zoom|钉钉会议|飞书会议|视频会议",
        ),
    ),
    ScamSignal(
        "remote_control",
        "远程控制软件",
        _p(r"远程控制|远程协助|向日葵|todesk|anydesk|teamviewer|quicksupport"),
    ),
    ScamSignal(
        "transfer_instructed",
        "“客服”或“警察”让你转账",
        _p(
            _WHO + r".{0,12}?" + _ASK + r".{0,8}?"
            r"(?P<v>转账|转钱|打钱|汇款|转到|转入|转给|充值|刷流水|走流水|转出去|借钱|贷款)",
            r"(?:客服|警察|公安|工作人员|专员)(?:说|讲).{0,6}(?P<v>转账|打钱|汇款)",
        ),
    ),
    ScamSignal(
        "code_requested",
        "有人向你索要验证码",
        _p(
            _WHO + r".{0,8}?(?P<v>问我要|向我要|找我要|问|要|索要|套|让我报|让我说|让我念|让我发|"
            r"让我提供|让我告诉)(?:我)?(?:的)?.{0,4}?(?:验证码|校验码|动态码|短信码|动态密码)",
            r"(?:验证码|校验码|动态码|短信码)(?:我)?.{0,4}?(?P<v>告诉|给|发给|报给|念给|说给|提供给)"
            r"(?:了)?(?:他|她|对方|客服|别人|那人|骗子|他们)",
            r"(?:把|将)(?:验证码|校验码|动态码|短信码).{0,4}?(?P<v>告诉|给|发给|报给|念给|说给)",
        ),
    ),
    ScamSignal(
        "cancel_loan",
        "“注销校园贷/贷款账户”，“否则影响征信”",
        _p(
            r"注销.{0,6}(?:校园贷|学生贷|网贷|贷款|金条|借呗|白条|微粒贷|花呗|账户|账号|会员)",
            r"校园贷.{0,8}注销|(?:影响|消除|修复|清除|污点).{0,3}征信|征信.{0,4}(?:受影响|有问题|黑名单|污点|修复)",
            r"关闭.{0,4}(?:百万保障|自动扣费|会员扣费)|取消.{0,4}(?:百万保障|会员自动扣费|自动续费)",
        ),
    ),
    ScamSignal(
        "brushing",
        "刷单、做任务返利",
        _p(
            r"刷单|刷信誉|刷好评|刷流水|(?:做|接)任务.{0,8}(?:返利|返佣|返现|佣金)|点赞.{0,6}(?:返佣|佣金|赚钱)|"
            r"垫付.{0,8}(?:返还|返利|返佣|佣金)",
        ),
    ),
    ScamSignal(
        "fake_authority",
        "自称公检法：涉嫌洗钱、通缉、配合调查",
        _p(
            r"冒充.{0,4}(?:公检法|警察|公安|检察|法院|民警)|涉嫌洗钱|洗钱案|(?:被|要被|发)?通缉|逮捕令|拘捕令|"
            r"资产冻结令|冻结令|配合调查.{0,10}(?:转账|资金|账户)|清查资金|资金核查|涉嫌.{0,6}(?:犯罪|案件|诈骗案)"
            r"|(?:自称|说是).{0,4}(?:公安局|检察院|法院|警察|民警)",
        ),
    ),
    ScamSignal(
        "refund_call",
        "“客服”来电退款或理赔",
        _p(
            r"(?:来电|打来电话|打电话给我|给我打电话|打电话说|联系我|加我|自称).{0,12}?"
            r"(?:退款|退钱|理赔|赔偿|赔付|双倍赔|质量问题|快递丢|快递丢失|包裹丢)",
            r"(?:退款|理赔|赔偿|赔付|双倍赔).{0,10}?(?:客服|专员).{0,6}?(?:来电|打电话|打来|联系我|加我)",
            r"(?:淘宝|京东|拼多多|抖音|快递|物流|商家)客服.{0,10}?(?:退款|理赔|赔偿|赔付)",
        ),
    ),
    ScamSignal(
        "app_download",
        "对方让你下载某个App",
        _p(
            _WHO + r".{0,10}?" + _ASK + r".{0,6}?(?P<v>下载|下个|装|安装|扫码下载)",
            r"(?:发来|给我|发了).{0,6}?(?:下载链接|安装包|apk)|扫码下载",
        ),
    ),
)

SCAM_SIGNAL_LABELS: dict[str, str] = {s.id: s.label for s in SCAM_SIGNALS}


def _negated(text: str, m: re.Match[str]) -> bool:
    """A negation right before the asking verb or the action: 客服没让我转账, 验证码我没给别人."""
    for group in ("a", "v"):
        if group in m.re.groupindex and m.start(group) >= 0:
            at = m.start(group)
            if _NEG.search(text, max(0, at - 6), at):
                return True
    return False


# Every pattern in one: most answers ("5万", "没有", "昨晚九点") match none, and one search
# says so at a fraction of the cost of trying the patterns one by one.
_ANY = re.compile(
    "|".join(
        "(?:" + re.sub(r"\(\?P<\w+>", "(?:", pattern.pattern) + ")"
        for signal in SCAM_SIGNALS
        for pattern in signal.patterns
    ),
    re.I,
)


def scam_signals(text: str) -> list[str]:
    """Ids of the scam signs in `text`, in catalogue order; [] when none."""
    t = prepare(text)
    if _ANY.search(t) is None:
        return []
    found: list[str] = []
    for signal in SCAM_SIGNALS:
        for pattern in signal.patterns:
            if any(not _negated(t, m) for m in pattern.finditer(t)):
                found.append(signal.id)
                break
    return found
