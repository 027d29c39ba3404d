"""Zorgkluis user interfaces: the `zorgkluis` command line and the Textual app."""
