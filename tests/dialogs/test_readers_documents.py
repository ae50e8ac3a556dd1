"""Which documents the victim has, from a free answer."""

from __future__ import annotations

import pytest

from dialogs.readers.documents import read_documents
from rules.vocabulary import Document as D


@pytest.mark.parametrize(
    ("text", "docs"),
    [
        ("有保单、身份证和流水", [D.policy, D.transaction_records, D.id_document]),
        ("报案回执有了", [D.police_report]),
        ("保单有，发票没有", [D.policy]),
        ("有保单没有发票", [D.policy]),
        ("只有身份证", [D.id_document]),
        ("保单和身份证有了，流水还没", [D.policy, D.id_document]),
        ("身份证，保单，还有银行流水", [D.policy, D.transaction_records, D.id_document]),
        ("交易记录和挂失证明都有", [D.transaction_records, D.loss_report_proof]),
        ("有效身份证明", [D.id_document]),
        ("policy, id_document", [D.policy, D.id_document]),
        ("立案证明和权益转让书", [D.police_report, D.rights_transfer]),
        ("有登录记录和跟客服的聊天记录", [D.login_records, D.service_records]),
        ("除了保单其他都没有", [D.policy]),
        ("发票丢了", []),
        ("还没有报案回执", []),
        ("都没有", []),
        ("没有", []),
        ("什么都没有", []),
    ],
)
def test_documents(text: str, docs: list[D]) -> None:
    assert read_documents(text) == docs


def test_all_means_what_was_offered() -> None:
    offered = [D.policy, D.id_document, D.police_report]
    assert read_documents("都有", offered) == offered
    assert read_documents("全都有了", offered) == offered
    assert read_documents("都有", None) == list(D)
    assert read_documents("除了发票都有", [D.policy, D.premium_invoice]) == [D.policy]


@pytest.mark.parametrize("text", ["", "随便", "不知道", "😀", "123"])
def test_not_understood(text: str) -> None:
    assert read_documents(text) is None
