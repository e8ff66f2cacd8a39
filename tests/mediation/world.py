"""The case core in the walker's world: a court-referred case (so court reviewers may read it)
in the world's village and studio, assigned to the world's mediator, with three parties; a
second case for the administrator's calls; examples of every input."""

from __future__ import annotations

from typing import Any

from mediation.schemas import (
    CaseCreate,
    CaseEdit,
    CaseForm,
    CaseSearch,
    CaseUpdate,
    CaseVersion,
    CategoryCreate,
    CategorySwitch,
    MediatorAssign,
    MediatorAssignForm,
    PartyEdit,
    PartyIn,
    SettingsForm,
    SettingsSave,
)
from tests.mediation.factories import make_case, two_parties, valid_id
from tests.walker import World, example, seeder


@seeder
async def cases_and_parties(world: World) -> None:
    from mediation import repo
    from tests.factories import in_tenant

    village = world.targets["areas"][None]
    studio = world.named["program:mediation_studio"]
    mediator = world.members["mediator"].membership_id
    third = {"role": "third_party", "name": "王五", "id_number": valid_id("22032219900515003")}
    case = await make_case(
        world.tenant, source="court", village_id=village, program_id=studio,
        mediator_id=mediator, parties=[*two_parties(), third],
    )  # fmt: skip
    world.add_target("cases", case.id)
    world.named["case"] = case.id
    other = await make_case(world.tenant, source="court", village_id=village)
    world.add_target("cases", other.id, "admin")
    async with in_tenant(world.tenant, writes=False) as ctx:
        parties = await repo.list_parties(ctx, case.id)
    async with in_tenant(world.tenant) as ctx:  # the county's own settings and a category
        from mediation import services
        from mediation.config import MediationConfig
        from mediation.schemas import CategoryCreate

        await services.save_settings(ctx, MediationConfig(usual_days=30), 0)
        await services.add_category(ctx, CategoryCreate(f"{world.prefix}收养", confirmable=False))
    # the sole applicant: removing it is refused (409), so the target outlives every walk
    world.add_target("case_parties", parties[0].id)


def _case(world: World) -> dict[str, Any]:
    return {
        "category": "neighbour", "source": "application", "facts": "邻里排水纠纷。",
        "village_id": str(world.targets["areas"][None]),
        "program_id": str(world.named["program:mediation_studio"]),
    }  # fmt: skip


@example(CaseCreate)
def new_case(world: World) -> dict[str, Any]:
    return {
        **_case(world),
        "mediator_id": str(world.members["mediator"].membership_id),
        "parties": [{"role": "applicant", "name": "甲"}, {"role": "respondent", "name": "乙"}],
    }


@example(CaseForm)
def new_case_form(world: World) -> dict[str, Any]:
    return {**_case(world), "applicant_name": "甲", "respondent_name": "乙"}


@example(CaseUpdate)
def case_update(world: World) -> dict[str, Any]:
    changes = {k: v for k, v in _case(world).items() if k != "source"}
    return {**changes, "facts": f"更正的事实{world.serial()}"}


@example(CaseEdit)
def case_edit(world: World) -> dict[str, Any]:
    return {**case_update(world), "version": "1"}


@example(PartyIn)
def party(world: World) -> dict[str, Any]:
    return {"role": "third_party", "name": f"第三人{world.serial()}", "mobile": "13800138000"}


@example(PartyEdit)
def party_edit(world: World) -> dict[str, Any]:
    return {**party(world), "version": "1"}


@example(MediatorAssign)
def assignment(world: World) -> dict[str, Any]:
    return {"mediator_id": str(world.members["mediator"].membership_id)}


@example(MediatorAssignForm)
def assignment_form(world: World) -> dict[str, Any]:
    return {"mediator_id": str(world.members["mediator"].membership_id), "version": "1"}


@example(CaseVersion)
def case_version(world: World) -> dict[str, Any]:
    return {"version": "1"}


@example(CaseSearch)
def search(world: World) -> dict[str, Any]:
    return {"party_name": "张"}


@example(SettingsSave)
def settings(world: World) -> dict[str, Any]:
    return {"config": {"usual_days": 30}}


@example(SettingsForm)
def settings_form(world: World) -> dict[str, Any]:
    return {"number_word": "调字", "usual_days": "30", "version": "0"}


@example(CategoryCreate)
def category(world: World) -> dict[str, Any]:
    return {"name": f"新类别{world.serial()}"}


@example(CategorySwitch)
def category_switch(world: World) -> dict[str, Any]:
    return {"code": "environment", "active": True}
