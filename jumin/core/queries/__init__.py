"""Reads for staff, one module per entity, each always scoped to the acting user's region."""
