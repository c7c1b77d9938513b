"""Calls: the filtered calls as a table; choosing a row opens that call; the view downloads as CSV."""

from carecycle_dash.ui.calls import show

show()
