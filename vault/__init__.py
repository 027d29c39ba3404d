"""The vault: age-encrypted dossier parts in a git repository with signed commits."""
