"""Fetching a feed and its files over HTTP(S) with bounds: a time limit, a size limit, a few
redirects, http and https only, allowed hosts only; conditional requests (ETag,
Last-Modified) so a feed ingested again fetches only what changed."""

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from app.text.links import host_of

MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 20.0
MAX_BYTES = 32 * 2**20
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """One line saying why a URL could not be fetched."""


@dataclass
class Fetched:
    url: str  # where it was found, after redirects
    body: bytes | None  # None: unchanged since the validators given
    etag: str | None = None
    last_modified: str | None = None


class Fetcher:
    """One HTTP client for a run. `allowed_hosts` None: any host (a feed file the keeper chose);
    else a redirect or file elsewhere is refused."""

    def __init__(
        self,
        allowed_hosts: set[str] | None = None,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.allowed_hosts = allowed_hosts
        self.max_bytes = max_bytes
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": "talks-archive (podcast transcripts)"},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _hop in range(MAX_REDIRECTS + 1):
            self._check(url)
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 304:
                        return Fetched(url, None, etag, last_modified)
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise FetchError(f"{url}: HTTP {response.status_code}")
                    body = self._read(url, response)
                    return Fetched(
                        url,
                        body,
                        response.headers.get("etag"),
                        response.headers.get("last-modified"),
                    )
            except httpx.TimeoutException:
                raise FetchError(
                    f"{url}: no answer within {self.client.timeout.read:.0f} s"
                ) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _check(self, url: str) -> None:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https addresses are fetched")
        host = host_of(url)
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            allowed = ", ".join(sorted(self.allowed_hosts))
            raise FetchError(
                f"{url}: on {host}, not the feed's host ({allowed}); add it with --allow-host"
            )

    def _read(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: larger than {self.max_bytes // 2**20} MiB")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url}: larger than {self.max_bytes // 2**20} MiB")
            chunks.append(chunk)
        return b"".join(chunks)
