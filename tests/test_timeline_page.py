"""The /timeline page in a real browser: Debian's headless chromium against a real ``datasette serve``.

It checks what a reader sees: one mark per event in the DOM the browser built, a mark that leads to
its event page with the evidence sentence, and a screenshot. Set MIGTRACK_SCREENSHOT=docs/timeline.png
to refresh the picture the README shows.

Chromium is started so that it cannot reach beyond 127.0.0.1: every host name but 127.0.0.1 resolves to
nothing, every request that is not to loopback goes to a proxy where nothing listens, and its background
services are off. ``test_the_browser_reaches_nothing_beyond_loopback`` proves it: it runs the other tests
again in a network namespace that has only loopback, and counts every attempt to leave it.
"""

from __future__ import annotations

import html
import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import urllib.request
import zlib
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from db.datasette.plugins.migtrack_timeline import STANCE_COLOURS
from db.serve import datasette_command
from tests.conftest import REPO
from tests.test_datasette import _free_port, serving

NOWHERE = 9  # the proxy's port on 127.0.0.1: nothing listens there (in the namespace, a recorder does)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # --disable-background-networking alone still let it reach update and autofill services and the DNS
    # resolver (issue 15): no name but 127.0.0.1 resolves, and anything not to loopback goes nowhere
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    f"--proxy-server=http://127.0.0.1:{NOWHERE}",
    "--proxy-bypass-list=127.0.0.1",
    "--dns-prefetch-disable",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-pings",
    "--no-default-browser-check",
    "--metrics-recording-only",
    # --disable-component-update still left one updater asking update.googleapis.com: send it nowhere too
    f"--component-updater=url-source=http://127.0.0.1:{NOWHERE}/",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,DialMediaRouteProvider,NetworkTimeServiceQuerying",
]
# Set by test_the_browser_reaches_nothing_beyond_loopback for the run of this file it makes in a namespace
LOOPBACK_ONLY = os.environ.get("MIGTRACK_LOOPBACK_ONLY") == "1"


class EventMarks(HTMLParser):
    """Collects the href of the link around each ``<circle class="event-mark ...">`` of the page."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str | None] = []
        self._links: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._links.append(attrs.get("href"))
        elif tag == "circle" and "event-mark" in (attrs.get("class") or "").split():
            self.hrefs.append(self._links[-1] if self._links else None)

    def handle_endtag(self, tag):
        if tag == "a" and self._links:
            self._links.pop()


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: run `bash scripts/setup` as root (it installs Debian's chromium)")
    return path


@pytest.fixture(scope="module")
def site(demo_db):
    port = _free_port()
    with serving(datasette_command(demo_db, port), port) as base:
        yield base


def run_chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    with nothing_leaves_loopback() if LOOPBACK_ONLY else _nothing():
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@contextmanager
def _nothing():
    yield


def _network_counters() -> dict[str, int]:
    """This network namespace's counters of attempts to go where nothing is (/proc/net/snmp, snmp6)."""
    counters = {}
    lines = Path("/proc/net/snmp").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=True):
        protocol = names.split(":")[0]
        counters |= {f"{protocol}{n}": int(v) for n, v in zip(names.split()[1:], values.split()[1:], strict=True)}
    snmp6 = Path("/proc/net/snmp6").read_text().splitlines()
    counters |= {name: int(value) for name, value in (line.split() for line in snmp6)}
    watched = ("IpOutNoRoutes", "Ip6OutNoRoutes", "TcpAttemptFails", "UdpOutDatagrams", "Udp6OutDatagrams")
    return {name: counters[name] for name in watched}


@contextmanager
def nothing_leaves_loopback():
    """Around a browser run in the namespace, where every address is routed to loopback (see below): a TCP
    connection to any address but a listening 127.0.0.1 port is refused (TcpAttemptFails), a UDP datagram
    (DNS) is counted, and a request the proxy gets for another host is recorded. None of it may happen."""
    interfaces = [line.split(":")[0].strip() for line in Path("/proc/net/dev").read_text().splitlines()[2:]]
    assert interfaces == ["lo"], f"not in a loopback-only namespace: {interfaces}"
    proxied: list[bytes] = []
    with socket.create_server(("127.0.0.1", NOWHERE)) as proxy:

        def record():
            while True:
                try:
                    connection, _ = proxy.accept()
                except OSError:
                    return
                with connection:
                    connection.settimeout(5)
                    request_line = connection.recv(4096).split(b"\r\n")[0]
                    target = request_line.split(b" ")[1] if b" " in request_line else b""
                    if not target.startswith((b"/", b"http://127.0.0.1:", b"127.0.0.1:")):  # for elsewhere
                        proxied.append(request_line)

        threading.Thread(target=record, daemon=True).start()
        before = _network_counters()
        yield
        after = _network_counters()
        proxy.shutdown(socket.SHUT_RDWR)
    grown = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    assert not grown, f"the browser tried to reach beyond loopback: {grown}"
    assert not proxied, f"the browser sent requests for elsewhere to the proxy: {proxied}"


