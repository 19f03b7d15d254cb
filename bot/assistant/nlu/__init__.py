"""Kefu's own Rasa NLU components, loaded by Rasa from config.yml (run from the repo root)."""
