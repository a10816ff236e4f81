"""Assessment results: running a period, a KIM's breakdown, exports, Top Konten."""
