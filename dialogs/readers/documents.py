"""Which documents the victim has, from a free answer.

"有保单、身份证和流水" · "报案回执有了" · "保单有，发票没有" · "有保单没有发票" · "都有" (every
offered document) · "都没有" ([]) · "除了发票都有" · ids as the web widget sends them
("policy, id_document").

Returns None when nothing was understood, so the dialog can ask again; [] means "none".
Within a clause (cut at commas and 但/不过), a document takes the polarity of the 有/没有 word
that governs it: the one before it when the clause opens with such a word (有A没有B), else the
first one after it (A有，B没有); a plain list with no such word is a list of what they have.
Only the first MAX_CHARS characters are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogs.readers._text import prepare
from dialogs.readers.choices import Option, matches
from dialogs.readers.synonyms import document_options
from rules.vocabulary import Document

_OPTIONS: list[Option] = [
    Option(o.id, o.label, (*o.synonyms, o.id), o.blockers) for o in document_options()
]
_ALL = re.compile(
    r"^(?:我)?(?:全部|全都|都|全|统统)(?:都)?(?:有|齐|在|准备好|备齐)(?:了|的|啊|呀)?$"
    r"|^齐全?了?$"
)
_NONE = re.compile(
    r"^(?:我)?(?:全都|都|全|一个都|一样都|什么都|啥都|还都|暂时都|暂时|目前|现在)?(?:还)?"
    r"(?:没有|没|无|不|都没有)(?:有)?(?:了|呢|啊)?$"
)
_EXCEPT = re.compile(
    r"除了(?P<what>.{1,40}?)(?:以外|之外)?(?:其他|其它|别的|剩下的)?(?:的)?(?:都|全)(?P<neg>没有?|无)?有?"
)
_CLAUSES = re.compile(r"[，,；;。！!？?\n]|但是|但|不过|可是|然后")
_MARKERS = re.compile(
    r"(?P<neg>还没有|还没|没有|没|无|缺少?|未|丢了|找不到|不见了|不全)"
    r"|(?P<pos>只有|都有|也有|有了|有|带了|准备好了?|拿到了?|开了|打印了|齐了)"
)
_PUNCT = re.compile(r"[\s\W_]+")


def _mentions(clause: str) -> list[tuple[int, int, Document]]:
    """(start, end, document) of each document named in `clause`, in order."""
    found: list[tuple[int, int, Document]] = []
    lowered = clause.lower()
    for index in matches(clause, _OPTIONS):
        option = _OPTIONS[index]
        terms = sorted({option.label, *option.synonyms}, key=len, reverse=True)
        for term in terms:
            at = lowered.find(term.lower())
            if at != -1:
                found.append((at, at + len(term), Document(option.id)))
                break
    return sorted(found)


def _read_clause(clause: str) -> tuple[list[Document], list[Document]]:
    """(has, lacks) for one clause."""
    mentions = _mentions(clause)
    if not mentions:
        return [], []
    markers = [(m.start(), m.group("neg") is None) for m in _MARKERS.finditer(clause)]
    # A marker inside a document's own name (有效身份证明) is not a marker.
    markers = [(at, pos) for at, pos in markers if not any(s <= at < e for s, e, _ in mentions)]
    leading = bool(markers) and markers[0][0] < mentions[0][0]
    has: list[Document] = []
    lacks: list[Document] = []
    for start, end, doc in mentions:
        before = [pos for at, pos in markers if at < start]
        after = [pos for at, pos in markers if at >= end]
        if leading:
            positive = before[-1] if before else True
        else:
            positive = after[0] if after else (before[-1] if before else True)
        (has if positive else lacks).append(doc)
    return has, lacks


def read_documents(
    text: str, offered: Sequence[Document] | None = None
) -> list[Document] | None:
    """The documents the victim says they have (in `Document` order), [] for none, None when
    nothing was understood. `offered` is what "都有" (all of them) means; default: every
    document."""
    choices = list(offered) if offered is not None else list(Document)
    t = prepare(text)
    key = _PUNCT.sub("", t)
    if not key:
        return None
    if _ALL.match(key):
        return _ordered(choices)
    if _NONE.match(key):
        return []
    except_ = _EXCEPT.search(t)
    if except_:
        named = [d for _, _, d in _mentions(except_.group("what"))]
        if named:
            if except_.group("neg"):
                return _ordered(named)
            return _ordered([d for d in choices if d not in named])
    has: list[Document] = []
    lacks: list[Document] = []
    for clause in _CLAUSES.split(t):
        clause_has, clause_lacks = _read_clause(clause)
        has += clause_has
        lacks += clause_lacks
    if not has and not lacks:
        return None
    return _ordered([d for d in has if d not in lacks])


def _ordered(docs: Sequence[Document]) -> list[Document]:
    wanted = set(docs)
    return [d for d in Document if d in wanted]
