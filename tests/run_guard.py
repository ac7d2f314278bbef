"""The executed-count guard: a run that executes fewer tests than it collected fails.

A test that is collected but never runs (skipped, xfailed, or lost because two items share a node id and
pytest-xdist schedules by node id) is a test nobody sees fail. At the end of the session this plugin
compares the node ids collected (after deselection) with the node ids that ran (their call phase passed or
failed, or their setup/teardown raised) and, when fewer ran, prints which ones and turns a green exit status
into a failure. Under xdist the controller does the counting: the workers send it their collected ids and
every report. Loaded from tests/conftest.py, so `scripts/test` and `.ci/run` get it on every stage.
"""

import pytest

_collected: list[str] = []
_ran: set[str] = set()
_worker_ids: dict[str, list[str]] = {}


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    # Items that share a node id (schemathesis gives every operation of a parametrized schema the
    # same one) are told apart by their name, which holds the operation: "test_x[GET /api/v1/...]".
    seen: dict[str, int] = {}
    for item in items:
        seen[item.nodeid] = seen.get(item.nodeid, 0) + 1
    for item in items:
        if seen[item.nodeid] > 1 and item.parent is not None:
            _set_nodeid(item, f"{item.parent.nodeid}::{item.name}")


def _set_nodeid(item, nodeid: str) -> None:
    if hasattr(item, "_id"):  # pytest 9.2 keeps a structured id (NodeId) and derives the string from it
        item._id = type(item._id).parse(nodeid)
    else:
        item._nodeid = nodeid


def pytest_collection_finish(session):
    if not _is_worker(session.config):
        _collected[:] = [item.nodeid for item in session.items]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    _worker_ids[node.gateway.id] = list(ids)


def pytest_runtest_logreport(report):
    if report.when == "call" and (report.passed or report.failed) and not hasattr(report, "wasxfail"):
        _ran.add(report.nodeid)
    elif report.when in ("setup", "teardown") and report.failed:
        _ran.add(report.nodeid)


def _shortfall(collected: list[str]) -> tuple[list[str], list[str]]:
    """(node ids that did not run, node ids collected more than once)."""
    counts: dict[str, int] = {}
    for nodeid in collected:
        counts[nodeid] = counts.get(nodeid, 0) + 1
    duplicated = sorted(n for n, c in counts.items() if c > 1)
    missing = [n for n in counts if n not in _ran]
    return missing, duplicated


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _is_worker(config) or config.option.collectonly or exitstatus not in (pytest.ExitCode.OK,
                                                                               pytest.ExitCode.TESTS_FAILED):
        return
    collected = _collected
    if _worker_ids:  # xdist: every worker collected the same list (xdist checks that)
        collected = next(iter(_worker_ids.values()))
    missing, duplicated = _shortfall(collected)
    executed = len(set(collected)) - len(missing)
    if not missing and not duplicated:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"executed-count guard: collected {len(collected)}, executed {executed}"]
    lines += [f"  collected twice (same node id): {n}" for n in duplicated[:20]]
    lines += [f"  did not run (skipped, xfailed or never scheduled): {n}" for n in missing[:20]]
    if len(missing) > 20:
        lines.append(f"  ... and {len(missing) - 20} more")
    for line in lines:
        if reporter is not None:
            reporter.write_line(line, red=True)
        else:  # pragma: no cover - terminal reporter disabled (-p no:terminal)
            print(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
