"""Runtime and development requirements apart: requirements.txt is what the Docker image installs and
holds no test, lint or browser tool; requirements-dev.txt adds them on top (-r requirements.txt). Every
third-party module that non-test code imports comes from a distribution of the runtime file, and the
runtime file pins the whole dependency closure of what it names (so the image installs no unpinned
version)."""

import ast
import re
import sys
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_CODE = ["audit", "cms", "config", "engagement", "forum", "mailings", "messaging", "realtime", "search",
                "manage.py", "docker/healthcheck.py"]
FIRST_PARTY = {"audit", "cms", "config", "engagement", "forum", "mailings", "messaging", "realtime", "search",
               "tools", "bench", "tests"}
DEV_TOOLS = {"pytest", "pytest-django", "pytest-xdist", "pytest-asyncio", "playwright", "schemathesis", "hypothesis",
             "ruff", "factory-boy", "faker", "vulture", "aiosmtpd"}


def pins(path):
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-r ")):
            continue
        name, sep, version = line.partition("==")
        assert sep and re.fullmatch(r"[0-9][0-9A-Za-z.+-]*", version), f"{path}: not pinned: {line}"
        found[canonicalize_name(name)] = version
    return found


def test_the_runtime_set_holds_no_development_tool():
    assert not DEV_TOOLS & set(pins("requirements.txt"))


def test_the_development_set_adds_the_tools_on_top_of_the_runtime_set():
    text = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in text.splitlines()
    dev = pins("requirements-dev.txt")
    assert DEV_TOOLS <= set(dev)
    assert not set(dev) & set(pins("requirements.txt")), "a package pinned in both files"


def test_the_docker_image_installs_the_runtime_set_only():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "pip install -r /tmp/requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    assert "-r requirements-dev.txt" in (ROOT / "scripts" / "_bootstrap.sh").read_text()


def _third_party_imports():
    modules = {}
    stdlib = set(sys.stdlib_module_names)
    for entry in RUNTIME_CODE:
        path = ROOT / entry
        files = [path] if path.is_file() else path.rglob("*.py")
        for file in files:
            if "migrations" in file.parts:
                continue
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in stdlib and top not in FIRST_PARTY:
                        modules.setdefault(top, str(file.relative_to(ROOT)))
    return modules


def test_every_module_the_code_imports_is_in_the_runtime_set():
    runtime = set(pins("requirements.txt"))
    owners = packages_distributions()
    imports = _third_party_imports()
    assert {"django", "wagtail", "celery", "channels", "numpy"} <= set(imports)  # the walk found the code
    missing = {module: file for module, file in imports.items()
               if not {canonicalize_name(d) for d in owners.get(module, [module])} & runtime}
    assert not missing, f"imported by runtime code but not in requirements.txt: {missing}"


def test_the_runtime_set_pins_its_whole_dependency_closure():
    runtime = pins("requirements.txt")
    unpinned = set()
    for name in runtime:
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for spec in requires:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(req.name) not in runtime:
                unpinned.add(f"{req.name} (needed by {name})")
    assert not unpinned, sorted(unpinned)


def test_every_app_and_middleware_the_settings_load_is_in_the_runtime_set(settings):
    """Settings name modules by string (INSTALLED_APPS, MIDDLEWARE, backends): those count as imports too."""
    runtime = set(pins("requirements.txt"))
    owners = packages_distributions()
    named = [*settings.INSTALLED_APPS, *settings.MIDDLEWARE, settings.CHANNEL_LAYER_BACKENDS["pubsub"]
             if hasattr(settings, "CHANNEL_LAYER_BACKENDS") else "channels_redis.pubsub",
             "storages.backends.s3", "gunicorn", "uvicorn", "whitenoise"]
    stdlib = set(sys.stdlib_module_names)
    missing = sorted({name for name in named if (top := name.split(".")[0]) not in FIRST_PARTY and top not in stdlib
                      and not {canonicalize_name(d) for d in owners.get(top, [top])} & runtime})
    assert not missing, f"named by the settings or the entry point but not in requirements.txt: {missing}"
