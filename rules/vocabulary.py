"""The closed vocabularies of case-format.md, with the Chinese label a victim reads for each."""

from __future__ import annotations

from enum import StrEnum


class Account(StrEnum):
    passbook = "passbook"
    debit_card = "debit_card"
    credit_card = "credit_card"
    supplementary_card = "supplementary_card"
    online_banking = "online_banking"
    third_party_payment = "third_party_payment"
    other = "other"


class Kind(StrEnum):
    payment = "payment"
    transfer = "transfer"
    cash_withdrawal = "cash_withdrawal"
    credit_purchase = "credit_purchase"
    loan = "loan"
    gift_card = "gift_card"
    auto_debit = "auto_debit"
    fee = "fee"
    interest = "interest"
    nav_change = "nav_change"
    other_feature = "other_feature"


class Cause(StrEnum):
    card_stolen_or_lost = "card_stolen_or_lost"
    card_skimmed = "card_skimmed"
    account_hacked = "account_hacked"
    malware = "malware"
    atm_or_counter_theft = "atm_or_counter_theft"
    coerced_on_site = "coerced_on_site"
    coerced_remote = "coerced_remote"
    phishing_link = "phishing_link"
    scam_transfer = "scam_transfer"
    voluntary_disclosure = "voluntary_disclosure"
    account_lent = "account_lent"
    family_member = "family_member"
    domestic_worker = "domestic_worker"
    co_resident = "co_resident"
    administrative_or_judicial = "administrative_or_judicial"
    system_error = "system_error"
    card_in_transit = "card_in_transit"
    war_or_unrest = "war_or_unrest"
    natural_disaster = "natural_disaster"
    unknown = "unknown"


class Document(StrEnum):
    claim_form = "claim_form"
    policy = "policy"
    premium_invoice = "premium_invoice"
    transaction_records = "transaction_records"
    id_document = "id_document"
    loss_report_proof = "loss_report_proof"
    police_report = "police_report"
    rights_transfer = "rights_transfer"
    login_records = "login_records"
    service_records = "service_records"
    other_evidence = "other_evidence"


class Status(StrEnum):
    covered = "covered"
    excluded = "excluded"
    needs_review = "needs_review"


ACCOUNT_LABELS: dict[Account, str] = {
    Account.passbook: "存折",
    Account.debit_card: "借记卡（储蓄卡）",
    Account.credit_card: "信用卡主卡",
    Account.supplementary_card: "信用卡附属卡",
    Account.online_banking: "网银账户",
    Account.third_party_payment: "第三方支付账户（支付宝、微信钱包、京东支付等）",
    Account.other: "其他账户",
}

KIND_LABELS: dict[Kind, str] = {
    Kind.payment: "消费/支付",
    Kind.transfer: "转账",
    Kind.cash_withdrawal: "取现",
    Kind.credit_purchase: "花呗/白条消费",
    Kind.loan: "以本人名义借款（网商贷、金条等）",
    Kind.gift_card: "礼品卡/E卡/优惠券",
    Kind.auto_debit: "代扣协议自动扣款",
    Kind.fee: "手续费",
    Kind.interest: "利息/滞纳金",
    Kind.nav_change: "理财净值变化",
    Kind.other_feature: "账户其他附加功能",
}

CAUSE_LABELS: dict[Cause, str] = {
    Cause.card_stolen_or_lost: "卡或手机丢失/被偷后被他人使用",
    Cause.card_skimmed: "卡被复制（伪卡）盗刷",
    Cause.account_hacked: "账户被他人盗用（盗号）",
    Cause.malware: "手机或电脑中了木马",
    Cause.atm_or_counter_theft: "他人在ATM或银行柜台取走/转走",
    Cause.coerced_on_site: "被抢劫、绑架等当面胁迫",
    Cause.coerced_remote: "被电话或网络威胁",
    Cause.phishing_link: "点了假网站链接并输入了信息",
    Cause.scam_transfer: "被骗自己转账（诈骗）",
    Cause.voluntary_disclosure: "把密码或验证码告诉了别人（未被胁迫）",
    Cause.account_lent: "账户借给别人使用期间",
    Cause.family_member: "被家人拿去用",
    Cause.domestic_worker: "被保姆等家政人员拿去用",
    Cause.co_resident: "被同住的人拿去用",
    Cause.administrative_or_judicial: "被行政或司法机关扣划/冻结",
    Cause.system_error: "系统故障、输入错误或ATM故障",
    Cause.card_in_transit: "卡在银行、制卡商或邮寄途中丢失",
    Cause.war_or_unrest: "战争、骚乱等",
    Cause.natural_disaster: "火灾、地震、洪水等灾害中被盗抢",
    Cause.unknown: "还不清楚",
}

DOCUMENT_LABELS: dict[Document, str] = {
    Document.claim_form: "索赔申请书",
    Document.policy: "保险单正本",
    Document.premium_invoice: "保险费发票",
    Document.transaction_records: "被盗交易记录（流水）",
    Document.id_document: "有效身份证明",
    Document.loss_report_proof: "挂失/冻结时间证明",
    Document.police_report: "公安机关报案回执或立案、未破案证明",
    Document.rights_transfer: "权益转让书",
    Document.login_records: "账户异常登录记录",
    Document.service_records: "与客服的沟通记录",
    Document.other_evidence: "其他证明材料",
}

STATUS_LABELS: dict[Status, str] = {
    Status.covered: "可赔",
    Status.excluded: "不赔",
    Status.needs_review: "需人工审核",
}
