"""Backup and restore of an installation (docs/backup.md): its database as a portable
dump that restores on SQLite or PostgreSQL, and the files under ``var/`` that matter,
in one ZIP file with a manifest and the SHA-256 of every member."""
