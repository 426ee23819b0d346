"""``gridmap user …`` and ``gridmap apikey …``: who may sign in, and which systems may post.

A secret (password or key) is printed once, on standard output, and stored only hashed.
"""

from __future__ import annotations

import argparse

from rich.console import Console

from gridmap.domain.access import ROLES
from gridmap.settings import get_settings

console = Console(stderr=True, highlight=False, soft_wrap=True)


def add_admin_commands(sub) -> None:
    """Register the ``user`` and ``apikey`` sub-commands on an argparse sub-parser set."""
    user = sub.add_parser("user", help="manage dashboard users (logins with a role and an area)")
    user_sub = user.add_subparsers(metavar="ACTION")
    user_add = user_sub.add_parser(
        "add",
        help="create (or reset) user NAME and print its password (once); a reset ends its sessions",
    )
    user_add.add_argument("name")
    user_add.add_argument(
        "--role",
        required=True,
        choices=sorted(ROLES),
        help="; ".join(f"{r.name}: {r.label}, {r.level}" for r in ROLES.values()),
    )
    user_add.add_argument("--area", help="street (9 digits) or community (12) code of the role")
    user_add.add_argument("--password", help="set this password instead of a random one")
    user_add.set_defaults(handler=_cmd_user_add)
    user_passwd = user_sub.add_parser(
        "passwd", help="give user NAME a new password (printed once); ends its sessions"
    )
    user_passwd.add_argument("name")
    user_passwd.add_argument("--password", help="set this password instead of a random one")
    user_passwd.set_defaults(handler=_cmd_user_passwd)
    user_list = user_sub.add_parser("list", help="list users, roles and areas")
    user_list.set_defaults(handler=_cmd_user_list)
    user_remove = user_sub.add_parser("remove", help="delete user NAME (signs it out at once)")
    user_remove.add_argument("name")
    user_remove.set_defaults(handler=_cmd_user_remove)

    key = sub.add_parser("apikey", help="manage API keys of reporting systems")
    key_sub = key.add_subparsers(metavar="ACTION")
    key_add = key_sub.add_parser("add", help="create a key for NAME and print it (once)")
    key_add.add_argument("name")
    key_add.add_argument(
        "--area", help="confine the system to a street (9 digits) or community (12 digits)"
    )
    key_add.set_defaults(handler=_cmd_apikey_add)
    key_list = key_sub.add_parser("list", help="list the names that have keys")
    key_list.set_defaults(handler=_cmd_apikey_list)
    key_revoke = key_sub.add_parser("revoke", help="delete the key of NAME")
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
    console.print(
        f"user {args.name!r}: {role.label} ({args.area or 'whole district'}); "
        + ("password set" if args.password else "the password is shown only now")
    )
    if not get_settings().auth:
        console.print("note: logins are off (GRIDMAP_AUTH=false); turn them on to use it")
    return 0


def _cmd_user_passwd(args: argparse.Namespace) -> int:
    with _store() as store:
        try:
            password = store.set_password(args.name, args.password)
        except KeyError:
            console.print(f"no user named {args.name!r}")
            return 1
    if not args.password:
        print(password)
    console.print(f"user {args.name!r}: new password set; every session of the old one ended")
    return 0


def _cmd_user_list(args: argparse.Namespace) -> int:
    with _store() as store:
        users = store.list_users()
    for row in users.itertuples():
        print(f"{row.username}\t{row.role}\t{row.area_code or '-'}\t{row.created:%Y-%m-%d}")
    return 0


def _cmd_user_remove(args: argparse.Namespace) -> int:
    with _store() as store:
        if not store.remove_user(args.name):
            console.print(f"no user named {args.name!r}")
            return 1
    console.print(f"removed user {args.name!r}")
    return 0


def _cmd_apikey_add(args: argparse.Namespace) -> int:
    with _store() as store:
        key = store.add_api_key(args.name, area_code=args.area)
    print(key)
    console.print(f"API key for {args.name!r} created; it is shown only now (stored hashed)")
    return 0


def _cmd_apikey_list(args: argparse.Namespace) -> int:
    with _store() as store:
        for name, created in store.list_api_keys():
            print(f"{name}\t{created:%Y-%m-%d %H:%M}")
    return 0


def _cmd_apikey_revoke(args: argparse.Namespace) -> int:
    with _store() as store:
        if not store.revoke_api_key(args.name):
            console.print(f"no key named {args.name!r}")
            return 1
    console.print(f"revoked the key of {args.name!r}")
    return 0
