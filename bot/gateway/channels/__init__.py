"""Customer channels: each turns its updates into `Inbound` and delivers `Outbound` items.

The shared contract is in `base`; a channel is registered in ticketing/channels.py.
"""
