"""Reading a city's published progress reports (PDF, or the text extracted from one) into a
draft import that a person confirms (docs/report-import.md)."""
