"""Pure check rules, one module per concern."""
