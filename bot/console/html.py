"""Server-rendered console pages: one layout, every value escaped, a strict CSP.

Nothing here puts a value into HTML without `e()`. The pages' scripts fill in live data with
textContent, and the Content-Security-Policy allows no inline script at all, so a victim's
`<img src=x onerror=…>` stays text even if some future template forgot to escape it.
"""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC = "/static/console"


def e(value: object) -> str:
    return escape(str(value), quote=True)


def page(
    title: str,
    body: str,
    *,
    agent: str | None = None,
    csrf: str | None = None,
    scripts: tuple[str, ...] = (),
    data: dict[str, str] | None = None,
    status: int = 200,
    extra_css: str | None = None,
) -> HTMLResponse:
    """A whole page. `data` becomes data-* attributes of <body> for the page's scripts."""
    attrs = "".join(f' data-{e(k)}="{e(v)}"' for k, v in (data or {}).items())
    meta = f'<meta name="csrf-token" content="{e(csrf)}">' if csrf else ""
    css = f'<link rel="stylesheet" href="{STATIC}/{e(extra_css)}">' if extra_css else ""
    js = "".join(f'<script src="{STATIC}/{e(name)}" defer></script>' for name in scripts)
    header = _header(agent, csrf) if agent else ""
    html = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{meta}
<title>{e(title)} · lossline 坐席</title>
<link rel="stylesheet" href="{STATIC}/console.css">
{css}
{js}
</head>
<body{attrs}>
{header}
<main id="main">
{body}
</main>
</body>
</html>
"""
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _header(agent: str, csrf: str | None) -> str:
    return f"""<header class="top">
<a class="brand" href="/console">lossline 坐席台</a>
<nav aria-label="控制台">
<a href="/console">会话</a>
<a href="/console/audit">审计日志</a>
</nav>
<form class="logout" method="post" action="/console/logout">
<input type="hidden" name="csrf" value="{e(csrf or "")}">
<span class="who">{e(agent)}</span>
<button type="submit">退出登录</button>
</form>
</header>"""
