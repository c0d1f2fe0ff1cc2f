"""Boards: a community's posts (ideas, questions, announcements, offers and wants),
their replies, votes and accepted answers, and what hosts do to keep them civil.

A board belongs to its community: whoever may not see the community sees no post
of it (404). Members write; hosts and moderators pin, lock, hide and remove.
"""
