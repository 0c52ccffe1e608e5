"""The package as a user installs it: the wheel built from this checkout, installed into a new
virtual environment in a temporary folder, run from another folder: `talks --version`,
`talks ingest`, `talks serve` and a search through HTTP, and the files it needs (templates,
static files, migrations) found inside the package."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE
from tests.servers import talks_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # built from a copy of what the sdist holds, so the build writes nothing into the checkout
    source = tmp_path_factory.mktemp("source")
    for name in ("app", "templates", "static", "migrations"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "NOTICE"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = out.glob("talks-*.whl")
    return found


def test_the_wheel_carries_templates_static_files_migrations_and_the_licence(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "app/bundled/templates/talk.html",
        "app/bundled/static/style.css",
        "app/bundled/migrations/env.py",
    ):
        assert shipped in names, shipped
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel; its dependencies come from this suite's environment (a
    path in a .pth file: no download), which holds the checkout only as an editable install
    that a path entry does not activate."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.check_output(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            text=True,
        ).strip()
    )
    (site / "suite-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return venv


def test_the_installed_command_ingests_and_serves_from_anywhere(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    python, talks = installed / "bin" / "python", installed / "bin" / "talks"
    where = subprocess.check_output(
        [str(python), "-c", "import app; print(app.__file__)"], cwd=elsewhere, text=True
    )
    assert where.startswith(str(installed)), where  # the wheel's package, not the checkout
    version = subprocess.run(
        [str(talks), "--version"], cwd=elsewhere, capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.startswith("talks ")
    db = f"sqlite:///{elsewhere / 'talks.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKS_")}
    ingested = subprocess.run(
        [str(talks), "ingest", str(SAMPLE), "--db", db],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert ingested.returncode == 0, ingested.stderr[-2000:]
    with talks_server(db, tmp_path / "serve.log", command=str(talks), cwd=elsewhere) as base:
        with urllib.request.urlopen(base + "/api/search?q=kaggle", timeout=30) as response:
            hits = json.load(response)["hits"]
        assert hits
        for path in (hits[0]["url"], "/static/style.css", "/docs", "/"):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200, path
