"""Paperless meeting rooms (M1-M4), built on the portal's content, security and workflow.

The meeting rooms arrive with their own issue; the package exists now because the project's
layout fixes it.
"""
