"""Overview: headline figures, then how calls ended, how long they took, and when they happened."""

from carecycle_dash.ui.overview import show

show()
