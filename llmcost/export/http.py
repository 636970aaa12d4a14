"""A tiny HTTP client (standard library only) for webhooks and the Pushgateway.

Only ``http`` and ``https`` URLs; no redirects to other schemes; a timeout;
any non-2xx answer or network failure raises :class:`~llmcost.errors.InputError`
with the URL and the server's status line (the body's first 200 characters).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from ..errors import InputError

TIMEOUT_S = 15.0


def check_url(url: str, option: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"{option} needs an http:// or https:// URL, got {url!r}")
    return url


def send(url: str, body: bytes, *, content_type: str, method: str = "POST", option: str = "URL") -> int:
    """Send ``body``; return the HTTP status (2xx), else raise :class:`InputError`."""
    check_url(url, option)
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        detail = err.read(200).decode("utf-8", "replace").strip().replace("\n", " ")
        raise InputError(f"{option} {url} answered HTTP {err.code} {err.reason}" + (f": {detail}" if detail else "")) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise InputError(f"{option} {url} could not be reached: {reason}") from None
