"""Helpers shared by the test suite: ports, a running app, a browser."""
