"""Kefu ticketing: the domain (store, SLA clock, services, desk API).

It knows nothing of Rasa or channels: `bot/` and `actions/` use it, never the reverse.
"""
