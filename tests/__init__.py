"""Kefu test suite."""
