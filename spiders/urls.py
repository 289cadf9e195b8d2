"""URL normalization: one article, one key, whatever tracking junk a feed adds to its links."""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit, urlunsplit

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
    """Lower-case scheme and host, drop fragments, default ports and tracking parameters.

    The result is a key for deduplication, never the address to request: a request goes to the link as
    published. The query is kept as raw bytes-in-escapes: decoding it turned non-UTF-8 escapes into
    U+FFFD (two different ``?titre=`` links became one key) and re-encoding it turned ``;`` and ``=``
    inside a parameter into ``%3B`` and ``%3D`` (issue 15).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = "&".join(sorted(field for field in parts.query.split("&") if field and not _is_tracking(field)))
    # strip again: dropping a fragment can leave whitespace at the end ("/ #top"), and the key must be its own key
    return urlunsplit((scheme, netloc, parts.path or "/", query, "")).strip()


def _is_tracking(field: str) -> bool:
    name = unquote_plus(field.partition("=")[0]).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMETERS


def same_site(url: str, other: str) -> bool:
    """Whether two links are on one host (scheme and default port aside)."""
    return (urlsplit(url.strip()).hostname or "").lower() == (urlsplit(other.strip()).hostname or "").lower()


def is_site_root(url: str) -> bool:
    """A site's home page: a canonical link pointing there names the site, not the article."""
    parts = urlsplit(url.strip())
    return parts.path in ("", "/") and not parts.query
