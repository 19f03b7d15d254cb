"""Kefu ticketing: the domain (store, SLA clock, services, desk API). Knows nothing of Rasa or channels."""
