"""buildout.cfg really builds the application (O3).

A copy of the checkout gets a fresh virtualenv with the pinned zc.buildout, runs ``bin/buildout``
and must end with working ``bin/portal`` and ``bin/pserve`` scripts that import the copy.

Downloads are kept in a cache (``PORTAL_BUILDOUT_CACHE``, else pytest's cache directory), so a
second run installs everything from it without the network; a first run, or a run after a pin
changed, reads PyPI. It takes about 30-45 seconds either way: most of the time goes into
unpacking the distributions into eggs, not into downloading them.
"""
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 900
# What a checkout may hold that is not the project: virtualenvs and buildout's own output.
ARTEFACTS = {".venv", "venv", "bin", "lib", "lib64", "include", "pyvenv.cfg", "eggs",
             "develop-eggs", "parts", "var", ".installed.cfg", ".mr.developer.cfg",
             ".pytest_cache", ".ruff_cache", "__pycache__", ".git"}
# zc.buildout and what it needs in the virtualenv that runs it, at the versions buildout.cfg pins.
BOOTSTRAP = ("zc.buildout", "setuptools", "pip", "wheel", "packaging", "platformdirs")


def _is_artefact(relpath):
    parts = Path(relpath).parts
    return parts[0] in ARTEFACTS or any(
        p == "__pycache__" or p.endswith(".egg-info") for p in parts)


def _checkout_files():
    """Relative paths of the checkout's files: tracked ones, plus untracked ones git does not
    ignore (work in progress), less virtualenvs and build output. Entries ending in "/" are
    whole untracked directories."""
    def git(*args):
        out = subprocess.run(["git", "-C", str(ROOT), *args], check=True,
                             capture_output=True).stdout
        return [p for p in out.decode().split("\0") if p]

    # The suite always runs in a git checkout (CI clones it); outside one this fails loudly.
    tracked = git("ls-files", "-z")
    untracked = git("ls-files", "-z", "--others", "--exclude-standard", "--directory")
    return [p for p in tracked if (ROOT / p).exists()] + [
        p for p in untracked if not _is_artefact(p)]


def _copy_checkout(dest):
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for rel in _checkout_files():
        src, dst = ROOT / rel, dest / rel
        if rel.endswith("/"):
            shutil.copytree(src, dst, ignore=ignore, symlinks=True, dirs_exist_ok=True)
        elif not src.is_dir():          # a tracked submodule is a directory: skip it
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst, follow_symlinks=False)


def _pins(cfg):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str.lower
    parser.read(cfg, encoding="utf-8")
    versions = parser["buildout"].get("versions", "versions")
    return {name.lower(): value.strip() for name, value in parser[versions].items()}


def _run(cmd, cwd, env):
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT, check=False)
    return result.returncode, result.stdout + result.stderr


def _cache_dir(pytestconfig, tmp_path):
    configured = os.environ.get("PORTAL_BUILDOUT_CACHE")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    if getattr(pytestconfig, "cache", None) is None:      # run with -p no:cacheprovider
        return tmp_path / "cache"
    return Path(pytestconfig.cache.mkdir("portal-buildout"))


def _install_buildout(venv, requirements, wheels, env):
    """The pinned zc.buildout in a new virtualenv: from the wheel cache when it has them all,
    else downloaded into it first."""
    code, out = _run([sys.executable, "-m", "venv", venv], venv.parent, env)
    assert code == 0, out
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--no-index", "--find-links",
           wheels, *requirements]
    code, out = _run(pip, venv.parent, env)
    if code:
        code, out = _run([venv / "bin" / "python", "-m", "pip", "download", "-d", wheels,
                          *requirements], venv.parent, env)
        assert code == 0, out
        code, out = _run(pip, venv.parent, env)
    assert code == 0, out


def test_buildout_makes_portal_and_pserve_scripts(tmp_path, pytestconfig):
    checkout = tmp_path / "checkout"
    _copy_checkout(checkout)
    assert (checkout / "buildout.cfg").is_file()
    pins = _pins(checkout / "buildout.cfg")
    missing = [name for name in BOOTSTRAP if name not in pins]
    assert not missing, f"buildout.cfg [versions] must pin {missing}"

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    cache = _cache_dir(pytestconfig, tmp_path)
    venv = tmp_path / "venv"
    _install_buildout(venv, [f"{name}=={pins[name]}" for name in BOOTSTRAP],
                      cache / "wheels", env)

    # -U: ignore ~/.buildout/default.cfg, the build depends on buildout.cfg alone.
    buildout = [venv / "bin" / "buildout", "-U", "-c", "buildout.cfg",
                f"buildout:download-cache={cache / 'downloads'}"]
    code, out = _run([*buildout, "buildout:install-from-cache=true"], checkout, env)
    if code:                            # the cache lacks something: fetch it from PyPI
        code, out = _run(buildout, checkout, env)
    assert code == 0, f"bin/buildout failed:\n{out}"

    bin_dir = checkout / "bin"
    for script in ("portal", "pserve"):
        assert (bin_dir / script).is_file(), f"no bin/{script}:\n{out}"
    code, out = _run([bin_dir / "portal", "--help"], checkout, env)
    assert code == 0, out
    assert "usage" in out.lower()
    code, out = _run([bin_dir / "pserve", "--help"], checkout, env)
    assert code == 0, out
    # The scripts run the copy, developed in place, not some installed portal.
    code, out = _run([bin_dir / "py", "-c", "import portal; print(portal.__file__)"],
                     checkout, env)
    assert code == 0, out
    assert Path(out.strip().splitlines()[-1]).is_relative_to(checkout / "src"), out
