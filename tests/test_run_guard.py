"""The executed-count guard (tests/run_guard.py) fails a run that executes fewer tests than it collects:
a skip, an xfail, or items sharing a node id under xdist. Each case runs pytest in a child process on a
throwaway directory with only the guard loaded."""

import os
import subprocess
import sys
import textwrap

from django.conf import settings


def _run(tmp_path, source, *args):
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider -p no:django -p no:randomly\n"
                                          "asyncio_default_fixture_loop_scope = function\n")
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.run_guard", *args, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_a_run_where_everything_ran_passes(tmp_path):
    code, out = _run(tmp_path, """
        def test_one():
            assert 1

        def test_two():
            assert 2
    """)
    assert code == 0, out
    assert "executed-count guard" not in out


def test_a_skipped_test_fails_the_run(tmp_path):
    code, out = _run(tmp_path, """
        import pytest

        def test_one():
            assert 1

        def test_two():
            pytest.skip("not here")
    """)
    assert code == 1, out
    assert "collected 2, executed 1" in out
    assert "test_sample.py::test_two" in out


def test_an_xfail_fails_the_run(tmp_path):
    code, out = _run(tmp_path, """
        import pytest

        @pytest.mark.xfail(reason="later")
        def test_one():
            assert 0
    """)
    assert code == 1, out
    assert "collected 1, executed 0" in out


def test_a_real_failure_keeps_its_own_exit_status(tmp_path):
    code, out = _run(tmp_path, """
        def test_one():
            assert 0
    """)
    assert code == 1, out
    assert "executed-count guard" not in out


def test_items_that_share_a_node_id_all_run_under_xdist(tmp_path):
    """Items with one node id (as schemathesis makes them) get their name as id, so xdist schedules
    each: before, xdist ran one of them and the run reported 1 passed for 3 collected."""
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        from tests.run_guard import _set_nodeid

        def pytest_collection_modifyitems(items):
            for item in items:
                _set_nodeid(item, item.nodeid.split("[")[0])
    """))
    code, out = _run(tmp_path, """
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_same(n):
            assert n
    """, "-n", "2", "--dist", "loadfile")
    assert code == 0, out
    assert "3 passed" in out
    assert "executed-count guard" not in out


def test_items_left_with_one_node_id_fail_the_run(tmp_path):
    """Were the ids still shared when the items run (the renaming undone after it), the reports name one
    test three times: none of the three collected ids ran: the guard fails the run."""
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import pytest

        from tests.run_guard import _set_nodeid

        @pytest.hookimpl(trylast=True)
        def pytest_collection_finish(session):
            for item in session.items:
                _set_nodeid(item, item.nodeid.split("[")[0])
    """))
    code, out = _run(tmp_path, """
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_same(n):
            assert n
    """)
    assert code == 1, out
    assert "executed-count guard: collected 3, executed 0" in out
