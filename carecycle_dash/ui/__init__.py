"""Streamlit helpers shared by app.py and pages/: the only package code that imports streamlit."""
