"""Settings for bench/fanout.py: the project's settings, with the channel layer chosen by
FANOUT_LAYER ("core": channels_redis.core.RedisChannelLayer, the project default; "pubsub":
channels_redis.pubsub.RedisPubSubChannelLayer)."""

import os

from config.settings import *  # noqa: F403
from config.settings import REDIS_URL

if os.environ.get("FANOUT_LAYER") == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNELS_PREFIX", "huoli")},
        }
    }
