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
