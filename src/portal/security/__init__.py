"""Principals now; the security policy, sign-in and local roles arrive with the security issue."""
