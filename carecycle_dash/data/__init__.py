"""Layer 2: calls as a typed DataFrame and the pure functions over it: filters, figures, tables."""
