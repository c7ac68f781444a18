"""The suites ship in the wheel: a wheel built from the checkout, installed into a fresh
virtualenv outside it, runs the conformance suites against the embedded mock and passes.

The fresh virtualenv borrows the already installed dependencies (pydantic, FastAPI, ...)
through a path entry, so the test needs no network; the harness itself comes only from the
wheel (the test asserts where it was imported from). CI also installs the wheel with its
dependencies from the registry into an empty virtualenv (.ci/run)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.subprocess
_PIP = (sys.executable, "-m", "pip")


def test_the_package_list_is_every_package_on_disk() -> None:
    # Given the explicit package list of pyproject.toml (needed to map harness.scenarios)
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]
    # Then it names every package under harness/, and the suites
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "harness").rglob("__init__.py")
    }
    assert set(listed) == on_disk | {"harness.scenarios"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel of the checkout installed."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            *_PIP,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (work / "dist").glob("ocpi_harness-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies, from this environment (a plain path entry: its .pth files, such as the
    # editable install of the checkout, are not processed)
    (Path(site) / "borrowed-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    subprocess.run(
        [*_PIP, "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env_dir


@pytest.mark.slow
def test_the_installed_wheel_runs_the_suites_against_the_embedded_mock(
    installed: Path, tmp_path: Path
) -> None:
    bin_dir = installed / "bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "OCPI_"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    where = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import harness.scenarios; print(harness.scenarios.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout
    assert where.startswith(str(installed)), where
    # When the documented command runs from a folder outside the checkout
    result = subprocess.run(
        [str(bin_dir / "ocpi-harness"), "run", "-q", "--ocpi-report", "reports"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    # Then the suites pass and write their reports there
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "passed" in result.stdout
    assert (tmp_path / "reports" / "conformance.html").is_file()
    # And nothing was written into the installed package (pytest's cache goes to the cwd)
    assert not list(installed.rglob(".pytest_cache"))
