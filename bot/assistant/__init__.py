"""The Rasa project's own code (domain and NLU components), run inside Rasa's environment.

Rasa loads `bot.assistant.nlu.*` by the paths config.yml names, with .venv-rasa's Python: nothing
here may import the gateway, the desk or anything else of our environment.
"""
