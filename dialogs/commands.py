"""The global commands, accepted in every state as a slash command, a phrase or a button."""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, ...]] = {
    "restart": ("/restart", "/start", "重新开始", "重来", "从头开始"),
    "human": ("/human", "转人工", "人工", "人工客服", "找人工", "真人"),
    "back": ("/back", "返回上一步", "上一步", "返回", "回到上一步"),
    "summary": ("/summary", "查看摘要", "摘要", "看摘要"),
}
_LOOKUP = {word.lower(): name for name, words in COMMANDS.items() for word in words}


def command_of(text: str | None, choice: str | None) -> str | None:
    """The command a message is, if it is one. Buttons carry "cmd:<name>"."""
    if choice and choice.startswith("cmd:") and choice[4:] in COMMANDS:
        return choice[4:]
    if not text:
        return None
    word = text.strip().strip("。.!！ ").lower()
    if word.startswith("/"):
        word = word.split("@", 1)[0].split(" ", 1)[0]  # Telegram: /human@lossline_bot
    return _LOOKUP.get(word)
