"""Core's staff pages: views, forms and their URLs."""
