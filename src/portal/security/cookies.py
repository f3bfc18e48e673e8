"""The names of the portal's own cookies: host-only, and ``__Host-`` when they are Secure.

A cookie named ``__Host-…`` is accepted by browsers only when it is Secure, has ``Path=/`` and
no ``Domain``: no other host under the same domain (a subdomain) can set or replace it, and it
is sent to this host alone. The portal's session, pending sign-in and CSRF cookies take the
prefix when ``portal.secure_cookies`` is true (production, behind TLS); over plain http
(development) browsers refuse such cookies, so they keep their plain names there.
"""
from pyramid.settings import asbool

HOST_PREFIX = "__Host-"


def secure_cookies(settings):
    """True when the ini file marks the portal's cookies Secure (``portal.secure_cookies``)."""
    return asbool(settings.get("portal.secure_cookies", False))


def cookie_name(name, settings):
    """``name``, with the ``__Host-`` prefix when the portal's cookies are Secure."""
    return HOST_PREFIX + name if secure_cookies(settings) else name
