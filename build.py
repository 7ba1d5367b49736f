#!/usr/bin/env python3
"""zennbook's entry point: `python build.py --help`."""
from zennbook.cli import main

if __name__ == "__main__":
    main()
