"""The arrows of CONVENTIONS.md, checked on the import graph (the role an import-linter contract plays).

Every `import` and `from ... import` in the project's packages counts, at module level and inside functions
alike, since a function-level import is still an arrow. Migrations are left out (they name apps by string).
The graph's nodes are the top-level apps and engagement's sub-apps (engagement.points, engagement.badges, ...);
forum's own packages count as the forum, except forum.lib, which knows no domain.

1. No arrow points up: each node imports only what ALLOWED names for it.
2. No cycle, between apps or between engagement's sub-apps.
3. The failure names the module that makes the offending arrow, so the fix is obvious.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "forum", "cms", "engagement", "realtime", "search", "audit", "messaging", "mailings")
FOLDERS_NOT_SUBAPPS = {"migrations", "templatetags", "management", "templates", "static"}

# node -> the nodes it may import ("realtime.publish": only that module of realtime, the one publish helper). Engagement's sub-apps may import
# each other as long as no cycle forms (rule 2); the engagement package itself sits above its sub-apps.
HELPERS = {"audit", "forum.lib", "realtime.publish"}
ALLOWED = {
    "config": {"*"},
    "cms": {"forum", "engagement", "search", *HELPERS},
    "engagement": {"forum", *HELPERS},
    # the base every sub-app may use: the sub-apps' own extension points, and the member-flair joins
    "engagement.extension": {"forum"},
    "engagement.selectors": {"forum"},
    "search": {"forum", *HELPERS},
    # private messages: levels (engagement) gate who starts a conversation; the live stream is realtime's
    "messaging": {"forum", "engagement", "realtime", *HELPERS},
    # email notifications and the digest mail: above what they mail about
    "mailings": {"forum", "engagement", "messaging", "cms", *HELPERS},
    "realtime": {"forum", "audit", "forum.lib"},
    "forum": {"audit", "forum.lib"},
    "forum.lib": set(),
    "audit": set(),
}


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def node_of(module):
    """The graph node a module belongs to."""
    parts = module.split(".")
    if module.startswith("forum.lib"):
        return "forum.lib"
    if module.split(".")[:2] in (["engagement", "extension"], ["engagement", "selectors"]):
        return module.split(".")[0] + "." + module.split(".")[1]  # the sub-apps' shared base, below them all
    if parts[0] == "engagement" and len(parts) > 1 and parts[1] not in FOLDERS_NOT_SUBAPPS \
            and (ROOT / "engagement" / parts[1]).is_dir():
        return f"engagement.{parts[1]}"
    return parts[0]


def _is_module(dotted):
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path, module):
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:  # `from pkg import module` is an arrow to the module, else to pkg
                yield f"{target}.{alias.name}" if _is_module(f"{target}.{alias.name}") else target


def project_arrows():
    """{(from node, to node): [modules making that arrow]} over the whole project."""
    arrows = defaultdict(set)
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = _module_name(path)
            source = node_of(module)
            for target in imported_modules(path, module):
                if target.split(".")[0] not in APPS:
                    continue
                dest = node_of(target)
                if dest == "realtime" and source != "realtime" and target.startswith("realtime.publish"):
                    dest = "realtime.publish"
                if dest != source:
                    arrows[(source, dest)].add(module)
    return arrows


def _allowed(source, dest):
    rules = ALLOWED[source] if source in ALLOWED else ALLOWED[source.split(".")[0]]
    if "*" in rules or dest in rules:
        return True
    if dest in ("engagement.extension", "engagement.selectors"):
        return source.startswith("engagement")
    if source.startswith("engagement") and dest.startswith("engagement.") and source not in ALLOWED:
        return True  # the package above its sub-apps, or one sub-app on another: rule 2 judges it
    if source == "engagement" and dest.startswith("engagement."):
        return True
    if dest.startswith("engagement.") and "engagement" in rules:
        return True
    return False


def test_no_arrow_points_up():
    wrong = sorted(f"{a} -> {b} (in {', '.join(sorted(mods))})" for (a, b), mods in project_arrows().items()
                   if not _allowed(a, b))
    assert wrong == []


def test_the_sub_apps_import_not_the_engagement_package():
    """The engagement package (its urls, api, pages) composes the sub-apps; a sub-app that imported it back
    would make a cycle through it."""
    up = sorted(f"{a} (in {', '.join(sorted(mods))})" for (a, b), mods in project_arrows().items()
                if b == "engagement" and a.startswith("engagement."))
    assert up == []


def _cycles(arrows):
    graph = defaultdict(set)
    for source, dest in arrows:
        graph[source].add(dest)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(graph) | {d for ds in graph.values() for d in ds}):
        if node not in index:
            visit(node)
    return found


def test_no_cycles_between_apps_or_sub_apps():
    arrows = project_arrows()
    report = []
    for component in _cycles(arrows):
        report.append(" / ".join(component))
        report += [f"  {a} -> {b}: {', '.join(sorted(mods))}" for (a, b), mods in sorted(arrows.items())
                   if a in component and b in component]
    assert report == []


def test_the_checker_sees_function_level_imports_and_cycles():
    """The checker itself: an import inside a function is an arrow, and a two-node loop is a cycle."""
    assert _cycles({("engagement.points", "engagement.badges"): {"x"},
                    ("engagement.badges", "engagement.points"): {"y"}}) == [["engagement.badges",
                                                                           "engagement.points"]]
    arrows = project_arrows()
    # engagement.polls imports realtime.publish only inside a function
    assert "engagement.polls.services" in arrows[("engagement.polls", "realtime.publish")]
    assert not _allowed("forum", "engagement.points") and not _allowed("engagement.points", "cms")
    assert not _allowed("search", "engagement") and _allowed("cms", "engagement.events")
