"""The incidents table of a drill-down page: AG Grid (dash-ag-grid, served by this server),
sorted, filtered, searched and paged in the browser over every row of the page's view, with the
total shown, a click on a row opening the incident, and "export what is shown" (CSV with a
byte-order mark, so Excel and WPS read the Chinese right).

The rows are chosen on the server (the caller's area, the page's area, the view and the
filters); descriptions are masked as the caller's role says."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd

from gridmap.dashboard.desk import ids
from gridmap.dashboard.shared.i18n import name_of, t
from gridmap.dashboard.shared.numbers import is_missing
from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.domain.workflow import STATES

#: Columns: (field, text key, width in px; ``None``: takes the rest).
COLUMNS = (
    ("incident_id", "col_id", 235),
    ("category", "col_category", 190),
    ("place", "col_place", 170),
    ("status", "col_status", 110),
    ("due", "col_due", 95),
    ("reported", "col_reported", 165),
    ("deadline", "col_deadline", 165),
    ("department", "department", 170),
    ("description", "col_description", None),
)
#: Rows per page of the table.
PAGE_SIZE = 50
#: AG Grid's own words in Chinese (its defaults are English).
ZH_GRID_WORDS = {
    "page": "页",
    "of": "/",
    "to": "至",
    "more": "更多",
    "next": "下一页",
    "last": "末页",
    "first": "首页",
    "previous": "上一页",
    "pageSizeSelectorLabel": "每页",
    "noRowsToShow": "没有符合条件的事件",
    "loadingOoo": "加载中…",
    "filterOoo": "筛选…",
    "searchOoo": "搜索…",
    "contains": "包含",
    "notContains": "不包含",
    "equals": "等于",
    "notEqual": "不等于",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "ariaRowSelect": "选择",
}


def incident_grid(lang: str) -> dag.AgGrid:
    """The empty table (its rows come from the page's callback)."""
    columns = []
    for field, key, width in COLUMNS:
        column: dict[str, Any] = {"field": field, "headerName": t(key, lang), "filter": True}
        if width is None:
            column.update(flex=1, minWidth=200)
        else:
            column["width"] = width
        if field == "incident_id":
            column["cellClass"] = "cell-link"
        columns.append(column)
    options: dict[str, Any] = {
        "pagination": True,
        "paginationPageSize": PAGE_SIZE,
        "paginationPageSizeSelector": [20, 50, 100, 500],
        "animateRows": False,
        "suppressCellFocus": True,
        "enableCellTextSelection": True,
    }
    if lang == "zh":
        options["localeText"] = ZH_GRID_WORDS
    return dag.AgGrid(
        id=ids.DESK_GRID,
        columnDefs=columns,
        rowData=[],
        defaultColDef={"sortable": True, "resizable": True},
        dashGridOptions=options,
        csvExportParams={"fileName": "incidents.csv"},
        getRowId="params.data.incident_id",
        className="ag-theme-alpine desk-grid",
        style={"height": "100%", "width": "100%"},
    )


def table_rows(
    incidents: pd.DataFrame,
    due: list[str],
    names: dict[str, str],
    scope: Scope,
    lang: str = "zh",
) -> list[dict[str, Any]]:
    """The table's rows: category names, the community and grid, state and due mark in
    ``lang``, local times, descriptions as the caller may read them."""
    en = 1 if lang == "en" else 0
    # column by column (a row dict per incident and a timestamp each: 0.7 s for the
    # district's 4,900 open ones, most of it pandas boxing values one by one)
    column = _columns(incidents)
    reported = _local_column(incidents.get("reported_at"), len(incidents))
    deadline = _local_column(incidents.get("deadline"), len(incidents))
    rows = []
    for i, d in zip(range(len(incidents)), due, strict=False):
        category = CATEGORY_BY_CODE.get(column["category"][i])
        sub = SUBCATEGORY_NAMES.get(column["subcategory"][i], ("", ""))[en]
        # a report outside every grid (a hotline call by address alone) has no codes: NaN
        place = names.get(_text(column["community_code"][i])) or names.get(
            _text(column["street_code"][i])
        )
        rows.append(
            {
                "incident_id": column["incident_id"][i],
                "category": f"{name_of(category, lang) if category else ''} · {sub}",
                "place": " · ".join(p for p in (place, _text(column["grid_code"][i])[-3:]) if p),
                "status": name_of(STATES[column["status"][i]], lang),
                "due": t(d, lang) if d in ("overdue", "near_due") else "",
                "reported": reported[i],
                "deadline": deadline[i],
                "department": _text(column["department"][i]),
                "description": scope.text(_text(column["description"][i]) or None) or "",
            }
        )
    return rows


#: The incidents' columns a row of the table is made of.
ROW_COLUMNS = (
    "incident_id",
    "category",
    "subcategory",
    "community_code",
    "street_code",
    "grid_code",
    "status",
    "department",
    "description",
)


def _columns(incidents: pd.DataFrame) -> dict[str, list]:
    """:data:`ROW_COLUMNS` of ``incidents`` as plain lists (``None`` where one is missing)."""
    n = len(incidents)
    return {c: incidents[c].tolist() if c in incidents.columns else [None] * n for c in ROW_COLUMNS}


def _text(value) -> str:
    """A text field of a row, ``""`` where the store has none (``None`` or pandas' NaN)."""
    return "" if is_missing(value) else str(value)


def _local_column(values: pd.Series | None, n: int) -> list[str]:
    """Times (tz-aware; naive ones taken as UTC, as the store keeps them) as local
    ``YYYY-MM-DD HH:MM`` (Beijing time); ``""`` where there is none."""
    if values is None:
        return [""] * n
    local = pd.to_datetime(values, utc=True).dt.tz_convert("Asia/Shanghai")
    return local.dt.strftime("%Y-%m-%d %H:%M").fillna("").tolist()
