"""Where the archive's own files are: the templates, static files and migrations. An installed
wheel carries them inside the package (app/bundled/, written there by setup.py); a checkout
keeps them at its root, beside app/."""

from importlib import resources
from pathlib import Path

BUNDLED = "bundled"
SHIPPED = ("templates", "static", "migrations")


def resource_dir(name: str) -> Path:
    """The folder `name` (one of SHIPPED) as this installation holds it."""
    bundled = Path(str(resources.files("app").joinpath(BUNDLED, name)))
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / name
