"""The JSON API at /api/v1/: one NinjaAPI (OpenAPI schema at /api/v1/openapi.json, docs at
/api/v1/docs) to which each app contributes a router from its own api.py."""

import json

from ninja import NinjaAPI, Swagger
from ninja.openapi.docs import render_template

from engagement.api import register as register_engagement
from engagement.bounties.api import register as register_bounties
from engagement.commissions.api import register as register_commissions
from engagement.events.api import register as register_events
from engagement.follows.api import register as register_follows
from engagement.lotteries.api import register as register_lotteries
from engagement.polls.api import register as register_polls
from engagement.shop.api import register as register_shop
from engagement.tasks.api import register as register_tasks
from engagement.tips.api import register as register_tips
from forum.api import register as register_forum
from forum.groups.api import register as register_groups
from messaging.api import register as register_messaging
from search.api import register as register_search


class SessionSwagger(Swagger):
    """Swagger UI whose "Try it out" sends the X-CSRFToken header. Our writes accept the session
    (with Django's CSRF check) or a Bearer token, per operation; django-ninja adds the header only
    when an API-wide auth asks for CSRF, which ours doesn't, so a signed-in member's session writes
    from the docs page failed with 403."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": True}
        return render_template(request, self.template, self.template_cdn, context)


BAD_TEXT_400 = ("Bad request: the body is not JSON, or a parameter or string field holds a NUL byte, a lone "
                "surrogate or a control character (code `invalid_text`, `field` names it).")


class HuoliAPI(NinjaAPI):
    """The API, whose OpenAPI document also lists the 400 that forum.lib.badtext answers before any
    operation runs, on every operation: even one whose parameters are all numbers has a path, and a
    control character in any part of it (`/api/v1/topics/%02/posts`) is refused before routing."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        if "ErrorOut" not in schema.get("components", {}).get("schemas", {}):
            return schema
        for item in schema["paths"].values():
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    operation["responses"].setdefault("400", {
                        "description": BAD_TEXT_400, "content": {"application/json": {"schema": error_ref}}})
        return schema


api = HuoliAPI(title="Huoli API", version="1", urls_namespace="api", docs_url="/docs", docs=SessionSwagger())
register_forum(api)
register_groups(api)
register_engagement(api)
register_polls(api)
register_lotteries(api)
register_events(api)
register_shop(api)
register_tips(api)
register_tasks(api)
register_bounties(api)
register_commissions(api)
register_follows(api)
register_search(api)
register_messaging(api)
