#!/usr/bin/env python
"""Django's command-line utility; ``shinchoku`` is the installed equivalent."""

from shinchoku.__main__ import main

if __name__ == "__main__":
    main()
