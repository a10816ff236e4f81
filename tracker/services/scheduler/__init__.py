"""The scheduler's rules over its own rows: which process may run jobs (`lease`), recording every
run of a job under its unique key before it acts (`runs`), the admin's "run now" requests and the
admin page's figures (`requests`). The process itself and the jobs are in tracker/jobs."""
