"""corpusclean: turn scraped web pages into clean, deduplicated, lineage-preserving Parquet corpora.

The package is the pure core (no Prefect import anywhere in it); ``flows/`` orchestrates it.
Data flows one way: raw file -> blocks -> labelled blocks -> records -> tables.
"""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
