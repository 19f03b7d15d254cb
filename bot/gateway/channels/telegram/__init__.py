"""The Telegram channel: python-telegram-bot 22 turns chats into `Inbound` for the gateway, and
`TelegramAdapter` delivers the outbox's rows to them.

Off without `KEFU_TELEGRAM_TOKEN`. Long polling by default (no public URL needed, but exactly one
process may poll); in webhook mode the app serves `POST /telegram/webhook`, checks Telegram's
`X-Telegram-Bot-Api-Secret-Token` header against `KEFU_TELEGRAM_WEBHOOK_SECRET` and puts the
update on the application's queue (`updater(None)`). Private chats only; the conversation is
`telegram:<chat id>`. Everything of the conversation goes out through the outbox.

Configuration (ticketing/config.py): KEFU_TELEGRAM_TOKEN, KEFU_TELEGRAM_MODE (polling | webhook),
KEFU_TELEGRAM_WEBHOOK_SECRET, KEFU_TELEGRAM_WEBHOOK_URL (registered with setWebhook at start-up
when given), KEFU_TELEGRAM_BASE_URL (a fake Bot API in tests).

`settings` (on or off, the Bot API client), `messages` (notices, text and buttons as Telegram
takes them), `adapter` (delivering), `handlers` (updates in), `lifecycle` (the application in
the web app, and `TelegramPlugin`, registered in ticketing/channels.py).
"""
