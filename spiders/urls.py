"""URL normalization: one article, one key, whatever tracking junk a feed adds to its links."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
        "smid",
        "taid",
        "ito",
        "at_medium",
        "at_campaign",
    }
)
FETCHABLE_SCHEMES = ("http", "https")


def is_fetchable(url: str | None) -> bool:
    """Only http(s) links are ever fetched: feeds can carry javascript:, file: or ftp: links."""
    return bool(url) and urlsplit(url.strip()).scheme.lower() in FETCHABLE_SCHEMES


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop fragments, default ports and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode(
        sorted(
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
        )
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))
