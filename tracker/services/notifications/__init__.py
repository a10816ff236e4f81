"""Reminders and the bell: who is told what (`reminders`, set-based, within each recipient's
region scope), how a notification reads (`kinds`), a user's inbox and mutes (`inbox`), and the
e-mail copy when SMTP is configured (`mail`)."""
