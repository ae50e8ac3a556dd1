"""Login, sessions, CSRF: every console route refuses a visitor without a session."""

from __future__ import annotations

import re

import pytest
from console_helpers import PASSWORD, login
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

pytestmark = pytest.mark.timeout(60)
PUBLIC = {"/console/login"}


def all_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Every route of the app, into the routers it includes (FastAPI keeps an included
    router as one entry that points at the original)."""
    found: list[BaseRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        found += all_routes(included.routes) if included is not None else [route]
    return found


def console_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every console route the app has, path parameters filled in."""
    found = []
    for route in all_routes(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.path.startswith("/console"):
            if route.path in PUBLIC:
                continue
            path = re.sub(r"\{[^}]+\}", "some-id", route.path)
            found += [(method, path) for method in sorted(route.methods)]
    return found


def test_every_console_route_refuses_a_visitor_without_a_session(client: TestClient) -> None:
    routes = console_routes(client)
    assert len(routes) >= 16  # the enumeration found the console
    for method, path in routes:
        response = client.request(method, path, follow_redirects=False)
        if path.startswith("/console/api") or method != "GET":
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"]["code"] == "login_required"
        else:  # a page: to the login form, coming back here afterwards
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/console/login?next=/console")


def test_the_live_feed_refuses_a_visitor_without_a_session(client: TestClient) -> None:
    sockets = [
        r.path
        for r in all_routes(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(r, WebSocketRoute | APIWebSocketRoute) and r.path.startswith("/console")
    ]
    assert sockets == ["/console/api/live"]
    for query in ("", "?conversation=x"):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect(f"/console/api/live{query}") as ws,
        ):
            ws.receive_json()
        assert refused.value.code == 4401
    client.cookies.set("lossline_console", "forged", path="/console")
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/console/api/live") as ws:
        ws.receive_json()


def test_with_a_session_the_pages_open(client: TestClient) -> None:
    login(client)
    for path in ("/console", "/console/audit"):
        page = client.get(path)
        assert page.status_code == 200
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
    assert client.get("/console/api/conversations").json()["me"] == "alice"


def test_a_wrong_password_or_name_is_refused(client: TestClient) -> None:
    for name, password in (("alice", "wrong password"), ("nobody", PASSWORD)):
        form = client.get("/console/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        refused = client.post(
            "/console/login",
            data={"name": name, "password": password, "csrf": csrf},
            follow_redirects=False,
        )
        assert refused.status_code == 401
        assert "账号或密码不正确" in refused.text
        assert "lossline_console" not in refused.headers.get("set-cookie", "")
    login(client)
    failed = client.get("/console/api/audit").json()["entries"]
    assert [(e["agent"], e["action"]) for e in failed[1:3]] == [
        ("nobody", "login_failed"),
        ("alice", "login_failed"),
    ]


def test_the_login_form_needs_its_own_csrf_token(client: TestClient) -> None:
    client.get("/console/login")
    for csrf in ("", "guessed"):
        refused = client.post(
            "/console/login",
            data={"name": "alice", "password": PASSWORD, "csrf": csrf},
            follow_redirects=False,
        )
        assert refused.status_code == 403


def test_logins_are_rate_limited_per_address(client: TestClient) -> None:
    # Time stands still: on a loaded machine twelve argon2 checks may outlast a refill.
    client.app.state.runtime.login_limit.clock = lambda: 1000.0  # type: ignore[attr-defined]
    statuses = []
    for _ in range(12):
        form = client.get("/console/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        statuses.append(
            client.post(
                "/console/login", data={"name": "alice", "password": "nope", "csrf": csrf}
            ).status_code
        )
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(client: TestClient) -> None:
    login(client)
    form = client.get("/console/login")  # logged in: sent on to the console
    assert form.status_code == 200 and "/console" in str(form.url)
    with TestClient(client.app, base_url="https://testserver") as secure:  # type: ignore[arg-type]
        page = secure.get("/console/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        done = secure.post(
            "/console/login",
            data={"name": "alice", "password": PASSWORD, "csrf": csrf},
            follow_redirects=False,
        )
    cookie = done.headers["set-cookie"]
    assert "lossline_console=" in cookie
    for flag in ("HttpOnly", "SameSite=strict", "Path=/console", "Secure"):
        assert flag.lower() in cookie.lower(), cookie


def test_over_http_the_cookie_is_not_marked_secure(client: TestClient) -> None:
    form = client.get("/console/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    done = client.post(
        "/console/login",
        data={"name": "alice", "password": PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie


def test_state_changes_without_the_csrf_token_are_forbidden(client: TestClient) -> None:
    csrf = login(client)
    posts = [(m, p) for m, p in console_routes(client) if m == "POST"]
    assert len(posts) >= 8
    for method, path in posts:
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            response = client.request(method, path, headers=headers, json={})
            assert response.status_code == 403, (path, headers, response.text)
            assert response.json()["error"]["code"] == "csrf"
        # The right token from another site's page is refused too.
        crossed = client.post(path, headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}, json={})
        assert crossed.status_code == 403, path
    # With the token the route does its work (here: a note on an unknown conversation → 404).
    known = client.post(
        "/console/api/conversations/nope/notes", headers={"X-CSRF-Token": csrf}, json={"text": "x"}
    )
    assert known.status_code == 404


def test_logout_needs_the_token_and_ends_the_session(client: TestClient) -> None:
    csrf = login(client)
    assert client.post("/console/logout", data={"csrf": "nope"}).status_code == 403
    out = client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert client.get("/console/api/conversations").status_code == 401


def test_a_stolen_cookie_is_useless_after_logout(client: TestClient) -> None:
    csrf = login(client)
    stolen = client.cookies.get("lossline_console")
    client.post("/console/logout", data={"csrf": csrf})
    client.cookies.set("lossline_console", stolen or "", path="/console")
    assert client.get("/console/api/conversations").status_code == 401


def test_after_login_only_console_paths_are_followed(client: TestClient) -> None:
    for target, expected in (
        ("/console/audit", "/console/audit"),
        ("//evil.example/console", "/console"),
        ("https://evil.example", "/console"),
        ("/console/..\\evil", "/console"),
    ):
        page = client.get("/console/login", params={"next": target}).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        nxt = re.search(r'name="next" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
        done = client.post(
            "/console/login",
            data={"name": "alice", "password": PASSWORD, "csrf": csrf, "next": nxt},
            follow_redirects=False,
        )
        assert done.headers["location"] == expected
        client.cookies.clear()


# Found by the console's fuzz (tests/console/test_console_fuzz.py): each once answered otherwise.


def test_an_origin_that_is_not_a_url_is_refused_not_a_crash(client: TestClient) -> None:
    """urlsplit() raises on "http://[": every POST with such an Origin was a 500."""
    csrf = login(client)
    cid = client.post("/api/conversations", json={}).json()["id"]
    for origin in ("http://[", "http://[::1", "http://a]b"):
        for path, body in (
            (f"/console/api/conversations/{cid}/take-over", None),
            (f"/console/api/conversations/{cid}/notes", {"text": "x"}),
            ("/console/api/phone", {}),
        ):
            refused = client.post(path, headers={"X-CSRF-Token": csrf, "Origin": origin}, json=body)
            assert refused.status_code == 403, (origin, path, refused.text)
            assert refused.json()["error"] == {
                "code": "csrf",
                "message": "请求来自其他网站，已拒绝：请在坐席控制台的页面里操作。",
            }
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect("/console/api/live", headers={"Origin": origin}) as ws,
        ):
            ws.receive_json()
        assert closed.value.code == 4401
    detail = client.get(f"/console/api/conversations/{cid}").json()
    assert detail["conversation"]["owner"] == "bot" and detail["notes"] == []
    assert [e["action"] for e in client.get("/console/api/audit").json()["entries"]] == ["login"]
