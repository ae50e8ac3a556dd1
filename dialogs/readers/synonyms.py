"""The words people use for each account type, transaction kind and document, as data.

The dialog builds its buttons from these (`account_options()`, `kind_options()`,
`document_options()`): each button's id is the enum value, its label the enum's Chinese label
from rules.vocabulary, and typing any synonym selects it. The classifier reads free text with
the same tables.
"""

from __future__ import annotations

from dialogs.readers.choices import Option
from rules.vocabulary import (
    ACCOUNT_LABELS,
    DOCUMENT_LABELS,
    KIND_LABELS,
    Account,
    Document,
    Kind,
)

ACCOUNT_SYNONYMS: dict[Account, tuple[str, ...]] = {
    Account.passbook: ("存折", "折子", "存单"),
    Account.debit_card: (
        "储蓄卡", "借记卡", "银行卡", "工资卡", "一类卡", "二类卡", "I类户", "II类户", "社保卡",
        "卡里的钱", "卡里的余额",
    ),
    Account.credit_card: ("信用卡", "贷记卡", "信用卡主卡", "主卡"),
    Account.supplementary_card: ("附属卡", "副卡", "信用卡附属卡", "信用卡副卡", "附卡"),
    Account.online_banking: (
        "网银", "网上银行", "手机银行", "网银账户", "电子银行", "银行app", "银行APP", "银行App",
        "银行客户端",
    ),
    Account.third_party_payment: (
        "支付宝", "余额宝", "花呗", "借呗", "微信", "微信钱包", "微信零钱", "零钱通", "财付通",
        "微信支付", "京东支付", "京东钱包", "京东金融", "京东账户", "京东账号", "白条", "金条",
        "云闪付", "抖音支付", "美团支付", "第三方支付", "第三方账户", "网商银行", "网商贷",
        "微粒贷",
    ),
    Account.other: ("其他", "其它", "别的", "都不是", "其他账户"),
}  # fmt: skip

KIND_SYNONYMS: dict[Kind, tuple[str, ...]] = {
    Kind.transfer: ("转账", "转走", "转出", "被转", "转了", "汇款", "转给", "转到", "提现到"),
    Kind.payment: (
        "消费", "支付", "买了", "刷了", "购买", "付款", "购物", "充值", "被刷", "刷卡",
        "扫码付", "网购", "买东西", "付了",
    ),
    Kind.cash_withdrawal: ("取现", "取钱", "取款", "取走", "提取现金", "ATM取", "提现金"),
    Kind.credit_purchase: ("花呗", "白条", "信用购", "月付", "先用后付"),
    Kind.loan: (
        "网商贷", "借呗", "金条", "贷款", "借款", "借了钱", "微粒贷", "备用金", "放心借",
        "被贷款", "贷了", "借钱",
    ),
    Kind.gift_card: (
        "E卡", "e卡", "礼品卡", "购物卡", "京东卡", "优惠券", "卡券", "充值卡", "游戏点卡",
    ),
    Kind.auto_debit: ("代扣", "自动扣款", "免密代扣", "自动续费", "扣款协议", "代扣协议"),
    Kind.fee: ("手续费", "服务费", "年费", "管理费"),
    Kind.interest: ("利息", "滞纳金", "违约金", "罚息"),
    Kind.nav_change: ("净值", "亏损", "亏了", "收益变少", "跌了"),
    Kind.other_feature: ("其他功能", "附加功能"),
}  # fmt: skip

# A kind synonym inside one of these longer words is not that kind: 支付 in 支付宝 is no
# payment; 刷 in 刷单 no card swipe.
KIND_BLOCKERS: dict[Kind, tuple[str, ...]] = {
    Kind.payment: ("支付宝", "微信支付", "京东支付", "支付密码", "第三方支付", "抖音支付",
                   "美团支付", "快捷支付", "免密支付", "刷单", "刷脸"),
    Kind.transfer: ("转账记录",),
}  # fmt: skip

# When both appear, the first kind is the one meant: a 花呗 purchase is credit_purchase, not
# payment; a loan drawn and then transferred away is the loan.
KIND_OUTRANKS: dict[Kind, tuple[Kind, ...]] = {
    Kind.credit_purchase: (Kind.payment,),
    Kind.loan: (Kind.payment, Kind.transfer, Kind.cash_withdrawal, Kind.credit_purchase),
    Kind.gift_card: (Kind.payment,),
    Kind.auto_debit: (Kind.payment,),
}

DOCUMENT_SYNONYMS: dict[Document, tuple[str, ...]] = {
    Document.claim_form: (
        "索赔申请", "理赔申请", "申请书", "索赔申请书", "理赔申请书", "挂失申请表", "索赔书",
        "申请表",
    ),
    Document.policy: ("保单", "保险单", "保险合同", "电子保单", "保单正本"),
    Document.premium_invoice: ("发票", "保费发票", "保险费发票", "缴费凭证", "付款凭证"),
    Document.transaction_records: (
        "流水", "交易记录", "账单", "交易明细", "银行流水", "对账单", "明细", "扣款记录",
        "转账记录", "交易流水",
    ),
    Document.id_document: ("身份证", "身份证明", "护照", "证件", "身份证复印件"),
    Document.loss_report_proof: (
        "挂失证明", "冻结证明", "挂失记录", "冻结记录", "挂失回执", "挂失凭证", "冻结截图",
        "挂失截图", "挂失时间证明",
    ),
    Document.police_report: (
        "报案回执", "报警回执", "受案回执", "立案回执", "立案证明", "未破案证明", "报案证明",
        "立案通知", "回执", "报案记录", "立案", "受案",
    ),
    Document.rights_transfer: ("权益转让书", "权益转让", "转让书"),
    Document.login_records: ("登录记录", "异常登录", "登录日志", "登陆记录", "登录设备"),
    Document.service_records: (
        "客服记录", "沟通记录", "聊天记录", "通话记录", "客服聊天", "客服沟通", "工单",
    ),
    Document.other_evidence: ("其他证明", "其他材料", "其它材料", "其他证据", "截图"),
}  # fmt: skip


def account_options() -> list[Option]:
    """One button per account type, in the order of case-format.md."""
    return [
        Option(a.value, ACCOUNT_LABELS[a], ACCOUNT_SYNONYMS.get(a, ())) for a in Account
    ]


def kind_options() -> list[Option]:
    """One button per transaction kind, in the order of case-format.md."""
    return [
        Option(
            k.value,
            KIND_LABELS[k],
            KIND_SYNONYMS.get(k, ()),
            KIND_BLOCKERS.get(k, ()),
            tuple(o.value for o in KIND_OUTRANKS.get(k, ())),
        )
        for k in Kind
    ]


def document_options() -> list[Option]:
    return [Option(d.value, DOCUMENT_LABELS[d], DOCUMENT_SYNONYMS.get(d, ())) for d in Document]
