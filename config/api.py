"""The JSON API at /api/v1/: one NinjaAPI (OpenAPI schema at /api/v1/openapi.json, docs at
/api/v1/docs) to which each app contributes a router from its own api.py."""

import json

from ninja import NinjaAPI, Swagger
from ninja.openapi.docs import render_template

from engagement.api import register as register_engagement
from engagement.bounties.api import register as register_bounties
from engagement.events.api import register as register_events
from engagement.lotteries.api import register as register_lotteries
from engagement.polls.api import register as register_polls
from engagement.shop.api import register as register_shop
from engagement.tips.api import register as register_tips
from forum.api import register as register_forum
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


api = NinjaAPI(title="Huoli API", version="1", urls_namespace="api", docs_url="/docs", docs=SessionSwagger())
register_forum(api)
register_engagement(api)
register_polls(api)
register_lotteries(api)
register_events(api)
register_shop(api)
register_tips(api)
register_bounties(api)
register_search(api)
