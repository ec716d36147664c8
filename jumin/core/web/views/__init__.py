"""Core's pages, one module per entity; each view is behind ``jumin.core.pages.page``."""
