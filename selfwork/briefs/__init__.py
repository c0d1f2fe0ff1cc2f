"""Briefs and offers: a customer asks for custom work, providers answer with offers.

Accepting an offer starts a ``commission`` exchange with a copy of the offer's terms
(``exchanges.terms.Terms``); the exchange never reaches back into the offer, and
``exchanges`` never imports ``briefs``.
"""
