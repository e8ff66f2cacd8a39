"""The rubric the red-property tests rate with (4 criteria, one veto, 12 months)."""

from __future__ import annotations

from typing import Any

RUBRIC: dict[str, Any] = {
    "criteria": [
        {"name": "党建引领", "weight": 20},
        {"name": "服务质量", "weight": 30},
        {"name": "设施维护", "weight": 30},
        {"name": "环境卫生", "weight": 20},
    ],
    "vetoes": [{"name": "业主满意度低于80%"}],
    "bands": [
        {"stars": 5, "min_score": 90, "max_score": 100},
        {"stars": 4, "min_score": 80, "max_score": 89},
        {"stars": 3, "min_score": 70, "max_score": 79},
        {"stars": 2, "min_score": 60, "max_score": 69},
        {"stars": 1, "min_score": 50, "max_score": 59},
        {"stars": 0, "min_score": 0, "max_score": 49},
    ],
    "fees": [
        {"stars": 5, "level": "一级", "ceiling_fen": 150},
        {"stars": 4, "level": "二级", "ceiling_fen": 120},
        {"stars": 3, "level": "三级", "ceiling_fen": 95},
        {"stars": 2, "level": "四级", "ceiling_fen": 75},
        {"stars": 1, "level": "五级", "ceiling_fen": 55},
    ],
    "valid_months": 12,
}
