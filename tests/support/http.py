"""A browser over real HTTP (urllib with a cookie jar), for the tests that run the app under gunicorn."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from tests.helpers import PASSWORD

FIELD_RE = r'name="{name}"[^>]*value="([^"]+)"'


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class HttpBrowser:
    """One visitor's cookie jar against ``base``; redirects are answers, not followed."""

    base: str

    def __post_init__(self) -> None:
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def get(self, path: str) -> str:
        """The page at ``path`` (it must answer 200)."""
        with self.opener.open(f"{self.base}{path}", timeout=60) as response:
            return str(response.read().decode())

    def post(self, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> int:
        """POST a form (or, with a Content-Type header, raw ``data["body"]``); the status."""
        body = data["body"].encode() if headers else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=body, method="POST", headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def login(self, email: str, password: str = PASSWORD) -> None:
        page = self.get("/login")
        status = self.post("/login", {"email": email, "password": password, "csrf_token": field(page, "csrf_token")})
        assert status == 302, status


def field(page: str, name: str) -> str:
    """The value of the (hidden) input ``name`` in ``page``."""
    found = re.search(FIELD_RE.format(name=re.escape(name)), page)
    assert found, f"no {name} in the page"
    return found.group(1)
