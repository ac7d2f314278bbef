"""Settings for bench/fanout.py: the project's settings, with the channel layer chosen by
FANOUT_LAYER ("pubsub": channels_redis.pubsub.RedisPubSubChannelLayer, the project default;
"core": channels_redis.core.RedisChannelLayer)."""

import os

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYER_BACKENDS, CHANNEL_LAYERS

CHANNEL_LAYERS["default"]["BACKEND"] = CHANNEL_LAYER_BACKENDS[os.environ.get("FANOUT_LAYER", "pubsub")]
