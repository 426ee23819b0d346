"""The login screen: signing in and out, the only pages served without a login.

A login starts a server-side session (:meth:`~gridmap.feed.store.SQLStore.start_session`);
signing out is a POST with the page's token (a link on another site cannot sign a wall
screen out) and ends every session of the user. Failed logins are limited per user name and
per address, counted before the password is checked.
"""

from __future__ import annotations

import hmac
import html
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request, session

from gridmap.dashboard.shared.auth import is_page
from gridmap.domain.access import ROLES
from gridmap.feed.store import SQLStore
from gridmap.feed.store.users import LoginLockedError
from gridmap.settings import Settings


def install_login(server: Flask, store: SQLStore, settings: Settings) -> None:
    """Register ``/login`` and ``/logout`` on ``server``."""

    @server.get("/login")
    def login_form():
        return _login_page(request.args.get("next", "/"))

    @server.post("/login")
    def login():
        username = (request.form.get("username") or "").strip()[:64]
        password = request.form.get("password") or ""
        target = _safe_next(request.form.get("next", "/"))
        address = request.remote_addr or "-"
        try:
            store.begin_login(username, address)
        except LoginLockedError as exc:
            minutes = max(1, round(exc.retry_after_s / 60))
            page = _login_page(
                target,
                error=f"登录失败次数过多，请 {minutes} 分钟后再试 · "
                f"too many failed logins; try again in {minutes} min",
            )
            page.status_code = 429
            page.headers["Retry-After"] = str(exc.retry_after_s)
            return page
        scope = store.check_user(username, password) if username and password else None
        if scope is None:  # the attempt stays counted
            return _login_page(target, error="用户名或密码错误 · wrong user name or password"), 401
        store.clear_login_failures(username)
        session.clear()
        session.permanent = True
        session["sid"] = store.start_session(scope.user, settings.session_days)
        return redirect(target)

    @server.get("/logout")
    def logout_form():
        """A page with the sign-out button: signing out is a POST with this page's token,
        so a link on another site cannot sign a wall screen out."""
        if store.session_scope(session.get("sid")) is None:
            return redirect("/login")
        session["csrf"] = session.get("csrf") or secrets.token_urlsafe(16)
        return _logout_page(session["csrf"])

    @server.post("/logout")
    def logout():
        token = request.form.get("csrf") or ""
        if not hmac.compare_digest(token, session.get("csrf") or "-"):
            return _logout_page(session.get("csrf") or "", error=True), 400
        scope = store.session_scope(session.get("sid"))
        if scope is not None:
            store.end_sessions(scope.user)  # every session of the user: signed out everywhere
        session.clear()
        return redirect("/login")


def _safe_next(target: str) -> str:
    """Only a path on this server (no scheme, no host: no open redirect)."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not (parts.path or "/").startswith("/"):
        return "/"
    return parts.path if is_page(parts.path) and ".." not in parts.path else "/"


def _login_page(target: str, error: str = "") -> Response:
    roles = "、".join(r.label for r in ROLES.values())
    body = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>登录 · 网格化管理</title>
<style>
body{{margin:0;height:100vh;display:flex;align-items:center;justify-content:center;
background:#eef2f6;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#123}}
form{{background:#fff;padding:32px 40px;border-radius:8px;box-shadow:0 2px 12px #0002;
width:320px}}
h1{{font-size:22px;margin:0 0 4px}} p{{color:#567;font-size:13px;margin:0 0 20px}}
label{{display:block;font-size:14px;margin:12px 0 4px}}
input{{width:100%;box-sizing:border-box;padding:8px;font-size:15px;border:1px solid #bcd;
border-radius:4px}}
button{{margin-top:20px;width:100%;padding:10px;font-size:16px;background:#1d4e89;color:#fff;
border:0;border-radius:4px;cursor:pointer}}
.error{{color:#c0262d;font-size:14px;margin-top:12px}}
</style></head><body>
<form method="post" action="/login">
<h1>网格化管理 · 一张图</h1><p>{html.escape(roles)}</p>
<label for="username">用户名 · User</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">密码 · Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<input type="hidden" name="next" value="{html.escape(_safe_next(target))}">
<button type="submit">登录 · Sign in</button>
{f'<div class="error">{html.escape(error)}</div>' if error else ""}
</form></body></html>"""
    return Response(body, mimetype="text/html")


def _logout_page(token: str, error: bool = False) -> Response:
    expired = "页面已过期，请再点一次 · the page expired; press again"
    note = f'<p class="error">{expired}</p>' if error else ""
    body = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>退出登录 · 网格化管理</title>
<style>
body{{margin:0;height:100vh;display:flex;align-items:center;justify-content:center;
background:#eef2f6;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#123}}
form{{background:#fff;padding:32px 40px;border-radius:8px;box-shadow:0 2px 12px #0002;
width:320px}}
h1{{font-size:20px;margin:0 0 8px}} p{{color:#567;font-size:13px}}
button{{margin-top:16px;width:100%;padding:10px;font-size:16px;background:#1d4e89;color:#fff;
border:0;border-radius:4px;cursor:pointer}} .error{{color:#c0262d}} a{{color:#1d4e89}}
</style></head><body>
<form method="post" action="/logout">
<h1>退出登录 · Sign out</h1>
<p>将退出此账号在所有设备上的登录 · signs this account out on every device</p>{note}
<input type="hidden" name="csrf" value="{html.escape(token)}">
<button type="submit">退出 · Sign out</button>
<p><a href="/">返回 · back</a></p>
</form></body></html>"""
    return Response(body, mimetype="text/html")
