"""Demo artwork: the illustrations the demo profiles put in their news items and pages.

Not on the production code path: only a profile's ``image:`` entry imports it
(``portal.profiles``), and the production profiles have none.
"""
