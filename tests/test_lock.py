"""requirements/ci.txt (the lock CI installs from) covers every dependency pyproject.toml declares.

A pin that is missing or outside its range would let CI install something the lock does not fix
(or fail to install at all); the refresh command is in requirements/README.md.
"""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "ci.txt").read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        reqs += [Requirement(r) for r in extra]
    return reqs


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = _pins()
    assert pins, "requirements/ci.txt has no pins"
    problems = []
    for req in _declared():
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: no pin in requirements/ci.txt")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req.name}: pinned {pins[name]}, outside {req.specifier}")
    assert not problems, "refresh the lock (requirements/README.md):\n" + "\n".join(problems)


def test_ci_installs_from_the_lock():
    ci = (ROOT / ".ci" / "run").read_text()
    installs = [line for line in ci.splitlines()
                if re.search(r"\bpip install\b", line) and not line.lstrip().startswith("#")]
    assert installs and all("-c requirements/ci.txt" in line for line in installs), installs


def test_installer_and_build_backend_are_pinned():
    pins = _pins()
    assert {"pip", "setuptools"} <= set(pins)
