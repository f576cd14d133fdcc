"""The entry workbook of a results round: ``writer`` makes a section's workbook to fill in
offline, ``importer`` reads a filled one back into the section's entries."""
