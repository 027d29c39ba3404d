"""Cryptographic formats: age v1, OpenSSH Ed25519 keys and SSH signatures (bytes in, bytes out)."""
