"""Demo people: names, resident ID numbers of the county (valid GB 11643 check character and
birth date) and mobiles, random but reproducible, never repeated within a county."""

from __future__ import annotations

import random
from datetime import date, timedelta

from mediation.identity import check_character
from mediation.schemas import PartyIn

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔汤关"
)
GIVEN = (
    "德玉凤秀兰桂芝淑华永国建军志明海庆春立新红丽伟强福宝山金成文学云振长树林贵英荣发忠义顺丰喜佳"
)
MOBILE_PREFIXES = ("130", "131", "132", "135", "137", "139", "150", "151", "155", "157", "158",
                   "159", "177", "180", "182", "186", "187", "188", "189", "199")  # fmt: skip


class People:
    """Names, ID numbers and mobiles of one county."""

    def __init__(self, rng: random.Random, county_code: str, county_name: str) -> None:
        self.rng = rng
        self.county = county_code[:6]
        self.county_name = county_name
        self.used: set[str] = set()

    def name(self) -> str:
        while True:
            given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            found = self.rng.choice(SURNAMES) + given
            if found not in self.used:
                self.used.add(found)
                return found

    def id_number(self) -> str:
        born = date(1948, 1, 1) + timedelta(days=self.rng.randrange(0, 52 * 365))
        first17 = f"{self.county}{born:%Y%m%d}{self.rng.randrange(1, 999):03d}"
        return first17 + check_character(first17)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def party(self, role: str, address: str, organisation: str = "") -> PartyIn:
        """A natural person with ID number and mobile, or the named organisation."""
        if organisation:
            return PartyIn(role=role, name=organisation, kind="organisation",
                           mobile=self.mobile(), address=address)  # fmt: skip
        return PartyIn(role=role, name=self.name(), id_number=self.id_number(),
                       mobile=self.mobile(), address=address)  # fmt: skip
