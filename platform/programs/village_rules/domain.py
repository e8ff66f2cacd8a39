"""What the Village rules program type contributes: its pages, API and audit labels."""

from __future__ import annotations

from programs.village_rules.api import VillageRulesApi
from programs.village_rules.routes import VillageRulesPages
from wusong.core.domain import Domain

DOMAIN = Domain(
    name="programs.village_rules",
    pages=[VillageRulesPages],
    api=[VillageRulesApi],
    audit_actions={
        "village_rules.create": "建立村规民约",
        "village_rules.edit": "修改村规民约草稿",
        "village_rules.revise": "修订村规民约（新版本）",
        "village_rules.review_approved": "乡镇合法性审查通过",
        "village_rules.review_returned": "乡镇合法性审查退回",
        "village_rules.vote_passed": "村民（代表）会议表决通过",
        "village_rules.vote_failed": "村民（代表）会议表决未通过",
        "village_rules.file": "村规民约备案",
        "village_rules.publish": "公布村规民约",
        "village_rules.declare": "宴席申报",
    },
    audit_objects={
        "village_rule_set": "村规民约",
        "village_rule_version": "村规民约版本",
        "banquet_declaration": "宴席申报",
    },
    audit_fields={
        "village": "村/社区",
        "title": "名称",
        "version_no": "版本号",
        "from_version": "修订自版本",
        "articles": "条文数",
        "opinion": "审查意见",
        "attendees": "到会人数",
        "votes_for": "赞成票",
        "votes_against": "反对票",
        "votes_abstain": "弃权票",
        "majority": "通过条件",
        "quorum": "最低到会人数",
        "reason": "未通过原因",
        "authority": "备案机关",
        "filing_no": "备案号",
        "effective_from": "施行日期",
        "household_head": "户主",
        "occasion": "宴席事由",
        "banquet_on": "办席日期",
        "tables": "桌数",
        "yuan_per_table": "每桌标准（元）",
        "findings": "不符合的条款",
    },
)
