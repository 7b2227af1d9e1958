"""Streamlit pieces of the app, one module per part; `app.py` at the top of the repository only wires them."""
