"""The dashboard's words in Chinese (the default) and English, chosen by ``?lang=en``.

One table of plain data: pages and callbacks ask :func:`t` for a key in a language; state
and category names come from their own tables (``name`` / ``name_en``).
"""

from __future__ import annotations

from typing import Any

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # wall
    "app_title": ("网格化管理 · 一张图", "Urban grid management · One map"),
    "hourly_title": ("今日每小时上报 · 与常态对比", "Reports per hour vs usual"),
    "newest": ("最新事件", "Newest events"),
    "today": ("今日", "Today"),
    "usual": ("常态", "Usual"),
    "kpi_reported": ("今日上报", "Reported today"),
    "kpi_dispatched": ("今日派遣", "Dispatched today"),
    "kpi_in_progress": ("处置中", "In progress"),
    "kpi_overdue": ("超期", "Overdue"),
    "kpi_on_time_rate": ("按期处置率", "Handled on time"),
    "kpi_closure_rate": ("当日结案率", "Closed same day"),
    "now": ("当前", "now"),
    "vs_yesterday": ("较昨日", "vs yesterday"),
    "points": ("个百分点", " pts"),
    "near_due": ("临期", "Near due"),
    "overdue": ("超期", "Overdue"),
    "grid_open": ("网格在办事件", "Open per grid"),
    "far_dots": ("远景只标新上报、临期、超期", "Far view: new, near-due and overdue only"),
    "rank_street": ("街道排名 · 超期与按期率", "Streets ranked"),
    "rank_community": ("社区排名 · 超期与按期率", "Communities ranked"),
    "rank_grid": ("网格排名 · 超期与按期率", "Grids ranked"),
    "rank_area": ("区域", "Area"),
    "rank_open": ("在办", "Open"),
    "rank_rate": ("按期率", "On time"),
    "top_today": ("今日高发事件", "Most reported today"),
    "sources_today": ("今日上报来源", "Reports today by source"),
    "none_today": ("今日暂无上报", "No reports yet today"),
    "whole_district": ("全区", "whole district"),
    "sign_out": ("退出", "Sign out"),
    # desk
    "desk_title": ("网格化管理一张图", "grid management map"),
    "layers": ("图层", "Layers"),
    "area_figure": ("分级设色指标", "Areas coloured by"),
    "low_high": ("低 → 高", "low → high"),
    "too_many_dots": (
        "在办事件 {n:,} 件，点位过多未绘制：请按类别或状态筛选",
        "{n:,} open incidents: too many to draw as dots; filter by category or state",
    ),
    "rate_low_high": ("差 → 好", "poor → good"),
    "category": ("事件大类", "Category"),
    "all": ("全部", "All"),
    "status": ("状态", "Status"),
    "all_open": ("全部在办", "All open"),
    "window": ("时间范围（热力）", "Time window (heat)"),
    "h24": ("24小时", "24 h"),
    "d7": ("7天", "7 days"),
    "d30": ("30天", "30 days"),
    "export": ("导出快照", "Export a snapshot"),
    "export_at": ("截至时间（空为现在）", "As of (empty: now)"),
    "export_format": ("格式", "Format"),
    "download": ("下载", "Download"),
    "col_id": ("编号", "Id"),
    "col_category": ("类别", "Category"),
    "col_street": ("街道", "Street"),
    "col_status": ("状态", "Status"),
    "col_due": ("时限", "Deadline"),
    "col_reported": ("上报时间", "Reported"),
    "col_description": ("描述", "Description"),
    "department": ("责任单位", "Responsible unit"),
    "history": ("处置过程", "Workflow history"),
    "no_incident": ("无此事件或不在本辖区", "No such incident in your area"),
    "table_shown": (
        "上报最早的 {shown} 条 · 共 {total:,} 条未结事件",
        "The {shown} oldest of {total:,} open incidents",
    ),
    "fld_code": ("编码", "Code"),
    "fld_floors": ("层数", "Floors"),
    "fld_households": ("户数", "Households"),
    "fld_population": ("人口", "Population"),
    "fld_due": ("时限", "Due"),
    # drill-down pages
    "not_found": ("无此页面，或不在本辖区", "Nothing here, or not in your area"),
    "back_home": ("返回本辖区", "Back to your area"),
    "grid_code": ("网格 {}", "Grid {}"),
    "rank_today": ("今日上报", "Today"),
    "rank_near": ("临期", "Near"),
    "fig_reported": ("今日上报", "Reported today"),
    "fig_open": ("在办", "Open"),
    "fig_overdue": ("超期", "Overdue"),
    "fig_near_due": ("临期", "Near due"),
    "fig_on_time_rate": ("按期处置率", "Handled on time"),
    "fig_closure_rate": ("当日结案率", "Closed same day"),
    "last_days": ("近{}天上报", "Reported, last {} days"),
    "win_reported": ("上报", "Reported"),
    "win_closure_rate": ("结案率", "Closed"),
    "win_on_time_rate": ("按期率", "On time"),
    "win_mean_hours_to_close": ("平均结案", "Mean to close"),
    "level_street": ("街道", "Street"),
    "level_community": ("社区", "Community"),
    "level_grid": ("网格", "Grid"),
    "grid_ledger": ("网格台账", "Grid ledger"),
    "grid_worker": ("网格员", "Grid worker"),
    "phone": ("电话", "Phone"),
    "watcher": ("守望员", "Watcher"),
    "fld_building": ("楼栋", "Building"),
    "unit_buildings": ("栋", "buildings"),
    "unit_households": ("户", "households"),
    "unit_people": ("人", "people"),
    "todo": ("待办", "To do"),
    "todo_none": ("暂无待办", "Nothing waits on you"),
    "view_open": ("在办事件", "Open"),
    "view_todo": ("我的待办", "My to-do"),
    "view_recent": ("近{}天全部", "All, last {} days"),
    "due_any": ("时限：全部", "Due: any"),
    "within_street": ("全部街道", "All streets"),
    "within_community": ("全部社区", "All communities"),
    "within_grid": ("全部网格", "All grids"),
    "search": ("搜索编号、描述、单位…", "Search id, text, unit…"),
    "export_shown": ("导出表格", "Export table"),
    "table_rows": (
        "{shown:,} 条 · 本视图共 {total:,} 条",
        "{shown:,} rows · {total:,} in this view",
    ),
    "col_place": ("社区 · 网格", "Community · grid"),
    "col_deadline": ("处置时限", "Deadline"),
    "near_incidents": ("近{}天楼栋周边事件 · {}", "Incidents at or near it, last {} days · {}"),
    "near_none": ("无", "None"),
    "photos": ("照片", "Photos"),
    "photos_none": ("暂无照片", "No photos yet"),
    "photo_report": ("上报照片", "Photo of the report"),
    "photo_before": ("处置前", "Before handling"),
    "photo_after": ("处置后", "After handling"),
    "act_title": ("办理", "Act on it"),
    "act_unit": (
        "派遣至（按派遣规则预选）",
        "Dispatch to (the routing table's choice preselected)",
    ),
    "act_deadline": ("延期至", "New deadline"),
    "act_note": ("办理意见（退回、作废须填写原因）", "Note (a return or a void needs the reason)"),
    "act_note_hint": ("例如：已到现场处置完毕", "e.g. cleared on site"),
    "act_photo": (
        "添加照片（JPEG/PNG/WebP，≤10 MB）：点击或拖入",
        "Add a photo (JPEG/PNG/WebP, ≤ 10 MB): click or drop",
    ),
    "act_done": ("已办理：{}", "Done: {}"),
    "act_stale": (
        "该事件已被他人办理，现为「{}」；页面已更新，请重新确认后再办理",
        "Someone acted on this incident meanwhile: it is now \u201c{}\u201d. "
        "The page shows it again; decide anew",
    ),
    "act_not_allowed": ("当前不能「{}」", "\u201c{}\u201d is not possible now"),
    "act_needs_reason": ("退回或作废须填写原因", "A return or a void needs its reason"),
    "act_needs_deadline": ("延期须选择新的时限", "An extension needs the new deadline"),
    "act_needs_unit": ("请选择派遣单位", "Choose the unit to dispatch to"),
    "act_none": ("当前没有需要您办理的操作", "Nothing for you to do on it now"),
    "act_none_unit": (
        "该事件未派遣至本辖区单位，仅可查看",
        "Not dispatched to a unit of your area: you can only look",
    ),
    "act_photo_refused": ("照片未被接受", "The photo was refused"),
    "click_hint": ("点击地图上的事件查看详情", "Click an incident on the map for details"),
}


def lang_of(value: Any) -> str:
    """``"en"`` or ``"zh"`` from a query value (anything else is Chinese)."""
    return "en" if str(value or "").lower().startswith("en") else "zh"


def t(key: str, lang: str = "zh") -> str:
    """The text of ``key`` in ``lang``."""
    zh, en = TEXT[key]
    return en if lang == "en" else zh


def name_of(item: Any, lang: str = "zh") -> str:
    """``item.name`` or ``item.name_en`` (states, categories)."""
    return item.name_en if lang == "en" else item.name
