"""Monitoring visits (pemantauan) and follow-ups (tindak lanjut): recording a visit with its
per-KIM findings and photos (sent once, whatever the number of sendings), the follow-up board and
its closing, and a KIM's visits and follow-ups as timeline items."""
