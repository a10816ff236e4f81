"""Evaluation letters: the office's letter settings, numbering, issuing one letter, verifying a
held letter, revoking and re-issuing, and the register (agenda surat keluar). docs/letters.md
describes how a number is taken and why a failed render takes none."""
