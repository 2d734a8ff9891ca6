"""Replies to feedback: the check a reply passes before it is approved and again before it is published
(otklik.domain.replies.check), and the document's `replies:` section (otklik.domain.replies.settings).

Nothing is imported here, so the configuration schema reads the settings without loading the check and
the moderation engine it runs.
"""
