"""zennbook: publish a course of Zenn articles as a print PDF, an EPUB and one HTML page."""

__version__ = "0.1.0"
