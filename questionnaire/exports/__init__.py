"""Office exports: raw responses and tallies as streamed CSV/XLSX, inside the account's scope."""
