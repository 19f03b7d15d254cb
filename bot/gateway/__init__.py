"""Kefu's conversation gateway and its web app, run in our environment (not Rasa's).

`conversation` (the gateway: store, then route), `outbox` (delivery after the commit),
`rasa_client` (Rasa's REST channel), `channels/` (web chat, Telegram), `app` (the composed web
app) and `web/` (the chat widget's static files).
"""
