"""Kefu bot side: Rasa domain, conversation gateway and customer channels."""
