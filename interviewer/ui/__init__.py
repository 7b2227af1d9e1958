"""Streamlit UI pieces, one module per feature (app.py is glue)."""
