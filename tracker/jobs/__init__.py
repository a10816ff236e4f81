"""Timed work, in one dedicated process: `flask scheduler run` (never a web worker).

- `registry`: the jobs, one small entry each (name, trigger, what it does per key, which keys are
  due), and the hook where later jobs are appended;
- `tasks`: what the product's jobs do, each a thin call into the services;
- `runner`: running a job exactly once per key (tracker/services/scheduler/runs.py), retrying a
  failed key, and the admin's "run now" requests;
- `process`: the APScheduler process with its guard (advisory lock or lease) and heartbeat.
"""
