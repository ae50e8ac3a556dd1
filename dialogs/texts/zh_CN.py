"""简体中文文案 — the first locale; every key exists here."""

TEXTS: dict[str, str] = {
    # triage
    "ask_what": (
        "您好，我是盗刷应急理赔助手。别着急，我一步一步帮您。\n"
        "请先用一句话说说发生了什么？例如：「我的支付宝被盗了」「信用卡昨晚被刷了五千」。"
    ),
    "ask_leaving": "现在钱还在继续被转走或被刷吗？",
    "urgent_leaving": (
        "⚠️ 钱还在被转走，请立刻止损：马上打电话挂失/冻结——{hotline_line}；"
        "或在App里冻结账户、关闭免密/快捷支付。先做这件事，其他的我们稍后再登记。"
    ),
    "urgent_leaving_unsure": (
        "⚠️ 不确定的话，请按钱还在被转走来处理：马上打电话挂失/冻结——{hotline_line}；"
        "或在App里冻结账户、关闭免密/快捷支付，再看一眼最新的扣款短信和交易记录。"
    ),
    "frozen_unsure": "不确定的话，我们先按还没冻结来处理，下面是挂失/冻结的步骤。",
    # safety
    "ask_frozen": "您的卡或账户已经挂失/冻结了吗？",
    "freeze_steps": (
        "请马上做这几件事，能把损失控制住：\n"
        "1. 打电话挂失/冻结：{hotline_line}\n"
        "2. 在App里关闭免密支付、快捷支付，解绑不认识的设备\n"
        "3. 修改登录密码和支付密码（用别人不知道的新密码）\n"
        "4. 把扣款短信、交易记录、聊天记录都截图保存，不要删除\n"
        "5. 报警：拨打110，或到就近派出所报案；涉及诈骗可拨打96110\n"
        "挂失时请记下准确的挂失时间（精确到分钟）和客服工号，这决定了保险能赔哪些交易。"
    ),
    "hotline_known": "{institution}客服电话 {number}",
    "hotline_unknown": "请拨打您卡片背面或App里「客服」页面上的官方电话",
    "ask_frozen_after_steps": "挂失/冻结办好了吗？办好了请点「已冻结」；暂时打不通也可以先继续登记。",
    "ask_frozen_at": (
        "挂失/冻结完成的准确时间是几点？（例如：今天21:40、昨晚九点四十、10月8日21:40）\n"
        "这个时间决定保障期，请尽量准确。"
    ),
    "not_frozen_continue": "好的，我们先继续登记。请尽快挂失，办好后告诉我准确时间（可以用「返回上一步」修改）。",
    "ask_police": "您报警了吗？",
    "police_advice": (
        "建议尽快报警：拨打110或到派出所报案，并索取报案回执；遇到诈骗可拨打96110。"
        "保险和银行理赔通常都要报案证明。"
    ),
    "ask_police_at": "报案大概是什么时候？（例如：今天上午10点、10月9日9:00）",
    # policy
    "ask_product": "您买的是哪一种保险或保障服务？不确定可以点「不知道」。",
    "product_unknown_ack": "没关系，之后由工作人员帮您查保单。我们先登记被盗的经过。",
    "ask_purchased_on": "这份保险是哪天买（投保）的？（例如：2023年3月1日）",
    "ask_period_default": "保险期间是不是从投保当天起一年？（保单上「保险期间」一栏）",
    "ask_period_start": "保险期间从哪天开始？",
    "ask_period_end": "保险期间到哪天结束？",
    "ask_window": "保单上写的「挂失/冻结前多少小时内」的损失可以赔？（常见为48小时或72小时）",
    "ask_sum_insured": "保险金额（最多赔多少）是多少？（例如：5万、50000）",
    "ask_deductible": (
        "每次事故有免赔额或免赔率吗？没有请点「没有免赔」，有的话请告诉我金额或比例（例如：500元、10%）。"
    ),
    "ask_accounts": "这份保险保障哪些账户？可以点「全部账户」，或者说「借记卡和支付宝」。",
    "ask_premium": "保费是怎么交的？",
    "ask_premium_unpaid": "按月交的保费，有没有哪个月逾期没交？",
    "ask_premium_due": "没交的那一期，应交日期是哪天？",
    # incident
    "ask_cause_candidate": "根据您的描述，我理解为：「{label}」。对吗？不对的话请选择更准确的一项。",
    "ask_cause": "钱是怎么被盗的？请选择最接近的一项，或用一句话描述。",
    "ask_discovered_at": "您是什么时候发现被盗的？（例如：昨晚九点半、10月8日21:30、刚才）",
    # transactions
    "ask_tx_amount": "第{n}笔被盗交易的金额是多少？（例如：5200、五千二、3.7万）",
    "ask_tx_at": "第{n}笔交易是什么时候发生的？（例如：10月8日20:55、昨晚八点五十五）",
    "ask_tx_account": "第{n}笔是从哪种账户被盗的？",
    "ask_tx_kind": "第{n}笔是什么类型的交易？",
    "ask_tx_institution": "第{n}笔是哪家银行或平台？（例如：招商银行、支付宝）不清楚可以点「跳过」。",
    "ask_tx_more": "还有其他被盗的交易吗？",
    # documents
    "ask_documents": (
        "最后，您手上已经有哪些材料？可以一次说多个（例如：「保单、身份证和流水都有」），"
        "也可以逐个点选，选完点「就这些」。\n还需要的：{remaining}"
    ),
    "documents_ack": "记下了，已有：{have}。",
    # review
    "review": "请核对您提供的信息：\n{summary}\n\n都对吗？有误可以点「修改」。",
    "ask_edit_pick": "要修改哪一项？",
    "edit_done": "已修改。",
    # decision preview
    "preview_head": "根据您的保单条款（{wording}），初步结果如下：",
    "preview_line": "• {at} {amount} 元：{status}（{clauses}）——{reason}",
    "preview_total": "预计可赔：{payable} 元（申请 {claimed} 元）。",
    "preview_missing": "还缺这些材料：{missing}",
    "preview_deadline": "• {label}：{due}",
    "preview_deadlines_head": "时限：",
    "preview_provisional": "这是初步结果，最终以保险公司/银行审核为准。",
    "preview_unavailable": "暂时无法自动判断：{problems}。工作人员会帮您核实。",
    "preview_ask": "确认后我会把案件完整地转交给人工理赔专员。",
    "handed_off": (
        "已转交人工理赔专员，您的案件编号是 {code}。专员会看到您提供的全部信息，不需要您重复说明。"
        "请保持电话畅通，保存好所有截图和回执。"
    ),
    "after_handoff": "您的案件已经在人工处理中。您补充的内容我都记下了，会一并转给专员。",
    # echoes
    "echo_money": "记下了：{amount} 元。",
    "echo_money_approx": "记下了：约 {amount} 元（如有准确金额请用「返回上一步」修改）。",
    "echo_time": "记下了：{time}。",
    "echo_date": "记下了：{date}。",
    "echo_period": "记下了：保险期间 {start} 至 {end}。",
    "v_to_verify": "（不清楚，待人工核对）",
    "v_not_remembered": "不记得（待人工核对）",
    "v_deductible_rate": "，免赔率 {rate}%（取较高者）",
    "echo_deductible": "记下了：免赔额 {amount} 元，免赔率 {rate}%（取较高者）。",
    "echo_deductible_rate": "记下了：免赔率 {rate}%。",
    "echo_accounts_assumed": "没关系，先按这个产品通常保障的账户计算：{label}。人工客服会按您的保单核对。",
    "echo_premium_assumed": "没关系，这类保险一般在投保时一次交清，先按已交清计算，人工客服会核对。",
    "echo_discovered_unknown": "没关系，发现时间先空着，人工客服会再和您核对。",
    "echo_deductible_unsure": "没关系，先按没有免赔计算，人工客服会按您的保单核对。",
    "echo_window_default": "好的，先按条款默认的挂失前{hours}小时计算，人工客服会按您的保单核对。",
    "miss_tx_amount_unsure": "没关系，可以看一下扣款短信，或App里的交易记录；说个大概的数也可以，例如「五千多」。",
    "miss_tx_at_unsure": "没关系，扣款短信和App的交易记录里有每笔的时间；说个大概也可以，例如「昨晚九点多」。",
    "miss_which_card": "是信用卡还是借记卡（储蓄卡）？卡面上印有「信用卡」或「CREDIT」的是信用卡。",
    "miss_rate": "免赔率应在0到100%之间，例如：10%、百分之十。",
    "echo_choice": "记下了：{label}。",
    "echo_bool_yes": "好的。",
    "echo_bool_no": "好的。",
    "echo_bool_unsure": "没关系，不确定也可以。",
    "confirm_time": "您说的是哪个时间？",
    "ask_exact_day": "是{month}的哪一天？例如：15号。这个日期会影响理赔结果，保单上写着具体日期。",
    "ask_clock": "{day}大概几点？说个大概的时间也可以，例如：九点左右、21:40。",
    # misses
    "miss_tx_total": "好的，我们一笔一笔登记，请只说这一笔的金额。",
    "miss_money": "抱歉，我没看懂金额。请只写数字或中文金额，例如：5200、五千二、3.7万。",
    "miss_datetime": "抱歉，我没看懂时间。请写成例如：10月8日21:40、昨晚九点四十、半小时前。",
    "miss_clock": "抱歉，还需要一个大概的钟点，记不清也请说个大概。",
    "miss_future": "这个时间比现在还晚，请再确认一下，例如：昨晚九点四十。",
    "miss_exact_day": "抱歉，还需要具体是哪一天。",
    "miss_date": "抱歉，我没看懂日期。请写成例如：2023年3月1日 或 2023-03-01。",
    "miss_bool": "抱歉，我没看懂。请回答「是」或「否」，也可以直接点下面的按钮。",
    "miss_choice": "抱歉，我没看懂。请点下面的按钮，或输入选项名称，例如：{example}。",
    "miss_number": "抱歉，我没看懂。请写一个数字，例如：72。",
    "miss_documents": "抱歉，我没看懂。请写材料名称，例如：保单、身份证、流水；或点「就这些」。",
    "miss_text": "抱歉，请用一句话描述一下，例如：我的支付宝被盗了。",
    "offer_human": "如果说起来不方便，可以点「转人工」，由工作人员直接帮您。",
    # global commands
    "resumed": "人工客服已处理完毕，我继续为您服务。",
    "back_done": "已返回上一步。",
    "back_none": "已经是第一步了。",
    "restarted": "好的，我们重新开始。之前登记的信息已清空。",
    "summary_head": "目前登记的信息：\n{summary}",
    "summary_empty": "还没有登记任何信息。",
    # safety interrupts
    "redaction_warning": (
        "⚠️ 为了您的安全，您发送的卡号/密码/验证码已被隐藏，不会保存。"
        "请不要把完整卡号、CVV、密码或短信验证码发给任何人——银行、平台和我们都不会向您索要。"
    ),
    "scam_warning": (
        "🚨 请立刻停下！这很像诈骗：正规的银行、警察、客服绝不会让您转账到「安全账户」、"
        "共享屏幕或索要验证码。请马上挂断电话、停止操作，不要再转任何钱，"
        "拨打96110反诈专线或110报警。"
    ),
    "scam_reminder": "🚨 再次提醒：不要转账、不要共享屏幕、不要告诉任何人验证码。有疑问请拨打96110。",
    # buttons
    "btn_yes": "是",
    "btn_no": "否",
    "btn_frozen": "已冻结",
    "btn_continue_unfrozen": "还没有，先继续登记",
    "btn_unknown": "不知道",
    "btn_period_default": "是，一年",
    "btn_period_custom": "不是",
    "btn_no_deductible": "没有免赔",
    "btn_all_accounts": "全部账户",
    "btn_single_paid": "一次交清",
    "btn_monthly": "按月交",
    "btn_unpaid": "还没交",
    "btn_skip": "跳过",
    "btn_docs_done": "就这些",
    "btn_docs_all": "都有了",
    "btn_confirm": "确认无误",
    "btn_edit": "修改",
    "btn_submit": "转交人工理赔",
    "btn_human": "转人工",
    "btn_window_default": "不知道（按条款默认）",
    # review labels
    "f_product": "保险产品",
    "f_purchased_on": "投保日期",
    "f_period": "保险期间",
    "f_window": "保障时段",
    "f_sum_insured": "保险金额",
    "f_deductible": "免赔额",
    "f_accounts": "保障账户",
    "f_premium": "保费",
    "f_cause": "被盗原因",
    "f_discovered_at": "发现时间",
    "f_frozen_at": "挂失/冻结时间",
    "f_police": "报案",
    "f_transactions": "被盗交易",
    "f_documents": "已有材料",
    "v_not_frozen": "还未冻结",
    "v_police_yes": "已报案",
    "v_police_no": "未报案",
    "v_hours": "挂失前{hours}小时",
    "v_none": "无",
    "v_unknown": "未知",
    "v_tx": "第{n}笔：{at}，{amount} 元，{account}，{kind}{institution}",
    "premium_single_paid": "一次交清",
    "premium_monthly": "按月交",
    "premium_unpaid": "未交",
}
