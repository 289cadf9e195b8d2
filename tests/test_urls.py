from hypothesis import given
from hypothesis import strategies as st

from spiders.urls import is_fetchable, normalize_url


def test_tracking_parameters_and_fragments_are_dropped():
    assert (
        normalize_url("HTTPS://News.Example.org:443/a/b?utm_source=rss&id=3&utm_medium=feed&fbclid=x#top")
        == "https://news.example.org/a/b?id=3"
    )


def test_only_http_links_are_fetchable():
    assert is_fetchable("https://example.org/a")
    for link in ("javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x", "", None, "mailto:a@b"):
        assert not is_fetchable(link)


@given(st.text())
def test_normalization_never_crashes_and_is_idempotent(text):
    url = "http://example.org/" + text
    try:
        once = normalize_url(url)
    except ValueError:  # urllib rejects some hosts/ports outright; that is an error, not a crash
        return
    assert normalize_url(once) == once


def test_keys_keep_what_tells_links_apart():
    """Issue 15: non-UTF-8 escapes decoded to U+FFFD merged two links, ";" and "=" inside a parameter were
    re-encoded, and IPv6 literals lost their brackets."""
    assert normalize_url("http://a.example/x?titre=%E9t%E9") != normalize_url("http://a.example/x?titre=%E8t%E8")
    assert normalize_url("http://a.example/x?titre=%E9t%E9") == "http://a.example/x?titre=%E9t%E9"
    assert normalize_url("http://a.example/x?id=5;sec=2") == "http://a.example/x?id=5;sec=2"
    assert normalize_url("http://[::1]:8080/a") == "http://[::1]:8080/a"
    assert normalize_url("http://a.example/x?b=2&utm_campaign=z&a=1&") == "http://a.example/x?a=1&b=2"


def test_a_canonical_link_to_the_site_root_or_another_host_is_not_used():
    from spiders.articles import _usable_canonical

    story = "https://news.example/2025/01/story.html"
    assert _usable_canonical("https://news.example/2025/01/story-amp.html", story)
    assert not _usable_canonical("https://news.example/", story)
    assert not _usable_canonical("https://news.example", story)
    assert not _usable_canonical("https://other.example/2025/01/story.html", story)
    assert not _usable_canonical(None, story)
