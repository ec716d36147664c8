"""A tiny app that exists to prove the claim of ``jumin.core.registration``: an app plugs in
through its own folder and ``INSTALLED_APPS`` alone (``jumin.testing.sample_settings``; the
test is ``tests/test_new_app.py``). Never installed in a real deployment."""
