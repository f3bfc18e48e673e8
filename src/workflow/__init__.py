"""The workflow engine: states, transitions, guards and history, defined as data.

It imports nothing from ``portal`` (nor from Pyramid): the portal injects permission checks
and reacts to the engine's events. The engine itself arrives with issue 5; the package exists
now because the project's layout fixes it.
"""
