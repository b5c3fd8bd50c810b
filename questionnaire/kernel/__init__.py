"""The shared kernel: domain errors, Redis keys, column types, counter upserts, web error rendering."""
