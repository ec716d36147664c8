from jumin.reports.models.targets import CollectionTarget

__all__ = ["CollectionTarget"]
