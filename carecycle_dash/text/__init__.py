"""Text helpers every layer uses: untrusted strings made safe, and log lines."""
