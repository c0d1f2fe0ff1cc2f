"""Exchanges: the process engine and the exchanges it runs.

A process is data (``processes/*.toml``): states, transitions by role, the
actions each runs from a fixed library, and timers. ``engine`` loads and
validates processes and pins each loaded version by its content hash;
``services.exchange_transition`` is the one way an exchange moves. Exchanges
copy their terms at the start (``terms.Terms``) and never reach back into the
listing or offer they came from; this app never imports ``briefs``.
"""
