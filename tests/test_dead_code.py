"""No dead code: vulture over the apps finds no function, method, property or class that nothing uses.

Django, Wagtail, Channels, Celery and django-ninja call much of a project by name or by decorator, so those
are left out: functions under a registering decorator (@register.*, @router.*, @shared_task, @*.connect,
...), the framework's method names (handle, ready, clean_*, get_*, item_*, ...), and any name that appears
in a template, a static script, or a string (settings name adapters and backends by dotted path; a channel
layer message "topic.event" calls the consumer's topic_event). The tests count as users."""

import re
from pathlib import Path

import vulture

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "forum", "cms", "engagement", "realtime", "search", "audit", "messaging", "mailings")
DECORATORS = ["@register.*", "@router.*", "@*.connect", "@*.connect_durable", "@shared_task", "@app.task", "@hooks.register", "@admin.*",
              "@receiver", "@api.*", "@*.register_lookup"]
FRAMEWORK_NAMES = ["Command", "handle", "add_arguments", "ready", "Meta", "clean", "clean_*", "save", "__str__",
                   "get_*", "has_*_permission", "formfield_for_*", "item_*", "items", "title", "link", "description",
                   "feed_url", "author_name", "receive_json", "decode_json", "encode_json", "connect", "disconnect",
                   "websocket_*", "as_sql", "to_python", "render_page", "*Config", "*Middleware", "is_shown",
                   "process_*", "on_*", "panels", "content_panels",
                   "db_for_read", "db_for_write", "allow_relation", "allow_migrate",  # database router API
                   # Django's widget interface (forum.widgets.ChooserWidget)
                   "value_from_datadict", "value_omitted_from_data", "id_for_label", "format_value", "_render",
                   "prepare_value"]


def _names_used_outside_python():
    names = set()
    for folder in (ROOT / "templates", ROOT / "static", *(ROOT / app for app in APPS)):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".txt", ".js", ".xml"):
                names |= set(re.findall(r"[A-Za-z_]\w*", path.read_text(errors="ignore")))
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for literal in re.findall(r"""["']([\w.:-]+)["']""", path.read_text(encoding="utf-8")):
                names |= set(re.split(r"[.:-]", literal)) | {literal.replace(".", "_")}
    return names


def test_nothing_is_unused():
    scan = vulture.Vulture(verbose=False, ignore_names=FRAMEWORK_NAMES, ignore_decorators=DECORATORS)
    scan.scavenge([str(ROOT / app) for app in APPS] + [str(ROOT / "tests")], exclude=["*/migrations/*"])
    used_elsewhere = _names_used_outside_python()
    unused = sorted(f"{Path(item.filename).relative_to(ROOT)}:{item.first_lineno} {item.typ} {item.name}"
                    for item in scan.get_unused_code(min_confidence=60)
                    if item.typ in ("function", "method", "property", "class") and item.name not in used_elsewhere
                    and not str(item.filename).startswith(str(ROOT / "tests")))
    assert unused == []
