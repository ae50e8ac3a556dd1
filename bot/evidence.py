"""Evidence files: images and PDFs a victim uploads, checked by their bytes, kept on disk."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import ApiError
from bot.store.base import EvidenceMeta
from dialogs.redaction import redact

# The first bytes of each accepted kind: a file is what its bytes say, not what its name says.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
)
_WEBP, _HEIC = ("image/webp", "webp"), ("image/heic", "heic")  # recognised further in
# Every kind accepted (what /openapi.json says a download can be).
CONTENT_TYPES = tuple(dict.fromkeys([kind for _, kind, _ in _SIGNATURES] + [_WEBP[0], _HEIC[0]]))
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def sniff(data: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in _SIGNATURES:
        if data.startswith(magic):
            return content_type, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return _HEIC
    return None


def save_evidence(root: Path, conversation_id: str, file_name: str, data: bytes) -> EvidenceMeta:
    kind = sniff(data)
    if kind is None:
        raise ApiError(415, message="只支持图片（JPG、PNG、WEBP、HEIC、GIF）和 PDF 文件。")
    if not data:
        raise ApiError(422, message="文件是空的。")
    content_type, ext = kind
    sha = hashlib.sha256(data).hexdigest()
    folder = root / conversation_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}.{ext}"
    if not path.exists():
        path.write_bytes(data)
    # A victim may name a photo of their card by its number.
    name = _SAFE_NAME.sub("_", redact(file_name).text)[:100] or f"evidence.{ext}"
    return EvidenceMeta(
        file_name=name,
        content_type=content_type,
        size=len(data),
        sha256=sha,
        stored_path=str(path),
        at=datetime.now(UTC),
    )
