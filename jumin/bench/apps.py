from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks (``jumin bench AREA``): one module per area; no tables of its own."""

    name = "jumin.bench"
    label = "bench"
    verbose_name = "性能基准"
