"""Tests of gridmap.domain.privacy: a corpus of the ways Chinese texts carry phone numbers,
ID-card numbers and names, each masked; ordinary text left alone."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gridmap.domain.privacy import mask_frame, mask_name, mask_personal, mask_phone

#: (text, what must not survive, what the masked text shows)
CORPUS = [
    ("电话13912345678", "12345678", "139****5678"),
    ("电话 139-1234-5678", "1234", "139****5678"),
    ("电话 139 1234 5678", "1234", "139****5678"),
    ("电话 139.1234.5678", "1234", "139****5678"),
    ("手机+8613987654321", "98765", "139****4321"),
    ("手机 +86 139 8765 4321", "8765", "139****4321"),
    ("手机 +86-139-8765-4321", "8765", "139****4321"),
    ("手机8613987654321", "98765", "139****4321"),
    ("手机(+86)13987654321", "98765", "139****4321"),
    ("手机0086 13987654321", "98765", "139****4321"),
    ("全角１３９１２３４５６７８", "１２３４", "139****5678"),
    ("全角１３９－１２３４－５６７８", "１２３４", "139****5678"),
    ("座机(028)84561234", "8456", "028-****1234"),
    ("座机（028）8456-1234", "8456", "028-****1234"),
    ("座机028-84561234", "8456", "028-****1234"),
    ("座机 028 8456 1234", "8456", "028-****1234"),
    ("座机02884561234", "8456", "028-****1234"),
    ("座机 +86 28 8456 1234", "8456", "028-****1234"),
    ("北京010-62345678", "6234", "010-****5678"),
    ("县城0838-2345678", "234", "0838-****5678"),
    ("联系电话：028-84561234转801", "8456", "028-****1234"),
    ("电话84561234", "8456", "****1234"),
    ("联系电话：8456 1234", "8456", "****1234"),
    ("身份证51010819900101123X", "19900101", "510108********123X"),
    ("身份证号510108199001011234", "19900101", "510108********1234"),
    ("身份证 510108 19900101 123x", "19900101", "510108********123x"),
    ("身份证５１０１０８１９９００１０１１２３Ｘ", "１９９００１０１", "510108********123X"),
    ("报告人：张三丰", "三丰", "报告人：张**"),
    ("联系人李四反映", "李四", "联系人李*"),
    ("投诉人: 王小明", "小明", "王**"),
    ("户主欧阳修家中漏水", "欧阳修", "户主欧阳*"),
    ("网格员刘洋巡查发现", "刘洋", "网格员刘*"),
    ("王建国女士来电", "建国", "王女士"),
    ("张伟先生反映", "张伟", "张先生"),
    ("李师傅说", "", "李师傅"),
    ("张三13912345678", "张三", "张*139****5678"),
    ("赵敏，电话：13912345678", "赵敏", "赵*"),
]


@pytest.mark.parametrize(("text", "gone", "shown"), CORPUS)
def test_personal_data_in_the_corpus_is_masked(text, gone, shown):
    masked = mask_personal(text)
    if gone:
        assert gone not in masked, masked
    assert shown in masked, masked
    # no run of 7 or more digits survives in any form
    digits = masked.translate(str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)}))
    assert not re.search(r"\d(?:[ \-.]?\d){6,}", digits.replace("****", "x")), masked


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-25 井盖缺失 3 处",
        "网格 510108004006003 内垃圾满溢",
        "路灯不亮，已持续 2 天",
        "居民反映夜间施工噪音",
        "建设路与双林路交叉口",
        "",
        None,
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert mask_personal(text) == text


def test_names_phones_and_frames():
    assert mask_name("史建") == "史*"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name(None) is None
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("028-8456-1234") == "028-****1234"
    frame = pd.DataFrame(
        {
            "code": ["510108004006001"],
            "worker": ["王小明"],
            "worker_phone": ["139 1234 5678"],
            "description": ["联系人张三 13912345678"],
            "households": [120],
        }
    )
    masked = mask_frame(frame)
    row = masked.iloc[0]
    assert row["worker"] == "王**" and row["worker_phone"] == "139****5678"
    assert "13912345678" not in row["description"] and "张三" not in row["description"]
    assert row["code"] == "510108004006001" and row["households"] == 120
    assert frame.iloc[0]["worker"] == "王小明"  # the input is not changed
