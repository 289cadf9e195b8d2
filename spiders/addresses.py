"""Links from outside never turn the crawler on its own network.

Article links come from third-party feeds. A link to the cloud metadata address, a router's admin page or
the Scrapyd or redis port of this machine would be fetched, stored and published (issue 14). A request is
refused when its host is, or resolves to, a loopback, private, link-local, multicast or reserved address,
unless the host is one the configuration allows (``allow_private_hosts``) or the host of a configured
feed, or the HTTP proxy the environment names. Names are checked where they are resolved, at connection
time, so redirects and DNS tricks are covered; every request's own host is also checked before it is sent,
because through a proxy the crawler resolves only the proxy, never the link's host.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

REFUSED = "private address refused"


def is_private(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified: nowhere a news page lives."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%")[0])
    except ValueError:
        return False
    return not ip.is_global or ip.is_multicast


# The hosts of the feeds this process crawls, which may be private: the resolver is made once per process,
# before any spider, so a spider names its feeds' hosts here (FeedSpider.__init__), for Scrapyd jobs too.
_FEED_HOSTS: set[str] = set()


def allow_feed_hosts(feed_urls: list[str]) -> None:
    _FEED_HOSTS.update((urlsplit(url).hostname or "").lower() for url in feed_urls)


# hosts refused: Scrapy reports a name the resolver refused as a failed DNS lookup, which the spider then
# records as a refused link
_REFUSED_NAMES: set[str] = set()


def refused(url: str) -> bool:
    """Whether a request to ``url`` was refused for the address its host resolves to or is."""
    return (urlsplit(url).hostname or "").lower() in _REFUSED_NAMES


def allowed_hosts(settings) -> set[str]:
    """The hosts that may be private: the configuration's, those of the feeds the crawl reads, and the HTTP
    proxy the environment names (``http_proxy``: the operator's own, as the demo and the tests use)."""
    proxies = {(urlsplit(url).hostname or "").lower() for url in getproxies().values() if "://" in url}
    return {host.lower() for host in settings.getlist("MIGTRACK_ALLOW_PRIVATE_HOSTS")} | _FEED_HOSTS | proxies


class PrivateAddressError(DNSLookupError):
    """A name that resolves to an address the crawler must not reach."""


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to private addresses (TWISTED_DNS_RESOLVER)."""

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.crawler = crawler
        return resolver

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 (Twisted's interface)
        def check(address: str) -> str:
            if is_private(address) and name.lower() not in allowed_hosts(self.crawler.settings):
                _REFUSED_NAMES.add(name.lower())
                raise PrivateAddressError(f"{REFUSED}: {name} resolves to {address}")
            return address

        return super().getHostByName(name, timeout).addCallback(check)


class PrivateAddressMiddleware:
    """Refuses a request to a private IP literal unless its host is allowed: through a proxy, the resolver
    never sees the link's host."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        host = (urlsplit(request.url).hostname or "").lower()
        if is_private(host) and host not in allowed_hosts(self.crawler.settings):
            _REFUSED_NAMES.add(host)
            raise IgnoreRequest(f"{REFUSED}: {host}")
