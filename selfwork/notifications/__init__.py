"""Notifications: what a member is told, in the app and by e-mail, and how.

Every event a party should know about becomes a ``Notification`` through
``notify``; the member's preference for its kind decides whether it is shown
in the app, e-mailed at once, gathered into a daily digest, or dropped.
"""
