"""The dashboard's web server: the standard library's threading HTTP server.

Why this stack: the dashboard serves one person on their own machine, a handful of
requests a second and one event stream per open tab. ``http.server``'s
``ThreadingHTTPServer`` does that with no dependency at all (nothing to install, audit
or keep in step with a framework's releases), and server-sent events are plain text
over a response that stays open, one thread each. What it lacks (routing, cookies,
headers) is a few lines here. Its documented limits (no TLS, only basic checks) are
met by listening on loopback only by default, a token on every request, a Host check
against DNS rebinding, SameSite cookies and a CSRF header on the controls.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from prunus.dashboard._daemon_link import VERBS, DaemonLink
from prunus.dashboard._index import ProcessIndex, TableQuery
from prunus.dashboard._page_parts import layout, message_page, process_url, refused_page
from prunus.dashboard._process_page import process_fragment
from prunus.dashboard._table_page import table_fragment
from prunus.dashboard._token import same_token
from prunus.errors import PrunusError
from prunus.ui._graph import condition_edges, to_svg

__all__ = ["Dashboard", "DashboardServer"]

_LOG = logging.getLogger(__name__)
_STATIC = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
_KEEPALIVE_SECONDS = 15.0
_MAX_LIMIT = 500
_SVG_CACHE = 64
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class Dashboard:
    """What the pages are made from: the home's index, the daemon link, the token."""

    def __init__(self, home: Path, index: ProcessIndex, link: DaemonLink, token: str) -> None:
        self.home, self.index, self.link, self.token = home, index, link, token
        self.csrf = hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()
        self._svgs: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._svg_lock = threading.Lock()
        self.stopping = threading.Event()

    def tree_svg(self, pid: str) -> tuple[str, int]:
        """The picture of the whole tree ``pid`` is in (from its top-level ancestor),
        ``pid`` drawn thicker; cached while its processes keep their states."""
        root = pid
        while (record := self.index.record(root)) is not None and record.get("parent"):
            if self.index.record(record["parent"]) is None:
                break
            root = record["parent"]
        tree, left_out = self.index.tree(root)
        if all(node.status.pid != pid for _, node in tree.walk()):
            tree, left_out = self.index.tree(pid)  # beyond what is drawn of its root's tree
        key = (pid, *((n.status.pid, n.status.state, n.status.paused) for _, n in tree.walk()))
        with self._svg_lock:
            if key in self._svgs:
                self._svgs.move_to_end(key)
                return self._svgs[key], left_out
        edges = [
            edge
            for _, node in tree.walk()
            for edge in condition_edges(
                node.status.pid, (self.index.record(node.status.pid) or {}).get("when")
            )
        ]
        svg = to_svg(tree, edges, link=process_url, highlight=pid)
        with self._svg_lock:
            self._svgs[key] = svg
            while len(self._svgs) > _SVG_CACHE:
                self._svgs.popitem(last=False)
        return svg, left_out

    def process_html(self, pid: str, now: float) -> str | None:
        record = self.index.record(pid)
        if record is None:
            return None
        details = self.index.details(pid)
        children = [c for c in map(self.index.record, record["children"]) if c is not None]
        svg, left_out = self.tree_svg(pid)
        return process_fragment(details, children, svg, left_out, daemon=self.link.running, now=now)


class DashboardServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its :class:`Dashboard`."""

    daemon_threads = True  # event streams must not keep the process alive at exit
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def cookie_name(self) -> str:
        return f"prunus_ui_{self.server_address[1]}"


def _table_query(params: dict[str, list[str]]) -> TableQuery:
    def number(name: str, default: float) -> float:
        try:
            return float(params.get(name, [""])[0] or default)
        except ValueError:
            return default

    age = params.get("age", [""])[0]
    return TableQuery(
        states=frozenset(s.lower() for s in params.get("state", []) if s),
        process_class=params.get("class", [""])[0],
        max_age=number("age", 0.0) if age else None,
        paused_only=params.get("paused", [""])[0] == "1",
        offset=max(0, int(number("offset", 0))),
        limit=min(_MAX_LIMIT, max(1, int(number("limit", 50)))),
    )


class _Handler(BaseHTTPRequestHandler):
    server: DashboardServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the second
    # waits for the client's delayed ACK (40 ms on Linux) on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s " + format, self.address_string(), *args)

    # ---- plumbing ------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in {**_SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data), "application/json")

    def _host_allowed(self) -> bool:
        """Against DNS rebinding: on loopback, only loopback names may be asked for."""
        if self.server.server_address[0] not in ("127.0.0.1", "::1"):
            return True
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return host in _LOOPBACK

    def _authorised(self) -> bool:
        token = self.server.dashboard.token
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        morsel = cookie.get(self.server.cookie_name)
        header = self.headers.get("Authorization") or ""
        given = header[6:] if header.startswith("token ") else None
        return same_token(token, morsel.value if morsel else None) or same_token(token, given)

    def _refuse(self, why: str) -> None:
        if self.path.startswith(("/api/", "/events", "/fragment/")):
            self._json(HTTPStatus.FORBIDDEN, {"error": why})
        else:
            self._send(HTTPStatus.FORBIDDEN, refused_page(why))

    def _gate(self, url: Any, params: dict[str, list[str]]) -> bool:
        """True to go on; otherwise a refusal or the token-for-cookie redirect is sent."""
        if not self._host_allowed():
            self._refuse("this dashboard answers only on 127.0.0.1 (Host header refused)")
            return False
        token = params.get("token", [None])[0]
        if token is not None and self.command == "GET":
            if not same_token(self.server.dashboard.token, token):
                self._refuse("wrong token")
                return False
            rest = {k: v for k, v in params.items() if k != "token"}
            target = url.path + ("?" + urlencode(rest, doseq=True) if rest else "")
            cookie = f"{self.server.cookie_name}={token}; HttpOnly; SameSite=Strict; Path=/"
            self._send(HTTPStatus.SEE_OTHER, "", headers={"Location": target, "Set-Cookie": cookie})
            return False
        if not self._authorised():
            self._refuse("this dashboard needs its token")
            return False
        return True

    # ---- GET -----------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query)
        if url.path.startswith("/static/"):
            self._static(url.path[len("/static/") :])
            return
        if url.path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            return
        if not self._gate(url, params):
            return
        dashboard, now = self.server.dashboard, time.time()
        try:
            if url.path == "/":
                page = dashboard.index.page(_table_query(params), now)
                self._page("processes", table_fragment(page, now), "table", page.version)
            elif url.path == "/fragment/table":
                page = dashboard.index.page(_table_query(params), now)
                self._send(HTTPStatus.OK, table_fragment(page, now))
            elif url.path.startswith(("/process/", "/fragment/process/")):
                self._process(url.path, now)
            elif url.path == "/events":
                self._events(params)
            else:
                self._send(
                    HTTPStatus.NOT_FOUND, message_page("Not found", f"no page at {url.path}")
                )
        except PrunusError as error:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, message_page("Error", str(error)))

    def _page(self, title: str, fragment: str, page: str, version: int, pid: str = "") -> None:
        """A whole page; ``version``: the index version the fragment was read at, from
        which the page's event stream starts (so no change between is missed)."""
        dashboard = self.server.dashboard
        body = layout(
            title,
            fragment,
            csrf=dashboard.csrf,
            home=str(dashboard.home),
            daemon=dashboard.link.running,
            page=page,
            pid=pid,
            version=version,
        )
        self._send(HTTPStatus.OK, body)

    def _process(self, path: str, now: float) -> None:
        fragment_only = path.startswith("/fragment/")
        pid = unquote(path.rpartition("/")[2])
        version = self.server.dashboard.index.version  # read first: see _page
        fragment = self.server.dashboard.process_html(pid, now)
        if fragment is None:
            self._send(
                HTTPStatus.NOT_FOUND, message_page("Unknown process", f"unknown process '{pid}'")
            )
        elif fragment_only:
            self._send(HTTPStatus.OK, fragment)
        else:
            self._page(f"process {pid}", fragment, "process", version, pid)

    def _static(self, name: str) -> None:
        if name not in _STATIC:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        data = (resources.files("prunus.dashboard") / "static" / name).read_bytes()
        self._send(HTTPStatus.OK, data, _STATIC[name] + "; charset=utf-8")

    def _events(self, params: dict[str, list[str]]) -> None:
        """Server-sent events: one ``update`` per re-read that changed something."""
        dashboard = self.server.dashboard
        index = dashboard.index
        try:
            since = int(params.get("since", [""])[0] or index.version)
        except ValueError:
            since = index.version
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 2000\n\n")
            self.wfile.flush()
            while not dashboard.stopping.is_set():
                change = index.wait_for_change(since, _KEEPALIVE_SECONDS)
                if change is None:
                    ping = {"daemon": dashboard.link.running, "version": index.version}
                    self.wfile.write(f"event: ping\ndata: {json.dumps(ping)}\n\n".encode())
                    self.wfile.flush()
                    continue
                since, pids = change
                page = index.page(TableQuery(limit=1))
                data = {
                    "version": since,
                    "changed": None if pids is None else sorted(pids),
                    "counts": page.counts,
                    "total": page.total,
                    "daemon": dashboard.link.running,
                }
                self.wfile.write(f"event: update\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the tab was closed

    # ---- POST: the controls --------------------------------------------------------------

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 65536))
        if not self._gate(url, {}):
            return
        dashboard = self.server.dashboard
        if not hmac.compare_digest(self.headers.get("X-Prunus-CSRF") or "", dashboard.csrf):
            self._json(HTTPStatus.FORBIDDEN, {"ok": False, "message": "missing CSRF header"})
            return
        parts = url.path.split("/")  # /api/process/PID/VERB
        if len(parts) != 5 or parts[1:3] != ["api", "process"] or parts[4] not in VERBS:
            self._json(HTTPStatus.NOT_FOUND, {"ok": False, "message": f"no action at {url.path}"})
            return
        pid, verb = unquote(parts[3]), parts[4]
        if dashboard.index.record(pid) is None:
            self._json(HTTPStatus.NOT_FOUND, {"ok": False, "message": f"unknown process '{pid}'"})
            return
        done, message = dashboard.link.control(verb, pid)
        if done:
            dashboard.index.refresh()  # show the change now, not at the next re-read
        self._json(HTTPStatus.OK if done else HTTPStatus.CONFLICT, {"ok": done, "message": message})


def serve(
    dashboard: Dashboard,
    host: str,
    port: int,
    on_ready: Callable[[DashboardServer], None],
) -> None:
    """Serve until interrupted (KeyboardInterrupt, SystemExit), then close the socket."""
    server = DashboardServer((host, port), dashboard)
    try:
        on_ready(server)
        server.serve_forever(poll_interval=0.25)
    finally:
        dashboard.stopping.set()
        server.server_close()
