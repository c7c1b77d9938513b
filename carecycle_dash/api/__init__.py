"""Layer 1: the CareCycle API as Python: contract, settings, errors, retries, the HTTP client, paging."""
