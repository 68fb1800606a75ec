"""Sending a review message through SMTP, and why it may be refused.

SMTP security (project decision): the connection must be upgraded with STARTTLS and the server's
certificate verified before a password or the workbook crosses it. Without STARTTLS the message is
refused — the workbook carries the client's tax data, not only the password — unless the server is
on this machine (a loopback address) *and* `--insecure-local` is given (a local relay that forwards
over TLS itself). The password comes from XLCREDITS_SMTP_PASSWORD or the system keyring (service
"xlcredits", the user name), never the command line.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import socket
import ssl
from email.message import EmailMessage

PASSWORD_VARIABLE = "XLCREDITS_SMTP_PASSWORD"
KEYRING_SERVICE = "xlcredits"


class SendError(ValueError):
    """Why the workbook was not sent (one sentence)."""


def parse_server(text: str) -> tuple[str, int]:
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        host, port = text.strip(), "587"
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SendError(f"--smtp: {text!r} is not a mail server (expected HOST:PORT, such as smtp.firm.com:587)")
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def password_for(user: str, host: str) -> str:
    value = os.environ.get(PASSWORD_VARIABLE)
    if value:
        return value
    try:
        import keyring  # optional: the system keyring (Windows Credential Manager, macOS Keychain, ...)
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            value = keyring.get_password(KEYRING_SERVICE, user)
        except Exception:  # no keyring backend on this machine
            value = None
        if value:
            return value
    raise SendError(f"no password for {user} on {host}: set {PASSWORD_VARIABLE} or store it in the system keyring "
                    f"(service \"{KEYRING_SERVICE}\", user \"{user}\")")


def smtp_send(msg: EmailMessage, host: str, port: int, *, user: str | None = None, password: str | None = None,
              insecure_local: bool = False, context: ssl.SSLContext | None = None, timeout: float = 30) -> None:
    """Send `msg` or raise `SendError`; nothing is sent unless every recipient is accepted."""
    where = f"{host}:{port}"
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as server:
            server.ehlo()
            if server.has_extn("starttls"):
                server.starttls(context=context or ssl.create_default_context())
                server.ehlo()
            elif not (insecure_local and is_loopback(host)):
                why = ("--insecure-local is only for a server on this machine" if insecure_local
                       else "use a server that offers STARTTLS, or --insecure-local for a relay on this machine")
                raise SendError(f"the mail server {where} does not offer STARTTLS, so the workbook would cross the "
                                f"network unencrypted; nothing was sent ({why})")
            if user:
                server.login(user, password or "")
            refused = server.send_message(msg)
            if refused:  # partly delivered: smtplib only returns when at least one recipient was accepted
                raise SendError(f"the mail server {where} refused {', '.join(refused)}; the others received it")
    except SendError:
        raise
    except smtplib.SMTPAuthenticationError:
        raise SendError(f"the mail server {where} refused the user name or password; nothing was sent") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"the mail server {where} refused every recipient ({', '.join(exc.recipients)}); "
                        f"nothing was sent") from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise SendError(f"the mail server {where} refused the message ({exc.smtp_code} {text.strip()}); "
                        f"nothing was sent") from None
    except ssl.SSLCertVerificationError as exc:
        raise SendError(f"the mail server {where}'s certificate could not be verified ({exc.verify_message}); "
                        f"nothing was sent") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise SendError(f"the mail server {where} failed: {exc}; nothing was sent") from None
    except ConnectionRefusedError:
        raise SendError(f"could not reach the mail server {where} (connection refused); nothing was sent") from None
    except (socket.timeout, TimeoutError):
        raise SendError(f"could not reach the mail server {where} (no answer in {timeout:g} s); nothing was sent") from None
    except OSError as exc:
        raise SendError(f"could not reach the mail server {where} ({exc.strerror or exc}); nothing was sent") from None
