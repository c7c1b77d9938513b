"""carecycle-dash: a dashboard of one CareCycle customer's voice-AI calls.

Layers, each importing only those below it: text helpers (`text`); the API client (`api`), the call store
(`store`) and the simulator beside them; the data layer (`data`); figures, CSV and the report (`output`);
the Streamlit screens (`ui`) used by `app.py` and `pages/`, and the command line (`cli`).
"""
