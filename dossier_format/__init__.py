"""The Zorgkluis dossier format: YAML model, schema, route definitions and check rules."""
