"""Assessment: gathering inputs, running a period, storing results, reports and what-if."""
