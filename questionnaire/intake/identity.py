"""Participant identity keys, hashed with a key kept outside the database.

A plain hash of a phone number or openid can be reversed by trying every
value; a keyed HMAC cannot without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re

# A dotted-quad IPv4 address as ipaddress accepts it (0-255, no leading zeros): the common case,
# checked without building ipaddress objects (~0.02 ms each on the submit path).
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def is_plain_ipv4(text: str) -> bool:
    """True for an address ipaddress.IPv4Address would accept and print back unchanged."""
    return _IPV4.fullmatch(text) is not None


def participant_hash(key: str, campaign_id: int, kind: str, identity: str, scope: str = "") -> str:
    """The participant key stored with a response: unique per (campaign, person, answer scope).

    `scope` is the campaign's one-answer unit (campaigns.answer_scope.scope_key): empty for
    once per campaign, which keeps the keys of every answer stored before the setting existed,
    else the questionnaire or evaluated unit the answer is about. Because the scope is inside
    the key, UNIQUE (campaign_id, participant_hash) and the Redis marker follow the setting.
    """
    message = f"{campaign_id}\x1f{kind}\x1f{identity}".encode()
    if scope:
        message += b"\x1f" + scope.encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def ip_hash(key: str, ip: str | None) -> str | None:
    """Hash of the IP's network (/24 for IPv4, /48 for IPv6), truncated: enough to see bursts."""
    if not ip:
        return None
    if is_plain_ipv4(ip):
        network = ip.rsplit(".", 1)[0] + ".0/24"  # what str(ip_network(f"{ip}/24", strict=False)) gives
    else:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        prefix = 24 if addr.version == 4 else 48
        network = str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))
    digest = hmac.new(key.encode(), b"ip\x1f" + network.encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def user_agent_class(ua: str | None) -> str:
    """A coarse class for reports; never used as a security check."""
    ua = (ua or "").lower()
    client = "wechat" if "micromessenger" in ua else "browser"
    if "android" in ua:
        platform = "android"
    elif "iphone" in ua or "ipad" in ua or "ios" in ua:
        platform = "ios"
    elif "windows" in ua or "macintosh" in ua or "linux" in ua:
        platform = "desktop"
    else:
        platform = "other"
    return f"{client}-{platform}"
