"""Monitoring visits (/pemantauan) and the follow-up board (/tindak-lanjut)."""
