import pytest

from pipeline.config import ConfigError, load_config, parse_config


def test_feeds_and_settings_are_read():
    config = parse_config(
        """
        [settings]
        db = "x/y.db"
        [[feeds]]
        url = "https://example.org/rss"
        outlet = "Example"
        language = "es"
        country = "MEX"
        """
    )
    assert config.settings.db == "x/y.db"
    assert config.settings.model == "en_core_web_sm"
    assert [(f.url, f.outlet, f.language, f.country) for f in config.feeds] == [
        ("https://example.org/rss", "Example", "es", "MEX")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[feeds]]\nurl = 'https://example.org/rss'\n", "feed is missing outlet"),
        ("[[feeds]]\nurl = 'ftp://example.org/rss'\noutlet = 'E'\n", "must start with http:// or https://"),
        ("[[feeds]]\nurl = 'https://example.org/rss'\noutlet = 'E'\ncolour = 'red'\n", "unknown feed key(s) colour"),
        ("[settings]\ndatabase = 'x'\n", "unknown setting(s) database"),
        ("[[feeds]\n", "not valid TOML"),
        # issue 15: a wrong type crashed later (batch_size) or passed silently (model_exclude became n, e, r)
        ("[settings]\nbatch_size = '64'\n", "setting batch_size = '64' must be a whole number"),
        ("[settings]\nmodel_exclude = 'ner'\n", "setting model_exclude = 'ner' must be a list of strings"),
        ("[settings]\nn_process = true\n", "setting n_process = True must be a whole number"),
        ("[settings]\ntext_workers = -1\n", "setting text_workers = -1 must not be negative"),
        ("[[feeds]]\nurl = 'https://example.org/rss'\noutlet = 'E'\nlanguage = 'English'\n", "is not a language tag"),
    ],
)
def test_bad_configuration_names_the_problem(text, message):
    with pytest.raises(ConfigError, match=None) as error:
        parse_config(text, "feeds.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("feeds.toml")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "nope.toml")


def test_repository_configuration_is_valid():
    from tests.conftest import REPO

    config = load_config(REPO / "migtrack.toml")
    assert len(config.feeds) >= 25
    assert {feed.language for feed in config.feeds} == {"en", "es"}
    assert all(feed.country or feed.aggregator for feed in config.feeds)
    assert len({feed.url for feed in config.feeds}) == len(config.feeds)


def test_every_setting_is_documented_in_the_shipped_file():
    from dataclasses import fields

    from pipeline.config import Settings
    from tests.conftest import REPO

    text = (REPO / "migtrack.toml").read_text()
    config = load_config(REPO / "migtrack.toml")
    for setting in fields(Settings):
        assert f"\n{setting.name} = " in text, f"add {setting.name} with a comment to migtrack.toml [settings]"
        assert getattr(config.settings, setting.name) == getattr(Settings(), setting.name), setting.name


def test_regional_language_tags_are_read_as_their_language():
    """Issue 15: a feed tagged "en-US" was stored and never processed (only "en" is)."""
    config = parse_config("[[feeds]]\nurl = 'https://example.org/rss'\noutlet = 'E'\nlanguage = 'en-US'\n")
    assert config.feeds[0].language == "en"
    assert (
        parse_config("[[feeds]]\nurl = 'https://e.example/rss'\noutlet = 'E'\nlanguage = 'ES_mx'\n").feeds[0].language
        == "es"
    )


def test_every_feed_key_is_read_and_the_defaults_are_a_plain_english_feed():
    """Mutation testing (RELIABILITY.md) found ``kind``, ``aggregator`` and the defaults read by no test."""
    config = parse_config(
        """
        [[feeds]]
        url = "http://example.org/sitemap.xml"
        outlet = "Example"
        kind = "news-sitemap"
        aggregator = true
        [[feeds]]
        url = "https://example.org/rss"
        outlet = "Ejemplo"
        """
    )
    sitemap, plain = config.feeds
    assert (sitemap.url, sitemap.kind, sitemap.aggregator) == ("http://example.org/sitemap.xml", "news-sitemap", True)
    assert (plain.kind, plain.aggregator, plain.language, plain.country) == ("feed", False, "en", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[feeds]]\nurl = 'https://example.org/rss'\noutlet = 'E'\nkind = 'atom'\n",
            "feeds.toml feed #1: kind 'atom' is not one of feed, news-sitemap, sitemap",
        ),
        ("[[feeds]]\nlanguage = 'en'\n", "feeds.toml feed #1: feed is missing url, outlet (every [[feeds]] needs"),
        (
            "[[feeds]]\nurl = 'https://a.example/rss'\noutlet = 'A'\n"
            "[[feeds]]\nurl = 'https://b.example/rss'\noutlet = 'B'\ncolour = 'red'\nsize = 2\n",
            "feeds.toml feed #2: unknown feed key(s) colour, size",
        ),
        (
            "[settings]\ndatabase = 'x'\ncolour = 'red'\n",
            "unknown setting(s) colour, database; known: allow_private_hosts, batch_size, db,",
        ),
        ("[settings]\ndb = 3\n", "feeds.toml: setting db = 3 must be a string"),
        ("[settings]\nevent_min_confidence = 'high'\n", "setting event_min_confidence = 'high' must be a number"),
        ("[settings]\nevent_min_confidence = -0.1\n", "setting event_min_confidence = -0.1 must not be negative"),
    ],
)
def test_messages_name_every_bad_key_and_the_feed_it_is_in(text, message):
    with pytest.raises(ConfigError) as error:
        parse_config(text, "feeds.toml")
    assert message in str(error.value)


def test_zero_is_a_valid_count_and_a_settings_only_file_has_no_feeds():
    """``text_workers = 0`` means "read pages in the crawl's own thread" (spiders/readers.py): zero must be
    accepted where a negative number is refused."""
    config = parse_config("[settings]\ntext_workers = 0\nbatch_size = 1\n")
    assert (config.settings.text_workers, config.settings.batch_size, config.feeds) == (0, 1, [])


def test_errors_without_a_file_name_say_config():
    with pytest.raises(ConfigError, match=r"^<config>: not valid TOML"):
        parse_config("[[feeds]\n")


def test_with_no_path_the_working_directorys_file_is_read_if_there(tmp_path, monkeypatch):
    """``migtrack`` without ``--config`` reads ./migtrack.toml, as UTF-8, naming it in its messages, and
    falls back to the defaults where there is none."""
    monkeypatch.chdir(tmp_path)
    assert load_config(None).feeds == [] and load_config(None).settings.db == "data/migtrack.db"
    (tmp_path / "migtrack.toml").write_bytes(
        "[[feeds]]\nurl = 'https://example.org/rss'\noutlet = 'Le Économiste'\n".encode()
    )
    assert [feed.outlet for feed in load_config(None).feeds] == ["Le Économiste"]
    (tmp_path / "migtrack.toml").write_text("[settings]\nbatch_size = 'many'\n")
    with pytest.raises(ConfigError, match=r"^migtrack.toml: setting batch_size"):
        load_config(None)
    with pytest.raises(ConfigError, match=r"^sub/feeds.toml: setting batch_size"):
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "feeds.toml").write_text("[settings]\nbatch_size = 'many'\n")
        load_config("sub/feeds.toml")
