"""A real IMAP server for the tests: Debian's dovecot, one private instance per test session.

Everything the instance writes (config, sockets, state, log, maildirs) lives in one temporary
directory, it listens on a free port on 127.0.0.1 only, and it accepts one user with a plaintext
password (no TLS on localhost). Install with `apt-get install dovecot-imapd`.
"""

import contextlib
import dataclasses
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from imapclient import IMAPClient

USER, PASSWORD = "support", "imap-test-password"

_CONF = """\
protocols = imap
listen = 127.0.0.1
instance_name = helpdesk-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_fsync = never
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  # No growing delay after failed logins: the tests try wrong passwords on purpose.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@dataclasses.dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def connect(self) -> IMAPClient:
        """A logged-in client, as a mail client would see the account."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client


def dovecot_binary() -> str | None:
    # /usr/sbin is not on a normal user's PATH.
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def reset(client: IMAPClient) -> None:
    """Empty the account: only an empty INBOX is left (the session shares one server)."""
    for _flags, _delimiter, name in client.list_folders():
        if name.upper() != "INBOX":
            client.delete_folder(name)
    client.select_folder("INBOX")
    if uids := client.search("ALL"):
        client.delete_messages(uids)
        client.expunge()
    client.unselect_folder()


def _accounts() -> dict[str, str | int]:
    """System users for dovecot's processes and for the mail files.

    Unprivileged, everything runs as the current user. As root, dovecot refuses to run its login
    processes or to touch mail as root, so it uses the users Debian's package creates, and `mail`.
    """
    if os.geteuid() == 0:
        mail = pwd.getpwnam("mail")
        return {
            "login_user": "dovenull",
            "internal_user": "dovecot",
            "internal_group": "dovecot",
            "uid": mail.pw_uid,
            "gid": mail.pw_gid,
        }
    uid, gid = os.geteuid(), os.getegid()
    name = pwd.getpwuid(uid).pw_name
    return {
        "login_user": name,
        "internal_user": name,
        "internal_group": grp.getgrgid(gid).gr_name,
        "uid": uid,
        "gid": gid,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(proc: subprocess.Popen, port: int, root: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    output = "".join(p.read_text() for p in (root / "dovecot.out", root / "dovecot.log") if p.exists())
    raise RuntimeError(f"dovecot did not start listening on port {port}:\n{output}")


@contextlib.contextmanager
def run_dovecot(binary: str) -> Iterator[ImapServer]:
    """Start dovecot in the foreground with its own configuration; stop it and clean up after."""
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    try:
        accounts = _accounts()
        # Dovecot's unprivileged processes must reach their sockets and the mail below `root`.
        root.chmod(0o755)
        (root / "mail").mkdir()
        os.chown(root / "mail", int(accounts["uid"]), int(accounts["gid"]))
        port = _free_port()
        (root / "users").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{accounts['uid']}:{accounts['gid']}::{root}/mail/{USER}::\n"
        )
        conf = root / "dovecot.conf"
        conf.write_text(_CONF.format(root=root, port=port, **accounts))
        # Configuration errors go to stderr before the log file is opened.
        with (root / "dovecot.out").open("wb") as out:
            proc = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_for_port(proc, port, root)
            yield ImapServer("127.0.0.1", port, USER, PASSWORD)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)
