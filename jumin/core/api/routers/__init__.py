"""Core's own API routers (regions, jobs); each app registers its routers in its registry."""
