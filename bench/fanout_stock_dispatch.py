"""ASGI entry for comparisons only (bench/fanout.py --app bench.fanout_stock_dispatch:application):
the project's application with Channels' own AsyncConsumer.dispatch put back, which runs
close_old_connections in the thread-sensitive worker thread before every message, so each topic
event costs one thread hop per connected reader."""

from config.asgi import application  # noqa: F401
from realtime.consumers import LiveConsumer

del LiveConsumer.dispatch
