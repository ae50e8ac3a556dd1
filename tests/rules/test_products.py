"""Product files: strict loading, verbatim clause texts, version selection, the victim's story."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from rules_builders import SHARED, case, decide, line

from rules import CaseError, ProductError, clause_text, list_products
from rules.catalog import PRODUCTS_DIR, get_catalog, load_catalog
from rules.vocabulary import Cause, Status

FILES = sorted(PRODUCTS_DIR.glob("*/*.yaml"))


def _normal(text: str) -> str:
    # The seeds are PDF and web extractions: line breaks and markdown bold fall mid-sentence.
    return re.sub(r"\s+|\*\*", "", text)


def _copy_products(tmp_path: Path) -> Path:
    target = tmp_path / "products"
    shutil.copytree(PRODUCTS_DIR, target)
    return target


def _load_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_four_products_are_bundled() -> None:
    ids = {p.id for p in list_products()}
    assert ids == {
        "huaan-account-loss-d",
        "family-account-loss",
        "citic-sms-guard",
        "jd-account-safety",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_clause_quotes_its_source_verbatim(path: Path) -> None:
    data = _load_yaml(path)
    seed = _normal((SHARED / "seeds" / data["source"]).read_text(encoding="utf-8"))
    for clause in data["clauses"]:
        for excerpt in clause["text"].split("……"):
            assert _normal(excerpt) in seed, (clause["id"], excerpt)


def test_huaan_carries_its_registration_and_date() -> None:
    w = get_catalog().versions["huaan-account-loss-d"][0]
    assert w.registration == "C00002432112022032223151"
    assert str(w.effective_from) == "2022-03-22"
    assert w.kind == "wording"


@pytest.mark.parametrize("product", ["family-account-loss", "citic-sms-guard", "jd-account-safety"])
def test_undated_sources_are_in_force_for_any_purchase_date(product: str) -> None:
    (w,) = get_catalog().versions[product]
    assert w.effective_from is None
    data = case(policy_changes={"product": product, "purchased_on": "1990-01-01"})
    assert decide(data).wording.version == w.version


def test_guides_say_they_are_guides() -> None:
    kinds = {p.id: p.kind for p in list_products()}
    assert kinds["citic-sms-guard"] == kinds["jd-account-safety"] == "guide"
    assert kinds["huaan-account-loss-d"] == kinds["family-account-loss"] == "wording"


def test_list_products_gives_what_a_dialog_needs() -> None:
    citic = next(p for p in list_products() if p.id == "citic-sms-guard")
    assert citic.fixed_window_hours == 48
    accounts = [a.value for a in citic.default_covered_accounts]
    assert accounts == ["credit_card", "supplementary_card"]
    jd = next(p for p in list_products() if p.id == "jd-account-safety")
    assert [d.value for d in jd.required_documents] == ["transaction_records", "login_records"]
    assert {d.value for d in jd.recommended_documents} == {"police_report", "service_records"}


def test_clause_text_lookup() -> None:
    assert clause_text("huaan-account-loss-d", "2022", "释义2") == (
        "【胁迫】指现场胁迫,非通过互联网、电话等远程胁迫手段。"
    )
    with pytest.raises(KeyError):
        clause_text("huaan-account-loss-d", "2022", "第九十九条")


@pytest.mark.parametrize(
    ("edit", "names"),
    [
        (lambda d: d["clauses"][0]["effect"].update(covres=["malware"]), "covres"),
        (lambda d: d["clauses"][0].update(covers=["malware"]), "clauses[0].covers"),
        (lambda d: d.update(registraton="x"), "registraton"),
        (lambda d: d["defaults"].update(window=72), "defaults.window"),
    ],
    ids=["unknown-effect-key", "misplaced-key", "unknown-top-key", "unknown-default-key"],
)
def test_an_unknown_or_misplaced_key_is_an_error_naming_file_and_key(
    tmp_path: Path, edit: Any, names: str
) -> None:
    products = _copy_products(tmp_path)
    path = products / "huaan-account-loss-d" / "2022.yaml"
    data = _load_yaml(path)
    edit(data)
    _write_yaml(path, data)
    with pytest.raises(ProductError) as err:
        load_catalog(products)
    assert "2022.yaml" in str(err.value)
    assert names in str(err.value)


def test_two_clauses_deciding_one_cause_is_an_error_naming_both(tmp_path: Path) -> None:
    products = _copy_products(tmp_path)
    path = products / "huaan-account-loss-d" / "2022.yaml"
    data = _load_yaml(path)
    item = next(c for c in data["clauses"] if c["id"] == "第五条(九)")
    item["effect"]["excludes"].append("malware")
    _write_yaml(path, data)
    with pytest.raises(ProductError, match=r"第四条\(一\).*第五条\(九\)"):
        load_catalog(products)


def test_a_cause_no_clause_decides_is_an_error(tmp_path: Path) -> None:
    products = _copy_products(tmp_path)
    path = products / "huaan-account-loss-d" / "2022.yaml"
    data = _load_yaml(path)
    item = next(c for c in data["clauses"] if c["id"] == "第五条(十)")
    item["effect"]["excludes"] = ["card_skimmed"]
    next(c for c in data["clauses"] if c["id"] == "第四条(一)")["effect"]["covers"].remove(
        "card_skimmed"
    )
    _write_yaml(path, data)
    with pytest.raises(ProductError, match="card_in_transit"):
        load_catalog(products)


def test_a_file_in_the_wrong_folder_is_an_error(tmp_path: Path) -> None:
    products = _copy_products(tmp_path)
    shutil.move(
        products / "huaan-account-loss-d" / "2022.yaml",
        products / "huaan-account-loss-d" / "2023.yaml",
    )
    with pytest.raises(ProductError, match=r"huaan-account-loss-d/2022\.yaml"):
        load_catalog(products)


def test_unknown_product_is_a_clear_error() -> None:
    with pytest.raises(CaseError) as err:
        decide(case(policy_changes={"product": "no-such-product"}))
    assert err.value.problems[0][0] == "policy.product"
    assert "no-such-product" in err.value.problems[0][1]


def test_unknown_forced_version_is_a_clear_error() -> None:
    with pytest.raises(CaseError) as err:
        decide(case(policy_changes={"wording_version": "1999"}))
    assert err.value.problems[0][0] == "policy.wording_version"


def test_no_wording_in_force_is_an_error_not_a_guess() -> None:
    data = case(policy_changes={"purchased_on": "2021-01-01"})
    with pytest.raises(CaseError) as err:
        decide(data)
    assert err.value.problems == [
        ("policy.purchased_on", "huaan-account-loss-d 在 2021-01-01 没有生效的条款版本")
    ]


# The victim's story (seed 000): kidnapped, forced to give her passwords, refused under a wording
# newer than the one she bought. A newer version must never reach back to an older policy.


def _with_newer_wording(tmp_path: Path, effective_from: str = "2023-06-01") -> Path:
    products = _copy_products(tmp_path)
    data = _load_yaml(products / "huaan-account-loss-d" / "2022.yaml")
    data["version"] = "2023"
    data["effective_from"] = effective_from
    data["clauses"] = [c for c in data["clauses"] if c["id"] not in ("第四条(三)", "第四条(四)")]
    data["clauses"].append(
        {
            "id": "第五条(十二)",
            "text": "被绑架、抢劫期间的资金损失",
            "effect": {"excludes": ["coerced_on_site"]},
        }
    )
    _write_yaml(products / "huaan-account-loss-d" / "2023.yaml", data)
    return products


def _kidnapping(purchased_on: str) -> dict[str, Any]:
    from rules_builders import tx

    return case(
        tx("t2", at="2023-10-07T15:00:00+08:00", account="third_party_payment", amount=3404),
        policy_changes={"purchased_on": purchased_on},
        incident_changes={"cause": "coerced_on_site"},
    )


def test_a_later_version_never_changes_a_decision_on_an_older_policy(tmp_path: Path) -> None:
    products = _with_newer_wording(tmp_path)
    old_policy = _kidnapping("2023-03-01")
    before = decide(old_policy)
    after = decide(old_policy, products)
    assert after.wording.version == "2022"
    assert after.model_dump() == before.model_dump()
    assert line(after, "t2").status is Status.covered


def test_a_policy_bought_after_the_new_version_is_judged_under_it(tmp_path: Path) -> None:
    products = _with_newer_wording(tmp_path)
    decision = decide(_kidnapping("2023-07-01"), products)
    assert decision.wording.version == "2023"
    assert line(decision, "t2").status is Status.excluded
    assert line(decision, "t2").clauses[0] == "第五条(十二)"


def test_the_day_a_version_takes_effect_it_applies(tmp_path: Path) -> None:
    products = _with_newer_wording(tmp_path)
    assert decide(_kidnapping("2023-06-01"), products).wording.version == "2023"
    assert decide(_kidnapping("2023-05-31"), products).wording.version == "2022"


def test_wording_version_forces_a_version(tmp_path: Path) -> None:
    products = _with_newer_wording(tmp_path)
    data = _kidnapping("2023-07-01")
    data["policy"]["wording_version"] = "2022"
    assert line(decide(data, products), "t2").status is Status.covered


def test_a_dated_version_wins_over_an_undated_one(tmp_path: Path) -> None:
    products = _copy_products(tmp_path)
    data = _load_yaml(products / "family-account-loss" / "v1.yaml")
    data["version"] = "2024"
    data["effective_from"] = "2024-01-01"
    _write_yaml(products / "family-account-loss" / "2024.yaml", data)
    family = {"product": "family-account-loss"}
    newer = decide(case(policy_changes=family | {"purchased_on": "2024-02-01"}), products)
    older = decide(case(policy_changes=family | {"purchased_on": "2023-02-01"}), products)
    assert (newer.wording.version, older.wording.version) == ("2024", "v1")


def test_every_cause_is_decided_by_every_product() -> None:
    for versions in get_catalog().versions.values():
        for w in versions:
            assert {cause for cause, _ in w.causes} == set(Cause)
