"""The bundled products: loading their files once, picking the wording in force, looking up clauses.

Files live at `<products dir>/<product id>/<version>.yaml`. A product's versions are chosen by
the policy's purchase date, never by today's date: a wording published later never reaches back
to a policy bought before it (seed 000).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rules.case import Policy
from rules.errors import CaseError, ProductError
from rules.intake import field_path
from rules.product import ProductFile
from rules.vocabulary import Account, Document
from rules.wording import Wording, compile_wording

PRODUCTS_DIR = Path(__file__).parent / "products"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Catalog:
    versions: dict[str, tuple[Wording, ...]]
    """Per product id, its wording versions, oldest dated first and undated last."""


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """What a dialog or console shows when it lets someone pick a product."""

    id: str
    title: str
    insurer: str
    kind: str
    default_window_hours: int
    fixed_window_hours: int | None
    """Set when the product itself fixes the window (短信宝: 48 h), whatever the policy says."""
    default_covered_accounts: list[Account]
    required_documents: list[Document]
    recommended_documents: list[Document]
    versions: list[str]


def get_catalog(products_dir: Path | None = None) -> Catalog:
    """The catalog of a products folder, loaded on first use and kept (adjudication is hot)."""
    if products_dir is None:
        return _bundled()
    return _load_dir(Path(products_dir))


@functools.cache
def _bundled() -> Catalog:
    return load_catalog(PRODUCTS_DIR)


@functools.lru_cache(maxsize=16)
def _load_dir(products_dir: Path) -> Catalog:
    return load_catalog(products_dir)


def load_catalog(products_dir: Path) -> Catalog:
    """Read and check every product file under `products_dir`, uncached."""
    found: dict[str, list[Wording]] = {}
    files = sorted(products_dir.glob("*/*.yaml"))
    if not files:
        raise ProductError(f"{products_dir}: 没有任何产品文件（应为 <产品>/<版本>.yaml）")
    for path in files:
        wording = _load_file(path)
        found.setdefault(wording.product, []).append(wording)
    return Catalog({pid: _ordered(pid, ws) for pid, ws in found.items()})


def _load_file(path: Path) -> Wording:
    where = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise ProductError(f"{where}: 无法读取：{exc}") from exc
    try:
        spec = ProductFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ProductError(f"{where}: {problems}") from None
    # The folder and file name say which product and version this is; a file in the wrong
    # place would silently shadow another version.
    if spec.id != path.parent.name or spec.version != path.stem:
        raise ProductError(
            f"{where}: 文件位置应为 {spec.id}/{spec.version}.yaml（与 id、version 一致）"
        )
    return compile_wording(spec, where)


def _describe(error: Any) -> str:
    path = field_path(tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"{path}: 不认识的键（拼错了，或放错了位置）"
    if error["type"] == "missing":
        return f"{path}: 缺少此键"
    return f"{path}: {error['msg']}"


def _ordered(product: str, wordings: list[Wording]) -> tuple[Wording, ...]:
    undated = [w for w in wordings if w.effective_from is None]
    if len(undated) > 1:
        raise ProductError(
            f"{product}: 有多个未注明生效日期的版本（{', '.join(w.version for w in undated)}），"
            "无法判断哪一个生效"
        )
    dated = sorted((w for w in wordings if w.effective_from is not None), key=_effective)
    for earlier, later in itertools.pairwise(dated):
        if earlier.effective_from == later.effective_from:
            raise ProductError(
                f"{product}: 版本 {earlier.version} 和 {later.version} 同日生效，无法判断哪一个生效"
            )
    return (*dated, *undated)


def _effective(w: Wording) -> date:
    assert w.effective_from is not None
    return w.effective_from


def select_wording(policy: Policy, catalog: Catalog) -> Wording:
    """The wording in force on the purchase date: the latest dated version that had taken effect,
    else the undated one; `wording_version` forces a version by its id."""
    versions = catalog.versions.get(policy.product)
    if versions is None:
        known = "、".join(sorted(catalog.versions))
        raise CaseError([("policy.product", f"不认识的产品 {policy.product!r}（可选：{known}）")])
    if policy.wording_version is not None:
        for w in versions:
            if w.version == policy.wording_version:
                return w
        known = "、".join(w.version for w in versions)
        raise CaseError(
            [
                (
                    "policy.wording_version",
                    f"{policy.product} 没有版本 {policy.wording_version!r}（可选：{known}）",
                )
            ]
        )
    chosen: Wording | None = None
    for w in versions:
        if w.effective_from is None:
            # Undated versions sort last: only reached when no dated one applies.
            return chosen or w
        if w.effective_from <= policy.purchased_on:
            chosen = w
    if chosen is None:
        raise CaseError(
            [
                (
                    "policy.purchased_on",
                    f"{policy.product} 在 {policy.purchased_on.isoformat()} 没有生效的条款版本",
                )
            ]
        )
    return chosen


def list_products(products_dir: Path | None = None) -> list[ProductSummary]:
    """Every product with its newest version's defaults, for a dialog's or console's picker."""
    summaries = []
    for pid, versions in sorted(get_catalog(products_dir).versions.items()):
        newest = _newest(versions)
        summaries.append(
            ProductSummary(
                id=pid,
                title=newest.title,
                insurer=newest.insurer,
                kind=newest.kind,
                default_window_hours=newest.defaults.window_hours,
                fixed_window_hours=newest.fixed_window_hours,
                default_covered_accounts=list(newest.defaults.covered_accounts),
                required_documents=newest.required_documents,
                recommended_documents=[d for d, _ in newest.recommended],
                versions=[w.version for w in versions],
            )
        )
    return summaries


def _newest(versions: tuple[Wording, ...]) -> Wording:
    dated = [w for w in versions if w.effective_from is not None]
    return dated[-1] if dated else versions[-1]


def clause_text(
    product: str, version: str, clause_id: str, products_dir: Path | None = None
) -> str:
    """The verbatim text of one clause of one wording version; KeyError if there is none."""
    for w in get_catalog(products_dir).versions.get(product, ()):
        if w.version == version:
            return w.texts[clause_id]
    raise KeyError(f"{product} {version}")
