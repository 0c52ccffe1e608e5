"""The deployment recipe as shipped: Debian's nginx with exactly the site file of
docs/deployment/ in front of `talks serve`, on free ports. What a visitor and an operator meet
goes through nginx."""

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE, SAMPLE_SLUG
from tests.servers import TALKS, free_port, talks_server

pytestmark = pytest.mark.e2e

SITE = ROOT / "docs" / "deployment" / "nginx-talks.conf"
UNIT = ROOT / "docs" / "deployment" / "talks.service"
PUBLIC = "https://talks.example.org"


def site_for(upstream: int, listen: int) -> str:
    """The shipped site with the two lines docs/deployment.md says to set: the port nginx
    listens on and the port of `talks serve`."""
    text = SITE.read_text()
    assert "listen 80;" in text and "server 127.0.0.1:8000;" in text
    return text.replace("listen 80;", f"listen 127.0.0.1:{listen};").replace(
        "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"
    )


@pytest.fixture(scope="module")
def through_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (make test installs it as root: apt-get install nginx)")
    work = tmp_path_factory.mktemp("nginx")
    db = f"sqlite:///{work / 'talks.db'}"
    done = subprocess.run([TALKS, "ingest", str(SAMPLE), "--db", db], capture_output=True)
    assert done.returncode == 0, done.stderr
    env = {"TALKS_PUBLIC_URL": PUBLIC, "TALKS_MAX_CONNECTIONS_PER_CLIENT": "0"}
    with talks_server(db, work / "serve.log", env=env) as upstream:
        listen = free_port()
        (work / "site.conf").write_text(site_for(int(upstream.rsplit(":", 1)[1]), listen))
        user = "user root;\n" if os.geteuid() == 0 else ""
        (work / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {work}/nginx.pid;\n"
            f"error_log {work}/error.log;\nevents {{ worker_connections 256; }}\n"
            "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
            + "".join(
                f"  {kind}_temp_path {work}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {work}/site.conf;\n}}\n"
        )
        proc = subprocess.Popen(
            [nginx, "-c", str(work / "nginx.conf"), "-p", str(work)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{listen}"
        try:
            give_up = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        pytest.fail(f"nginx exited: {proc.stderr.read().decode()[-2000:]}")
                    if time.monotonic() > give_up:
                        raise
                    time.sleep(0.1)
            yield base
        finally:
            proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(20)
            proc.stderr.close()  # type: ignore[union-attr]


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url, method=method, headers=headers or {})
    return urllib.request.urlopen(request, timeout=30)


def test_pages_search_and_share_links_through_nginx(through_nginx: str) -> None:
    with fetch(through_nginx + "/") as page:
        assert page.status == 200 and "<title>" in page.read().decode()
    with fetch(through_nginx + "/api/search?q=kaggle") as response:
        hit = json.load(response)["hits"][0]
    assert hit["absolute_url"] == PUBLIC + hit["url"]
    with fetch(through_nginx + hit["url"]) as talk:
        assert f'value="{PUBLIC}/talks/{SAMPLE_SLUG}' in talk.read().decode()
    with fetch(through_nginx + "/", method="HEAD") as head:
        assert head.status == 200 and head.read() == b""


def test_responses_are_compressed_and_static_files_cached(through_nginx: str) -> None:
    with fetch(through_nginx + "/") as page:
        (css,) = re.findall(r'href="(/static/style\.css\?v=[0-9a-f]+)"', page.read().decode())
    with fetch(through_nginx + css, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert b"{" in gzip.decompress(response.read())
        assert "max-age=31536000" in response.headers["Cache-Control"]
    with fetch(through_nginx + "/api/talks", headers={"Accept-Encoding": "gzip"}) as api:
        assert api.headers["Content-Encoding"] == "gzip"
        assert json.loads(gzip.decompress(api.read()))["talks"]


def test_a_slow_client_is_cut_off_and_a_body_refused(through_nginx: str) -> None:
    host, port = through_nginx.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")  # the headers never end
        slow.settimeout(60)
        answer = b""
        try:
            while chunk := slow.recv(4096):
                answer += chunk
        except ConnectionResetError:
            pass
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
    big = urllib.request.Request(
        through_nginx + "/api/search?q=x", data=b"x" * 100_000, method="GET"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(big, timeout=30)
    assert refused.value.code == 413
    refused.value.close()


def test_operators_endpoints_through_nginx(through_nginx: str) -> None:
    with fetch(through_nginx + "/readyz") as ready:
        assert json.load(ready)["status"] == "ready"
    with fetch(through_nginx + "/metrics") as metrics:  # from this machine: allowed
        assert "talks_requests_total" in metrics.read().decode()


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (no systemd in this machine)")
    unit = tmp_path / "talks.service"
    unit.write_text(UNIT.read_text().replace("/opt/talks/bin/talks", TALKS))
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
