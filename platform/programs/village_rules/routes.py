"""Village rules pages (Chinese): each village's rules and their lifecycle, and the banquet
declarations (宴席申报) with their automatic check, under /t/{tenant}/programs/{program_id}."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from programs.village_rules import repo, services
from programs.village_rules.config import MAJORITIES
from programs.village_rules.repo import DeclarationFilter
from programs.village_rules.rules import article_label, clauses, mask_name, yuan_text
from programs.village_rules.schemas import (
    STEP_KINDS,
    VERSION_STATUSES,
    DeclarationCreate,
    DeclarationId,
    DraftUpdate,
    FilingRecord,
    PublishRecord,
    ReviewRecord,
    RevisionCreate,
    RuleSetCreate,
    RuleSetId,
    RulesProgramId,
    RuleVersionId,
    VoteRecord,
)
from tenants.services import work_scope
from wusong.core.api import whole_number
from wusong.core.tenancy import EVERYONE, Role
from wusong.core.views import FormPage, View, ViewDep
from wusong.core.web import Form, access, redirect

RECORDERS = frozenset({Role.ADMIN, Role.VILLAGE_OFFICER})
PAGE = 50
TEMPLATES = "programs/village_rules/"
_LABELS: dict[str, Any] = {
    "VERSION_STATUSES": VERSION_STATUSES,
    "STEP_KINDS": STEP_KINDS,
    "MAJORITIES": MAJORITIES,
    "yuan_text": yuan_text,
    "mask_name": mask_name,
    "article_label": article_label,
}


def _path(view: View, name: str) -> Any:
    return view.request.path_params[name]


async def _villages_for(view: View, program_id: UUID) -> tuple[list[Any], list[Any]]:
    """The program's villages, and those the member may record for (their work areas)."""
    villages = await services.covered_villages(view.ctx, program_id)
    scope = await work_scope(view.ctx)
    return villages, [v for v in villages if scope.covers(v.id)]


# ---- the forms' contexts -----------------------------------------------------------------------


async def _rule_sets_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    program = await services.rules_program(view.ctx, _path(view, "program_id"))
    villages, mine = await _villages_for(view, program.id)
    sets = await repo.list_rule_sets(view.ctx, program.id, services.today())
    taken = {s.village_id for s in sets}
    return {
        "program": program,
        "rule_sets": sets,
        "villages": villages,
        "free_villages": [v for v in mine if v.id not in taken],
        **_LABELS,
    }


async def _version_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    ctx = view.ctx
    program = await services.rules_program(ctx, _path(view, "program_id"))
    version = await repo.get_version(ctx, program.id, _path(view, "version_id"))
    rule_set = await repo.get_rule_set(ctx, program.id, version.rule_set_id)
    config = await services.program_config(ctx, program.id)
    scope = await work_scope(ctx)
    village = next(
        (v for v in await services.covered_villages(ctx, program.id) if v.id == version.village_id),
        None,
    )
    township_id = village.parent_id if village else None
    return {
        "program": program,
        "rule_set": rule_set,
        "rule_version": version,
        "clauses": clauses(version),
        "steps": await repo.steps_of(ctx, [version.id]),
        "config": config,
        "today": services.today().isoformat(),
        "may_record": ctx.role in RECORDERS and scope.covers(version.village_id),
        "may_review": ctx.role in RECORDERS and scope.covers(township_id),
        **_LABELS,
    }


async def _draft_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _version_context(view, values)
    return {**context, "occasion_choices": context["config"].occasions}


async def _declaration_form_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    program = await services.rules_program(view.ctx, _path(view, "program_id"))
    _, mine = await _villages_for(view, program.id)
    config = await services.program_config(view.ctx, program.id)
    return {"program": program, "villages": mine, "occasions": config.occasions, **_LABELS}


RULE_SET_FORM = FormPage(RuleSetCreate, TEMPLATES + "rule_sets.html", context=_rule_sets_context)


async def _current_draft(view: View) -> dict[str, Any]:
    """The draft as saved now, in the form's terms (for the "someone saved first" page)."""
    v = await repo.get_version(view.ctx, _path(view, "program_id"), _path(view, "version_id"))
    return _draft_values(v)


def _draft_values(v: Any) -> dict[str, Any]:
    return {
        "articles": "\n".join(v.articles),
        "occasions": "、".join(v.occasions),
        "occasions_article": v.occasions_article or "",
        "max_tables": v.max_tables or "",
        "max_tables_article": v.max_tables_article or "",
        "max_yuan_per_table": (
            yuan_text(v.max_fen_per_table) if v.max_fen_per_table is not None else ""
        ),
        "max_yuan_article": v.max_fen_article or "",
        "venue": v.venue,
        "venue_article": v.venue_article or "",
        "version": str(v.version),
    }


