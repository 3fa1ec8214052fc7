"""One container per feature, composed by `bootstrap.container.Container`.

Each takes the shared infrastructure it needs as `providers.Dependency` (given by the root container,
so overriding the root's `relay`, `cache`, `clock` or `unit_of_work` reaches every feature) and
declares its own use cases.
"""
