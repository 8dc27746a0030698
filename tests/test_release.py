"""Release hygiene (issue 17): licence, changelog, one repository URL, the tag the README names,
and a wheel that works outside the source tree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
VERSION = PYPROJECT["project"]["version"]
REPO_URL = PYPROJECT["project"]["urls"]["Repository"]
TAG = f"v{VERSION}"
#: files a user reads or a tool publishes (tests/corpus holds third-party files with their own URLs)
PUBLISHED = ["README.md", "CHANGELOG.md", "action.yml", ".pre-commit-hooks.yaml", "pyproject.toml",
             "stablint/schemas/config.schema.json", "stablint/linter/reporters/sarif.py", "docs/signals.md"]


def test_license_is_apache_2():
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 10_000  # the full text, not a stub
    assert PYPROJECT["project"]["license"] == {"text": "Apache-2.0"}


def test_changelog_has_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(VERSION)}\]", text, re.M), VERSION
    assert "## [Unreleased]" in text


def test_readme_rev_names_the_release_tag():
    readme = (ROOT / "README.md").read_text()
    revs = re.findall(r"^\s*rev:\s*(\S+)", readme, re.M)
    uses = re.findall(r"uses:\s*stablint/stablint@(\S+)", readme)
    assert revs and uses and set(revs) == set(uses) == {TAG}, (revs, uses)


def test_one_repository_url_everywhere():
    owner_repo = REPO_URL.removeprefix("https://github.com/")
    found = {}
    for rel in PUBLISHED:
        for m in re.finditer(r"github\.com/([\w.-]+/stablint)\b", (ROOT / rel).read_text()):
            found.setdefault(m.group(1), set()).add(rel)
    for m in re.finditer(r"^\s*-?\s*uses:\s*([\w.-]+/stablint)@", (ROOT / "README.md").read_text(), re.M):
        found.setdefault(m.group(1), set()).add("README.md uses:")
    assert set(found) == {owner_repo}, found
    assert "OWNER/" not in (ROOT / "README.md").read_text()


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def test_wheel_works_from_a_clean_venv(tmp_path):
    """Build the wheel, install it (no source tree on sys.path) into a fresh venv, run the CLI.

    The venv gets the wheel only; its dependencies come from this interpreter's site-packages via
    a ``.pth`` line (a path line does not run that directory's own ``.pth`` files, so the editable
    install of the source tree stays out). STABLINT_WHEEL_FULL=1 installs the dependencies from the
    index instead (slow, needs the network).
    """
    dist = tmp_path / "dist"
    res = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist),
                str(ROOT)])
    if res.returncode != 0 and "setuptools" in res.stderr:
        pytest.skip("setuptools is not installed in this environment (the build backend)")
    assert res.returncode == 0, res.stderr
    wheel = next(dist.glob("stablint-*.whl"))
    venv = tmp_path / "venv"
    full = bool(os.environ.get("STABLINT_WHEEL_FULL"))
    assert _run([sys.executable, "-m", "venv", *([] if full else ["--without-pip"]), str(venv)]).returncode == 0
    py = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    if full:
        res = _run([str(py), "-m", "pip", "install", "-q", str(wheel)])
    else:
        res = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index",
                    str(wheel)])
        site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
        (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    assert res.returncode == 0, res.stderr
    exe = venv / ("Scripts" if os.name == "nt" else "bin") / "stablint"
    work = tmp_path / "work"
    work.mkdir()
    (work / ".stablint.yaml").write_text("fail-on: error\n")  # the packaged config schema is read
    (work / "t.yaml").write_text("training:\n  learning_rate: 2.0e-4\n  learning_rate: 1.0e-3\n")
    where = _run([str(py), "-c", "import stablint; print(stablint.__file__)"], cwd=work).stdout.strip()
    assert where.startswith(str(venv)), where  # the wheel's copy, not the source tree
    assert _run([str(exe), "--version"], cwd=work).stdout.strip().endswith(VERSION)
    lint = _run([str(exe), "lint", "t.yaml", "--format", "sarif"], cwd=work)
    assert lint.returncode == 1 and '"ruleId": "STL001"' in lint.stdout, lint.stderr
    assert "duplicate-key" in _run([str(exe), "explain", "STL001"], cwd=work).stdout
    assert _run([str(exe), "rules"], cwd=work).returncode == 0
    files = _run([str(py), "-c", "import importlib.metadata as m; print(m.files('stablint'))"], cwd=work).stdout
    assert "LICENSE" in files and "py.typed" in files and "config.schema.json" in files
