"""Synthetic names for the demo data: people, phone numbers, roads and display names.

Everything here is vectorised over NumPy arrays and driven by a caller-supplied
:class:`numpy.random.Generator`, so the same generator state gives the same names.
The people are invented: surnames and given-name characters are drawn independently,
and phone numbers are random digits behind real mobile prefixes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "CHENGHUA_ROADS",
    "DISTRICT_ROADS",
    "GENERIC_ROADS",
    "community_display_name",
    "mobile_numbers",
    "person_names",
    "roads_for_district",
]

# Common surnames, roughly in order of frequency in Sichuan; weights fall off with rank.
_SURNAMES = tuple(
    "王李张刘陈杨黄赵周吴罗何徐胡郭唐曾谢邓冯彭袁蒋余肖杜廖朱马高林郑梁宋许韩曹田董潘"
    "于蔡叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶"
    "黎贺顾毛郝龚邵万钱严向汤文易敬税苟"
)
_SURNAME_P = 1.0 / (np.arange(len(_SURNAMES)) + 6.0)
_SURNAME_P = _SURNAME_P / _SURNAME_P.sum()

# Characters used in given names (1 or 2 of them).
_GIVEN = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华红玉兰春梅林斌波辉鹏浩宇婷雪琳欣怡佳俊"
    "文丹倩蓉川蜀雨鑫瑞昊子涵思雅嘉成德福志建国秀英桂珍凤淑云飞燕萍琴晨阳亮宏彬"
)

# Mobile number prefixes in use in mainland China (3 digits, all 1[3-9]x).
_MOBILE_PREFIXES = np.array(
    [
        *range(130, 140),
        145,
        147,
        *range(150, 154),
        *range(155, 160),
        166,
        170,
        171,
        173,
        *range(175, 179),
        *range(180, 190),
        191,
        193,
        195,
        198,
        199,
    ],
    dtype=np.int64,
)

#: Real-sounding road names of Chenghua district (成华区).
CHENGHUA_ROADS: tuple[str, ...] = (
    "建设路",
    "建设北路",
    "建设南路",
    "建设巷",
    "府青路",
    "府青路二段",
    "猛追湾街",
    "双林路",
    "双桥路",
    "双庆路",
    "双建路",
    "东风路",
    "一环路东二段",
    "二环路东二段",
    "二环路北四段",
    "万年场路",
    "槐树店路",
    "杉板桥路",
    "崔家店路",
    "成华大道",
    "驷马桥路",
    "八里庄路",
    "二仙桥东路",
    "二仙桥北路",
    "圣灯路",
    "昭觉寺南路",
    "昭觉寺横路",
    "龙潭路",
    "华泰路",
    "蜀龙大道",
    "迎晖路",
    "桃蹊路",
    "踏水桥北街",
    "培华东路",
    "望平街",
    "新鸿路",
    "玉双路",
    "水碾河路",
    "东三环路二段",
    "斑竹园街",
    "熊猫大道",
    "川陕路",
    "建材路",
    "双华路",
)

#: A few road names per district for the city tier (keys are 6-digit district codes).
DISTRICT_ROADS: dict[str, tuple[str, ...]] = {
    "510104": (
        "东大街",
        "红星路三段",
        "春熙路",
        "书院街",
        "水井街",
        "锦华路",
        "静安路",
        "莲桂南路",
        "三官堂街",
        "牛沙路",
        "东光街",
        "盐市口街",
    ),
    "510105": (
        "宽巷子",
        "长顺街",
        "青华路",
        "抚琴路",
        "光华大道",
        "清江中路",
        "琴台路",
        "草市街",
        "西大街",
        "蜀都大道",
        "文翁路",
        "实业街",
    ),
    "510106": (
        "一环路北三段",
        "金府路",
        "茶店子东街",
        "营门口路",
        "蜀汉路",
        "人民北路",
        "沙湾路",
        "九里堤路",
        "交大路",
        "金丰路",
        "抚琴西路",
    ),
    "510107": (
        "人民南路四段",
        "科华北路",
        "玉林南路",
        "武侯祠大街",
        "红牌楼路",
        "双楠路",
        "簇桥街",
        "佳灵路",
        "晋阳路",
        "浆洗街",
        "高升桥路",
    ),
    "510108": CHENGHUA_ROADS,
    "510112": ("驿都大道", "龙都南路", "北泉路", "星光西路", "十陵路", "大面街", "幸福路"),
    "510113": ("大同路", "凤凰东路", "青江路", "华金大道", "弥牟街"),
    "510114": ("新都大道", "桂湖路", "蓉都大道", "马超路", "大丰街"),
    "510115": ("柳城大道", "光华大道三段", "德通桥路", "江安路", "杨柳东路"),
    "510116": ("棠湖路", "东升街", "航空路", "西航港大道", "白河路"),
    "510117": ("望丛路", "郫筒街", "德源大道", "犀浦街", "红光大道"),
    "510118": ("五津路", "花源街", "新津大道", "武阳路"),
    "510121": ("十里大道", "赵镇街", "金广路", "淮州大道"),
    "510129": ("晋原街", "大安路", "安仁街", "雪山大道"),
    "510131": ("鹤山街", "朝阳大道", "蒲砚路", "城西路"),
    "510181": ("幸福路", "灌口街", "蒲阳路", "奎光路", "聚源街"),
    "510182": ("天彭街", "南大街", "致和路", "丽春路"),
    "510183": ("文君街", "临邛路", "长松路", "羊安街"),
    "510184": ("蜀州路", "唐安街", "永康路", "崇阳大道"),
    "510185": ("简州大道", "政府街", "射洪坝路", "雄州大道", "石桥街"),
}

#: Road names that fit any town in the city tier.
GENERIC_ROADS: tuple[str, ...] = (
    "人民路",
    "解放路",
    "新华路",
    "文化路",
    "光明路",
    "幸福路",
    "团结路",
    "和平路",
    "胜利路",
    "迎宾大道",
    "滨河路",
    "南街",
    "北街",
    "东街",
    "西街",
    "中心大道",
    "兴业路",
    "学府路",
    "城南大道",
    "城北路",
    "正街",
    "新街",
    "工业大道",
    "友谊路",
)


def roads_for_district(district_code: str) -> tuple[str, ...]:
    """Road names to use for addresses in one district.

    Parameters
    ----------
    district_code
        The 6-digit division code, e.g. ``"510108"``.

    Returns
    -------
    tuple of str
        The district's own names if it has ten or more (the central districts), otherwise
        its own names followed by :data:`GENERIC_ROADS` (just those for an unknown code).
    """
    own = DISTRICT_ROADS.get(district_code, ())
    if len(own) >= 10:
        return own
    return own + GENERIC_ROADS


def community_display_name(official: str) -> str:
    """Short display name of a community or village committee.

    ``"新鸿社区居委会"`` becomes ``"新鸿社区"``, ``"壮家村村民委员会"`` and ``"翠云村村委会"``
    become ``"壮家村"`` and ``"翠云村"``, ``"跳蹬村委会"`` becomes ``"跳蹬村"``.

    Parameters
    ----------
    official
        The official name from the division table.

    Returns
    -------
    str
        The name without the committee suffix.
    """
    for suffix, kind in (
        ("居民委员会", "社区"),
        ("村民委员会", "村"),
        ("居委会", "社区"),
        ("村委会", "村"),
    ):
        if official.endswith(suffix):
            base = official[: -len(suffix)]
            if base.endswith(("社区", "村")):
                return base
            return base + kind
    return official


def _pick(rng: np.random.Generator, pool: npt.NDArray[np.str_], n: int) -> npt.NDArray[np.str_]:
    return pool[rng.integers(0, len(pool), size=n)]


def person_names(rng: np.random.Generator, n: int) -> npt.NDArray[np.str_]:
    """Invent ``n`` Chinese personal names (surname + one or two characters).

    Parameters
    ----------
    rng
        Source of randomness; consumed deterministically.
    n
        How many names.

    Returns
    -------
    numpy.ndarray of str
        Names such as ``"罗晓蓉"``; repeats are possible, as in real life.
    """
    surnames = np.asarray(_SURNAMES)[rng.choice(len(_SURNAMES), size=n, p=_SURNAME_P)]
    given = np.asarray(_GIVEN)
    first = _pick(rng, given, n)
    second = _pick(rng, given, n)
    two = rng.random(n) < 0.72
    second = np.where(two, second, "")
    return np.strings.add(np.strings.add(surnames, first), second)


def mobile_numbers(rng: np.random.Generator, n: int) -> npt.NDArray[np.str_]:
    """Invent ``n`` 11-digit mainland mobile numbers (``1[3-9]`` + 9 digits).

    Parameters
    ----------
    rng
        Source of randomness; consumed deterministically.
    n
        How many numbers.

    Returns
    -------
    numpy.ndarray of str
        Numbers such as ``"13912345678"``.
    """
    prefix = _MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), size=n)]
    rest = rng.integers(0, 100_000_000, size=n)
    return np.strings.add(prefix.astype(str), np.strings.zfill(rest.astype(str), 8))