DRAFT_FORM = FormPage(
    DraftUpdate, TEMPLATES + "draft_form.html", context=_draft_context, current=_current_draft
)
REVIEW_FORM = FormPage(ReviewRecord, TEMPLATES + "version.html", context=_version_context)
VOTE_FORM = FormPage(VoteRecord, TEMPLATES + "version.html", context=_version_context)
FILING_FORM = FormPage(FilingRecord, TEMPLATES + "version.html", context=_version_context)
PUBLISH_FORM = FormPage(PublishRecord, TEMPLATES + "version.html", context=_version_context)
REVISE_FORM = FormPage(
    RevisionCreate,
    back=lambda view: view.url(
        f"/programs/{_path(view, 'program_id')}/rules/{_path(view, 'rule_set_id')}"
    ),
)
DECLARATION_FORM = FormPage(
    DeclarationCreate, TEMPLATES + "declaration_form.html", context=_declaration_form_context
)


def _day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


class VillageRulesPages(Controller):
    path = "/programs/{program_id:uuid}"

    # ---- rule sets and versions ------------------------------------------------------------

    @get("/rules", name="village_rules.rule_sets", opt=access(EVERYONE, form=RULE_SET_FORM))
    async def rule_sets(self, view: ViewDep, program_id: FromPath[RulesProgramId]) -> Template:
        return await view.show_form({})

    @post(
        "/rules/new",
        name="village_rules.rule_set_create",
        opt=access(RECORDERS, writes=True, form=RULE_SET_FORM),
    )
    async def rule_set_create(
        self, view: ViewDep, program_id: FromPath[RulesProgramId], data: Form
    ) -> Redirect:
        rule_set = await view.submit(data, services.create_rule_set, program_id)
        return redirect(
            view.url(f"/programs/{program_id}/rules/{rule_set.id}"),
            f"已建立{rule_set.title}，请起草第 1 版",
        )

    @get("/rules/{rule_set_id:uuid}", name="village_rules.rule_set", opt=access(EVERYONE))
    async def rule_set(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        rule_set_id: FromPath[RuleSetId],
    ) -> Template:
        ctx = view.ctx
        program = await services.rules_program(ctx, program_id)
        rule_set = await repo.get_rule_set(ctx, program_id, rule_set_id)
        versions = await repo.versions_of(ctx, rule_set_id)
        steps = await repo.steps_of(ctx, [v.id for v in versions])
        in_force = await repo.version_in_force(
            ctx, program_id, rule_set.village_id, services.today()
        )
        scope = await work_scope(ctx)
        return await view.render(
            TEMPLATES + "rule_set.html",
            program=program,
            rule_set=rule_set,
            versions=versions,
            steps=steps,
            version_nos={v.id: v.version_no for v in versions},
            in_force=in_force,
            may_record=ctx.role in RECORDERS and scope.covers(rule_set.village_id),
            **_LABELS,
        )

    @post(
        "/rules/{rule_set_id:uuid}/revise",
        name="village_rules.revise",
        opt=access(RECORDERS, writes=True, form=REVISE_FORM),
    )
    async def revise(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        rule_set_id: FromPath[RuleSetId],
        data: Form,
    ) -> Redirect:
        version = await view.submit(data, services.revise, program_id, rule_set_id)
        return redirect(
            view.url(f"/programs/{program_id}/rules/versions/{version.id}/edit"),
            f"已复制为第 {version.version_no} 版草稿",
        )

    @get(
        "/rules/versions/{version_id:uuid}",
        name="village_rules.version",
        opt=access(EVERYONE, form=REVIEW_FORM),
    )
    async def version(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
    ) -> Template:
        return await view.show_form({})

    @get(
        "/rules/versions/{version_id:uuid}/edit",
        name="village_rules.draft_edit",
        opt=access(RECORDERS, form=DRAFT_FORM),
    )
    async def draft_edit(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
    ) -> Template:
        context = await _draft_context(view, {})
        values = _draft_values(context["rule_version"])
        return await view.show_form(values, loaded=context)

    @post(
        "/rules/versions/{version_id:uuid}/edit",
        name="village_rules.draft_save",
        opt=access(RECORDERS, writes=True, form=DRAFT_FORM),
    )
    async def draft_save(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: Form,
    ) -> Redirect:
        values = dict(data)
        chosen = [k.removeprefix("occasion_") for k in data if k.startswith("occasion_")]
        if chosen:
            values["occasions"] = "、".join(chosen)
        await view.submit(values, services.update_draft, program_id, version_id)
        return redirect(
            view.url(f"/programs/{program_id}/rules/versions/{version_id}"), "草稿已保存"
        )

    async def _step(
        self, view: ViewDep, program_id: UUID, version_id: UUID, data: Form, use_case: Any
    ) -> Redirect:
        version = await view.submit(data, use_case, program_id, version_id)
        return redirect(
            view.url(f"/programs/{program_id}/rules/versions/{version_id}"),
            f"已登记：第 {version.version_no} 版{VERSION_STATUSES[version.status]}",
        )

    @post(
        "/rules/versions/{version_id:uuid}/review",
        name="village_rules.review",
        opt=access(RECORDERS, writes=True, form=REVIEW_FORM),
    )
    async def review(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: Form,
    ) -> Redirect:
        return await self._step(view, program_id, version_id, data, services.record_review)

    @post(
        "/rules/versions/{version_id:uuid}/vote",
        name="village_rules.vote",
        opt=access(RECORDERS, writes=True, form=VOTE_FORM),
    )
    async def vote(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: Form,
    ) -> Redirect:
        return await self._step(view, program_id, version_id, data, services.record_vote)

    @post(
        "/rules/versions/{version_id:uuid}/filing",
        name="village_rules.filing",
        opt=access(RECORDERS, writes=True, form=FILING_FORM),
    )
    async def filing(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: Form,
    ) -> Redirect:
        return await self._step(view, program_id, version_id, data, services.record_filing)

    @post(
        "/rules/versions/{version_id:uuid}/publish",
        name="village_rules.publish",
        opt=access(RECORDERS, writes=True, form=PUBLISH_FORM),
    )
    async def publish(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: Form,
    ) -> Redirect:
        return await self._step(view, program_id, version_id, data, services.publish)

    # ---- banquet declarations ----------------------------------------------------------------

    @get("/declarations", name="village_rules.declarations", opt=access(EVERYONE))
    async def declarations(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        village: FromQuery[str] = "",
        occasion: FromQuery[str] = "",
        start: Annotated[str, QueryParameter(name="from")] = "",
        end: Annotated[str, QueryParameter(name="to")] = "",
        flagged: FromQuery[str] = "",
        widen: Annotated[str, QueryParameter(name="scope")] = "",
        page: FromQuery[str] = "",
    ) -> Template:
        ctx = view.ctx
        program = await services.rules_program(ctx, program_id)
        villages, mine = await _villages_for(view, program_id)
        config = await services.program_config(ctx, program_id)
        chosen = next((v for v in villages if str(v.id) == village.strip()), None)
        work = await work_scope(ctx)
        # Default: the member's own villages; "all" (or a chosen village) widens it.
        if chosen is not None:
            village_ids: frozenset[UUID] | None = frozenset({chosen.id})
        elif widen == "all" or work.county:
            village_ids = None
        else:
            village_ids = frozenset(v.id for v in mine)
        flag = {"1": True, "yes": True, "true": True, "0": False, "no": False, "false": False}
        filters = DeclarationFilter(
            villages=village_ids,
            occasion=occasion.strip() or None,
            start=_day(start),
            end=_day(end),
            flagged=flag.get(flagged.strip()),
        )
        number = max(whole_number(page, default=1), 1)
        rows, has_more = await repo.list_declarations(
            ctx, program_id, filters, offset=(number - 1) * PAGE, limit=PAGE
        )
        query = {
            "village": village,
            "occasion": occasion,
            "from": start,
            "to": end,
            "flagged": flagged,
            "scope": widen,
        }
        return await view.render(
            TEMPLATES + "declarations.html",
            program=program,
            declarations=[services.masked(r) for r in rows],
            villages=villages,
            mine=mine,
            occasions=config.occasions,
            query=query,
            pager_query=urlencode({k: v for k, v in query.items() if v}),
            own_only=village_ids is not None and chosen is None,
            filtered=any(
                (chosen, occasion, filters.start, filters.end, filters.flagged is not None)
            ),
            page=number,
            has_more=has_more,
            may_record=ctx.role in RECORDERS,
            **_LABELS,
        )

    @get(
        "/declarations/new",
        name="village_rules.declaration_new",
        opt=access(RECORDERS, form=DECLARATION_FORM),
    )
    async def declaration_new(
        self, view: ViewDep, program_id: FromPath[RulesProgramId], village: FromQuery[str] = ""
    ) -> Template:
        context = await _declaration_form_context(view, {})
        villages = context["villages"]
        default = next((v for v in villages if str(v.id) == village), None)
        if default is None and len(villages) == 1:
            default = villages[0]
        values = {"village_id": str(default.id) if default else "", "tables": "1"}
        return await view.show_form(values, loaded=context)

    @post(
        "/declarations/new",
        name="village_rules.declare",
        opt=access(RECORDERS, writes=True, form=DECLARATION_FORM),
    )
    async def declare(
        self, view: ViewDep, program_id: FromPath[RulesProgramId], data: Form
    ) -> Redirect:
        row = await view.submit(data, services.declare_banquet, program_id)
        message = (
            "已申报，符合村规民约"
            if row.within_limits
            else "已申报，但不符合村规民约：" + "；".join(row.findings)
        )
        return redirect(
            view.url(f"/programs/{program_id}/declarations/{row.id}"),
            message,
            "success" if row.within_limits else "error",
        )

    @get(
        "/declarations/{declaration_id:uuid}",
        name="village_rules.declaration",
        opt=access(EVERYONE),
    )
    async def declaration(
        self,
        view: ViewDep,
        program_id: FromPath[RulesProgramId],
        declaration_id: FromPath[DeclarationId],
    ) -> Template:
        ctx = view.ctx
        program = await services.rules_program(ctx, program_id)
        row = await repo.get_declaration(ctx, program_id, declaration_id)
        full = services.may_see_name(ctx, row)
        return await view.render(
            TEMPLATES + "declaration.html",
            program=program,
            declaration=row if full else services.masked(row),
            full_name=full,
            **_LABELS,
        )
