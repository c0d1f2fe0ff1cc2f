"""Conversations between members: talking before buying, about a listing or not.

Models, selectors (reads, with the first-response time reputation uses), services
(writes: start, send, read, block), the API router, web pages and the demo's data.
"""
