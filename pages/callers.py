"""Callers: the people behind the calls, repeat callers, numbers called after Do Not Call, one caller's calls."""

from carecycle_dash.ui.callers import show

show()
