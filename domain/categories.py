"""Incident categories and sources: the classes of city-management events.

Categories follow the spirit of GB/T 30428.2 (市容环境, 宣传广告, 施工管理, 街面秩序, 突发事件,
设施管理) plus the social-governance classes grid management adds (矛盾纠纷, 安全隐患, 民生服务).
Each subcategory is an Open311 service (its ``code`` is the ``service_code``).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Category:
    """An event class.

    Attributes
    ----------
    code
        Two-letter code, the prefix of its subcategory codes.
    name, name_en
        Chinese and English names.
    handle_hours
        Time allowed for the 处置 (in progress → handled) stage at normal priority, hours.
    share
        Share of all incidents in the demo data (the shares sum to 1).
    subcategories
        ``(code, name, name_en)`` triples.
    """

    code: str
    name: str
    name_en: str
    handle_hours: float
    share: float
    subcategories: tuple[tuple[str, str, str], ...]


CATEGORIES: tuple[Category, ...] = (
    Category(
        "SR",
        "市容环境",
        "City appearance",
        24,
        0.26,
        (
            ("SR01", "暴露垃圾", "Exposed rubbish"),
            ("SR02", "积存垃圾渣土", "Accumulated waste"),
            ("SR03", "道路不洁", "Dirty road"),
            ("SR04", "乱堆物堆料", "Piled materials"),
            ("SR05", "违规晾晒", "Improper drying of laundry"),
        ),
    ),
    Category(
        "XC",
        "宣传广告",
        "Advertising",
        48,
        0.07,
        (
            ("XC01", "非法小广告", "Illegal flyers"),
            ("XC02", "违规户外广告", "Unlicensed outdoor ad"),
            ("XC03", "占道广告牌", "Sign blocking the road"),
        ),
    ),
    Category(
        "SG",
        "施工管理",
        "Construction",
        72,
        0.06,
        (
            ("SG01", "施工扰民", "Construction noise"),
            ("SG02", "工地扬尘", "Site dust"),
            ("SG03", "道路遗撒", "Spillage on road"),
        ),
    ),
    Category(
        "JM",
        "街面秩序",
        "Street order",
        12,
        0.20,
        (
            ("JM01", "占道经营", "Street vending"),
            ("JM02", "店外经营", "Trading outside shop"),
            ("JM03", "乱停放非机动车", "Badly parked bicycles"),
            ("JM04", "流动摊贩", "Mobile hawkers"),
        ),
    ),
    Category(
        "TF",
        "突发事件",
        "Emergency",
        2,
        0.03,
        (
            ("TF01", "路面塌陷", "Road collapse"),
            ("TF02", "道路积水", "Flooded road"),
            ("TF03", "火灾隐患", "Fire risk"),
        ),
    ),
    Category(
        "SS",
        "设施管理",
        "Public facilities",
        72,
        0.14,
        (
            ("SS01", "井盖缺失破损", "Missing manhole cover"),
            ("SS02", "路灯不亮", "Street light out"),
            ("SS03", "道路破损", "Damaged road"),
            ("SS04", "公共座椅损坏", "Broken bench"),
        ),
    ),
    Category(
        "MD",
        "矛盾纠纷",
        "Disputes",
        120,
        0.08,
        (
            ("MD01", "邻里纠纷", "Neighbour dispute"),
            ("MD02", "物业纠纷", "Property-management dispute"),
            ("MD03", "劳资纠纷", "Wage dispute"),
        ),
    ),
    Category(
        "AQ",
        "安全隐患",
        "Safety hazards",
        24,
        0.07,
        (
            ("AQ01", "电动车违规充电", "E-bike charging indoors"),
            ("AQ02", "消防通道堵塞", "Blocked fire lane"),
            ("AQ03", "燃气安全隐患", "Gas hazard"),
        ),
    ),
    Category(
        "MS",
        "民生服务",
        "Public services",
        96,
        0.09,
        (
            ("MS01", "供水问题", "Water supply"),
            ("MS02", "噪声扰民", "Noise nuisance"),
            ("MS03", "社区服务诉求", "Community service request"),
        ),
    ),
)

#: Reporting sources: code → (Chinese name, English name, share in the demo data).
SOURCES: dict[str, tuple[str, str, float]] = {
    "grid_worker": ("网格员上报", "Grid worker", 0.52),
    "hotline": ("12345热线", "12345 hotline", 0.22),
    "video_ai": ("视频AI识别", "Video AI", 0.12),
    "iot": ("物联感知", "IoT alarm", 0.05),
    "resident": ("群众上报", "Resident", 0.09),
}

#: Priorities: code → (Chinese name, English name, factor on every stage's time allowed).
PRIORITIES: dict[int, tuple[str, str, float]] = {
    1: ("紧急", "Urgent", 0.25),
    2: ("较急", "High", 0.5),
    3: ("一般", "Normal", 1.0),
}

#: The priority of a report that names none, and the one whose reports the wall rings.
NORMAL, URGENT = 3, 1

CATEGORY_BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
SUBCATEGORY_TO_CATEGORY: dict[str, str] = {
    sub: c.code for c in CATEGORIES for sub, _name, _en in c.subcategories
}
SUBCATEGORY_NAMES: dict[str, tuple[str, str]] = {
    sub: (name, en) for c in CATEGORIES for sub, name, en in c.subcategories
}


def category_of(subcategory: str) -> Category:
    """The category a subcategory (Open311 service code) belongs to.

    Raises
    ------
    KeyError
        With the known codes named, for an unknown code.
    """
    try:
        return CATEGORY_BY_CODE[SUBCATEGORY_TO_CATEGORY[subcategory]]
    except KeyError:
        raise KeyError(
            f"unknown service code {subcategory!r}; known: {sorted(SUBCATEGORY_TO_CATEGORY)}"
        ) from None


_KIND_BY_TEXT: dict[str, str] = {
    **{code.lower(): code for code in SUBCATEGORY_TO_CATEGORY},
    **{name: code for code, (name, _en) in SUBCATEGORY_NAMES.items()},
    **{en.lower(): code for code, (_name, en) in SUBCATEGORY_NAMES.items()},
}
_CATEGORY_BY_TEXT: dict[str, Category] = {
    **{c.code.lower(): c for c in CATEGORIES},
    **{c.name: c for c in CATEGORIES},
    **{c.name_en.lower(): c for c in CATEGORIES},
}


def subcategory_from_text(text: object) -> str | None:
    """The service code a file or form means: a code (``SS01``), or a subcategory's Chinese
    or English name (``井盖缺失破损``, ``Missing manhole cover``); ``None`` if it is neither."""
    key = str(text).strip() if text is not None else ""
    return _KIND_BY_TEXT.get(key) or _KIND_BY_TEXT.get(key.lower())


def category_from_text(text: object) -> Category | None:
    """The category a text names (``SS``, ``设施管理``, ``Public facilities``), if any: a
    category alone does not say what kind of incident it is."""
    key = str(text).strip() if text is not None else ""
    return _CATEGORY_BY_TEXT.get(key) or _CATEGORY_BY_TEXT.get(key.lower())


def kinds_text() -> str:
    """Every service code with its Chinese name, for messages that list what is allowed."""
    return "、".join(f"{code} {name}" for code, (name, _en) in SUBCATEGORY_NAMES.items())