def test_the_browser_draws_one_mark_per_event_each_linking_to_its_evidence(chromium, site, demo_db, tmp_path):
    dom = run_chromium(chromium, tmp_path, "--dump-dom", f"{site}/timeline").stdout
    marks = EventMarks()
    marks.feed(dom)
    with sqlite3.connect(demo_db) as db:
        (n_events,) = db.execute("select count(*) from events").fetchone()
        evidence = dict(db.execute("select id, evidence from events"))
    assert len(marks.hrefs) == n_events > 0
    assert all(href and href.startswith("/migtrack/events/") for href in marks.hrefs)
    assert {href.rsplit("/", 1)[1] for href in marks.hrefs} == set(evidence)

    href = marks.hrefs[0]
    with urllib.request.urlopen(site + href, timeout=10) as response:
        page = " ".join(html.unescape(response.read().decode()).split())
    assert " ".join(evidence[href.rsplit("/", 1)[1]].split()) in page


def test_the_page_looks_like_a_chart(chromium, site, tmp_path):
    """The pixels, not the DOM: bars and marks in the stance colours cover rows and columns of the picture
    that the legend's one row of swatches cannot (the page without its charts passed before, issue 15)."""
    screenshot = tmp_path / "timeline.png"
    run_chromium(chromium, tmp_path, f"--screenshot={screenshot}", "--window-size=1400,900", f"{site}/timeline")
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1400 and int.from_bytes(data[20:24], "big") == 900
    assert len(data) > 30_000, "a blank page compresses to a few kilobytes; the chart did not draw"
    pixels = decode_png(data)[:, :, :3]
    drawn = {
        stance: (pixels == np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.uint8)).all(axis=2)
        for stance, colour in STANCE_COLOURS.items()
    }
    any_stance = np.logical_or.reduce(list(drawn.values()))
    rows, columns = np.nonzero(any_stance)
    figures = {
        "pixels": int(any_stance.sum()),
        "rows": len(set(rows)),
        "columns": len(set(columns)),
        "colours": sum(1 for mask in drawn.values() if mask.sum() >= 300),
    }
    # the legend alone: one row of ten swatches, about 100 pixels each, about 15 rows high
    assert figures["pixels"] > 5_000 and figures["rows"] > 150, figures
    assert figures["columns"] > 300 and figures["colours"] >= 6, figures
    if os.environ.get("MIGTRACK_SCREENSHOT"):
        shutil.copyfile(screenshot, os.environ["MIGTRACK_SCREENSHOT"])


def decode_png(data: bytes) -> np.ndarray:
    """An 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) as an array (height, width, channels)."""
    position, compressed, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            compressed.append(chunk)
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(b"".join(compressed)), dtype=np.uint8).reshape(height, stride + 1)
    image = np.zeros((height, stride), dtype=np.int16)
    above = np.zeros(stride, dtype=np.int16)
    for y in range(height):
        kind, row = raw[y, 0], raw[y, 1:].astype(np.int16)
        if kind == 2:  # up
            row = (row + above) & 0xFF
        elif kind in (1, 3, 4):  # sub, average, Paeth: each byte depends on the one to its left
            for x in range(stride):
                left = row[x - channels] if x >= channels else 0
                up = above[x]
                if kind == 1:
                    predicted = left
                elif kind == 3:
                    predicted = (left + up) // 2
                else:
                    up_left = above[x - channels] if x >= channels else 0
                    guess = left + up - up_left
                    distances = (abs(guess - left), abs(guess - up), abs(guess - up_left))
                    predicted = (left, up, up_left)[distances.index(min(distances))]
                row[x] = (row[x] + predicted) & 0xFF
        image[y] = above = row
    return image.reshape(height, width, channels).astype(np.uint8)


def test_the_browser_reaches_nothing_beyond_loopback():
    """The two tests above again, in a network namespace with only loopback (``unshare -n``), where every
    IPv4 and IPv6 address is routed to loopback: so each attempt to reach elsewhere is refused locally and
    counted, rather than failing silently for want of a route (and Chromium's IPv6 probe, a UDP connect that
    sends nothing, finds a route). The run there asserts that no counter moved around each browser run."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("needs root, unshare and ip to make a network namespace; isolation not proven here")
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not allowed here (no CAP_SYS_ADMIN); isolation not proven here")
    script = (
        "ip link set lo up && ip route add local 0.0.0.0/0 dev lo && ip -6 route add local ::/0 dev lo && "
        f"exec {sys.executable} -m pytest -q --tb=line -p no:cacheprovider tests/test_timeline_page.py "
        "-k 'not beyond_loopback'"
    )
    run = subprocess.run(
        ["unshare", "-n", "sh", "-c", script],
        cwd=REPO,
        env={**os.environ, "MIGTRACK_LOOPBACK_ONLY": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if run.returncode != 0 or "2 passed" not in run.stdout:
        pytest.fail(f"in the loopback-only namespace:\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}", pytrace=False)
