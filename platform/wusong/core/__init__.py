"""The kernel: what every domain imports (settings, database and unit of work, tenancy and
tenant-scoped queries, errors, web helpers, domain registration). It imports no domain: the
composition root (``wusong.app``, ``wusong.cli``, ``wusong.worker``, ...) wires domains to it."""
