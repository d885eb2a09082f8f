"""Who may use the review app, and what a request must show before it changes anything.

- Host: only names the server is reached by (loopback names, this machine's names, IP addresses,
  the --host given), so a page on a domain that resolves to this machine (DNS rebinding) is refused.
- Token: in share mode, and whenever the server listens beyond loopback, every request carries the
  access token (query, header or the cookie set on the first visit).
- State-changing requests (POST) must come from the app's own pages: an Origin header equal to the
  server's own origin (a page on another port or site is another origin), `Sec-Fetch-Site` absent or
  same-origin, a JSON content type (no HTML form can send one), and the CSRF token of the session
  (an HttpOnly session cookie, the token handed out only in the app's JSON, which no other origin
  can read).
- Bodies are read up to a limit and no further.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import re
import socket

SESSION_COOKIE = "review-session"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


class TooLarge(Exception):
    pass


def is_loopback(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The name in a Host header, without the port: `[::1]:8080` -> `::1`, `a.b:80` -> `a.b`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings, any characters."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


class Guard:
    def __init__(self, bind_host: str = "127.0.0.1", token: str | None = None, token_cookie: str = "token"):
        """`token_cookie`: the cookie that keeps the token after the first visit; apps with tokens of their own on one
        host (the studio and its caption page) each have their own."""
        self.token, self.token_cookie = token, token_cookie
        self.secret = secrets.token_bytes(32)
        self.local_only = is_loopback(bind_host)
        names = {*LOOPBACK_NAMES, bind_host.strip("[]").lower()}
        if not self.local_only:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        self.names = names

    def host_ok(self, host_header: str) -> bool:
        name = _host_name(host_header or "")
        if name in self.names:
            return True
        return not self.local_only and _is_ip(name)  # an address of this machine; a rebinding page has a domain name

    def token_ok(self, given: str) -> bool:
        return self.token is None or same(given or "", self.token)

    def csrf_for(self, session: str) -> str:
        return hmac.new(self.secret, session.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def same_origin(self, origin: str | None, scheme: str, host_header: str, fetch_site: str | None) -> bool:
        if fetch_site is not None and fetch_site != "same-origin":
            return False
        return bool(origin) and same(origin.lower(), f"{scheme}://{host_header}".lower())

    def csrf_ok(self, session: str | None, given: str | None) -> bool:
        return bool(session) and bool(given) and same(given, self.csrf_for(session))

    @staticmethod
    def new_session() -> str:
        return secrets.token_urlsafe(24)

    def wrap(self, handler, session_cookie: str, page: str, bodies: tuple[str, ...] = ("application/json",)):
        """A Starlette handler behind the checks of `refuse`, given the session (request.state.session) and its
        cookie, the token as a cookie, and headers that keep the page out of frames and the token out of referrers.
        An AccessMediaError becomes a 400 with its one line."""
        from starlette.responses import JSONResponse

        from accessmedia.api import AccessMediaError, ConflictError

        async def wrapped(request):
            why = self.refuse(request, session_cookie, page, bodies)
            if why is not None:
                return JSONResponse({"error": why[1]}, status_code=why[0])
            session = request.cookies.get(session_cookie) or self.new_session()
            request.state.session = session
            try:
                response = await handler(request)
            except ConflictError as exc:  # someone else changed it first: what is there now, to merge with
                response = JSONResponse({**exc.details, "error": without_paths(exc.one_line())}, status_code=409)
            except AccessMediaError as exc:
                response = JSONResponse({"error": without_paths(exc.one_line()), **({"code": exc.code} if exc.code else {})},
                                        status_code=400)
            response.set_cookie(session_cookie, session, httponly=True, samesite="strict")
            if self.token is not None:
                response.set_cookie(self.token_cookie, self.token, httponly=True, samesite="strict")
            response.headers["x-content-type-options"] = "nosniff"
            response.headers["x-frame-options"] = "DENY"
            response.headers["referrer-policy"] = "no-referrer"  # the token may be in the address
            return response
        return wrapped

    def refuse(self, request, session_cookie: str, page: str, bodies: tuple[str, ...] = ("application/json",)) -> tuple[int, str] | None:
        """Why a request (a Starlette Request) may not go on, as (HTTP status, message); None when it may.
        Every request: the Host and the token. A state-changing one: the Origin of `page`, a body of one of
        `bodies` types (no HTML form can send them) and the session's CSRF token."""
        headers = request.headers
        if not self.host_ok(headers.get("host", "")):
            return 421, "this server is not reached by that name"
        given = request.query_params.get("token") or headers.get("x-access-token") or request.cookies.get(self.token_cookie) or ""
        if not self.token_ok(given):
            return 403, "access token missing or wrong"
        if request.method not in ("GET", "HEAD"):
            if not self.same_origin(headers.get("origin"), request.url.scheme, headers.get("host", ""), headers.get("sec-fetch-site")):
                return 403, f"changes are only possible from {page} itself"
            if headers.get("content-type", "").split(";")[0].strip().lower() not in bodies:
                return 415, f"send {' or '.join(bodies)}"
            if not self.csrf_ok(request.cookies.get(session_cookie), headers.get("x-csrf-token")):
                return 403, "the page's session has ended: reload it"
        return None


async def read_limited(receive_stream, declared: str | None, limit: int) -> bytes:
    """The body of a request, never more than `limit` bytes read: a larger one raises TooLarge as soon
    as its declared length or the bytes received say so."""
    if declared is not None:
        try:
            if int(declared) > limit:
                raise TooLarge
        except ValueError:
            raise TooLarge from None
    body = bytearray()
    async for chunk in receive_stream:
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


ABSOLUTE = re.compile(r"(?<![\w.:/~])/(?:[^\s/'\"()]+/)+([^\s/'\"()]+)")


def without_paths(message: str) -> str:
    """A message for a browser: every absolute path on the server shortened to its last part (the file's
    name), so that nobody learns where the project lives."""
    return ABSOLUTE.sub(lambda m: m.group(1), message)


def check_port(host: str, port: int) -> None:
    """A port in use is an error now, before anything is printed."""
    from accessmedia.api import AccessMediaError

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise AccessMediaError(f"cannot listen on {host}:{port}: {exc.strerror}",
                               "choose another port with --port (or stop the program using it)") from None


def serve(create_app, project, host: str, port: int, share: bool, what: str, shared_note: str) -> None:
    """Serve `create_app(project, token, host)` until Ctrl-C: loopback alone without a token; shared (or on any
    other address) with a random access token that every request must carry."""
    import uvicorn

    share = share or not is_loopback(host)
    if share and host == "127.0.0.1":
        host = "0.0.0.0"
    check_port(host, port)
    token = secrets.token_urlsafe(18) if share else None
    app = create_app(project, token, host)
    if share:
        print(f"{what} for the network: http://<this machine>:{port}/?token={token}", flush=True)
        print(shared_note, flush=True)
    else:
        print(f"{what}: open http://{host}:{port}/ in a browser (this machine only; --share to open it to the network)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
