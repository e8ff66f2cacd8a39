"""Documents are asked for from a case with an effective agreement (tests.mediation.proceedings'
court-referred case, its mediator, a mediator of another township, the court reviewer)."""

from tests.mediation.proceedings.conftest import proc  # noqa: F401  (the fixture)
