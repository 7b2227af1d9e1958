"""Streamlit UI pieces; app.py is the glue that places them."""
