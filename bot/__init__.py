"""Kefu bot side, in two runtimes: `bot.assistant` runs inside Rasa, `bot.gateway` in ours."""
