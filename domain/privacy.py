"""Personal data: the one place that decides what is personal and how it is masked.

Shared screens, district-wide API keys and exports show masked text unless the caller's role
may read it (:meth:`gridmap.domain.access.Scope.text`). Masking is deliberately greedy: a false
positive hides a few harmless characters, a false negative shows a resident's phone number on
a wall.

What is masked, in free text (:func:`mask_personal`):

- mobile numbers, with or without separators (``139-1234-5678``, ``139 1234 5678``,
  ``139.1234.5678``), with the country code (``+86``, ``0086``, ``86``) and in full-width
  digits: ``139****5678``;
- landlines with an area code (``028-84561234``, ``(028)84561234``, ``（028）8456-1234``,
  ``+86 28 8456 1234``) and numbers labelled as phones (``电话84561234``): ``028-****1234``;
- ID-card numbers (18 characters, the last may be ``X``, also with spaces): ``510108********123X``;
- names: with a title (``王女士``, ``张先生``, ``李师傅``), after a label (``报告人：张三``,
  ``联系人张三丰``), and right before a phone number (``张三13912345678``): the surname stays.

In tables (:func:`mask_frame`), the columns named in :data:`PERSONAL_TEXT_COLUMNS`,
:data:`PERSONAL_NAME_COLUMNS` and :data:`PERSONAL_PHONE_COLUMNS` are masked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pandas as pd

#: Free-text columns that may hold names and phone numbers (an incident's description, the
#: notes of its events).
PERSONAL_TEXT_COLUMNS = ("description", "note", "text")
#: Columns holding a person's name (the grid worker, the building's watcher, a reporter).
PERSONAL_NAME_COLUMNS = ("worker", "worker_name", "watcher", "watcher_name", "reporter")
#: Columns holding a phone number or contact.
PERSONAL_PHONE_COLUMNS = ("worker_phone", "watcher_phone", "phone", "contact")
#: Every column that is personal data.
PERSONAL_COLUMNS = PERSONAL_TEXT_COLUMNS + PERSONAL_NAME_COLUMNS + PERSONAL_PHONE_COLUMNS

Mask = Callable[[str | None], str | None]

# Full-width digits and signs as ASCII, one character for one (so spans found in the
# normalised text are the spans of the original).
_WIDE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "＋": "+",
        "－": "-",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
        "．": ".",
        "（": "(",
        "）": ")",
        "\u3000": " ",
        "ｘ": "x",
        "Ｘ": "X",
    }
)
_SEP = r"[ \-.]?"
_ID_CARD = re.compile(
    rf"(?<![\dA-Za-z])(\d{{6}}){_SEP}((?:19|20)\d{{2}}[01]\d[0-3]\d){_SEP}(\d{{3}}[\dXx])(?![\dA-Za-z])"
)
_MOBILE = re.compile(rf"(?<![\d+])(?:\(?(?:\+|00)?86\)?[ \-]?)?(1[3-9]\d)((?:{_SEP}\d){{8}})(?!\d)")
_LANDLINE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)?86[ \-]?\(?0?(10|2\d|[3-9]\d{2})\)?|\(?(0(?:10|2\d|[3-9]\d{2}))\)?)"
    r"[ \-.]?(\d{3,4})[ \-.]?(\d{4})(?:[ \-]?(?:转|ext\.?|-)\s?\d{1,5})?(?!\d)"
)
_LABELLED_NUMBER = re.compile(
    r"((?:电话|手机|座机|号码|联系方式|tel|Tel|TEL|phone|Phone)(?:号码)?\s*[:：]?\s*)"
    r"(\d[\d \-.]{5,14}\d)(?!\d)"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈"
    "饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵"
    "苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|司徒|夏侯|长孙|宇文|端木|独孤"
)
_SURNAME = rf"(?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])"
_TITLES = "先生|女士|小姐|师傅|阿姨|大爷|大妈|大姐|大哥|老师|同志|奶奶|爷爷|婆婆|老人|姐|哥"
_TITLED_NAME = re.compile(rf"({_SURNAME})([\u4e00-\u9fff]{{0,2}}?)({_TITLES})")
_LABELS = (
    "报告人|联系人|投诉人|举报人|反映人|当事人|求助人|来电人|报警人|户主|业主|租户|住户|居民|市民"
    "|姓名|网格员|守望员|楼栋长"
)
_LABELLED_NAME = re.compile(
    rf"({_LABELS})(\s*[:：]?\s*)({_SURNAME})(?!{_TITLES})([\u4e00-\u9fff]{{1,2}})"
)
_NAME_BEFORE_PHONE = re.compile(
    rf"({_SURNAME})(?!{_TITLES})([\u4e00-\u9fff]{{1,2}})"
    r"(?=[\s,，:：(（]*(?:电话|手机)?[:：]?\s*(?:\+?86)?[ \-]?1[3-9]\d)"
)


def mask_personal(text: str | None) -> str | None:
    """``text`` with phone numbers, ID-card numbers and personal names masked.

    Examples
    --------
    >>> mask_personal("报告人王女士，电话13912345678。")
    '报告人王女士，电话139****5678。'
    >>> mask_personal("联系人：张三丰 139-1234-5678")
    '联系人：张** 139****5678'
    """
    if not text or not isinstance(text, str):
        return text
    return _masked_text(text)


#: Texts whose masked form is kept: a table of a street's open incidents is made again with
#: every event, and their descriptions do not change (~35 µs each to mask again).
MASKED_KEPT = 32_768


@functools.lru_cache(maxsize=MASKED_KEPT)
def _masked_text(text: str) -> str:
    """:func:`mask_personal` of a non-empty text."""
    text = _masked_numbers(text)
    text = _TITLED_NAME.sub(lambda m: m.group(1) + m.group(3), text)
    text = _LABELLED_NAME.sub(
        lambda m: m.group(1) + m.group(2) + m.group(3) + "*" * len(m.group(4)), text
    )
    return _NAME_BEFORE_PHONE.sub(lambda m: m.group(1) + "*" * len(m.group(2)), text)


def _masked_numbers(text: str) -> str:
    """Phone and ID-card numbers masked; matched on a copy with full-width digits as ASCII."""
    plain = text.translate(_WIDE)
    spans: list[tuple[int, int, str]] = []

    def take(pattern: re.Pattern, render) -> None:
        for m in pattern.finditer(plain):
            if any(m.start() < end and start < m.end() for start, end, _ in spans):
                continue
            spans.append((m.start(), m.end(), render(m)))

    take(_ID_CARD, lambda m: f"{m.group(1)}********{m.group(3)}")
    take(_MOBILE, lambda m: f"{m.group(1)}****{re.sub(r'[^0-9]', '', m.group(2))[-4:]}")
    take(_LANDLINE, lambda m: f"{_area_code(m)}-****{m.group(4)}")
    take(
        _LABELLED_NUMBER,
        lambda m: m.group(1) + "****" + re.sub(r"[^0-9]", "", m.group(2))[-4:],
    )
    if not spans:
        return text
    out, last = [], 0
    for start, end, masked in sorted(spans):
        out += [text[last:start], masked]
        last = end
    return "".join([*out, text[last:]])


def _area_code(m: re.Match) -> str:
    code = m.group(1) or m.group(2)
    return code if code.startswith("0") else "0" + code


def mask_name(name: str | None) -> str | None:
    """A person's name with only the surname left: ``史建`` → ``史*``, ``欧阳修`` → ``欧阳*``."""
    if not isinstance(name, str) or not name.strip():
        return name
    name = name.strip()
    keep = 2 if re.match(rf"(?:{_COMPOUND_SURNAMES})", name) and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_phone(value: str | None) -> str | None:
    """A phone number (or a contact text) masked: ``13912345678`` → ``139****5678``; any
    other digits of 5 or more keep only their last 4."""
    if not isinstance(value, str) or not value:
        return value
    masked = mask_personal(value)
    if masked == value:  # not a recognised form: keep no more than the last 4 digits
        masked = re.sub(r"\d[\d \-.]{3,}(\d{4})", r"****\1", value.translate(_WIDE))
    return masked


#: How each kind of personal column is masked.
_COLUMN_MASKS: dict[str, Mask] = {
    **dict.fromkeys(PERSONAL_TEXT_COLUMNS, mask_personal),
    **dict.fromkeys(PERSONAL_NAME_COLUMNS, mask_name),
    **dict.fromkeys(PERSONAL_PHONE_COLUMNS, mask_phone),
}


def column_mask(column: str) -> Mask | None:
    """The mask of a personal column (``None``: the column is not personal data)."""
    return _COLUMN_MASKS.get(column)


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every personal column (:data:`PERSONAL_COLUMNS`) masked."""
    out = frame.copy()
    for column in out.columns:
        mask = column_mask(str(column))
        if mask is None:
            continue
        values = out[column]
        present = values.notna()
        masked = values.astype(object).copy()
        masked[present] = [mask(str(v)) for v in values[present]]
        out[column] = masked
    return out
