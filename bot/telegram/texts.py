"""What the Telegram channel says itself (the dialog says everything else), and the commands
it registers with setMyCommands."""

from __future__ import annotations

from typing import Any

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "开始登记，或继续您的案件"),
    ("restart", "重新开始登记"),
    ("human", "转人工客服"),
    ("summary", "查看已登记的信息"),
)

# For the agents (the console is Chinese), in the transcript of the case a chat left.
MOVED_AWAY = "这个 Telegram 对话改为继续案件 {code}：本案件不再收到它的消息。"
# In the transcript of a case whose agent message could not be sent to its chat.
UNDELIVERED = "这条客服消息没能发到对方的 Telegram（试了 {tries} 次，已放弃）：「{text}」"

_TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "resumed": "已接回案件 {code}，我们接着登记。",
        "case_not_found": "没有找到案件 {code}：编号可能有误，或案件已过期。",
        "too_many_tries": "尝试次数太多了，请稍后再试，或直接描述发生了什么。",
        "evidence_saved": "已收到材料「{name}」，已附在案件 {code} 里（共 {count} 份）。",
        "evidence_known": "这份材料之前已经收到了（案件 {code} 共 {count} 份）。",
        "evidence_too_large": "文件太大了（最大 {mb} MB），请压缩后再发，或分几张截图发送。",
        "evidence_refused": "只支持图片（JPG、PNG、WEBP、HEIC、GIF）和 PDF 文件。",
        "agent": "【人工客服】{text}",
        "busy": "消息太密集了，请稍后再发一次。",
    },
    "en": {
        "resumed": "Case {code} is back in this chat; let's carry on.",
        "case_not_found": "No case {code}: the code may be mistyped, or the case has expired.",
        "too_many_tries": "Too many tries; please wait a while, or just tell me what happened.",
        "evidence_saved": "Received “{name}”, attached to case {code} ({count} in all).",
        "evidence_known": "I already have this file (case {code} has {count}).",
        "evidence_too_large": "The file is too large (at most {mb} MB).",
        "evidence_refused": "Only images (JPG, PNG, WEBP, HEIC, GIF) and PDF files are accepted.",
        "agent": "[Agent] {text}",
        "busy": "Too many messages at once; please send that again in a moment.",
    },
}


def say(locale: str, key: str, **values: Any) -> str:
    template = _TEXTS.get(locale, _TEXTS["zh-CN"]).get(key) or _TEXTS["zh-CN"][key]
    return template.format(**values)
