"""Customer channels: each turns its updates into `Inbound` and delivers `Outbound` items."""

from bot.gateway.channels.base import (
    Button,
    ChannelAdapter,
    DeliveryFailed,
    DeliveryRefused,
    Inbound,
    Outbound,
)

__all__ = ["Button", "ChannelAdapter", "DeliveryFailed", "DeliveryRefused", "Inbound", "Outbound"]
