"""What a case is about and where it came from: the standard dispute categories and case
sources (domain.md), which a tenant extends with categories of its own (``case_categories``;
their id is their code) and may hide."""

from __future__ import annotations

from typing import NamedTuple


class Category(NamedTuple):
    code: str
    name: str
    confirmable: bool = True  # may an agreement of this category be judicially confirmed
    standard: bool = True
    active: bool = True


STANDARD_CATEGORIES: tuple[Category, ...] = (
    Category("marriage_family", "婚姻家庭", confirmable=False),
    Category("neighbour", "邻里"),
    Category("housing_land", "房屋宅基地"),
    Category("contract", "合同"),
    Category("business", "生产经营"),
    Category("damages", "损害赔偿"),
    Category("forest_land", "山林土地"),
    Category("expropriation", "征地拆迁"),
    Category("environment", "环境污染"),
    Category("labour", "劳动争议"),
    Category("consumer", "消费"),
    Category("medical", "医疗"),
    Category("traffic", "道路交通"),
    Category("property_management", "物业"),
    Category("village_affairs", "村务管理"),
    Category("other", "其他"),
)
STANDARD_CODES = frozenset(c.code for c in STANDARD_CATEGORIES)

# Why a category cannot be confirmed (法释〔2011〕5号 art. 4: personal status, adoption,
# marriage matters).
NOT_CONFIRMABLE_REASON = "涉及身份关系、收养关系、婚姻关系的事项不能申请司法确认"

SOURCES: dict[str, str] = {
    "application": "当事人申请",
    "initiative": "主动排查（网格）",
    "court": "法院委派（诉前调解）",
    "hotline": "12345 热线",
    "app": "群众随手拍",
    "department": "部门移交",
}
