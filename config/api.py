"""The JSON API at /api/v1/: one NinjaAPI (OpenAPI schema at /api/v1/openapi.json, docs at
/api/v1/docs) to which each app contributes a router from its own api.py."""

from ninja import NinjaAPI

from engagement.api import register as register_engagement
from engagement.events.api import register as register_events
from engagement.lotteries.api import register as register_lotteries
from engagement.polls.api import register as register_polls
from forum.api import register as register_forum
from search.api import register as register_search

api = NinjaAPI(title="Huoli API", version="1", urls_namespace="api", docs_url="/docs")
register_forum(api)
register_engagement(api)
register_polls(api)
register_lotteries(api)
register_events(api)
register_search(api)
