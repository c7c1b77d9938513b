"""carecycle-dash: a dashboard of one CareCycle customer's voice-AI calls.

Layers, each importing only those below it: the client (contract, config, errors, models, client, retry,
paging) and the simulator beside it; the data layer (frame, filters, metrics); charts and export; the UI
helpers in `carecycle_dash.ui` used by `app.py` and `pages/`.
"""

__version__ = "0.1.0"
