"""Village rules JSON API under /api/v1/t/{tenant}/programs/{program_id}: rule sets, versions
and their lifecycle steps, banquet declarations (OpenAPI tag ``programs``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from programs.village_rules import repo, services
from programs.village_rules.repo import DeclarationFilter
from programs.village_rules.rules import clauses
from programs.village_rules.schemas import (
    DeclarationCreate,
    DeclarationId,
    DeclarationRow,
    DraftUpdate,
    FilingRecord,
    PublishRecord,
    ReviewRecord,
    RevisionCreate,
    RuleSetCreate,
    RuleSetDetail,
    RuleSetId,
    RuleSetRow,
    RuleSetSummary,
    RulesProgramId,
    RuleVersionDetail,
    RuleVersionId,
    RuleVersionRow,
    VoteRecord,
)
from tenants.schemas import AreaId
from wusong.core.api import IfMatch, Limit, Offset, Page, etag, expected_version
from wusong.core.tenancy import EVERYONE, Role
from wusong.core.web import Ctx, access

RECORDERS = frozenset({Role.ADMIN, Role.VILLAGE_OFFICER})


def _tagged(row: RuleVersionRow, status_code: int = 200) -> Response[RuleVersionRow]:
    return Response(row, status_code=status_code, headers={"ETag": etag(row.version)})


class VillageRulesApi(Controller):
    path = "/programs/{program_id:uuid}"
    tags = ["programs"]

    @get("/rule-sets", name="api.village_rules.rule_sets", opt=access(EVERYONE))
    async def list_rule_sets(
        self, ctx: Ctx, program_id: FromPath[RulesProgramId]
    ) -> list[RuleSetSummary]:
        """Each village's rule set: its latest version and the version in force today."""
        await services.rules_program(ctx, program_id)
        return await repo.list_rule_sets(ctx, program_id, services.today())

    @post(
        "/rule-sets",
        name="api.village_rules.rule_set_create",
        opt=access(RECORDERS, writes=True),
        status_code=201,
    )
    async def create_rule_set(
        self, ctx: Ctx, program_id: FromPath[RulesProgramId], data: JSONBody[RuleSetCreate]
    ) -> RuleSetRow:
        """A village's rule set with an empty first draft (one rule set per village)."""
        return await services.create_rule_set(ctx, program_id, data)

    @get("/rule-sets/{rule_set_id:uuid}", name="api.village_rules.rule_set", opt=access(EVERYONE))
    async def get_rule_set(
        self, ctx: Ctx, program_id: FromPath[RulesProgramId], rule_set_id: FromPath[RuleSetId]
    ) -> RuleSetDetail:
        await services.rules_program(ctx, program_id)
        rule_set = await repo.get_rule_set(ctx, program_id, rule_set_id)
        return RuleSetDetail(rule_set=rule_set, versions=await repo.versions_of(ctx, rule_set_id))

    @post(
        "/rule-sets/{rule_set_id:uuid}/revisions",
        name="api.village_rules.revise",
        opt=access(RECORDERS, writes=True),
        status_code=201,
    )
    async def revise(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        rule_set_id: FromPath[RuleSetId],
        data: JSONBody[RevisionCreate],
    ) -> Response[RuleVersionRow]:
        """Revise as a new version: the latest (published) version copied as a new draft."""
        return _tagged(await services.revise(ctx, program_id, rule_set_id, data), 201)

    @get(
        "/rule-versions/{version_id:uuid}",
        name="api.village_rules.version",
        opt=access(EVERYONE),
    )
    async def get_version(
        self, ctx: Ctx, program_id: FromPath[RulesProgramId], version_id: FromPath[RuleVersionId]
    ) -> Response[RuleVersionDetail]:
        """A version with its labelled quantitative clauses and its dated lifecycle steps."""
        await services.rules_program(ctx, program_id)
        version = await repo.get_version(ctx, program_id, version_id)
        detail = RuleVersionDetail(
            version=version,
            clauses=clauses(version),
            steps=await repo.steps_of(ctx, [version_id]),
        )
        return Response(detail, headers={"ETag": etag(version.version)})

    @patch(
        "/rule-versions/{version_id:uuid}",
        name="api.village_rules.draft_update",
        opt=access(RECORDERS, writes=True),
    )
    async def update_draft(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: JSONBody[DraftUpdate],
        if_match: IfMatch = None,
    ) -> Response[RuleVersionRow]:
        """Save a draft's articles and clauses (only drafts; If-Match: the version's ETag)."""
        if not if_match:  # an id that is not ours is a 404 before a missing header is a 428
            await repo.get_version(ctx, program_id, version_id)
        expected = expected_version(if_match)
        return _tagged(await services.update_draft(ctx, program_id, version_id, data, expected))

    @post(
        "/rule-versions/{version_id:uuid}/review",
        name="api.village_rules.review",
        opt=access(RECORDERS, writes=True),
    )
    async def review(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: JSONBody[ReviewRecord],
    ) -> Response[RuleVersionRow]:
        """The township's legality review: approved, or returned to draft with an opinion
        (admins, or a member whose work areas include the village's township)."""
        return _tagged(await services.record_review(ctx, program_id, version_id, data))

    @post(
        "/rule-versions/{version_id:uuid}/vote",
        name="api.village_rules.vote",
        opt=access(RECORDERS, writes=True),
    )
    async def vote(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: JSONBody[VoteRecord],
    ) -> Response[RuleVersionRow]:
        """The assembly's vote; passes with the program's configured majority and quorum,
        otherwise the version returns to draft."""
        return _tagged(await services.record_vote(ctx, program_id, version_id, data))

    @post(
        "/rule-versions/{version_id:uuid}/filing",
        name="api.village_rules.filing",
        opt=access(RECORDERS, writes=True),
    )
    async def filing(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: JSONBody[FilingRecord],
    ) -> Response[RuleVersionRow]:
        return _tagged(await services.record_filing(ctx, program_id, version_id, data))

    @post(
        "/rule-versions/{version_id:uuid}/publish",
        name="api.village_rules.publish",
        opt=access(RECORDERS, writes=True),
    )
    async def publish(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        version_id: FromPath[RuleVersionId],
        data: JSONBody[PublishRecord],
    ) -> Response[RuleVersionRow]:
        """Publish a filed version (409 unless reviewed, voted and filed)."""
        return _tagged(await services.publish(ctx, program_id, version_id, data))

    @get("/declarations", name="api.village_rules.declarations", opt=access(EVERYONE))
    async def list_declarations(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        village: FromQuery[AreaId | None] = None,
        occasion: FromQuery[str | None] = None,
        start: Annotated[date | None, QueryParameter(name="from")] = None,
        end: Annotated[date | None, QueryParameter(name="to")] = None,
        flagged: FromQuery[bool | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[DeclarationRow]:
        """Declarations, latest banquet first; household heads' names masked."""
        await services.rules_program(ctx, program_id)
        filters = DeclarationFilter(
            villages=frozenset({village}) if village else None,
            occasion=occasion,
            start=start,
            end=end,
            flagged=flagged,
        )
        rows, has_more = await repo.list_declarations(
            ctx, program_id, filters, offset=offset, limit=limit
        )
        return Page(
            items=[services.masked(r) for r in rows],
            offset=offset,
            limit=limit,
            has_more=has_more,
        )

    @post(
        "/declarations",
        name="api.village_rules.declare",
        opt=access(RECORDERS, writes=True),
        status_code=201,
    )
    async def declare(
        self, ctx: Ctx, program_id: FromPath[RulesProgramId], data: JSONBody[DeclarationCreate]
    ) -> DeclarationRow:
        """Declare a banquet; it is checked against the village's rules in force on its day
        (``within_limits``, ``findings`` naming each broken clause)."""
        return await services.declare_banquet(ctx, program_id, data)

    @get(
        "/declarations/{declaration_id:uuid}",
        name="api.village_rules.declaration",
        opt=access(EVERYONE),
    )
    async def get_declaration(
        self,
        ctx: Ctx,
        program_id: FromPath[RulesProgramId],
        declaration_id: FromPath[DeclarationId],
    ) -> DeclarationRow:
        """A declaration; the full name only for its recorder and administrators."""
        await services.rules_program(ctx, program_id)
        row = await repo.get_declaration(ctx, program_id, declaration_id)
        return row if services.may_see_name(ctx, row) else services.masked(row)
