"""Masking personal data (names, phone numbers, ID numbers) in incident descriptions.

Shared screens, public API reads and exports show masked text unless the caller's role allows
the full text. Masking is deliberately greedy: a false positive hides a few harmless characters,
a false negative shows a resident's phone number on a wall.
"""

from __future__ import annotations

import re

_ID_CARD = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{4}(\d{3,4})(?!\d)")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
_TITLED_NAME = re.compile(rf"([{_SURNAMES}])[\u4e00-\u9fff]{{0,2}}?(先生|女士|师傅|阿姨|大爷|老师)")
_LABELLED_NAME = re.compile(
    r"(报告人|联系人|投诉人|反映人|当事人|姓名)[:：]?\s*([\u4e00-\u9fff]{2,4})"
)


def mask_personal(text: str | None) -> str | None:
    """``text`` with phone numbers, ID-card numbers and personal names masked.

    Examples
    --------
    >>> mask_personal("报告人王女士，电话13912345678。")
    '报告人：王**，电话139****5678。'
    """
    if not text:
        return text
    text = _ID_CARD.sub(r"\1********\2", text)
    text = _MOBILE.sub(r"\1****\2", text)
    text = _LANDLINE.sub(r"\1****\2", text)
    text = _LABELLED_NAME.sub(
        lambda m: m.group(1) + "：" + m.group(2)[0] + "*" * (len(m.group(2)) - 1), text
    )
    return _TITLED_NAME.sub(lambda m: m.group(1) + m.group(2), text)
