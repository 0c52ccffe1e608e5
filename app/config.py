"""Settings from the environment (prefix TALKS_) or command-line flags, in one place."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_URL = "sqlite:///data/talks.db"


class Settings(BaseSettings):
    """Every setting of the archive; each field is documented in README.md (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="TALKS_", extra="ignore")

    db: str = DEFAULT_DB_URL
    """SQLAlchemy URL of the archive: sqlite:///path or postgresql+psycopg://... (TALKS_DB)."""
    read_db: str | None = None
    """A PostgreSQL read replica for searches and pages; writes go to TALKS_DB (TALKS_READ_DB)."""
    engine: str | None = None
    """Search engine: fts5 (SQLite) or postgres (PostgreSQL), the default inside each database;
    tantivy or whoosh, an index folder kept in step with the database (TALKS_ENGINE)."""
    index_dir: str | None = None
    """Folder for tantivy and Whoosh indexes: default beside the SQLite file, or data/ on each
    node for PostgreSQL (TALKS_INDEX_DIR)."""
    host: str = "127.0.0.1"
    """Address `talks serve` binds to (TALKS_HOST)."""
    port: int = 8000
    """Port `talks serve` listens on (TALKS_PORT)."""
    query_time_limit_ms: int = 5000
    """A search running longer is stopped and answered with a hint (TALKS_QUERY_TIME_LIMIT_MS)."""
    slow_query_ms: int = 200
    """Searches slower than this are logged with their parameters (TALKS_SLOW_QUERY_MS)."""
    media_dir: str | None = None
    """A folder served at /media/, for talks whose sidecar says `media_url: /media/<file>`
    (TALKS_MEDIA_DIR)."""
    public_url: str | None = None
    """The archive's address as people reach it (https://talks.example.org), used for absolute
    links in the API and the share box; default: the address of the request (TALKS_PUBLIC_URL)."""
    cors_origins: str = "*"
    """Origins allowed to read /api/ from a browser, comma-separated; `*` any (the API only
    reads), empty none (TALKS_CORS_ORIGINS)."""
    semantic: bool = True
    """Meaning search (`make semantic`): vectors computed at ingest and searches blended by
    meaning; false turns it off even where the model is installed (TALKS_SEMANTIC)."""
    max_connections_per_client: int = 64
    """Open connections one client address may hold; past it the oldest idle one is closed
    (0: no bound; behind a reverse proxy the proxy bounds each client)
    (TALKS_MAX_CONNECTIONS_PER_CLIENT)."""
    topic_aliases: str | None = None
    """A YAML file joining topics written differently: `mentoring: [mentorship]` shows talks
    tagged either way as one topic (case and plural variants are one without it)
    (TALKS_TOPIC_ALIASES)."""
    feed_dir: str | None = None

    """Folder podcast feeds' episodes are fetched into before they are read: default `feeds/`
    beside the SQLite file, or ~/.cache/talks/feeds for PostgreSQL (TALKS_FEED_DIR)."""
    log_level: str = "INFO"

    """Logging level for the server and CLI (TALKS_LOG_LEVEL)."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
