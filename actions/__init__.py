"""Rasa custom actions for Kefu, served by rasa-sdk; they use the ticketing service layer."""
