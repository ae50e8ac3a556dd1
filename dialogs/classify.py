"""What happened, from the victim's own story: the cause, the account, the kind, the institution.

`classify_cause` proposes a cause for the dialog to confirm with a button; it never decides on
its own. Rules are tried in this priority order, the first that matches wins:

 1. coerced_on_site (physical: 绑架, 抢劫, 拿刀, 非法拘禁 …) — beats everything, because a
    victim who clicked a link or told a password while coerced on site is recorded as coerced
    (the exception written into 第五条(十一); case-format.md, Causes).
 2. coerced_remote (威胁/逼 by 电话, 网上, 微信 …) — a threat from afar is not 胁迫 (释义).
 3. scam_transfer, specific (客服/警察 让我转账, 安全账户, 刷单, 投资被骗, 冒充公检法 …).
 4. coerced_on_site, generic (被逼, 被迫, 胁迫 with no remote channel named).
 5. administrative_or_judicial (法院冻结, 扣划, 强制执行).
 6. phishing_link (点了链接, 假网站, 钓鱼).
 7. voluntary_disclosure (把验证码告诉了…, 给了别人密码).
 8. scam_transfer, generic (被骗, 诈骗, 上当).
 9. account_lent · 10. family_member · 11. domestic_worker · 12. co_resident — the excluding
    causes of 第五条 come before the covering ones, which are the fallback stories.
13. malware · 14. card_in_transit · 15. system_error · 16. natural_disaster · 17. war_or_unrest
18. card_skimmed (卡在身上却被刷, 伪卡) · 19. atm_or_counter_theft · 20. card_stolen_or_lost
21. account_hacked (盗号, 异地登录, 不是我操作).

A rule does not fire when a negation stands right before its verb or subject (我没点链接,
验证码我没给别人, 不是我儿子用的). The generic "被盗刷" names no cause: None, and the dialog asks.
Only the first MAX_CHARS characters are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.hotlines import find_institutions
from dialogs.readers._text import prepare
from dialogs.readers.choices import matches
from dialogs.readers.synonyms import account_options, kind_options
from rules.vocabulary import Account, Cause, Kind


@dataclass(frozen=True, slots=True)
class _Rule:
    cause: Cause
    patterns: tuple[re.Pattern[str], ...]


def _rule(cause: Cause, *patterns: str) -> _Rule:
    return _Rule(cause, tuple(re.compile(p, re.I) for p in patterns))


_NEG = re.compile(
    r"(?:没有?|未|不(?:是|要|能|会|可以|得)?|别|切勿|并非|并没有?|从没有?|从来没有?|不曾|绝对没有?)"
    r"(?:我的?|我们|被|人|任何人)?\s*$"
)
_OTHERS = (
    r"(?:客服|骗子|对方|那人|他们|他|她|警察|公安|民警|工作人员|专员|老师|导师|网友|"
    r"自称.{0,6}?的人|有人)"
)
_SECRETS = r"(?:验证码|校验码|动态码|短信码|动态密码|支付密码|密码|卡号|cvv|安全码)"
_FAMILY = (
    r"(?:儿子|女儿|孩子|小孩|老公|老婆|丈夫|妻子|爱人|父母|爸爸|妈妈|我爸|我妈|老爸|老妈|父亲|母亲|"
    r"家里人|家人|弟弟|妹妹|哥哥|姐姐|孙子|孙女|外孙|外孙女|侄子|外甥|公公|婆婆|岳父|岳母|媳妇|女婿)"
)

RULES: tuple[_Rule, ...] = (
    _rule(
        Cause.coerced_on_site,
        r"(?P<v>绑架|绑匪|抢劫|打劫|劫匪|劫持|持刀|拿刀|拿着刀|用刀|刀架|持枪|拿枪|非法拘禁|拘禁|囚禁|"
        r"被关押|关在|押着|殴打|被打|人身控制|当面威胁|当面逼)",
        r"(?<!远程)(?<!手机)(?<!电脑)(?<!账号)(?<!账户)被(?:人)?(?P<v>控制)(?!.{0,3}(?:手机|电脑))",
    ),
    _rule(
        Cause.coerced_remote,
        r"(?:电话|网上|网络|微信|qq|视频|短信|语音|私信|网络上|线上)(?:里|上|中|上面)?.{0,8}?"
        r"(?P<v>威胁|恐吓|勒索|敲诈|逼)",
        r"(?P<v>威胁|恐吓)(?:我)?.{0,8}?(?:曝光|公开|发给我家人|散布|发到网上)|裸聊|(?P<v2>被勒索|被敲诈|敲诈勒索)",
    ),
    _rule(
        Cause.scam_transfer,
        _OTHERS + r".{0,12}?(?P<v>让|叫|要|要求|指导|教|骗|诱导|忽悠)(?:我)?.{0,10}?"
        r"(?:转账|转钱|打钱|汇款|转到|转入|转给|充值|付款|交钱|缴纳|转了|贷款|借钱)",
        r"骗我(?:转|汇|打钱|充值|付)|安全账户|安全帐户|刷单|杀猪盘|投资.{0,8}?(?:被骗|骗局|诈骗|跑路)|"
        r"(?:理财|炒股|炒币|博彩|赌博)(?:平台|群|app).{0,8}?(?:被骗|骗|提不出|跑路)|"
        r"冒充.{0,6}?(?:客服|公检法|警察|公安|法院|领导|熟人|亲戚|老板|老师)|涉嫌洗钱|"
        r"网恋.{0,10}?(?:转账|骗)",
    ),
    _rule(
        Cause.coerced_on_site,
        r"(?P<v>被逼|逼我|逼着我?|被迫|被胁迫|胁迫|威逼|强迫|逼问)",
    ),
    _rule(
        Cause.administrative_or_judicial,
        r"(?:法院|司法|执行局|公安机关|税务局|检察院|海关|监察委).{0,6}?(?P<v>冻结|扣划|划扣|扣款|执行|查封|划走|扣走)",
        r"强制执行|被执行人|(?P<v>司法冻结|司法扣划|行政冻结|行政扣划|被扣划|被划扣)",
    ),
    _rule(
        Cause.phishing_link,
        r"(?P<v>点|点开|点击|打开|进入|进了|登录|登陆|访问|扫|扫了|填)(?:了)?.{0,12}?"
        r"(?:链接|网址|网站|网页|二维码|页面)",
        r"钓鱼|(?:假|仿冒|山寨|冒牌|虚假)(?:的)?(?:网站|网页|链接|页面|app|网址|短信)|"
        r"(?:短信|邮件|微信)(?:里|中|上)?的?(?:链接|网址)",
    ),
    _rule(
        Cause.voluntary_disclosure,
        # 说了/念了 only after 我: 他说了验证码不能给别人 is a warning, 让我说了验证码 is not.
        r"(?P<v>告诉|给了|发给|报给|说给|念给|告知|透露|提供给|泄露给|报了|(?<=我)(?:说了|说出|念了|读了))"
        r"(?:了)?(?:给)?"
        r".{0,6}?" + _SECRETS,
        _SECRETS + r"(?:我)?.{0,6}?"
        r"(?P<v>告诉|给了|发给|报给|说给|念给|告知|透露|提供|泄露|报)(?:了|给)",
        _SECRETS + r"(?:我)?.{0,2}?(?P<v>给|告诉)(?:了)?"
        r"(?:他|她|对方|别人|客服|那人|骗子|他们|朋友)",
    ),
    _rule(Cause.scam_transfer, r"(?P<v>被骗|受骗|上当|诈骗|骗了|骗走|电诈)"),
    _rule(
        Cause.account_lent,
        r"(?:卡|账户|账号|帐户|帐号|支付宝|微信|手机|银行卡|信用卡|储蓄卡).{0,6}?"
        r"(?P<v>借给|借出|租给|出借|出租|卖给|转借|给朋友用|给别人用)",
        r"(?P<v>借给|租给|出借|出租)(?:了)?.{0,6}?(?:用|使用)|"
        r"(?:朋友|同事|同学|别人|他|她)(?P<v2>借|借用|用)(?:了)?我的(?:卡|账户|账号|支付宝|微信|手机|银行卡)",
    ),
    _rule(
        Cause.family_member,
        r"(?P<s>" + _FAMILY + r").{0,10}?"
        r"(?P<v>用了|拿了|偷偷|偷用|偷拿|偷刷|刷了|花了|充值|充了|转走|"
        r"转了|买了|打赏|玩游戏|盗用|拿去|偷了|拿走|借用|用我的|冒用|花光)",
    ),
    _rule(
        Cause.domestic_worker,
        r"(?P<v>保姆|钟点工|家政|护工|月嫂|育儿嫂|保洁阿姨|家里的阿姨|住家阿姨|佣人|帮佣)",
    ),
    _rule(
        Cause.co_resident,
        r"(?P<v>室友|舍友|合租|同住|同屋|同宿舍|租客|房客|一起住|住在一起|同居)",
    ),
    _rule(
        Cause.malware,
        r"(?P<v>木马|病毒|中毒|恶意软件|恶意程序|恶意app|远程控制|被植入|盗号软件|向日葵|todesk|anydesk|"
        r"teamviewer)|(?:手机|电脑)被(?:人)?(?:远程)?控制",
    ),
    _rule(
        Cause.card_in_transit,
        r"(?:邮寄|寄送|快递|寄卡|制卡|寄出).{0,8}?(?P<v>丢|丢失|没收到|被冒领|冒领|被签收|被人签收)|"
        r"新卡.{0,8}?(?P<v2>没收到|被冒领|被激活|丢了|寄丢)|寄丢",
    ),
    _rule(
        Cause.system_error,
        r"系统(?:故障|错误|bug|出错|问题)|(?:atm|取款机)(?:机)?(?:故障|吞卡|出错|没出钞|少吐钞|吐钞)|"
        r"(?P<v>转错|输错|填错)|重复扣款|多扣(?:了)?(?:钱|款)|扣了两次|误操作|操作失误",
    ),
    _rule(Cause.natural_disaster, r"火灾|地震|洪水|台风|泥石流|水灾|海啸|着火"),
    _rule(Cause.war_or_unrest, r"战争|暴乱|骚乱|暴动|恐怖袭击|战乱"),
    _rule(
        Cause.card_skimmed,
        r"伪卡|克隆卡|复制(?:了)?(?:我的)?(?:卡|银行卡|信用卡)|卡.{0,2}被复制|侧录|盗录|读卡器",
        r"卡(?:片)?(?:一直|还|都|就|明明|始终)?在(?:我)?(?:自己)?(?:身上|手上|手里|钱包里|包里|家里|身边)",
        r"卡(?:并)?(?:没有?|未)(?:丢|离身|丢失)|(?:没|没有)丢(?:过)?卡|卡没离身",
    ),
    _rule(
        Cause.atm_or_counter_theft,
        r"(?:atm|取款机|自动柜员机|柜台|柜面|网点|营业厅)(?:机)?(?:上|里|前)?.{0,10}?"
        r"(?P<v>取走|取了|取出|取款|取现|转走|冒领|冒名)",
        r"(?:被人|别人|有人|他人).{0,6}?(?:在)?(?:atm|柜台|取款机|银行网点).{0,8}?(?P<v>取|转|冒领)",
    ),
    _rule(
        Cause.card_stolen_or_lost,
        r"(?:手机|卡|银行卡|信用卡|储蓄卡|钱包|包|身份证|手机和卡)(?:被|给)?(?:人|小偷)?.{0,3}?"
        r"(?P<v>偷了|偷走|被偷|偷|盗(?![刷用号])|丢了|丢失|丢|掉了|弄丢|不见了|遗失|被扒|扒走|抢走|被抢|落在)",
        r"(?P<v>丢了|丢失了|弄丢了|掉了|被偷了|遗失了|被偷走了|被扒了)(?:我的)?.{0,2}?"
        r"(?:手机|卡|银行卡|信用卡|钱包|包)|(?P<v2>小偷|扒手)",
        # 被偷了 on its own is a theft of a thing; 钱被偷偷转走 / 余额被偷 is not.
        r"(?<![钱款额])(?P<v>被(?:人)?偷(?!偷|刷|用|转|走了?\d))",
    ),
    _rule(
        Cause.account_hacked,
        r"盗号|号被盗|(?:账号|账户|帐号|帐户|支付宝|微信|qq)(?:被)?(?:人)?(?:盗了|盗用|冒用|被盗(?!刷)|"
        r"登录|登陆)|被(?:人|他人|别人)?(?:登录|登陆)|异地登录|异地登陆|陌生设备|新设备登录",
        r"(?:不是|非)(?:我|本人)(?:本人)?(?:操作|登录|登陆|授权|消费|转的|刷的|买的|弄的)|"
        r"我(?:没|没有|并没有|从来没有?|从没)(?:操作|登录|登陆|授权|转账|消费|买)|"
        r"莫名其妙(?:被)?(?:转|扣|刷|少)|密码被(?:人)?(?:改|修改|重置)|改了我的密码",
    ),
)


def _negated(text: str, m: re.Match[str]) -> bool:
    for group in ("s", "v", "v2"):
        if group in m.re.groupindex and m.start(group) >= 0:
            at = m.start(group)
            if _NEG.search(text, max(0, at - 8), at):
                return True
    return False


def _fires(rule: _Rule, text: str) -> bool:
    return any(
        not _negated(text, m) for pattern in rule.patterns for m in pattern.finditer(text)
    )


def cause_candidates(text: str) -> list[Cause]:
    """Every cause the story points to, most decisive first (the order of RULES)."""
    t = prepare(text)
    found: list[Cause] = []
    for rule in RULES:
        if rule.cause not in found and _fires(rule, t):
            found.append(rule.cause)
    return found


def classify_cause(text: str) -> Cause | None:
    """The most decisive cause the story points to, or None (then ask with buttons)."""
    t = prepare(text)
    for rule in RULES:
        if _fires(rule, t):
            return rule.cause
    return None


_ACCOUNT_OPTIONS = account_options()
_KIND_OPTIONS = kind_options()


def classify_account(text: str) -> Account | None:
    """The account type the text names, if exactly one (支付宝 → third_party_payment)."""
    found = matches(text, _ACCOUNT_OPTIONS)
    return Account(_ACCOUNT_OPTIONS[found[0]].id) if len(found) == 1 else None


def classify_kind(text: str) -> Kind | None:
    """The transaction kind the text names, if exactly one (转走 → transfer)."""
    found = matches(text, _KIND_OPTIONS)
    return Kind(_KIND_OPTIONS[found[0]].id) if len(found) == 1 else None


def find_institution(text: str) -> str | None:
    """The canonical name of the one institution the text names (招行 → 招商银行, 花呗 →
    支付宝); None for none or several (支付宝绑的招行卡: ask which to freeze first — see
    hotlines.find_institutions for all of them)."""
    found = find_institutions(text)
    return found[0] if len(found) == 1 else None
