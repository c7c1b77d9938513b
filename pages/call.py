"""Call detail: what was said and how it sounded, with every field the API sent, and the calls around it."""

from carecycle_dash.ui.call_detail import show

show()
