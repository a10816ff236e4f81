"""Activity data: content posts, per-period totals and manual measurements, and their imports."""
