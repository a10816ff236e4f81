"""Coaching (pembinaan): the topic catalogue, sessions with invited KIMs, attendance (which P1
counts), materials, the training-needs analysis and whether coaching moved anyone."""
