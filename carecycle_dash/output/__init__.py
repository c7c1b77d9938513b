"""Layer 3: what leaves the app built from DataFrames: plotly figures, CSV bytes."""
