"""One-way stand-ins for secrets the desk must never see.

The web chat's session id is the customer's only credential: whoever holds it can read and
write their conversation. The store, the desk and the logs therefore know a web chat customer by
`web_session_key(secret, session_id)`, an HMAC-SHA256 of the session id under the app's secret
key, cut to 128 bits: the same browser always maps to the same conversation and customer, and
nothing the desk sees leads back to the session id (nor can a desk user forge one from it).
"""

from __future__ import annotations

import hashlib
import hmac

# Keeps this use of the secret key apart from its others (signing tokens).
_PURPOSE = b"kefu web chat session\x00"
KEY_HEX_DIGITS = 32  # 128 bits


def web_session_key(secret: str, session_id: str) -> str:
    """The web chat's external id for a browser session id: 32 lowercase hex digits."""
    digest = hmac.new(secret.encode(), _PURPOSE + session_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:KEY_HEX_DIGITS]
