"""The published OpenAPI schema tells the truth: no two different schemas share a name.

OpenAPI components are keyed by name, so two classes called VoteIn (a post vote and a poll ballot)
collapse into one and an operation is documented with the other's body. This walks every operation
of the API (request and response models, and every model nested in them) and fails on a name used
by two classes of different shapes; then checks that every operation's documented body is the
shape of the model it really takes. It also checks that every operation that takes text documents
the 400 the bad-text check answers."""

import types
import typing

from pydantic import BaseModel

from config.api import api

SCHEMA = api.get_openapi_schema()
OUR_APPS = {"forum", "engagement", "search", "cms", "config", "audit", "realtime"}


def _models_in(annotation, found):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            _models_in(arg, found)


def _operations():
    for bound in api._get_bound_routers():  # noqa: SLF001 - ninja's own schema generator walks the same
        for path_view in bound.path_operations.values():
            yield from path_view.operations


def _all_models():
    found = set()
    for op in _operations():
        for model in op.models:
            _models_in(model, found)
        for model in op.response_models.values():
            if isinstance(model, type):
                _models_in(model, found)
    # ninja's per-operation wrappers (input params, "Response" envelopes) are not published by name
    return {m for m in found if m.__module__.split(".")[0] in OUR_APPS}


def test_the_operations_were_walked():
    names = {m.__name__ for m in _all_models()}
    assert {"TopicCreateIn", "PostOut", "ErrorOut"} <= names
    assert len(names) > 30


def test_no_schema_name_is_defined_twice_with_different_shapes():
    by_name = {}
    for model in _all_models():
        by_name.setdefault(model.__name__, []).append(model)
    clashes = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in by_name.items()
        if len({repr(sorted(m.model_json_schema().get("properties", {}).items())) for m in models}) > 1
    }
    assert clashes == {}


def test_every_component_is_the_shape_of_its_model():
    components = SCHEMA["components"]["schemas"]
    for model in _all_models():
        if model.__name__ in components:
            published = set(components[model.__name__].get("properties", {}))
            assert published == set(model.model_json_schema().get("properties", {})), model.__name__


def test_operations_that_take_text_document_400():
    missing = []
    for route, item in SCHEMA["paths"].items():
        for method, op in item.items():
            takes_text = "requestBody" in op or any(
                p.get("schema", {}).get("type") == "string" for p in op.get("parameters", []))
            if takes_text and "400" not in op["responses"]:
                missing.append(f"{method.upper()} {route}")
    assert missing == []
