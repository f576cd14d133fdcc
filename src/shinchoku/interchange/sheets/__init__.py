"""Reading and writing spreadsheet files, whatever they hold: the bounded xlsx reader
(``xlsxfile`` over ``xlsxparts``), CSV decoding (``csvfile``) and the text rules of a
spreadsheet cell (``spreadsheet_text``)."""
