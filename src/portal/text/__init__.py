"""Text handling shared by the content and the catalog (no dependency on either)."""
