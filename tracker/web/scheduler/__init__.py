"""The scheduler's admin page: its jobs, their runs, and "run now"."""
