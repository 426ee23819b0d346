"""The command line's words in Chinese (the default) and English: ``--lang en``, or a shell
whose ``LANG`` (``LC_ALL``, ``LC_MESSAGES``) is English. Plain data, as the screens' words are
(:mod:`gridmap.dashboard.shared.i18n`); the command line asks :func:`say` for a key."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

WORDS: dict[str, tuple[str, str]] = {
    "prog": (
        "gridmap：演示数据、导入、看板服务、基准测试",
        "gridmap: demo data, imports, the dashboard server, benchmarks",
    ),
    "lang_help": (
        "命令行语言：zh 中文（默认），en 英文",
        "language of the command line: zh (default) or en",
    ),
    "error": ("错误：{text}", "error: {text}"),
    # demo-data
    "demo_help": ("生成确定性的演示数据", "generate a deterministic demo data set"),
    "demo_out": ("输出目录（默认 data/demo/<规模>）", "folder (default: data/demo/<scale>)"),
    "demo_now": (
        "演示数据的“现在”，ISO 时间（默认本小时）",
        "the demo's present, ISO time (default: this hour)",
    ),
    "demo_incidents": ("事件数（默认按规模）", "number of incidents (default: the tier's)"),
    "demo_if_missing": (
        "数据与数据库已就绪时不做任何事",
        "do nothing if the data set and the store already hold it",
    ),
    "demo_no_store": ("只写文件，不写数据库", "only write files"),
    "demo_done_already": (
        "演示数据已在 {out} 与数据库中，无需操作",
        "demo data already in {out} and the store; nothing to do",
    ),
    "demo_generating": (
        "正在生成{scale}演示数据到 {out}",
        "generating the {scale} demo data set into {out}",
    ),
    "demo_wrote": (
        "已写入 {out}，用时 {seconds} 秒：{counts}",
        "wrote {out} in {seconds} s: {counts}",
    ),
    "demo_loading": (
        "正在载入演示数据到 {url}（首次约一分钟）",
        "loading the demo data into {url} (about a minute the first time)",
    ),
    "demo_loaded": ("数据库 {url}：{counts}", "store {url}: {counts}"),
    "district": ("区级", "district"),
    "demo_step_areas": ("区域与楼栋", "areas and buildings"),
    "demo_step_base": ("写出 base.gpkg", "writing base.gpkg"),
    "demo_step_incidents": (
        "事件及流转记录：{done:,} / {total:,}",
        "incidents and workflow events: {done:,} of {total:,}",
    ),
    "load_step_areas": ("区域图层", "area layers"),
    "load_step_buildings": ("楼栋", "buildings"),
    "load_step_incidents": ("事件及其流转记录", "incidents and their workflow events"),
    "load_step_photos": ("部分事件的现场照片", "photos of some incidents"),
    "city": ("市级", "city"),
    # import
    "import_help": ("把图层文件导入数据库", "import a layer file into the store"),
    "import_crs": (
        "源坐标系：EPSG 代码、CGCS2000、gcj02、bd09 或 WKT",
        "source CRS: EPSG code, CGCS2000, gcj02, bd09, WKT",
    ),
    "import_level": (
        "区域导入的层级（默认 grid 网格）",
        "area level of a grids import (default: grid)",
    ),
    "import_layer": ("GeoPackage 或 zip 中的图层名", "layer inside a GeoPackage or zip"),
    "import_encoding": (
        "文本编码（自动识别有误时指定，如 GBK）",
        "text encoding, if detection gets it wrong (e.g. GBK)",
    ),
    "import_swap": ("文件中是纬度在前、经度在后", "the file has lat/lon order"),
    "import_report": ("写出机器可读的报告（JSON）", "write the machine-readable report (JSON)"),
    "import_out": (
        "另存清洗后的图层（.gpkg 或 .geojson）",
        "also write the clean layer (.gpkg or .geojson)",
    ),
    "import_no_store": ("只检查，不写入数据库", "do not write into the store"),
    "import_replace": (
        "替换整个层级（区域）或全部楼栋；默认新增新编号、更新已有编号、保留其余",
        "replace the whole level (grids) or all buildings; default: add new ids and update existing ones, keep the rest",
    ),
    "source": ("来源：{text}", "source: {text}"),
    "crs": ("坐标系：{text}", "CRS: {text}"),
    "counts": (
        "读入 {loaded}，保留 {kept}，修复 {repaired}，拒绝 {rejected}",
        "loaded {loaded}, kept {kept}, repaired {repaired}, rejected {rejected}",
    ),
    "counts_normalised": ("，仅调整方向 {n}", ", re-oriented only {n}"),
    "note": ("提示：{text}", "note: {text}"),
    "code_issue": ("编码：{text}", "code: {text}"),
    "repaired": ("修复：{kind} × {n}", "repaired: {kind} × {n}"),
    "rejected_line": ("拒绝：第 {row} 行{who}：{reason}", "rejected: line {row}{who}: {reason}"),
    "rejected_feature": (
        "拒绝：第 {row} 个要素{who}：{reason}",
        "rejected: feature {row}{who}: {reason}",
    ),
    "rejected_more": (
        "拒绝：……另有 {n} 条（见报告文件）",
        "rejected: … and {n} more (see the report file)",
    ),
    "kinds_known": ("可用的事件小类：{text}", "known kinds of incident: {text}"),
    "check": ("检查：{text}", "check: {text}"),
    "warning": ("警告：{text}", "warning: {text}"),
    "report_written": ("报告：{path}", "report: {path}"),
    "clean_written": ("清洗后的图层：{path}", "clean copy: {path}"),
    "stored_areas": (
        "已新增或更新 {n} 个{level}区域到 {url}；该层级现有 {held} 个",
        "added or updated {n} {level} areas in {url}; the level now holds {held}",
    ),
    "stored_areas_replaced": (
        "已用 {n} 个{level}区域替换该层级（{url}）",
        "replaced the {level} level with {n} areas in {url}",
    ),
    "stored_buildings": (
        "已写入 {n} 栋楼到 {url}；现有 {held} 栋",
        "stored {n} buildings in {url}; the store now holds {held}",
    ),
    "stored_incidents": (
        "已写入 {n} 件事件到 {url}（其中 {unassigned} 件不在任何网格内，标为未分配）；另有 {rejected} 行被拒绝，见上",
        "stored {n} incidents in {url} ({unassigned} outside every grid, flagged unassigned); {rejected} rows refused, see above",
    ),
    "nothing_stored": ("没有可写入的内容", "nothing to store"),
    "level_district": ("区", "district"),
    "level_street": ("街道", "street"),
    "level_community": ("社区", "community"),
    "level_grid": ("网格", "grid"),
    # reasons of refused rows, by code
    "why_no_kind": ("未给出事件小类", "no kind of incident given"),
    "why_unknown_kind": ("未知的事件小类“{value}”", "unknown kind of incident {value!r}"),
    "why_category_only": (
        "“{value}”是大类（{category}），不是事件小类：请填写如 {example}",
        "{value} names a category ({category}), not a kind of incident: give one such as {example}",
    ),
    "why_bad_time": ("上报时间无效：“{value}”", "no valid report time: {value!r}"),
    "why_future_time": ("上报时间 {value} 在将来", "the report time {value} lies in the future"),
    "why_bad_priority": (
        "未知的紧急程度“{value}”（1 紧急、2 较急、3 一般）",
        "unknown priority {value!r} (1 urgent, 2 high, 3 normal)",
    ),
    "why_bad_id": (
        "编号“{value}”只能含字母、数字和 - _ . :（以字母或数字开头）",
        "id {value!r}: may hold only letters, digits and - _ . : (starting with a letter or digit)",
    ),
    "why_duplicate_id": (
        "编号“{value}”重复（首次出现在{first_where}）",
        "duplicate id {value!r} (first at {first_where})",
    ),
    "where_line": ("第 {n} 行", "line {n}"),
    "where_feature": ("第 {n} 个要素", "feature {n}"),
    "why_far_away": (
        "({lat}, {lon}) 远在本区之外（距所有网格约 10 公里以上）",
        "({lat}, {lon}) lies far outside the district (more than about 10 km from every grid)",
    ),
    "why_swapped": (
        "经纬度似乎颠倒了 ({x}, {y})：请检查该行",
        "longitude and latitude look swapped ({x}, {y}): check the row",
    ),
    "why_outside_china": (
        "({x}, {y}) 按 {crs} 换算后不在中国境内：请检查该行",
        "({x}, {y}) in {crs} lies outside China: check the row",
    ),
    "why_no_coordinates": (
        "列 {columns} 中没有数值坐标",
        "no numeric coordinates in columns {columns}",
    ),
    "why_no_wkt": ("列 {column} 中没有有效的 WKT", "column {column} holds no valid WKT"),
    "why_exists": (
        "事件“{value}”已在数据库中；请通过流转事件修改",
        "incident {value!r} is already in the store; post workflow events to change it",
    ),
    # run / simulate / bench
    "serving": ("gridmap：看板已在 {url}", "gridmap: dashboard at {url}"),
    "simulating": (
        "gridmap：模拟器每秒约 {rate} 件，上报到 {url}",
        "gridmap: simulator posting about {rate}/s to {url}",
    ),
    "run_help": ("启动看板与接入接口服务", "serve the dashboard and the intake API"),
    "run_simulate": ("同时模拟一天的实时上报", "also play a live day"),
    "run_rate": ("每秒模拟事件数", "simulated events per second"),
    "run_workers": (
        "同一地址后面的服务进程数（默认 1）",
        "server processes behind the one address (default 1)",
    ),
    "sim_help": ("通过接入接口模拟一天的实时上报", "play a live day through the intake API"),
    "sim_url": ("服务地址（默认 http://HOST:PORT）", "server (default: http://HOST:PORT)"),
    "sim_rate": ("每秒请求数", "requests per second"),
    "sim_duration": ("持续秒数（默认不停）", "seconds (default: forever)"),
    "sim_key": ("所用的 API 密钥（默认新建一个）", "key to use (default: makes one)"),
    "sim_done": ("模拟器：{stats}", "simulator: {stats}"),
    "bench_help": (
        "按规模测量各项指标，并与朴素做法对比",
        "measure the scale tiers against the naive way",
    ),
    "bench_only": ("只运行这些基准", "run only these benchmarks"),
    "bench_json": ("结果写到此文件", "write results here"),
    "bench_repeat": ("每项运行次数（取中位数）", "runs per figure (median)"),
    "bench_wrote": ("已写入 {path}", "wrote {path}"),
    # users and keys
    "user_help": (
        "管理看板用户（带角色与辖区的登录）",
        "manage dashboard users (logins with a role and an area)",
    ),
    "user_add_help": (
        "新建（或重置）用户 NAME 并打印其密码（仅此一次）；重置会结束其所有会话",
        "create (or reset) user NAME and print its password (once); a reset ends its sessions",
    ),
    "user_area": (
        "角色所辖街道（9 位）或社区（12 位）代码",
        "street (9 digits) or community (12) code of the role",
    ),
    "user_password": ("使用此密码，而非随机生成", "set this password instead of a random one"),
    "user_passwd_help": (
        "给用户 NAME 设新密码（仅打印一次）；结束其所有会话",
        "give user NAME a new password (printed once); ends its sessions",
    ),
    "user_list_help": ("列出用户、角色与辖区", "list users, roles and areas"),
    "user_remove_help": ("删除用户 NAME（立即登出）", "delete user NAME (signs it out at once)"),
    "user_added": (
        "用户“{name}”：{role}（{area}）；{how}",
        "user {name!r}: {role} ({area}); {how}",
    ),
    "whole_district": ("全区", "whole district"),
    "password_set": ("已设定密码", "password set"),
    "password_once": ("密码只显示这一次", "the password is shown only now"),
    "logins_off": (
        "提示：登录未开启（GRIDMAP_AUTH=false）；开启后方可使用",
        "note: logins are off (GRIDMAP_AUTH=false); turn them on to use it",
    ),
    "no_user": ("没有名为“{name}”的用户", "no user named {name!r}"),
    "user_passwd_done": (
        "用户“{name}”：已设新密码，旧密码的所有会话已结束",
        "user {name!r}: new password set; every session of the old one ended",
    ),
    "user_removed": ("已删除用户“{name}”", "removed user {name!r}"),
    "key_help": ("管理上报系统的 API 密钥", "manage API keys of reporting systems"),
    "key_add_help": (
        "为 NAME 新建密钥并打印（仅此一次）",
        "create a key for NAME and print it (once)",
    ),
    "key_area": (
        "把该系统限定在一个街道（9 位）或社区（12 位）",
        "confine the system to a street (9 digits) or community (12 digits)",
    ),
    "key_list_help": ("列出持有密钥的名称", "list the names that have keys"),
    "key_revoke_help": ("删除 NAME 的密钥", "delete the key of NAME"),
    "key_added": (
        "已为“{name}”新建 API 密钥；仅显示这一次（只存其散列）",
        "API key for {name!r} created; it is shown only now (stored hashed)",
    ),
    "no_key": ("没有名为“{name}”的密钥", "no key named {name!r}"),
    "key_revoked": ("已吊销“{name}”的密钥", "revoked the key of {name!r}"),
}


def cli_lang(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> str:
    """``en`` or ``zh``: ``--lang`` on the command line, else the shell's locale when it is
    Chinese or English, else Chinese."""
    args = list(argv or [])
    for i, arg in enumerate(args):
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1].lower().startswith("en") else "zh"
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1].lower().startswith("en") else "zh"
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("zh"):
            return "zh"
    return "zh"


def say(key: str, lang: str, **values) -> str:
    """The words of ``key`` in ``lang``, with ``values`` put in."""
    zh, en = WORDS[key]
    return (en if lang == "en" else zh).format(**values)
