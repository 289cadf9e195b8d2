from hypothesis import example, given
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
@example(" #top")  # found by hypothesis: the fragment went, the space before it stayed, and a second pass took it
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


def test_only_a_default_port_is_dropped_and_an_empty_path_is_the_root():
    """Mutation testing (RELIABILITY.md): the port rule and the root path were read by no test."""
    assert normalize_url("http://a.example:80/x") == "http://a.example/x"
    assert normalize_url("https://a.example:443/x") == "https://a.example/x"
    assert normalize_url("http://a.example:81/x") == "http://a.example:81/x"
    assert normalize_url("https://a.example:80/x") == "https://a.example:80/x"
    assert normalize_url("http://a.example:443/x") == "http://a.example:443/x"
    assert normalize_url("http://A.example") == "http://a.example/"
    assert normalize_url("file:///etc/passwd") == "file:///etc/passwd"  # no host is no host


def test_a_tracking_parameter_is_known_by_its_name_alone():
    """The name is what stands before the first "=": ``ref=a=b`` is tracking, a bare ``fbclid`` too, and a
    value that happens to be a tracking name is not."""
    assert normalize_url("http://a.example/x?ref=a=b&id=1") == "http://a.example/x?id=1"
    assert normalize_url("http://a.example/x?fbclid&id=1") == "http://a.example/x?id=1"
    assert normalize_url("http://a.example/x?q=fbclid&id=1") == "http://a.example/x?id=1&q=fbclid"
    assert normalize_url("http://a.example/x?UTM_Source=x&Ref=y&id=1") == "http://a.example/x?id=1"
