"""``gridmap user …`` and ``gridmap apikey …``: who may sign in, and which systems may post.

A secret (password or key) is printed once, on standard output, and stored only hashed; what
the command says about it goes to standard error, in the run's language.
"""

from __future__ import annotations

import argparse

from rich.console import Console

from gridmap.dashboard.shell.words import say
from gridmap.domain.access import ROLES
from gridmap.settings import get_settings

console = Console(stderr=True, highlight=False, soft_wrap=True)
#: The language of this run (set when the sub-commands are registered).
_LANG = ["zh"]


def _say(key: str, **values) -> None:
    console.print(say(key, _LANG[0], **values), markup=False)


def add_admin_commands(sub, lang: str = "zh") -> None:
    """Register the ``user`` and ``apikey`` sub-commands on an argparse sub-parser set, their
    help and messages in ``lang``."""
    _LANG[0] = lang

    def h(key: str) -> str:
        return say(key, lang)

    user = sub.add_parser("user", help=h("user_help"))
    user_sub = user.add_subparsers(metavar="ACTION")
    user_add = user_sub.add_parser("add", help=h("user_add_help"))
    user_add.add_argument("name")
    user_add.add_argument(
        "--role",
        required=True,
        choices=sorted(ROLES),
        help="; ".join(f"{r.name}: {r.label}, {r.level}" for r in ROLES.values()),
    )
    user_add.add_argument("--area", help=h("user_area"))
    user_add.add_argument("--password", help=h("user_password"))
    user_add.set_defaults(handler=_cmd_user_add)
    user_passwd = user_sub.add_parser("passwd", help=h("user_passwd_help"))
    user_passwd.add_argument("name")
    user_passwd.add_argument("--password", help=h("user_password"))
    user_passwd.set_defaults(handler=_cmd_user_passwd)
    user_list = user_sub.add_parser("list", help=h("user_list_help"))
    user_list.set_defaults(handler=_cmd_user_list)
    user_remove = user_sub.add_parser("remove", help=h("user_remove_help"))
    user_remove.add_argument("name")
    user_remove.set_defaults(handler=_cmd_user_remove)

    key = sub.add_parser("apikey", help=h("key_help"))
    key_sub = key.add_subparsers(metavar="ACTION")
    key_add = key_sub.add_parser("add", help=h("key_add_help"))
    key_add.add_argument("name")
    key_add.add_argument("--area", help=h("key_area"))
    key_add.set_defaults(handler=_cmd_apikey_add)
    key_list = key_sub.add_parser("list", help=h("key_list_help"))
    key_list.set_defaults(handler=_cmd_apikey_list)
    key_revoke = key_sub.add_parser("revoke", help=h("key_revoke_help"))
    key_revoke.add_argument("name")
    key_revoke.set_defaults(handler=_cmd_apikey_revoke)


def _store():
    from gridmap.feed.store import open_store

    return open_store(get_settings().resolved_store_url)


def _cmd_user_add(args: argparse.Namespace) -> int:
    with _store() as store:
        password = store.add_user(args.name, args.role, args.area, args.password)
    if not args.password:
        print(password)
    role = ROLES[args.role]
    _say(
        "user_added",
        name=args.name,
        role=role.label if _LANG[0] == "zh" else role.name,
        area=args.area or say("whole_district", _LANG[0]),
        how=say("password_set" if args.password else "password_once", _LANG[0]),
    )
    if not get_settings().auth:
        _say("logins_off")
    return 0


def _cmd_user_passwd(args: argparse.Namespace) -> int:
    with _store() as store:
        try:
            password = store.set_password(args.name, args.password)
        except KeyError:
            _say("no_user", name=args.name)
            return 1
    if not args.password:
        print(password)
    _say("user_passwd_done", name=args.name)
    return 0


def _cmd_user_list(args: argparse.Namespace) -> int:
    with _store() as store:
        users = store.list_users()
    zone = get_settings().timezone  # the day as the district counts it
    for row in users.itertuples():
        created = row.created.tz_convert(zone)
        print(f"{row.username}\t{row.role}\t{row.area_code or '-'}\t{created:%Y-%m-%d}")
    return 0


def _cmd_user_remove(args: argparse.Namespace) -> int:
    with _store() as store:
        if not store.remove_user(args.name):
            _say("no_user", name=args.name)
            return 1
    _say("user_removed", name=args.name)
    return 0


def _cmd_apikey_add(args: argparse.Namespace) -> int:
    with _store() as store:
        key = store.add_api_key(args.name, area_code=args.area)
    print(key)
    _say("key_added", name=args.name)
    return 0


def _cmd_apikey_list(args: argparse.Namespace) -> int:
    with _store() as store:
        zone = get_settings().timezone
        for name, created in store.list_api_keys():
            print(f"{name}\t{created.tz_convert(zone):%Y-%m-%d %H:%M}")
    return 0


def _cmd_apikey_revoke(args: argparse.Namespace) -> int:
    with _store() as store:
        if not store.revoke_api_key(args.name):
            _say("no_key", name=args.name)
            return 1
    _say("key_revoked", name=args.name)
    return 0
