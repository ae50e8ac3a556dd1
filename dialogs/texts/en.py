"""English texts. A key missing here falls back to zh-CN."""

TEXTS: dict[str, str] = {
    "ask_what": (
        "Hello, I'm the lossline emergency claims assistant. Stay calm, I'll guide you step by step.\n"
        "In one sentence, what happened? e.g. \"My Alipay account was stolen from\"."
    ),
    "ask_leaving": "Is money still leaving the account right now?",
    "urgent_leaving": (
        "⚠️ Money is still leaving: freeze the card/account right now: {hotline_line}; "
        "or freeze it in the app and turn off password-free payments. Do this first."
    ),
    "urgent_leaving_unsure": (
        "⚠️ If you are not sure, act as if money is still leaving: freeze the card/account now: "
        "{hotline_line}; or freeze it in the app, then check the latest debit messages."
    ),
    "frozen_unsure": "If you are not sure, let's treat it as not frozen yet: here is how to freeze it.",
    "ask_frozen": "Has the card or account been frozen (reported lost) yet?",
    "freeze_steps": (
        "Please do these now to stop further loss:\n"
        "1. Call to freeze: {hotline_line}\n"
        "2. In the app, turn off password-free and quick payments; remove unknown devices\n"
        "3. Change your login and payment passwords\n"
        "4. Screenshot every SMS, transaction and chat; delete nothing\n"
        "5. Report to the police: call 110 or visit a police station; for scams call 96110\n"
        "Write down the exact time of the freeze (to the minute): it decides what can be covered."
    ),
    "hotline_known": "{institution} hotline {number}",
    "hotline_unknown": "call the official number on the back of your card or in the app",
    "ask_frozen_after_steps": "Is the freeze done? Press \"Frozen\" when it is, or continue for now.",
    "ask_frozen_at": "At what exact time was the freeze completed? (e.g. today 21:40)",
    "not_frozen_continue": "OK, let's continue. Please freeze as soon as you can and tell me the time.",
    "ask_police": "Have you reported it to the police?",
    "police_advice": "Please report it soon (110, or 96110 for scams) and ask for a receipt.",
    "ask_police_at": "When did you report it? (e.g. today 10:00)",
    "ask_product": "Which insurance or protection service do you have? Press \"Don't know\" if unsure.",
    "product_unknown_ack": "No problem, an agent will look up your policy. Let's record what happened.",
    "ask_purchased_on": "On what date did you buy the policy? (e.g. 2023-03-01)",
    "ask_period_default": "Does the policy run for one year from the purchase date?",
    "ask_period_start": "When does the policy period start?",
    "ask_period_end": "When does the policy period end?",
    "ask_window": "How many hours before the freeze are losses covered? (often 48 or 72)",
    "ask_sum_insured": "What is the sum insured? (e.g. 50000)",
    "ask_deductible": (
        "Is there a deductible per incident, as an amount or a rate (e.g. 500, 10%)? "
        "If none, press \"No deductible\"."
    ),
    "ask_accounts": "Which accounts does the policy cover?",
    "ask_premium": "How was the premium paid?",
    "ask_premium_unpaid": "Paying monthly: is any installment overdue?",
    "ask_premium_due": "What was the due date of the unpaid installment?",
    "ask_cause_candidate": "From what you said, I understand: \"{label}\". Is that right?",
    "ask_cause": "How was the money stolen? Pick the closest option or describe it.",
    "ask_discovered_at": "When did you discover the theft?",
    "ask_tx_amount": "What was the amount of stolen transaction #{n}?",
    "ask_tx_at": "When did transaction #{n} happen?",
    "ask_tx_account": "From which kind of account was transaction #{n}?",
    "ask_tx_kind": "What kind of transaction was #{n}?",
    "ask_tx_institution": "Which bank or platform was transaction #{n}? Press \"Skip\" if unsure.",
    "ask_tx_more": "Were there other stolen transactions?",
    "ask_documents": (
        "Which documents do you already have? Name several at once or press them one by one, "
        "then \"That's all\".\nStill needed: {remaining}"
    ),
    "documents_ack": "Noted, you have: {have}.",
    "review": "Please check:\n{summary}\n\nIs everything right?",
    "ask_edit_pick": "What would you like to change?",
    "edit_done": "Changed.",
    "preview_head": "Under your policy wording ({wording}), the preliminary result:",
    "preview_total": "Expected payable: {payable} CNY (claimed {claimed} CNY).",
    "preview_missing": "Still missing: {missing}",
    "preview_deadlines_head": "Deadlines:",
    "preview_provisional": "This is preliminary; the insurer or bank decides.",
    "preview_unavailable": "Cannot decide automatically yet: {problems}. An agent will check.",
    "preview_ask": "When you confirm, I'll hand the whole case to a claims agent.",
    "handed_off": "Handed to a claims agent. Your case code is {code}. Keep your phone on.",
    "after_handoff": "Your case is with an agent. I've added what you wrote to it.",
    "echo_money": "Noted: {amount} CNY.",
    "echo_money_approx": "Noted: about {amount} CNY.",
    "echo_time": "Noted: {time}.",
    "echo_date": "Noted: {date}.",
    "echo_period": "Noted: the policy runs from {start} to {end}.",
    "v_to_verify": " (not known, an agent will check)",
    "v_not_remembered": "not remembered (an agent will check)",
    "v_deductible_rate": ", or {rate}%, whichever is higher",
    "echo_deductible": "Noted: a deductible of {amount} CNY or {rate}%, whichever is higher.",
    "echo_deductible_rate": "Noted: a deductible of {rate}%.",
    "echo_accounts_assumed": (
        "No problem: the accounts this product usually covers for now ({label}), "
        "and an agent will check your policy."
    ),
    "echo_premium_assumed": (
        "No problem: such policies are usually paid in full when bought, so paid for now, "
        "and an agent will check."
    ),
    "echo_discovered_unknown": "No problem: we leave it open, and an agent will go over it with you.",
    "echo_deductible_unsure": "No problem: no deductible for now, and an agent will check your policy.",
    "echo_window_default": (
        "OK: the clause's default of {hours} hours before the freeze for now, "
        "and an agent will check your policy."
    ),
    "miss_tx_amount_unsure": (
        "No problem: the debit text message or the app's transaction list shows it; "
        "an approximate amount is fine too, e.g. about 5000."
    ),
    "miss_tx_at_unsure": (
        "No problem: the debit text message or the app's transaction list shows each one's "
        "time; an approximate time is fine too, e.g. around 9 last night."
    ),
    "miss_which_card": "Is it a credit card or a debit card? A credit card says CREDIT on its face.",
    "miss_rate": "A deductible rate is between 0 and 100%, e.g. 10%.",
    "echo_choice": "Noted: {label}.",
    "echo_bool_yes": "OK.",
    "echo_bool_no": "OK.",
    "echo_bool_unsure": "That's all right if you are not sure.",
    "confirm_time": "Which time do you mean?",
    "ask_exact_day": "Which day of {month}? The exact date on the policy can change the claim's outcome.",
    "ask_clock": "Roughly what time on {day}? An approximate time is fine, e.g. around 9, or 21:40.",
    "miss_tx_total": "OK, one transaction at a time: please give just this one's amount.",
    "miss_exact_day": "Sorry, I still need which day it was.",
    "miss_money": "Sorry, I couldn't read the amount. e.g. 5200 or 3.7万.",
    "miss_datetime": "Sorry, I couldn't read the time. e.g. 2023-10-08 21:40.",
    "miss_clock": "Sorry, I still need roughly what time it was.",
    "miss_future": "That time is later than now; please check it.",
    "miss_date": "Sorry, I couldn't read the date. e.g. 2023-03-01.",
    "miss_bool": "Sorry, please answer yes or no, or press a button.",
    "miss_choice": "Sorry, please press a button or type an option, e.g. {example}.",
    "miss_number": "Sorry, please write a number, e.g. 72.",
    "miss_documents": "Sorry, please name the documents, or press \"That's all\".",
    "miss_text": "Sorry, please describe it in one sentence.",
    "offer_human": "If it's easier, press \"Agent\" and a person will help you directly.",
    "resumed": "The agent has finished; I will continue helping you.",
    "back_done": "Went back one step.",
    "back_none": "This is already the first step.",
    "restarted": "OK, starting over. Everything recorded so far has been cleared.",
    "summary_head": "What I have so far:\n{summary}",
    "summary_empty": "Nothing recorded yet.",
    "redaction_warning": (
        "⚠️ For your safety the card number/password/code you sent was hidden and not stored. "
        "Never send these to anyone: banks, platforms and we will never ask for them."
    ),
    "scam_warning": (
        "🚨 Stop now! This looks like a scam: no bank, police or support line asks you to move "
        "money to a \"safe account\", share your screen or tell a code. Hang up, stop, call 96110."
    ),
    "scam_reminder": "🚨 Reminder: never transfer, share your screen or tell a code. Call 96110.",
    "btn_yes": "Yes",
    "btn_no": "No",
    "btn_frozen": "Frozen",
    "btn_continue_unfrozen": "Not yet, continue",
    "btn_unknown": "Don't know",
    "btn_period_default": "Yes, one year",
    "btn_period_custom": "No",
    "btn_no_deductible": "No deductible",
    "btn_all_accounts": "All accounts",
    "btn_single_paid": "Paid in full",
    "btn_monthly": "Monthly",
    "btn_unpaid": "Not paid",
    "btn_skip": "Skip",
    "btn_docs_done": "That's all",
    "btn_docs_all": "I have them all",
    "btn_confirm": "Correct",
    "btn_edit": "Change",
    "btn_submit": "Hand to an agent",
    "btn_human": "Agent",
    "btn_window_default": "Don't know (use the wording's default)",
}
