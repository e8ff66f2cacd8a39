"""Documents are asked for from a case with an effective agreement (tests.mediation.proceedings'
court-referred case, its mediator, a mediator of another township, the court reviewer)."""

import pytest

from tests.mediation.proceedings.conftest import proc  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def fresh_verification_limit() -> None:
    """The verification page's per-client window lives in the server process: each test starts
    with none of an earlier test's tries."""
    from reports.documents import routes

    routes._tries.clear()
