"""Routing rules as data: the configuration document's `rules:`, the engine that applies them, the defaults.

schema      a rule as the document writes it (name, when, then, stop), validated by its path
conditions  what `when` can ask of an item, each condition saying why it held
pattern     the safe, linear-time subset of regular expressions `text: {regex: …}` takes
engine      decide(): the rules over one item, and the Decision they come to
defaults    the rules a document without `rules:` gets: otklik's routing as it always was
"""
