"""Review: the customer's flagged and noted calls, who handles them, and calls worth a look that have none."""

from carecycle_dash.ui.review import show

show()
